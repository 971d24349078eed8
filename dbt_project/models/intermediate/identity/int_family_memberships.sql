{#
  Which family (KK number) each person belonged to, and when: one row per person and uninterrupted stretch of
  Dukcapil snapshots listing them under one KK number (valid_from = the first period of the stretch, valid_to =
  the last; a person who goes back to an earlier KK gets a new stretch). Dukcapil issues KK numbers, so its
  snapshots are the history; DTSEN copies them late. Restricted: schema `intermediate`.
  last_alive_period: the last period of the stretch in which Dukcapil lists the person alive (STATUS other than
  MATI); NULL when every snapshot of the stretch lists them dead. The dead keep the KK number they died under (a
  KK reissued after the head died lists the survivors under a new number and the late head under the old one), so
  whether a KK number is still in use is read from its living members (int_kk_lineage).
#}
with snapshots as (
    select nik, kk_number, _period, population_status
    from {{ ref('stg_dukcapil__residents') }}
    where nik is not null and kk_number is not null
),

changes as (
    select
        *,
        case when (kk_number is distinct from lag(kk_number) over (partition by nik order by _period)) then 1 else 0 end
            as starts_stretch
    from snapshots
),

stretches as (
    select
        *,
        sum(starts_stretch) over (partition by nik order by _period rows unbounded preceding) as stretch
    from changes
)

select
    people.person_key,
    families.family_key,
    stretches.nik,
    stretches.kk_number,
    cast(stretches.stretch as integer) as stretch,
    min(stretches._period) as valid_from,
    max(stretches._period) as valid_to,
    max(stretches._period) filter (where stretches.population_status is distinct from 'MATI') as last_alive_period
from stretches
inner join {{ ref('int_person_identities') }} as people
    on people.nik = stretches.nik
inner join {{ ref('int_family_identities') }} as families
    on families.kk_number = stretches.kk_number
group by all
