"""Parquet extracts: every report and only reports, the same rows, no file of a report that is gone."""

import duckdb

from orchestration.exports.parquet import export_report_parquet


def test_every_report_round_trips_and_nothing_else_is_exported(tmp_path):
    connection = duckdb.connect()
    connection.execute(
        "create table rpt_coverage as select * from (values ('2025-12', 'air', 3, 0.5::double), "
        "('2025-12', 'pangan', 0, null)) as t(period, need, families, coverage)"
    )
    connection.execute("create table dim_region as select 1 as region_key")
    connection.execute("create table rpt_empty (period varchar)")
    (tmp_path / "rpt_removed.parquet").write_bytes(b"old")

    written = export_report_parquet(connection, tmp_path)

    assert [(file.table, file.rows) for file in written] == [("rpt_coverage", 2), ("rpt_empty", 0)]
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "rpt_coverage.parquet",
        "rpt_empty.parquet",
    ]
    back = duckdb.sql(
        f"select * from '{tmp_path / 'rpt_coverage.parquet'}' order by need"
    ).fetchall()
    assert back == connection.execute("select * from rpt_coverage order by need").fetchall()
    types = duckdb.sql(f"describe select * from '{tmp_path / 'rpt_coverage.parquet'}'").fetchall()
    assert [(name, kind) for name, kind, *_ in types] == [
        ("period", "VARCHAR"),
        ("need", "VARCHAR"),
        ("families", "INTEGER"),
        ("coverage", "DOUBLE"),
    ]
