{#
  Health coverage of each family's members as of each period P (warehouse.md): one row per family and period with
  members in int_family_members_months.
  - jaminan_sosial: every LIVING member has a JKN membership with STATUS_PESERTA AKTIF and TMT <= the end of P in the
    newest jkn snapshot <= P (int_jkn_membership_months, any segment). Dead members are not counted.
  - kesehatan: every living member of a priority health group (under 5 at the end of P, penyakit_kronis > 0 or
    disabilitas = 1) has at least one layanan_kesehatan record dated in the health_service_window_months (var, 12)
    calendar months ending with P (P-11 to P for 12; a record dated after P does not count for P). A record without
    a valid NIK counts for the person identity resolution found for it (int_person_resolution), never for a guess.
  An empty group meets nothing: met_jaminan_sosial is false without a living member and met_kesehatan is false
  without a living priority member (their need is false then too).
#}
{%- set service_window_months = tkpkd_window_months('health_service_window_months') %}
with members as (
    select members.*, periods.month_number
    from {{ ref('int_family_members_months') }} as members
    inner join {{ ref('int_periods') }} as periods
        on periods.period = members.period
),

insured as (
    select distinct period, person_key
    from {{ ref('int_jkn_membership_months') }}
),

service_months as (
    select distinct
        coalesce(people.person_key, resolution.person_key) as person_key,
        {{ tkpkd_month_number(tkpkd_period_of('services.service_date')) }} as service_month_number
    from {{ ref('stg_layanan_kesehatan__services') }} as services
    left join {{ ref('int_person_identities') }} as people
        on people.nik = services.nik
    left join (
        {{ tkpkd_linked_person_rows() }}
    ) as resolution
        on services.nik is null
        and resolution._source_file = services._source_file
        and resolution._row_number = services._row_number
    where services.service_date is not null
        and coalesce(people.person_key, resolution.person_key) is not null
),

served as (
    select distinct members.period, members.person_key
    from members
    inner join service_months
        on service_months.person_key = members.person_key
        and service_months.service_month_number
            between members.month_number - {{ service_window_months - 1 }} and members.month_number
    where members.is_priority_health
),

member_flags as (
    select
        members.family_key,
        members.period,
        members.person_key,
        members.is_alive,
        members.is_alive and members.is_priority_health as is_living_priority,
        insured.person_key is not null as is_insured,
        served.person_key is not null as is_served
    from members
    left join insured
        on insured.period = members.period
        and insured.person_key = members.person_key
    left join served
        on served.period = members.period
        and served.person_key = members.person_key
),

families as (
    select
        family_key,
        period,
        cast(count(*) as integer) as listed_member_count,
        cast(count(*) filter (where is_alive) as integer) as living_member_count,
        cast(count(*) filter (where is_alive and is_insured) as integer) as insured_living_member_count,
        cast(count(*) filter (where is_living_priority) as integer) as priority_health_member_count,
        cast(count(*) filter (where is_living_priority and is_served) as integer) as served_priority_member_count
    from member_flags
    group by family_key, period
)

select
    *,
    living_member_count > 0 and insured_living_member_count = living_member_count as met_jaminan_sosial,
    priority_health_member_count > 0 and served_priority_member_count = priority_health_member_count as met_kesehatan
from families
