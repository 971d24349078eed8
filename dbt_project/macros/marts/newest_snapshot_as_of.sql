{#
  The newest snapshot at or before each period: for a snapshot source, "the newest period at or before P is the truth
  for P" (sources.md, Delivery). One row per period of `periods` that has a snapshot at or before it, with the
  period's `period_column`, the columns named in `carry`, and `snapshot_period` (the `snapshot_column` of the newest
  such snapshot). A period before the first snapshot has no row: nothing is known as of it, and callers join it with
  an inner join to leave it out, or a left join to keep it with no snapshot.

  periods:   a relation or CTE name with one row per period (`YYYY-MM`: periods compare as text);
  snapshots: a relation or CTE name holding the snapshot rows (many rows per snapshot are fine: only its distinct
             periods are read, so the as-of step stays a handful of rows whatever the size of the source).

  Usage, e.g. the registry as of each warehouse period:
      period_snapshots as (
          {{ tkpkd_newest_snapshot_as_of('periods', ref('stg_dtsen__families'), carry=['period_end']) }}
      )
#}
{% macro tkpkd_newest_snapshot_as_of(periods, snapshots, period_column='period', snapshot_column='_period', carry=[]) %}
    select
        as_of.{{ period_column }},
        {%- for column in carry %}
        as_of.{{ column }},
        {%- endfor %}
        max(snapshot_periods.snapshot_period) as snapshot_period
    from {{ periods }} as as_of
    inner join (select distinct {{ snapshot_column }} as snapshot_period from {{ snapshots }}) as snapshot_periods
        on snapshot_periods.snapshot_period <= as_of.{{ period_column }}
    group by as_of.{{ period_column }}{% for column in carry %}, as_of.{{ column }}{% endfor %}
{% endmacro %}
