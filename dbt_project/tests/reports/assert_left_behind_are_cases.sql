{# Every left-behind family is an ekstrem case of the same period (rpt_left_behind is a subset of the worklist). #}
select left_behind.period, left_behind.family_key
from {{ ref('rpt_left_behind') }} as left_behind
left join {{ ref('rpt_extreme_poverty_cases') }} as cases
    on cases.period = left_behind.period
    and cases.family_key = left_behind.family_key
where cases.family_key is null
