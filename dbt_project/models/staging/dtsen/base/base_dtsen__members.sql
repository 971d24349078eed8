{#
  Every raw row of dtsen_individu (members of DTSEN families), parsed and classified.
  Quarantined: a missing or unusable NIK (the person key; an Excel-damaged NIK keeps the row unresolved and flagged), a
  missing KK number, name, birth date (invalid_date) or sex (invalid_code). A KK number that is present but
  Excel-damaged or invalid keeps the row (the NIK still identifies the person): kk_number NULL, kk_status says why.
  Optional codes that do not parse become NULL and are named in _field_warnings.
#}

{%- set checks = [
    {'column': 'nomor_induk_kependudukan', 'status': 'nik_status', 'reason': 'invalid_nik', 'required': true},
    {'column': 'nomor_kartu_keluarga', 'status': 'kk_status', 'reason': 'invalid_kk', 'required': true, 'reject': false},
    {'column': 'nama', 'required': true},
    {'column': 'tanggal_lahir', 'value': 'birth_date', 'reason': 'invalid_date', 'required': true},
    {'column': 'jenis_kelamin', 'value': 'sex', 'reason': 'invalid_code', 'required': true},
    {'column': 'status_hubungan_keluarga', 'value': 'relationship_code', 'reason': 'invalid_code'},
    {'column': 'status_bekerja', 'value': 'is_working', 'reason': 'invalid_code'},
    {'column': 'penyakit_kronis', 'value': 'chronic_illness_code', 'reason': 'invalid_code'},
    {'column': 'disabilitas', 'value': 'has_disability', 'reason': 'invalid_code'},
    {'column': 'partisipasi_sekolah', 'value': 'school_participation_code', 'reason': 'invalid_code'},
    {'column': 'jaminan_kesehatan', 'value': 'health_insurance_code', 'reason': 'invalid_code'},
] -%}
{%- set insurance = parse_int('_raw.jaminan_kesehatan') %}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'dtsen_individu') }} as _raw
    from {{ source('raw', 'dtsen_individu') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        {{ identifier_value('_raw.nomor_induk_kependudukan', 'nik') }} as nik,
        {{ identifier_status('_raw.nomor_induk_kependudukan', 'nik') }} as nik_status,
        {{ identifier_value('_raw.nomor_kartu_keluarga', 'kk') }} as kk_number,
        {{ identifier_status('_raw.nomor_kartu_keluarga', 'kk') }} as kk_status,
        {{ clean_text('_raw.nama') }} as full_name,
        {{ parse_date('_raw.tanggal_lahir') }} as birth_date,
        {{ parse_sex('_raw.jenis_kelamin') }} as sex,
        {{ valid_numeric_code('_raw.status_hubungan_keluarga', 'status_hubungan_keluarga') }} as relationship_code,
        case {{ valid_numeric_code('_raw.status_bekerja', 'status_bekerja') }}
            when 1 then true when 2 then false
        end as is_working,
        {{ valid_numeric_code('_raw.penyakit_kronis', 'penyakit_kronis') }} as chronic_illness_code,
        case {{ valid_numeric_code('_raw.disabilitas', 'disabilitas') }}
            when 1 then true when 0 then false
        end as has_disability,
        {{ valid_numeric_code('_raw.partisipasi_sekolah', 'partisipasi_sekolah') }} as school_participation_code,
        case
            when {{ insurance }} between 0 and 31 or {{ insurance }} = 99
            then {{ insurance }}
        end as health_insurance_code
    from raw_rows
),

{{ classified_rows('parsed', checks) }}
