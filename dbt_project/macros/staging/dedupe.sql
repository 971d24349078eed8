{#
  Deduplication of accepted rows by natural key (docs/design.md): the row from the newest delivered file wins,
  ordered by the file's `modified_at` in raw.ingested_files (joined on hash and path), then by path, then by row
  number, each descending (a later path name, or a later row of the same file, supersedes). Snapshot sources
  deduplicate within each period (`_period` joins the key), event sources across all periods.
  A key part that is NULL (an Excel-damaged identifier, M1, kept unresolved) cannot be compared: such a row is kept
  as delivered, never merged with another.
  A batch held by its quality gate (orchestration/quality/holds.py: the source's loaded files of a period, while
  that set of files is what the agency delivered and no one released it) is left out, so the source's previous
  good delivery stands; its rows stay in the base model and in stg_row_outcomes.
  A snapshot model is incremental by period (macros/incremental/changed_inputs.sql): an incremental build
  deduplicates only the periods whose inputs changed (a unit test, which has no `this`, reads every period).
  Renders the CTEs `held_files`, `accepted`, `delivered_files` and `ranked`; the staging model selects `where _dedup_rank = 1`.
#}
{% macro dedupe_ranked(base_model, natural_key, kind) -%}
{%- set source_code = (staging_sources() | selectattr('base', 'equalto', base_model) | first)['source'] -%}
{%- if kind == 'snapshot' -%}
    {%- do tkpkd_snapshot_model_config(base_model, source_code) -%}
{%- endif %}
held_files as (
    {{ held_files(source_code) | indent(4) }}
),

accepted as (
    select delivered.* from {{ ref(base_model) }} as delivered
    where delivered._outcome = 'accepted'
        and not exists (
            select 1 from held_files
            where held_files.file_hash = delivered._file_hash and held_files.period = delivered._period
        ){{ tkpkd_skip_built_periods('delivered._period') if kind == 'snapshot' and execute and this is not none and is_incremental() else '' }}
),

delivered_files as (
    select file_hash, source_file, max(modified_at) as modified_at
    from {{ ref('stg_raw__ingested_files') }}
    group by file_hash, source_file
),

ranked as (
    select
        accepted.*,
        delivered_files.modified_at as _file_modified_at,
        row_number() over (
            partition by {% if kind == 'snapshot' %}accepted._period, {% endif %}{% for column in natural_key %}coalesce(cast(accepted.{{ column }} as {{ dbt.type_string() }}), '#unkeyed ' || accepted._source_file || ' ' || accepted._row_number){{ ", " if not loop.last }}{% endfor %}
            order by delivered_files.modified_at desc nulls last, accepted._source_file desc, accepted._row_number desc
        ) as _dedup_rank
    from accepted
    left join delivered_files
        on delivered_files.file_hash = accepted._file_hash
        and delivered_files.source_file = accepted._source_file
)
{%- endmacro %}


{#
  The loaded files (hash, period) of a source's batches held by their quality gate (orchestration/quality/holds.py):
  a hold counts while the source's loaded files for that period are still the set it held and no one released it.
  Empty before the first hold (the table is created by the first gate that holds a batch).
#}
{% macro held_files(source_code) -%}
{#- Outside the `if`: dbt parses with no held_batches table, and must still see the dependency on the file log. -#}
{%- set ingested_files = ref('stg_raw__ingested_files') -%}
{%- set held_batches = adapter.get_relation(
    database=target.database, schema='quality', identifier='held_batches') if execute else none -%}
{%- if held_batches is none -%}
select null::string as file_hash, null::string as period where false
{%- else -%}
select files.file_hash, files.period
from {{ held_batches }} as held
inner join (
    select period, list_sort(list(file_hash)) as file_hashes
    from {{ ingested_files }}
    where status = 'loaded' and source = '{{ source_code }}'
    group by period
) as batches on batches.period = held.period and batches.file_hashes = held.file_hashes
inner join {{ ingested_files }} as files
    on files.source = held.source and files.period = held.period and files.status = 'loaded'
where held.source = '{{ source_code }}' and held.released_at is null
{%- endif %}
{%- endmacro %}
