{#
  DTSEN families, one row per KK number and period (snapshot source: the newest delivered file of the period wins).
  The family's location is the kelurahan matched from the BPS kecamatan code + kelurahan name, with RW and RT.
#}
with {{ dedupe_ranked('base_dtsen__families', ['kk_number'], 'snapshot') }}

select
    kk_number,
    kk_status,
    kecamatan_code,
    kecamatan_code_bps,
    kelurahan_code,
    kelurahan_name_raw,
    rw,
    rt,
    address,
    head_of_family_name,
    member_count,
    desil_nasional,
    desil_kabupaten_kota,
    home_ownership_code,
    floor_area_m2,
    floor_type_code,
    wall_type_code,
    roof_type_code,
    drinking_water_source_code,
    toilet_facility_code,
    toilet_type_code,
    sewage_disposal_code,
    lighting_source_code,
    cooking_fuel_code,
    _field_warnings,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _file_modified_at
from ranked
where _dedup_rank = 1
