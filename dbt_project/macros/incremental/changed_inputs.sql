{#
  The stg_ models of snapshot sources (dedupe_ranked with kind `snapshot`: one row per key and period) are
  incremental by period with the strategy `changed_inputs`: a period's rows are a function of that period's accepted
  base rows alone, so a build deduplicates only the periods whose inputs changed and keeps the others as built. The
  result equals a full build by construction (docs/design.md, "Partitions").

  What a period's rows depend on (tkpkd_period_input_fingerprints): the model's compiled SQL (which changes once,
  when a gate holds a batch for the first time and quality.held_batches appears); how its base table
  parsed its rows (the base model's fingerprint, incremental.base_fingerprints); and each file with rows in the
  period: its hash and path, its delivery time (raw.ingested_files' modified_at, the dedup order) and whether its
  batch is held by a quality gate. incremental.period_inputs keeps, per model and period, the fingerprint the table's
  rows were built from. The pre-hook computes the current fingerprints and drops from the log every period whose
  fingerprint changed or vanished (all of them on a build that creates the table); the model skips the periods still
  logged (tkpkd_skip_built_periods); the strategy deletes the rows of every period not logged and inserts the new
  result; the post-hook logs the current fingerprints. A build that fails midway leaves fewer periods logged, so the
  next one rebuilds more, never less.
#}

{% macro tkpkd_period_inputs_log() -%}
{{ api.Relation.create(database=target.database, schema='incremental', identifier='period_inputs') }}
{%- endmacro %}


{#- `on-run-start` (dbt_project.yml), as for the other logs: dbt's threads would race to create it. -#}
{% macro tkpkd_create_period_inputs_log() -%}
create schema if not exists {{ target.database }}.incremental;
create table if not exists {{ tkpkd_period_inputs_log() }} (
    model varchar not null, period varchar not null, fingerprint varchar not null
)
{%- endmacro %}


{#- Per model: dbt's threads share one DuckDB connection, and with it its temporary tables. -#}
{% macro tkpkd_current_period_inputs() -%}
tkpkd_period_inputs__{{ this.identifier }}
{%- endmacro %}


{#
  Called by dedupe_ranked for a snapshot source: what makes a stg_ model incremental by period, with no line of its
  own.
#}
{% macro tkpkd_snapshot_model_config(base_model, source_code) -%}
{%- if not tkpkd_keeps_incremental_state() -%}
    {%- do config(materialized='table') -%}
{%- else -%}
{%- do config(
    materialized='incremental',
    incremental_strategy='changed_inputs',
    pre_hook="{{ tkpkd_prepare_period_inputs('" ~ base_model ~ "', '" ~ source_code ~ "') }}",
    post_hook='{{ tkpkd_log_period_inputs() }}') -%}
{%- endif -%}
{%- endmacro %}


{#-
  The condition, on the base rows being deduplicated, that leaves out the periods built from unchanged inputs.
  Rendered only in an incremental build: a full build, a unit test or the compiled SQL run raw read every period.
-#}
{% macro tkpkd_skip_built_periods(period) %}
        and not exists (
            select 1 from {{ tkpkd_period_inputs_log() }} as built
            where built.model = '{{ this.identifier }}' and built.period = {{ period }}
        )
{%- endmacro %}


{% macro tkpkd_period_input_fingerprints(base_model, source_code) -%}
{#- The same string for a full and an incremental build, and for a copy of the warehouse under another name. -#}
{%- set code = model.compiled_code
    | replace(tkpkd_skip_built_periods('delivered._period'), '')
    | replace(adapter.quote(target.database) ~ '.', '') -%}
with
held as (
    {{ held_files(source_code) | indent(4) }}
),

delivered as (
    select file_hash, source_file, max(modified_at) as modified_at
    from {{ ref('stg_raw__ingested_files') }}
    group by file_hash, source_file
),

files as (
    select _period as period, _file_hash, _source_file from {{ ref(base_model) }} group by all
)

select
    files.period,
    md5(
        '{{ local_md5(code) }} '
        || coalesce((
            select fingerprint from {{ tkpkd_base_fingerprints() }} where model = '{{ base_model }}'
        ), 'no base fingerprint')
        || string_agg(
            files._file_hash || ' ' || files._source_file || ' ' || coalesce(cast(delivered.modified_at as varchar), '-')
                || ' ' || case when exists (
                    select 1 from held where held.file_hash = files._file_hash and held.period = files.period
                ) then 'held' else 'delivered' end,
            chr(10) order by files._file_hash, files._source_file
        )
    ) as fingerprint
from files
left join delivered
    on delivered.file_hash = files._file_hash
    and delivered.source_file = files._source_file
group by files.period
{%- endmacro %}


{#
  The pre-hook: the current fingerprints, in a temporary table, and the log kept only for the periods whose
  fingerprint is unchanged (none on a build that creates the table). The periods to build are logged to dbt's log.
#}
{% macro tkpkd_prepare_period_inputs(base_model, source_code) -%}
{%- if execute -%}
{%- do run_query(
    "create or replace temporary table " ~ tkpkd_current_period_inputs() ~ " as "
    ~ tkpkd_period_input_fingerprints(base_model, source_code)) -%}
{%- set stale = run_query(
    "select coalesce(string_agg(period, ', ' order by period), 'none') from " ~ tkpkd_current_period_inputs() ~ " as current"
    ~ " where not exists (select 1 from " ~ tkpkd_period_inputs_log() ~ " as built where built.model = '"
    ~ this.identifier ~ "' and built.period = current.period and built.fingerprint = current.fingerprint)") -%}
{%- do log(this.identifier ~ ': periods to deduplicate: '
    ~ (stale.columns[0].values()[0] if is_incremental() else 'all (a new table)'), info=True) -%}
delete from {{ tkpkd_period_inputs_log() }} as built
where built.model = '{{ this.identifier }}'
{%- if is_incremental() %}
    and not exists (
        select 1 from {{ tkpkd_current_period_inputs() }} as current
        where current.period = built.period and current.fingerprint = built.fingerprint
    )
{%- endif %}
{%- endif -%}
{%- endmacro %}


{#- The post-hook: every period the table holds is now built from the current inputs. -#}
{% macro tkpkd_log_period_inputs() -%}
{%- if execute -%}
delete from {{ tkpkd_period_inputs_log() }} where model = '{{ this.identifier }}';
insert into {{ tkpkd_period_inputs_log() }}
select '{{ this.identifier }}', period, fingerprint from {{ tkpkd_current_period_inputs() }};
drop table {{ tkpkd_current_period_inputs() }}
{%- endif -%}
{%- endmacro %}


{#
  The rows of the periods still logged stay; the others (changed or vanished) are deleted and the new result, which
  holds only them, inserted. With no period logged (every input changed: new code, a re-parsed base table) the table
  is replaced, columns included, as a full build would.
#}
{% macro get_incremental_changed_inputs_sql(arg_dict) -%}
{%- set target_relation, temp_relation = arg_dict['target_relation'], arg_dict['temp_relation'] -%}
{%- set column_list = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
{%- set logged = run_query(
    "select count(*) from " ~ tkpkd_period_inputs_log() ~ " where model = '" ~ this.identifier ~ "'") -%}
{%- if logged.columns[0].values()[0] == 0 -%}
create or replace table {{ target_relation }} as select * from {{ temp_relation }}
{%- else -%}
delete from {{ target_relation }} as period_rows
where not exists (
    select 1 from {{ tkpkd_period_inputs_log() }} as built
    where built.model = '{{ this.identifier }}' and built.period = period_rows._period
);

insert into {{ target_relation }} ({{ column_list }})
select {{ column_list }} from {{ temp_relation }}
{%- endif -%}
{%- endmacro %}
