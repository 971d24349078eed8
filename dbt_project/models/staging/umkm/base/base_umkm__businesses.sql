{#
  Every raw row of umkm (micro and small business registry), parsed and classified.
  Quarantined: a missing or unusable owner NIK (the person key; an Excel-damaged one keeps the row unresolved: nik NULL, flagged in _field_warnings), a missing
  nama_usaha, tanggal_terdaftar (invalid_date). nib (13 digits), sektor, omzet_per_bulan, pendampingan and
  tanggal_pendampingan are optional (an omzet beyond parse_rupiah's bound: NULL with an out_of_range warning). program_code is PENDAMPINGAN_UMKM when pendampingan is other than TIDAK.
#}

{%- set checks = [
    {'column': 'nik_pemilik', 'status': 'nik_status', 'reason': 'invalid_nik', 'required': true},
    {'column': 'nama_usaha', 'required': true},
    {'column': 'nib', 'status': 'nib_status', 'reason': 'invalid_number'},
    {'column': 'sektor', 'value': 'sector', 'reason': 'invalid_code'},
    {'column': 'omzet_per_bulan', 'problem': parse_rupiah_reason('_raw.omzet_per_bulan')},
    {'column': 'tanggal_terdaftar', 'value': 'registration_date', 'reason': 'invalid_date', 'required': true},
    {'column': 'pendampingan', 'value': 'mentoring_type', 'reason': 'invalid_code'},
    {'column': 'tanggal_pendampingan', 'value': 'mentoring_date', 'reason': 'invalid_date'},
] -%}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'umkm') }} as _raw
    from {{ source('raw', 'umkm') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        {{ identifier_value('_raw.nik_pemilik', 'nik') }} as nik,
        {{ identifier_status('_raw.nik_pemilik', 'nik') }} as nik_status,
        {{ clean_text('_raw.nama_pemilik') }} as owner_name,
        {{ clean_text('_raw.nama_usaha') }} as business_name,
        {{ normalise_program_name('_raw.nama_usaha') }} as business_key,
        {{ identifier_value('_raw.nib', 'nib') }} as nib,
        {{ identifier_status('_raw.nib', 'nib') }} as nib_status,
        {{ valid_code(normalise_code('_raw.sektor'), 'sektor_umkm') }} as sector,
        {{ parse_rupiah('_raw.omzet_per_bulan') }} as monthly_turnover_idr,
        {{ parse_date('_raw.tanggal_terdaftar') }} as registration_date,
        {{ valid_code(normalise_code('_raw.pendampingan'), 'pendampingan_umkm') }} as mentoring_type,
        {{ parse_date('_raw.tanggal_pendampingan') }} as mentoring_date
    from raw_rows
),

supported as (
    select
        parsed.*,
        case
            when parsed.mentoring_type in ('PELATIHAN_WIRAUSAHA', 'PENDAMPINGAN') then 'PENDAMPINGAN_UMKM'
        end as program_code
    from parsed
),

{{ classified_rows('supported', checks) }}
