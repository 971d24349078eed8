"""Publishing the analytics file, on a hand-made warehouse: no Dagster, no dbt."""

import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from orchestration.publishing import (
    ANALYTICS_STORAGE_VERSION,
    PublicationRefused,
    publish_analytics,
)
from orchestration.revisions import REVISION_COMMENTS

# DuckDB 1.x opens files whose main header holds a storage version number up to 68 ("can only read versions between
# 64 and 68"); DuckDB 2.0 writes a newer one unless told otherwise.
DUCKDB_1X_READABLE_VERSION_NUMBERS = range(64, 69)


def make_warehouse(path: Path, *, families: int = 3, extra_sql: str = "") -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            f"""
            create schema staging;
            create schema pii;
            create table main.dim_region as
                select * from (values ('61.71.01.1001', 'Benua Melayu Darat'), ('61.71.03.1002', 'Sungaijawi Dalam'))
                as t(kelurahan_code, kelurahan_name);
            comment on table main.dim_region is 'One row per kelurahan.';
            comment on column main.dim_region.kelurahan_code is 'Official Kemendagri code.';
            create table main.fct_family_month as
                select 'f' || i as family_key, '2025-12' as period, 1 + i % 4 as desil from range({families}) t(i);
            comment on table main.fct_family_month is 'One row per family and month.';
            comment on column main.fct_family_month.desil is 'Welfare decile, 1 = poorest.';
            create table main.rpt_targeting as select 'PKH' as program_code, {families} as families;
            comment on table main.rpt_targeting is 'Who gets what, by desil.';
            create table main.stg_bansos as select 1 as anything;
            create table staging.stg_dtsen__families as select 1 as anything;
            create table pii.person_identities as select '6171010101010001' as nik, 'SITI AMINAH' as name;
            create table main.base_family as select 1 as anything;
            {extra_sql}
            """
        )
    return path


@pytest.fixture
def warehouse(tmp_path):
    return make_warehouse(tmp_path / "tkpkd.duckdb")


@pytest.fixture
def analytics(tmp_path):
    return tmp_path / "out" / "analytics.duckdb"


def leftovers(folder: Path) -> list[str]:
    return sorted(
        p.name for p in folder.iterdir() if ".building" in p.name or p.name.endswith(".wal")
    )


def test_only_dim_fct_rpt_tables_are_published_with_their_comments(warehouse, analytics):
    published = publish_analytics(warehouse, analytics)

    assert {(t.name, t.rows) for t in published} == {
        ("dim_region", 2),
        ("fct_family_month", 3),
        ("rpt_targeting", 1),
    }
    with duckdb.connect(str(analytics), read_only=True) as connection:
        tables = connection.execute(
            "select schema_name, table_name, comment from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        assert sorted(tables) == [
            ("main", "dim_region", "One row per kelurahan."),
            ("main", "fct_family_month", "One row per family and month."),
            ("main", "rpt_publications", "One row per publication of this file (UTC)."),
            ("main", "rpt_revisions", REVISION_COMMENTS[None]),
            ("main", "rpt_targeting", "Who gets what, by desil."),
        ]
        column_comments = connection.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where database_name = current_database() and comment is not null "
            "and table_name not in ('rpt_revisions', 'rpt_publications') "
            "order by all"
        ).fetchall()
        assert column_comments == [
            ("dim_region", "kelurahan_code", "Official Kemendagri code."),
            ("fct_family_month", "desil", "Welfare decile, 1 = poorest."),
        ]
        assert connection.execute(
            "select kelurahan_name from dim_region order by 1"
        ).fetchall() == [
            ("Benua Melayu Darat",),
            ("Sungaijawi Dalam",),
        ]
    assert leftovers(analytics.parent) == []


def test_the_file_is_written_in_a_storage_version_duckdb_1x_reads(warehouse, analytics):
    publish_analytics(warehouse, analytics)

    with duckdb.connect(str(analytics), read_only=True) as connection:
        (tags,) = connection.execute(
            "select tags from duckdb_databases() where database_name = current_database()"
        ).fetchone()
    assert tags["storage_version"] == f"{ANALYTICS_STORAGE_VERSION}+"
    # The main header: an 8-byte checksum, the magic "DUCK", then the storage version number (little endian).
    header = analytics.read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    (version_number,) = struct.unpack("<Q", header[12:20])
    assert version_number in DUCKDB_1X_READABLE_VERSION_NUMBERS


@pytest.mark.parametrize(
    "column", ["nik", "head_name", "address", "birth_date", "recipient_no_kk", "phone_number"]
)
def test_an_identifier_column_refuses_publication_and_leaves_the_published_file_alone(
    tmp_path, analytics, column
):
    publish_analytics(make_warehouse(tmp_path / "clean.duckdb"), analytics)
    before = analytics.read_bytes()
    leaky = make_warehouse(
        tmp_path / "leaky.duckdb",
        extra_sql=f"create table main.rpt_cases as select 'f1' as family_key, 'x' as {column};",
    )

    with pytest.raises(PublicationRefused, match=f"rpt_cases.{column}"):
        publish_analytics(leaky, analytics)

    assert analytics.read_bytes() == before
    assert leftovers(analytics.parent) == []


def test_place_and_programme_names_are_not_identifiers(tmp_path, analytics):
    warehouse = make_warehouse(
        tmp_path / "tkpkd.duckdb",
        extra_sql="create table main.rpt_places as select 'x' as kelurahan_name, 'y' as program_name, "
        "0.9 as valid_nik_share, 1980 as birth_year;",
    )
    assert "rpt_places" in {t.name for t in publish_analytics(warehouse, analytics)}


def test_a_failed_build_leaves_no_building_file_and_the_old_file_alone(
    tmp_path, warehouse, analytics, monkeypatch
):
    publish_analytics(warehouse, analytics)
    before = analytics.read_bytes()
    from orchestration import publishing

    real_quote = publishing._quote

    def failing_quote(text):
        # The last table's comment: the building file exists and holds tables by then.
        if text.startswith("Who gets what"):
            raise OSError("disk full")
        return real_quote(text)

    monkeypatch.setattr(publishing, "_quote", failing_quote)
    with pytest.raises(OSError, match="disk full"):
        publish_analytics(warehouse, analytics)
    assert analytics.read_bytes() == before
    assert leftovers(analytics.parent) == []


READER = textwrap.dedent(
    """
    import sys, duckdb
    connection = duckdb.connect(sys.argv[1], read_only=True)
    count = lambda: connection.execute("select count(*) from fct_family_month").fetchone()[0]
    print(count(), flush=True)
    sys.stdin.readline()  # wait until the file has been replaced
    print(count(), flush=True)
    """
)


def test_a_reader_holding_the_old_file_keeps_it_while_new_readers_see_the_new_one(
    tmp_path, analytics
):
    publish_analytics(make_warehouse(tmp_path / "v1.duckdb", families=3), analytics)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(analytics)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "3"
        # The open reader does not block the publish (on Windows it would: os.replace over an open file fails).
        publish_analytics(make_warehouse(tmp_path / "v2.duckdb", families=5), analytics)
        with duckdb.connect(str(analytics), read_only=True) as fresh:
            assert fresh.execute("select count(*) from fct_family_month").fetchone()[0] == 5
        out, err = reader.communicate("go\n", timeout=30)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, err
    assert out.strip() == "3"
    assert leftovers(analytics.parent) == []
