{#
  Text parsers. Every macro in macros/parsing/ returns one SQL expression (DuckDB dialect) over the SQL expression
  it is given, and uses nothing from dbt's context, so the same file renders with plain Jinja2 (see
  tests/dbt/test_parsing_macros.py, which loads every file of this folder into one template). Macros of this folder
  may call each other. A public parser renders a call of its DuckDB macro (`tkpkd_clean_text(col)`); its body is
  the `_<name>_sql` macro next to it (duckdb_macros.sql). Porting to another engine means rewriting this folder
  (regexp_*, try_strptime, strip_accents).
#}

{#
  `body` where the name `name` stands for the value of `expr`, which is written once. DuckDB expands a macro by
  copying each argument into every place its parameter appears, so a parser that uses an intermediate value n
  times, nested in one that uses its result m times, binds and optimises n x m copies. DuckDB's common-subexpression
  pass still computes such copies once per row, but for the number parsers (the value read, used by the bounds
  check, the cast and the reason twin) the copies cost more to plan than the rows to compute, and in the reason
  twins that pass left copies unmerged (parse_rupiah_reason ran five times slower than parse_rupiah). A one-element list_transform is DuckDB's way to name a value inside an
  expression; it costs a little per row, so it is used only where the copies multiply (docs/benchmarks.md "dbt
  staging"). `name` must differ from the macro's parameters and from any column the expression reads: a leading
  underscore marks it.
#}
{% macro _with_value(expr, name, body) -%}
list_transform([{{ expr }}], lambda {{ name }}: {{ body }})[1]
{%- endmacro %}


{#
  Trim, turn every run of whitespace into one space; NULL when empty. Whitespace here is also every Unicode space
  (no-break, ideographic), a stray BOM or zero-width space, and control characters (a tab, NUL or `\x1f` pasted
  from another program is no part of a value).
  Most values are clean already (words with single spaces between them): matching that costs a sixth of the
  replacement, so only the others are rewritten, and every parser, which starts here, gains (docs/benchmarks.md,
  "Parsers' fast paths").
#}
{% macro clean_text(col) -%}
tkpkd_clean_text({{ col }})
{%- endmacro %}

{% macro _clean_text_sql(col) -%}
{%- set text -%}cast({{ col }} as varchar){%- endset -%}
(case
    when regexp_full_match({{ text }}, '[^\s\p{Z}\p{Cc}\x{FEFF}\x{200B}]+( [^\s\p{Z}\p{Cc}\x{FEFF}\x{200B}]+)*') then {{ text }}
    else {{ _clean_text_in_any_form(col) }}
end)
{%- endmacro %}

{% macro _clean_text_in_any_form(col) -%}
nullif(trim(regexp_replace(coalesce(cast({{ col }} as varchar), ''), '[\s\p{Z}\p{Cc}\x{FEFF}\x{200B}]+', ' ', 'g')), '')
{%- endmacro %}


{# True when the value is NULL, empty or only whitespace. #}
{% macro is_blank(col) -%}
({{ clean_text(col) }} is null)
{%- endmacro %}


{#
  A code as written by an agency, to compare with the code lists of seeds/ref_codes.csv: upper case, accents
  dropped, every run of characters other than A-Z and 0-9 turned into one underscore, underscores trimmed.
  `Tidak Layak` -> TIDAK_LAYAK, `pbi-apbn` -> PBI_APBN, ` Salur ` -> SALUR.
#}
{% macro normalise_code(col) -%}
tkpkd_normalise_code({{ col }})
{%- endmacro %}

{% macro _normalise_code_sql(col) -%}
{%- set text -%}cast({{ col }} as varchar){%- endset -%}
(case
    when regexp_full_match({{ text }}, '[A-Z0-9]+([ _][A-Z0-9]+)*') then replace({{ text }}, ' ', '_')
    else {{ _normalise_code_in_any_form(col) }}
end)
{%- endmacro %}

{% macro _normalise_code_in_any_form(col) -%}
nullif(trim(regexp_replace(upper(strip_accents({{ clean_text(col) }})), '[^A-Z0-9]+', '_', 'g'), '_'), '')
{%- endmacro %}


{#
  The key under which seeds/ref_kelurahan_aliases.csv lists kelurahan names (M5):
  1. upper case, accents dropped, whitespace cleaned;
  2. a leading `KELURAHAN` / `KEL.` (with an optional colon) is dropped;
  3. `SEI`, `SEI.`, `SGI`, `SG.` and `SUNGAI` written as a word are folded to `SUNGAI`;
  4. everything that is not A-Z or 0-9 (spaces, dots, dashes, apostrophes) is removed.
  So `Sei. Jawi Dalam`, `SUNGAI JAWI DALAM` and the official `Sungaijawi Dalam` all give SUNGAIJAWIDALAM,
  and `Parit Tokaya` = `PARITTOKAYA`. Abbreviations such as `Dlm` are not expanded here: they are alias rows.
#}
{% macro normalise_kelurahan_name(col) -%}
tkpkd_normalise_kelurahan_name({{ col }})
{%- endmacro %}

{% macro _normalise_kelurahan_name_sql(col) -%}
{%- set text -%}cast({{ col }} as varchar){%- endset -%}
(case
    when regexp_full_match({{ text }}, '[A-Za-z]+( [A-Za-z]+)*')
        and not regexp_matches({{ text }}, '(?i)^kel(urahan)?\b|\b(sei|sgi|sg)\b')
        then upper(replace({{ text }}, ' ', ''))
    else {{ _normalise_kelurahan_name_in_any_form(col) }}
end)
{%- endmacro %}

{% macro _normalise_kelurahan_name_in_any_form(col) -%}
nullif(regexp_replace(regexp_replace(regexp_replace(upper(strip_accents({{ clean_text(col) }})), '^(KELURAHAN|KEL)\b\.?\s*:?\s*', ''), '\b(SEI|SGI|SG|SUNGAI)\b\.?', 'SUNGAI', 'g'), '[^A-Z0-9]', '', 'g'), '')
{%- endmacro %}


{#
  The key under which seeds/ref_program_aliases.csv lists programme names (M13): upper case, accents dropped,
  everything other than A-Z and 0-9 removed. `BANSOS SEMBAKO` -> BANSOSSEMBAKO, `PBI-APBN` -> PBIAPBN.
#}
{% macro normalise_program_name(col) -%}
tkpkd_normalise_program_name({{ col }})
{%- endmacro %}

{% macro _normalise_program_name_sql(col) -%}
nullif(regexp_replace(upper(strip_accents({{ clean_text(col) }})), '[^A-Z0-9]', '', 'g'), '')
{%- endmacro %}


{#
  Sex as `L` (laki-laki) or `P` (perempuan) from the spellings agencies use: DTSEN codes 1/2 (also `1.0` from an
  Excel cell), Dukcapil `LAKI-LAKI` / `PEREMPUAN`, `L` / `P`, `LK` / `PR`, `PRIA` / `WANITA`, English words.
  NULL when blank or unrecognised.
#}
{% macro parse_sex(col) -%}
tkpkd_parse_sex({{ col }})
{%- endmacro %}

{# The value in upper case, a numeric cell's `.0` dropped, only letters and digits left. #}
{% macro _sex_key(col) -%}
{%- set text -%}cast({{ col }} as varchar){%- endset -%}
(case
    when regexp_full_match({{ text }}, '[A-Z0-9]+(-[A-Z0-9]+)*') then replace({{ text }}, '-', '')
    else {{ _sex_key_in_any_form(col) }}
end)
{%- endmacro %}

{% macro _sex_key_in_any_form(col) -%}
regexp_replace(regexp_replace(upper({{ clean_text(col) }}), '[.,]0+$', ''), '[^A-Z0-9]', '', 'g')
{%- endmacro %}

{% macro _parse_sex_sql(col) -%}
(case {{ _sex_key(col) }}
    when 'L' then 'L' when 'LK' then 'L' when 'LAKILAKI' then 'L' when 'LAKI' then 'L' when 'PRIA' then 'L'
    when '1' then 'L' when 'M' then 'L' when 'MALE' then 'L'
    when 'P' then 'P' when 'PR' then 'P' when 'PEREMPUAN' then 'P' when 'WANITA' then 'P'
    when '2' then 'P' when 'F' then 'P' when 'FEMALE' then 'P'
end)
{%- endmacro %}
