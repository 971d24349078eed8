"""Held batches: a hold matches the files a source delivered for a period, lapses when they change, ends on release."""

import duckdb
import pytest

from orchestration.quality import holds


@pytest.fixture
def connection():
    with duckdb.connect() as connection:
        connection.execute(
            "create schema raw; create table raw.ingested_files (source varchar, period varchar, file_hash varchar,"
            " status varchar)"
        )
        connection.execute(
            "insert into raw.ingested_files values"
            " ('bansos', '2025-06', 'b', 'loaded'), ('bansos', '2025-06', 'a', 'loaded'),"
            " ('bansos', '2025-06', 'x', 'rejected'), ('bansos', '2025-05', 'c', 'loaded'), ('jkn', '2025-06', 'd', 'loaded')"
        )
        yield connection


def _hold(connection, source="bansos", period="2025-06"):
    holds.hold_batch(connection, source, period, "gx_bansos", ["expect_table_row_count_to_be_between"], "- 3 rows", "r1")


def test_no_table_means_no_hold(connection):
    assert holds.list_holds(connection) == []


def test_a_hold_records_the_loaded_files_of_the_batch(connection):
    _hold(connection)
    [entry] = holds.list_holds(connection)
    assert (entry.source, entry.period, entry.held_by_run) == ("bansos", "2025-06", "r1")
    assert entry.is_active and entry.label() == "bansos 2025-06"
    assert connection.execute("select file_hashes from quality.held_batches").fetchone()[0] == ["a", "b"]
    assert holds.holds_of_batch(connection, "bansos", "2025-05") == []


def test_a_rejected_file_added_later_keeps_the_hold(connection):
    _hold(connection)
    connection.execute("insert into raw.ingested_files values ('bansos', '2025-06', 'y', 'rejected')")
    assert holds.list_holds(connection)[0].is_active


def test_a_corrected_delivery_lapses_the_hold(connection):
    _hold(connection)
    connection.execute("insert into raw.ingested_files values ('bansos', '2025-06', 'corrected', 'loaded')")
    [entry] = holds.list_holds(connection)
    assert not entry.matches_delivery and not entry.is_active and entry.released_at is None
    assert holds.holds_of_batch(connection, "bansos", "2025-06") == []
    # Nothing of the delivery now is held, so there is nothing to release.
    assert holds.release(connection, "bansos", "2025-06") == 0


def test_release_ends_the_hold_and_names_who(connection):
    _hold(connection)
    assert holds.release(connection, "bansos", "2025-06", released_by="analyst") == 1
    [entry] = holds.list_holds(connection)
    assert not entry.is_active and entry.released_by == "analyst" and entry.matches_delivery
    assert holds.release(connection, "bansos", "2025-06") == 0


def test_list_by_source(connection):
    _hold(connection)
    _hold(connection, source="jkn")
    assert [entry.source for entry in holds.list_holds(connection, "jkn")] == ["jkn"]
    assert len(holds.list_holds(connection)) == 2


def test_the_hold_command_lists_and_releases(tmp_path, monkeypatch, capsys):
    from orchestration.cli import main

    warehouse = tmp_path / "tkpkd.duckdb"
    monkeypatch.setenv("TKPKD_WAREHOUSE", str(warehouse))
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "create schema raw; create table raw.ingested_files as "
            "select 'bansos' as source, '2025-06' as period, 'a' as file_hash, 'loaded' as status"
        )
        _hold(connection)

    assert main(["hold", "list"]) == 0
    assert "bansos 2025-06" in capsys.readouterr().out
    assert main(["hold", "release", "bansos", "2025-05"]) == 2
    assert "no batch of bansos 2025-05 is held" in capsys.readouterr().err
    assert main(["hold", "release", "bansos", "2025-06"]) == 0
    assert main(["hold", "list", "bansos"]) == 0
    assert "released by" in capsys.readouterr().out
