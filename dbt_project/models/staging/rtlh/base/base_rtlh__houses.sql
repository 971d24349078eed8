{#
  Every raw row of rtlh (uninhabitable-house survey and renovation), parsed and classified.
  The family is keyed by its KK number: a missing or unusable one (Excel-damaged included) quarantines the row
  (invalid_kk). NIK_KEPALA_KELUARGA is required but not the key: a missing one quarantines (missing_value), an
  invalid or Excel-damaged one keeps the row with the person unresolved (nik NULL, nik_status says why). Also
  quarantined: KELURAHAN unknown (unknown_kelurahan), STATUS_RUMAH outside RTLH/LAYAK (invalid_code), and a
  KEGIATAN that is written but not a known activity (unknown_program; an empty KEGIATAN is a house only surveyed).
  RT, RW, SUMBER_DANA, TAHUN_ANGGARAN, NILAI_BANTUAN, TANGGAL_SELESAI and PROGRES_FISIK are optional (numbers
  outside their bounds, var tkpkd_bounds and parse_rupiah's: NULL with an out_of_range field warning).
#}

{%- set bounds = var('tkpkd_bounds') -%}

{%- set checks = [
    {'column': 'nik_kepala_keluarga', 'status': 'nik_status', 'reason': 'invalid_nik', 'required': true, 'reject': false},
    {'column': 'no_kk', 'status': 'kk_status', 'reason': 'invalid_kk', 'required': true},
    {'column': 'rt', 'value': 'rt', 'reason': 'invalid_number',
        'blank': is_blank('_raw.rt') ~ ' and ' ~ is_blank('_raw.rt_rw')},
    {'column': 'rw', 'value': 'rw', 'reason': 'invalid_number',
        'blank': is_blank('_raw.rw') ~ ' and ' ~ is_blank('_raw.rt_rw')},
    {'column': 'kelurahan', 'value': 'kelurahan_code', 'reason': 'unknown_kelurahan', 'required': true},
    {'column': 'status_rumah', 'value': 'house_status', 'reason': 'invalid_code', 'required': true},
    {'column': 'kegiatan', 'value': 'activity', 'reason': 'unknown_program', 'reject': true},
    {'column': 'sumber_dana', 'value': 'funding_source', 'reason': 'invalid_code'},
    {'column': 'tahun_anggaran', 'problem': parse_int_reason('_raw.tahun_anggaran', *bounds.budget_year)},
    {'column': 'nilai_bantuan', 'problem': parse_rupiah_reason('_raw.nilai_bantuan')},
    {'column': 'tanggal_selesai', 'value': 'completion_date', 'reason': 'invalid_date'},
    {'column': 'progres_fisik', 'problem': parse_decimal_reason('_raw.progres_fisik', *bounds.physical_progress_pct)},
] -%}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'rtlh') }} as _raw
    from {{ source('raw', 'rtlh') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        {{ identifier_value('_raw.nik_kepala_keluarga', 'nik') }} as nik,
        {{ identifier_status('_raw.nik_kepala_keluarga', 'nik') }} as nik_status,
        {{ identifier_value('_raw.no_kk', 'kk') }} as kk_number,
        {{ identifier_status('_raw.no_kk', 'kk') }} as kk_status,
        {{ clean_text('_raw.nama') }} as head_of_family_name,
        {{ clean_text('_raw.alamat') }} as address,
        coalesce({{ parse_rt('_raw.rt') }}, {{ parse_rt('_raw.rt_rw') }}) as rt,
        coalesce({{ parse_rw('_raw.rw') }}, {{ parse_rw('_raw.rt_rw') }}) as rw,
        {{ clean_text('_raw.kelurahan') }} as kelurahan_name_raw,
        {{ normalise_kelurahan_name('_raw.kelurahan') }} as _kelurahan_key,
        {{ valid_code(normalise_code('_raw.status_rumah'), 'status_rumah') }} as house_status,
        {{ normalise_program_name('_raw.kegiatan') }} as _activity_key,
        {{ valid_code(normalise_code('_raw.sumber_dana'), 'sumber_dana') }} as funding_source,
        {{ parse_int('_raw.tahun_anggaran', *bounds.budget_year) }} as budget_year,
        {{ parse_rupiah('_raw.nilai_bantuan') }} as amount_idr,
        {{ parse_date('_raw.tanggal_selesai') }} as completion_date,
        {{ parse_decimal('_raw.progres_fisik', *bounds.physical_progress_pct) }} as physical_progress_pct
    from raw_rows
),

resolved as (
    select
        parsed.*,
        kelurahan.kelurahan_code,
        programs.canonical_value as activity,
        programs.program_code
    from parsed
    left join {{ ref('stg_reference__kelurahan_lookup') }} as kelurahan
        on kelurahan.alias_key = parsed._kelurahan_key
    left join {{ ref('stg_reference__program_lookup') }} as programs
        on programs.source = 'rtlh'
        and programs.alias_key = parsed._activity_key
),

{{ classified_rows('resolved', checks) }}
