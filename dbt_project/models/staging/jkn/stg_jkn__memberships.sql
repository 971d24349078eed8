{#
  JKN memberships, one row per card number (NOKA) and period (snapshot source). segment is PBI_APBN, PBI_APBD,
  PBPU, PPU or BP; program_code is set for the state-paid (PBI) segments only.
#}
with {{ dedupe_ranked('base_jkn__memberships', ['noka'], 'snapshot') }}

select
    noka,
    noka_status,
    nik,
    nik_status,
    full_name,
    birth_date,
    segment,
    program_code,
    membership_status,
    membership_status = 'AKTIF' as is_active,
    coverage_start_date,
    care_class,
    _field_warnings,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _file_modified_at
from ranked
where _dedup_rank = 1
