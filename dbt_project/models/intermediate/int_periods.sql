{#
  The reporting periods: every calendar month from the first to the last period folder of a loaded file in
  raw.ingested_files (rejected and duplicate files do not extend the range; months without any delivery inside the
  range are still periods, so "the two months before" and "the 12 months ending with P" are always calendar months).
#}
with loaded as (
    select
        min(period) as first_period,
        max(period) as last_period
    from {{ ref('stg_raw__ingested_files') }}
    where status = 'loaded'
        and {{ tkpkd_regexp_full_match('period', "'[0-9]{4}-(0[1-9]|1[0-2])'") }}
),

months as (
    {{ tkpkd_month_spine('loaded', 'loaded.first_period', 'loaded.last_period') | indent(4) }}
)

select
    {{ tkpkd_period_of('period_start') }} as period,
    period_start,
    cast(last_day(period_start) as date) as period_end,
    {{ tkpkd_month_number(tkpkd_period_of('period_start')) }} as month_number,
    cast(year(period_start) as integer) as period_year,
    cast(month(period_start) as integer) as period_month,
    cast(row_number() over (order by period_start) as integer) as period_sequence
from months
