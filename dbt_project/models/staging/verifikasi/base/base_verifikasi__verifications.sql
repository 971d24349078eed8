{#
  Every raw row of verifikasi_kelurahan (musyawarah kelurahan results), parsed and classified.
  The family is keyed by its KK number: a missing or unusable one (Excel-damaged included) quarantines the row
  (invalid_kk). Also quarantined: missing or unparseable RT/RW (invalid_number), HASIL VERIFIKASI outside the six
  results (invalid_code), TANGGAL VERIFIKASI (invalid_date), and a kelurahan (from the title block) that is missing
  or unknown (unknown_kelurahan). NIK KEPALA KELUARGA is optional: an unusable one keeps the row with the person
  unresolved (nik NULL, nik_status says why). `Usulan Baru` rows are accepted like any other: the family has no
  DTSEN record yet.
#}

{%- set checks = [
    {'column': 'no_kk', 'status': 'kk_status', 'reason': 'invalid_kk', 'required': true},
    {'column': 'nik_kepala_keluarga', 'status': 'nik_status', 'reason': 'invalid_nik'},
    {'column': 'rt', 'value': 'rt', 'reason': 'invalid_number', 'required': true,
        'blank': is_blank('_raw.rt') ~ ' and ' ~ is_blank('_raw.rt_rw')},
    {'column': 'rw', 'value': 'rw', 'reason': 'invalid_number', 'required': true,
        'blank': is_blank('_raw.rw') ~ ' and ' ~ is_blank('_raw.rt_rw')},
    {'column': 'hasil_verifikasi', 'value': 'verification_result', 'reason': 'invalid_code', 'required': true},
    {'column': 'tanggal_verifikasi', 'value': 'verification_date', 'reason': 'invalid_date', 'required': true},
    {'column': 'kelurahan', 'value': 'kelurahan_code', 'reason': 'unknown_kelurahan', 'required': true},
] -%}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'verifikasi_kelurahan') }} as _raw
    from {{ source('raw', 'verifikasi_kelurahan') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        {{ identifier_value('_raw.no_kk', 'kk') }} as kk_number,
        {{ identifier_status('_raw.no_kk', 'kk') }} as kk_status,
        {{ identifier_value('_raw.nik_kepala_keluarga', 'nik') }} as nik,
        {{ identifier_status('_raw.nik_kepala_keluarga', 'nik') }} as nik_status,
        {{ clean_text('_raw.nama_kepala_keluarga') }} as head_of_family_name,
        coalesce({{ parse_rt('_raw.rt') }}, {{ parse_rt('_raw.rt_rw') }}) as rt,
        coalesce({{ parse_rw('_raw.rw') }}, {{ parse_rw('_raw.rt_rw') }}) as rw,
        {{ valid_code(normalise_code('_raw.hasil_verifikasi'), 'hasil_verifikasi') }} as verification_result,
        {{ parse_date('_raw.tanggal_verifikasi') }} as verification_date,
        {{ clean_text('_raw.petugas') }} as officer_name,
        {{ clean_text('_raw.keterangan') }} as remarks,
        {{ clean_text('_raw.kelurahan') }} as kelurahan_name_raw,
        {{ normalise_kelurahan_name('_raw.kelurahan') }} as _kelurahan_key
    from raw_rows
),

resolved as (
    select
        parsed.*,
        kelurahan.kelurahan_code
    from parsed
    left join {{ ref('stg_reference__kelurahan_lookup') }} as kelurahan
        on kelurahan.alias_key = parsed._kelurahan_key
),

{{ classified_rows('resolved', checks) }}
