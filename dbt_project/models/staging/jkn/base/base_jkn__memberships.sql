{#
  Every raw row of jkn (JKN memberships from BPJS Kesehatan), parsed and classified.
  Quarantined: a missing or unusable NOKA (13 digits; the membership key: invalid_number), a missing or unusable NIK
  (the person whose membership it is; an Excel-damaged one keeps the row unresolved: nik NULL, flagged in _field_warnings), a SEGMEN not in ref_program_aliases
  (unknown_program), STATUS_PESERTA outside AKTIF/NONAKTIF (invalid_code), TMT (invalid_date). NAMA, TGL_LAHIR and
  KELAS (1-3, var tkpkd_bounds) are optional. program_code is PBI_APBN / PBI_APBD for the state-paid segments and NULL for PBPU, PPU, BP.
#}

{%- set bounds = var('tkpkd_bounds') -%}
{%- set checks = [
    {'column': 'noka', 'status': 'noka_status', 'reason': 'invalid_number', 'required': true},
    {'column': 'nik', 'status': 'nik_status', 'reason': 'invalid_nik', 'required': true},
    {'column': 'tgl_lahir', 'value': 'birth_date', 'reason': 'invalid_date'},
    {'column': 'segmen', 'value': 'segment', 'reason': 'unknown_program', 'required': true},
    {'column': 'status_peserta', 'value': 'membership_status', 'reason': 'invalid_code', 'required': true},
    {'column': 'tmt', 'value': 'coverage_start_date', 'reason': 'invalid_date', 'required': true},
    {'column': 'kelas', 'problem': parse_small_number_reason('_raw.kelas', *bounds.care_class)},
] -%}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'jkn') }} as _raw
    from {{ source('raw', 'jkn') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        {{ identifier_value('_raw.noka', 'noka') }} as noka,
        {{ identifier_status('_raw.noka', 'noka') }} as noka_status,
        {{ identifier_value('_raw.nik', 'nik') }} as nik,
        {{ identifier_status('_raw.nik', 'nik') }} as nik_status,
        {{ clean_text('_raw.nama') }} as full_name,
        {{ parse_date('_raw.tgl_lahir') }} as birth_date,
        {{ normalise_program_name('_raw.segmen') }} as _segment_key,
        {{ valid_code(normalise_code('_raw.status_peserta'), 'status_peserta_jkn') }} as membership_status,
        {{ parse_date('_raw.tmt') }} as coverage_start_date,
        {{ parse_small_number('_raw.kelas', *bounds.care_class) }} as care_class
    from raw_rows
),

resolved as (
    select
        parsed.*,
        programs.canonical_value as segment,
        programs.program_code
    from parsed
    left join {{ ref('stg_reference__program_lookup') }} as programs
        on programs.source = 'jkn'
        and programs.alias_key = parsed._segment_key
),

{{ classified_rows('resolved', checks) }}
