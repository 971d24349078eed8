{#
  Social assistance payouts, one row per NIK + programme + TAHAP + year of payout (event source: a corrected file
  replaces the row, across periods). The contract's key is NIK + PROGRAM + TAHAP; the payout year is added because
  TAHAP numbering restarts every year (PKH tahap 1 of 2025 and of 2026 are two payouts). Only payout_status SALUR
  is a delivered benefit (is_delivered).
#}
with {{ dedupe_ranked('base_bansos__payouts', ['nik', 'program_code', 'tahap', 'payout_year'], 'event') }}

select
    nik,
    nik_status,
    kk_number,
    kk_status,
    recipient_name,
    address,
    kelurahan_code,
    kelurahan_name_raw,
    program_code,
    program_name_raw,
    tahap,
    payout_year,
    payout_date,
    amount_idr,
    payout_status,
    payout_status = 'SALUR' as is_delivered,
    _field_warnings,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _file_modified_at
from ranked
where _dedup_rank = 1
