{{ config(schema='intermediate', materialized='table') }}
{#
  Helper of rpt_empowerment_pathway: one row per person (person_key) who reached at least one step of the
  economic-empowerment pathway, with the first date of each step. Person-level, pseudonymous; kept in schema
  intermediate (not published).
  - trained_on: completion (tanggal_selesai, else tanggal_mulai) of the first pelatihan with status_kelulusan LULUS;
  - working_on: of LULUS trainings whose status_setelah_pelatihan is BEKERJA or WIRAUSAHA, the first placement date
    (tanggal_penempatan, else the training's completion date);
  - business_registered_on: first tanggal_terdaftar of a umkm business the person owns (any snapshot);
  - credit_on: first KUR akad date (tanggal_akad) of the person as debtor.
  NIKs become person_key through int_person_identities; staging rows with a NIK that is not valid are not used.
#}
with identities as (
    select nik, person_key from {{ ref('int_person_identities') }}
),

trainings as (
    select
        nik,
        coalesce(end_date, start_date) as completed_on,
        post_training_status,
        coalesce(placement_date, end_date, start_date) as placed_on
    from {{ ref('stg_pelatihan__trainings') }}
    where nik is not null
        and graduation_status = 'LULUS'
),

steps as (
    select nik, 'trained' as step, completed_on as step_date
    from trainings
    union all
    select nik, 'working', placed_on
    from trainings
    where post_training_status in ('BEKERJA', 'WIRAUSAHA')
    union all
    select nik, 'business_registered', registration_date
    from {{ ref('stg_umkm__businesses') }}
    where nik is not null
    union all
    select nik, 'credit', contract_date
    from {{ ref('stg_kur__loans') }}
    where nik is not null
)

select
    identities.person_key,
    min(case when steps.step = 'trained' then steps.step_date end) as trained_on,
    min(case when steps.step = 'business_registered' then steps.step_date end) as business_registered_on,
    min(case when steps.step = 'credit' then steps.step_date end) as credit_on,
    min(case when steps.step = 'working' then steps.step_date end) as working_on
from steps
inner join identities
    on identities.nik = steps.nik
where steps.step_date is not null
group by identities.person_key
