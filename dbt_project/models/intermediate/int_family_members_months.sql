{#
  Members of each family as of each period P: the people of the NEWEST dtsen_individu snapshot from a period <= P,
  each in the family of that snapshot's KK number (one family per person and period: staging keeps one row per NIK
  and snapshot). Members whose KK number is unusable (Excel-damaged or invalid) are left out: their family is
  unknown. The dtsen_individu snapshot is chosen independently of the dtsen_keluarga one (each source's newest
  snapshot <= P), so a member can belong to a family that is not in the registry as of P.

  is_alive: a person is dead as of P when any Dukcapil record says STATUS MATI with TGL_MATI <= the end of P
  (int_person_deaths: every Dukcapil snapshot counts, also one delivered later; the earliest TGL_MATI wins; a MATI
  without a usable date does not make the person dead). Dead members stay listed (is_alive false).
  is_priority_health: the member is in a priority health group as of P: under 5 years old at the end of P,
  penyakit_kronis > 0, or disabilitas = 1 (regardless of is_alive; need_kesehatan counts living members only).
#}
with periods as (
    select period, period_end
    from {{ ref('int_periods') }}
),

dtsen_members as (
    select _period, nik, kk_number, birth_date, sex, relationship_code, is_working, chronic_illness_code, has_disability
    from {{ ref('stg_dtsen__members') }}
),

period_snapshots as (
    {{ tkpkd_newest_snapshot_as_of('periods', 'dtsen_members', carry=['period_end']) }}
),

members as (
    select
        period_snapshots.period,
        period_snapshots.period_end,
        period_snapshots.snapshot_period,
        members.*
    from period_snapshots
    inner join dtsen_members as members
        on members._period = period_snapshots.snapshot_period
    where members.kk_number is not null
),

enriched as (
    select
        members.period,
        families.family_key,
        members.kk_number,
        people.person_key,
        members.nik,
        members.snapshot_period as member_snapshot_period,
        members.birth_date,
        cast(year(members.birth_date) as integer) as birth_year,
        members.sex,
        members.relationship_code,
        members.is_working,
        cast({{ tkpkd_whole_years('members.birth_date', 'members.period_end') }} as integer) as age_years,
        deaths.death_date,
        not coalesce(deaths.death_date <= members.period_end, false) as is_alive,
        coalesce(members.has_disability, false) as has_disability,
        coalesce(members.chronic_illness_code > 0, false) as has_chronic_illness,
        coalesce(members.birth_date + interval 5 year > members.period_end, false) as is_under_five
    from members
    inner join {{ ref('int_person_identities') }} as people
        on people.nik = members.nik
    inner join {{ ref('int_family_identities') }} as families
        on families.kk_number = members.kk_number
    left join {{ ref('int_person_deaths') }} as deaths
        on deaths.nik = members.nik
)

select
    *,
    is_under_five or has_chronic_illness or has_disability as is_priority_health
from enriched
