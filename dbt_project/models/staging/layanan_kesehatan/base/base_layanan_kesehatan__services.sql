{#
  Every raw row of layanan_kesehatan (puskesmas services), parsed and classified.
  Quarantined: a missing or unusable NIK (the person key; an Excel-damaged one keeps the row unresolved: nik NULL, flagged in _field_warnings), tanggal_layanan
  (invalid_date), jenis_layanan outside the seven service types (invalid_code). status_gizi is optional.
#}

{%- set checks = [
    {'column': 'nik', 'status': 'nik_status', 'reason': 'invalid_nik', 'required': true},
    {'column': 'tanggal_layanan', 'value': 'service_date', 'reason': 'invalid_date', 'required': true},
    {'column': 'jenis_layanan', 'value': 'service_type', 'reason': 'invalid_code', 'required': true},
    {'column': 'status_gizi', 'value': 'nutrition_status', 'reason': 'invalid_code'},
] -%}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'layanan_kesehatan') }} as _raw
    from {{ source('raw', 'layanan_kesehatan') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        {{ identifier_value('_raw.nik', 'nik') }} as nik,
        {{ identifier_status('_raw.nik', 'nik') }} as nik_status,
        {{ clean_text('_raw.nama') }} as full_name,
        {{ parse_date('_raw.tanggal_layanan') }} as service_date,
        {{ clean_text('_raw.puskesmas') }} as puskesmas,
        {{ valid_code(normalise_code('_raw.jenis_layanan'), 'jenis_layanan') }} as service_type,
        {{ valid_code(normalise_code('_raw.status_gizi'), 'status_gizi') }} as nutrition_status,
        'LAYANAN_KESEHATAN' as program_code
    from raw_rows
),

{{ classified_rows('parsed', checks) }}
