{# Nothing is lost: per source and period, rows received = accepted + quarantined + non-data. #}
select source, period, rows_received, rows_accepted, rows_quarantined, non_data_rows
from {{ ref('rpt_data_quality') }}
where rows_received <> rows_accepted + rows_quarantined + non_data_rows
    or files_received <> files_loaded + files_rejected + files_duplicate
