{#
  A membership programme is a benefit every month it is active: fct_assistance holds one PBI row per member and
  period (never two, even with two PBI cards), dated the last day of the period, with a known member.
#}
select
    person_key,
    period,
    count(*) as rows_for_member_period,
    min(delivered_on) as first_date,
    max(delivered_on) as last_date
from {{ ref('fct_assistance') }}
where program_kind = 'membership'
group by person_key, period
having count(*) > 1
    or person_key is null
    or max(delivered_on) <> min(delivered_on)
    or min(delivered_on) <> last_day(min(delivered_on))
    or {{ tkpkd_period_of('min(delivered_on)') }} <> period
