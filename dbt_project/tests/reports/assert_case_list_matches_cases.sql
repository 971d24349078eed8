{# pii.case_list holds exactly the rows of rpt_extreme_poverty_cases. #}
select
    coalesce(cases.period, case_list.period) as period,
    coalesce(cases.family_key, case_list.family_key) as family_key
from {{ ref('rpt_extreme_poverty_cases') }} as cases
full outer join {{ ref('case_list') }} as case_list
    on case_list.period = cases.period
    and case_list.family_key = cases.family_key
where cases.family_key is null or case_list.family_key is null
