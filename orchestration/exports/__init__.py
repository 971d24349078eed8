"""Exports for people outside the warehouse: per-kelurahan workbooks (restricted), feedback workbooks for the agencies
that sent quarantined rows or rejected files (restricted), Parquet extracts of the reports and open-data CSVs with small
counts suppressed. Each export is a pure function of a DuckDB connection and an output folder; the Dagster assets in
`orchestration/defs/serving.py` (and `agency_feedback` in `orchestration/defs/quality.py`, which runs beside the
gates) only wire them to the settings."""
