{#
  KUR loans, one row per debtor NIK + bank + contract date (event source). bank is also the loan's agency_code.
#}
with {{ dedupe_ranked('base_kur__loans', ['nik', 'bank', 'contract_date'], 'event') }}

select
    nik,
    bank,
    contract_date,
    nik_status,
    debtor_name,
    bank as agency_code,
    scheme,
    credit_limit_idr,
    tenor_months,
    collectibility,
    program_code,
    _field_warnings,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _file_modified_at
from ranked
where _dedup_rank = 1
