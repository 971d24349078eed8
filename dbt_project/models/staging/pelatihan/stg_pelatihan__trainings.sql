{#
  Training participations, one row per NIK + training (by its normalised name, training_key) + start date (event
  source).
#}
with {{ dedupe_ranked('base_pelatihan__trainings', ['nik', 'training_key', 'start_date'], 'event') }}

select
    nik,
    training_key,
    start_date,
    nik_status,
    full_name,
    sex,
    training_name,
    vocation,
    organiser,
    end_date,
    graduation_status,
    post_training_status,
    placement_date,
    program_code,
    _field_warnings,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _file_modified_at
from ranked
where _dedup_rank = 1
