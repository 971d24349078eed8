{#
  Coverage of the six basic needs among extreme-poor (`ekstrem`) families, per period, region and need, at five
  region levels (kota, kecamatan, kelurahan, rw, rt). coverage = met / need (NULL when no family has the need).
  Rows: every period x need for the kota, each kecamatan and each kelurahan of dim_region (zeros where no ekstrem
  family lives); rw and rt rows only where at least one ekstrem family lives in the period.
#}
with periods as (
    select period from {{ ref('int_periods') }}
),

needs as (
    {{ report_basic_needs_relation() }}
),

regions as (
    select region_key, kecamatan_code, kecamatan_name, kelurahan_code, kelurahan_name, rw, rt
    from {{ ref('dim_region') }}
),

ekstrem_families as (
    select
        families.period,
        families.family_key,
        families.region_key,
        regions.kecamatan_code,
        regions.kelurahan_code,
        regions.rw,
        {%- for item in report_basic_needs() %}
        coalesce(families.need_{{ item.need }}, false) as need_{{ item.need }},
        coalesce(families.need_{{ item.need }}, false)
            and coalesce(families.met_{{ item.need }}, false) as met_{{ item.need }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('fct_family_month') }} as families
    left join regions
        on regions.region_key = families.region_key
    where families.poverty_class = 'ekstrem'
),

family_needs as (
    select
        ekstrem_families.period,
        ekstrem_families.kecamatan_code,
        ekstrem_families.kelurahan_code,
        ekstrem_families.rw,
        ekstrem_families.region_key,
        needs.need,
        {{ report_need_column('needs.need', 'need_', 'ekstrem_families') }} as has_need,
        {{ report_need_column('needs.need', 'met_', 'ekstrem_families') }} as has_met
    from ekstrem_families
    cross join needs
),

aggregated as (
    select
        period,
        need,
        {{ report_region_level(['kecamatan_code', 'kelurahan_code', 'rw', 'region_key']) }} as region_level,
        kecamatan_code,
        kelurahan_code,
        rw,
        region_key,
        count(*) as ekstrem_families,
        sum(case when has_need then 1 else 0 end) as need_families,
        sum(case when has_met then 1 else 0 end) as met_families
    from family_needs
    group by grouping sets (
        (period, need),
        (period, need, kecamatan_code),
        (period, need, kecamatan_code, kelurahan_code),
        (period, need, kecamatan_code, kelurahan_code, rw),
        (period, need, kecamatan_code, kelurahan_code, rw, region_key)
    )
),

-- Every kota, kecamatan and kelurahan row, whether or not an ekstrem family lives there.
upper_levels as (
    select
        upper_regions.region_level,
        upper_regions.region_code,
        upper_regions.region_name,
        cast(null as string) as region_key,
        upper_regions.kecamatan_code,
        upper_regions.kecamatan_name,
        upper_regions.kelurahan_code,
        upper_regions.kelurahan_name,
        cast(null as integer) as rw,
        cast(null as integer) as rt
    from ({{ report_upper_regions() }}) as upper_regions
),

upper_rows as (
    select
        periods.period,
        upper_levels.*,
        needs.need,
        coalesce(aggregated.ekstrem_families, 0) as ekstrem_families,
        coalesce(aggregated.need_families, 0) as need_families,
        coalesce(aggregated.met_families, 0) as met_families
    from periods
    cross join upper_levels
    cross join needs
    left join aggregated
        on aggregated.period = periods.period
        and aggregated.need = needs.need
        and {{ report_upper_region_matches('aggregated', 'upper_levels') }}
),

rw_names as (
    select distinct kecamatan_code, kecamatan_name, kelurahan_code, kelurahan_name, rw
    from regions
),

lower_rows as (
    select
        aggregated.period,
        'rw' as region_level,
        aggregated.kelurahan_code || '.RW' || lpad(cast(aggregated.rw as string), 3, '0') as region_code,
        rw_names.kelurahan_name || ' RW ' || lpad(cast(aggregated.rw as string), 3, '0') as region_name,
        cast(null as string) as region_key,
        rw_names.kecamatan_code,
        rw_names.kecamatan_name,
        rw_names.kelurahan_code,
        rw_names.kelurahan_name,
        aggregated.rw,
        cast(null as integer) as rt,
        aggregated.need,
        aggregated.ekstrem_families,
        aggregated.need_families,
        aggregated.met_families
    from aggregated
    inner join rw_names
        on rw_names.kelurahan_code = aggregated.kelurahan_code
        and rw_names.rw = aggregated.rw
    where aggregated.region_level = 'rw'
        and aggregated.rw is not null
    union all
    select
        aggregated.period,
        'rt',
        regions.kelurahan_code || '.RW' || lpad(cast(regions.rw as string), 3, '0')
            || '.RT' || lpad(cast(regions.rt as string), 3, '0'),
        regions.kelurahan_name || ' RW ' || lpad(cast(regions.rw as string), 3, '0')
            || ' RT ' || lpad(cast(regions.rt as string), 3, '0'),
        regions.region_key,
        regions.kecamatan_code,
        regions.kecamatan_name,
        regions.kelurahan_code,
        regions.kelurahan_name,
        regions.rw,
        regions.rt,
        aggregated.need,
        aggregated.ekstrem_families,
        aggregated.need_families,
        aggregated.met_families
    from aggregated
    inner join regions
        on regions.region_key = aggregated.region_key
    where aggregated.region_level = 'rt'
        and regions.rw is not null
        and regions.rt is not null
),

all_rows as (
    select
        period, region_level, region_code, region_name, region_key, kecamatan_code, kecamatan_name,
        kelurahan_code, kelurahan_name, rw, rt, need, ekstrem_families, need_families, met_families
    from upper_rows
    union all
    select
        period, region_level, region_code, region_name, region_key, kecamatan_code, kecamatan_name,
        kelurahan_code, kelurahan_name, rw, rt, need, ekstrem_families, need_families, met_families
    from lower_rows
)

select
    all_rows.period,
    all_rows.region_level,
    all_rows.region_code,
    all_rows.region_name,
    all_rows.region_key,
    all_rows.kecamatan_code,
    all_rows.kecamatan_name,
    all_rows.kelurahan_code,
    all_rows.kelurahan_name,
    all_rows.rw,
    all_rows.rt,
    all_rows.need,
    needs.responsible_agency,
    needs.responsible_agency_code,
    cast(all_rows.ekstrem_families as bigint) as ekstrem_families,
    cast(all_rows.need_families as bigint) as need_families,
    cast(all_rows.met_families as bigint) as met_families,
    cast(all_rows.need_families - all_rows.met_families as bigint) as unmet_families,
    {{ report_share('all_rows.met_families', 'all_rows.need_families') }} as coverage
from all_rows
inner join needs
    on needs.need = all_rows.need
