{#
  Every raw row of mitra (pentahelix partner programmes), parsed and classified.
  Quarantined: a missing NAMA_LEMBAGA or NAMA_PROGRAM, SEKTOR outside the five pentahelix sectors (invalid_code),
  KATEGORI not in ref_program_aliases (unknown_program: it decides the programme MITRA_<KATEGORI>), a missing or
  unusable NIK_PENERIMA (the person key; an Excel-damaged one keeps the row unresolved: nik NULL, flagged in _field_warnings), TANGGAL (invalid_date). NO_KK,
  KELURAHAN and NILAI are optional.
#}

{%- set checks = [
    {'column': 'nama_lembaga', 'required': true},
    {'column': 'sektor', 'value': 'partner_sector', 'reason': 'invalid_code', 'required': true},
    {'column': 'nama_program', 'required': true},
    {'column': 'kategori', 'value': 'category', 'reason': 'unknown_program', 'required': true},
    {'column': 'nik_penerima', 'status': 'nik_status', 'reason': 'invalid_nik', 'required': true},
    {'column': 'no_kk', 'status': 'kk_status', 'reason': 'invalid_kk'},
    {'column': 'kelurahan', 'value': 'kelurahan_code', 'reason': 'unknown_kelurahan'},
    {'column': 'nilai', 'problem': parse_rupiah_reason('_raw.nilai')},
    {'column': 'tanggal', 'value': 'delivery_date', 'reason': 'invalid_date', 'required': true},
] -%}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'mitra') }} as _raw
    from {{ source('raw', 'mitra') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        {{ clean_text('_raw.nama_lembaga') }} as partner_name,
        {{ valid_code(normalise_code('_raw.sektor'), 'sektor_pentahelix') }} as partner_sector,
        {{ clean_text('_raw.nama_program') }} as partner_program_name,
        {{ normalise_program_name('_raw.nama_program') }} as partner_program_key,
        {{ normalise_program_name('_raw.kategori') }} as _category_key,
        {{ identifier_value('_raw.nik_penerima', 'nik') }} as nik,
        {{ identifier_status('_raw.nik_penerima', 'nik') }} as nik_status,
        {{ identifier_value('_raw.no_kk', 'kk') }} as kk_number,
        {{ identifier_status('_raw.no_kk', 'kk') }} as kk_status,
        {{ clean_text('_raw.nama_penerima') }} as recipient_name,
        {{ clean_text('_raw.kelurahan') }} as kelurahan_name_raw,
        {{ normalise_kelurahan_name('_raw.kelurahan') }} as _kelurahan_key,
        {{ parse_rupiah('_raw.nilai') }} as amount_idr,
        {{ parse_date('_raw.tanggal') }} as delivery_date
    from raw_rows
),

resolved as (
    select
        parsed.*,
        programs.canonical_value as category,
        programs.program_code,
        kelurahan.kelurahan_code
    from parsed
    left join {{ ref('stg_reference__program_lookup') }} as programs
        on programs.source = 'mitra'
        and programs.alias_key = parsed._category_key
    left join {{ ref('stg_reference__kelurahan_lookup') }} as kelurahan
        on kelurahan.alias_key = parsed._kelurahan_key
),

{{ classified_rows('resolved', checks) }}
