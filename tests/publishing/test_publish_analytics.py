"""Publishing the analytics file, on a hand-made warehouse: no Dagster, no dbt."""

import re
import shutil
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.publishing import (
    ANALYTICS_STORAGE_VERSION,
    BI_COMMENT_LIMIT,
    DATA_DICTIONARY_COMMENTS,
    PublicationRefused,
    bi_comment,
    declared_keys,
    publish_analytics,
)
from orchestration.quality.suites import PUBLISHED_TABLES
from orchestration.quality.suites import PublishedTable as PublishedTableSpec
from orchestration.revisions import REVISION_COMMENTS
from orchestration.settings import DBT_PROJECT_DIR

# DuckDB 1.x opens files whose main header holds a storage version number up to 68 ("can only read versions between
# 64 and 68"); DuckDB 2.0 writes a newer one unless told otherwise.
DUCKDB_1X_READABLE_VERSION_NUMBERS = range(64, 69)


# The keys of the hand-made tables below, declared the way orchestration/quality/suites.py declares the real ones.
DECLARATIONS = {
    "dim_region": PublishedTableSpec(unique=[["region_key"], ["kelurahan_code"]]),
    "fct_family_month": PublishedTableSpec(
        unique=[["family_key", "period"]],
        references={"region_key": "dim_region.region_key", "kelurahan_code": "dim_region.kelurahan_code"},
    ),
    "rpt_targeting": PublishedTableSpec(unique=[["period", "program_code"]]),
    "rpt_places": PublishedTableSpec(unique=[["kelurahan_name"]]),
}
REGION_DESCRIPTION = (
    "One row per kelurahan (e.g. Benua Melayu Darat), from the Kemendagri list.\n"
    "Kelurahan known only from a source's rows are added. RT rows are not built here.\n"
)


def make_warehouse(path: Path, *, families: int = 3, extra_sql: str = "") -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            f"""
            create schema staging;
            create schema pii;
            create table main.dim_region as
                select * from (values ('r1', '61.71.01.1001', 'Benua Melayu Darat'),
                                      ('r2', '61.71.03.1002', 'Sungaijawi Dalam'))
                as t(region_key, kelurahan_code, kelurahan_name);
            comment on table main.dim_region is {_sql_text(REGION_DESCRIPTION)};
            comment on column main.dim_region.kelurahan_code is 'Official Kemendagri code.';
            create table main.fct_family_month as
                select 'f' || i as family_key, '2025-12' as period,
                       case when i > 0 then 'r' || (1 + i % 2) end as region_key,
                       case when i > 0 then '61.71.01.1001' end as kelurahan_code,
                       1 + i % 4 as desil
                from range({families}) t(i);
            comment on table main.fct_family_month is 'One row per family and month.';
            comment on column main.fct_family_month.desil is 'Welfare decile, 1 = poorest.';
            create table main.rpt_targeting as select '2025-12' as period, 'PKH' as program_code, {families} as families;
            comment on table main.rpt_targeting is 'Who gets what, by desil.';
            create table main.stg_bansos as select 1 as anything;
            create table staging.stg_dtsen__families as select 1 as anything;
            create table pii.person_identities as select '6171010101010001' as nik, 'SITI AMINAH' as name;
            create table main.base_family as select 1 as anything;
            {extra_sql}
            """
        )
    return path


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(warehouse: Path, analytics: Path):
    return publish_analytics(warehouse, analytics, DECLARATIONS)


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
    published = publish(warehouse, analytics).tables

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
            # The first sentence only, on one line; the whole text is in the data dictionary.
            ("main", "dim_region", "One row per kelurahan (e.g. Benua Melayu Darat), from the Kemendagri list."),
            ("main", "fct_family_month", "One row per family and month."),
            ("main", "rpt_data_dictionary", DATA_DICTIONARY_COMMENTS[None]),
            ("main", "rpt_publications", "One row per publication of this file (UTC)."),
            ("main", "rpt_revisions", REVISION_COMMENTS[None]),
            ("main", "rpt_targeting", "Who gets what, by desil."),
        ]
        column_comments = connection.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where database_name = current_database() and comment is not null "
            "and table_name not in ('rpt_revisions', 'rpt_publications', 'rpt_data_dictionary') "
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
        assert connection.execute(
            "select table_name, column_name, description from rpt_data_dictionary order by all"
        ).fetchall() == [
            ("dim_region", "kelurahan_code", "Official Kemendagri code."),
            ("dim_region", None, REGION_DESCRIPTION.strip()),
            ("fct_family_month", "desil", "Welfare decile, 1 = poorest."),
            ("fct_family_month", None, "One row per family and month."),
            ("rpt_targeting", None, "Who gets what, by desil."),
        ]
    assert leftovers(analytics.parent) == []


def constraints(connection: duckdb.DuckDBPyConnection) -> set[tuple]:
    rows = connection.execute(
        "select table_name, constraint_type, constraint_column_names, referenced_table, referenced_column_names "
        "from duckdb_constraints() where database_name = current_database() "
        "and constraint_type in ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')"
    ).fetchall()
    return {(table, kind, tuple(columns), referenced, tuple(keys or ())) for table, kind, columns, referenced, keys in rows}


def test_the_file_declares_the_keys_of_every_table(warehouse, analytics):
    publish(warehouse, analytics)

    with duckdb.connect(str(analytics), read_only=True) as connection:
        assert constraints(connection) == {
            ("dim_region", "PRIMARY KEY", ("region_key",), None, ()),
            ("dim_region", "UNIQUE", ("kelurahan_code",), None, ()),
            ("fct_family_month", "UNIQUE", ("family_key", "period"), None, ()),
            ("fct_family_month", "FOREIGN KEY", ("region_key",), "dim_region", ("region_key",)),
            ("fct_family_month", "FOREIGN KEY", ("kelurahan_code",), "dim_region", ("kelurahan_code",)),
            ("rpt_targeting", "UNIQUE", ("period", "program_code"), None, ()),
            ("rpt_data_dictionary", "UNIQUE", ("table_name", "column_name"), None, ()),
        }


def test_the_declared_keys_refuse_a_duplicate_or_an_orphan_and_take_a_null_reference(warehouse, analytics, tmp_path):
    publish(warehouse, analytics)
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(analytics, copy)

    with duckdb.connect(str(copy)) as connection:
        with pytest.raises(duckdb.ConstraintException, match="region_key"):
            connection.execute("insert into dim_region values ('r1', '61.71.99.9999', 'Duplicate Key')")
        with pytest.raises(duckdb.ConstraintException, match="kelurahan_code"):
            connection.execute("insert into dim_region values ('r9', '61.71.01.1001', 'Duplicate Code')")
        with pytest.raises(duckdb.ConstraintException, match="family_key"):
            connection.execute("insert into fct_family_month values ('f1', '2025-12', 'r1', null, 2)")
        with pytest.raises(duckdb.ConstraintException, match="foreign key"):
            connection.execute("insert into fct_family_month values ('f9', '2025-12', 'r404', null, 2)")
        # A family whose region is not known: NULL in a foreign-key column is allowed.
        connection.execute("insert into fct_family_month values ('f8', '2025-12', null, null, 2)")
        assert connection.execute("select count(*) from fct_family_month").fetchone() == (4,)


@pytest.mark.parametrize(
    ("bad_sql", "message"),
    [
        ("insert into main.fct_family_month values ('f1', '2025-12', 'r1', null, 4)", "fct_family_month breaks"),
        ("insert into main.fct_family_month values ('f9', '2025-12', 'r404', null, 4)", "fct_family_month breaks"),
        ("insert into main.dim_region values ('r1', '61.71.99.9999', 'Twin')", "dim_region breaks"),
    ],
)
def test_data_breaking_a_key_refuses_publication_and_leaves_the_published_file_alone(
    tmp_path, analytics, bad_sql, message
):
    publish(make_warehouse(tmp_path / "clean.duckdb"), analytics)
    before = analytics.read_bytes()
    broken = make_warehouse(tmp_path / "broken.duckdb", extra_sql=f"{bad_sql};")

    with pytest.raises(PublicationRefused, match=message):
        publish(broken, analytics)

    assert analytics.read_bytes() == before
    assert leftovers(analytics.parent) == []


def test_a_table_without_a_declared_key_or_with_a_key_column_missing_refuses_publication(tmp_path, analytics):
    undeclared = make_warehouse(tmp_path / "new.duckdb", extra_sql="create table main.rpt_new as select 1 as x;")
    with pytest.raises(PublicationRefused, match="rpt_new has no declared unique key"):
        publish(undeclared, analytics)

    renamed = make_warehouse(
        tmp_path / "renamed.duckdb", extra_sql="alter table main.rpt_targeting rename program_code to programme;"
    )
    with pytest.raises(PublicationRefused, match="rpt_targeting has no column program_code"):
        publish(renamed, analytics)
    assert not analytics.exists()


def test_the_published_tables_declare_a_key_each_and_foreign_keys_only_to_dimension_keys():
    keys = declared_keys(PUBLISHED_TABLES)

    assert all(keys[table].primary_key for table in PUBLISHED_TABLES if table.startswith("dim_"))
    assert all(keys[table].unique for table in PUBLISHED_TABLES if not table.startswith("dim_"))
    foreign = {
        (table, key.column, f"{key.table}.{key.key}") for table, table_keys in keys.items() for key in table_keys.foreign
    }
    assert foreign == {
        ("dim_family", "region_key", "dim_region.region_key"),
        ("dim_program", "agency_key", "dim_agency.agency_key"),
        ("fct_assistance", "program_key", "dim_program.program_key"),
        ("fct_assistance", "agency_key", "dim_agency.agency_key"),
        ("fct_assistance", "date_key", "dim_date.date_key"),
        ("fct_assistance", "region_key", "dim_region.region_key"),
        ("fct_assistance", "person_key", "dim_person.person_key"),
        ("fct_family_month", "family_version_key", "dim_family.family_version_key"),
        ("fct_family_month", "region_key", "dim_region.region_key"),
        ("rpt_basic_needs_coverage", "region_key", "dim_region.region_key"),
        ("rpt_basic_needs_coverage", "responsible_agency_code", "dim_agency.agency_code"),
        ("rpt_extreme_poverty_cases", "region_key", "dim_region.region_key"),
        ("rpt_left_behind", "region_key", "dim_region.region_key"),
        ("rpt_targeting", "program_key", "dim_program.program_key"),
    }
    # family_key names a family across its dim_family versions (type 2), so it is no key of dim_family.
    assert not any(key.column == "family_key" for table_keys in keys.values() for key in table_keys.foreign)
    assert any(
        spec.references.get("family_key") == "dim_family.family_key" for spec in PUBLISHED_TABLES.values()
    )


@pytest.mark.parametrize(
    ("description", "comment"),
    [
        ("One row per family.\nMore detail here.\n", "One row per family."),
        ("  Spread\n  over   lines. Second.", "Spread over lines."),
        ("Programme code (kode program), e.g. `PKH`. Stable.", "Programme code (kode program), e.g. `PKH`."),
        ("The 12 months ending with P (P-11 .. P). Then more.", "The 12 months ending with P (P-11 .. P)."),
        ("A share of 0.5 or more? Yes. Then more.", "A share of 0.5 or more?"),
        ("No full stop at the end", "No full stop at the end"),
    ],
)
def test_a_comment_is_the_first_sentence_of_its_description_on_one_line(description, comment):
    assert bi_comment(description) == comment


def test_a_first_sentence_too_long_for_a_bi_tool_is_cut_at_a_word():
    sentence = "Word " * 100 + "end."
    comment = bi_comment(sentence + " Second sentence.")
    assert len(comment) <= BI_COMMENT_LIMIT and comment.endswith("Word…") and "\n" not in comment


def published_descriptions() -> list[tuple[str, str | None, str]]:
    """(model, column or None, description) of every published dbt model, from the marts' YAML."""
    found = []
    for path in (DBT_PROJECT_DIR / "models" / "marts").rglob("*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            if model["name"] in PUBLISHED_TABLES:
                found.append((model["name"], None, model.get("description", "")))
                found += [(model["name"], c["name"], c.get("description", "")) for c in model.get("columns", [])]
    return found


def test_every_published_description_opens_with_a_sentence_a_bi_tool_shows_whole():
    descriptions = published_descriptions()
    assert {model for model, _, _ in descriptions} == set(PUBLISHED_TABLES)
    too_long = [
        f"{model}.{column or ''}: {bi_comment(text)}" for model, column, text in descriptions if bi_comment(text).endswith("…")
    ]
    assert too_long == []


@pytest.mark.parametrize("method", ["built", "updated"])
def test_the_file_is_written_in_a_storage_version_duckdb_1x_reads(warehouse, analytics, method):
    publish(warehouse, analytics)
    if method == "updated":
        with duckdb.connect(str(warehouse)) as connection:
            connection.execute(CHANGES_OF_A_MONTH)
        assert publish(warehouse, analytics).method == "updated"

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
    publish(make_warehouse(tmp_path / "clean.duckdb"), analytics)
    before = analytics.read_bytes()
    leaky = make_warehouse(
        tmp_path / "leaky.duckdb",
        extra_sql=f"create table main.rpt_cases as select 'f1' as family_key, 'x' as {column};",
    )

    with pytest.raises(PublicationRefused, match=f"rpt_cases.{column}"):
        publish(leaky, analytics)

    assert analytics.read_bytes() == before
    assert leftovers(analytics.parent) == []


def test_place_and_programme_names_are_not_identifiers(tmp_path, analytics):
    warehouse = make_warehouse(
        tmp_path / "tkpkd.duckdb",
        extra_sql="create table main.rpt_places as select 'x' as kelurahan_name, 'y' as program_name, "
        "0.9 as valid_nik_share, 1980 as birth_year;",
    )
    assert "rpt_places" in {t.name for t in publish(warehouse, analytics).tables}


def test_a_failed_build_leaves_no_building_file_and_the_old_file_alone(
    tmp_path, warehouse, analytics, monkeypatch
):
    publish(warehouse, analytics)
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
        publish(warehouse, analytics)
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
    publish(make_warehouse(tmp_path / "v1.duckdb", families=3), analytics)
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
        publish(make_warehouse(tmp_path / "v2.duckdb", families=5), analytics)
        with duckdb.connect(str(analytics), read_only=True) as fresh:
            assert fresh.execute("select count(*) from fct_family_month").fetchone()[0] == 5
        out, err = reader.communicate("go\n", timeout=30)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, err
    assert out.strip() == "3"
    assert leftovers(analytics.parent) == []


# --- a publication over a previous file ----------------------------------------------------------------------------


def file_contents(path: Path) -> dict:
    """Everything a reader of an analytics file sees but the publication history: rows, schema, keys, comments."""
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = [
            name for (name,) in connection.execute(
                "select table_name from duckdb_tables() where table_name not in ('rpt_revisions', 'rpt_publications') "
                "order by 1"
            ).fetchall()
        ]
        return {
            "rows": {table: sorted(connection.execute(f"select * from {table}").fetchall(), key=repr) for table in tables},
            "tables": connection.execute(
                "select table_name, sql, comment from duckdb_tables() where table_name = any(?) order by 1", [tables]
            ).fetchall(),
            "columns": connection.execute(
                "select table_name, column_name, data_type, comment from duckdb_columns() "
                "where table_name = any(?) order by all",
                [tables],
            ).fetchall(),
            "keys": constraints(connection),
        }


CHANGES_OF_A_MONTH = """
    insert into main.dim_region values ('r3', '61.71.02.1003', 'Parit Tokaya');
    update main.dim_region set kelurahan_name = 'Benua Melayu Darat (BMD)' where region_key = 'r1';
    delete from main.fct_family_month where family_key = 'f0';
    update main.fct_family_month set desil = 1 where family_key = 'f1';
    insert into main.fct_family_month values ('f7', '2026-01', 'r3', '61.71.02.1003', 3);
    insert into main.rpt_targeting values ('2026-01', 'PKH', 9);
    comment on column main.fct_family_month.desil is 'Welfare decile (1 = poorest).';
    comment on column main.dim_region.kelurahan_code is null;
"""


def test_a_publication_over_the_previous_file_updates_it_to_what_a_new_file_holds(warehouse, analytics, tmp_path):
    publish(warehouse, analytics)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(CHANGES_OF_A_MONTH)

    publication = publish(warehouse, analytics)

    assert publication.method == "updated"
    # Only what changed is written: one region added and one renamed, the family rows changed, the report's row.
    assert "dim_region -0 +2" in publication.detail
    assert "fct_family_month -2 +2" in publication.detail
    assert "rpt_targeting -0 +1" in publication.detail
    afresh = tmp_path / "afresh" / "analytics.duckdb"
    assert publish(warehouse, afresh).method == "built"
    assert file_contents(analytics) == file_contents(afresh)
    with duckdb.connect(str(analytics), read_only=True) as connection:
        assert connection.execute("select count(*) from rpt_publications").fetchone() == (2,)
        assert connection.execute(
            "select count(*) from rpt_revisions where report = 'fct_family_month' and change = 'removed'"
        ).fetchone() == (1,)
    assert leftovers(analytics.parent) == []


def test_an_unchanged_warehouse_publishes_without_writing_a_row(warehouse, analytics):
    publish(warehouse, analytics)

    publication = publish(warehouse, analytics)

    assert (publication.method, publication.detail) == ("updated", "rows deleted and written: none")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        # A new column: the file's tables no longer have the warehouse's shape.
        ("alter table main.rpt_targeting add column households integer", "tables differ .*rpt_targeting"),
        # A referenced row would change a unique key that a fact row points at: DuckDB cannot update it in place.
        ("update main.dim_region set kelurahan_code = '61.71.01.1009' where region_key = 'r2'",
         "dim_region changes a key"),
    ],
)
def test_a_previous_file_that_cannot_be_updated_is_replaced_by_one_built_afresh(
    warehouse, analytics, tmp_path, change, reason
):
    publish(warehouse, analytics)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(change)

    publication = publish(warehouse, analytics)

    assert publication.method == "built"
    assert re.search(reason, publication.detail)
    afresh = tmp_path / "afresh" / "analytics.duckdb"
    publish(warehouse, afresh)
    assert file_contents(analytics) == file_contents(afresh)


def test_a_previous_file_in_another_storage_version_is_replaced_by_one_built_afresh(warehouse, analytics, tmp_path):
    publish(warehouse, analytics)
    # As DuckDB 2.0 writes a file by default: readable by no 1.x BI driver.
    newer = tmp_path / "newer.duckdb"
    with duckdb.connect() as connection:
        connection.execute(f"attach '{analytics}' as published (read_only)")
        connection.execute(f"attach '{newer}' as newer (storage_version 'latest')")
        connection.execute("copy from database published to newer")
    shutil.copyfile(newer, analytics)

    publication = publish(warehouse, analytics)

    assert publication.method == "built"
    assert "storage version" in publication.detail


def test_a_previous_file_mostly_free_space_is_replaced_by_one_built_afresh(warehouse, analytics):
    publish(warehouse, analytics)
    with duckdb.connect(str(analytics)) as connection:
        # What months of updates can leave: blocks freed by deleted rows and rewritten indexes.
        connection.execute("create table scratch as select range as n, md5(range::varchar) as h from range(300000)")
        connection.execute("checkpoint")
        connection.execute("drop table scratch")
        connection.execute("checkpoint")

    publication = publish(warehouse, analytics)

    assert publication.method == "built"
    assert "free space" in publication.detail
    with duckdb.connect(str(analytics), read_only=True) as connection:
        assert connection.execute("select free_blocks from pragma_database_size()").fetchone() == (0,)


def test_an_orphan_in_an_updated_publication_is_refused_and_the_published_file_left_alone(warehouse, analytics):
    publish(warehouse, analytics)
    before = analytics.read_bytes()
    with duckdb.connect(str(warehouse)) as connection:
        # r2 goes while family f1's row, unchanged, still points at it.
        connection.execute("delete from main.dim_region where region_key = 'r2'")

    with pytest.raises(PublicationRefused, match="fct_family_month breaks"):
        publish(warehouse, analytics)

    assert analytics.read_bytes() == before
    assert leftovers(analytics.parent) == []


def test_a_table_referenced_through_a_unique_key_of_a_fact_is_published_by_a_new_file(tmp_path, analytics):
    """A foreign key may point at a single-column unique key of a fact, which has no primary key to merge on."""
    declarations = {
        **DECLARATIONS,
        "rpt_targeting": PublishedTableSpec(unique=[["program_code"]]),
        "rpt_places": PublishedTableSpec(
            unique=[["kelurahan_name"]], references={"program_code": "rpt_targeting.program_code"}
        ),
    }
    warehouse = make_warehouse(
        tmp_path / "tkpkd.duckdb",
        extra_sql="create table main.rpt_places as select 'Parit Tokaya' as kelurahan_name, 'PKH' as program_code;",
    )
    publish_analytics(warehouse, analytics, declarations)

    publication = publish_analytics(warehouse, analytics, declarations)

    assert publication.method == "built"
    assert "rpt_targeting is referenced but has no single-column primary key" in publication.detail
