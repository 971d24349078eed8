{#
  The loader's log of delivered files (raw.ingested_files), one row per distinct path and hash: the only model that
  reads it, so deduplication (macros/staging/dedupe.sql), int_periods, rpt_data_quality and the quality holds ref
  one staging model instead of the source. A view: the log is small and every reader wants its newest state.
#}
{{ config(materialized='view') }}

select * from {{ source('raw', 'ingested_files') }}
