{#
  RT and RW numbers (M6). Pure SQL, see text.sql. Each gives an INTEGER 1-999, or NULL.
  Accepted: `003`, `3`, `3.0` (Excel), `RT 03`, `RT.3`, `rt:003`, `RW. 5`, and a combined value `003/005`
  (also `003 - 005`, `RT 003/RW 005`), which the contract writes RT first, then RW: parse_rt takes the first
  number, parse_rw the second, unless the value labels them (`RW 05 / RT 03`). So a combined `RT/RW` column
  (canonical `rt_rw`) is split with parse_rt(rt_rw) and parse_rw(rt_rw), and a combined value typed into the
  RT or RW column still parses. RT 0 / RW 0 are not numbers of a neighbourhood: NULL.
  RT and RW are unique only within a kelurahan (and an RT only within its RW).
#}

{#
  Most RT and RW columns hold the bare number (`003`), read directly; the rest go through the patterns below
  (docs/benchmarks.md, "Parsers' fast paths").
#}
{% macro _rt_rw_part(col, label, position) -%}
{%- set text -%}cast({{ col }} as varchar){%- endset -%}
(case
    when {{ col }} is null then cast(null as integer)
    when regexp_full_match({{ text }}, '\d{1,3}') then nullif(cast({{ text }} as integer), 0)
    else {{ _rt_rw_part_in_any_form(col, label, position) }}
end)
{%- endmacro %}

{% macro _rt_rw_part_in_any_form(col, label, position) -%}
{%- set s -%}upper({{ clean_text(col) }}){%- endset -%}
{%- set combined -%}^(\d{1,3})(?:[.,]0+)?\s*[/|-]\s*(\d{1,3})(?:[.,]0+)?${%- endset -%}
{%- set labelled -%}{{ label }}\s*[.:]?\s*(\d{1,3})\b{%- endset -%}
nullif(coalesce(
    case when regexp_matches({{ s }}, '{{ labelled }}') then try_cast(regexp_extract({{ s }}, '{{ labelled }}', 1) as integer) end,
    case when regexp_matches({{ s }}, '{{ combined }}') then try_cast(regexp_extract({{ s }}, '{{ combined }}', {{ position }}) as integer) end,
    case when regexp_full_match({{ s }}, '\d{1,3}([.,]0{1,2})?') then try_cast(regexp_extract({{ s }}, '(\d{1,3})', 1) as integer) end
), 0)
{%- endmacro %}


{% macro parse_rt(col) -%}
tkpkd_parse_rt({{ col }})
{%- endmacro %}

{% macro _parse_rt_sql(col) -%}
{{ _rt_rw_part(col, 'RT', 1) }}
{%- endmacro %}


{% macro parse_rw(col) -%}
tkpkd_parse_rw({{ col }})
{%- endmacro %}

{% macro _parse_rw_sql(col) -%}
{{ _rt_rw_part(col, 'RW', 2) }}
{%- endmacro %}
