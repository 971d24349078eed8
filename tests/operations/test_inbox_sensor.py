"""The inbox sensor: which deliveries start a run, for which sources and periods, and what it remembers."""

import os
import time
import warnings

import dagster as dg
import fsspec
import pytest

from orchestration.inbox import InboxCursor, changes_since, mirror

SOURCES = {"bansos", "umkm"}
LONG_AGO = time.time() - 3600


def deliver(inbox, path, content=b"NIK;NAMA\n1;a\n", modified_at=LONG_AGO):
    file = inbox / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(content)
    os.utime(file, (modified_at, modified_at))
    return file


def look(inbox, cursor, settle=30):
    return changes_since(str(inbox), cursor, SOURCES, settle)


def settled(inbox, cursor=None):
    """Two looks: the first sees a file arrive, the second finds it the same size and picks it up."""
    return look(inbox, look(inbox, cursor or InboxCursor()).cursor)


def test_a_new_file_is_picked_up_once_it_has_settled(tmp_path):
    deliver(tmp_path, "bansos/2025-03/penyaluran.csv")
    first = look(tmp_path, InboxCursor())
    assert first.delivered == [] and [f.path for f in first.settling] == ["bansos/2025-03/penyaluran.csv"]
    second = look(tmp_path, first.cursor)
    assert [file.path for file, _ in second.delivered] == ["bansos/2025-03/penyaluran.csv"]
    assert look(tmp_path, second.cursor).delivered == []


def test_a_changed_file_starts_a_run_and_the_same_bytes_again_do_not(tmp_path):
    file = deliver(tmp_path, "bansos/2025-03/penyaluran.csv")
    cursor = settled(tmp_path).cursor
    os.utime(file, (LONG_AGO + 60, LONG_AGO + 60))  # touched, or copied again: same bytes
    touched = settled(tmp_path, cursor)
    assert touched.delivered == [] and touched.cursor.seen[file.relative_to(tmp_path).as_posix()][1] == LONG_AGO + 60
    deliver(tmp_path, "bansos/2025-03/penyaluran.csv", b"NIK;NAMA\n1;b\n", LONG_AGO + 120)
    corrected = settled(tmp_path, touched.cursor)
    assert [file.path for file, _ in corrected.delivered] == ["bansos/2025-03/penyaluran.csv"]


def test_a_growing_file_waits_until_it_stops_growing(tmp_path):
    # A copy that keeps the original modification time (cp -p, some SFTP clients) looks old while it grows.
    deliver(tmp_path, "umkm/2025-03/umkm.xlsx", b"x" * 10)
    cursor = look(tmp_path, InboxCursor()).cursor
    deliver(tmp_path, "umkm/2025-03/umkm.xlsx", b"x" * 20)
    growing = look(tmp_path, cursor)
    assert growing.delivered == [] and len(growing.settling) == 1
    assert [file.path for file, _ in look(tmp_path, growing.cursor).delivered] == ["umkm/2025-03/umkm.xlsx"]


def test_a_file_modified_just_now_is_left_for_later(tmp_path):
    deliver(tmp_path, "umkm/2025-03/umkm.csv", modified_at=time.time())
    assert settled(tmp_path).delivered == []
    assert [f for f, _ in changes_since(str(tmp_path), InboxCursor(), SOURCES, 0).delivered] == []


def test_files_outside_the_source_folders_start_nothing(tmp_path):
    deliver(tmp_path, "dinas_baru/2025-03/data.csv")
    deliver(tmp_path, "loose.csv")
    deliver(tmp_path, "bansos/.penyaluran.csv.part")  # an uploader's temporary file
    changes = settled(tmp_path)
    assert changes.delivered == [] and {f.path for f in changes.unknown} == {"dinas_baru/2025-03/data.csv", "loose.csv"}


def test_a_symlink_is_not_followed(tmp_path):
    outside = deliver(tmp_path / "elsewhere", "secret.csv")
    (tmp_path / "inbox" / "bansos" / "2025-03").mkdir(parents=True)
    (tmp_path / "inbox" / "bansos" / "2025-03" / "link.csv").symlink_to(outside)
    assert settled(tmp_path / "inbox").delivered == []


def test_the_cursor_survives_serialisation(tmp_path):
    deliver(tmp_path, "bansos/2025-03/penyaluran.csv")
    cursor = settled(tmp_path).cursor
    assert InboxCursor.parse(cursor.serialize()) == cursor
    assert settled(tmp_path, InboxCursor.parse(cursor.serialize())).delivered == []


def test_a_remote_inbox_is_listed_in_place_and_mirrored_for_the_loader(tmp_path):
    remote = fsspec.filesystem("memory")
    remote.pipe("/share/bansos/2025-03/penyaluran.csv", b"NIK;NAMA\n1;a\n")
    url = "memory://share"
    first = changes_since(url, InboxCursor(), SOURCES, 0)
    delivered = changes_since(url, first.cursor, SOURCES, 0).delivered
    assert [file.path for file, _ in delivered] == ["bansos/2025-03/penyaluran.csv"]
    assert delivered[0][1].startswith("ukey:")
    assert mirror(url, tmp_path) == ["bansos/2025-03/penyaluran.csv"]
    assert (tmp_path / "bansos/2025-03/penyaluran.csv").read_bytes() == b"NIK;NAMA\n1;a\n"
    assert mirror(url, tmp_path) == []


@pytest.fixture
def sensor_context(tmp_path, monkeypatch):
    monkeypatch.setenv("TKPKD_INBOX", str(tmp_path / "inbox"))
    monkeypatch.setenv("TKPKD_INBOX_SETTLE_SECONDS", "30")
    warnings.simplefilter("ignore")
    from orchestration.definitions import build_definitions

    repository = build_definitions().get_repository_def()
    instance = dg.DagsterInstance.ephemeral()

    def evaluate(cursor=None):
        from orchestration.defs.sensors import inbox_sensor

        context = dg.build_sensor_context(instance=instance, repository_def=repository, cursor=cursor)
        return inbox_sensor(context), context.cursor

    return tmp_path / "inbox", evaluate


def test_the_sensor_runs_only_the_delivering_source_and_its_periods(sensor_context):
    inbox, evaluate = sensor_context
    deliver(inbox, "bansos/2025-03/penyaluran.csv")
    deliver(inbox, "bansos/2025-05/penyaluran.csv")
    skipped, cursor = evaluate()
    assert isinstance(skipped, dg.SkipReason) and "still arriving" in skipped.skip_message
    request, cursor = evaluate(cursor)
    assert request.tags["dagster/asset_partition_range_start"] == "2025-03"
    assert request.tags["dagster/asset_partition_range_end"] == "2025-05"
    assert request.tags["tkpkd/trigger"] == "sensor" and request.run_key.startswith("inbox-")
    selected = set(request.asset_selection)
    assert dg.AssetKey(["raw", "bansos"]) in selected and dg.AssetKey(["raw", "ingested_files"]) in selected
    assert dg.AssetKey(["raw", "umkm"]) not in selected
    assert dg.AssetKey(["staging", "stg_bansos__payouts"]) in selected
    assert dg.AssetKey(["staging", "stg_umkm__businesses"]) not in selected
    assert dg.AssetKey(["marts", "fct_assistance"]) in selected
    assert any(check.asset_key == dg.AssetKey(["staging", "stg_bansos__payouts"]) for check in request.asset_check_keys)
    again, _ = evaluate(cursor)
    assert isinstance(again, dg.SkipReason)


def test_the_same_files_give_the_same_run_key(sensor_context):
    inbox, evaluate = sensor_context
    deliver(inbox, "umkm/2025-03/umkm.csv")
    first, _ = evaluate(evaluate()[1])
    second, _ = evaluate(evaluate()[1])  # a lost cursor: the run key still stops a second run
    assert first.run_key == second.run_key
