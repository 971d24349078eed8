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

best_name as (
    select nik, full_name, identity_source
    from candidates
    qualify row_number() over (partition by nik order by priority, _period desc) = 1
),

best_birth_date as (
    select nik, birth_date
    from candidates
    where birth_date is not null
    qualify row_number() over (partition by nik order by priority, _period desc) = 1
)

select
    people.person_key,
    people.nik,
    best_name.full_name,
    best_birth_date.birth_date,
    best_name.identity_source
from {{ ref('int_person_identities') }} as people
left join best_name
    on best_name.nik = people.nik
left join best_birth_date
    on best_birth_date.nik = people.nik
