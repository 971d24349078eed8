{#
  The case-management worklist: every extreme-poor (`ekstrem`) family in every period (pseudonymous family_key), with
  its region, desil, registry status, its unmet needs (one boolean per need and a readable list) and the agency
  responsible for each unmet need. pii.case_list adds the names, NIK, KK number and address for field officers.
#}
with families as (
    select *
    from {{ ref('fct_family_month') }}
    where poverty_class = 'ekstrem'
),

cases as (
    select
        families.period,
        families.family_key,
        families.region_key,
        families.kecamatan_code,
        regions.kecamatan_name,
        families.kelurahan_code,
        regions.kelurahan_name,
        regions.rw,
        regions.rt,
        families.desil_nasional,
        families.desil_kabupaten_kota,
        families.poverty_class,
        families.registry_status,
        families.latest_verification_outcome,
        families.latest_verification_date,
        families.snapshot_period,
        families.member_count,
        {%- for item in report_basic_needs() %}
        coalesce(families.need_{{ item.need }}, false) as need_{{ item.need }},
        coalesce(families.need_{{ item.need }}, false)
            and not coalesce(families.met_{{ item.need }}, false) as unmet_{{ item.need }}{{ ',' if not loop.last }}
        {%- endfor %}
    from families
    left join {{ ref('dim_region') }} as regions
        on regions.region_key = families.region_key
)

select
    period,
    family_key,
    region_key,
    kecamatan_code,
    kecamatan_name,
    kelurahan_code,
    kelurahan_name,
    rw,
    rt,
    desil_nasional,
    desil_kabupaten_kota,
    poverty_class,
    registry_status,
    latest_verification_outcome,
    latest_verification_date,
    snapshot_period,
    member_count,
    {%- for item in report_basic_needs() %}
    need_{{ item.need }},
    {%- endfor %}
    {%- for item in report_basic_needs() %}
    unmet_{{ item.need }},
    {%- endfor %}
    {% for item in report_basic_needs() -%}
    case when unmet_{{ item.need }} then 1 else 0 end{{ ' + ' if not loop.last }}
    {%- endfor %} as unmet_count,
    coalesce(concat_ws(', '
        {%- for item in report_basic_needs() %},
        case when unmet_{{ item.need }} then '{{ item.need }}' end
        {%- endfor %}
    ), '') as unmet_needs,
    {%- for item in report_basic_needs() %}
    case when unmet_{{ item.need }} then '{{ item.agency }}' end as agency_{{ item.need }},
    {%- endfor %}
    coalesce(concat_ws('; '
        {%- for item in report_basic_needs() %},
        case when unmet_{{ item.need }} then '{{ item.need }}: {{ item.agency }}' end
        {%- endfor %}
    ), '') as responsible_agencies
from cases
