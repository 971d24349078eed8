"""Shared by the tests of dbt_project/macros/parsing/."""

from __future__ import annotations

import pytest

from orchestration.dbt_plugins.parsing_macros import parsing_macros


@pytest.fixture(scope="session")
def macros():
    """All parsing macros in one module, rendered with plain Jinja2: they may call each other, as they do in dbt, and
    use nothing from dbt's context, so this renders exactly what dbt renders. Their calls need the DuckDB macros of
    `macros.duckdb_macro_definitions()` on the connection, as the dbt plugin registers them."""
    return parsing_macros()
