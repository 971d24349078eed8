{#
  The registry as of each period P (warehouse.md, "Registry as of P"), all statuses: one row per family and period.

  Families: those of the NEWEST dtsen_keluarga snapshot from a period <= P (a snapshot is the whole truth: a family
  missing from it is not in the registry as of P), plus families proposed by a kelurahan verification (HASIL
  VERIFIKASI Usulan Baru dated <= the end of P). Then the newest verification dated <= the end of P sets
  registry_status: Tidak Layak -> graduated, Pindah / Tidak Ditemukan / Meninggal -> inactive, Layak -> verified,
  none -> unverified, Usulan Baru -> proposed. A verification dated after P is ignored for P.

  Decisions where the contract is silent:
  - A family that is in the DTSEN snapshot while its newest verification is still its Usulan Baru is `unverified`,
    not `proposed`: `proposed` is "a candidate family with no desil yet", and this family now has a DTSEN record
    and a desil that nobody has verified in the field yet.
  - A proposed family (not in the snapshot) takes its kelurahan, RW and RT from its newest verification row with a
    known kelurahan, and has no desil, housing codes or poverty_class.
  - member_count is jumlah_anggota_keluarga as delivered in the snapshot.
  - A family Dukcapil renumbered (int_kk_successors) keeps the verifications recorded under its old KK number, the
    ones made before the renumbering and the ones kelurahan minutes still write under the old number: once DTSEN
    lists it under the new number it is not `unverified` for want of history.
#}
with periods as (
    select period, period_start, period_end
    from {{ ref('int_periods') }}
),

dtsen_families as (
    select * from {{ ref('stg_dtsen__families') }}
),

period_snapshots as (
    {{ tkpkd_newest_snapshot_as_of('periods', 'dtsen_families') }}
),

snapshot_families as (
    select
        period_snapshots.period,
        period_snapshots.snapshot_period,
        families.*
    from period_snapshots
    inner join dtsen_families as families
        on families._period = period_snapshots.snapshot_period
),

verifications as (
    select kk_number, verification_date, verification_result, kelurahan_code, rw, rt
    from {{ ref('stg_verifikasi__verifications') }}
    where kk_number is not null
        and verification_date is not null
        and verification_result is not null
),

-- A renumbered family's verifications under its old KK number are its own (int_kk_successors: chains of
-- renumberings, never a split or a join), so the family keeps its history once DTSEN lists it under the new number.
-- The old number keeps them too. Proposals are not carried: a proposal lists the number it was made under.
family_verifications as (
    select * from verifications
    union all
    select
        successors.successor_kk_number as kk_number,
        verifications.verification_date,
        verifications.verification_result,
        verifications.kelurahan_code,
        verifications.rw,
        verifications.rt
    from verifications
    inner join {{ ref('int_kk_successors') }} as successors
        on successors.kk_number = verifications.kk_number
),

proposals as (
    select kk_number, min(verification_date) as first_proposed_on
    from verifications
    where verification_result = 'USULAN_BARU'
    group by kk_number
),

registry as (
    select period, kk_number, true as in_snapshot
    from snapshot_families
    union all
    select periods.period, proposals.kk_number, false as in_snapshot
    from periods
    inner join proposals
        on proposals.first_proposed_on <= periods.period_end
    where not exists (
        select 1
        from snapshot_families
        where snapshot_families.period = periods.period
            and snapshot_families.kk_number = proposals.kk_number
    )
),

latest_verification as (
    select
        registry.period,
        registry.kk_number,
        verifications.verification_date,
        verifications.verification_result
    from registry
    inner join periods
        on periods.period = registry.period
    inner join family_verifications as verifications
        on verifications.kk_number = registry.kk_number
        and verifications.verification_date <= periods.period_end
    qualify row_number() over (
        partition by registry.period, registry.kk_number
        order by verifications.verification_date desc
    ) = 1
),

proposal_location as (
    select
        registry.period,
        registry.kk_number,
        verifications.kelurahan_code,
        verifications.rw,
        verifications.rt
    from registry
    inner join periods
        on periods.period = registry.period
    inner join family_verifications as verifications
        on verifications.kk_number = registry.kk_number
        and verifications.verification_date <= periods.period_end
        and verifications.kelurahan_code is not null
    where not registry.in_snapshot
    qualify row_number() over (
        partition by registry.period, registry.kk_number
        order by verifications.verification_date desc
    ) = 1
),

assembled as (
    select
        registry.period,
        registry.kk_number,
        registry.in_snapshot,
        period_snapshots.snapshot_period,
        latest_verification.verification_result as latest_verification_outcome,
        latest_verification.verification_date as latest_verification_date,
        case
            when registry.in_snapshot and latest_verification.verification_result = 'USULAN_BARU' then 'unverified'
            else {{ tkpkd_registry_status('latest_verification.verification_result') }}
        end as registry_status,
        snapshot_families.desil_nasional,
        snapshot_families.desil_kabupaten_kota,
        coalesce(snapshot_families.kelurahan_code, proposal_location.kelurahan_code) as kelurahan_code,
        case when registry.in_snapshot then snapshot_families.rw else proposal_location.rw end as rw,
        case when registry.in_snapshot then snapshot_families.rt else proposal_location.rt end as rt,
        snapshot_families.member_count,
        snapshot_families.home_ownership_code,
        snapshot_families.floor_area_m2,
        snapshot_families.floor_type_code,
        snapshot_families.wall_type_code,
        snapshot_families.roof_type_code,
        snapshot_families.drinking_water_source_code,
        snapshot_families.toilet_facility_code,
        snapshot_families.toilet_type_code,
        snapshot_families.sewage_disposal_code,
        snapshot_families.lighting_source_code,
        snapshot_families.cooking_fuel_code
    from registry
    left join period_snapshots
        on period_snapshots.period = registry.period
    left join snapshot_families
        on snapshot_families.period = registry.period
        and snapshot_families.kk_number = registry.kk_number
        and registry.in_snapshot
    left join latest_verification
        on latest_verification.period = registry.period
        and latest_verification.kk_number = registry.kk_number
    left join proposal_location
        on proposal_location.period = registry.period
        and proposal_location.kk_number = registry.kk_number
)

select
    identities.family_key,
    assembled.kk_number,
    assembled.period,
    assembled.snapshot_period,
    assembled.in_snapshot,
    assembled.registry_status,
    assembled.latest_verification_outcome,
    assembled.latest_verification_date,
    assembled.desil_nasional,
    assembled.desil_kabupaten_kota,
    {{ tkpkd_poverty_class('assembled.desil_nasional', 'assembled.registry_status') }} as poverty_class,
    assembled.registry_status in ('verified', 'unverified', 'graduated') as is_active,
    {{ tkpkd_region_key('assembled.kelurahan_code', 'assembled.rw', 'assembled.rt') }} as region_key,
    regions.kecamatan_code,
    assembled.kelurahan_code,
    assembled.rw,
    assembled.rt,
    assembled.member_count,
    assembled.home_ownership_code,
    assembled.floor_area_m2,
    assembled.floor_type_code,
    assembled.wall_type_code,
    assembled.roof_type_code,
    assembled.drinking_water_source_code,
    assembled.toilet_facility_code,
    assembled.toilet_type_code,
    assembled.sewage_disposal_code,
    assembled.lighting_source_code,
    assembled.cooking_fuel_code
from assembled
inner join {{ ref('int_family_identities') }} as identities
    on identities.kk_number = assembled.kk_number
left join {{ ref('ref_regions') }} as regions
    on regions.region_code = assembled.kelurahan_code
