{#
  Which family (KK number) each person belonged to, and when: one row per person and uninterrupted stretch of
  Dukcapil snapshots listing them under one KK number (valid_from = the first period of the stretch, valid_to =
  the last; a person who goes back to an earlier KK gets a new stretch). Dukcapil issues KK numbers, so its
  snapshots are the history; DTSEN copies them late. Restricted: schema `intermediate`.
#}
with snapshots as (
    select nik, kk_number, _period
    from {{ ref('int_person_records') }}
    where source = 'dukcapil' and nik is not null and kk_number is not null
),

changes as (
    select
        *,
        case when kk_number is distinct from lag(kk_number) over (partition by nik order by _period) then 1 else 0 end
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
    max(stretches._period) as valid_to
from stretches
inner join {{ ref('int_person_identities') }} as people
    on people.nik = stretches.nik
inner join {{ ref('int_family_identities') }} as families
    on families.kk_number = stretches.kk_number
group by all
