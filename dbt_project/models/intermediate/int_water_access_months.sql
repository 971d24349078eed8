{#
  Piped-water connections in service as of each period P: the rows of the NEWEST air_bersih snapshot from a period
  <= P with status AKTIF and tanggal_pasang <= the end of P, whose customer NIK is valid. One row per connection and
  period; HIBAH_MBR and regular (REGULER) connections alike (both count toward met_air). The customer is the row's
  valid NIK, else the person identity resolution found for the row (int_person_resolution); a row that stays
  unresolved is left out (never guessed).
#}
with periods as (
    select period, period_end
    from {{ ref('int_periods') }}
),

connections as (
    select
        _period, _source_file, _row_number, connection_number, nik, connection_program, program_code,
        installation_date, connection_status
    from {{ ref('stg_air_bersih__connections') }}
),

period_snapshots as (
    {{ tkpkd_newest_snapshot_as_of('periods', 'connections', carry=['period_end']) }}
)

select
    period_snapshots.period,
    period_snapshots.snapshot_period as water_snapshot_period,
    connections.connection_number,
    coalesce(people.person_key, resolution.person_key) as person_key,
    connections.connection_program,
    connections.program_code,
    connections.installation_date
from period_snapshots
inner join connections
    on connections._period = period_snapshots.snapshot_period
left join {{ ref('int_person_identities') }} as people
    on people.nik = connections.nik
-- a row without a valid NIK: the person record linkage found, if any
left join (
    {{ tkpkd_linked_person_rows() }}
) as resolution
    on connections.nik is null
    and resolution._source_file = connections._source_file
    and resolution._row_number = connections._row_number
where connections.connection_status = 'AKTIF'
    and coalesce(people.person_key, resolution.person_key) is not null
    and connections.installation_date <= period_snapshots.period_end
