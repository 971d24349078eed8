{#
  Puskesmas services, one row per NIK + service date + service type (event source). Every row is a delivery of the
  programme LAYANAN_KESEHATAN.
#}
with {{ dedupe_ranked('base_layanan_kesehatan__services', ['nik', 'service_date', 'service_type'], 'event') }}

select
    nik,
    nik_status,
    full_name,
    service_date,
    service_type,
    puskesmas,
    nutrition_status,
    program_code,
    _field_warnings,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _file_modified_at
from ranked
where _dedup_rank = 1
