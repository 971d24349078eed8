{#
  A window of the indicator parameters (dbt_project.yml vars; docs/contract/warehouse.md, "Indicator parameters"),
  in months. A window of n months is the n calendar months ending with P (periods P-(n-1) .. P), so n must be a
  whole number >= 1: anything else stops the build with the var's name rather than silently shifting every window.
#}
{% macro tkpkd_window_months(var_name) -%}
{%- set months = var(var_name) -%}
{%- if months is not number or months != months | int or months < 1 -%}
    {{ exceptions.raise_compiler_error(
        'var ' ~ var_name ~ ' must be a whole number of months >= 1, got ' ~ months ~ ' (dbt_project.yml, vars)') }}
{%- endif -%}
{{ return(months | int) }}
{%- endmacro %}
