{#
  Per-period models (tag `per_period`, configured in dbt_project.yml) are incremental by period with the strategy
  `changed_periods`: every build computes every period from the (complete) upstream models, and writes only the
  periods whose rows differ from the table's (those periods are deleted and inserted again). An incremental build
  therefore equals a full rebuild by construction, whatever a delivery teaches about earlier periods: payouts
  recorded late, a death registered late, a family first listed after it was served (fct_assistance's
  first_known), the newest snapshot's flags (dim_family), the newest names (the pii identities). docs/design.md
  ("Partitions") says why the periods are not narrowed before the build.

  A period differs when its row count or the sum of its rows' hashes differs (`sum`, not `bit_xor`: two equal rows
  must not cancel out). The period column is the model's `meta.period_column` (default `period`).

  Every period written is logged in incremental.rebuilt_periods (model, period, dbt invocation_id): the Dagster
  step reads the log back and records a materialization of each period written outside its run's partitions.
#}

{% macro tkpkd_period_column() -%}
{#- While dbt parses, config.get returns no mapping; the name matters only when the hook runs. -#}
{%- set meta = config.get('meta') if execute else none -%}
{{ adapter.quote((meta or {}).get('period_column', 'period')) }}
{%- endmacro %}


{% macro tkpkd_rebuilt_periods_log() -%}
{{ api.Relation.create(database=target.database, schema='incremental', identifier='rebuilt_periods') }}
{%- endmacro %}


{#- `on-run-start` (dbt_project.yml): once per invocation, as dbt's threads would race to create it. -#}
{% macro tkpkd_create_rebuilt_periods_log() -%}
create schema if not exists {{ target.database }}.incremental;
create table if not exists {{ tkpkd_rebuilt_periods_log() }} (
    model varchar not null, period varchar, invocation_id varchar not null, created boolean not null,
    logged_at timestamp not null
)
{%- endmacro %}


{#
  The pre-hook of every per-period model: a build that creates the table (the first, or `--full-refresh`) leaves a
  marker that tkpkd_log_created_periods replaces with every period the table holds; only before the build does
  is_incremental() tell a creation from an incremental build.
#}
{% macro tkpkd_mark_created_table() -%}
{%- if tkpkd_keeps_incremental_state() and not is_incremental() -%}
insert into {{ tkpkd_rebuilt_periods_log() }} values ('{{ this.identifier }}', null, '{{ invocation_id }}', true, now())
{%- endif -%}
{%- endmacro %}


{#- The post-hook of every per-period model; a no-op unless the pre-hook left the creation marker. -#}
{% macro tkpkd_log_created_periods() -%}
{%- if tkpkd_keeps_incremental_state() -%}
insert into {{ tkpkd_rebuilt_periods_log() }}
select distinct '{{ this.identifier }}', {{ tkpkd_period_column() }}, '{{ invocation_id }}', false, now()
from {{ this }}
where exists (
    select 1 from {{ tkpkd_rebuilt_periods_log() }}
    where model = '{{ this.identifier }}' and invocation_id = '{{ invocation_id }}' and created
);
delete from {{ tkpkd_rebuilt_periods_log() }}
where model = '{{ this.identifier }}' and invocation_id = '{{ invocation_id }}' and created
{%- endif -%}
{%- endmacro %}


{% macro tkpkd_period_fingerprints(relation, columns) -%}
select
    {{ tkpkd_period_column() }} as period,
    count(*) as row_count,
    sum(hash({{ columns | map(attribute='quoted') | join(', ') }})::hugeint) as row_hash_sum
from {{ relation }}
group by all
{%- endmacro %}


{% macro get_incremental_changed_periods_sql(arg_dict) -%}
{%- set target_relation, temp_relation = arg_dict['target_relation'], arg_dict['temp_relation'] -%}
{%- set column_list = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
{#- Per model: dbt's threads share one DuckDB connection, and with it its temporary tables. -#}
{%- set changed_periods = 'tkpkd_changed_periods__' ~ this.identifier -%}
{%- set in_changed_periods -%}
    exists (
        select 1 from {{ changed_periods }} as changed
        where changed.period is not distinct from period_rows.{{ tkpkd_period_column() }}
    )
{%- endset -%}
create or replace temporary table {{ changed_periods }} as
with
built as ({{ tkpkd_period_fingerprints(target_relation, arg_dict['dest_columns']) }}),
computed as ({{ tkpkd_period_fingerprints(temp_relation, arg_dict['dest_columns']) }})
select coalesce(computed.period, built.period) as period
from computed
full outer join built on built.period is not distinct from computed.period
where computed.row_count is distinct from built.row_count
    or computed.row_hash_sum is distinct from built.row_hash_sum;

delete from {{ target_relation }} as period_rows where {{ in_changed_periods }};

insert into {{ target_relation }} ({{ column_list }})
select {{ column_list }} from {{ temp_relation }} as period_rows where {{ in_changed_periods }};

insert into {{ tkpkd_rebuilt_periods_log() }}
select '{{ this.identifier }}', period, '{{ invocation_id }}', false, now() from {{ changed_periods }};

drop table {{ changed_periods }}
{%- endmacro %}
