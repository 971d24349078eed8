{#
  One version of one family (type-2 history), built from the dated DTSEN snapshots themselves (dtsen_keluarga, one
  per period), never from the time of the run. Walking a family's snapshots in period order, a snapshot opens a new
  version when any of these differ from the previous snapshot of the family:
  - desil: desil_nasional or desil_kabupaten_kota;
  - address: a hash of the address (alamat, whitespace and case normalised) with kelurahan, RW and RT (compared
    only; neither the address nor its hash is published);
  - housing condition: ownership, floor area, floor, wall, roof, drinking water, toilet facility, toilet type,
    sewage disposal, lighting, cooking fuel codes.
  valid_from = first day of the snapshot period where the version starts; valid_to = first day of the snapshot
  period of the next version (exclusive), NULL for the newest version (is_current). A family missing from some
  snapshots keeps its version through the gap (whether it is in the registry as of P is int_registry_family_months'
  business; in_newest_snapshot tells whether it is in the newest snapshot). member_count is the value at the
  version's first snapshot (a change of member count alone opens no version).
  Families known only from other sources (a KK number in verifications, bansos, rtlh, sanitasi, mitra, Dukcapil or
  member records but in no DTSEN snapshot) get one placeholder version (has_dtsen_record false, attributes NULL,
  valid_from the first day of the first reporting period), so every family_key of the facts has a row here.
  poverty_class here is the DTSEN class from desil_nasional alone; the class after field verification (graduated
  families are tidak_miskin) is fct_family_month.poverty_class.
  A KK number Dukcapil renumbered (a KK reissued after the head died, a move to another kecamatan) makes the family
  a new family_key: family_key stays the HMAC of one KK number (warehouse.md), and DTSEN, the registry and
  fct_family_month list the family under the number DTSEN has, the old one until DTSEN copies the new one.
  predecessor_family_key links the new number's family to the one it was renumbered from (int_kk_successors, one
  renumbering; NULL for any other family), on every version, so the family's history before the renumbering is
  one join away.
#}
{%- set tracked = [
    'desil_nasional', 'desil_kabupaten_kota', 'address_hash', 'home_ownership_code', 'floor_area_m2',
    'floor_type_code', 'wall_type_code', 'roof_type_code', 'drinking_water_source_code', 'toilet_facility_code',
    'toilet_type_code', 'sewage_disposal_code', 'lighting_source_code', 'cooking_fuel_code',
] %}
with snapshots as (
    select
        families.kk_number,
        families._period as snapshot_period,
        families.kecamatan_code,
        families.kelurahan_code,
        families.rw,
        families.rt,
        families.member_count,
        families.desil_nasional,
        families.desil_kabupaten_kota,
        families.home_ownership_code,
        families.floor_area_m2,
        families.floor_type_code,
        families.wall_type_code,
        families.roof_type_code,
        families.drinking_water_source_code,
        families.toilet_facility_code,
        families.toilet_type_code,
        families.sewage_disposal_code,
        families.lighting_source_code,
        families.cooking_fuel_code,
        md5(
            coalesce(upper(trim({{ tkpkd_regexp_replace('families.address', "'\\s+'", "' '") }})), '')
            || '|' || coalesce(families.kelurahan_code, '')
            || '|' || coalesce(cast(families.rw as string), '')
            || '|' || coalesce(cast(families.rt as string), '')
        ) as address_hash
    from {{ ref('stg_dtsen__families') }} as families
),

hashed as (
    select
        *,
        md5(
            {%- for column in tracked %}
            coalesce(cast({{ column }} as string), '~'){{ " || '|' ||" if not loop.last }}
            {%- endfor %}
        ) as version_hash
    from snapshots
),

flagged as (
    select
        *,
        case
            when (
                lag(version_hash) over (partition by kk_number order by snapshot_period) is distinct from version_hash
            )
                then 1 else 0
        end as opens_version
    from hashed
),

numbered as (
    select
        *,
        sum(opens_version) over (
            partition by kk_number order by snapshot_period rows between unbounded preceding and current row
        ) as version_number
    from flagged
),

spans as (
    select
        kk_number,
        version_number,
        min(snapshot_period) as first_snapshot_period,
        max(snapshot_period) as last_snapshot_period,
        count(*) as snapshot_count
    from numbered
    group by kk_number, version_number
),

newest_snapshot as (
    select max(snapshot_period) as snapshot_period from snapshots
),

family_newest as (
    select kk_number, max(snapshot_period) as last_seen_period
    from snapshots
    group by kk_number
),

versions as (
    select
        numbered.*,
        spans.last_snapshot_period,
        spans.snapshot_count,
        {{ tkpkd_period_start('numbered.snapshot_period') }} as valid_from,
        lead({{ tkpkd_period_start('numbered.snapshot_period') }}) over (
            partition by numbered.kk_number order by numbered.version_number
        ) as valid_to,
        family_newest.last_seen_period = newest_snapshot.snapshot_period as in_newest_snapshot
    from numbered
    inner join spans
        on spans.kk_number = numbered.kk_number
        and spans.version_number = numbered.version_number
    inner join family_newest
        on family_newest.kk_number = numbered.kk_number
    cross join newest_snapshot
    where numbered.opens_version = 1
),

-- the family a KK number was renumbered from, where there is exactly one
predecessors as (
    select successor_family_key as family_key, min(family_key) as predecessor_family_key
    from {{ ref('int_kk_successors') }}
    where renumberings = 1
    group by successor_family_key
    having count(distinct family_key) = 1
),

dtsen_versions as (
    select
        md5(identities.family_key || '|' || versions.snapshot_period) as family_version_key,
        identities.family_key,
        cast(versions.version_number as integer) as version_number,
        true as has_dtsen_record,
        {{ tkpkd_region_key('versions.kelurahan_code', 'versions.rw', 'versions.rt') }} as region_key,
        versions.kecamatan_code,
        versions.kelurahan_code,
        versions.rw,
        versions.rt,
        versions.desil_nasional,
        versions.desil_kabupaten_kota,
        {{ tkpkd_poverty_class('versions.desil_nasional', 'null') }} as poverty_class,
        versions.member_count,
        versions.home_ownership_code,
        versions.floor_area_m2,
        versions.floor_type_code,
        versions.wall_type_code,
        versions.roof_type_code,
        versions.drinking_water_source_code,
        versions.toilet_facility_code,
        versions.toilet_type_code,
        versions.sewage_disposal_code,
        versions.lighting_source_code,
        versions.cooking_fuel_code,
        versions.snapshot_period as first_snapshot_period,
        versions.last_snapshot_period,
        cast(versions.snapshot_count as integer) as snapshot_count,
        versions.valid_from,
        versions.valid_to,
        versions.valid_to is null as is_current,
        versions.in_newest_snapshot
    from versions
    inner join {{ ref('int_family_identities') }} as identities
        on identities.kk_number = versions.kk_number
),

placeholders as (
    select
        md5(identities.family_key || '|none') as family_version_key,
        identities.family_key,
        1 as version_number,
        false as has_dtsen_record,
        cast(null as string) as region_key,
        cast(null as string) as kecamatan_code,
        cast(null as string) as kelurahan_code,
        cast(null as integer) as rw,
        cast(null as integer) as rt,
        cast(null as integer) as desil_nasional,
        cast(null as integer) as desil_kabupaten_kota,
        cast(null as string) as poverty_class,
        cast(null as integer) as member_count,
        cast(null as integer) as home_ownership_code,
        cast(null as double) as floor_area_m2,
        cast(null as integer) as floor_type_code,
        cast(null as integer) as wall_type_code,
        cast(null as integer) as roof_type_code,
        cast(null as integer) as drinking_water_source_code,
        cast(null as integer) as toilet_facility_code,
        cast(null as integer) as toilet_type_code,
        cast(null as integer) as sewage_disposal_code,
        cast(null as integer) as lighting_source_code,
        cast(null as integer) as cooking_fuel_code,
        cast(null as string) as first_snapshot_period,
        cast(null as string) as last_snapshot_period,
        0 as snapshot_count,
        (select min(period_start) from {{ ref('int_periods') }}) as valid_from,
        cast(null as date) as valid_to,
        true as is_current,
        false as in_newest_snapshot
    from {{ ref('int_family_identities') }} as identities
    where identities.kk_number not in (select kk_number from snapshots)
),

all_versions as (
    select * from dtsen_versions
    union all
    select * from placeholders
)

select
    all_versions.*,
    predecessors.predecessor_family_key
from all_versions
left join predecessors
    on predecessors.family_key = all_versions.family_key
