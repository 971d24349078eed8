"""Which assets are partitioned by period, and which periods each partitioned asset reads of its parents."""

import dagster as dg
import fsspec
import pytest

from orchestration.contract import load_contract
from orchestration.definitions import defs
from orchestration.defs.partitions import PERIODS, known_periods, range_tags

PER_PERIOD = {
    "fct_assistance", "fct_family_month", "rpt_basic_needs_coverage", "rpt_data_quality", "rpt_empowerment_pathway",
    "rpt_extreme_poverty_cases", "rpt_impact", "rpt_left_behind", "rpt_left_behind_by_region",
    "rpt_partner_contribution", "rpt_targeting", "rpt_verification_progress",
}
READ_BY_LATER_PERIODS = {"fct_assistance", "fct_family_month"}


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


def partitioned(graph) -> set[str]:
    return {key.to_user_string() for key in graph.get_all_asset_keys() if graph.get(key).partitions_def == PERIODS}


def test_ingestion_and_the_per_period_facts_and_reports_are_partitioned_and_nothing_else(graph):
    raw = {f"raw/{source}" for source in load_contract()} | {"raw/ingested_files"}
    assert partitioned(graph) == raw | {f"marts/{name}" for name in PER_PERIOD} | {"pii/case_list"}


def test_each_partitioned_model_reads_its_own_period_or_every_earlier_one(graph):
    checked = 0
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.partitions_def != PERIODS or key.path[0] == "raw":
            continue
        for parent in node.parent_keys:
            parent_node = graph.get(parent)
            if parent_node.partitions_def != PERIODS:
                continue  # unpartitioned: read whole
            mapping = graph.get_partition_mapping(key, parent)
            upstream = mapping.get_upstream_mapped_partitions_result_for_partitions(
                PERIODS.subset_with_partition_keys(["2025-03"]), PERIODS, PERIODS, dynamic_partitions_store=None
            ).partitions_subset.get_partition_keys()
            expected = ["2025-01", "2025-02", "2025-03"] if parent.path[-1] in READ_BY_LATER_PERIODS else ["2025-03"]
            assert sorted(upstream) == expected, (key, parent)
            checked += 1
    assert checked > 10


def test_the_dimensions_and_identity_are_unpartitioned(graph):
    for name in (["marts", "dim_family"], ["marts", "dim_person"], ["intermediate", "int_person_links"], ["staging", "stg_bansos__payouts"]):
        assert graph.get(dg.AssetKey(name)).partitions_def is None


def test_a_range_of_periods_is_one_run():
    assert range_tags(["2025-05", "2025-03", "2025-04"]) == {
        "dagster/asset_partition_range_start": "2025-03", "dagster/asset_partition_range_end": "2025-05"
    }
    with pytest.raises(ValueError):
        range_tags([])


def test_the_delivered_periods_are_read_where_the_inbox_is_local_or_remote(tmp_path):
    from orchestration.defs.partitions import delivered_periods

    (tmp_path / "bansos" / "2025-04").mkdir(parents=True)
    (tmp_path / "bansos" / "2025-04" / "penyaluran.csv").write_text("NIK\n")
    (tmp_path / "bansos" / "2025-05").mkdir()  # an empty folder delivers nothing
    (tmp_path / "bansos" / "lama").mkdir()
    (tmp_path / "bansos" / "lama" / "x.csv").write_text("NIK\n")  # no period
    assert delivered_periods(str(tmp_path)) == ["2025-04"]
    remote = fsspec.filesystem("memory")
    remote.pipe("/periods_share/umkm/2025-02/umkm.csv", b"NIK\n")
    remote.pipe("/periods_share/umkm/2025-07/umkm.csv", b"NIK\n")
    assert delivered_periods("memory://periods_share") == ["2025-02", "2025-07"]


def test_the_periods_written_outside_a_run_are_those_partitions_only():
    from orchestration.defs.transformation import written_outside_the_run

    every = known_periods()
    written = {
        "fct_assistance": [every[1], every[2], every[3]],
        "rpt_data_quality": [every[3], "unknown", "2000-01"],  # no partitions
        "rpt_targeting": [every[3]],
    }
    assert written_outside_the_run(written, [every[3]]) == {"fct_assistance": [every[1], every[2]]}
    assert written_outside_the_run(written, every) == {}


def test_a_full_refresh_is_asked_by_the_run_tag_over_any_range():
    from orchestration.defs.transformation import FULL_REFRESH_TAG, full_refresh_flags

    assert full_refresh_flags({}) == []
    assert full_refresh_flags({FULL_REFRESH_TAG: "false"}) == []
    assert full_refresh_flags({FULL_REFRESH_TAG: "true"}) == ["--full-refresh"]
