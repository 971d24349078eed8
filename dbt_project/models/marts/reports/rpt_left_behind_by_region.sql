{#
  "Tidak ada warga yang tertinggal" counted per region: rpt_left_behind (one row per left-behind family) aggregated
  to the kota, each kecamatan and each kelurahan, per period, beside the extreme-poor families it is a part of. The
  family-level report never leaves the warehouse's restricted exports; this is its publishable form (open data, with
  small counts suppressed). No RW or RT rows: they describe a handful of neighbours each.
  - ekstrem_families: families of poverty_class `ekstrem` as of P (fct_family_month), placed by their RT
    (region_key -> dim_region), as in rpt_basic_needs_coverage, so both reports count the same families;
  - left_behind_families: those of them listed in rpt_left_behind for P (no assistance from any programme to the
    family or a member in the 12 months ending with P), split into never_assisted_families (no assistance recorded
    ever) and assisted_before_window_families (the last assistance is older than the window);
  - a family whose kelurahan is unknown counts in the kota row only (no kecamatan or kelurahan row can hold it).
  Rows: every period x the kota, each kecamatan and each kelurahan of dim_region, with zeros where nobody is counted.
#}
with periods as (
    select period from {{ ref('int_periods') }}
),

upper_regions as (
    {{ report_upper_regions() }}
),

families as (
    select
        ekstrem.period,
        regions.kecamatan_code,
        regions.kelurahan_code,
        left_behind.family_key is not null as is_left_behind,
        left_behind.family_key is not null and left_behind.last_assistance_date is null as is_never_assisted
    from {{ ref('fct_family_month') }} as ekstrem
    left join {{ ref('dim_region') }} as regions
        on regions.region_key = ekstrem.region_key
    left join {{ ref('rpt_left_behind') }} as left_behind
        on left_behind.period = ekstrem.period
        and left_behind.family_key = ekstrem.family_key
    where ekstrem.poverty_class = 'ekstrem'
),

aggregated as (
    select
        period,
        {{ report_region_level(['kecamatan_code', 'kelurahan_code']) }} as region_level,
        kecamatan_code,
        kelurahan_code,
        count(*) as ekstrem_families,
        sum(case when is_left_behind then 1 else 0 end) as left_behind_families,
        sum(case when is_never_assisted then 1 else 0 end) as never_assisted_families
    from families
    group by grouping sets (
        (period),
        (period, kecamatan_code),
        (period, kecamatan_code, kelurahan_code)
    )
),

counted as (
    select
        periods.period,
        upper_regions.*,
        coalesce(aggregated.ekstrem_families, 0) as ekstrem_families,
        coalesce(aggregated.left_behind_families, 0) as left_behind_families,
        coalesce(aggregated.never_assisted_families, 0) as never_assisted_families
    from periods
    cross join upper_regions
    left join aggregated
        on aggregated.period = periods.period
        and {{ report_upper_region_matches('aggregated', 'upper_regions') }}
)

select
    period,
    region_level,
    region_code,
    region_name,
    kecamatan_code,
    kecamatan_name,
    kelurahan_code,
    kelurahan_name,
    cast(ekstrem_families as bigint) as ekstrem_families,
    cast(left_behind_families as bigint) as left_behind_families,
    cast(never_assisted_families as bigint) as never_assisted_families,
    cast(left_behind_families - never_assisted_families as bigint) as assisted_before_window_families,
    {{ report_share('left_behind_families', 'ekstrem_families') }} as left_behind_share
from counted
