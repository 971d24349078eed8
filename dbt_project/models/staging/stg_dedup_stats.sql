{#
  Deduplication per delivered file: accepted rows, rows kept in the staging model, rows of a batch held by its
  quality gate (macros/staging/dedupe.sql), and rows removed as duplicates by natural key (superseded by a row of a
  newer file, or repeated within the file). The data-quality report sums dupes_removed by source and period.
  Counted per file on each side: a staging row is an accepted base row of its file, and a held batch leaves out
  every row of its files, so no row-by-row join of the ten million base rows is needed.
#}
{%- for item in staging_sources() %}
select
    '{{ item.source }}' as source,
    '{{ item.kind }}' as source_kind,
    accepted._source_file,
    accepted._file_hash,
    accepted._period,
    accepted.row_count as rows_accepted,
    coalesce(kept.row_count, 0) as rows_kept,
    case when held.is_held then accepted.row_count else 0 end as rows_held,
    accepted.row_count - coalesce(kept.row_count, 0) - case when held.is_held then accepted.row_count else 0 end
        as dupes_removed
from (
    select _source_file, _file_hash, _period, count(*) as row_count
    from {{ ref(item.base) }}
    where _outcome = 'accepted'
    group by _source_file, _file_hash, _period
) as accepted
left join (
    select _source_file, _file_hash, count(*) as row_count
    from {{ ref(item.stg) }}
    group by _source_file, _file_hash
) as kept
    on kept._file_hash = accepted._file_hash
    and kept._source_file = accepted._source_file
left join (
    select distinct file_hash, period, true as is_held from ({{ held_files(item.source) }}) as batches
) as held
    on held.file_hash = accepted._file_hash and held.period = accepted._period
{% if not loop.last %}union all{% endif %}
{%- endfor %}
