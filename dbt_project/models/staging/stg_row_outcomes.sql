{#
  One row per raw row of every source, with what staging made of it (docs/design.md, "nothing is lost"):
  accepted (in the source's staging model before deduplication), quarantined (in quarantine.quarantined_rows, with
  one reason code) or non_data (an empty or total row flagged by the loader). Per file:
  rows received = accepted + quarantined + non_data (tests/assert_rows_received_are_accounted_for.sql).
  A view: it only relabels the base tables' columns, and a copy would double the largest tables of the warehouse.
#}
{{ config(materialized='view') }}
{%- for item in staging_sources() %}
select
    '{{ item.source }}' as source,
    _source_file,
    _file_hash,
    _period,
    _row_number,
    _outcome as outcome,
    coalesce(_reject_reason, _non_data_reason) as reason,
    _reject_column as reject_column,
    _field_warnings as field_warnings
from {{ ref(item.base) }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
