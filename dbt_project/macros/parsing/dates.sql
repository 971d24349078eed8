{#
  Dates (M7). Pure SQL, see text.sql. parse_date(col) gives a DATE, or NULL when the value is empty, unparseable or
  impossible (31-02-2025). Accepted, after trimming, an optional leading weekday (`Jumat, `) and a trailing time
  (`00:00:00`, `T10:30`) removed:
    ISO            2025-12-19, 2025/12/19 (also the loader's XLSX date cells `2025-12-19 00:00:00`)
    day first      19-12-2025, 19/12/2025, 19.12.2025, 5-1-2025
    month named    19 Desember 2025, 19-Des-2025, 19 Dec 2025, 19 Agt. 2025, December 19, 2025
                   (Indonesian and English names and the usual abbreviations, any case: Januari/Jan,
                   Februari/Feb/Pebruari/Peb, Maret/Mar/Mrt, April/Apr, Mei/May, Juni/Jun, Juli/Jul,
                   Agustus/Agu/Agt/Ags/Agst/Aug, September/Sep/Sept, Oktober/Okt/Oct, November/Nopember/Nov/Nop,
                   Desember/Des/Dec)
    Excel serial   46010 or 46010.0 (days since 1899-12-30), accepted only as five digits 10000-73415,
                   i.e. 1927-05-18 to 2100-12-31: a bare year or a small number is not a date.
  Written years must lie in 1900-2099. Two-digit years are not guessed.

  How: month names become markers (`Desember` -> `M12M`), separators become `-`, and the three layouts
  (Y-M-D, D-M-Y, M-D-Y) are rewritten to `DY-M-D` for one strict try_strptime (the `D` marks a value that
  matched a layout, so nothing else reaches try_strptime). The value expression appears only a few
  times in the output, so the SQL stays small.
#}

{% macro _date_text(col) -%}
regexp_replace(regexp_replace({{ clean_text(col) }}, '(?i)^(senin|selasa|rabu|kamis|jumat|jum''at|sabtu|minggu|ahad|monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s*', ''), '(?i)[ T]\d{1,2}[:.]\d{2}([:.]\d{2}([.,]\d+)?)?\s*(am|pm|wib)?$', '')
{%- endmacro %}


{% macro _month_markers(expr) -%}
{%- set months = [
    ('1', 'januari|january|jan'),
    ('2', 'februari|pebruari|february|feb|peb'),
    ('3', 'maret|march|mrt|mar'),
    ('4', 'april|apr'),
    ('5', 'mei|may'),
    ('6', 'juni|june|jun'),
    ('7', 'juli|july|jul'),
    ('8', 'agustus|august|agst|agt|ags|agu|aug'),
    ('9', 'september|sept|sep'),
    ('10', 'oktober|october|okt|oct'),
    ('11', 'november|nopember|nov|nop'),
    ('12', 'desember|december|des|dec'),
] -%}
{%- set ns = namespace(sql=expr) -%}
{%- for number, names in months -%}
{%- set ns.sql -%}regexp_replace({{ ns.sql }}, '(?i)({{ names }})\.?', 'M{{ number }}M'){%- endset -%}
{%- endfor -%}
{{ ns.sql }}
{%- endmacro %}


{% macro parse_date(col) -%}
tkpkd_parse_date({{ col }})
{%- endmacro %}

{#
  Most dates arrive as `19-12-2025`, `19/12/2025` or `2025-12-19` (an XLSX date cell with its `00:00:00`): those
  are read directly, and only the others go through the markers and layouts, which cost ten times as much. The
  result is the same either way (docs/benchmarks.md, "Parsers' fast paths"; tests/dbt/test_parsing_fast_paths.py).
#}
{% macro _parse_date_sql(col) -%}
{%- set text -%}cast({{ col }} as varchar){%- endset -%}
(case
    when {{ col }} is null or {{ text }} = '' then cast(null as date)
    when regexp_full_match({{ text }}, '\d{2}[-/]\d{2}[-/](?:19|20)\d{2}')
        then try_cast(substr({{ text }}, 7, 4) || '-' || substr({{ text }}, 4, 2) || '-' || substr({{ text }}, 1, 2) as date)
    when regexp_full_match({{ text }}, '(?:19|20)\d{2}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?')
        then try_cast(left({{ text }}, 10) as date)
    else {{ _parse_date_in_any_form(col) }}
end)
{%- endmacro %}

{% macro _parse_date_in_any_form(col) -%}
{%- set t = _date_text(col) -%}
{%- set v -%}regexp_replace({{ _month_markers(t) }}, '[\s./,-]+', '-', 'g'){%- endset -%}
cast(coalesce(
    try_strptime(
        regexp_replace(regexp_replace(regexp_replace({{ v }},
            '^((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})$', 'D\1-\2-\3'),
            '^(\d{1,2})-?M?(\d{1,2})M?-?((?:19|20)\d{2})$', 'D\3-\2-\1'),
            '^M(\d{1,2})M-?(\d{1,2})-((?:19|20)\d{2})$', 'D\3-\1-\2'),
        'D%Y-%m-%d'),
    case when regexp_full_match({{ t }}, '\d{5}([.,]\d+)?')
            and try_cast(left({{ t }}, 5) as integer) between 10000 and 73415
        then date '1899-12-30' + try_cast(left({{ t }}, 5) as integer) end
) as date)
{%- endmacro %}
