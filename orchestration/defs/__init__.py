"""Dagster definitions, one module per area: ingestion, transformation (dbt), and later quality and publishing."""
