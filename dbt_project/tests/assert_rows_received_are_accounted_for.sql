{#
  "Nothing is lost" (sources.md): for every loaded file, the rows the loader received equal the rows staging accounts
  for as accepted + quarantined + non_data; and staging accounts for no row of a file the loader did not load.
  Returns the files where this fails.
#}
with received as (
    select source, source_file, file_hash, rows_received
    from {{ source('raw', 'ingested_files') }}
    where status = 'loaded'
),

accounted as (
    select
        source,
        _source_file as source_file,
        _file_hash as file_hash,
        count(*) filter (where outcome = 'accepted') as accepted,
        count(*) filter (where outcome = 'quarantined') as quarantined,
        count(*) filter (where outcome = 'non_data') as non_data,
        count(*) as accounted_rows
    from {{ ref('stg_row_outcomes') }}
    group by source, _source_file, _file_hash
)

select
    coalesce(received.source, accounted.source) as source,
    coalesce(received.source_file, accounted.source_file) as source_file,
    coalesce(received.file_hash, accounted.file_hash) as file_hash,
    received.rows_received,
    accounted.accepted,
    accounted.quarantined,
    accounted.non_data
from received
full outer join accounted
    on accounted.file_hash = received.file_hash
    and accounted.source_file = received.source_file
where coalesce(received.rows_received, -1)
    <> coalesce(accounted.accepted + accounted.quarantined + accounted.non_data, 0)
    or received.source is distinct from accounted.source and accounted.source is not null
