"""Dagster definitions, one module per area (docs/design.md, "Layout"); `orchestration.definitions` assembles them."""
