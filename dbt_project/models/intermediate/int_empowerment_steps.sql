{#
  Helper of rpt_empowerment_pathway: one row per person (person_key) who reached at least one step of the
  economic-empowerment pathway, with the first date of each step. Person-level, pseudonymous; kept in schema
  intermediate (not published).
  - trained_on: completion (tanggal_selesai, else tanggal_mulai) of the first pelatihan with status_kelulusan LULUS;
  - working_on: of LULUS trainings whose status_setelah_pelatihan is BEKERJA or WIRAUSAHA, the first placement date
    (tanggal_penempatan, else the training's completion date);
  - business_registered_on: first tanggal_terdaftar of a umkm business the person owns (any snapshot);
  - credit_on: first KUR akad date (tanggal_akad) of the person as debtor.
  A row's person: its valid NIK through int_person_identities, else the person identity resolution found for it
  (int_person_resolution); a row that stays unresolved is not used.
#}
with identities as (
    select nik, person_key from {{ ref('int_person_identities') }}
),

resolution as (
    {{ tkpkd_linked_person_rows(sources=['pelatihan', 'umkm', 'kur']) }}
),

trainings as (
    select
        nik,
        _source_file,
        _row_number,
        coalesce(end_date, start_date) as completed_on,
        post_training_status,
        coalesce(placement_date, end_date, start_date) as placed_on
    from {{ ref('stg_pelatihan__trainings') }}
    where graduation_status = 'LULUS'
),

steps as (
    select nik, _source_file, _row_number, 'trained' as step, completed_on as step_date
    from trainings
    union all
    select nik, _source_file, _row_number, 'working', placed_on
    from trainings
    where post_training_status in ('BEKERJA', 'WIRAUSAHA')
    union all
    select nik, _source_file, _row_number, 'business_registered', registration_date
    from {{ ref('stg_umkm__businesses') }}
    union all
    select nik, _source_file, _row_number, 'credit', contract_date
    from {{ ref('stg_kur__loans') }}
),

keyed as (
    select steps.*, coalesce(identities.person_key, resolution.person_key) as person_key
    from steps
    left join identities
        on identities.nik = steps.nik
    left join resolution
        on steps.nik is null
        and resolution._source_file = steps._source_file
        and resolution._row_number = steps._row_number
)

select
    person_key,
    min(case when step = 'trained' then step_date end) as trained_on,
    min(case when step = 'business_registered' then step_date end) as business_registered_on,
    min(case when step = 'credit' then step_date end) as credit_on,
    min(case when step = 'working' then step_date end) as working_on
from keyed
where step_date is not null
    and person_key is not null
group by person_key
