{#
  Numbers and money (M8). Pure SQL, see text.sql.

  No value can fail a step: every parser here is total. Text is matched with RE2 regular expressions (linear time,
  no backtracking), read with try_cast as DOUBLE (which holds any digit run or exponent, as `inf` at worst), and
  cast to its integer type only once it lies within its bounds, so `99999999999999999999` or `4811e452` is a NULL,
  never a cast error. Each parser takes inclusive bounds (min_value, max_value) with a default for its kind and
  gives NULL outside them. Its `_reason` twin, called with the same arguments, says why a value that is not blank
  gave NULL: `out_of_range` (read as a number, but outside the bounds or not finite) or the kind's unparseable code
  (`invalid_number`, `invalid_amount`); NULL when the value is usable or blank. Base models hand the twin to
  classify_row as a check's `problem`; the bounds of particular columns are the dbt var `tkpkd_bounds`
  (dbt_project.yml).
#}

{#
  True when `number` (a DOUBLE expression) is finite and within the bounds, SQL expressions (the DuckDB macros'
  parameters min_value and max_value) where NULL is no limit.
#}
{% macro _within_bounds(number, min_value, max_value) -%}
(isfinite({{ number }}) and ({{ min_value }} is null or {{ number }} >= {{ min_value }}) and ({{ max_value }} is null or {{ number }} <= {{ max_value }}))
{%- endmacro %}


{# The call of a bounded parser's DuckDB macro: bounds as SQL literals, none as NULL (no limit). #}
{% macro _bounded_call(name, col, min_value, max_value) -%}
tkpkd_{{ name }}({{ col }}, {{ 'null' if min_value is none else min_value }}, {{ 'null' if max_value is none else max_value }})
{%- endmacro %}


{% macro _bounded(number, min_value, max_value, type) -%}
{%- set bounded -%}
(case when {{ _within_bounds('_number', min_value, max_value) }} then cast(_number as {{ type }}) end)
{%- endset -%}
{{ _with_value(number, '_number', bounded) }}
{%- endmacro %}


{% macro _number_reason(col, number, min_value, max_value, unparseable) -%}
{%- set reason -%}
(case
    when {{ clean_text(col) }} is null then null
    when _number is null then '{{ unparseable }}'
    when not {{ _within_bounds('_number', min_value, max_value) }} then 'out_of_range'
end)
{%- endset -%}
{{ _with_value(number, '_number', reason) }}
{%- endmacro %}


{# A whole number of any length as DOUBLE (`3`, `003`, `-2`, `3.0` / `3,00` from a numeric Excel cell), else NULL. #}
{% macro _whole_number(col) -%}
(case when regexp_full_match({{ clean_text(col) }}, '[+-]?\d+([.,]0{1,2})?')
    then try_cast(regexp_extract({{ clean_text(col) }}, '^([+-]?\d+)', 1) as double) end)
{%- endmacro %}


{#
  A whole number as INTEGER: `3`, `003`, `-2`, and `3.0` / `3,00` as written from a numeric Excel cell.
  NULL when empty, not a whole number (`3.5`, `1.000` is ambiguous and refused, `tiga`) or outside the bounds
  (by default the INTEGER range; bounds must lie within it).
#}
{% macro parse_int(col, min_value=-2147483648, max_value=2147483647) -%}
{{ _bounded_call('parse_int', col, min_value, max_value) }}
{%- endmacro %}

{% macro _parse_int_sql(col, min_value, max_value) -%}
{{ _bounded(_whole_number(col), min_value, max_value, 'integer') }}
{%- endmacro %}


{% macro parse_int_reason(col, min_value=-2147483648, max_value=2147483647) -%}
{{ _bounded_call('parse_int_reason', col, min_value, max_value) }}
{%- endmacro %}

{% macro _parse_int_reason_sql(col, min_value, max_value) -%}
{{ _number_reason(col, _whole_number(col), min_value, max_value, 'invalid_number') }}
{%- endmacro %}


{% macro _decimal_number(col) -%}
{%- set s -%}
regexp_replace(replace({{ clean_text(col) }}, ' ', ''), '(?i)(m2|m²|m\^2|%)$', '')
{%- endset -%}
{%- set decimal -%}
(case
    when regexp_full_match(_text, '[+-]?\d+([.,]\d+)?') then try_cast(replace(_text, ',', '.') as double)
    when regexp_full_match(_text, '[+-]?\d{1,3}(\.\d{3})+(,\d+)?') then try_cast(replace(replace(_text, '.', ''), ',', '.') as double)
    when regexp_full_match(_text, '[+-]?\d{1,3}(,\d{3})+(\.\d+)?') then try_cast(replace(_text, ',', '') as double)
end)
{%- endset -%}
{{ _with_value(s, '_text', decimal) }}
{%- endmacro %}


{#
  A decimal number as DOUBLE, for measures such as luas_lantai (m², may use a decimal comma) or PROGRES_FISIK:
  `36`, `36,5`, `36.5`, `1.234,5` (Indonesian thousands), `1,234.5`; a trailing unit `m2`, `m²` or `%` is ignored.
  One separator alone is a decimal separator (`1.234` = 1.234). NULL when unparseable or outside the bounds (by
  default: any finite number).
#}
{% macro parse_decimal(col, min_value=none, max_value=none) -%}
{{ _bounded_call('parse_decimal', col, min_value, max_value) }}
{%- endmacro %}

{% macro _parse_decimal_sql(col, min_value, max_value) -%}
{{ _bounded(_decimal_number(col), min_value, max_value, 'double') }}
{%- endmacro %}


{% macro parse_decimal_reason(col, min_value=none, max_value=none) -%}
{{ _bounded_call('parse_decimal_reason', col, min_value, max_value) }}
{%- endmacro %}

{% macro _parse_decimal_reason_sql(col, min_value, max_value) -%}
{{ _number_reason(col, _decimal_number(col), min_value, max_value, 'invalid_number') }}
{%- endmacro %}


{% macro _rupiah_number(col) -%}
{%- set s -%}
regexp_replace(regexp_replace(upper({{ clean_text(col) }}), '(RP|IDR)\.?|\s', '', 'g'), '[,.]-+$', '')
{%- endset -%}
{%- set unsigned -%}
regexp_replace(_text, '^[(+-]+|\)$', '', 'g')
{%- endset -%}
{%- set magnitude -%}
(case
    when regexp_full_match(_magnitude, '\d+') then try_cast(_magnitude as double)
    when regexp_full_match(_magnitude, '\d{1,3}(\.\d{3})+(,\d+)?') then try_cast(replace(replace(_magnitude, '.', ''), ',', '.') as double)
    when regexp_full_match(_magnitude, '\d+,\d{1,2}') then try_cast(replace(_magnitude, ',', '.') as double)
    when regexp_full_match(_magnitude, '\d{1,3}(,\d{3})+(\.\d+)?') then try_cast(replace(_magnitude, ',', '') as double)
    when regexp_full_match(_magnitude, '\d+\.\d+') then try_cast(_magnitude as double)
    when regexp_full_match(_magnitude, '\d+([.,]\d+)?E[+-]?\d+') then try_cast(replace(_magnitude, ',', '.') as double)
end)
{%- endset -%}
{%- set signed -%}
round(
    (case when regexp_matches(_text, '^-|^\(.*\)$') then -1 else 1 end)
    * {{ _with_value(unsigned, '_magnitude', magnitude) }}
)
{%- endset -%}
{{ _with_value(s, '_text', signed) }}
{%- endmacro %}


{#
  Rupiah as whole rupiah (BIGINT, rounded half away from zero). Accepted: `Rp 1.500.000`, `Rp1.500.000,-`,
  `IDR 1,500,000`, `1.500.000,00` (dot for thousands, comma for decimals), `1500000`, `1500000,5`,
  `1500000.0` (a float written from an Excel numeric cell), `1.5E+6`; negative as `-1.500.000`, `Rp -1.500.000`
  or `(1.500.000)`, sign kept. With a single separator: a dot followed by exactly three digits is a thousands
  separator (`1.500` = 1500); otherwise a dot is a decimal point (`1500000.0`); a comma followed by one or two
  digits is a decimal comma (`1500,50`), by exactly three digits a thousands separator (`1,500` = 1500: rupiah
  amounts carry no thousandths). NULL when empty, unparseable or beyond the bounds: by default a trillion rupiah
  either way (the largest KUR plafon is Rp 500 million; more is a typing or Excel accident, not money).
#}
{% macro parse_rupiah(col, min_value=-1000000000000, max_value=1000000000000) -%}
{{ _bounded_call('parse_rupiah', col, min_value, max_value) }}
{%- endmacro %}

{% macro _parse_rupiah_sql(col, min_value, max_value) -%}
{{ _bounded(_rupiah_number(col), min_value, max_value, 'bigint') }}
{%- endmacro %}


{% macro parse_rupiah_reason(col, min_value=-1000000000000, max_value=1000000000000) -%}
{{ _bounded_call('parse_rupiah_reason', col, min_value, max_value) }}
{%- endmacro %}

{% macro _parse_rupiah_reason_sql(col, min_value, max_value) -%}
{{ _number_reason(col, _rupiah_number(col), min_value, max_value, 'invalid_amount') }}
{%- endmacro %}


{#
  A small ordinal written as digits (`3`, `03`, `3.0`) or a Roman numeral I-XX, as INTEGER 1-99; NULL otherwise.
  `text` must already be upper case and trimmed. Shared by parse_small_number and parse_tahap.
#}
{% macro _ordinal(text) -%}
coalesce(
    case when regexp_full_match({{ text }}, '0*[1-9]\d?([.,]0+)?') then try_cast(regexp_extract({{ text }}, '^0*(\d+)', 1) as integer) end,
    list_position(['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X',
                   'XI', 'XII', 'XIII', 'XIV', 'XV', 'XVI', 'XVII', 'XVIII', 'XIX', 'XX'], {{ text }})
)
{%- endmacro %}


{% macro _small_number(col) -%}
{%- set label_dropped -%}
regexp_replace(upper({{ clean_text(col) }}), '^(KELAS|KLS|KL)[\s.:-]*', '')
{%- endset -%}
{{ _with_value(label_dropped, '_text', _ordinal('_text')) }}
{%- endmacro %}


{#
  A small number written as digits or a Roman numeral, with an optional label: KELAS (`3`, `III`, `Kelas 1`,
  `KLS. 2`). INTEGER within the bounds (by default 1-99), NULL otherwise.
#}
{% macro parse_small_number(col, min_value=1, max_value=99) -%}
{{ _bounded_call('parse_small_number', col, min_value, max_value) }}
{%- endmacro %}

{% macro _parse_small_number_sql(col, min_value, max_value) -%}
{{ _bounded(_small_number(col), min_value, max_value, 'integer') }}
{%- endmacro %}


{% macro parse_small_number_reason(col, min_value=1, max_value=99) -%}
{{ _bounded_call('parse_small_number_reason', col, min_value, max_value) }}
{%- endmacro %}

{% macro _parse_small_number_reason_sql(col, min_value, max_value) -%}
{{ _number_reason(col, _small_number(col), min_value, max_value, 'invalid_number') }}
{%- endmacro %}
