{#
  Every quarantined raw row, with what an agency needs to fix it: source, file, hash, period and row number (as the
  agency sees the row in its file), the reason code and a plain-Indonesian explanation (seeds/ref_reject_reasons),
  the column that failed with its value, and all original values as a JSON object (canonical column -> text as read),
  plus the file's unknown columns (_extra). Holds identifiers: restricted, never published to analytics.
#}
with quarantined as (
{%- for item in staging_sources() %}
    select
        '{{ item.source }}' as source,
        _source_file,
        _file_hash,
        _period,
        _row_number,
        _reject_reason,
        _reject_column,
        to_json(_raw) as raw_values,
        _extra,
        _loaded_at
    from {{ ref(item.base) }}
    where _outcome = 'quarantined'
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
)

select
    quarantined.source,
    quarantined._source_file as source_file,
    quarantined._file_hash as file_hash,
    quarantined._period as period,
    quarantined._row_number as row_number,
    quarantined._reject_reason as reason_code,
    reasons.reason_text,
    quarantined._reject_column as failed_column,
    {{ tkpkd_json_extract_string('quarantined.raw_values', "'$.' || quarantined._reject_column") }} as failed_value,
    quarantined.raw_values,
    quarantined._extra as extra_values,
    quarantined._loaded_at as loaded_at
from quarantined
left join {{ ref('ref_reject_reasons') }} as reasons
    on reasons.reason_code = quarantined._reject_reason
