"""The base models are incremental by raw file (dbt_project/macros/incremental/new_files.sql), the stg_ models of
snapshot sources by period (macros/incremental/changed_inputs.sql).

On the sample raw rows of every source: staging built from one period, then given the next period's files, a late
file for an earlier period, a re-delivered file and a file gone from raw, and built again incrementally, equals a
full build from the same raw tables in every table of `staging` and `quarantine`. A changed lookup (a kelurahan alias
added to the seed of a copy of the project) makes the next incremental build parse every old row again, as
`--full-refresh` does. A snapshot model deduplicates again only the periods whose files, delivery times or holds
changed.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from raw_samples import load_samples
from raw_warehouse_builder import DBT_PROJECT_DIR, RawWarehouse, release_dbt_connections, run_dbt

from orchestration.quality import holds

pytestmark = pytest.mark.slow  # seven dbt builds of the staging layer on a copy of the project: about 70 s here

STAGING_BUILD = [
    "build", "--select", "resource_type:seed", "path:models/staging", "path:models/quarantine",
    "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
]
NEXT_PERIOD, EARLIER_PERIOD = "2025-12", "2025-10"  # the sample is of 2025-11
LATE_SOURCE, REDELIVERED_SOURCE = "bansos", "jkn"
REMOVED_SOURCE, REMOVED_BASE = "verifikasi_kelurahan", "base_verifikasi__verifications"  # two files in the sample


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the dbt project, so that a test may change its seeds."""
    project_dir = tmp_path_factory.mktemp("base_incremental") / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project_dir, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return project_dir


def build(project_dir: Path, warehouse: Path, *flags: str):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TKPKD_WAREHOUSE", str(warehouse))
        patch.setenv("TKPKD_PSEUDONYM_SECRET", "test-secret-for-dbt-tests")
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        result = run_dbt([*STAGING_BUILD, *flags], warehouse.parent / f"target_{warehouse.stem}", project_dir)
        release_dbt_connections()
    failures = [str(r.node.unique_id) for r in (result.result or []) if str(r.status) not in ("success", "pass")]
    assert result.success and not failures, (result.exception, failures)
    return result


def deduplicated_periods(target: Path) -> dict[str, str]:
    """Per snapshot stg_ model, the periods its last build deduplicated, as its pre-hook logged them."""
    log = (target / "logs" / "dbt.log").read_text()
    return dict(re.findall(r"(stg_\w+): periods to deduplicate: (.*)", log))


def sample_warehouse(path: Path) -> RawWarehouse:
    warehouse = RawWarehouse(path, clock=datetime(2025, 12, 1, 8, 0, 0))
    load_samples(warehouse)
    return warehouse


def raw_files(path: Path, source: str) -> list[tuple[str, list[dict]]]:
    """The files of a raw table as (period, rows), each row its canonical values and loader fields."""
    lineage = {"_file_hash", "_source_file", "_period", "_loaded_at", "_extra"}
    with duckdb.connect(str(path), read_only=True) as connection:
        cursor = connection.execute(f"select * from raw.{source} order by _source_file, _file_hash, _row_number")
        names = [column[0] for column in cursor.description]
        records = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    files: dict[tuple[str, str], tuple[str, list[dict]]] = {}
    for record in records:
        row = {key: value for key, value in record.items() if key not in lineage}
        files.setdefault((record["_source_file"], record["_file_hash"]), (record["_period"], []))[1].append(row)
    return list(files.values())


def add_later_deliveries(warehouse: RawWarehouse) -> None:
    """The next period of every source (the first period's rows again), a late file for an earlier period and a
    re-delivered file (same path, new bytes)."""
    for source in warehouse.tables:
        for index, (_, rows) in enumerate(raw_files(warehouse.path, source)):
            warehouse.add_file(source, NEXT_PERIOD, f"{source}_{NEXT_PERIOD}_{index}.csv", rows)
    _, late_rows = raw_files(warehouse.path, LATE_SOURCE)[0]
    warehouse.add_file(LATE_SOURCE, EARLIER_PERIOD, "late.csv", late_rows[:1])
    period, rows = raw_files(warehouse.path, REDELIVERED_SOURCE)[0]
    first = {**rows[0], "_row_number": 2}
    warehouse.add_file(REDELIVERED_SOURCE, period, f"{REDELIVERED_SOURCE}_redelivered.csv", [first])
    warehouse.add_file(REDELIVERED_SOURCE, period, f"{REDELIVERED_SOURCE}_redelivered.csv", [first, first])


def remove_first_file(path: Path, source: str) -> str:
    """What nothing should do: a file's rows leave raw (a base table must follow all the same)."""
    with duckdb.connect(str(path)) as connection:
        (source_file,) = connection.execute(f"select min(_source_file) from raw.{source}").fetchone()
        connection.execute(f"delete from raw.{source} where _source_file = ?", [source_file])
        connection.execute("delete from raw.ingested_files where source_file = ?", [source_file])
    return source_file


def staged_tables(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [
        f"{schema}.{name}"
        for schema, name in connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = ? and table_schema in ('staging', 'quarantine') and table_type = 'BASE TABLE' "
            "order by all",
            [catalog],
        ).fetchall()
    ]


def staged_rows(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return {
            table: connection.execute(f"select count(*) from {table}").fetchone()[0]
            for table in staged_tables(connection, path.stem)
        }


def test_an_incremental_build_equals_a_full_build_table_by_table(project, tmp_path):
    incremental_path, full_path = tmp_path / "later.duckdb", tmp_path / "whole.duckdb"
    incremental = sample_warehouse(incremental_path)
    build(project, incremental_path)
    first_rows = staged_rows(incremental_path)
    add_later_deliveries(incremental)
    removed_file = remove_first_file(incremental_path, REMOVED_SOURCE)
    build(project, incremental_path)

    full = sample_warehouse(full_path)
    add_later_deliveries(full)
    remove_first_file(full_path, REMOVED_SOURCE)
    build(project, full_path)

    # the second build was incremental: each base model added the new files' rows to its table, and each snapshot
    # model deduplicated the new period (and the period of the re-delivered file) only
    run_sql = incremental_path.parent / "target_later" / "run" / "tkpkd" / "models" / "staging"
    base_sql = sorted(run_sql.glob("*/base/base_*.sql"))
    assert len(base_sql) == 14 and all("insert into" in path.read_text() for path in base_sql)
    assert deduplicated_periods(incremental_path.parent / "target_later") == {
        "stg_air_bersih__connections": NEXT_PERIOD,
        "stg_dtsen__families": NEXT_PERIOD,
        "stg_dtsen__members": NEXT_PERIOD,
        "stg_dukcapil__residents": NEXT_PERIOD,
        "stg_jkn__memberships": f"2025-11, {NEXT_PERIOD}",
        "stg_umkm__businesses": NEXT_PERIOD,
    }

    with duckdb.connect(str(incremental_path), read_only=True) as connection:
        connection.execute(f"attach '{full_path}' as whole (read_only)")
        tables = staged_tables(connection, "later")
        assert tables == staged_tables(connection, "whole") and len(tables) > 30
        differing = {}
        for table in tables:
            columns = [
                connection.execute(f"select * from {catalog}.{table} limit 0").description
                for catalog in ("later", "whole")
            ]
            assert columns[0] == columns[1], table
            for left, right in (("later", "whole"), ("whole", "later")):
                (count,) = connection.execute(
                    f"select count(*) from (select * from {left}.{table} except all select * from {right}.{table})"
                ).fetchone()
                if count:
                    differing[f"{left} - {right}: {table}"] = count
        assert not differing, differing
        grown = connection.execute("select count(*) from staging.base_bansos__payouts").fetchone()[0]
        removed = connection.execute(
            f"select count(*) from staging.{REMOVED_BASE} where _source_file = ?", [removed_file]).fetchone()[0]
    assert grown > first_rows["staging.base_bansos__payouts"]
    assert removed == 0 and first_rows[f"staging.{REMOVED_BASE}"] > 0


def test_a_changed_lookup_parses_every_old_row_again(project, tmp_path):
    path = tmp_path / "lookup.duckdb"
    sample_warehouse(path)
    build(project, path)
    base = "staging.base_air_bersih__connections"
    atlantis = f"select _outcome, kelurahan_code from {base} where _raw.kelurahan = 'Atlantis'"
    # a mark no parse writes: it stays as long as the old rows are not parsed again
    mark = f"update {base} set _field_warnings = 'not parsed again' where _raw.kelurahan = 'Atlantis'"
    marked = f"select count(*) from {base} where _field_warnings = 'not parsed again'"
    with duckdb.connect(str(path)) as connection:
        assert connection.execute(atlantis).fetchall() == [("quarantined", None)]
        connection.execute(mark)
    build(project, path)
    with duckdb.connect(str(path), read_only=True) as connection:
        assert connection.execute(marked).fetchone() == (1,)
    build(project, path, "--full-refresh")  # what `tkpkd run --full-refresh` passes: everything parsed again
    with duckdb.connect(str(path)) as connection:
        assert connection.execute(marked).fetchone() == (0,)
        connection.execute(mark)

    aliases = project / "seeds" / "ref_kelurahan_aliases.csv"
    original = aliases.read_text()
    try:
        aliases.write_text(original.rstrip("\n") + "\nAtlantis,ATLANTIS,61.71.01.1004,written_apart\n")
        result = build(project, path)
    finally:
        aliases.write_text(original)
    with duckdb.connect(str(path), read_only=True) as connection:
        assert connection.execute(atlantis).fetchall() == [("accepted", "61.71.01.1004")]
        assert connection.execute(marked).fetchone() == (0,)
    log = (path.parent / f"target_{path.stem}" / "logs" / "dbt.log").read_text()
    assert "base_air_bersih__connections: parsing code or lookups changed" in log, result


def test_a_snapshot_model_deduplicates_only_the_periods_whose_inputs_changed(project, tmp_path):
    path = tmp_path / "periods.duckdb"
    warehouse = sample_warehouse(path)
    [(sample_period, rows)] = raw_files(path, "dukcapil")
    warehouse.add_file("dukcapil", NEXT_PERIOD, "dukcapil_next.csv", rows)
    with duckdb.connect(str(path)) as connection:
        # as in a warehouse where a gate has held a batch once: before, the models' SQL reads no holds at all, and
        # the first hold changes it (every period is deduplicated again, once)
        holds.ensure_table(connection)
    target = path.parent / f"target_{path.stem}"
    build(project, path)
    table = "staging.stg_dukcapil__residents"
    # a mark no build writes: it stays on the rows of a period that is not deduplicated again
    marked = f"select _period, count(*) from {table} where _field_warnings = 'built before' group by all order by all"
    everything = f"select _period, count(*) from {table} group by all order by all"
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"update {table} set _field_warnings = 'built before'")
        periods = connection.execute(everything).fetchall()
    assert [period for period, _ in periods] == [sample_period, NEXT_PERIOD]

    build(project, path)
    assert deduplicated_periods(target)["stg_dukcapil__residents"] == "none"
    with duckdb.connect(str(path)) as connection:
        assert connection.execute(marked).fetchall() == periods
        # the gate holds the sample period's batch: the period has no accepted delivery left
        holds.hold_batch(connection, "dukcapil", sample_period, "gx_dukcapil", ["expect_x"], "test", "run-1")

    build(project, path)
    assert deduplicated_periods(target)["stg_dukcapil__residents"] == sample_period
    with duckdb.connect(str(path)) as connection:
        assert connection.execute(everything).fetchall() == [periods[1]]
        assert holds.release(connection, "dukcapil", sample_period) == 1

    build(project, path)
    assert deduplicated_periods(target)["stg_dukcapil__residents"] == sample_period
    with duckdb.connect(str(path), read_only=True) as connection:
        assert connection.execute(everything).fetchall() == periods
        assert connection.execute(marked).fetchall() == [periods[1]]

    # the same rows delivered again under another name, later: they replace the period's rows (the unkeyed ones,
    # an Excel-damaged NIK, are kept from both files, as ever)
    warehouse.add_file("dukcapil", NEXT_PERIOD, "dukcapil_next_corrected.csv", rows)
    build(project, path)
    assert deduplicated_periods(target)["stg_dukcapil__residents"] == NEXT_PERIOD
    with duckdb.connect(str(path), read_only=True) as connection:
        assert connection.execute(marked).fetchall() == []
        assert connection.execute(
            f"select distinct _source_file from {table} where _period = ? and nik is not null", [NEXT_PERIOD]
        ).fetchall() == [(f"dukcapil/{NEXT_PERIOD}/dukcapil_next_corrected.csv",)]

    # and what the periods built one by one hold is what a full build of the same inputs holds
    full = tmp_path / "periods_full.duckdb"
    shutil.copyfile(path, full)
    build(project, full, "--full-refresh")
    with duckdb.connect(str(path), read_only=True) as connection:
        connection.execute(f"attach '{full}' as whole (read_only)")
        for left, right in ((table, f"whole.{table}"), (f"whole.{table}", table)):
            assert connection.execute(
                f"select count(*) from (select * from {left} except all select * from {right})").fetchone() == (0,)
