"""Exports for people outside the warehouse: per-kelurahan workbooks (restricted), Parquet extracts of the reports
and open-data CSVs with small counts suppressed. Each export is a pure function of a DuckDB connection and an
output folder; the Dagster assets in `orchestration/defs/serving.py` only wire them to the settings."""
