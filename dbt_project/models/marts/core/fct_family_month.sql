{#
  One ACTIVE family (registry_status verified, unverified or graduated) in one period: the monthly snapshot of the
  registry as of P with the six basic needs (warehouse.md, "Basic needs"). Inactive and proposed families are not
  here (int_registry_family_months has every status).

  need_<b> (the family is in the need population), from the registry's DTSEN codes as of P; a missing code never
  creates a need, and a need is not reduced when it is met:
  - pangan: desil_nasional <= 2 and not graduated;
  - rumah: jenis_lantai_terluas 7 or 8, or jenis_dinding_terluas 4-7, or jenis_atap_terluas 6-8, or luas_lantai /
    jumlah_anggota_keluarga < min_floor_area_per_person_m2 (var, 7.2 m²; jumlah_anggota_keluarga as delivered, else
    the living members listed);
  - air: sumber_air_minum_utama 6, 8, 9 or 11;
  - sanitasi: fasilitas_bab 4, 5 or 6, or jenis_kloset other than 1, or pembuangan_akhir_tinja other than 1 or 2;
  - jaminan_sosial: the family has at least one living member as of P;
  - kesehatan: a living member is in a priority health group (under 5 at the end of P, penyakit_kronis > 0 or
    disabilitas = 1).
  met_<b>: int_family_benefits (pangan, rumah, air, sanitasi) and int_family_health_months (jaminan_sosial,
  kesehatan). unmet_<b> = need_<b> and not met_<b>; unmet_count counts them.
#}
{%- set needs = ['pangan', 'rumah', 'air', 'sanitasi', 'jaminan_sosial', 'kesehatan'] %}
with registry as (
    select registry.*, periods.period_start
    from {{ ref('int_registry_family_months') }} as registry
    inner join {{ ref('int_periods') }} as periods
        on periods.period = registry.period
    where registry.registry_status in ('verified', 'unverified', 'graduated')
),

assembled as (
    select
        registry.family_key,
        registry.period,
        versions.family_version_key,
        registry.region_key,
        registry.kecamatan_code,
        registry.kelurahan_code,
        registry.snapshot_period,
        registry.in_snapshot,
        registry.desil_nasional,
        registry.desil_kabupaten_kota,
        registry.poverty_class,
        registry.poverty_class in ('ekstrem', 'miskin') as is_poor,
        registry.registry_status,
        registry.latest_verification_outcome,
        registry.latest_verification_date,
        registry.member_count,
        coalesce(health.listed_member_count, 0) as listed_member_count,
        coalesce(health.living_member_count, 0) as living_member_count,
        coalesce(health.priority_health_member_count, 0) as priority_health_member_count,

        coalesce(registry.desil_nasional <= 2, false) and registry.registry_status <> 'graduated' as need_pangan,
        coalesce(benefits.met_pangan, false) as met_pangan,

        coalesce(registry.floor_type_code in (7, 8), false)
            or coalesce(registry.wall_type_code between 4 and 7, false)
            or coalesce(registry.roof_type_code between 6 and 8, false)
            or coalesce(
                registry.floor_area_m2 / nullif(coalesce(registry.member_count, health.living_member_count), 0)
                    < {{ var('min_floor_area_per_person_m2') }},
                false
            ) as need_rumah,
        coalesce(benefits.met_rumah, false) as met_rumah,

        coalesce(registry.drinking_water_source_code in (6, 8, 9, 11), false) as need_air,
        coalesce(benefits.met_air, false) as met_air,

        coalesce(registry.toilet_facility_code in (4, 5, 6), false)
            or coalesce(registry.toilet_type_code <> 1, false)
            or coalesce(registry.sewage_disposal_code not in (1, 2), false) as need_sanitasi,
        coalesce(benefits.met_sanitasi, false) as met_sanitasi,

        coalesce(health.living_member_count, 0) > 0 as need_jaminan_sosial,
        coalesce(health.met_jaminan_sosial, false) as met_jaminan_sosial,

        coalesce(health.priority_health_member_count, 0) > 0 as need_kesehatan,
        coalesce(health.met_kesehatan, false) as met_kesehatan
    from registry
    left join {{ ref('int_family_benefits') }} as benefits
        on benefits.family_key = registry.family_key
        and benefits.period = registry.period
    left join {{ ref('int_family_health_months') }} as health
        on health.family_key = registry.family_key
        and health.period = registry.period
    left join {{ ref('dim_family') }} as versions
        on versions.family_key = registry.family_key
        and versions.valid_from <= registry.period_start
        and (versions.valid_to is null or versions.valid_to > registry.period_start)
)

select
    *,
    {%- for need in needs %}
    need_{{ need }} and not met_{{ need }} as unmet_{{ need }},
    {%- endfor %}
    cast(
        {%- for need in needs %}
        (need_{{ need }} and not met_{{ need }})::integer{{ " +" if not loop.last }}
        {%- endfor %}
    as integer) as unmet_count
from assembled
