{#
  rpt_left_behind_by_region agrees with what it aggregates: the kota row counts every row of rpt_left_behind of the
  period and every ekstrem family of fct_family_month; each kecamatan row is the sum of its kelurahan rows; its
  ekstrem_families are rpt_basic_needs_coverage's (any need: the count is the same for every need).
#}
with by_region as (
    select * from {{ ref('rpt_left_behind_by_region') }}
),

left_behind as (
    select period, count(*) as families from {{ ref('rpt_left_behind') }} group by period
),

ekstrem as (
    select period, count(*) as families
    from {{ ref('fct_family_month') }}
    where poverty_class = 'ekstrem'
    group by period
),

kelurahan_sums as (
    select
        period,
        kecamatan_code,
        sum(ekstrem_families) as ekstrem_families,
        sum(left_behind_families) as left_behind_families,
        sum(never_assisted_families) as never_assisted_families
    from by_region
    where region_level = 'kelurahan'
    group by period, kecamatan_code
)

select by_region.period, by_region.region_code, 'kota differs from rpt_left_behind / fct_family_month' as problem
from by_region
left join left_behind on left_behind.period = by_region.period
left join ekstrem on ekstrem.period = by_region.period
where by_region.region_level = 'kota'
    and (by_region.left_behind_families <> coalesce(left_behind.families, 0)
        or by_region.ekstrem_families <> coalesce(ekstrem.families, 0))
union all
select by_region.period, by_region.region_code, 'kecamatan is not the sum of its kelurahan'
from by_region
inner join kelurahan_sums
    on kelurahan_sums.period = by_region.period
    and kelurahan_sums.kecamatan_code = by_region.kecamatan_code
where by_region.region_level = 'kecamatan'
    and (by_region.ekstrem_families <> kelurahan_sums.ekstrem_families
        or by_region.left_behind_families <> kelurahan_sums.left_behind_families
        or by_region.never_assisted_families <> kelurahan_sums.never_assisted_families)
union all
select by_region.period, by_region.region_code, 'ekstrem_families differs from rpt_basic_needs_coverage'
from by_region
inner join {{ ref('rpt_basic_needs_coverage') }} as coverage
    on coverage.period = by_region.period
    and coverage.region_level = by_region.region_level
    and coverage.region_code = by_region.region_code
    and coverage.need = 'pangan'
where coverage.ekstrem_families <> by_region.ekstrem_families
