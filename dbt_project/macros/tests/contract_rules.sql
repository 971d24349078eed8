{#
  Generic test: the row and schema rules a source's `staging.gate` in sources.yaml declares (staging_source(source)
  .gate, generated into macros/staging/registry.sql), on every staged row of every period. Each is a promise of
  staging (a row breaking it is quarantined or its value set to NULL), so a failure is a staging defect:
    not_null   the column is never NULL;
    nik, kk    the identifier is valid by identifier_status (16 digits; a NIK's day and month possible);
    codes      the value is a code of its list (tkpkd_code_list_query: ref_codes, or `program`);
    kelurahan  kelurahan_code is a kelurahan of ref_regions;
    types      the column exists with a type of its family (str, int, float, date, bool).
  `open_codes: true` checks the lists the contract leaves open instead (give it severity warn: a new kejuruan is
  news, not an error). One row per broken rule and value: rule, column_name, value.
#}
{% test tkpkd_contract_rules(model, source, open_codes=false) %}
{%- set gate = staging_source(source).gate -%}
{%- set checks = [] -%}
{%- set code_lists = gate.open_codes if open_codes else gate.codes -%}
{%- for column, code_list in code_lists.items() -%}
    {%- do checks.append("select 'codes:" ~ code_list ~ "' as rule, '" ~ column ~ "' as column_name, cast(" ~ column
        ~ " as string) as value from " ~ model ~ " where " ~ column ~ " is not null and cast(" ~ column
        ~ " as string) not in (" ~ tkpkd_code_list_query(code_list) ~ ")") -%}
{%- endfor -%}
{%- if not open_codes -%}
    {%- for column in gate.not_null -%}
        {%- do checks.append("select 'not_null' as rule, '" ~ column ~ "' as column_name, null as value from " ~ model
            ~ " where " ~ column ~ " is null") -%}
    {%- endfor -%}
    {%- for kind in ['nik', 'kk'] -%}
        {%- for column in gate[kind] -%}
            {%- do checks.append("select '" ~ kind ~ "' as rule, '" ~ column ~ "' as column_name, null as value from "
                ~ model ~ " where " ~ column ~ " is not null and " ~ identifier_status(column, kind) ~ " <> 'valid'") -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if gate.kelurahan -%}
        {%- do checks.append("select 'kelurahan' as rule, 'kelurahan_code' as column_name, kelurahan_code as value from "
            ~ model ~ " where kelurahan_code is not null and kelurahan_code not in ("
            ~ tkpkd_code_list_query('kelurahan') ~ ")") -%}
    {%- endif -%}
    {%- for column, family in gate.types.items() -%}
        {%- do checks.append(tkpkd_column_type_check(model, column, family)) -%}
    {%- endfor -%}
{%- endif -%}
{%- if checks -%}
{{ checks | join('\nunion all\n') }}
{%- else -%}
select null as rule, null as column_name, null as value where false
{%- endif %}
{% endtest %}


{# The `types` rule of one column: a row naming the column's type when it is not of `family` (or 'missing'). #}
{% macro tkpkd_column_type_check(model, column, family) -%}
{{- return(adapter.dispatch('tkpkd_column_type_check', 'tkpkd')(model, column, family)) -}}
{%- endmacro %}

{% macro default__tkpkd_column_type_check(model, column, family) -%}
{%- set type_families = {
    'str': ['VARCHAR'],
    'int': ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT'],
    'float': ['DOUBLE', 'FLOAT'],
    'date': ['DATE'],
    'bool': ['BOOLEAN'],
} -%}
{{ return("select 'type:" ~ family ~ "' as rule, '" ~ column ~ "' as column_name, "
    ~ "coalesce(max(data_type), 'missing') as value from information_schema.columns where table_schema = '"
    ~ model.schema ~ "' and table_name = '" ~ model.identifier ~ "' and column_name = '" ~ column ~ "'"
    ~ " having coalesce(max(data_type), 'missing') not in ('" ~ type_families[family] | join("', '") ~ "')") }}
{%- endmacro %}

{#- Spark has no information_schema: the column's type is read from the catalog when the test runs. -#}
{% macro spark__tkpkd_column_type_check(model, column, family) -%}
{%- set type_families = {
    'str': ['string'],
    'int': ['tinyint', 'smallint', 'int', 'bigint'],
    'float': ['double', 'float'],
    'date': ['date'],
    'bool': ['boolean'],
} -%}
{%- set found = ['missing'] -%}
{%- if execute -%}
    {%- for existing in adapter.get_columns_in_relation(model) if existing.name == column -%}
        {%- do found.insert(0, existing.dtype | lower) -%}
    {%- endfor -%}
{%- endif -%}
{%- set value = found[0] if execute else type_families[family][0] -%}
{{ return("select 'type:" ~ family ~ "' as rule, '" ~ column ~ "' as column_name, '" ~ value ~ "' as value"
    ~ " where '" ~ value ~ "' not in ('" ~ type_families[family] | join("', '") ~ "')") }}
{%- endmacro %}
