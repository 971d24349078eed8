{#
  tkpkd_days_overdue: the days a source is overdue as of a date, the rule of orchestration/freshness.py in SQL
  (tests/dbt/test_days_overdue.py checks the two agree on a grid of cases).
  - months_per_period: the source's cadence as its period length in months (monthly 1, quarterly 3, semester 6,
    yearly 12: its periods end in the months divisible by it); NULL for a source without cadence, giving NULL;
  - last_delivered_on: a date in the newest period the source delivered (NULL: never delivered);
  - as_of: the date; NULL gives NULL;
  - deadline_day: period P is due on that day of the month after P.
  0 when the expected period (the newest cadence period due on or before as_of) is delivered; else counted from the
  due date of the oldest missing period, or, when nothing was ever delivered, of the expected period.
  Plain SQL (no dbt context): months are numbered year * 12 + month - 1.
#}
{% macro tkpkd_days_overdue(months_per_period, last_delivered_on, as_of, deadline_day) -%}
{%- set step = "(" ~ months_per_period ~ ")" -%}
{#- The newest month whose period is due by as_of: the month before as_of's, or the one before that when as_of
    falls before the deadline day. -#}
{%- set newest_due = "(extract(year from " ~ as_of ~ ") * 12 + extract(month from " ~ as_of ~ ") - 2"
    ~ " - case when extract(day from " ~ as_of ~ ") < " ~ deadline_day ~ " then 1 else 0 end)" -%}
{%- set expected = "(" ~ newest_due ~ " - (" ~ newest_due ~ " % 12 + 1) % " ~ step ~ ")" -%}
{%- set delivered = "(extract(year from " ~ last_delivered_on ~ ") * 12"
    ~ " + extract(month from " ~ last_delivered_on ~ ") - 1)" -%}
{%- set oldest_missing = "(" ~ delivered ~ " + " ~ step ~ " - (" ~ delivered ~ " % 12 + 1) % " ~ step ~ ")" -%}
case
    when {{ step }} is null or {{ as_of }} is null then null
    when {{ last_delivered_on }} is null then {{ tkpkd_days_since_due(expected, as_of, deadline_day) }}
    when {{ delivered }} >= {{ expected }} then 0
    else {{ tkpkd_days_since_due(oldest_missing, as_of, deadline_day) }}
end
{%- endmacro %}

{#- Days from the due date of the period numbered `month_number` (year * 12 + month - 1) to as_of. -#}
{% macro tkpkd_days_since_due(month_number, as_of, deadline_day) -%}
date_diff('day', make_date(
    cast(floor(({{ month_number }} + 1) / 12) as integer),
    cast(({{ month_number }} + 1) % 12 + 1 as integer),
    {{ deadline_day }}
), {{ as_of }})
{%- endmacro %}
