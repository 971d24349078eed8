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
tkpkd_identifier_digits({{ col }})
{%- endmacro %}

{#
  Nearly every identifier arrives as digits only: for those the stripping would change nothing, and checking that
  costs a tenth of it (docs/benchmarks.md, "Parsers' fast paths").
#}
{% macro _only_digits(col) -%}
regexp_full_match(cast({{ col }} as varchar), '[0-9]+')
{%- endmacro %}

{% macro _identifier_digits_sql(col) -%}
(case
    when {{ _only_digits(col) }} then cast({{ col }} as varchar)
    else {{ _identifier_digits_in_any_form(col) }}
end)
{%- endmacro %}

{% macro _identifier_digits_in_any_form(col) -%}
nullif(regexp_extract(regexp_replace({{ _identifier_compact(col) }}, '[.\x{2010}-\x{2015}-]', '', 'g'), '^[0-9]*$'), '')
{%- endmacro %}


{% macro identifier_status(col, kind='nik') -%}
tkpkd_{{ kind }}_status({{ col }})
{%- endmacro %}

{# The kind's rule over a digits-only value: the last branches of identifier_status. #}
{% macro _identifier_rule(digits, kind, length) -%}
when length({{ digits }}) <> {{ length }} then 'invalid'
{%- if kind == 'nik' %}
    when not (substr({{ digits }}, 7, 2) between '01' and '31' or substr({{ digits }}, 7, 2) between '41' and '71') then 'invalid'
    when not (substr({{ digits }}, 9, 2) between '01' and '12') then 'invalid'
{%- endif %}
    else 'valid'
{%- endmacro %}

{% macro _identifier_status_sql(col, kind, length) -%}
{%- set text -%}cast({{ col }} as varchar){%- endset -%}
(case
    when {{ _only_digits(col) }} then (case {{ _identifier_rule(text, kind, length) }} end)
    else {{ _identifier_status_in_any_form(col, kind, length) }}
end)
{%- endmacro %}

{% macro _identifier_status_in_any_form(col, kind, length) -%}
{%- set compact = _identifier_compact(col) -%}
{%- set digits = identifier_digits(col) -%}
(case
    when regexp_replace({{ compact }}, '[.\x{2010}-\x{2015}-]', '', 'g') = '' then 'missing'
    when regexp_full_match({{ compact }}, '[0-9]+([.,][0-9]+)?[eE][+-]?[0-9]+') then 'excel_damaged'
    when regexp_full_match({{ compact }}, '[0-9]+[.,]0+') then 'excel_damaged'
    when {{ digits }} is null then 'invalid'
    {{ _identifier_rule(digits, kind, length) }}
end)
{%- endmacro %}


{# The identifier as 16 (or 13) digits when its status is `valid`, else NULL: the only form used for matching. #}
{% macro identifier_value(col, kind='nik') -%}
tkpkd_{{ kind }}_value({{ col }})
{%- endmacro %}

{% macro _identifier_value_sql(col, kind) -%}
(case when {{ identifier_status(col, kind) }} = 'valid' then {{ identifier_digits(col) }} end)
{%- endmacro %}


{#
  The leading digits of an Excel-damaged NIK (identifier_status `excel_damaged`, M1), for record linkage: an Excel
  number keeps 15 significant digits, so a float form (`6171015708450000.0`) keeps the first 15 of 16 exactly;
  scientific notation (`6.17101E+15`) keeps its mantissa `617101`, rounded at its last digit (the linkage compares
  it with a known NIK rounded the same way). NULL for any other value. Never a key: only the linkage compares it
  with known NIKs. Apply it to damaged values only (it assumes the status was checked).
#}
{% macro excel_surviving_digits(col) -%}
tkpkd_excel_surviving_digits({{ col }})
{%- endmacro %}

{% macro _excel_surviving_digits_sql(col) -%}
{%- set compact = _identifier_compact(col) -%}
(case
    when regexp_full_match({{ compact }}, '[0-9]{16}([.,]0+)?') then substr({{ compact }}, 1, 15)
    when regexp_full_match({{ compact }}, '[0-9][.,][0-9]+[eE][+]?1[56]')
        then regexp_replace(split_part(upper({{ compact }}), 'E', 1), '[.,]', '', 'g')
end)
{%- endmacro %}


{#
  nik_check: does a valid NIK agree with the birth date and sex the same row states? NIK digits 7-12 are DDMMYY of
  the birth date, DD + 40 for women. One of
    consistent           every stated fact agrees (only sex, or only the birth date, where the row has one of them);
    sex_mismatch         the day part says woman (41-71) and the row says man, or the reverse;
    birth_date_mismatch  day, month or two-digit year differ from the stated birth date;
    not_checkable        no valid NIK, or the row states neither birth date nor sex.
  A mismatch is recorded, not quarantined: typos in stated birth dates are common and the NIK stays the key.
#}
{% macro nik_birth_check(nik, birth_date, sex) -%}
tkpkd_nik_birth_check({{ nik }}, {{ birth_date }}, {{ sex }})
{%- endmacro %}

{% macro _nik_birth_check_sql(nik, birth_date, sex) -%}
(case
    when {{ nik }} is null or ({{ birth_date }} is null and {{ sex }} is null) then 'not_checkable'
    when {{ sex }} is not null and ({{ sex }} = 'P') <> (substr({{ nik }}, 7, 2) >= '41') then 'sex_mismatch'
    when {{ birth_date }} is not null and (
        cast(substr({{ nik }}, 7, 2) as integer) % 40 <> day({{ birth_date }})
        or cast(substr({{ nik }}, 9, 2) as integer) <> month({{ birth_date }})
        or cast(substr({{ nik }}, 11, 2) as integer) <> year({{ birth_date }}) % 100
    ) then 'birth_date_mismatch'
    else 'consistent'
end)
{%- endmacro %}
