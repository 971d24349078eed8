{#
  The lurah's update duty made visible, per period and kelurahan. Window: the verification_window_months (var, 6) months
  ending with P (from the first day of P-5 to the last day of P, for 6).
  - poor_families: families of the registry as of P that are poor (poverty_class ekstrem or miskin, which implies
    active and not graduated), in the kelurahan of their registry address;
  - verified_families: of those, the ones whose newest kelurahan verification is dated within the window (for a
    poor family that verification can only be `Layak`); share_verified = verified / poor;
  - outcomes: every verification row (stg_verifikasi__verifications, one per KK number and date) dated within the
    window, in the kelurahan of the verification file, counted by HASIL VERIFIKASI. A family verified `Tidak Layak`
    leaves the poor count (it is graduated) and shows up in verifications_tidak_layak.
  Rows for every period x kelurahan of dim_region.
#}
with periods as (
    select
        period,
        {{ dbt.dateadd(
            'month', 1 - tkpkd_window_months('verification_window_months'), 'period_start'
        ) }} as window_start,
        period_end
    from {{ ref('int_periods') }}
),

kelurahan as (
    select distinct kecamatan_code, kecamatan_name, kelurahan_code, kelurahan_name
    from {{ ref('dim_region') }}
    where kelurahan_code is not null
),

poor as (
    select
        families.period,
        families.kelurahan_code,
        count(*) as poor_families,
        sum(case when families.poverty_class = 'ekstrem' then 1 else 0 end) as ekstrem_families,
        sum(
            case
                when families.latest_verification_date >= periods.window_start
                    and families.latest_verification_date <= periods.period_end then 1
                else 0
            end
        ) as verified_families
    from {{ ref('fct_family_month') }} as families
    inner join periods
        on periods.period = families.period
    where families.poverty_class in ('ekstrem', 'miskin')
    group by families.period, families.kelurahan_code
),

{%- set outcomes = ['LAYAK', 'TIDAK_LAYAK', 'PINDAH', 'MENINGGAL', 'TIDAK_DITEMUKAN', 'USULAN_BARU'] %}

verifications as (
    select
        periods.period,
        verifications.kelurahan_code,
        count(*) as verifications,
        {%- for outcome in outcomes %}
        sum(case when verifications.verification_result = '{{ outcome }}' then 1 else 0 end)
            as verifications_{{ outcome | lower }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('stg_verifikasi__verifications') }} as verifications
    inner join periods
        on verifications.verification_date >= periods.window_start
        and verifications.verification_date <= periods.period_end
    group by periods.period, verifications.kelurahan_code
)

select
    periods.period,
    periods.window_start,
    periods.period_end as window_end,
    kelurahan.kecamatan_code,
    kelurahan.kecamatan_name,
    kelurahan.kelurahan_code,
    kelurahan.kelurahan_name,
    cast(coalesce(poor.poor_families, 0) as bigint) as poor_families,
    cast(coalesce(poor.ekstrem_families, 0) as bigint) as ekstrem_families,
    cast(coalesce(poor.verified_families, 0) as bigint) as verified_families,
    {{ report_share('poor.verified_families', 'poor.poor_families') }} as share_verified,
    cast(coalesce(verifications.verifications, 0) as bigint) as verifications,
    {%- for outcome in outcomes %}
    cast(coalesce(verifications.verifications_{{ outcome | lower }}, 0) as bigint)
        as verifications_{{ outcome | lower }}{{ ',' if not loop.last }}
    {%- endfor %}
from periods
cross join kelurahan
left join poor
    on poor.period = periods.period
    and poor.kelurahan_code = kelurahan.kelurahan_code
left join verifications
    on verifications.period = periods.period
    and verifications.kelurahan_code = kelurahan.kelurahan_code
