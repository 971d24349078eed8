{#
  Identifiers: NIK, KK number, JKN card number (NOKA), business number (NIB). Pure SQL, see text.sql.

  identifier_status(col, kind) is one of
    missing        nothing usable was written (NULL, empty, or only `-`, `'`, spaces, dots);
    excel_damaged  the value went through a numeric Excel cell (M1): scientific notation (`6.17101E+15`,
                   `6,17101E+15`) or a float suffix (`6171015708450000.0`, written by the loader for numeric cells);
                   Excel keeps 15 significant digits, so the 16th digit is lost: never used to match anybody;
    invalid        characters other than digits remain after stripping, or the digits break the kind's rule (M3);
    valid          usable.
  M2: a leading apostrophe (straight or typographic), spaces, dots and dashes are stripped before validating.
  Rules by kind: `nik` 16 digits, day (digits 7-8) 01-31 or 41-71 (women: day + 40), month (digits 9-10) 01-12;
  the area code is not checked (a NIK from outside Kalimantan Barat is valid: people move). `kk` 16 digits.
  `noka` (JKN card) 13 digits. `nib` (business registration) 13 digits.
#}

{% macro _identifier_compact(col) -%}
regexp_replace(coalesce(cast({{ col }} as varchar), ''), '[\s\x{00A0}\x{FEFF}''`\x{2018}\x{2019}]', '', 'g')
{%- endmacro %}


{# The value stripped to digits (M2), whatever its validity; NULL when other characters remain or nothing is left. #}
{% macro identifier_digits(col) -%}
nullif(regexp_extract(regexp_replace({{ _identifier_compact(col) }}, '[.\x{2010}-\x{2015}-]', '', 'g'), '^[0-9]*$'), '')
{%- endmacro %}


{% macro identifier_status(col, kind='nik') -%}
{%- set compact = _identifier_compact(col) -%}
{%- set digits = identifier_digits(col) -%}
{%- set lengths = {'nik': 16, 'kk': 16, 'noka': 13, 'nib': 13} -%}
(case
    when regexp_replace({{ compact }}, '[.\x{2010}-\x{2015}-]', '', 'g') = '' then 'missing'
    when regexp_full_match({{ compact }}, '[0-9]+([.,][0-9]+)?[eE][+-]?[0-9]+') then 'excel_damaged'
    when regexp_full_match({{ compact }}, '[0-9]+[.,]0+') then 'excel_damaged'
    when {{ digits }} is null then 'invalid'
    when length({{ digits }}) <> {{ lengths[kind] }} then 'invalid'
{%- if kind == 'nik' %}
    when not (substr({{ digits }}, 7, 2) between '01' and '31' or substr({{ digits }}, 7, 2) between '41' and '71') then 'invalid'
    when not (substr({{ digits }}, 9, 2) between '01' and '12') then 'invalid'
{%- endif %}
    else 'valid'
end)
{%- endmacro %}


{# The identifier as 16 (or 13) digits when its status is `valid`, else NULL: the only form used for matching. #}
{% macro identifier_value(col, kind='nik') -%}
(case when {{ identifier_status(col, kind) }} = 'valid' then {{ identifier_digits(col) }} end)
{%- endmacro %}
