{#
  One RT (kelurahan + RW + RT) with its kecamatan and kelurahan (codes and official 2025 names from ref_regions),
  from every kelurahan + RW + RT seen in the registry and in the sources that place people or deliveries
  (dtsen_keluarga, verifikasi_kelurahan, rtlh, sanitasi, dukcapil). RT and RW numbers repeat across kelurahan, so an
  RT is always the triple. Plus one row per kelurahan (all 29, region_level `kelurahan`, rw and rt NULL) for facts
  that know the kelurahan but not the RT (e.g. a bansos, mitra or PDAM row of a family outside the registry).
  region_key = md5 of `kelurahan_code|rw|rt` (`kelurahan_code||` for the kelurahan rows).
#}
with seen as (
    select kelurahan_code, rw, rt from {{ ref('stg_dtsen__families') }}
    union
    select kelurahan_code, rw, rt from {{ ref('stg_verifikasi__verifications') }}
    union
    select kelurahan_code, rw, rt from {{ ref('stg_rtlh__houses') }}
    union
    select kelurahan_code, rw, rt from {{ ref('stg_sanitasi__assistance') }}
    union
    select kelurahan_code, rw, rt from {{ ref('stg_dukcapil__residents') }}
),

kelurahan as (
    select
        kelurahan.region_code as kelurahan_code,
        kelurahan.region_name as kelurahan_name,
        kecamatan.region_code as kecamatan_code,
        kecamatan.region_name as kecamatan_name
    from {{ ref('ref_regions') }} as kelurahan
    inner join {{ ref('ref_regions') }} as kecamatan
        on kecamatan.region_code = kelurahan.parent_code
    where kelurahan.region_level = 'kelurahan'
),

regions as (
    select distinct kelurahan_code, rw, rt, 'rt' as region_level
    from seen
    where kelurahan_code is not null and rw is not null and rt is not null
    union all
    select kelurahan_code, cast(null as integer) as rw, cast(null as integer) as rt, 'kelurahan' as region_level
    from kelurahan
)

select
    {{ tkpkd_region_key('regions.kelurahan_code', 'regions.rw', 'regions.rt') }} as region_key,
    regions.region_level,
    kelurahan.kecamatan_code,
    kelurahan.kecamatan_name,
    kelurahan.kelurahan_code,
    kelurahan.kelurahan_name,
    regions.rw,
    regions.rt
from regions
inner join kelurahan
    on kelurahan.kelurahan_code = regions.kelurahan_code
