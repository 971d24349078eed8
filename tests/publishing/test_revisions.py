"""Revisions: a later publication that changes an earlier period's figure records it; nothing else does."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from orchestration import revisions as revisions_module
from orchestration.publishing import IDENTIFIER_COLUMN_PATTERN, publish_analytics
from orchestration.quality.suites import PUBLISHED_TABLES, PublishedTable
from orchestration.revisions import raw_sources_of, unique_key

INGESTED_FILES = """
create schema if not exists raw;
create table if not exists raw.ingested_files (source varchar, period varchar, source_file varchar, loaded_at timestamp);
"""


def make_warehouse(path: Path, targeting: list[tuple[str, str, int]], files: list[tuple[str, str, str, str]]) -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute(INGESTED_FILES)
        connection.execute("delete from raw.ingested_files")
        for file in files:
            connection.execute("insert into raw.ingested_files values (?, ?, ?, ?::timestamp)", file)
        connection.execute("create or replace table main.rpt_targeting (period varchar, program_key varchar, families integer)")
        connection.executemany("insert into main.rpt_targeting values (?, ?, ?)", targeting)
        connection.execute("create or replace table main.dim_program as select 'PKH' as program_key, 'PKH' as program_code")
    return path


# The real unique keys of the tables made here; no foreign keys, since the tests' programmes need no dimension row.
DECLARATIONS = {
    table: PublishedTable(unique=PUBLISHED_TABLES[table].unique) for table in ("rpt_targeting", "dim_program", "rpt_impact")
}


def publish(warehouse: Path, analytics: Path) -> None:
    publish_analytics(warehouse, analytics, DECLARATIONS)


def revisions(analytics: Path) -> list[tuple]:
    with duckdb.connect(str(analytics), read_only=True) as connection:
        return connection.execute(
            'select period, report, "key", "column", old_value, new_value, change, caused_by '
            "from rpt_revisions order by all"
        ).fetchall()


def test_a_changed_old_figure_is_recorded_with_its_cause_and_a_new_period_is_not(tmp_path, monkeypatch):
    monkeypatch.setattr(revisions_module, "MANIFEST", tmp_path / "no_manifest.json")
    warehouse, analytics = tmp_path / "tkpkd.duckdb", tmp_path / "analytics.duckdb"
    first_files = [("bansos", "2025-01", "bansos/2025-01/bansos_januari.csv", "2025-02-03 08:00:00")]
    make_warehouse(warehouse, [("2025-01", "PKH", 10), ("2025-01", "BPNT", 7)], first_files)
    publish(warehouse, analytics)
    assert revisions(analytics) == []

    late_file = ("bansos", "2025-01", "bansos/2025-01/bansos_januari_koreksi.csv", "2099-01-01 08:00:00")
    make_warehouse(
        warehouse,
        [("2025-01", "PKH", 12), ("2025-01", "BPNT", 7), ("2025-01", "PENA", 3), ("2025-02", "PKH", 11)],
        [*first_files, late_file],
    )
    publish(warehouse, analytics)

    # Without a dbt manifest every file loaded since the previous publication is named, and only those.
    rows = revisions(analytics)
    assert [row[:7] for row in rows] == [
        ("2025-01", "rpt_targeting", json.dumps({"period": "2025-01", "program_key": "PENA"}).replace(" ", ""),
         None, None, '{"period":"2025-01","program_key":"PENA","families":3}', "added"),
        ("2025-01", "rpt_targeting", '{"period":"2025-01","program_key":"PKH"}', "families", "10", "12", "changed"),
    ]
    for row in rows:
        assert "bansos/2025-01/bansos_januari_koreksi.csv" in row[7]
        assert "bansos/2025-01/bansos_januari.csv" not in row[7]


def test_the_history_is_carried_forward_and_removed_rows_are_recorded(tmp_path):
    warehouse, analytics = tmp_path / "tkpkd.duckdb", tmp_path / "analytics.duckdb"
    make_warehouse(warehouse, [("2025-01", "PKH", 10), ("2025-01", "BPNT", 7)], [])
    publish(warehouse, analytics)
    make_warehouse(warehouse, [("2025-01", "PKH", 11), ("2025-01", "BPNT", 7)], [])
    publish(warehouse, analytics)
    make_warehouse(warehouse, [("2025-01", "PKH", 11)], [])
    publish(warehouse, analytics)

    assert [(row[3], row[4], row[5], row[6]) for row in revisions(analytics)] == [
        (None, '{"period":"2025-01","program_key":"BPNT","families":7}', None, "removed"),
        ("families", "10", "11", "changed"),
    ]
    with duckdb.connect(str(analytics), read_only=True) as connection:
        assert connection.execute("select count(*) from rpt_publications").fetchone() == (3,)
        columns = [name for (name,) in connection.execute(
            "select column_name from duckdb_columns() where table_name = 'rpt_revisions'").fetchall()]
    assert not any(IDENTIFIER_COLUMN_PATTERN.match(column) for column in columns)


def test_keys_come_from_the_published_declarations_and_sources_from_the_manifest(tmp_path):
    assert unique_key("rpt_targeting") == ["period", "program_key"]
    assert unique_key("fct_assistance") == ["assistance_key"]
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({
        "parent_map": {
            "model.tkpkd.rpt_targeting": ["model.tkpkd.stg_bansos"],
            "model.tkpkd.stg_bansos": ["source.tkpkd.raw.bansos", "source.tkpkd.raw.ingested_files"],
        },
        "sources": {
            "source.tkpkd.raw.bansos": {"source_name": "raw", "name": "bansos"},
            "source.tkpkd.raw.ingested_files": {"source_name": "raw", "name": "ingested_files"},
        },
    }))
    assert raw_sources_of("rpt_targeting", manifest) == {"bansos"}
    assert raw_sources_of("rpt_targeting", tmp_path / "missing.json") is None
    # read once per version of the file: a rebuilt manifest (another dbt parse) is read again
    rebuilt = json.loads(manifest.read_text())
    rebuilt["parent_map"]["model.tkpkd.stg_bansos"].append("source.tkpkd.raw.kur")
    rebuilt["sources"]["source.tkpkd.raw.kur"] = {"source_name": "raw", "name": "kur"}
    before = manifest.stat().st_mtime_ns
    manifest.write_text(json.dumps(rebuilt))
    os.utime(manifest, ns=(before + 10**9, before + 10**9))
    assert raw_sources_of("rpt_targeting", manifest) == {"bansos", "kur"}


def test_an_impact_figure_is_revised_under_its_evaluation_period(tmp_path, monkeypatch):
    monkeypatch.setattr(revisions_module, "MANIFEST", tmp_path / "no_manifest.json")
    warehouse, analytics = tmp_path / "tkpkd.duckdb", tmp_path / "analytics.duckdb"

    def impact(families: int) -> None:
        make_warehouse(warehouse, [("2025-01", "PKH", 10)], [])
        with duckdb.connect(str(warehouse)) as connection:
            connection.execute(
                "create or replace table main.rpt_impact as select '2025-01' as baseline_period,"
                f" '2025-06' as evaluation_period, 'pangan' as category, 'assisted' as intervention_group,"
                f" {families} as families_improved"
            )

    impact(4)
    publish(warehouse, analytics)
    impact(5)
    publish(warehouse, analytics)
    assert [row[:6] for row in revisions(analytics)] == [
        ("2025-06", "rpt_impact",
         '{"baseline_period":"2025-01","evaluation_period":"2025-06","category":"pangan","intervention_group":"assisted"}',
         "families_improved", "4", "5"),
    ]
