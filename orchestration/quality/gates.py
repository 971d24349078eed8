"""Running one expectation suite on one batch with Great Expectations 1.x, through pandas.

GX's SQL datasource cannot read DuckDB (see the team's stack notes), so a batch is read from the warehouse through
Arrow into pandas (only the columns its suite names) and validated with a pandas datasource. GX is imported here,
lazily, and one GX context serves every gate of a process: importing GX costs seconds, a validation under one.
"""

from __future__ import annotations

import copy
import json
import math
import os
import sys
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from orchestration.settings import REPO_ROOT

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
THRESHOLDS_PATH = EXPECTATIONS_DIR / "thresholds.yml"
SAMPLE_SIZE = 5
DOCS_SITE = "tkpkd"


def load_suite(relative: str | Path, root: Path = EXPECTATIONS_DIR) -> dict:
    return json.loads((root / relative).read_text(encoding="utf-8"))


def load_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def suite_columns(suite: dict) -> list[str]:
    """The table columns a suite reads, so a batch fetches only those (a published fact table is wide)."""
    columns: dict[str, None] = {}
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        for column in [kwargs.get("column"), *kwargs.get("column_list", [])]:
            if column:
                columns[column] = None
    return list(columns)


def suite_parameters(suite: dict) -> set[str]:
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "$PARAMETER" in value:
                found.add(value["$PARAMETER"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(suite["expectations"])
    return found


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str  # type and column, as a data engineer searches for it: `expect_column_values_to_be_unique(nik)`
    severity: str
    success: bool
    unexpected_count: int | None
    element_count: int | None
    sample: list[Any]
    observed: Any = None
    error: str | None = None

    def line(self) -> str:
        details = []
        if self.error:
            details.append(f"could not run: {self.error}")
        if self.unexpected_count is not None:
            details.append(f"{self.unexpected_count} of {self.element_count} rows")
        if self.observed is not None:
            details.append(f"observed {self.observed}")
        if self.sample:
            details.append("sample " + ", ".join(repr(value) for value in self.sample))
        return f"`{self.expectation}` [{self.severity}]: " + ("; ".join(details) or "failed")


@dataclass
class GateResult:
    suite: str
    rows: int
    outcomes: list[ExpectationOutcome]

    @property
    def failed_errors(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "error"]

    @property
    def failed_warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity != "error"]

    @property
    def passed(self) -> bool:
        return not self.failed_errors

    def summary(self) -> str:
        failed = self.failed_errors + self.failed_warnings
        if not failed:
            return f"all {len(self.outcomes)} expectations passed on {self.rows} rows"
        return "\n".join(f"- {outcome.line()}" for outcome in failed)


def _describe(expectation_type: str, kwargs: dict) -> str:
    target = kwargs.get("column") or ", ".join(kwargs.get("column_list", []))
    return f"{expectation_type}({target})" if target else expectation_type


def expectation_severity(config: Any) -> str:
    """An expectation's severity in its suite's meta; `error` (blocking) unless the suite says otherwise."""
    return (config.meta or {}).get("severity", "error")


def _exception_message(info: dict | None) -> str | None:
    """GX reports an exception either flat or keyed by the metric that raised it."""
    if not info:
        return None
    if info.get("raised_exception"):
        return info.get("exception_message")
    nested = [value.get("exception_message") for value in info.values() if isinstance(value, dict)]
    return next((message for message in nested if message), None)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return str(value)


# What Great Expectations must import without PySpark: the package, or only Spark Connect once PySpark is loaded.
_PYSPARK_MODULES = ("pyspark", "pyspark.sql.connect")


def import_great_expectations():
    """GX, imported with PySpark hidden from it.

    GX probes for PySpark when it is imported, for its Spark datasources, which the gates never use (they validate
    pandas frames). The dev environment has PySpark, for the Spark test (docs/scale-out.md), but not Spark
    Connect's dependencies: there, pyspark.sql.connect ends the process when `__main__` has no file (pytest-xdist
    workers, `python -c`), and elsewhere loading PySpark adds about 0.4 s and 20 MB to every process that validates.
    PySpark stays importable afterwards: the modules are hidden only while GX loads.
    """
    if "great_expectations" in sys.modules:
        return sys.modules["great_expectations"]
    hidden = [name for name in _PYSPARK_MODULES if name not in sys.modules][:1]
    for name in hidden:
        sys.modules[name] = None  # an import of it, or of anything below it, raises ImportError, which GX expects
    try:
        import great_expectations
    finally:
        for name in hidden:
            del sys.modules[name]
    return great_expectations


class GateRunner:
    """One GX context (ephemeral: the suites live in the repository, not in a GX store) with a Data Docs site."""

    def __init__(self, docs_dir: Path):
        # The machines running the pipeline reach no analytics endpoint; GX should not try (operators may override).
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        gx = import_great_expectations()

        self._gx = gx
        self.docs_dir = docs_dir
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = {"globally": False}
        self.context.add_data_docs_site(
            DOCS_SITE,
            {
                "class_name": "SiteBuilder",
                # GX's walkthrough and "how to" buttons point at its website, which these networks do not reach.
                "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        self._batches = self.context.data_sources.add_pandas("tkpkd_warehouse")

    @property
    def docs_index(self) -> Path:
        return self.docs_dir / "index.html"

    def validate(self, suite: dict, frame: pd.DataFrame, parameters: dict[str, Any]) -> GateResult:
        gx = self._gx
        name = suite["name"]
        for existing in [d.name for d in self.context.validation_definitions.all()]:
            if existing == name:
                self.context.validation_definitions.delete(name)
        if name in [s.name for s in self.context.suites.all()]:
            self.context.suites.delete(name)
        if name in self._batches.get_asset_names():
            self._batches.delete_asset(name)
        gx_suite = self.context.suites.add(gx.ExpectationSuite(**copy.deepcopy(suite)))
        batch_definition = self._batches.add_dataframe_asset(name).add_batch_definition_whole_dataframe("batch")
        validation = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch_definition, suite=gx_suite)
        )
        result = validation.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=parameters,
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE},
        )
        outcomes = []
        for item in result.results:
            config = item.expectation_config
            details = item.result or {}
            error = _exception_message(item.exception_info)
            outcomes.append(
                ExpectationOutcome(
                    expectation=_describe(config.type, config.kwargs),
                    severity=expectation_severity(config),
                    success=bool(item.success),
                    unexpected_count=details.get("unexpected_count"),
                    element_count=details.get("element_count"),
                    sample=[_json_safe(v) for v in (details.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]],
                    observed=_json_safe(details.get("observed_value")),
                    error=error,
                )
            )
        return GateResult(suite=name, rows=len(frame), outcomes=outcomes)

    def build_docs(self) -> Path:
        """GX's site, rewritten to work without a network (see `data_docs`); returns its index."""
        from orchestration.quality import data_docs  # which imports this module

        self.context.build_data_docs(site_names=[DOCS_SITE])
        return data_docs.make_offline(self.context, DOCS_SITE, self.docs_dir)


@lru_cache(maxsize=4)
def gate_runner(docs_dir: Path) -> GateRunner:
    """One runner per Data Docs folder and process: the Dagster code location runs its steps in one process."""
    return GateRunner(docs_dir)


def read_frame(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None) -> pd.DataFrame:
    """A query result as the pandas frame GX checks: dates as datetime64[ms], text and booleans as pandas' nullable
    types. Integers stay numpy integers (GX's type check does not recognise pandas' nullable integers), so an integer
    column with NULLs arrives as float64 and the suites check integer types only on columns that must not be null."""
    import pandas as pd
    import pyarrow as pa

    nullable = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(), pa.bool_(): pd.BooleanDtype()}
    table = connection.sql(sql, params=parameters or None).to_arrow_table()
    return table.to_pandas(types_mapper=nullable.get, date_as_object=False)


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def base_parameters(thresholds: dict[str, Any], today: date) -> dict[str, Any]:
    """Date bounds as pandas timestamps: GX compares a datetime64 column with them, not with ISO strings."""
    import pandas as pd

    return {
        "today": pd.Timestamp(today),
        "earliest_birth_date": pd.Timestamp(str(thresholds["earliest_birth_date"])),
        "earliest_event_date": pd.Timestamp(str(thresholds["earliest_event_date"])),
        "quarantine_share_warning": float(thresholds["quarantine_share_warning"]),
    }


def published_batch(connection: duckdb.DuckDBPyConnection, suite: dict, schema: str, table: str) -> pd.DataFrame:
    selected = [quote(c) for c in existing_columns(connection, schema, table, suite_columns(suite))]
    return read_frame(connection, f"select {', '.join(selected) or '1 as _no_column'} from {quote(schema)}.{quote(table)}")


@dataclass(frozen=True)
class StagedBatch:
    frame: pd.DataFrame
    period: str | None
    previous_period: str | None
    previous_rows: int
    min_rows: int


def existing_columns(connection: duckdb.DuckDBPyConnection, schema: str, table: str, wanted: list[str]) -> list[str]:
    """The wanted columns the relation has: a missing one is left for `expect_column_to_exist` to report."""
    present = {
        row[0]
        for row in connection.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }
    return [column for column in wanted if column in present]


def staged_batch(
    connection: duckdb.DuckDBPyConnection, schema: str, model: str, columns: list[str], min_ratio: float
) -> StagedBatch:
    """The newest period's staged rows of a source, and the least row count its volume expectation accepts.

    The previous period is the newest earlier period in which the source has staged rows (snapshots arrive
    quarterly, events when something happened), so a source that skips a month is compared with its last delivery.
    """
    relation = f"{quote(schema)}.{quote(model)}"
    periods = connection.execute(
        f"select _period, count(*) from {relation} where _period is not null group by _period order by _period desc limit 2"
    ).fetchall()
    period = periods[0][0] if periods else None
    previous_period, previous_rows = (periods[1][0], periods[1][1]) if len(periods) > 1 else (None, 0)
    selected = ", ".join(quote(c) for c in existing_columns(connection, schema, model, columns)) or "1 as _no_column"
    frame = read_frame(
        connection,
        f"select {selected} from {relation} where _period is not distinct from ?",
        [period],
    )
    return StagedBatch(frame, period, previous_period, previous_rows, math.ceil(previous_rows * min_ratio))
