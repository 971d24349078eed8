{#
  The economic-empowerment pathway per period and kelurahan. Population: working-age members (var
  working_age_years, 18-59 years old at the end of P, alive) of poor families (ekstrem or miskin as of P), in the
  kelurahan of their family as of P. Funnel
  (each step a subset of the one before, every date up to the end of P; the order of dates is not required):
  1. trained: passed (LULUS) a pelatihan;
  2. trained_with_business: ... and owns a registered umkm business;
  3. trained_with_business_and_credit: ... and has a KUR loan;
  4. pathway_complete: ... and is working or self-employed after training (status_setelah_pelatihan BEKERJA or
     WIRAUSAHA).
  Conversions are step / previous step (trained_rate = trained / working-age members). trained_working counts
  trained members working or self-employed after training whether or not they took steps 2-3 (a job is an outcome
  on its own). Rows for every period x kelurahan of dim_region.
#}
with periods as (
    select period, period_end from {{ ref('int_periods') }}
),

kelurahan as (
    select distinct kecamatan_code, kecamatan_name, kelurahan_code, kelurahan_name
    from {{ ref('dim_region') }}
    where kelurahan_code is not null
),

poor_families as (
    select period, family_key, kelurahan_code
    from {{ ref('fct_family_month') }}
    where poverty_class in ('ekstrem', 'miskin')
),

members as (
    select
        poor_families.period,
        poor_families.kelurahan_code,
        members.person_key,
        periods.period_end,
        members.age_years
    from {{ ref('int_family_members_months') }} as members
    inner join poor_families
        on poor_families.family_key = members.family_key
        and poor_families.period = members.period
    inner join periods
        on periods.period = members.period
    where coalesce(members.is_alive, true)
        and members.age_years is not null
),

member_steps as (
    select
        members.period,
        members.kelurahan_code,
        members.person_key,
        coalesce(steps.trained_on <= members.period_end, false) as is_trained,
        coalesce(steps.business_registered_on <= members.period_end, false) as has_business,
        coalesce(steps.credit_on <= members.period_end, false) as has_credit,
        coalesce(steps.working_on <= members.period_end, false) as is_working
    from members
    left join {{ ref('int_empowerment_steps') }} as steps
        on steps.person_key = members.person_key
    where members.age_years between {{ var('working_age_years')[0] }} and {{ var('working_age_years')[1] }}
),

counted as (
    select
        period,
        kelurahan_code,
        count(distinct person_key) as working_age_members,
        count(distinct case when is_trained then person_key end) as trained,
        count(distinct case when is_trained and has_business then person_key end) as trained_with_business,
        count(distinct case when is_trained and has_business and has_credit then person_key end)
            as trained_with_business_and_credit,
        count(distinct case when is_trained and has_business and has_credit and is_working then person_key end)
            as pathway_complete,
        count(distinct case when is_trained and is_working then person_key end) as trained_working
    from member_steps
    group by period, kelurahan_code
)

select
    periods.period,
    kelurahan.kecamatan_code,
    kelurahan.kecamatan_name,
    kelurahan.kelurahan_code,
    kelurahan.kelurahan_name,
    cast(coalesce(counted.working_age_members, 0) as bigint) as working_age_members,
    cast(coalesce(counted.trained, 0) as bigint) as trained,
    cast(coalesce(counted.trained_with_business, 0) as bigint) as trained_with_business,
    cast(coalesce(counted.trained_with_business_and_credit, 0) as bigint) as trained_with_business_and_credit,
    cast(coalesce(counted.pathway_complete, 0) as bigint) as pathway_complete,
    cast(coalesce(counted.trained_working, 0) as bigint) as trained_working,
    {{ report_share('counted.trained', 'counted.working_age_members') }} as trained_rate,
    {{ report_share('counted.trained_with_business', 'counted.trained') }} as business_rate,
    {{ report_share('counted.trained_with_business_and_credit', 'counted.trained_with_business') }} as credit_rate,
    {{ report_share('counted.pathway_complete', 'counted.trained_with_business_and_credit') }} as working_rate,
    {{ report_share('counted.trained_working', 'counted.trained') }} as trained_working_rate
from periods
cross join kelurahan
left join counted
    on counted.period = periods.period
    and counted.kelurahan_code = kelurahan.kelurahan_code
