"""Identity resolution on generated data: every person row has an outcome, the links agree with the generator's
ground truth, the marts use the resolved keys, and the keys are the same on a second run under the same secret."""

import shutil

import duckdb
import pytest

from orchestration.identity.scoring import IDENTITY_STEP, run_identity_step, score_warehouse
from orchestration.pseudonym import Pseudonymiser

pytestmark = pytest.mark.e2e

SECRET = "e2e-test-secret"  # the pipeline_run fixture's


@pytest.fixture(scope="module")
def warehouse(pipeline_run):
    assert pipeline_run.result.success
    with duckdb.connect(str(pipeline_run.warehouse), read_only=True) as connection:
        yield connection


def test_every_person_row_has_a_resolution_outcome(warehouse):
    ((records, outcomes, without),) = warehouse.sql("""
        select
            (select count(*) from intermediate.int_person_records),
            count(*),
            count(*) filter (where resolution_method is null or dukcapil_match is null or nik_check is null)
        from intermediate.int_person_resolution
    """).fetchall()
    assert records == outcomes > 0
    assert without == 0
    # every source that names a person is there, and rows needing linkage exist (the generator damages NIKs)
    sources = {row[0] for row in warehouse.sql("select distinct source from intermediate.int_person_resolution").fetchall()}
    assert len(sources) == 13
    ((needed,),) = warehouse.sql(
        "select count(*) from intermediate.int_person_resolution where resolution_method <> 'nik'"
    ).fetchall()
    assert needed > 50


def test_links_agree_with_the_ground_truth(pipeline_run):
    scores = score_warehouse(pipeline_run.warehouse, pipeline_run.truth)
    overall = scores.loc["overall"]
    assert overall["own_nik_right"] == overall["own_nik"]  # a valid NIK is the person the generator meant
    assert overall["repaired"] > 0 and overall["linked"] > 0
    assert overall["precision"] >= 0.995
    assert overall["recall"] >= 0.95


def test_unresolved_rows_have_no_person_and_say_why(warehouse):
    rows = warehouse.sql("""
        select unresolved_reason, count(*) filter (where person_key is not null or resolved_nik is not null)
        from intermediate.int_person_resolution
        where resolution_method = 'unresolved'
        group by all
    """).fetchall()
    assert all(reason in {"no_candidate", "below_threshold", "ambiguous"} and keyed == 0 for reason, keyed in rows)


def test_assistance_uses_the_resolved_recipient(warehouse):
    ((linked, disagreeing),) = warehouse.sql("""
        select
            count(*),
            count(*) filter (where facts.person_key is distinct from resolution.person_key)
        from main.fct_assistance as facts
        inner join intermediate.int_assistance_deliveries as deliveries
            on deliveries.assistance_key = facts.assistance_key
        inner join intermediate.int_person_resolution as resolution
            on resolution._source_file = deliveries._source_file
            and resolution._row_number = deliveries._row_number
        where facts.recipient_link in ('repaired_nik', 'linked')
    """).fetchall()
    assert linked > 0
    assert disagreeing == 0


def _keys(path) -> dict[str, str | None]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return dict(connection.sql("select record_id, person_key from intermediate.int_person_resolution").fetchall())


def test_keys_are_stable_across_runs_and_differ_under_another_secret(pipeline_run, tmp_path):
    first = _keys(pipeline_run.warehouse)
    with duckdb.connect(str(pipeline_run.warehouse), read_only=True) as connection:
        niks = dict(connection.sql("select record_id, resolved_nik from intermediate.int_person_resolution").fetchall())
    assert all(first[r] == Pseudonymiser(SECRET).key("nik", nik) for r, nik in niks.items() if nik is not None)

    copy = tmp_path / "tkpkd.duckdb"
    models = ("int_person_identities", "int_family_identities", *IDENTITY_STEP)
    for secret in (SECRET, "another-secret"):
        shutil.copy(pipeline_run.warehouse, copy)
        run_identity_step({"TKPKD_WAREHOUSE": str(copy), "TKPKD_PSEUDONYM_SECRET": secret}, models)
        again = _keys(copy)
        assert again.keys() == first.keys()
        resolved = [record for record, key in first.items() if key is not None]
        if secret == SECRET:
            assert again == first
        else:
            assert all(again[record] != first[record] for record in resolved)
            assert [again[record] is None for record in first] == [first[record] is None for record in first]
