"""End to end: generated agency files in, a staged and modelled warehouse out, checked against the ground truth."""

import duckdb
import pytest

from orchestration.contract import stg_models
from orchestration.summary import build_summary
from orchestration.warehouse_lock import connect_warehouse
from tests.e2e.conftest import materialize_everything

pytestmark = pytest.mark.e2e


def _open_warehouse(pipeline_run) -> duckdb.DuckDBPyConnection:
    connection = connect_warehouse(pipeline_run.warehouse, read_only=True)
    truth = pipeline_run.truth
    connection.execute(f"create temp view truth_files as select * from read_parquet('{truth}/files.parquet')")
    connection.execute(f"create temp view truth_rows as select * from read_parquet('{truth}/rows.parquet')")
    return connection


@pytest.fixture
def warehouse(pipeline_run):
    """A read-only connection of the test's own: one test may run the pipeline again, which needs the file to itself."""
    assert pipeline_run.result.success, "the main job failed; see the log above"
    with _open_warehouse(pipeline_run) as connection:
        yield connection


def test_every_file_has_the_status_and_reason_the_ground_truth_expects(warehouse):
    mismatches = warehouse.execute(
        """
        select t.path, t.expected_status, t.expected_reason, f.status, f.reason_code
        from truth_files t full join raw.ingested_files f on f.source_file = t.path
        where t.expected_status is distinct from f.status
           or (t.expected_status = 'rejected' and t.expected_reason is distinct from f.reason_code)
        """
    ).fetchall()
    assert mismatches == []
    rejected = warehouse.execute("select count(*) from raw.ingested_files where status = 'rejected'").fetchone()[0]
    assert rejected >= 4  # the generator always sends broken files; they must not stop the run


def test_rows_received_are_accepted_quarantined_or_non_data_for_every_file(warehouse):
    unbalanced = warehouse.execute(
        """
        with outcomes as (
            select _source_file, count(*) as accounted,
                   count(*) filter (where outcome = 'accepted') as accepted,
                   count(*) filter (where outcome = 'quarantined') as quarantined,
                   count(*) filter (where outcome = 'non_data') as non_data
            from staging.stg_row_outcomes group by all
        )
        select f.source_file, f.rows_received, o.accepted, o.quarantined, o.non_data
        from raw.ingested_files f left join outcomes o on o._source_file = f.source_file
        where f.status = 'loaded'
          and f.rows_received <> coalesce(o.accepted, 0) + coalesce(o.quarantined, 0) + coalesce(o.non_data, 0)
        """
    ).fetchall()
    assert unbalanced == []


def test_every_row_ends_where_the_ground_truth_says(warehouse):
    """Each injected defect is repaired (row accepted) or quarantined with the reason the truth expects."""
    disagreements = warehouse.execute(
        """
        with expected as (
            select source, path, row_number,
                   case when is_non_data then 'non_data'
                        when expected_reason is null then 'accepted' else 'quarantined' end as outcome,
                   case when is_non_data then null else expected_reason end as reason
            from truth_rows where file_status = 'loaded'
        ),
        actual as (
            select source, _source_file as path, _row_number as row_number, outcome,
                   case when outcome = 'quarantined' then reason end as reason
            from staging.stg_row_outcomes
        )
        select source, expected.outcome, expected.reason, actual.outcome, actual.reason, count(*)
        from expected full join actual using (source, path, row_number)
        where expected.outcome is distinct from actual.outcome or expected.reason is distinct from actual.reason
        group by all
        """
    ).fetchall()
    assert disagreements == []


def test_quarantine_keeps_original_values_and_a_plain_reason(warehouse):
    rows = warehouse.execute(
        "select count(*), count(*) filter (where reason_text is null or raw_values is null) "
        "from quarantine.quarantined_rows"
    ).fetchone()
    assert rows[0] > 0 and rows[1] == 0
    unknown_programs = warehouse.execute(
        "select count(*) from quarantine.quarantined_rows where reason_code = 'unknown_program'"
    ).fetchone()[0]
    expected = warehouse.execute(
        "select count(*) from truth_rows where expected_reason = 'unknown_program' and file_status = 'loaded'"
    ).fetchone()[0]
    assert unknown_programs == expected > 0


def test_staging_holds_every_source_and_the_registry_matches_the_ground_truth(warehouse):
    for model in stg_models():
        assert warehouse.execute(f"select count(*) from staging.{model}").fetchone()[0] > 0, model
    # The newest DTSEN snapshot: every family the truth put in a loaded data row, keyed by a usable KK number.
    newest = warehouse.execute("select max(_period) from staging.stg_dtsen__families").fetchone()[0]
    staged = warehouse.execute(
        "select count(distinct kk_number) from staging.stg_dtsen__families where _period = ?", [newest]
    ).fetchone()[0]
    expected = warehouse.execute(
        """
        select count(distinct kk_true) from truth_rows
        where source = 'dtsen_keluarga' and path like 'dtsen_keluarga/' || ? || '/%'
          and file_status = 'loaded' and not is_non_data and expected_reason is null
          and not list_contains(defects, 'M1_numeric_cell') and not list_contains(defects, 'M1_scientific')
          and not list_contains(defects, 'M1_float_text')
        """,
        [newest],
    ).fetchone()[0]
    assert staged == expected > 0


def _accepted_rows(warehouse) -> None:
    """Temp table `accepted`: every accepted row of every base model, whether its stg model kept it, and its truth."""
    pairs = [name.removeprefix("base_") for (name,) in warehouse.execute(
        "select table_name from duckdb_tables() where schema_name = 'staging' and table_name like 'base\\_%' escape '\\'"
    ).fetchall()]
    union = " union all ".join(
        f"select base._source_file as path, base._row_number as row_number, kept._row_number is not null as kept "
        f"from staging.base_{pair} base left join staging.stg_{pair} kept "
        f"using (_file_hash, _source_file, _row_number) where base._outcome = 'accepted'"
        for pair in pairs
    )
    warehouse.execute(
        f"create temp table accepted as select rows.*, truth.source, truth.family_id, truth.person_id, truth.defects "
        f"from ({union}) rows join truth_rows truth using (path, row_number)"
    )


def test_duplicate_rows_are_counted_once(warehouse):
    """Snapshot sources lose exactly the rows the generator repeated or a correction replaced. Event sources also
    lose a row that a later delivery lists again under its natural key (a quarterly rtlh progress report), which the
    ground truth does not mark: there every removed row must leave a kept twin, the same true family and person."""
    [(held,)] = warehouse.execute("select sum(rows_held) from staging.stg_dedup_stats").fetchall()
    assert held == 0  # no batch of the shared sample is held: every accepted row is kept or removed
    removed = dict(warehouse.execute(
        "select source, sum(dupes_removed) from staging.stg_dedup_stats where source_kind = 'snapshot' group by all"
    ).fetchall())
    injected = dict(warehouse.execute(
        """
        select source, count(*) filter (where list_has_any(defects, ['M4_duplicate_row', 'M4_superseded']))
        from truth_rows
        where file_status = 'loaded' and expected_reason is null and not is_non_data
          and source in (select source from staging.stg_dedup_stats where source_kind = 'snapshot')
        group by all
        """
    ).fetchall())
    # exact: more would mean deduplication merged rows that only look alike
    assert removed == injected and sum(removed.values()) > 0

    _accepted_rows(warehouse)
    [(removed_rows, without_twin)] = warehouse.execute(
        """
        select count(*), count(*) filter (where not exists (
            select 1 from accepted twin
            where twin.kept and twin.source = gone.source and (twin.path, twin.row_number) <> (gone.path, gone.row_number)
              and twin.family_id is not distinct from gone.family_id
              and twin.person_id is not distinct from gone.person_id
        ))
        from accepted gone where not gone.kept
        """
    ).fetchall()
    [(counted,)] = warehouse.execute("select sum(dupes_removed) from staging.stg_dedup_stats").fetchall()
    assert removed_rows == counted > 0
    assert without_twin == 0


def test_the_summary_names_rejected_files_and_quarantine_reasons(pipeline_run, warehouse):
    summary = build_summary(pipeline_run.warehouse)
    assert "Rejected files:" in summary and "quarantined by reason" in summary
    for (path,) in warehouse.execute("select source_file from raw.ingested_files where status = 'rejected'").fetchall():
        assert path in summary


def test_published_analytics_file_holds_the_marts_without_identifiers(pipeline_run, warehouse):
    with duckdb.connect(str(pipeline_run.analytics), read_only=True) as analytics:
        tables = {
            name for (name,) in analytics.execute("select table_name from duckdb_tables() where not internal").fetchall()
        }
        assert {"dim_region", "dim_family", "fct_assistance", "fct_family_month", "rpt_targeting"} <= tables
        assert not any(name.startswith(("stg_", "base_", "int_")) for name in tables)
        # A NIK or KK number: 16 digits standing alone (hex pseudonyms may hold 16 digits in a row, inside a word).
        sixteen_digit_values = 0
        for table, column in analytics.execute(
            "select table_name, column_name from duckdb_columns() "
            "where data_type = 'VARCHAR' and not internal and schema_name = 'main' and database_name = current_database()"
        ).fetchall():
            sixteen_digit_values += analytics.execute(
                f"select count(*) from \"{table}\" where regexp_matches(\"{column}\", '(^|[^0-9A-Za-z])[0-9]{{16}}([^0-9A-Za-z]|$)')"
            ).fetchone()[0]
        assert sixteen_digit_values == 0
        # Nor a name of any person of the sample.
        analytics.execute(f"create temp table sample_names as select distinct upper(name) as name "
                          f"from read_parquet('{pipeline_run.truth}/persons.parquet')")
        names_found = 0
        for table, column in analytics.execute(
            "select table_name, column_name from duckdb_columns() "
            "where data_type = 'VARCHAR' and not internal and schema_name = 'main' and database_name = current_database()"
        ).fetchall():
            names_found += analytics.execute(
                f'select count(*) from "{table}" where upper("{column}") in (select name from sample_names)'
            ).fetchone()[0]
        assert names_found == 0


ROW_COUNTS = (
    "select (select count(*) from raw.ingested_files), (select count(*) from raw.bansos), "
    "(select count(*) from staging.stg_bansos__payouts)"
)


def test_a_second_run_adds_nothing(pipeline_run, monkeypatch):
    assert pipeline_run.result.success, "the main job failed; see the log above"
    with _open_warehouse(pipeline_run) as connection:
        before = connection.execute(ROW_COUNTS).fetchone()
    for variable, value in {
        "TKPKD_INBOX": pipeline_run.inbox,
        "TKPKD_WAREHOUSE": pipeline_run.warehouse,
        "TKPKD_ANALYTICS": pipeline_run.analytics,
        # the first run's exports folder, not the repository's data/exports
        "TKPKD_EXPORTS": pipeline_run.root / "exports",
        "TKPKD_PSEUDONYM_SECRET": "e2e-test-secret",
    }.items():
        monkeypatch.setenv(variable, str(value))
    assert materialize_everything().success
    with _open_warehouse(pipeline_run) as again:
        after = again.execute(ROW_COUNTS).fetchone()
    assert after == before


def test_the_dbt_steps_after_the_first_reuse_dbts_partial_parse_state(pipeline_run):
    # The first step may parse in full (the fixture's warehouse path is new to dbt's state); each step hands its
    # state back to dbt_project/target, so the later steps of the same run parse only what changed.
    messages = pipeline_run.dbt_parse_messages
    assert set(messages) == {"tkpkd_dbt_staging", "tkpkd_dbt_core", "tkpkd_dbt_periods"}
    for step in ("tkpkd_dbt_core", "tkpkd_dbt_periods"):
        assert any(message.startswith("Partial parsing enabled") for message in messages[step]), (step, messages)
        assert not any(message.startswith("Unable to do partial parsing") for message in messages[step]), step
