{#
  The incremental strategies of this folder and the state they keep (the `incremental` schema) are DuckDB's: they
  delete and insert periods in place and read their logs in the same transaction. On another engine (Spark:
  docs/scale-out.md) every model is a full build instead: the base, snapshot stg_ and per-period models are plain
  tables, and their hooks do nothing.
#}
{% macro tkpkd_keeps_incremental_state() -%}
{{- return(target.type == 'duckdb') -}}
{%- endmacro %}
