{#
  Every valid KK number (nomor kartu keluarga) seen in any staging source, with its pseudonymous
  family_key = pseudonym('kk', kk_number). Restricted: schema `intermediate`. Only valid KK numbers are keyed.
#}
{%- set sources = [
    ('dtsen_keluarga', 'stg_dtsen__families'),
    ('dtsen_individu', 'stg_dtsen__members'),
    ('dukcapil', 'stg_dukcapil__residents'),
    ('verifikasi_kelurahan', 'stg_verifikasi__verifications'),
    ('bansos', 'stg_bansos__payouts'),
    ('rtlh', 'stg_rtlh__houses'),
    ('sanitasi', 'stg_sanitasi__assistance'),
    ('mitra', 'stg_mitra__deliveries'),
] %}

with seen as (
    {%- for source_code, model in sources %}
    select distinct kk_number, '{{ source_code }}' as source
    from {{ ref(model) }}
    where kk_number is not null
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

numbers as (
    select
        kk_number,
        count(*) as source_count,
        string_agg(source, ' ' order by source) as seen_in_sources
    from seen
    group by kk_number
)

select
    kk_number,
    pseudonym('kk', kk_number) as family_key,
    cast(source_count as integer) as source_count,
    seen_in_sources
from numbers
