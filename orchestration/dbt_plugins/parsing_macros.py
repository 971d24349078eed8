"""Registers the parsers of dbt_project/macros/parsing/ as DuckDB macros when dbt opens the warehouse.

dbt models call them as `tkpkd_parse_rupiah(...)`, `tkpkd_nik_status(...)` (macros/parsing/duckdb_macros.sql). The
bodies come from the Jinja macros of that folder, rendered with plain Jinja2 (they use nothing from dbt's context),
so the parsers are defined once. They are stored in the warehouse (schema main) and replaced on every dbt
invocation, not created as temporary macros: a view that calls them (intermediate.int_person_records) is read by
connections outside dbt too, and every dbt cursor is its own connection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

PARSING_MACRO_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "parsing"


def parsing_macro_template(macro_dir: Path = PARSING_MACRO_DIR, after: str = "") -> jinja2.Template:
    """Every macro of the folder in one plain Jinja2 template, as they call each other in dbt, followed by `after`
    (where a call of a private macro, `{{ _clean_text_in_any_form('v') }}`, can render)."""
    source = "\n".join(path.read_text() for path in sorted(macro_dir.glob("*.sql")))
    return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(source + after)


def parsing_macros(macro_dir: Path = PARSING_MACRO_DIR) -> jinja2.environment.TemplateModule:
    """Every macro of the folder in one plain Jinja2 module (its public macros)."""
    return parsing_macro_template(macro_dir).module


def duckdb_macro_definitions(macro_dir: Path = PARSING_MACRO_DIR) -> str:
    """The `create or replace macro` statements of every parser."""
    return str(parsing_macros(macro_dir).duckdb_macro_definitions())


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self._definitions = duckdb_macro_definitions(Path(plugin_config.get("macro_dir") or PARSING_MACRO_DIR))

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.execute(self._definitions)
