{#
  Piped-water connections in service as of each period P: the rows of the NEWEST air_bersih snapshot from a period
  <= P with status AKTIF and tanggal_pasang <= the end of P, whose customer NIK is valid. One row per connection and
  period; HIBAH_MBR and regular (REGULER) connections alike (both count toward met_air). A connection whose NIK is
  unusable cannot be tied to anybody and is left out (it is not guessed from the name or address).
#}
with periods as (
    select period, period_end
    from {{ ref('int_periods') }}
),

-- read once (the staging view is referenced twice below)
connections as (
    select _period, connection_number, nik, connection_program, program_code, installation_date, connection_status
    from {{ ref('stg_air_bersih__connections') }}
),

water_snapshots as (
    select distinct _period as snapshot_period
    from connections
),

period_snapshots as (
    select periods.period, periods.period_end, max(water_snapshots.snapshot_period) as snapshot_period
    from periods
    inner join water_snapshots
        on water_snapshots.snapshot_period <= periods.period
    group by periods.period, periods.period_end
)

select
    period_snapshots.period,
    period_snapshots.snapshot_period as water_snapshot_period,
    connections.connection_number,
    people.person_key,
    connections.connection_program,
    connections.program_code,
    connections.installation_date
from period_snapshots
inner join connections
    on connections._period = period_snapshots.snapshot_period
inner join {{ ref('int_person_identities') }} as people
    on people.nik = connections.nik
where connections.connection_status = 'AKTIF'
    and connections.installation_date <= period_snapshots.period_end
