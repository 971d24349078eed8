"""Shared by the tests of dbt_project/macros/parsing/."""

from __future__ import annotations

import jinja2
import pytest
from raw_warehouse_builder import DBT_PROJECT_DIR

PARSING_MACRO_DIR = DBT_PROJECT_DIR / "macros" / "parsing"


@pytest.fixture(scope="session")
def macros():
    """All parsing macros in one module, rendered with plain Jinja2: they may call each other, as they do in dbt, and
    use nothing from dbt's context, so this renders exactly what dbt renders."""
    source = "\n".join(path.read_text() for path in sorted(PARSING_MACRO_DIR.glob("*.sql")))
    return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(source).module
