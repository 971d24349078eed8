"""The lurah's update loop: the verification form of a kelurahan workbook, filled after the musyawarah and dropped into
the inbox for the next period, is ingested like any verification file and changes those families' registry status.

One extra materialisation: a copy of the shared run's inbox and warehouse, plus the filled form, run for the next
period only."""

import datetime as dt
import shutil

import dagster as dg
import duckdb
import openpyxl
import pytest

from orchestration.exports.kelurahan import BACKLOG_SHEET, VERIFICATION_SOURCE, slug
from tests.serving.test_print_layout import header_row

pytestmark = pytest.mark.e2e

NEXT_PERIOD = "2026-01"
MUSYAWARAH_DAY = dt.datetime(2026, 1, 15)
# The result given to the first families of the form, and the registry status each must lead to (the contract's
# "Registry as of P"); the rows after them are left unfilled.
RESULTS = (("Tidak Layak", "graduated"), ("Layak", "verified"), ("Pindah", "inactive"))


def _registry(connection, period: str, kk_numbers: list[str]) -> dict[str, tuple]:
    return {
        kk: (status, verified_on)
        for kk, status, verified_on in connection.execute(
            "select kk_number, registry_status, latest_verification_date from intermediate.int_registry_family_months "
            "where period = ? and kk_number in (select unnest(?))",
            [period, kk_numbers],
        ).fetchall()
    }


def _form_rows(path) -> tuple[openpyxl.Workbook, int, dict[str, int]]:
    book = openpyxl.load_workbook(path)
    sheet = book[BACKLOG_SHEET]
    row = header_row(sheet)
    return book, row, {cell.value: cell.column for cell in sheet[row]}


def _listed_kk_numbers(path) -> list[str]:
    book, row, column = _form_rows(path)
    sheet = book[BACKLOG_SHEET]
    return [sheet.cell(number, column["NO KK"]).value for number in range(row + 1, sheet.max_row + 1)]


@pytest.fixture(scope="module")
def round_trip(pipeline_run, tmp_path_factory):
    assert pipeline_run.result.success, "the main job failed; see the log above"
    with duckdb.connect(str(pipeline_run.warehouse), read_only=True) as warehouse:
        period = warehouse.execute("select max(period) from main.rpt_verification_progress").fetchone()[0]
        # The kelurahan with the longest backlog: enough families to fill some and leave others.
        name = warehouse.execute(
            "select kelurahan_name from main.rpt_verification_progress where period = ? "
            "order by poor_families - verified_families desc, kelurahan_name limit 1",
            [period],
        ).fetchone()[0]
    workbook = pipeline_run.root / "exports" / "kelurahan" / slug(name) / f"daftar_kasus_{slug(name)}_{period}.xlsx"
    listed = _listed_kk_numbers(workbook)
    assert len(listed) > len(RESULTS) and period < NEXT_PERIOD

    root = tmp_path_factory.mktemp("verification_round_trip")
    shutil.copytree(pipeline_run.inbox, root / "inbox")
    shutil.copytree(pipeline_run.warehouse.parent, root / "warehouse")
    book, row, column = _form_rows(workbook)
    sheet = book[BACKLOG_SHEET]
    for offset, (result, _status) in enumerate(RESULTS, start=1):
        sheet.cell(row + offset, column["HASIL VERIFIKASI"], result)
        sheet.cell(row + offset, column["TANGGAL VERIFIKASI"], MUSYAWARAH_DAY)
        sheet.cell(row + offset, column["PETUGAS"], "PETUGAS KELURAHAN")
    drop = root / "inbox" / VERIFICATION_SOURCE / NEXT_PERIOD / workbook.name
    drop.parent.mkdir(parents=True)
    book.save(drop)

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TKPKD_INBOX", str(root / "inbox"))
        patch.setenv("TKPKD_WAREHOUSE", str(root / "warehouse" / pipeline_run.warehouse.name))
        patch.setenv("TKPKD_ANALYTICS", str(root / "warehouse" / pipeline_run.analytics.name))
        patch.setenv("TKPKD_EXPORTS", str(root / "exports"))
        patch.setenv("TKPKD_PSEUDONYM_SECRET", "e2e-test-secret")
        # The form was saved a moment ago: read it now rather than wait for it to settle (as if still being copied).
        patch.setenv("TKPKD_INBOX_SETTLE_SECONDS", "0")
        from orchestration.runs import run_main_job

        result = run_main_job(dg.DagsterInstance.ephemeral(), [NEXT_PERIOD])
    return {
        "result": result, "root": root, "name": name, "listed": listed, "drop": drop,
        "before": pipeline_run.warehouse, "period": period,
    }


def test_the_filled_families_change_registry_status_in_the_next_period(round_trip):
    assert round_trip["result"].success
    filled = round_trip["listed"][: len(RESULTS)]
    with duckdb.connect(str(round_trip["before"]), read_only=True) as before:
        was = _registry(before, round_trip["period"], filled)
    assert set(was) == set(filled)
    assert all(verified_on is None or verified_on < MUSYAWARAH_DAY.date() for _status, verified_on in was.values())
    with duckdb.connect(str(round_trip["root"] / "warehouse" / round_trip["before"].name), read_only=True) as after:
        now = _registry(after, NEXT_PERIOD, filled)
        verifications = after.execute(
            "select kk_number, verification_date, verification_result, kelurahan_name_raw "
            "from staging.stg_verifikasi__verifications where _source_file like ?",
            [f"{VERIFICATION_SOURCE}/{NEXT_PERIOD}/%"],
        ).fetchall()
        outcomes = dict(after.execute(
            "select outcome, count(*) from staging.stg_row_outcomes where _source_file like ? group by outcome",
            [f"{VERIFICATION_SOURCE}/{NEXT_PERIOD}/%"],
        ).fetchall())
        unfilled = after.execute(
            "select distinct reason_code, failed_column from quarantine.quarantined_rows where source_file like ?",
            [f"{VERIFICATION_SOURCE}/{NEXT_PERIOD}/%"],
        ).fetchall()
    # The keys read back are the ones the form was given: the same KK numbers, the day typed in, the title's kelurahan.
    assert sorted(verifications) == sorted(
        (kk, MUSYAWARAH_DAY.date(), result.upper().replace(" ", "_"), round_trip["name"])
        for kk, (result, _status) in zip(filled, RESULTS, strict=True)
    )
    assert now == {
        kk: (status, MUSYAWARAH_DAY.date()) for kk, (_result, status) in zip(filled, RESULTS, strict=True)
    }
    # Rows left unfilled are not lost: quarantined for their missing result, back to the kelurahan as feedback.
    assert outcomes == {"accepted": len(RESULTS), "quarantined": len(round_trip["listed"]) - len(RESULTS)}
    assert ("missing_value", "hasil_verifikasi") in unfilled
    feedback = list((round_trip["root"] / "exports" / "feedback" / VERIFICATION_SOURCE / NEXT_PERIOD).glob("*.xlsx"))
    assert len(feedback) == 1


def test_the_next_form_no_longer_lists_the_families_just_verified(round_trip):
    assert round_trip["result"].success
    name = round_trip["name"]
    workbook = (
        round_trip["root"] / "exports" / "kelurahan" / slug(name) / f"daftar_kasus_{slug(name)}_{NEXT_PERIOD}.xlsx"
    )
    listed_now = _listed_kk_numbers(workbook)
    filled = round_trip["listed"][: len(RESULTS)]
    assert not set(filled) & set(listed_now)
    assert set(round_trip["listed"][len(RESULTS):]) <= set(listed_now)
