{#
  Use a model's custom schema as written (`staging`, `quarantine`, `reference`, `pii`) instead of dbt's default
  `<target_schema>_<custom_schema>` (`main_staging`). Models without a custom schema go to the target schema (`main`,
  where the marts live).
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
