{#
  "Tidak ada warga yang tertinggal": extreme-poor (`ekstrem`) families with no row in fct_assistance (any programme,
  any member) dated in the assistance_window_months (var, 12) months ending with P, i.e. delivered in periods
  P-11 .. P for 12. A delivery counts for the
  family when it was recorded against the family (fct_assistance.family_key, the recipient's family on the delivery
  date) or against a person who is a member of the family as of P (so a member who joined from another family
  brings their assistance along). last_assistance_date is the newest such delivery up to the end of P, NULL when
  the family never received anything.
#}
with periods as (
    select
        period,
        period_end,
        {{ report_period_of(
            dbt.dateadd('month', 1 - tkpkd_window_months('assistance_window_months'), 'period_start')
        ) }} as window_start_period
    from {{ ref('int_periods') }}
),

ekstrem as (
    select families.period, families.family_key, families.region_key, families.kelurahan_code,
        families.desil_nasional, families.poverty_class, families.registry_status, families.unmet_count
    from {{ ref('fct_family_month') }} as families
    where families.poverty_class = 'ekstrem'
),

assistance as (
    select family_key, person_key, period, delivered_on
    from {{ ref('fct_assistance') }}
),

family_assistance_periods as (
    select family_key, period, max(delivered_on) as last_delivered_on
    from assistance
    where family_key is not null
    group by family_key, period
),

ekstrem_members as (
    select members.period, members.family_key, members.person_key
    from {{ ref('int_family_members_months') }} as members
    inner join ekstrem
        on ekstrem.family_key = members.family_key
        and ekstrem.period = members.period
    where members.person_key is not null
),

-- of the members' deliveries only: the join on `period <=` below pairs each member-period with every earlier
-- delivery period, and run on every recipient first (the optimizer's choice) it made 18 million pairs at city scale
person_assistance_periods as (
    select person_key, period, max(delivered_on) as last_delivered_on
    from assistance
    where person_key in (select person_key from ekstrem_members)
    group by person_key, period
),

-- Newest delivery up to the end of P, for the family and through its members as of P.
last_deliveries as (
    select ekstrem.period, ekstrem.family_key, max(delivered.last_delivered_on) as last_assistance_date
    from ekstrem
    inner join family_assistance_periods as delivered
        on delivered.family_key = ekstrem.family_key
        and delivered.period <= ekstrem.period
    group by ekstrem.period, ekstrem.family_key
    union all
    select ekstrem_members.period, ekstrem_members.family_key, max(delivered.last_delivered_on)
    from ekstrem_members
    inner join person_assistance_periods as delivered
        on delivered.person_key = ekstrem_members.person_key
        and delivered.period <= ekstrem_members.period
    group by ekstrem_members.period, ekstrem_members.family_key
),

last_delivery as (
    select period, family_key, max(last_assistance_date) as last_assistance_date
    from last_deliveries
    group by period, family_key
)

select
    ekstrem.period,
    ekstrem.family_key,
    ekstrem.region_key,
    regions.kecamatan_code,
    regions.kecamatan_name,
    coalesce(regions.kelurahan_code, ekstrem.kelurahan_code) as kelurahan_code,
    regions.kelurahan_name,
    regions.rw,
    regions.rt,
    ekstrem.desil_nasional,
    ekstrem.poverty_class,
    ekstrem.registry_status,
    ekstrem.unmet_count,
    periods.window_start_period,
    last_delivery.last_assistance_date,
    case
        when last_delivery.last_assistance_date is null then null
        else {{ dbt.datediff('last_delivery.last_assistance_date', 'periods.period_end', 'month') }}
    end as months_since_last_assistance
from ekstrem
inner join periods
    on periods.period = ekstrem.period
left join last_delivery
    on last_delivery.period = ekstrem.period
    and last_delivery.family_key = ekstrem.family_key
left join {{ ref('dim_region') }} as regions
    on regions.region_key = ekstrem.region_key
where last_delivery.last_assistance_date is null
    or {{ report_period_of('last_delivery.last_assistance_date') }} < periods.window_start_period
