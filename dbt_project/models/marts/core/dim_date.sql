{#
  One calendar day, covering every reporting period and every fact date, extended to whole calendar years
  (1 January of the first year to 31 December of the last). date_key = yyyymmdd as INTEGER. The fact dates are
  read from int_assistance_deliveries, the rows of fct_assistance, so the dimension is built before the per-period
  facts that join it.
#}
with bounds as (
    select
        least(
            (select min(delivered_on) from {{ ref('int_assistance_deliveries') }}),
            (select min(period_start) from {{ ref('int_periods') }})
        ) as first_date,
        greatest(
            (select max(delivered_on) from {{ ref('int_assistance_deliveries') }}),
            (select max(period_end) from {{ ref('int_periods') }})
        ) as last_date
),

days as (
    select cast(spine.day as date) as calendar_date
    from bounds,
        range(
            cast(make_date(year(bounds.first_date), 1, 1) as timestamp),
            cast(make_date(year(bounds.last_date), 12, 31) as timestamp) + interval 1 day,
            interval 1 day
        ) as spine (day)
    where bounds.first_date is not null
)

select
    {{ tkpkd_date_key('calendar_date') }} as date_key,
    calendar_date as date,
    cast(year(calendar_date) as integer) as year,
    cast(month(calendar_date) as integer) as month,
    cast(day(calendar_date) as integer) as day_of_month,
    {{ tkpkd_period_of('calendar_date') }} as period,
    cast(quarter(calendar_date) as integer) as quarter,
    cast(year(calendar_date) as string) || '-Q' || cast(quarter(calendar_date) as string) as year_quarter,
    cast(isodow(calendar_date) as integer) as iso_day_of_week,
    calendar_date = last_day(calendar_date) as is_period_end
from days
