{#
  Sanitation assistance, one row per KK number + assistance type (event source). Met when assistance_status is
  SELESAI with a completion_date.
#}
with {{ dedupe_ranked('base_sanitasi__assistance', ['kk_number', 'assistance_type'], 'event') }}

select
    kk_number,
    kk_status,
    assistance_type,
    nik,
    nik_status,
    full_name,
    kelurahan_code,
    kelurahan_name_raw,
    rw,
    rt,
    funding_source,
    completion_date,
    assistance_status,
    program_code,
    _field_warnings,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _file_modified_at
from ranked
where _dedup_rank = 1
