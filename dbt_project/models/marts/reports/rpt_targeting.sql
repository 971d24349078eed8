{#
  Targeting accuracy per period and programme with an eligibility ceiling (max_desil), per
  docs/contract/warehouse.md ("Recipients of a programme as of P").

  Recipients as of P, by kind: transfer and service, a delivery dated in P (fct_assistance holds delivered rows only:
  bansos STATUS SALUR); membership, an AKTIF membership as of P (fct_assistance's monthly row dated the last day of
  P); one_off, a completion in the assistance_window_months (var, 12) months ending with P. A recipient family is the delivery's family_key
  (fct_assistance's attribution); a delivery without a family counts as one family of its own (its person_key,
  else the delivery), not in the registry. Transfers paid per tahap have no recipients in months without a payout
  (exclusion_error 1 there).

  Inclusion error, judged on each delivery's date (fct_assistance's *_on_delivery columns): the family was not in
  the registry, inactive, above max_desil (a graduated family is above every max_desil), or the recipient was dead.
  A family is an error when any of its deliveries in the window is. A family that was only `proposed` (a candidate
  without desil) and has no other error is left out of the inclusion-error share (not counted in desil-based
  indicators) and reported in recipient_families_proposed.

  Eligible as of P: active families (fct_family_month) that are not graduated, with desil_nasional <= max_desil and,
  for one_off programmes, need_<basic_need> as of P. exclusion_error = eligible families that are not recipients as
  of P / eligible families.
#}
with periods as (
    select period, period_start, period_end from {{ ref('int_periods') }}
),

programs as (
    select program_key, program_code, program_name, category, basic_need, max_desil, kind
    from {{ ref('dim_program') }}
    where max_desil is not null
),

program_periods as (
    select
        periods.period,
        periods.period_end,
        case
            when programs.kind = 'one_off'
                then {{ dbt.dateadd(
                    'month', 1 - tkpkd_window_months('assistance_window_months'), 'periods.period_start'
                ) }}
            else periods.period_start
        end as window_start,
        programs.*
    from periods
    cross join programs
),

deliveries as (
    select
        assistance.assistance_key,
        assistance.program_key,
        assistance.delivered_on,
        assistance.period,
        assistance.family_key,
        coalesce(assistance.family_key, 'person:' || assistance.person_key, 'delivery:' || assistance.assistance_key)
            as recipient_unit,
        coalesce(assistance.amount_idr, 0) as amount_idr,
        coalesce(assistance.recipient_dead_on_delivery, false) as is_dead_recipient,
        assistance.family_registry_status_on_delivery as status_on_delivery,
        assistance.family_desil_on_delivery as desil_on_delivery
    from {{ ref('fct_assistance') }} as assistance
    where assistance.program_key in (select program_key from programs)
),

-- Each delivery in each report period whose recipient window holds it.
window_deliveries as (
    select
        program_periods.period as report_period,
        program_periods.max_desil,
        deliveries.*
    from deliveries
    inner join program_periods
        on program_periods.program_key = deliveries.program_key
        and program_periods.kind <> 'one_off'
        and program_periods.period = deliveries.period
    union all
    select
        program_periods.period,
        program_periods.max_desil,
        deliveries.*
    from deliveries
    inner join program_periods
        on program_periods.program_key = deliveries.program_key
        and program_periods.kind = 'one_off'
        and deliveries.delivered_on >= program_periods.window_start
        and deliveries.delivered_on <= program_periods.period_end
),

flagged_deliveries as (
    select
        report_period,
        program_key,
        recipient_unit,
        family_key,
        amount_idr,
        is_dead_recipient,
        family_key is null
            or status_on_delivery is null
            or status_on_delivery not in ('verified', 'unverified', 'graduated', 'inactive', 'proposed')
            as is_not_in_registry,
        coalesce(status_on_delivery = 'inactive', false) as is_inactive,
        coalesce(status_on_delivery = 'graduated', false) as is_graduated,
        coalesce(status_on_delivery = 'graduated', false)
            or coalesce(status_on_delivery in ('verified', 'unverified') and desil_on_delivery > max_desil, false)
            as is_above_max_desil,
        coalesce(status_on_delivery = 'proposed', false) as is_proposed
    from window_deliveries
),

recipient_families as (
    select
        report_period,
        program_key,
        recipient_unit,
        max(family_key) as family_key,
        max(case when is_not_in_registry then 1 else 0 end) as not_in_registry,
        max(case when is_inactive then 1 else 0 end) as inactive,
        max(case when is_above_max_desil then 1 else 0 end) as above_max_desil,
        max(case when is_graduated then 1 else 0 end) as graduated,
        max(case when is_dead_recipient then 1 else 0 end) as dead_recipient,
        max(case when is_proposed then 1 else 0 end) as proposed
    from flagged_deliveries
    group by report_period, program_key, recipient_unit
),

classified_recipients as (
    select
        *,
        case when not_in_registry + inactive + above_max_desil + dead_recipient > 0 then 1 else 0 end as is_error
    from recipient_families
),

recipient_summary as (
    select
        report_period,
        program_key,
        count(*) as recipient_families,
        sum(case when is_error = 0 and proposed = 1 then 1 else 0 end) as recipient_families_proposed,
        sum(is_error) as inclusion_error_families,
        sum(not_in_registry) as inclusion_not_in_registry_families,
        sum(inactive) as inclusion_inactive_families,
        sum(above_max_desil) as inclusion_above_max_desil_families,
        sum(graduated) as inclusion_graduated_families,
        sum(dead_recipient) as inclusion_dead_recipient_families
    from classified_recipients
    group by report_period, program_key
),

delivery_summary as (
    select
        report_period,
        program_key,
        count(*) as deliveries,
        sum(amount_idr) as amount_idr,
        sum(case when is_dead_recipient then 1 else 0 end) as deliveries_to_dead_recipients,
        sum(case when is_dead_recipient then amount_idr else 0 end) as amount_idr_to_dead_recipients
    from flagged_deliveries
    group by report_period, program_key
),

-- Active, non-graduated families by what decides eligibility (few rows: period x desil x need flags).
family_profiles as (
    select
        period,
        desil_nasional,
        {%- for item in report_basic_needs() %}
        coalesce(need_{{ item.need }}, false) as need_{{ item.need }},
        {%- endfor %}
        count(*) as families
    from {{ ref('fct_family_month') }}
    where registry_status in ('verified', 'unverified')
        and desil_nasional is not null
    group by
        period,
        desil_nasional
        {%- for item in report_basic_needs() %},
        coalesce(need_{{ item.need }}, false)
        {%- endfor %}
),

eligible_summary as (
    select
        program_periods.period as report_period,
        program_periods.program_key,
        sum(family_profiles.families) as eligible_families
    from program_periods
    inner join family_profiles
        on family_profiles.period = program_periods.period
        and family_profiles.desil_nasional <= program_periods.max_desil
        and (
            program_periods.kind <> 'one_off'
            or coalesce({{ report_need_column('program_periods.basic_need', 'need_', 'family_profiles') }}, false)
        )
    group by program_periods.period, program_periods.program_key
),

eligible_recipient_summary as (
    select
        program_periods.period as report_period,
        program_periods.program_key,
        count(*) as eligible_recipient_families
    from classified_recipients
    inner join program_periods
        on program_periods.period = classified_recipients.report_period
        and program_periods.program_key = classified_recipients.program_key
    inner join {{ ref('fct_family_month') }} as families
        on families.family_key = classified_recipients.family_key
        and families.period = classified_recipients.report_period
    where families.registry_status in ('verified', 'unverified')
        and families.desil_nasional <= program_periods.max_desil
        and (
            program_periods.kind <> 'one_off'
            or coalesce({{ report_need_column('program_periods.basic_need', 'need_', 'families') }}, false)
        )
    group by program_periods.period, program_periods.program_key
)

select
    program_periods.period,
    program_periods.program_key,
    program_periods.program_code,
    program_periods.program_name,
    program_periods.category,
    program_periods.kind,
    program_periods.basic_need,
    program_periods.max_desil,
    program_periods.window_start as recipient_window_start,
    program_periods.period_end as recipient_window_end,
    cast(coalesce(recipients.recipient_families, 0) as bigint) as recipient_families,
    cast(coalesce(deliveries.deliveries, 0) as bigint) as deliveries,
    cast(coalesce(deliveries.amount_idr, 0) as bigint) as amount_idr,
    cast(coalesce(recipients.recipient_families_proposed, 0) as bigint) as recipient_families_proposed,
    cast(coalesce(recipients.inclusion_error_families, 0) as bigint) as inclusion_error_families,
    cast(coalesce(recipients.inclusion_not_in_registry_families, 0) as bigint) as inclusion_not_in_registry_families,
    cast(coalesce(recipients.inclusion_inactive_families, 0) as bigint) as inclusion_inactive_families,
    cast(coalesce(recipients.inclusion_above_max_desil_families, 0) as bigint) as inclusion_above_max_desil_families,
    cast(coalesce(recipients.inclusion_graduated_families, 0) as bigint) as inclusion_graduated_families,
    cast(coalesce(recipients.inclusion_dead_recipient_families, 0) as bigint) as inclusion_dead_recipient_families,
    {{ report_share(
        'recipients.inclusion_error_families',
        'recipients.recipient_families - recipients.recipient_families_proposed'
    ) }} as inclusion_error,
    cast(coalesce(eligible.eligible_families, 0) as bigint) as eligible_families,
    cast(coalesce(eligible_recipients.eligible_recipient_families, 0) as bigint) as eligible_recipient_families,
    cast(
        coalesce(eligible.eligible_families, 0) - coalesce(eligible_recipients.eligible_recipient_families, 0)
        as bigint
    ) as excluded_eligible_families,
    {{ report_share(
        'coalesce(eligible.eligible_families, 0) - coalesce(eligible_recipients.eligible_recipient_families, 0)',
        'eligible.eligible_families'
    ) }} as exclusion_error,
    cast(coalesce(deliveries.deliveries_to_dead_recipients, 0) as bigint) as deliveries_to_dead_recipients,
    cast(coalesce(deliveries.amount_idr_to_dead_recipients, 0) as bigint) as amount_idr_to_dead_recipients
from program_periods
left join recipient_summary as recipients
    on recipients.report_period = program_periods.period
    and recipients.program_key = program_periods.program_key
left join delivery_summary as deliveries
    on deliveries.report_period = program_periods.period
    and deliveries.program_key = program_periods.program_key
left join eligible_summary as eligible
    on eligible.report_period = program_periods.period
    and eligible.program_key = program_periods.program_key
left join eligible_recipient_summary as eligible_recipients
    on eligible_recipients.report_period = program_periods.period
    and eligible_recipients.program_key = program_periods.program_key
