{{ config(schema='pii') }}
{#
  RESTRICTED (schema pii, never published): person_key back to the NIK, name and birth date, for the officers who
  visit (case lists). One row per person of dim_person. Name and birth date come from the first source that knows
  the person, in this order: the newest DTSEN member record, the newest Dukcapil record, the newest JKN record, then
  the newest row of puskesmas services, trainings, businesses, loans, bansos, partner deliveries, PDAM, RTLH or
  sanitation (a birth date only from the first three). Rows of one source and period can disagree (two puskesmas
  visits of a month, a name typed two ways): then the alphabetically first name and the earliest birth date win, so
  that every run gives the same.
#}
{#- the order is each source's `staging.persons.identity_rank` in sources.yaml #}
{%- set named_sources = staging_sources() | selectattr('persons') | selectattr('persons.identity_rank')
    | sort(attribute='persons.identity_rank') | list %}
with candidates as (
    {%- for item in named_sources %}
    select
        nik,
        {{ item.persons.name }} as full_name,
        {{ item.persons.birth_date or 'cast(null as date)' }} as birth_date,
        '{{ item.source }}' as identity_source,
        {{ item.persons.identity_rank }} as priority,
        _period
    from {{ ref(item.stg) }}
    where nik is not null and {{ item.persons.name }} is not null
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
        {{ tkpkd_arg_min('full_name', 'source_rank', tie_break='full_name') }} as full_name,
        {{ tkpkd_arg_min('identity_source', 'source_rank') }} as identity_source,
        {{ tkpkd_arg_min('birth_date', 'source_rank', tie_break='birth_date') }}
            filter (where birth_date is not null) as birth_date
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
