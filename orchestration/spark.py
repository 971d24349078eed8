"""The dbt project on Apache Spark (docs/scale-out.md): a Spark session, the raw tables it reads, the functions its
models call, and dbt run in the same process.

dbt-spark's `session` method runs SQL on `SparkSession.builder.getOrCreate()`, so the session created here, with
the functions registered on it, is the one dbt uses. The functions are those the DuckDB profile registers through
its plugins (orchestration/dbt_plugins): `pseudonym(kind, identifier)` keyed by the same secret, and every parser
of dbt_project/macros/parsing/ as `tkpkd_<name>`. A parser runs as an Arrow UDF that evaluates the parser's own
DuckDB macro over each Arrow batch: the parsers stay defined once, and Spark's pseudonyms, parsed numbers and dates
are DuckDB's by construction (tests/scaleout/test_spark.py compares them).
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.dbt_plugins.parsing_macros import duckdb_macro_definitions
from orchestration.pseudonym import Pseudonymiser
from orchestration.settings import DBT_PROJECT_DIR, load_settings
from orchestration.warehouse_lock import IN_MEMORY, connect_warehouse

# The dbt selector of the models that build on Spark (dbt_project/selectors.yml).
SPARK_SELECTOR = "spark"
SPARK_PROFILES_DIR = DBT_PROJECT_DIR / "spark"
_MACRO = re.compile(r"create or replace macro (tkpkd_\w+)\(([^)]*)\) as ")
# The parameter types of the parsers' DuckDB macros, by parameter name (macros/parsing/duckdb_macros.sql).
_PARAMETER_TYPES = {"birth_date": "date", "min_value": "double", "max_value": "double"}
_SPARK_TYPES = {"VARCHAR": "string", "INTEGER": "int", "BIGINT": "bigint", "DOUBLE": "double", "DATE": "date",
                "BOOLEAN": "boolean"}


def spark_config(warehouse_dir: Path, driver_memory: str = "2g", shuffle_partitions: int = 2) -> dict[str, str]:
    """A local session whose every file (tables, the catalog's Derby files, spills) stays under `warehouse_dir`.

    The in-memory catalog keeps no metastore_db or derby.log in the working folder; a cluster uses its own
    metastore (docs/scale-out.md).
    """
    scratch = warehouse_dir / "_spark_local"
    return {
        "spark.master": "local[2]",
        "spark.driver.memory": driver_memory,
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.sql.warehouse.dir": str(warehouse_dir),
        "spark.sql.catalogImplementation": "in-memory",
        "spark.local.dir": str(scratch),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={scratch}",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # The workers that run the Python functions need this environment's packages (duckdb, pyarrow).
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
        "spark.sql.session.timeZone": "UTC",
        # String literals as DuckDB reads them: a backslash is a character (the models' regular expressions, `\s`).
        "spark.sql.parser.escapedStringLiterals": "true",
        # to_json as DuckDB writes it: a NULL member is kept (quarantine.quarantined_rows' raw_values).
        "spark.sql.jsonGenerator.ignoreNullFields": "false",
    }


@contextmanager
def spark_session(warehouse_dir: Path, **config: object) -> Iterator[object]:
    """The session dbt-spark will pick up, stopped on exit."""
    from pyspark.sql import SparkSession

    # Read when the Python workers start; the session option alone left them on the first python3 of PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("tkpkd-dbt")
    for key, value in spark_config(warehouse_dir, **config).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def parser_signatures() -> dict[str, tuple[list[str], str]]:
    """Each parser macro's parameter types and result type (Spark DDL), read from DuckDB itself."""
    definitions = duckdb_macro_definitions()
    with connect_warehouse(IN_MEMORY) as connection:
        connection.execute(definitions)
        signatures = {}
        for name, parameters in _MACRO.findall(definitions):
            types = [_PARAMETER_TYPES.get(p.strip(), "varchar") for p in parameters.split(",")]
            nulls = ", ".join(f"cast(null as {t})" for t in types)
            result = connection.execute(f"select {name}({nulls})").description[0][1]
            signatures[name] = ([_SPARK_TYPES[t.upper()] for t in types], _SPARK_TYPES[str(result)])
    return signatures


@functools.cache
def _parser_connection() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB with the parser macros per Python worker (workers are reused across batches)."""
    connection = connect_warehouse(IN_MEMORY)
    connection.execute("set threads = 1")
    connection.execute(duckdb_macro_definitions())
    return connection


def evaluate_parser(name: str, types: Sequence[str], *arrays: pa.Array) -> pa.Array:
    """`name` over Arrow arrays, evaluated by DuckDB (the argument types are the macro's, not the caller's)."""
    batch = pa.table({f"a{i}": array for i, array in enumerate(arrays)})
    arguments = ", ".join(f"cast(a{i} as {t})" for i, t in enumerate(types))
    connection = _parser_connection()
    connection.register("batch", batch)
    try:
        return connection.sql(f"select {name}({arguments}) from batch").to_arrow_table().column(0).combine_chunks()
    finally:
        connection.unregister("batch")


@functools.cache
def _pseudonymiser(secret: str) -> Pseudonymiser:
    """One keyed HMAC state per Python worker (the state itself cannot travel to the workers)."""
    return Pseudonymiser(secret)


def register_functions(session, secret: str) -> list[str]:
    """`pseudonym` and every `tkpkd_<parser>` as session functions; returns the names."""
    from pyspark.sql.functions import arrow_udf

    def pseudonym(kinds: pa.Array, identifiers: pa.Array) -> pa.Array:
        key = _pseudonymiser(secret).key
        return pa.array(
            [key(k, v) for k, v in zip(kinds.to_pylist(), identifiers.to_pylist())], type=pa.string())

    session.udf.register("pseudonym", arrow_udf(pseudonym, "string"))
    names = ["pseudonym"]
    for name, (parameter_types, result_type) in parser_signatures().items():
        session.udf.register(name, arrow_udf(_parser_function(name, tuple(parameter_types)), result_type))
        names.append(name)
    return names


def _parser_function(name: str, types: tuple[str, ...]):
    """A function of exactly the parser's arity: Arrow UDFs infer their kind from the signature, and refuse *args."""
    if len(types) == 1:
        def parser(value: pa.Array) -> pa.Array:
            return evaluate_parser(name, types, value)
    elif len(types) == 3:
        def parser(value: pa.Array, second: pa.Array, third: pa.Array) -> pa.Array:
            return evaluate_parser(name, types, value, second, third)
    else:
        raise ValueError(f"{name}: no Arrow UDF of {len(types)} arguments")
    return parser


def load_raw_tables(session, warehouse: Path, parquet_dir: Path, schema: str = "raw") -> dict[str, int]:
    """Every table of the DuckDB warehouse's `schema`, written as Parquet and registered as a Spark table of the
    same name in the Spark database `schema` (where the dbt sources point). Returns the row count per table."""
    parquet_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    session.sql(f"create database if not exists {schema}")
    with connect_warehouse(warehouse, read_only=True) as connection:
        tables = [row[0] for row in connection.execute(
            "select table_name from duckdb_tables() where schema_name = ? order by 1", [schema]).fetchall()]
        for table in tables:
            path = parquet_dir / f"{table}.parquet"
            # COPY returns the number of rows it wrote
            [(counts[table],)] = connection.execute(f"copy {schema}.{table} to '{path}' (format parquet)").fetchall()
            session.sql(f"create table {schema}.{table} using parquet location '{path}'")
    return counts


def run_dbt(arguments: Sequence[str], target_path: Path | None = None):
    """dbt in this process on the `spark` profile (dbt_project/spark/profiles.yml), against the live session."""
    from dbt.cli.main import dbtRunner

    command = [*arguments, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(SPARK_PROFILES_DIR)]
    if target_path is not None:
        command += ["--target-path", str(target_path)]
    return dbtRunner().invoke(command)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m orchestration.spark <warehouse.duckdb> <spark folder> [dbt arguments]`: the raw tables of a
    DuckDB warehouse loaded into a local Spark, then dbt (by default `build --selector spark`)."""
    warehouse, folder, *arguments = list(sys.argv[1:] if argv is None else argv)
    folder_path = Path(folder).resolve()
    with spark_session(folder_path / "warehouse") as session:
        register_functions(session, load_settings().pseudonym_secret)
        load_raw_tables(session, Path(warehouse), folder_path / "raw_parquet")
        dbt_arguments = arguments or ["build", "--selector", SPARK_SELECTOR]
        result = run_dbt([*dbt_arguments, "--log-path", str(folder_path / "logs")], folder_path / "target")
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
