{#
  Every raw row of pelatihan (job and skills training), parsed and classified.
  Quarantined: a missing or unusable NIK (the person key; an Excel-damaged one keeps the row unresolved: nik NULL, flagged in _field_warnings), a missing
  nama_pelatihan, tanggal_mulai (invalid_date), status_kelulusan outside LULUS / TIDAK LULUS / MENGUNDURKAN DIRI
  (invalid_code). jenis_kelamin, tanggal_selesai, status_setelah_pelatihan and tanggal_penempatan are optional;
  kejuruan is kept as a normalised code and not checked (the contract's list is open). Every row belongs to the
  programme PELATIHAN_KERJA.
#}

{%- set checks = [
    {'column': 'nik', 'status': 'nik_status', 'reason': 'invalid_nik', 'required': true},
    {'column': 'jenis_kelamin', 'value': 'sex', 'reason': 'invalid_code'},
    {'column': 'nama_pelatihan', 'required': true},
    {'column': 'tanggal_mulai', 'value': 'start_date', 'reason': 'invalid_date', 'required': true},
    {'column': 'tanggal_selesai', 'value': 'end_date', 'reason': 'invalid_date'},
    {'column': 'status_kelulusan', 'value': 'graduation_status', 'reason': 'invalid_code', 'required': true},
    {'column': 'status_setelah_pelatihan', 'value': 'post_training_status', 'reason': 'invalid_code'},
    {'column': 'tanggal_penempatan', 'value': 'placement_date', 'reason': 'invalid_date'},
] -%}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'pelatihan') }} as _raw
    from {{ source('raw', 'pelatihan') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        {{ identifier_value('_raw.nik', 'nik') }} as nik,
        {{ identifier_status('_raw.nik', 'nik') }} as nik_status,
        {{ clean_text('_raw.nama') }} as full_name,
        {{ parse_sex('_raw.jenis_kelamin') }} as sex,
        {{ clean_text('_raw.nama_pelatihan') }} as training_name,
        {{ normalise_program_name('_raw.nama_pelatihan') }} as training_key,
        {{ normalise_code('_raw.kejuruan') }} as vocation,
        {{ clean_text('_raw.penyelenggara') }} as organiser,
        {{ parse_date('_raw.tanggal_mulai') }} as start_date,
        {{ parse_date('_raw.tanggal_selesai') }} as end_date,
        {{ valid_code(normalise_code('_raw.status_kelulusan'), 'status_kelulusan') }} as graduation_status,
        {{ valid_code(
            normalise_code('_raw.status_setelah_pelatihan'), 'status_setelah_pelatihan'
        ) }} as post_training_status,
        {{ parse_date('_raw.tanggal_penempatan') }} as placement_date,
        'PELATIHAN_KERJA' as program_code
    from raw_rows
),

{{ classified_rows('parsed', checks) }}
