{#
  The parsers as DuckDB macros (DuckDB-specific, like the rest of this folder). Each public parser renders a short
  call, `tkpkd_parse_rupiah(_raw.nilai, -1000000000000, 1000000000000)`, of a macro whose body is the parser's
  `_<name>_sql` Jinja macro rendered once over the macro's parameters: the Jinja macros stay the only definition,
  and compiled models show what they do instead of kilobytes of nested regexp_replace.
  orchestration/dbt_plugins/parsing_macros.py renders duckdb_macro_definitions() with plain Jinja2 and runs it when
  dbt opens the warehouse. The macros are stored in the warehouse (schema main), replaced by every dbt invocation:
  views that call them (intermediate.int_person_records) must read outside dbt too. DuckDB binds a macro's body
  when it is created, so macros are listed callees first. Bounds are the parameters min_value and max_value (NULL:
  no limit).
#}

{% macro _duckdb_macro(name, parameters, body) -%}
create or replace macro tkpkd_{{ name }}({{ parameters | join(', ') }}) as {{ body }};
{%- endmacro %}


{% macro duckdb_macro_definitions() -%}
{%- set bounded = ['value', 'min_value', 'max_value'] -%}
{{ _duckdb_macro('clean_text', ['value'], _clean_text_sql('value')) }}
{{ _duckdb_macro('normalise_code', ['value'], _normalise_code_sql('value')) }}
{{ _duckdb_macro('normalise_kelurahan_name', ['value'], _normalise_kelurahan_name_sql('value')) }}
{{ _duckdb_macro('normalise_program_name', ['value'], _normalise_program_name_sql('value')) }}
{{ _duckdb_macro('parse_sex', ['value'], _parse_sex_sql('value')) }}
{{ _duckdb_macro('identifier_digits', ['value'], _identifier_digits_sql('value')) }}
{#- One status and one value macro per kind of identifier, with its length in digits: an unknown kind fails at bind
    time as an unknown function. #}
{%- for kind, length in [('nik', 16), ('kk', 16), ('noka', 13), ('nib', 13)] %}
{{ _duckdb_macro(kind ~ '_status', ['value'], _identifier_status_sql('value', kind, length)) }}
{{ _duckdb_macro(kind ~ '_value', ['value'], _identifier_value_sql('value', kind)) }}
{%- endfor %}
{{ _duckdb_macro('excel_surviving_digits', ['value'], _excel_surviving_digits_sql('value')) }}
{{ _duckdb_macro('nik_birth_check', ['nik', 'birth_date', 'sex'], _nik_birth_check_sql('nik', 'birth_date', 'sex')) }}
{{ _duckdb_macro('parse_int', bounded, _parse_int_sql(*bounded)) }}
{{ _duckdb_macro('parse_int_reason', bounded, _parse_int_reason_sql(*bounded)) }}
{{ _duckdb_macro('parse_decimal', bounded, _parse_decimal_sql(*bounded)) }}
{{ _duckdb_macro('parse_decimal_reason', bounded, _parse_decimal_reason_sql(*bounded)) }}
{{ _duckdb_macro('parse_rupiah', bounded, _parse_rupiah_sql(*bounded)) }}
{{ _duckdb_macro('parse_rupiah_reason', bounded, _parse_rupiah_reason_sql(*bounded)) }}
{{ _duckdb_macro('parse_small_number', bounded, _parse_small_number_sql(*bounded)) }}
{{ _duckdb_macro('parse_small_number_reason', bounded, _parse_small_number_reason_sql(*bounded)) }}
{{ _duckdb_macro('parse_date', ['value'], _parse_date_sql('value')) }}
{{ _duckdb_macro('parse_tahap', ['value'], _parse_tahap_sql('value')) }}
{{ _duckdb_macro('parse_rt', ['value'], _parse_rt_sql('value')) }}
{{ _duckdb_macro('parse_rw', ['value'], _parse_rw_sql('value')) }}
{%- endmacro %}
