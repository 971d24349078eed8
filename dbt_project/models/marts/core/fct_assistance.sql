{#
  One delivered benefit or service (warehouse.md, "Programmes"): a payout, a finished renovation, a subsidised
  water connection, a finished sanitation grant, a training, business support, a loan, a partner delivery, a
  puskesmas service, and one row per PBI member and month of active membership. Deliveries come from
  int_assistance_deliveries; this model places each in a family, a region and the registry as of its date.

  The benefit's family (family_attribution):
  1. registry_member: the recipient's family in the registry as of the delivery's period (the recipient is a member
     of a family of the newest dtsen_individu snapshot <= that period, and that family is in the registry then);
  2. row_kk: else the family of the row's own KK number (bansos NO_KK, rtlh, sanitasi, mitra NO_KK);
     kk_lineage: the same step where Dukcapil renumbered that family by the delivery's period (a list copying the
     old number late): the family holding the new number (int_assistance_deliveries.row_family_source);
  3. dtsen_member: else the recipient's DTSEN family as of that period even though it is not in the registry;
  4. register: else the family of the recipient's KK number in their newest Dukcapil record from a period <= the
     delivery's period;
  5. first_known: else, for a recipient no register knew yet at the delivery date (a newborn served before DTSEN
     and Dukcapil list it; support recorded before the reporting window), the first family the person is later
     listed in (DTSEN member snapshots first, then Dukcapil);
  else no family (family_key NULL).
  region_key: the family's region in the registry as of the delivery's period; else the row's own location (RT when
  the row has RW and RT, else its kelurahan); else the recipient's Dukcapil address; else NULL.
  recipient_dead_on_delivery: the recipient died (Dukcapil MATI, TGL_MATI) on or before the delivery date; NULL
  when the recipient is unknown.
#}
{#- a delivery's registry row (its family in its period), carried as registry_<field> -#}
{%- set registry_fields = [
    'family_key', 'registry_status', 'desil_nasional', 'poverty_class', 'region_key', 'kelurahan_code'
] %}
{%- set registry_names = 'registry_' ~ registry_fields | join(', registry_') %}

with deliveries as (
    select * from {{ ref('int_assistance_deliveries') }}
),

registry as (
    select family_key, period, registry_status, desil_nasional, poverty_class, region_key, kelurahan_code
    from {{ ref('int_registry_family_months') }}
),

-- the recipient's DTSEN family as of the delivery's period, and that family's registry row then: most deliveries
-- are placed here, and their registry row is this one (the other deliveries look theirs up once their family is known)
placed as (
    select
        deliveries.*,
        members.family_key as member_family_key,
        member_registry.family_key is not null as member_in_registry,
        {%- for field in registry_fields %}
        member_registry.{{ field }} as registry_{{ field }}{{ ',' if not loop.last }}
        {%- endfor %}
    from deliveries
    left join {{ ref('int_family_members_months') }} as members
        on members.person_key = deliveries.person_key
        and members.period = deliveries.period
    left join registry as member_registry
        on member_registry.family_key = members.family_key
        and member_registry.period = deliveries.period
),

register_records as (
    select person_key, snapshot_period, family_key, kelurahan_code, rw, rt
    from {{ ref('int_person_register_records') }}
),

-- the Dukcapil fallback is only looked up for deliveries not placed in a registry family through the recipient,
-- in the records of their recipients only (an ASOF join sorts its right side)
recipients_outside_registry as (
    select distinct person_key from placed where not member_in_registry and person_key is not null
),

outside_registry as (
    select
        placed.*,
        register_records.family_key as register_family_key,
        {{ tkpkd_region_key('register_records.kelurahan_code', 'register_records.rw', 'register_records.rt') }}
            as register_region_key,
        register_records.kelurahan_code as register_kelurahan_code
    from (select * exclude ({{ registry_names }}) from placed where not member_in_registry) as placed
    asof left join (
        select * from register_records
        where person_key in (select person_key from recipients_outside_registry)
    ) as register_records
        on register_records.person_key = placed.person_key
        and placed.period >= register_records.snapshot_period
),

programmes as (
    select
        program_code,
        {{ tkpkd_program_key('program_code') }} as program_key,
        category,
        basic_need,
        kind
    from {{ ref('ref_programs') }}
),

agencies as (
    select agency_name, {{ tkpkd_agency_key('agency_name') }} as agency_key
    from (select distinct agency_name from deliveries where agency_name is not null) as names
),

-- last resort, for a recipient not yet known at the delivery date (a newborn served before the registers list it,
-- support recorded before the reporting window): the first family the person is later listed in, DTSEN first
unplaced_people as (
    select distinct person_key
    from outside_registry
    where person_key is not null
        and row_family_key is null
        and member_family_key is null
        and register_family_key is null
),

first_member as (
    select members.person_key, arg_min(members.family_key, members.period) as family_key
    from {{ ref('int_family_members_months') }} as members
    inner join unplaced_people
        on unplaced_people.person_key = members.person_key
    group by members.person_key
),

first_register as (
    select
        register_records.person_key,
        arg_min(register_records.family_key, register_records.snapshot_period) as family_key
    from register_records
    inner join unplaced_people
        on unplaced_people.person_key = register_records.person_key
    where register_records.family_key is not null
    group by register_records.person_key
),

first_known as (
    select
        unplaced_people.person_key,
        coalesce(first_member.family_key, first_register.family_key) as family_key
    from unplaced_people
    left join first_member
        on first_member.person_key = unplaced_people.person_key
    left join first_register
        on first_register.person_key = unplaced_people.person_key
),

-- the deliveries not placed in a registry family through the recipient: their family, then its registry row
attributed_outside_registry as (
    select
        outside_registry.* exclude (register_family_key, register_region_key, register_kelurahan_code),
        coalesce(
            outside_registry.row_family_key,
            outside_registry.member_family_key,
            outside_registry.register_family_key,
            first_known.family_key
        ) as family_key,
        case
            when outside_registry.row_family_source = 'kk_lineage' then 'kk_lineage'
            when outside_registry.row_family_key is not null then 'row_kk'
            when outside_registry.member_family_key is not null then 'dtsen_member'
            when outside_registry.register_family_key is not null then 'register'
            when first_known.family_key is not null then 'first_known'
        end as family_attribution,
        outside_registry.register_region_key,
        outside_registry.register_kelurahan_code
    from outside_registry
    left join first_known
        on first_known.person_key = outside_registry.person_key
        and outside_registry.row_family_key is null
        and outside_registry.member_family_key is null
        and outside_registry.register_family_key is null
),

attributed as (
    select
        placed.* exclude ({{ registry_names }}),
        placed.member_family_key as family_key,
        'registry_member' as family_attribution,
        cast(null as string) as register_region_key,
        cast(null as string) as register_kelurahan_code,
        {%- for field in registry_fields %}
        placed.registry_{{ field }}{{ ',' if not loop.last }}
        {%- endfor %}
    from placed
    where placed.member_in_registry

    union all

    select
        attributed_outside_registry.*,
        {%- for field in registry_fields %}
        registry.{{ field }} as registry_{{ field }}{{ ',' if not loop.last }}
        {%- endfor %}
    from attributed_outside_registry
    left join registry
        on registry.family_key = attributed_outside_registry.family_key
        and registry.period = attributed_outside_registry.period
)

select
    attributed.assistance_key,
    attributed.source,
    programmes.program_key,
    attributed.program_code,
    programmes.category,
    programmes.basic_need,
    programmes.kind as program_kind,
    agencies.agency_key,
    {{ tkpkd_date_key('attributed.delivered_on') }} as date_key,
    attributed.delivered_on,
    attributed.period,
    attributed.family_key,
    attributed.person_key,
    case
        when attributed.registry_region_key is not null then attributed.registry_region_key
        when attributed.row_kelurahan_code is not null
            then {{ tkpkd_region_key('attributed.row_kelurahan_code', 'attributed.row_rw', 'attributed.row_rt') }}
        else attributed.register_region_key
    end as region_key,
    coalesce(
        attributed.registry_kelurahan_code, attributed.row_kelurahan_code, attributed.register_kelurahan_code
    ) as kelurahan_code,
    attributed.amount_idr,
    attributed.funding_source,
    attributed.delivery_status,
    attributed.delivery_detail,
    case
        when attributed.person_key is not null then coalesce(deaths.death_date <= attributed.delivered_on, false)
    end as recipient_dead_on_delivery,
    attributed.registry_family_key is not null as family_in_registry_on_delivery,
    attributed.registry_registry_status as family_registry_status_on_delivery,
    attributed.registry_desil_nasional as family_desil_on_delivery,
    attributed.registry_poverty_class as family_poverty_class_on_delivery,
    attributed.family_attribution,
    attributed.person_link as recipient_link
from attributed
left join programmes
    on programmes.program_code = attributed.program_code
left join agencies
    on agencies.agency_name = attributed.agency_name
left join {{ ref('int_person_deaths') }} as deaths
    on deaths.person_key = attributed.person_key
