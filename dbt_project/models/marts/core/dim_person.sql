{#
  One person: every valid NIK seen in any source, pseudonymous (person_key) and without direct identifiers (no NIK,
  name or birth date: birth_year only). Attributes come from the person's newest DTSEN member record (dtsen_individu),
  else their newest Dukcapil record; where neither knows the person, sex is read from the NIK itself (day of birth
  + 40 for women) and birth_year stays NULL (the NIK's two-digit year does not fix the century).
  - family_key: the current family, i.e. the KK number of the newest DTSEN member record, else of the newest
    Dukcapil record;
  - is_alive: false when Dukcapil records a death (MATI with TGL_MATI) on or before the end of the last reporting
    period; people never recorded as dead are alive;
  - has_disability, has_chronic_illness: from the newest DTSEN member record (NULL for people outside DTSEN).
#}
with latest_member as (
    select
        nik,
        {{ tkpkd_arg_max('sex', '_period') }} as sex,
        {{ tkpkd_arg_max('birth_date', '_period') }} as birth_date,
        {{ tkpkd_arg_max('has_disability', '_period') }} as has_disability,
        {{ tkpkd_arg_max('chronic_illness_code', '_period') }} as chronic_illness_code,
        {{ tkpkd_arg_max('kk_number', '_period') }} filter (where kk_number is not null) as kk_number
    from {{ ref('stg_dtsen__members') }}
    group by nik
),

latest_register as (
    select
        person_key,
        {{ tkpkd_arg_max('sex', 'snapshot_period') }} as sex,
        {{ tkpkd_arg_max('birth_date', 'snapshot_period') }} as birth_date,
        {{ tkpkd_arg_max('family_key', 'snapshot_period') }} filter (where family_key is not null) as family_key
    from {{ ref('int_person_register_records') }}
    group by person_key
),

last_period as (
    select max(period_end) as last_period_end from {{ ref('int_periods') }}
)

select
    people.person_key,
    coalesce(member_families.family_key, latest_register.family_key) as family_key,
    coalesce(
        latest_member.sex,
        latest_register.sex,
        case
            when substr(people.nik, 7, 2) between '41' and '71' then 'P'
            when substr(people.nik, 7, 2) between '01' and '31' then 'L'
        end
    ) as sex,
    cast(year(coalesce(latest_member.birth_date, latest_register.birth_date)) as integer) as birth_year,
    not coalesce(deaths.death_date <= last_period.last_period_end, false) as is_alive,
    latest_member.has_disability,
    latest_member.chronic_illness_code > 0 as has_chronic_illness,
    latest_member.nik is not null as in_dtsen,
    latest_register.person_key is not null as in_dukcapil,
    case
        when latest_member.nik is not null then 'dtsen_individu'
        when latest_register.person_key is not null then 'dukcapil'
        else 'nik'
    end as attribute_source
from {{ ref('int_person_identities') }} as people
cross join last_period
left join latest_member
    on latest_member.nik = people.nik
left join {{ ref('int_family_identities') }} as member_families
    on member_families.kk_number = latest_member.kk_number
left join latest_register
    on latest_register.person_key = people.person_key
left join {{ ref('int_person_deaths') }} as deaths
    on deaths.person_key = people.person_key
