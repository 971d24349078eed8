"""The dbt context that sqlfluff's jinja templater renders the project's SQL with (.sqlfluff, `library_path`).

sqlfluff's own dbt builtins give `ref`, `source`, `config`, `is_incremental` and `this`; its `var` returns a
placeholder string, which the models' `var('tkpkd_bounds').member_count` and `var('working_age_years')[0]` cannot
use. This module supplies the rest of what the models and macros read, as dbt has it while parsing (`execute` is
false): the real vars of dbt_project.yml, the target, DuckDB's SQL for the dbt cross-database macros used, and an
adapter that dispatches to the project's DuckDB implementations (`default__`) and finds no relation (so `raw_column_or_null` and `held_files` render their no-table branch, as in
`dbt parse`). Nothing here runs a query.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import jinja2
import yaml

_PROJECT_VARS = yaml.safe_load((Path(__file__).parents[1] / "dbt_project.yml").read_text())["vars"]
_MISSING = object()

execute = False
graph: dict = {}
target = SimpleNamespace(database="tkpkd", schema="main", name="dev", type="duckdb")


def var(name: str, default=_MISSING):
    """dbt_project.yml's value; the Dagster-only vars (`period_range`, cadences) fall back to their default."""
    if name in _PROJECT_VARS:
        return _PROJECT_VARS[name]
    if default is _MISSING:
        raise KeyError(f"var {name!r} is neither in dbt_project.yml's vars nor given a default")
    return default


def run_query(sql: str):
    raise RuntimeError(
        "run_query is only reached when execute is true, which it never is while linting"
    )


class _Adapter:
    @staticmethod
    def get_relation(database=None, schema=None, identifier=None):
        return None

    @staticmethod
    def get_columns_in_relation(relation):
        return []

    @staticmethod
    def quote(identifier: str) -> str:
        return f'"{identifier}"'

    @staticmethod
    @jinja2.pass_context
    def dispatch(context, macro_name: str, macro_namespace: str | None = None):
        """The DuckDB implementation, `default__<name>`, of a dispatch macro (macros/portability.sql)."""
        return context.resolve(f"default__{macro_name}")


adapter = _Adapter()


def _raise_compiler_error(message: str):
    raise RuntimeError(message)


exceptions = SimpleNamespace(raise_compiler_error=_raise_compiler_error)

# dbt-duckdb's SQL for the cross-database macros the project calls (dbt/include/duckdb/macros/utils/), simplified:
# the linter only needs an expression of the same shape where the call stands.
dbt = SimpleNamespace(
    type_string=lambda: "varchar",
    dateadd=lambda datepart, interval, from_date: (
        f"date_add({from_date}, interval ({interval}) {datepart})"
    ),
    datediff=lambda first_date, second_date, datepart: (
        f"date_diff('{datepart}', ({first_date})::timestamp, ({second_date})::timestamp)"
    ),
    last_day=lambda date, datepart: f"last_day({date})",
)

# dbt's own `source`, which the project's `source` macro (macros/incremental/new_files.sql) wraps: the relation's name.
builtins = SimpleNamespace(source=lambda source_name, table_name: f"{source_name}.{table_name}")
