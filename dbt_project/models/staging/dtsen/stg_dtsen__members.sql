{#
  DTSEN family members, one row per NIK and period (snapshot source). The jaminan_kesehatan bitmask is decoded into
  one flag per scheme (NULL when the code is 99, tidak tahu, or unusable).
#}
with {{ dedupe_ranked('base_dtsen__members', ['nik'], 'snapshot') }}

select
    nik,
    nik_status,
    kk_number,
    kk_status,
    full_name,
    birth_date,
    sex,
    relationship_code,
    is_working,
    chronic_illness_code,
    chronic_illness_code > 0 as has_chronic_illness,
    has_disability,
    school_participation_code,
    health_insurance_code,
    case when health_insurance_code between 0 and 31 then (health_insurance_code & 1) > 0 end as has_pbi_jkn,
    case when health_insurance_code between 0 and 31 then (health_insurance_code & 2) > 0 end as has_jkn_mandiri,
    case when health_insurance_code between 0 and 31 then (health_insurance_code & 4) > 0 end as has_jkn_employer,
    case when health_insurance_code between 0 and 31 then (health_insurance_code & 8) > 0 end as has_jamkesda,
    case when health_insurance_code between 0 and 31 then (health_insurance_code & 16) > 0 end as has_private_insurance,
    _field_warnings,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _file_modified_at
from ranked
where _dedup_rank = 1
