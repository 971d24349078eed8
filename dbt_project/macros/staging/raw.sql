{#
  Reading raw tables (layout fixed by docs/design.md: lineage columns, then one VARCHAR column per canonical
  contract column).
#}

{# The lineage columns every raw table carries, qualified by `relation_alias`. #}
{% macro raw_lineage_columns(relation_alias) -%}
{{ relation_alias }}._file_hash,
    {{ relation_alias }}._source_file,
    {{ relation_alias }}._period,
    {{ relation_alias }}._row_number,
    {{ relation_alias }}._loaded_at,
    {{ relation_alias }}._non_data_reason,
    {{ relation_alias }}._extra
{%- endmacro %}


{#
  The raw values of a row as one STRUCT named by canonical column (`_raw.nik`, `_raw.tanggal_salur`): the parsers
  read from it and quarantine.quarantined_rows turns it into JSON, so the original values are kept exactly.
  The columns are the source's contract columns (staging_sources()). Its `optional_columns` may be absent from the
  raw table (the extra canonical column `rt_rw` of docs/design.md, which a loader may or may not write for a source):
  they read as NULL when the table lacks them.
#}
{% macro raw_struct(relation_alias, source_table) -%}
{{- return(adapter.dispatch('raw_struct', 'tkpkd')(relation_alias, source_table)) -}}
{%- endmacro %}

{% macro default__raw_struct(relation_alias, source_table) -%}
{%- set registered = staging_source(source_table) -%}
{%- set columns = registered.columns -%}
{%- set optional_columns = registered.optional_columns -%}
{
    {%- for column in columns %}
        '{{ column }}': {{ relation_alias }}."{{ column }}"{{ "," if not loop.last or optional_columns }}
    {%- endfor %}
    {%- for column in optional_columns %}
        '{{ column }}': {{ raw_column_or_null(relation_alias, source_table, column) }}{{ "," if not loop.last }}
    {%- endfor %}
    }
{%- endmacro %}


{# Spark: named_struct, identifiers in backquotes (a double-quoted name is a string there). #}
{% macro spark__raw_struct(relation_alias, source_table) -%}
{%- set registered = staging_source(source_table) -%}
named_struct(
    {%- for column in registered.columns %}
        '{{ column }}', {{ relation_alias }}.{{ adapter.quote(column) }}{{ "," if not loop.last or registered.optional_columns }}
    {%- endfor %}
    {%- for column in registered.optional_columns %}
        '{{ column }}', {{ raw_column_or_null(relation_alias, source_table, column) }}{{ "," if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}


{# `alias."column"` when the raw table has the column, else a typed NULL (checked against the warehouse at run time). #}
{% macro raw_column_or_null(relation_alias, source_table, column) -%}
{%- set found = [] -%}
{%- if execute -%}
    {%- set node = (graph.get('sources') or {}).get('source.tkpkd.raw.' ~ source_table) -%}
    {%- set relation = adapter.get_relation(
        database=(node.database if node else target.database),
        schema=(node.schema if node else 'raw'),
        identifier=(node.identifier if node else source_table)) -%}
    {%- if relation is not none -%}
        {%- for existing in adapter.get_columns_in_relation(relation) -%}
            {%- if existing.name | lower == column | lower -%}{%- do found.append(existing.name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endif -%}
{%- if found -%}
{{ relation_alias }}.{{ adapter.quote(found[0]) }}
{%- else -%}
cast(null as {{ dbt.type_string() }})
{%- endif -%}
{%- endmacro %}
