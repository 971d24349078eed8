{#
  rpt_basic_needs_coverage and rpt_extreme_poverty_cases describe the same ekstrem families: per period, the kota
  row counts every case, and per kelurahan and need the unmet families equal the cases with that need unmet.
  Returns the disagreeing (period, level, region, need) rows.
#}
with cases as (
    select * from {{ ref('rpt_extreme_poverty_cases') }}
),

case_needs as (
    {%- for item in report_basic_needs() %}
    select period, kelurahan_code, '{{ item.need }}' as need, unmet_{{ item.need }} as is_unmet
    from cases
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

case_counts as (
    select period, 'kelurahan' as region_level, kelurahan_code as region_code, need,
        count(*) as ekstrem_families, sum(case when is_unmet then 1 else 0 end) as unmet_families
    from case_needs
    where kelurahan_code is not null
    group by period, kelurahan_code, need
    union all
    select period, 'kota', null, need, count(*), sum(case when is_unmet then 1 else 0 end)
    from case_needs
    group by period, need
),

coverage as (
    select period, region_level, case when region_level = 'kota' then null else region_code end as region_code, need,
        ekstrem_families, unmet_families
    from {{ ref('rpt_basic_needs_coverage') }}
    where region_level in ('kota', 'kelurahan')
)

select
    coalesce(coverage.period, case_counts.period) as period,
    coalesce(coverage.region_level, case_counts.region_level) as region_level,
    coalesce(coverage.region_code, case_counts.region_code) as region_code,
    coalesce(coverage.need, case_counts.need) as need,
    coverage.ekstrem_families as coverage_ekstrem_families,
    case_counts.ekstrem_families as case_ekstrem_families,
    coverage.unmet_families as coverage_unmet_families,
    case_counts.unmet_families as case_unmet_families
from coverage
full outer join case_counts
    on case_counts.period = coverage.period
    and case_counts.region_level = coverage.region_level
    and case_counts.region_code is not distinct from coverage.region_code
    and case_counts.need = coverage.need
where coalesce(coverage.ekstrem_families, 0) <> coalesce(case_counts.ekstrem_families, 0)
    or coalesce(coverage.unmet_families, 0) <> coalesce(case_counts.unmet_families, 0)
