{#
  Per-period models (tag `per_period`, configured in dbt_project.yml) are incremental by period: a build for some
  periods deletes those periods' rows and inserts them again, computed from the (complete) upstream models, so a
  period built alone equals the same period of a full build. The periods come from the var `period_range`,
  `{"from": "YYYY-MM" or null, "to": "YYYY-MM" or null}` (null: unbounded on that side), which the Dagster step
  sets from the run's partitions; the first partition also holds rows dated before it and the last those after it,
  so a run of every partition leaves no row behind. Without the var (a dbt build by hand) every period is built.
#}

{# True for the rows of `column` (a `YYYY-MM` period) that this build (re)computes. #}
{% macro tkpkd_in_period_range(column) -%}
{%- set range = var('period_range', none) -%}
{%- if range is none or (range.get('from') is none and range.get('to') is none) -%}
true
{%- else -%}
({%- if range.get('from') is not none %}{{ column }} >= '{{ range['from'] }}'{% else %}true{% endif %}
    and {% if range.get('to') is not none %}{{ column }} <= '{{ range['to'] }}'{% else %}true{% endif -%})
{%- endif -%}
{%- endmacro %}


{#
  The pre-hook of a per-period model: before an incremental build inserts its periods, their old rows go. A first
  build (or `--full-refresh`) creates the table whole and needs no delete. `period_column` names the model's period
  column (rpt_impact: evaluation_period).
#}
{% macro tkpkd_delete_period_range(period_column='period') -%}
{%- if is_incremental() -%}
delete from {{ this }} where {{ tkpkd_in_period_range(period_column) }}
{%- endif -%}
{%- endmacro %}
