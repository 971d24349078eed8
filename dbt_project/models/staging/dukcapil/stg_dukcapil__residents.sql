{#
  Residents in the population register, one row per NIK and period (snapshot source). population_status MATI with
  death_date tells who died (the marts decide "dead as of P": MATI and death_date <= end of P).
#}
with {{ dedupe_ranked('base_dukcapil__residents', ['nik'], 'snapshot') }}

select
    nik,
    nik_status,
    kk_number,
    kk_status,
    full_name,
    sex,
    birth_place,
    birth_date,
    kelurahan_code,
    kelurahan_name_raw,
    rw,
    rt,
    address,
    family_relationship,
    population_status,
    death_date,
    _field_warnings,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _file_modified_at
from ranked
where _dedup_rank = 1
