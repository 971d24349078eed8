{#
  One delivered benefit or service (warehouse.md, "Programmes"): a payout, a finished renovation, a subsidised
  water connection, a finished sanitation grant, a training, business support, a loan, a partner delivery, a
  puskesmas service, and one row per PBI member and month of active membership. Deliveries come from
  int_assistance_deliveries; this model places each in a family, a region and the registry as of its date.

  The benefit's family (family_attribution):
  1. registry_member: the recipient's family in the registry as of the delivery's period (the recipient is a member
     of a family of the newest dtsen_individu snapshot <= that period, and that family is in the registry then);
  2. row_kk: else the family of the row's own KK number (bansos NO_KK, rtlh, sanitasi, mitra NO_KK);
  3. dtsen_member: else the recipient's DTSEN family as of that period even though it is not in the registry;
  4. register: else the family of the recipient's KK number in their newest Dukcapil record from a period <= the
     delivery's period;
  else no family (family_key NULL).
  region_key: the family's region in the registry as of the delivery's period; else the row's own location (RT when
  the row has RW and RT, else its kelurahan); else the recipient's Dukcapil address; else NULL.
  recipient_dead_on_delivery: the recipient died (Dukcapil MATI, TGL_MATI) on or before the delivery date; NULL
  when the recipient is unknown.
#}
with deliveries as (
    select * from {{ ref('int_assistance_deliveries') }}
),

member_family as (
    select
        deliveries.assistance_key,
        members.family_key,
        registry.family_key is not null as in_registry
    from deliveries
    inner join {{ ref('int_family_members_months') }} as members
        on members.person_key = deliveries.person_key
        and members.period = deliveries.period
    left join {{ ref('int_registry_family_months') }} as registry
        on registry.family_key = members.family_key
        and registry.period = deliveries.period
),

register_records as (
    select person_key, snapshot_period, family_key, kelurahan_code, rw, rt
    from {{ ref('int_person_register_records') }}
),

register_family as (
    select
        deliveries.assistance_key,
        register_records.family_key,
        {{ tkpkd_region_key('register_records.kelurahan_code', 'register_records.rw', 'register_records.rt') }} as region_key,
        register_records.kelurahan_code
    from deliveries
    asof inner join register_records
        on register_records.person_key = deliveries.person_key
        and deliveries.period >= register_records.snapshot_period
),

attributed as (
    select
        deliveries.*,
        case
            when member_family.in_registry then member_family.family_key
            when deliveries.row_family_key is not null then deliveries.row_family_key
            when member_family.family_key is not null then member_family.family_key
            else register_family.family_key
        end as family_key,
        case
            when member_family.in_registry then 'registry_member'
            when deliveries.row_family_key is not null then 'row_kk'
            when member_family.family_key is not null then 'dtsen_member'
            when register_family.family_key is not null then 'register'
        end as family_attribution,
        register_family.region_key as register_region_key,
        register_family.kelurahan_code as register_kelurahan_code
    from deliveries
    left join member_family
        on member_family.assistance_key = deliveries.assistance_key
    left join register_family
        on register_family.assistance_key = deliveries.assistance_key
)

select
    attributed.assistance_key,
    attributed.source,
    {{ tkpkd_program_key('attributed.program_code') }} as program_key,
    attributed.program_code,
    programmes.category,
    programmes.basic_need,
    programmes.kind as program_kind,
    {{ tkpkd_agency_key('attributed.agency_name') }} as agency_key,
    {{ tkpkd_date_key('attributed.delivered_on') }} as date_key,
    attributed.delivered_on,
    attributed.period,
    attributed.family_key,
    attributed.person_key,
    coalesce(
        registry.region_key,
        {{ tkpkd_region_key('attributed.row_kelurahan_code', 'attributed.row_rw', 'attributed.row_rt') }},
        attributed.register_region_key
    ) as region_key,
    coalesce(registry.kelurahan_code, attributed.row_kelurahan_code, attributed.register_kelurahan_code) as kelurahan_code,
    attributed.amount_idr,
    attributed.funding_source,
    attributed.delivery_status,
    attributed.delivery_detail,
    case
        when attributed.person_key is not null then coalesce(deaths.death_date <= attributed.delivered_on, false)
    end as recipient_dead_on_delivery,
    registry.family_key is not null as family_in_registry_on_delivery,
    registry.registry_status as family_registry_status_on_delivery,
    registry.desil_nasional as family_desil_on_delivery,
    registry.poverty_class as family_poverty_class_on_delivery,
    attributed.family_attribution,
    attributed.person_link as recipient_link
from attributed
left join {{ ref('ref_programs') }} as programmes
    on programmes.program_code = attributed.program_code
left join {{ ref('int_registry_family_months') }} as registry
    on registry.family_key = attributed.family_key
    and registry.period = attributed.period
left join {{ ref('int_person_deaths') }} as deaths
    on deaths.person_key = attributed.person_key
