{#
  Which basic needs served by benefits are met for each registry family as of each period P (warehouse.md):
  pangan, rumah, air and sanitasi. One row per family and period of int_registry_family_months.

  Family-level matching: an event counts for the family when it carries the family's KK number, or when its
  recipient NIK is one of the family's members as of P (int_family_members_months: the newest dtsen_individu
  snapshot <= P), whoever the family of the row's own KK number is.
  - met_pangan: a food event (int_need_events, need pangan) dated in the food_assistance_window_months (var, 3)
    calendar months ending with P: P or the two months before;
  - met_rumah: a rumah event (finished rtlh renovation, mitra PERUMAHAN) dated <= the end of P;
  - met_sanitasi: a sanitasi event (SELESAI with TANGGAL_SELESAI, mitra SANITASI) dated <= the end of P;
  - met_air: a member has an AKTIF connection with tanggal_pasang <= the end of P in the newest air_bersih snapshot
    <= P (int_water_access_months), or a mitra AIR_BERSIH event dated <= the end of P.
#}
{%- set food_window_months = tkpkd_window_months('food_assistance_window_months') %}
with family_months as (
    select registry.family_key, registry.period, periods.month_number, periods.period_end
    from {{ ref('int_registry_family_months') }} as registry
    inner join {{ ref('int_periods') }} as periods
        on periods.period = registry.period
),

members as (
    select family_key, period, person_key
    from {{ ref('int_family_members_months') }}
),

events as (
    select need, delivered_on, delivery_month_number, person_key, family_key
    from {{ ref('int_need_events') }}
),

-- pangan: events dated in the window ending with P (P, P-1, P-2 for 3 months)
food_matches as (
    select family_months.family_key, family_months.period, events.delivered_on
    from family_months
    inner join events
        on events.family_key = family_months.family_key
        and events.need = 'pangan'
        and events.delivery_month_number
            between family_months.month_number - {{ food_window_months - 1 }} and family_months.month_number
    union all
    select family_months.family_key, family_months.period, events.delivered_on
    from family_months
    inner join members
        on members.family_key = family_months.family_key
        and members.period = family_months.period
    inner join events
        on events.person_key = members.person_key
        and events.need = 'pangan'
        and events.delivery_month_number
            between family_months.month_number - {{ food_window_months - 1 }} and family_months.month_number
),

-- rumah, sanitasi, air (mitra): the first event of each family / person is enough (dated <= the end of P)
first_by_family as (
    select family_key, need, min(delivered_on) as first_on
    from events
    where need in ('rumah', 'sanitasi', 'air') and family_key is not null
    group by family_key, need
),

first_by_person as (
    select person_key, need, min(delivered_on) as first_on
    from events
    where need in ('rumah', 'sanitasi', 'air') and person_key is not null
    group by person_key, need
),

lasting_matches as (
    select family_months.family_key, family_months.period, first_by_family.need, first_by_family.first_on
    from family_months
    inner join first_by_family
        on first_by_family.family_key = family_months.family_key
        and first_by_family.first_on <= family_months.period_end
    union all
    select family_months.family_key, family_months.period, first_by_person.need, first_by_person.first_on
    from family_months
    inner join members
        on members.family_key = family_months.family_key
        and members.period = family_months.period
    inner join first_by_person
        on first_by_person.person_key = members.person_key
        and first_by_person.first_on <= family_months.period_end
),

water_connections as (
    select members.family_key, members.period, count(distinct water.connection_number) as active_connections
    from members
    inner join {{ ref('int_water_access_months') }} as water
        on water.person_key = members.person_key
        and water.period = members.period
    group by members.family_key, members.period
),

food as (
    select family_key, period, max(delivered_on) as last_food_delivered_on
    from food_matches
    group by family_key, period
),

lasting as (
    select
        family_key,
        period,
        min(first_on) filter (where need = 'rumah') as housing_met_on,
        min(first_on) filter (where need = 'sanitasi') as sanitation_met_on,
        min(first_on) filter (where need = 'air') as partner_water_on
    from lasting_matches
    group by family_key, period
)

select
    family_months.family_key,
    family_months.period,
    food.last_food_delivered_on is not null as met_pangan,
    food.last_food_delivered_on,
    lasting.housing_met_on is not null as met_rumah,
    lasting.housing_met_on,
    coalesce(water_connections.active_connections, 0) > 0 or lasting.partner_water_on is not null as met_air,
    cast(coalesce(water_connections.active_connections, 0) as integer) as active_water_connections,
    lasting.partner_water_on,
    lasting.sanitation_met_on is not null as met_sanitasi,
    lasting.sanitation_met_on
from family_months
left join food
    on food.family_key = family_months.family_key
    and food.period = family_months.period
left join lasting
    on lasting.family_key = family_months.family_key
    and lasting.period = family_months.period
left join water_connections
    on water_connections.family_key = family_months.family_key
    and water_connections.period = family_months.period
