{#
  Labels: parts of a natural key written like numbers but without a numeric meaning. Pure SQL, see text.sql.
  A label is normalised to one canonical text and kept as text: it is never quarantined for not being a number
  (only a blank one, where the column is required).
#}

{#
  TAHAP, the payout round of a bansos programme (the contract gives it no format), as one canonical label:
    TAHAP n     `1`, `1.0` (Excel), `01`, `Tahap 1`, `TAHAP I`, `Thp. 1`, `Tahap ke-1`, `Tahapan 1` (n: 1-99, Roman I-XX)
    BULAN n     monthly programmes: `Bulan 12`, `Bln. 12`, `Desember`, `DES`, `Bulan Desember` (n: 1-12; the
                month names and abbreviations of parse_date)
    TRIWULAN n  `Triwulan II`, `TW 2` (n: 1-4)
  A year written after the round (`Tahap 1 2025`, `Desember 2025`, `TAHAP I/2025`, `Tahap 1 Tahun 2025`) is
  dropped: rounds restart every year, and the payout's year comes from TANGGAL_SALUR (stg_bansos__payouts
  deduplicates on NIK + programme + TAHAP + payout year), so `Tahap 1` and `Tahap 1 2025` of one year are one
  payout. Anything else that is not blank is kept as its cleaned upper-case text (`TAHAP KHUSUS` -> TAHAP KHUSUS,
  `Tahap 0` -> TAHAP 0); NULL when blank or without a letter or digit (`-`, `?`): nothing was written.
#}
{% macro parse_tahap(col) -%}
tkpkd_parse_tahap({{ col }})
{%- endmacro %}

{% macro _parse_tahap_sql(col) -%}
{%- set labels = 'TAHAPAN|TAHAP|THP|TH|BULAN|BLN|TRIWULAN|TW' -%}
{%- set written -%}
upper({{ clean_text(col) }})
{%- endset -%}
{%- set round -%}
regexp_replace(regexp_replace({{ written }}, '[\s/,-]+(TAHUN\s*)?(19|20)\d{2}$', ''), '[.,]0+$', '')
{%- endset -%}
{%- set label -%}
regexp_extract({{ round }}, '^({{ labels }})', 1)
{%- endset -%}
{%- set rest -%}
regexp_replace({{ round }}, '^(({{ labels }})\.?)?[\s.:-]*(KE[\s.:-]*)?', '')
{%- endset -%}
{%- set number -%}
{{ _ordinal(rest) }}
{%- endset -%}
{%- set month_marker -%}
regexp_extract({{ _month_markers(rest) }}, '^M(\d{1,2})M$', 1)
{%- endset -%}
(case
    when not regexp_matches(coalesce({{ written }}, ''), '[\pL\pN]') then null
    when {{ label }} in ('', 'TAHAPAN', 'TAHAP', 'THP', 'TH') and {{ number }} is not null
        then 'TAHAP ' || cast({{ number }} as varchar)
    when {{ label }} in ('BULAN', 'BLN') and {{ number }} between 1 and 12
        then 'BULAN ' || cast({{ number }} as varchar)
    when {{ label }} in ('', 'BULAN', 'BLN') and {{ month_marker }} <> ''
        then 'BULAN ' || {{ month_marker }}
    when {{ label }} in ('TRIWULAN', 'TW') and {{ number }} between 1 and 4
        then 'TRIWULAN ' || cast({{ number }} as varchar)
    else {{ written }}
end)
{%- endmacro %}
