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
{%- set round -%}
regexp_replace(regexp_replace(_written, '[\s/,-]+(TAHUN\s*)?(19|20)\d{2}$', ''), '[.,]0+$', '')
{%- endset -%}
{%- set label -%}
regexp_extract(_round, '^({{ labels }})', 1)
{%- endset -%}
{%- set rest -%}
regexp_replace(_round, '^(({{ labels }})\.?)?[\s.:-]*(KE[\s.:-]*)?', '')
{%- endset -%}
{%- set month_marker -%}
regexp_extract({{ _month_markers('_rest') }}, '^M(\d{1,2})M$', 1)
{%- endset -%}
{%- set canonical -%}
(case
    when _label in ('', 'TAHAPAN', 'TAHAP', 'THP', 'TH') and _number is not null
        then 'TAHAP ' || cast(_number as varchar)
    when _label in ('BULAN', 'BLN') and _number between 1 and 12
        then 'BULAN ' || cast(_number as varchar)
    when _label in ('', 'BULAN', 'BLN') and _month <> ''
        then 'BULAN ' || _month
    when _label in ('TRIWULAN', 'TW') and _number between 1 and 4
        then 'TRIWULAN ' || cast(_number as varchar)
    else _written
end)
{%- endset -%}
{#- The round, its label, the rest after the label, its number and month are each used several times: each is named once. -#}
{%- set with_month = _with_value(month_marker, '_month', canonical) -%}
{%- set with_number = _with_value(_ordinal('_rest'), '_number', with_month) -%}
{%- set with_rest = _with_value(rest, '_rest', with_number) -%}
{%- set with_label = _with_value(label, '_label', with_rest) -%}
{%- set with_round = _with_value(round, '_round', with_label) -%}
{%- set parsed -%}
(case
    when not regexp_matches(coalesce(_written, ''), '[\pL\pN]') then null
    else {{ with_round }}
end)
{%- endset -%}
{{ _with_value('upper(' ~ clean_text(col) ~ ')', '_written', parsed) }}
{%- endmacro %}
