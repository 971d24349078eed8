{#
  RTLH survey and renovation rows, one per KK number + activity + budget year (event source; activity and
  budget_year are NULL for a house only surveyed, and such a row is one per KK). A renovation is complete when
  completion_date is set.
#}
with {{ dedupe_ranked('base_rtlh__houses', ['kk_number', 'activity', 'budget_year'], 'event') }}

select
    kk_number,
    kk_status,
    activity,
    budget_year,
    program_code,
    nik,
    nik_status,
    head_of_family_name,
    address,
    kelurahan_code,
    kelurahan_name_raw,
    rw,
    rt,
    house_status,
    funding_source,
    amount_idr,
    completion_date,
    physical_progress_pct,
    _field_warnings,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _file_modified_at
from ranked
where _dedup_rank = 1
