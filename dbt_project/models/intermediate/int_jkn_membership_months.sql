{{ config(materialized='view') }}
{#
  JKN memberships in force as of each period P: the rows of the NEWEST jkn snapshot from a period <= P with
  STATUS_PESERTA AKTIF and TMT (coverage start) <= the end of P. One row per card (NOKA) and period, any segment
  (PBI APBN, PBI APBD, PBPU, PPU, BP). Feeds met_jaminan_sosial (every living member insured) and the PBI
  membership rows of fct_assistance (program_code set for the state-paid segments).
  A person missing from the newest jkn snapshot <= P has no membership as of P. A view: its seven million rows at city
  scale are cheaper to recompute for its two consumers than to write.
#}
with periods as (
    select period, period_end
    from {{ ref('int_periods') }}
),

jkn as (
    select _period, nik, noka, segment, program_code, membership_status, coverage_start_date, care_class
    from {{ ref('stg_jkn__memberships') }}
),

period_snapshots as (
    {{ tkpkd_newest_snapshot_as_of('periods', 'jkn', carry=['period_end']) }}
)

select
    period_snapshots.period,
    period_snapshots.period_end,
    period_snapshots.snapshot_period as jkn_snapshot_period,
    people.person_key,
    memberships.nik,
    memberships.noka,
    memberships.segment,
    memberships.program_code,
    memberships.coverage_start_date,
    memberships.care_class
from period_snapshots
inner join jkn as memberships
    on memberships._period = period_snapshots.snapshot_period
inner join {{ ref('int_person_identities') }} as people
    on people.nik = memberships.nik
where memberships.membership_status = 'AKTIF'
    and memberships.coverage_start_date <= period_snapshots.period_end
