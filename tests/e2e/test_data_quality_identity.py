"""rpt_data_quality takes "found in Dukcapil" from identity resolution: one definition in the whole warehouse."""

import duckdb
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def warehouse(pipeline_run):
    assert pipeline_run.result.success, "the main job failed; see the log above"
    with duckdb.connect(str(pipeline_run.warehouse), read_only=True) as connection:
        yield connection


def test_the_dukcapil_shares_are_identity_resolutions_outcomes(warehouse):
    # Counted here straight from the resolution table, per source and period, and compared with the report.
    expected = {
        (source, period): (rows, found, linked, unresolved)
        for source, period, rows, found, linked, unresolved in warehouse.execute(
            """
            select source, _period, count(*),
                count(*) filter (where dukcapil_match like 'found%'),
                count(*) filter (where resolution_method in ('repaired_nik', 'linked')),
                count(*) filter (where resolution_method = 'unresolved')
            from intermediate.int_person_resolution
            group by all
            """
        ).fetchall()
    }
    reported = warehouse.execute(
        """
        select source, period, person_rows, share_found_in_dukcapil, share_resolved_by_linkage, share_unresolved
        from main.rpt_data_quality
        where person_rows > 0
        """
    ).fetchall()
    assert {(source, period) for source, period, *_ in reported} == set(expected)
    for source, period, rows, found_share, linked_share, unresolved_share in reported:
        count, found, linked, unresolved = expected[(source, period)]
        assert rows == count
        if source == "dukcapil":
            assert found_share is None
        else:
            assert found_share == pytest.approx(found / count)
        assert linked_share == pytest.approx(linked / count)
        assert unresolved_share == pytest.approx(unresolved / count)


def test_rows_resolved_by_linkage_count_as_found(warehouse):
    # The sample damages NIKs on purpose: some rows are found only through record linkage, which a join on the
    # row's own NIK (the report's former definition) could not find.
    linked_found, = warehouse.execute(
        """
        select count(*) from intermediate.int_person_resolution
        where resolution_method in ('repaired_nik', 'linked') and dukcapil_match like 'found%'
        """
    ).fetchone()
    assert linked_found > 0
    found_rows, = warehouse.execute(
        """
        select sum(round(person_rows * share_found_in_dukcapil))
        from main.rpt_data_quality where share_found_in_dukcapil is not null
        """
    ).fetchone()
    own_nik_found, = warehouse.execute(
        """
        select count(*) from intermediate.int_person_resolution
        where source <> 'dukcapil' and resolution_method = 'nik' and dukcapil_match like 'found%'
        """
    ).fetchone()
    assert found_rows > own_nik_found


def test_found_unresolved_and_not_found_add_up_to_one(warehouse):
    bad = warehouse.execute(
        """
        select source, period from main.rpt_data_quality
        where share_found_in_dukcapil + share_unresolved > 1 + 1e-9
            or (person_rows > 0 and share_unresolved is null)
            or (source = 'dtsen_keluarga' and person_rows is not null)
        """
    ).fetchall()
    assert bad == []
