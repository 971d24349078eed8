{#
  Deaths from the population register (Dukcapil), one row per person. A person is dead as of P when ANY Dukcapil
  record of any snapshot says STATUS MATI with a TGL_MATI on or before the end of P (warehouse.md). Decisions:
  - every snapshot counts, also one delivered after P: a death registered late still dates the death, so history is
    restated when the register catches up (the earliest TGL_MATI wins when records disagree);
  - a later snapshot saying HIDUP does not revive a person (the register corrects deaths rarely; a MATI record with
    its date is the stronger evidence);
  - a MATI record without a usable TGL_MATI cannot place the death in time and does not make the person dead here
    (the person is listed with death_date NULL and counted in mati_without_date_records, for data-quality
    follow-up).
#}
with mati as (
    select nik, death_date, _period
    from {{ ref('stg_dukcapil__residents') }}
    where population_status = 'MATI'
        and nik is not null
)

select
    identities.person_key,
    mati.nik,
    min(mati.death_date) as death_date,
    min(case when mati.death_date is not null then mati._period end) as first_reported_period,
    cast(count(*) filter (where mati.death_date is null) as integer) as mati_without_date_records
from mati
inner join {{ ref('int_person_identities') }} as identities
    on identities.nik = mati.nik
group by identities.person_key, mati.nik
