{#
  Every raw row of sanitasi (sanitation assistance), parsed and classified.
  The family is keyed by its KK number: a missing or unusable one (Excel-damaged included) quarantines the row
  (invalid_kk). NIK is required but not the key: a missing one quarantines, an invalid or Excel-damaged one keeps the
  row with the person unresolved (nik NULL, nik_status says why). Also quarantined: KELURAHAN unknown
  (unknown_kelurahan), JENIS_BANTUAN outside the three types (invalid_code), STATUS outside SELESAI/PROSES
  (invalid_code). RT, RW, SUMBER_DANA (free text, not checked) and TANGGAL_SELESAI are optional. Every row belongs to
  the programme SANITASI.
#}

{%- set checks = [
    {'column': 'nik', 'status': 'nik_status', 'reason': 'invalid_nik', 'required': true, 'reject': false},
    {'column': 'no_kk', 'status': 'kk_status', 'reason': 'invalid_kk', 'required': true},
    {'column': 'kelurahan', 'value': 'kelurahan_code', 'reason': 'unknown_kelurahan', 'required': true},
    {'column': 'rt', 'value': 'rt', 'reason': 'invalid_number',
        'blank': is_blank('_raw.rt') ~ ' and ' ~ is_blank('_raw.rt_rw')},
    {'column': 'rw', 'value': 'rw', 'reason': 'invalid_number',
        'blank': is_blank('_raw.rw') ~ ' and ' ~ is_blank('_raw.rt_rw')},
    {'column': 'jenis_bantuan', 'value': 'assistance_type', 'reason': 'invalid_code', 'required': true},
    {'column': 'tanggal_selesai', 'value': 'completion_date', 'reason': 'invalid_date'},
    {'column': 'status', 'value': 'assistance_status', 'reason': 'invalid_code', 'required': true},
] -%}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'sanitasi') }} as _raw
    from {{ source('raw', 'sanitasi') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        {{ identifier_value('_raw.nik', 'nik') }} as nik,
        {{ identifier_status('_raw.nik', 'nik') }} as nik_status,
        {{ identifier_value('_raw.no_kk', 'kk') }} as kk_number,
        {{ identifier_status('_raw.no_kk', 'kk') }} as kk_status,
        {{ clean_text('_raw.nama') }} as full_name,
        {{ clean_text('_raw.kelurahan') }} as kelurahan_name_raw,
        {{ normalise_kelurahan_name('_raw.kelurahan') }} as _kelurahan_key,
        coalesce({{ parse_rt('_raw.rt') }}, {{ parse_rt('_raw.rt_rw') }}) as rt,
        coalesce({{ parse_rw('_raw.rw') }}, {{ parse_rw('_raw.rt_rw') }}) as rw,
        {{ valid_code(normalise_code('_raw.jenis_bantuan'), 'jenis_bantuan_sanitasi') }} as assistance_type,
        {{ normalise_code('_raw.sumber_dana') }} as funding_source,
        {{ parse_date('_raw.tanggal_selesai') }} as completion_date,
        {{ valid_code(normalise_code('_raw.status'), 'status_sanitasi') }} as assistance_status,
        'SANITASI' as program_code
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
