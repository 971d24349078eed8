{#
  Every raw row of dukcapil (the population register, SIAK export), parsed and classified.
  Quarantined: a missing or unusable NIK (the person key; invalid_nik), a missing KK number, name, sex
  (LAKI-LAKI/PEREMPUAN, invalid_code), birth date (invalid_date) or STATUS (HIDUP/MATI/PINDAH, invalid_code).
  A KK number that is present but Excel-damaged or invalid keeps the row: kk_number NULL, kk_status says why.
  The kelurahan comes from the Kemendagri code parts (NO_PROP.NO_KAB.NO_KEC.NO_KEL), else from NAMA_KEL through the
  alias table; it is optional here, so an unknown one is a warning, not a quarantine. TGL_MATI is optional: an
  unparseable one is NULL with a warning.
#}

{%- set checks = [
    {'column': 'nik', 'status': 'nik_status', 'reason': 'invalid_nik', 'required': true},
    {'column': 'no_kk', 'status': 'kk_status', 'reason': 'invalid_kk', 'required': true, 'reject': false},
    {'column': 'nama_lgkp', 'required': true},
    {'column': 'jenis_klmin', 'value': 'sex', 'reason': 'invalid_code', 'required': true},
    {'column': 'tgl_lhr', 'value': 'birth_date', 'reason': 'invalid_date', 'required': true},
    {'column': 'no_kel', 'value': 'kelurahan_code', 'reason': 'unknown_kelurahan',
        'blank': is_blank('_raw.no_kel') ~ ' and ' ~ is_blank('_raw.nama_kel')},
    {'column': 'no_rw', 'value': 'rw', 'reason': 'invalid_number',
        'blank': is_blank('_raw.no_rw') ~ ' and ' ~ is_blank('_raw.rt_rw')},
    {'column': 'no_rt', 'value': 'rt', 'reason': 'invalid_number',
        'blank': is_blank('_raw.no_rt') ~ ' and ' ~ is_blank('_raw.rt_rw')},
    {'column': 'status', 'value': 'population_status', 'reason': 'invalid_code', 'required': true},
    {'column': 'tgl_mati', 'value': 'death_date', 'reason': 'invalid_date'},
] -%}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'dukcapil') }} as _raw
    from {{ source('raw', 'dukcapil') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        {{ identifier_value('_raw.nik', 'nik') }} as nik,
        {{ identifier_status('_raw.nik', 'nik') }} as nik_status,
        {{ identifier_value('_raw.no_kk', 'kk') }} as kk_number,
        {{ identifier_status('_raw.no_kk', 'kk') }} as kk_status,
        {{ clean_text('_raw.nama_lgkp') }} as full_name,
        {{ parse_sex('_raw.jenis_klmin') }} as sex,
        {{ clean_text('_raw.tmpt_lhr') }} as birth_place,
        {{ parse_date('_raw.tgl_lhr') }} as birth_date,
        -- `61`, `71`, `1`, `1002` -> 61.71.01.1002 (each part may also come as `1.0` from a numeric cell)
        cast({{ parse_int('_raw.no_prop') }} as {{ dbt.type_string() }}) || '.'
            || cast({{ parse_int('_raw.no_kab') }} as {{ dbt.type_string() }}) || '.'
            || lpad(cast({{ parse_int('_raw.no_kec') }} as {{ dbt.type_string() }}), 2, '0') || '.'
            || cast({{ parse_int('_raw.no_kel') }} as {{ dbt.type_string() }}) as _kelurahan_code_from_parts,
        {{ clean_text('_raw.nama_kel') }} as kelurahan_name_raw,
        {{ normalise_kelurahan_name('_raw.nama_kel') }} as _kelurahan_key,
        coalesce({{ parse_rw('_raw.no_rw') }}, {{ parse_rw('_raw.rt_rw') }}) as rw,
        coalesce({{ parse_rt('_raw.no_rt') }}, {{ parse_rt('_raw.rt_rw') }}) as rt,
        {{ clean_text('_raw.alamat') }} as address,
        {{ normalise_code('_raw.stat_hbkel') }} as family_relationship,
        {{ valid_code(normalise_code('_raw.status'), 'status_kependudukan') }} as population_status,
        {{ parse_date('_raw.tgl_mati') }} as death_date
    from raw_rows
),

resolved as (
    select
        parsed.*,
        coalesce(regions.region_code, kelurahan.kelurahan_code) as kelurahan_code
    from parsed
    left join {{ ref('ref_regions') }} as regions
        on regions.region_code = parsed._kelurahan_code_from_parts
        and regions.region_level = 'kelurahan'
    left join {{ ref('stg_reference__kelurahan_lookup') }} as kelurahan
        on kelurahan.alias_key = parsed._kelurahan_key
),

{{ classified_rows('resolved', checks) }}
