{#
  Deduplication of accepted rows by natural key (docs/design.md): the row from the newest delivered file wins,
  ordered by the file's `modified_at` in raw.ingested_files (joined on hash and path), then by path, then by row
  number, each descending (a later path name, or a later row of the same file, supersedes). Snapshot sources
  deduplicate within each period (`_period` joins the key), event sources across all periods.
  A key part that is NULL (an Excel-damaged identifier, M1, kept unresolved) cannot be compared: such a row is kept
  as delivered, never merged with another.
  Renders the CTEs `accepted`, `delivered_files` and `ranked`; the staging model selects `where _dedup_rank = 1`.
#}
{% macro dedupe_ranked(base_model, natural_key, kind) -%}
accepted as (
    select * from {{ ref(base_model) }} where _outcome = 'accepted'
),

delivered_files as (
    select file_hash, source_file, max(modified_at) as modified_at
    from {{ source('raw', 'ingested_files') }}
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
