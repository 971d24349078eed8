{#
  Every raw row of air_bersih (PDAM water connections), parsed and classified.
  The connection is keyed by no_sambungan (missing: missing_value). nik_pelanggan is the only link from the
  connection to a person and a family (the file has no KK number), so per M3 a missing or invalid one quarantines
  (invalid_nik); an Excel-damaged one keeps the connection with the customer unresolved and flagged (M1). Also quarantined: kelurahan unknown (unknown_kelurahan), a program that is written but
  neither HIBAH_MBR nor REGULER (unknown_program), tanggal_pasang (invalid_date), status outside AKTIF /
  TUTUP_SEMENTARA / PUTUS (invalid_code). golongan is optional.
#}

{%- set checks = [
    {'column': 'no_sambungan', 'required': true},
    {'column': 'nik_pelanggan', 'status': 'nik_status', 'reason': 'invalid_nik', 'required': true},
    {'column': 'kelurahan', 'value': 'kelurahan_code', 'reason': 'unknown_kelurahan', 'required': true},
    {'column': 'golongan', 'value': 'tariff_group', 'reason': 'invalid_code'},
    {'column': 'program', 'value': 'connection_program', 'reason': 'unknown_program', 'reject': true},
    {'column': 'tanggal_pasang', 'value': 'installation_date', 'reason': 'invalid_date', 'required': true},
    {'column': 'status', 'value': 'connection_status', 'reason': 'invalid_code', 'required': true},
] -%}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'air_bersih') }} as _raw
    from {{ source('raw', 'air_bersih') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        -- the connection number as written, upper case, without spaces (and without a `.0` from a numeric cell)
        {{ tkpkd_regexp_replace(
            tkpkd_regexp_replace('upper(' ~ clean_text('_raw.no_sambungan') ~ ')', "'\\s'", "''"),
            "'^(\\d+)\\.0$'", "'\\1'", every=false) }} as connection_number,
        {{ identifier_value('_raw.nik_pelanggan', 'nik') }} as nik,
        {{ identifier_status('_raw.nik_pelanggan', 'nik') }} as nik_status,
        {{ clean_text('_raw.nama_pelanggan') }} as customer_name,
        {{ clean_text('_raw.alamat') }} as address,
        {{ clean_text('_raw.kelurahan') }} as kelurahan_name_raw,
        {{ normalise_kelurahan_name('_raw.kelurahan') }} as _kelurahan_key,
        {{ valid_code(normalise_code('_raw.golongan'), 'golongan_pdam') }} as tariff_group,
        {{ normalise_program_name('_raw.program') }} as _program_key,
        {{ parse_date('_raw.tanggal_pasang') }} as installation_date,
        {{ valid_code(normalise_code('_raw.status'), 'status_sambungan') }} as connection_status
    from raw_rows
),

resolved as (
    select
        parsed.*,
        kelurahan.kelurahan_code,
        programs.canonical_value as connection_program,
        programs.program_code
    from parsed
    left join {{ ref('stg_reference__kelurahan_lookup') }} as kelurahan
        on kelurahan.alias_key = parsed._kelurahan_key
    left join {{ ref('stg_reference__program_lookup') }} as programs
        on programs.source = 'air_bersih'
        and programs.alias_key = parsed._program_key
),

{{ classified_rows('resolved', checks) }}
