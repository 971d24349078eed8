"""Tables built by Spark and by DuckDB compared row for row, after normalising what the engines type differently."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from collections import Counter

import duckdb


def normalised(value: object) -> object:
    """One value in a form both engines' results share: floats to 9 significant digits, dates and times as ISO
    text, structs and lists as tuples, JSON text parsed (members in order)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float | decimal.Decimal):
        number = float(value)
        return number if math.isnan(number) or math.isinf(number) else float(f"{number:.9g}")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return tuple((key, normalised(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return tuple(normalised(item) for item in value)
    if isinstance(value, str) and value[:1] == "{" and value[-1:] == "}":
        try:
            return ("json", normalised(json.loads(value)))
        except ValueError:
            return value
    return value


def _rows(table) -> tuple[list[str], Counter]:
    names = table.column_names
    rows = Counter(tuple(normalised(v) for v in row.values()) for row in table.to_pylist())
    return names, rows


def table_differences(spark, duckdb_connection: duckdb.DuckDBPyConnection, relation: str, shown: int = 3) -> str:
    """'' when the relation holds the same rows (as a multiset) in Spark and in DuckDB, else what differs."""
    spark_columns, spark_rows = _rows(spark.sql(f"select * from {relation}").toArrow())
    duck_columns, duck_rows = _rows(duckdb_connection.sql(f"select * from {relation}").to_arrow_table())
    if spark_columns != duck_columns:
        return f"columns differ: Spark {spark_columns}, DuckDB {duck_columns}"
    if spark_rows == duck_rows:
        return ""
    only_spark = list((spark_rows - duck_rows).elements())
    only_duck = list((duck_rows - spark_rows).elements())
    return (f"{len(only_spark)} rows only in Spark, {len(only_duck)} only in DuckDB; "
            f"e.g. Spark {only_spark[:shown]} DuckDB {only_duck[:shown]}")
