{#
  Outcomes, not outputs: did families who received a programme category fare better than similar families who did
  not? For every pair of DTSEN snapshot periods b < e (the periods of the dtsen_keluarga snapshots in force in fct_family_month:
  desil only moves with a snapshot), among the families poor at b (fct_family_month, poverty_class ekstrem or
  miskin: desil_nasional 1-4 and not graduated), split by whether the family received any delivery of the category
  after the end of b and up to the end of e (fct_assistance.family_key, delivered_on in (end of b, end of e]):
  - followed_families: those still active (verified, unverified, graduated) at e; the others (not in the registry,
    inactive or proposed at e) are counted in lost_families and left out of every rate;
  - better_desil_share: desil_nasional at e higher (less poor) than at b;
  - graduated_share: desil_nasional >= 5 at e, or registry_status graduated at e (verified Tidak Layak);
  - mean_unmet_change: mean of (unmet needs at e - unmet needs at b); negative is an improvement;
  - mean_desil_change: mean of (desil at e - desil at b).
  The row with intervention_group = 'difference' holds intervened minus not_intervened for the rates and means
  (counts NULL). Rows exist for every pair, every category of dim_program and all three groups.
#}
with snapshot_periods as (
    select distinct families.snapshot_period as period, periods.period_end
    from {{ ref('fct_family_month') }} as families
    inner join {{ ref('int_periods') }} as periods
        on periods.period = families.snapshot_period
    where families.snapshot_period is not null
),

pairs as (
    select
        baseline.period as baseline_period,
        baseline.period_end as baseline_period_end,
        evaluation.period as evaluation_period,
        evaluation.period_end as evaluation_period_end
    from snapshot_periods as baseline
    inner join snapshot_periods as evaluation
        on evaluation.period > baseline.period
),

categories as (
    select distinct category from {{ ref('dim_program') }} where category is not null
),

families as (
    select family_key, period, desil_nasional, poverty_class, registry_status, unmet_count
    from {{ ref('fct_family_month') }}
),

cohort as (
    select
        pairs.baseline_period,
        pairs.evaluation_period,
        baseline.family_key,
        baseline.desil_nasional as baseline_desil,
        baseline.unmet_count as baseline_unmet_count,
        evaluation.family_key is not null as is_followed,
        evaluation.desil_nasional as evaluation_desil,
        evaluation.unmet_count as evaluation_unmet_count,
        evaluation.desil_nasional > baseline.desil_nasional as has_better_desil,
        coalesce(evaluation.registry_status = 'graduated' or evaluation.desil_nasional >= 5, false) as has_graduated
    from pairs
    inner join families as baseline
        on baseline.period = pairs.baseline_period
        and baseline.poverty_class in ('ekstrem', 'miskin')
    left join families as evaluation
        on evaluation.period = pairs.evaluation_period
        and evaluation.family_key = baseline.family_key
),

delivery_periods as (
    select distinct family_key, category, delivered_on
    from {{ ref('fct_assistance') }}
    where family_key is not null
        and family_key in (select family_key from cohort)
),

interventions as (
    select distinct
        pairs.baseline_period,
        pairs.evaluation_period,
        delivery_periods.category,
        delivery_periods.family_key
    from delivery_periods
    inner join pairs
        on delivery_periods.delivered_on > pairs.baseline_period_end
        and delivery_periods.delivered_on <= pairs.evaluation_period_end
),

grouped as (
    select
        cohort.baseline_period,
        cohort.evaluation_period,
        categories.category,
        case when interventions.family_key is not null then 'intervened' else 'not_intervened' end
            as intervention_group,
        count(*) as poor_families_at_baseline,
        sum(case when cohort.is_followed then 1 else 0 end) as followed_families,
        sum(case when cohort.is_followed then 0 else 1 end) as lost_families,
        sum(case when cohort.is_followed and cohort.has_better_desil then 1 else 0 end) as better_desil_families,
        sum(case when cohort.is_followed and cohort.has_graduated then 1 else 0 end) as graduated_families,
        avg(case when cohort.is_followed then cohort.evaluation_unmet_count - cohort.baseline_unmet_count end)
            as mean_unmet_change,
        avg(case when cohort.is_followed then cohort.evaluation_desil - cohort.baseline_desil end)
            as mean_desil_change
    from cohort
    cross join categories
    left join interventions
        on interventions.baseline_period = cohort.baseline_period
        and interventions.evaluation_period = cohort.evaluation_period
        and interventions.category = categories.category
        and interventions.family_key = cohort.family_key
    group by 1, 2, 3, 4
),

scaffold as (
    select pairs.baseline_period, pairs.evaluation_period, categories.category, groups.intervention_group
    from pairs
    cross join categories
    cross join (
        select 'intervened' as intervention_group
        union all
        select 'not_intervened'
    ) as groups
),

group_rows as (
    select
        scaffold.baseline_period,
        scaffold.evaluation_period,
        scaffold.category,
        scaffold.intervention_group,
        cast(coalesce(grouped.poor_families_at_baseline, 0) as bigint) as poor_families_at_baseline,
        cast(coalesce(grouped.followed_families, 0) as bigint) as followed_families,
        cast(coalesce(grouped.lost_families, 0) as bigint) as lost_families,
        cast(coalesce(grouped.better_desil_families, 0) as bigint) as better_desil_families,
        {{ report_share('grouped.better_desil_families', 'grouped.followed_families') }} as better_desil_share,
        cast(coalesce(grouped.graduated_families, 0) as bigint) as graduated_families,
        {{ report_share('grouped.graduated_families', 'grouped.followed_families') }} as graduated_share,
        cast(grouped.mean_unmet_change as double) as mean_unmet_change,
        cast(grouped.mean_desil_change as double) as mean_desil_change
    from scaffold
    left join grouped
        on grouped.baseline_period = scaffold.baseline_period
        and grouped.evaluation_period = scaffold.evaluation_period
        and grouped.category = scaffold.category
        and grouped.intervention_group = scaffold.intervention_group
),

difference_rows as (
    select
        intervened.baseline_period,
        intervened.evaluation_period,
        intervened.category,
        'difference' as intervention_group,
        cast(null as bigint) as poor_families_at_baseline,
        cast(null as bigint) as followed_families,
        cast(null as bigint) as lost_families,
        cast(null as bigint) as better_desil_families,
        intervened.better_desil_share - not_intervened.better_desil_share as better_desil_share,
        cast(null as bigint) as graduated_families,
        intervened.graduated_share - not_intervened.graduated_share as graduated_share,
        intervened.mean_unmet_change - not_intervened.mean_unmet_change as mean_unmet_change,
        intervened.mean_desil_change - not_intervened.mean_desil_change as mean_desil_change
    from group_rows as intervened
    inner join group_rows as not_intervened
        on not_intervened.baseline_period = intervened.baseline_period
        and not_intervened.evaluation_period = intervened.evaluation_period
        and not_intervened.category = intervened.category
        and not_intervened.intervention_group = 'not_intervened'
    where intervened.intervention_group = 'intervened'
)

select * from group_rows
union all
select * from difference_rows
