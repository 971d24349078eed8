{#
  Numbers and money (M8). Pure SQL, see text.sql.
#}

{#
  A whole number as INTEGER: `3`, `003`, `-2`, and `3.0` / `3,00` as written from a numeric Excel cell.
  NULL when empty or not a whole number (`3.5`, `1.000` is ambiguous and refused, `tiga`).
#}
{% macro parse_int(col) -%}
(case when regexp_full_match({{ clean_text(col) }}, '[+-]?\d{1,9}([.,]0{1,2})?')
    then try_cast(regexp_extract({{ clean_text(col) }}, '^([+-]?\d+)', 1) as integer) end)
{%- endmacro %}


{#
  A decimal number as DOUBLE, for measures such as luas_lantai (m², may use a decimal comma) or PROGRES_FISIK:
  `36`, `36,5`, `36.5`, `1.234,5` (Indonesian thousands), `1,234.5`; a trailing unit `m2`, `m²` or `%` is ignored.
  One separator alone is a decimal separator (`1.234` = 1.234). NULL when unparseable.
#}
{% macro parse_decimal(col) -%}
{%- set s -%}
regexp_replace(replace({{ clean_text(col) }}, ' ', ''), '(?i)(m2|m²|m\^2|%)$', '')
{%- endset -%}
(case
    when regexp_full_match({{ s }}, '[+-]?\d+([.,]\d+)?') then try_cast(replace({{ s }}, ',', '.') as double)
    when regexp_full_match({{ s }}, '[+-]?\d{1,3}(\.\d{3})+(,\d+)?') then try_cast(replace(replace({{ s }}, '.', ''), ',', '.') as double)
    when regexp_full_match({{ s }}, '[+-]?\d{1,3}(,\d{3})+(\.\d+)?') then try_cast(replace({{ s }}, ',', '') as double)
end)
{%- endmacro %}


{#
  Rupiah as whole rupiah (BIGINT, rounded half away from zero). Accepted: `Rp 1.500.000`, `Rp1.500.000,-`,
  `IDR 1,500,000`, `1.500.000,00` (dot for thousands, comma for decimals), `1500000`, `1500000,5`,
  `1500000.0` (a float written from an Excel numeric cell), `1.5E+6`; negative as `-1.500.000`, `Rp -1.500.000`
  or `(1.500.000)`, sign kept. With a single separator: a dot followed by exactly three digits is a thousands
  separator (`1.500` = 1500); otherwise a dot is a decimal point (`1500000.0`); a comma followed by one or two
  digits is a decimal comma (`1500,50`), by exactly three digits a thousands separator (`1,500` = 1500: rupiah
  amounts carry no thousandths). NULL when empty or unparseable.
#}
{% macro parse_rupiah(col) -%}
{%- set s -%}
regexp_replace(regexp_replace(upper({{ clean_text(col) }}), '(RP|IDR)\.?|\s', '', 'g'), '[,.]-+$', '')
{%- endset -%}
{%- set m -%}
regexp_replace({{ s }}, '^[(+-]+|\)$', '', 'g')
{%- endset -%}
cast(round(
    (case when regexp_matches({{ s }}, '^-|^\(.*\)$') then -1 else 1 end)
    * (case
        when regexp_full_match({{ m }}, '\d+') then try_cast({{ m }} as double)
        when regexp_full_match({{ m }}, '\d{1,3}(\.\d{3})+(,\d+)?') then try_cast(replace(replace({{ m }}, '.', ''), ',', '.') as double)
        when regexp_full_match({{ m }}, '\d+,\d{1,2}') then try_cast(replace({{ m }}, ',', '.') as double)
        when regexp_full_match({{ m }}, '\d{1,3}(,\d{3})+(\.\d+)?') then try_cast(replace({{ m }}, ',', '') as double)
        when regexp_full_match({{ m }}, '\d+\.\d+') then try_cast({{ m }} as double)
        when regexp_full_match({{ m }}, '\d+([.,]\d+)?E[+-]?\d+') then try_cast(replace({{ m }}, ',', '.') as double)
    end)
) as bigint)
{%- endmacro %}


{#
  A small ordinal written as a number or a Roman numeral, with an optional label: TAHAP (`1`, `1.0`, `Tahap 2`,
  `TAHAP III`, `Thp. 4`, and with the year the stage belongs to: `TAHAP 1 2025`) and KELAS (`3`, `III`, `Kelas 1`). INTEGER 1-99, NULL otherwise.
#}
{% macro parse_small_number(col) -%}
{%- set t -%}
regexp_replace(regexp_replace(regexp_replace(upper({{ clean_text(col) }}), '^(TAHAP|THP|TH|KELAS|KLS|KL|TRIWULAN|TW|KE)[\s.:-]*', ''), '[\s/-]+(19|20)\d{2}$', ''), '[.,]0+$', '')
{%- endset -%}
(case
    when regexp_full_match({{ t }}, '0*[1-9]\d?') then try_cast({{ t }} as integer)
    when {{ t }} = 'I' then 1 when {{ t }} = 'II' then 2 when {{ t }} = 'III' then 3 when {{ t }} = 'IV' then 4
    when {{ t }} = 'V' then 5 when {{ t }} = 'VI' then 6 when {{ t }} = 'VII' then 7 when {{ t }} = 'VIII' then 8
    when {{ t }} = 'IX' then 9 when {{ t }} = 'X' then 10 when {{ t }} = 'XI' then 11 when {{ t }} = 'XII' then 12
end)
{%- endmacro %}
