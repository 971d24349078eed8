{#
  Every raw row of kur (Kredit Usaha Rakyat), parsed and classified.
  Quarantined: a missing or unusable debtor NIK (the person key; an Excel-damaged one keeps the row unresolved: nik NULL, flagged in _field_warnings), a bank other
  than the five KUR banks (invalid_code; `Bank BRI`, `PT Bank Mandiri`, `BPD Kalbar` and the banks' full names are
  recognised), skema outside SUPER_MIKRO/MIKRO/KECIL (invalid_code), plafon (invalid_amount, or out_of_range
  beyond parse_rupiah's bound), tanggal_akad (invalid_date). jangka_waktu_bulan (bounds: var tkpkd_bounds) and
  kolektibilitas are optional. Every row belongs to the programme KUR; the
  responsible agency is the bank (ref_agencies.agency_code = bank).
#}

{%- set bounds = var('tkpkd_bounds') -%}
{%- set checks = [
    {'column': 'nik_debitur', 'status': 'nik_status', 'reason': 'invalid_nik', 'required': true},
    {'column': 'bank', 'value': 'bank', 'reason': 'invalid_code', 'required': true},
    {'column': 'skema', 'value': 'scheme', 'reason': 'invalid_code', 'required': true},
    {'column': 'plafon', 'problem': parse_rupiah_reason('_raw.plafon'), 'required': true},
    {'column': 'tanggal_akad', 'value': 'contract_date', 'reason': 'invalid_date', 'required': true},
    {'column': 'jangka_waktu_bulan', 'problem': parse_int_reason('_raw.jangka_waktu_bulan', *bounds.tenor_months)},
    {'column': 'kolektibilitas', 'value': 'collectibility', 'reason': 'invalid_code'},
] -%}
{%- set bank_code = normalise_code('_raw.bank') %}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'kur') }} as _raw
    from {{ source('raw', 'kur') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        {{ identifier_value('_raw.nik_debitur', 'nik') }} as nik,
        {{ identifier_status('_raw.nik_debitur', 'nik') }} as nik_status,
        {{ clean_text('_raw.nama_debitur') }} as debtor_name,
        case regexp_replace({{ bank_code }}, '^(PT_)?(BANK_)?', '')
            when 'KALBAR' then 'BANK_KALBAR'
            when 'BPD_KALBAR' then 'BANK_KALBAR'
            when 'PEMBANGUNAN_DAERAH_KALIMANTAN_BARAT' then 'BANK_KALBAR'
            when 'RAKYAT_INDONESIA' then 'BRI'
            when 'NEGARA_INDONESIA' then 'BNI'
            when 'SYARIAH_INDONESIA' then 'BSI'
            else regexp_replace({{ bank_code }}, '^(PT_)?(BANK_)?', '')
        end as _bank_candidate,
        {{ valid_code(normalise_code('_raw.skema'), 'skema_kur') }} as scheme,
        {{ parse_rupiah('_raw.plafon') }} as credit_limit_idr,
        {{ parse_date('_raw.tanggal_akad') }} as contract_date,
        {{ parse_int('_raw.jangka_waktu_bulan', *bounds.tenor_months) }} as tenor_months,
        {{ valid_numeric_code('_raw.kolektibilitas', 'kolektibilitas') }} as collectibility,
        'KUR' as program_code
    from raw_rows
),

resolved as (
    select
        parsed.*,
        {{ valid_code('parsed._bank_candidate', 'bank_kur') }} as bank
    from parsed
),

{{ classified_rows('resolved', checks) }}
