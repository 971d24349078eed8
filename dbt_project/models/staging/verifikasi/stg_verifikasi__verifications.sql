{#
  Kelurahan verification results, one row per KK number and verification date (event source: a corrected file
  replaces the row, across periods). verification_result is one of LAYAK, TIDAK_LAYAK, PINDAH, MENINGGAL,
  TIDAK_DITEMUKAN, USULAN_BARU.
#}
with {{ dedupe_ranked('base_verifikasi__verifications', ['kk_number', 'verification_date'], 'event') }}

select
    kk_number,
    kk_status,
    verification_date,
    verification_result,
    nik,
    nik_status,
    head_of_family_name,
    kelurahan_code,
    kelurahan_name_raw,
    rw,
    rt,
    officer_name,
    remarks,
    _field_warnings,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _file_modified_at
from ranked
where _dedup_rank = 1
