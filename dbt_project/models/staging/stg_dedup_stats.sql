{#
  Deduplication per delivered file: accepted rows, rows kept in the staging model, rows of a batch held by its
  quality gate (macros/staging/dedupe.sql), and rows removed as duplicates by natural key (superseded by a row of a
  newer file, or repeated within the file). The data-quality report sums dupes_removed by source and period.
#}
{%- for item in staging_sources() %}
select
    '{{ item.source }}' as source,
    '{{ item.kind }}' as source_kind,
    base._source_file,
    base._file_hash,
    base._period,
    count(*) as rows_accepted,
    count(kept._row_number) as rows_kept,
    count(held.file_hash) as rows_held,
    count(*) - count(kept._row_number) - count(held.file_hash) as dupes_removed
from {{ ref(item.base) }} as base
left join {{ ref(item.stg) }} as kept
    on kept._file_hash = base._file_hash
    and kept._source_file = base._source_file
    and kept._row_number = base._row_number
left join ({{ held_files(item.source) }}) as held
    on held.file_hash = base._file_hash and held.period = base._period
where base._outcome = 'accepted'
group by base._source_file, base._file_hash, base._period
{% if not loop.last %}union all{% endif %}
{%- endfor %}
