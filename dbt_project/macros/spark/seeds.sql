{#
  dbt-spark's seed loading in `session` mode writes every value as `'<value>'` (dbt-spark 1.11, session.py
  `_fix_binding`): an empty cell became the text 'None', and a value with a quote broke the statement. Here each
  value is written as a literal: NULL, or the text in single quotes (in double quotes when it holds a single quote:
  Spark reads '' as two literals, and with escapedStringLiterals no backslash escape exists). Only the `spark__`
  implementation: DuckDB's seeds load as before.
#}
{% macro spark__load_csv_rows(model, agate_table) %}
{%- set column_override = model['config'].get('column_types', {}) -%}
{%- set statements = [] -%}
{%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
    {%- set sql -%}
    insert into {{ this.render() }} values
    {% for row in chunk -%}
        ({%- for col_name in agate_table.column_names -%}
            {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
            cast({{ tkpkd_spark_literal(row[loop.index0]) }} as {{ type }}){{ "," if not loop.last }}
        {%- endfor -%}){{ "," if not loop.last }}
    {% endfor %}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {%- do statements.append(sql) if loop.first -%}
{%- endfor -%}
{{ return(statements[0]) }}
{% endmacro %}


{% macro tkpkd_spark_literal(value) -%}
{%- if value is none -%}
null
{%- else -%}
    {%- set text = value | string -%}
    {%- if "'" not in text -%}
'{{ text }}'
    {%- elif '"' not in text -%}
"{{ text }}"
    {%- else -%}
    {{ exceptions.raise_compiler_error("a seed value holds both kinds of quote: " ~ text) }}
    {%- endif -%}
{%- endif -%}
{%- endmacro %}
