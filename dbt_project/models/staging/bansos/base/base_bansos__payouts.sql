{#
  Every raw row of bansos (social assistance payouts), parsed and classified. The JUMLAH total row and empty rows
  are non-data (flagged by the loader).
  Quarantined: a missing or unusable NIK (the person key; an Excel-damaged one keeps the row unresolved: nik NULL, flagged in _field_warnings); a missing name; a
  PROGRAM not in ref_program_aliases (unknown_program); a blank TAHAP, or one without a letter or digit (`-`:
  missing_value; any written TAHAP is a label, normalised by parse_tahap, never refused for its form); a NILAI
  that does not parse as rupiah (invalid_amount) or lies beyond parse_rupiah's bound (out_of_range); TANGGAL_SALUR
  (invalid_date); STATUS outside SALUR/GAGAL/RETUR (invalid_code). NO_KK and KELURAHAN are optional: unusable
  values become NULL (kk_status / _field_warnings).
#}

{%- set checks = [
    {'column': 'nik', 'status': 'nik_status', 'reason': 'invalid_nik', 'required': true},
    {'column': 'no_kk', 'status': 'kk_status', 'reason': 'invalid_kk'},
    {'column': 'nama_penerima', 'required': true},
    {'column': 'kelurahan', 'value': 'kelurahan_code', 'reason': 'unknown_kelurahan'},
    {'column': 'program', 'value': 'program_code', 'reason': 'unknown_program', 'required': true},
    {'column': 'tahap', 'value': 'tahap', 'reason': 'missing_value', 'required': true},
    {'column': 'nilai', 'problem': parse_rupiah_reason('_raw.nilai'), 'required': true},
    {'column': 'tanggal_salur', 'value': 'payout_date', 'reason': 'invalid_date', 'required': true},
    {'column': 'status', 'value': 'payout_status', 'reason': 'invalid_code', 'required': true},
] -%}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'bansos') }} as _raw
    from {{ source('raw', 'bansos') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        {{ identifier_value('_raw.nik', 'nik') }} as nik,
        {{ identifier_status('_raw.nik', 'nik') }} as nik_status,
        {{ identifier_value('_raw.no_kk', 'kk') }} as kk_number,
        {{ identifier_status('_raw.no_kk', 'kk') }} as kk_status,
        {{ clean_text('_raw.nama_penerima') }} as recipient_name,
        {{ clean_text('_raw.alamat') }} as address,
        {{ clean_text('_raw.kelurahan') }} as kelurahan_name_raw,
        {{ normalise_kelurahan_name('_raw.kelurahan') }} as _kelurahan_key,
        {{ clean_text('_raw.program') }} as program_name_raw,
        {{ normalise_program_name('_raw.program') }} as _program_key,
        {{ parse_tahap('_raw.tahap') }} as tahap,
        {{ parse_rupiah('_raw.nilai') }} as amount_idr,
        {{ parse_date('_raw.tanggal_salur') }} as payout_date,
        {{ valid_code(normalise_code('_raw.status'), 'status_salur') }} as payout_status
    from raw_rows
),

resolved as (
    select
        parsed.*,
        cast(extract(year from parsed.payout_date) as integer) as payout_year,
        kelurahan.kelurahan_code,
        programs.program_code
    from parsed
    left join {{ ref('stg_reference__kelurahan_lookup') }} as kelurahan
        on kelurahan.alias_key = parsed._kelurahan_key
    left join {{ ref('stg_reference__program_lookup') }} as programs
        on programs.source = 'bansos'
        and programs.alias_key = parsed._program_key
),

{{ classified_rows('resolved', checks) }}
