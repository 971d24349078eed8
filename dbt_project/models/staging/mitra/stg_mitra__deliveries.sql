{#
  Partner deliveries, one row per recipient NIK + partner programme (by its normalised name, partner_program_key) +
  delivery date (event source). program_code is MITRA_<category>; the responsible agency is the partner.
#}
with {{ dedupe_ranked('base_mitra__deliveries', ['nik', 'partner_program_key', 'delivery_date'], 'event') }}

select
    nik,
    partner_program_key,
    delivery_date,
    nik_status,
    kk_number,
    kk_status,
    recipient_name,
    partner_name,
    partner_sector,
    partner_program_name,
    category,
    program_code,
    kelurahan_code,
    kelurahan_name_raw,
    amount_idr,
    _field_warnings,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _file_modified_at
from ranked
where _dedup_rank = 1
