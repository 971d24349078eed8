{#
  Data quality per source and period. Rows: every contract source x every warehouse period (int_periods), plus any other (source, period)
  seen in raw.ingested_files; files in a folder that is not a period (`invalid_period_folder`) are listed under
  period 'unknown'. Files outside every source folder of the contract (an unknown inbox folder, `unknown_source`, or
  a file directly in the inbox, `misplaced_file`) are one row per period under source `_inbox` (the loader's
  INBOX_ROOT_SOURCE), their paths in rejection_reasons: the folder names are the deliverers' typos, not sources.
  - files: received (every distinct path + content the loader saw), loaded, rejected (with the loader's messages),
    duplicate_file (same bytes as a file already loaded);
  - rows (staging.stg_row_outcomes): received = accepted + quarantined + non-data; quarantined by reason as JSON;
  - valid_nik_share: of the data rows (accepted + quarantined) of sources that carry a NIK, the share whose NIK is
    valid (16 digits, plausible date part, not damaged by Excel); NULL for dtsen_keluarga (no NIK column);
  - person_rows, share_found_in_dukcapil, share_resolved_by_linkage, share_unresolved: identity resolution's own
    outcome per person row (intermediate.int_person_resolution), so that this report and the marts share one
    definition of "found in Dukcapil". The denominator is every person row of the source and period that identity
    resolution saw: the accepted rows after deduplication, whatever the state of their NIK. A row counts as found
    when the person it resolved to, by its own NIK or by record linkage (repaired_nik, linked), is in the newest
    Dukcapil snapshot at or before the row's period that lists them, alive, dead or moved (dukcapil_match found,
    found_dead, found_moved). So found + not found + unresolved = 1: a row without a usable NIK is not left out of
    the denominator, it shows as unresolved (or as found, when linkage found the person). Quarantined rows never
    reach identity resolution and are not counted here (valid_nik_share and quarantined_share cover them).
    share_found_in_dukcapil is NULL for dukcapil itself (every row is found by definition) and for dtsen_keluarga
    (no person rows);
  - share_found_in_registry: of the data rows with a valid KK number (sources with a KK column other than
    dtsen_keluarga itself), the share whose KK is a family of the DTSEN registry snapshot as of the row's period
    (the newest dtsen_keluarga snapshot of a period <= the row's period);
  - duplicates_removed: accepted rows dropped by natural-key deduplication (staging.stg_dedup_stats);
  - last_delivery_period_end, days_since_last_delivery: as of the row's period, from the end of the newest period up
    to it in which the source delivered a loaded file to the end of the row's period; so a period's row does not
    change when later periods arrive, and a rebuild of the same data gives the same numbers.
  - days_overdue: as of the row's period's due date (its end + the delivery deadline day), how many days the
    source was overdue by the rule of orchestration/freshness.py (macros/reports/days_overdue.sql), from the newest
    period up to the row's in which it delivered a loaded file: 0 when on time, NULL for a source without cadence
    (and for `_inbox` and period 'unknown'). The cadences and the deadline day come from the orchestration as vars
    (`tkpkd_months_per_period` from orchestration/contract/sources.yaml, `tkpkd_delivery_deadline_day` from
    TKPKD_DELIVERY_DEADLINE_DAY), so this row too never changes when later periods arrive.
  A per-period model (macros/incremental/changed_periods.sql): a build writes the periods whose rows changed; rows of
  period 'unknown' are a period of their own.
#}
{%- set sources = staging_sources() %}
{%- set months_per_period = var('tkpkd_months_per_period', none) %}
{%- set deadline_day = var('tkpkd_delivery_deadline_day', 10) | int %}
{%- if execute and months_per_period is none %}
    {{ exceptions.raise_compiler_error(
        "rpt_data_quality needs the var tkpkd_months_per_period (each source's cadence); the orchestration passes it "
        ~ "(orchestration.freshness.dbt_vars): run dbt through it or pass --vars."
    ) }}
{%- endif %}
{%- set steps = [] %}
{%- for source, step in (months_per_period or {}).items() if step is not none %}
    {%- do steps.append("when '" ~ source ~ "' then " ~ (step | int)) %}
{%- endfor %}
{%- set cadence_step = ("case joined.source " ~ (steps | join(' ')) ~ " end") if steps else "cast(null as integer)" %}

with periods as (
    select period, period_end from {{ ref('int_periods') }}
),

ingested_files as (
    select
        * replace (
            case when source in (
                {%- for item in sources %}
                '{{ item.source }}'{{ "," if not loop.last }}
                {%- endfor %}
            ) then source else '_inbox' end as source
        )
    from {{ ref('stg_raw__ingested_files') }}
),

files as (
    select
        source,
        coalesce(period, 'unknown') as period,
        count(*) as files_received,
        sum(case when status = 'loaded' then 1 else 0 end) as files_loaded,
        sum(case when status = 'rejected' then 1 else 0 end) as files_rejected,
        sum(case when status = 'duplicate_file' then 1 else 0 end) as files_duplicate,
        {{ tkpkd_string_agg(
            "case when status = 'rejected' then coalesce(reason_message, source_file || ': ' || reason_code) end",
            "' | '", 'source_file') }} as rejection_reasons
    from ingested_files
    group by source, coalesce(period, 'unknown')
),

row_counts as (
    select source, coalesce(_period, 'unknown') as period, outcome, reason, count(*) as row_count
    from {{ ref('stg_row_outcomes') }}
    group by source, coalesce(_period, 'unknown'), outcome, reason
),

outcomes as (
    select
        source,
        period,
        sum(row_count) as rows_received,
        sum(case when outcome = 'accepted' then row_count else 0 end) as rows_accepted,
        sum(case when outcome = 'quarantined' then row_count else 0 end) as rows_quarantined,
        sum(case when outcome = 'non_data' then row_count else 0 end) as non_data_rows
    from row_counts
    group by source, period
),

quarantine_reasons as (
    select
        source,
        period,
        '{' || {{ tkpkd_string_agg("'\"' || reason || '\": ' || cast(row_count as string)", "', '", 'reason') }} || '}'
            as quarantined_by_reason
    from row_counts
    where outcome = 'quarantined'
    group by source, period
),

nik_validity as (
    {%- set nik_sources = sources | rejectattr('source', 'equalto', 'dtsen_keluarga') | list %}
    {%- for item in nik_sources %}
    select
        '{{ item.source }}' as source,
        coalesce(_period, 'unknown') as period,
        count(*) as data_rows,
        sum(case when nik_status = 'valid' then 1 else 0 end) as valid_nik_rows
    from {{ ref(item.base) }}
    where _outcome in ('accepted', 'quarantined')
    group by coalesce(_period, 'unknown')
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

{#- person rows with a KK number: how many of their families the registry knows #}
{%- set kk_sources = sources | selectattr('persons') | selectattr('kk_column') | list %}

person_resolution as (
    select
        source,
        _period as period,
        count(*) as person_rows,
        sum(
            case when dukcapil_match in ('found', 'found_dead', 'found_moved') then 1 else 0 end
        ) as dukcapil_found_rows,
        sum(case when resolution_method in ('repaired_nik', 'linked') then 1 else 0 end) as linked_rows,
        sum(case when resolution_method = 'unresolved' then 1 else 0 end) as unresolved_rows
    from {{ ref('int_person_resolution') }}
    group by source, _period
),

registry_snapshots as (
    select distinct kk_number, _period as snapshot_period
    from {{ ref('stg_dtsen__families') }}
),

registry_as_of as (
    {{ tkpkd_newest_snapshot_as_of('periods', 'registry_snapshots', snapshot_column='snapshot_period') }}
),

registry_matches as (
    {%- for item in kk_sources %}
    select
        '{{ item.source }}' as source,
        rows._period as period,
        count(*) as valid_kk_rows,
        sum(case when registry_snapshots.kk_number is not null then 1 else 0 end) as found_rows
    from {{ ref(item.base) }} as rows
    inner join registry_as_of
        on registry_as_of.period = rows._period
    left join registry_snapshots
        on registry_snapshots.kk_number = rows.kk_number
        and registry_snapshots.snapshot_period = registry_as_of.snapshot_period
    where rows._outcome in ('accepted', 'quarantined')
        and rows.kk_status = 'valid'
        and rows._period is not null
    group by rows._period
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

dedup as (
    select source, coalesce(_period, 'unknown') as period, sum(dupes_removed) as duplicates_removed
    from {{ ref('stg_dedup_stats') }}
    group by source, coalesce(_period, 'unknown')
),

contract_sources as (
    {%- for item in sources %}
    select '{{ item.source }}' as source
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

keys as (
    select contract_sources.source, periods.period
    from contract_sources
    cross join periods
    union
    select source, period from files
    union
    select source, period from outcomes
),

deliveries as (
    select
        files.source,
        files.period,
        {{ dbt.last_day("cast(files.period || '-01' as date)", 'month') }} as delivered_period_end
    from files
    where files.files_loaded > 0
        and files.period <> 'unknown'
),

joined as (
    select
        keys.source,
        keys.period,
        coalesce(files.files_received, 0) as files_received,
        coalesce(files.files_loaded, 0) as files_loaded,
        coalesce(files.files_rejected, 0) as files_rejected,
        coalesce(files.files_duplicate, 0) as files_duplicate,
        files.rejection_reasons,
        coalesce(outcomes.rows_received, 0) as rows_received,
        coalesce(outcomes.rows_accepted, 0) as rows_accepted,
        coalesce(outcomes.rows_quarantined, 0) as rows_quarantined,
        coalesce(outcomes.non_data_rows, 0) as non_data_rows,
        coalesce(quarantine_reasons.quarantined_by_reason, '{}') as quarantined_by_reason,
        nik_validity.data_rows as nik_data_rows,
        nik_validity.valid_nik_rows,
        person_resolution.person_rows,
        case when keys.source <> 'dukcapil' then person_resolution.dukcapil_found_rows end as dukcapil_found_rows,
        person_resolution.linked_rows,
        person_resolution.unresolved_rows,
        registry_matches.valid_kk_rows as registry_checked_rows,
        registry_matches.found_rows as registry_found_rows,
        coalesce(dedup.duplicates_removed, 0) as duplicates_removed,
        (
            select max(deliveries.delivered_period_end)
            from deliveries
            where deliveries.source = keys.source
                and deliveries.period <= keys.period
        ) as last_delivered_period_end_as_of_period
    from keys
    left join files
        on files.source = keys.source and files.period = keys.period
    left join outcomes
        on outcomes.source = keys.source and outcomes.period = keys.period
    left join quarantine_reasons
        on quarantine_reasons.source = keys.source and quarantine_reasons.period = keys.period
    left join nik_validity
        on nik_validity.source = keys.source and nik_validity.period = keys.period
    left join person_resolution
        on person_resolution.source = keys.source and person_resolution.period = keys.period
    left join registry_matches
        on registry_matches.source = keys.source and registry_matches.period = keys.period
    left join dedup
        on dedup.source = keys.source and dedup.period = keys.period
)

select
    joined.source,
    joined.period,
    cast(joined.files_received as bigint) as files_received,
    cast(joined.files_loaded as bigint) as files_loaded,
    cast(joined.files_rejected as bigint) as files_rejected,
    cast(joined.files_duplicate as bigint) as files_duplicate,
    joined.rejection_reasons,
    cast(joined.rows_received as bigint) as rows_received,
    cast(joined.rows_accepted as bigint) as rows_accepted,
    cast(joined.rows_quarantined as bigint) as rows_quarantined,
    cast(joined.non_data_rows as bigint) as non_data_rows,
    joined.quarantined_by_reason,
    {{ report_share(
        'joined.rows_quarantined', 'joined.rows_accepted + joined.rows_quarantined'
    ) }} as quarantined_share,
    {{ report_share('joined.valid_nik_rows', 'joined.nik_data_rows') }} as valid_nik_share,
    cast(case when joined.source <> 'dtsen_keluarga' then coalesce(joined.person_rows, 0) end as bigint) as person_rows,
    {{ report_share('joined.dukcapil_found_rows', 'joined.person_rows') }} as share_found_in_dukcapil,
    {{ report_share('joined.linked_rows', 'joined.person_rows') }} as share_resolved_by_linkage,
    {{ report_share('joined.unresolved_rows', 'joined.person_rows') }} as share_unresolved,
    {{ report_share('joined.registry_found_rows', 'joined.registry_checked_rows') }} as share_found_in_registry,
    cast(joined.duplicates_removed as bigint) as duplicates_removed,
    joined.last_delivered_period_end_as_of_period as last_delivery_period_end,
    {{ dbt.datediff('joined.last_delivered_period_end_as_of_period', 'periods.period_end', 'day') }}
        as days_since_last_delivery,
    cast({{ tkpkd_days_overdue(cadence_step, 'joined.last_delivered_period_end_as_of_period',
                               'periods.period_end + ' ~ deadline_day, deadline_day) }} as integer) as days_overdue
from joined
left join periods
    on periods.period = joined.period
