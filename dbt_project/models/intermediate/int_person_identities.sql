{#
  Every valid NIK seen in any staging source, with its pseudonymous person_key = pseudonym('nik', nik)
  (HMAC-SHA256 under TKPKD_PSEUDONYM_SECRET). Restricted: lives in schema `intermediate`, never published.
  Only valid NIKs are keyed (staging leaves `nik` NULL unless its status is `valid`; an Excel-damaged NIK is never
  matched). The pseudonym is computed here once per NIK; every other model joins this table.
#}
{%- set sources = [
    ('dtsen_individu', 'stg_dtsen__members', 'nik'),
    ('dukcapil', 'stg_dukcapil__residents', 'nik'),
    ('verifikasi_kelurahan', 'stg_verifikasi__verifications', 'nik'),
    ('bansos', 'stg_bansos__payouts', 'nik'),
    ('jkn', 'stg_jkn__memberships', 'nik'),
    ('layanan_kesehatan', 'stg_layanan_kesehatan__services', 'nik'),
    ('rtlh', 'stg_rtlh__houses', 'nik'),
    ('air_bersih', 'stg_air_bersih__connections', 'nik'),
    ('sanitasi', 'stg_sanitasi__assistance', 'nik'),
    ('pelatihan', 'stg_pelatihan__trainings', 'nik'),
    ('umkm', 'stg_umkm__businesses', 'nik'),
    ('kur', 'stg_kur__loans', 'nik'),
    ('mitra', 'stg_mitra__deliveries', 'nik'),
] %}

with seen as (
    {%- for source_code, model, column in sources %}
    select distinct {{ column }} as nik, '{{ source_code }}' as source
    from {{ ref(model) }}
    where {{ column }} is not null
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

niks as (
    select
        nik,
        count(*) as source_count,
        string_agg(source, ' ' order by source) as seen_in_sources
    from seen
    group by nik
)

select
    nik,
    pseudonym('nik', nik) as person_key,
    cast(source_count as integer) as source_count,
    seen_in_sources
from niks
