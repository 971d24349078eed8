{#
  PDAM water connections, one row per connection number and period (snapshot source). program_code is
  AIR_HIBAH_MBR for subsidised connections; a regular connection (REGULER, or no program written) has none but
  still counts toward met_air when AKTIF.
#}
with {{ dedupe_ranked('base_air_bersih__connections', ['connection_number'], 'snapshot') }}

select
    connection_number,
    nik,
    nik_status,
    customer_name,
    address,
    kelurahan_code,
    kelurahan_name_raw,
    tariff_group,
    connection_program,
    program_code,
    installation_date,
    connection_status,
    connection_status = 'AKTIF' as is_active,
    _field_warnings,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _file_modified_at
from ranked
where _dedup_rank = 1
