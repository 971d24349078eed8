{#
  Registered micro and small businesses, one row per owner NIK + business (by its normalised name, business_key)
  and period (snapshot source).
#}
with {{ dedupe_ranked('base_umkm__businesses', ['nik', 'business_key'], 'snapshot') }}

select
    nik,
    business_key,
    nik_status,
    owner_name,
    business_name,
    nib,
    nib_status,
    sector,
    monthly_turnover_idr,
    registration_date,
    mentoring_type,
    mentoring_date,
    program_code,
    _field_warnings,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _file_modified_at
from ranked
where _dedup_rank = 1
