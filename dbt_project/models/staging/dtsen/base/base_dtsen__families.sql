{#
  Every raw row of dtsen_keluarga (families of the DTSEN registry), parsed and classified.
  Quarantined: a missing or invalid KK number (the only key of the row: invalid_kk; an Excel-damaged one keeps the
  row with the family unresolved and flagged); a BPS kecamatan code outside the crosswalk (invalid_code); a kelurahan name that matches no
  kelurahan of that kecamatan (unknown_kelurahan); a missing or unparseable RT, RW (invalid_number) or desil_nasional
  (1-10, invalid_number). Optional columns that do not parse or lie outside their bounds (var tkpkd_bounds:
  out_of_range) become NULL and are named in _field_warnings.
#}

{%- set bounds = var('tkpkd_bounds') -%}

{%- set codes = [
    ('status_kepemilikan_rumah', 'home_ownership_code'),
    ('jenis_lantai_terluas', 'floor_type_code'),
    ('jenis_dinding_terluas', 'wall_type_code'),
    ('jenis_atap_terluas', 'roof_type_code'),
    ('sumber_air_minum_utama', 'drinking_water_source_code'),
    ('fasilitas_bab', 'toilet_facility_code'),
    ('jenis_kloset', 'toilet_type_code'),
    ('pembuangan_akhir_tinja', 'sewage_disposal_code'),
    ('sumber_penerangan_utama', 'lighting_source_code'),
    ('bahan_bakar_utama_memasak', 'cooking_fuel_code'),
] -%}
{%- set checks = [
    {'column': 'nomor_kartu_keluarga', 'status': 'kk_status', 'reason': 'invalid_kk', 'required': true},
    {'column': 'kode_kecamatan', 'value': 'kecamatan_code', 'reason': 'invalid_code', 'required': true},
    {'column': 'kelurahan_desa', 'value': 'kelurahan_code', 'reason': 'unknown_kelurahan', 'required': true},
    {'column': 'rw', 'value': 'rw', 'reason': 'invalid_number', 'required': true,
        'blank': is_blank('_raw.rw') ~ ' and ' ~ is_blank('_raw.rt_rw')},
    {'column': 'rt', 'value': 'rt', 'reason': 'invalid_number', 'required': true,
        'blank': is_blank('_raw.rt') ~ ' and ' ~ is_blank('_raw.rt_rw')},
    {'column': 'desil_nasional', 'value': 'desil_nasional', 'reason': 'invalid_number', 'required': true},
    {'column': 'jumlah_anggota_keluarga', 'problem': parse_int_reason('_raw.jumlah_anggota_keluarga', *bounds.member_count)},
    {'column': 'desil_kabupaten_kota', 'value': 'desil_kabupaten_kota', 'reason': 'invalid_number'},
    {'column': 'luas_lantai', 'problem': parse_decimal_reason('_raw.luas_lantai', *bounds.floor_area_m2)},
] -%}
{%- for raw_column, column in codes -%}
    {%- do checks.append({'column': raw_column, 'value': column, 'reason': 'invalid_code'}) -%}
{%- endfor %}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'dtsen_keluarga') }} as _raw
    from {{ source('raw', 'dtsen_keluarga') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        {{ identifier_value('_raw.nomor_kartu_keluarga', 'kk') }} as kk_number,
        {{ identifier_status('_raw.nomor_kartu_keluarga', 'kk') }} as kk_status,
        {{ tkpkd_regexp_replace(
            tkpkd_regexp_replace(clean_text('_raw.kode_kecamatan'), "'[.,]0+$'", "''", every=false),
            "'\\s'", "''") }} as kecamatan_code_bps,
        {{ clean_text('_raw.kecamatan') }} as kecamatan_name_raw,
        {{ clean_text('_raw.kelurahan_desa') }} as kelurahan_name_raw,
        {{ normalise_kelurahan_name('_raw.kelurahan_desa') }} as _kelurahan_key,
        coalesce({{ parse_rw('_raw.rw') }}, {{ parse_rw('_raw.rt_rw') }}) as rw,
        coalesce({{ parse_rt('_raw.rt') }}, {{ parse_rt('_raw.rt_rw') }}) as rt,
        {{ clean_text('_raw.alamat') }} as address,
        {{ parse_int('_raw.jumlah_anggota_keluarga', *bounds.member_count) }} as member_count,
        {{ clean_text('_raw.nama_kepala_keluarga') }} as head_of_family_name,
        {{ valid_numeric_code('_raw.desil_nasional', 'desil') }} as desil_nasional,
        {{ valid_numeric_code('_raw.desil_kabupaten_kota', 'desil') }} as desil_kabupaten_kota,
        {{ parse_decimal('_raw.luas_lantai', *bounds.floor_area_m2) }} as floor_area_m2,
        {%- for raw_column, column in codes %}
        {{ valid_numeric_code('_raw.' ~ raw_column, raw_column) }} as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from raw_rows
),

resolved as (
    select
        parsed.*,
        crosswalk.kode_dagri_dotted as kecamatan_code,
        kelurahan.kelurahan_code
    from parsed
    left join {{ ref('ref_kecamatan_bps') }} as crosswalk
        on crosswalk.kode_bps = parsed.kecamatan_code_bps
    left join {{ ref('stg_reference__kelurahan_lookup') }} as kelurahan
        on kelurahan.alias_key = parsed._kelurahan_key
        and kelurahan.kecamatan_code = crosswalk.kode_dagri_dotted
),

{{ classified_rows('resolved', checks) }}
