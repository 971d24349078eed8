{{ config(schema='pii') }}
{#
  RESTRICTED (schema pii, never published): person_key back to the NIK, name and birth date, for the officers who
  visit (case lists). One row per person of dim_person. Name and birth date come from the first source that knows
  the person, in this order: the newest DTSEN member record, the newest Dukcapil record, the newest JKN record, then
  the newest row of puskesmas services, trainings, businesses, loans, bansos, partner deliveries, PDAM, RTLH or
  sanitation (a birth date only from the first three).
#}
{%- set named_sources = [
    ('dtsen_individu', 'stg_dtsen__members', 'full_name', 'birth_date'),
    ('dukcapil', 'stg_dukcapil__residents', 'full_name', 'birth_date'),
    ('jkn', 'stg_jkn__memberships', 'full_name', 'birth_date'),
    ('layanan_kesehatan', 'stg_layanan_kesehatan__services', 'full_name', none),
    ('pelatihan', 'stg_pelatihan__trainings', 'full_name', none),
    ('umkm', 'stg_umkm__businesses', 'owner_name', none),
    ('kur', 'stg_kur__loans', 'debtor_name', none),
    ('bansos', 'stg_bansos__payouts', 'recipient_name', none),
    ('mitra', 'stg_mitra__deliveries', 'recipient_name', none),
    ('air_bersih', 'stg_air_bersih__connections', 'customer_name', none),
    ('rtlh', 'stg_rtlh__houses', 'head_of_family_name', none),
    ('sanitasi', 'stg_sanitasi__assistance', 'full_name', none),
] %}
with candidates as (
    {%- for source_code, model, name_column, birth_column in named_sources %}
    select
        nik,
        {{ name_column }} as full_name,
        {{ birth_column if birth_column else 'cast(null as date)' }} as birth_date,
        '{{ source_code }}' as identity_source,
        {{ loop.index }} as priority,
        _period
    from {{ ref(model) }}
    where nik is not null and {{ name_column }} is not null
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

-- the first source in the order above, and within it the newest period (a smaller rank wins)
ranked as (
    select *, priority * 100000 - {{ tkpkd_month_number('_period') }} as source_rank
    from candidates
),

best as (
    select
        nik,
        arg_min(full_name, source_rank) as full_name,
        arg_min(identity_source, source_rank) as identity_source,
        arg_min(birth_date, source_rank) filter (where birth_date is not null) as birth_date
    from ranked
    group by nik
)

select
    people.person_key,
    people.nik,
    best.full_name,
    best.birth_date,
    best.identity_source
from {{ ref('int_person_identities') }} as people
left join best
    on best.nik = people.nik
