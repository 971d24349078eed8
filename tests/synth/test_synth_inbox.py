"""The inbox: every source delivered, in the contract's formats, with the broken deliveries of M12."""

from __future__ import annotations

import csv
import json
import re

import pytest
from python_calamine import CalamineWorkbook

from tkpkd_synth import InboxNotEmptyError, generate
from tkpkd_synth.tables import SOURCES


def test_every_source_gets_files_in_period_folders(tiny):
    for source in SOURCES:
        folder = tiny.inbox / source
        files = [p for p in folder.rglob("*") if p.is_file()]
        assert files, source
        assert all(p.parent.parent == folder and len(p.parent.name) == 7 for p in files), source
        assert tiny.summary.sources[source].data_rows > 0, source


def test_formats_as_delivered(tiny):
    files = tiny.files
    loaded = files[files["expected_status"] == "loaded"]
    by_source = loaded.groupby("source")["format"].agg(set)
    for source, spec in SOURCES.items():
        assert spec.format in by_source[source], source
    assert set(loaded.loc[loaded["source"].str.startswith("dtsen"), "delimiter"]) == {"|"}
    assert set(loaded.loc[loaded["source"] == "jkn", "delimiter"]) == {";"}
    assert "cp1252" in set(loaded.loc[loaded["source"] == "dukcapil", "encoding"])


def test_dukcapil_is_windows_1252_with_curly_apostrophes(tiny):
    files = sorted((tiny.inbox / "dukcapil").rglob("*.csv"))
    raw = b"".join(path.read_bytes() for path in files)
    assert b"\x92" in raw, "a Ma’ruf or Jl. Ya’ M. Sabran somewhere, encoded as Windows-1252"
    with files[0].open(encoding="cp1252", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == [h.upper() for h in header]


def test_broken_deliveries_are_expected_rejections(tiny):
    files = tiny.files
    rejected = files[files["expected_status"] == "rejected"].set_index("expected_reason")
    assert {"missing_required_columns", "empty_file", "not_a_valid_xlsx", "truncated"} <= set(rejected.index)
    assert (tiny.inbox / rejected.loc["empty_file", "path"]).stat().st_size == 0
    assert (tiny.inbox / rejected.loc["not_a_valid_xlsx", "path"]).read_bytes().startswith(b"<!DOCTYPE html>")
    truncated = rejected.loc[["truncated"], "path"].tolist()
    assert {p.rsplit(".", 1)[1] for p in truncated} == {"csv", "xlsx"}
    csv_cut = next(tiny.inbox / p for p in truncated if p.endswith(".csv"))
    assert not csv_cut.read_bytes().endswith(b"\n"), "cut in the middle of a row"
    duplicates = files[files["expected_status"] == "duplicate_file"]
    assert len(duplicates)
    for record in duplicates.itertuples():
        original = files.set_index("path").loc[record.duplicate_of]
        assert original.sha256 == record.sha256 and original.modified_at < record.modified_at


def test_corrections_arrive_later_and_repeat_keys(tiny):
    files = tiny.files.set_index("path")
    corrections = files[files["corrects"].notna()]
    assert len(corrections)
    rows = tiny.rows
    for path, record in corrections.iterrows():
        assert files.loc[record.corrects, "modified_at"] < record.modified_at
        fixed = rows[rows["path"] == path]
        superseded = rows[(rows["path"] == record.corrects) & rows["defects"].map(lambda d: "M4_superseded" in d)]
        assert len(fixed) == len(superseded) > 0
        assert set(fixed["person_id"]) == set(superseded["person_id"])


def test_verification_files_carry_the_kelurahan_in_the_title_and_all_outcomes(tiny):
    files = tiny.files
    verifikasi = files[(files["source"] == "verifikasi_kelurahan") & (files["expected_status"] == "loaded")]
    assert verifikasi["kelurahan_code"].notna().all()
    assert verifikasi["header_row"].between(3, 10).all()
    outcomes = set()
    for record in verifikasi.to_dict("records"):
        sheet = CalamineWorkbook.from_path(tiny.inbox / record["path"]).get_sheet_by_index(0).to_python()
        header_row = int(record["header_row"])
        assert sheet[0][0] == "BERITA ACARA HASIL MUSYAWARAH KELURAHAN"
        assert any(str(row[0]).startswith("KELURAHAN : ") for row in sheet[: header_row - 1])
        column = [re.sub(r"[^A-Z]", "", h.upper()) for h in record["headers"]].index("HASILVERIFIKASI")
        outcomes |= {row[column].strip() for row in sheet[header_row:] if row[column]}
    assert outcomes == {"Layak", "Tidak Layak", "Pindah", "Meninggal", "Tidak Ditemukan", "Usulan Baru"}


def test_refuses_a_non_empty_inbox_unless_told(tmp_path):
    inbox, truth = tmp_path / "inbox", tmp_path / "truth"
    (inbox / "bansos" / "2025-01").mkdir(parents=True)
    (inbox / "bansos" / "2025-01" / "keep.xlsx").write_bytes(b"agency data")
    with pytest.raises(InboxNotEmptyError):
        generate(inbox, truth, scale="tiny")
    assert (inbox / "bansos" / "2025-01" / "keep.xlsx").exists() and not truth.exists()
    generate(inbox, truth, scale="tiny", overwrite=True)
    assert not (inbox / "bansos" / "2025-01" / "keep.xlsx").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inbox", "truth"], "nothing written elsewhere"
    assert json.loads((truth / "manifest.json").read_text())["scale"] == "tiny"


def test_overwrite_never_clears_a_folder_that_is_not_an_inbox(tmp_path):
    inbox = tmp_path / "home"
    inbox.mkdir()
    (inbox / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(ValueError, match="not source folders"):
        generate(inbox, tmp_path / "truth", scale="tiny", overwrite=True)
    assert (inbox / "thesis.docx").exists()


def test_partner_programmes_cover_every_sector_and_category(tiny):
    rows = tiny.files
    paths = rows[(rows["source"] == "mitra") & (rows["expected_status"] == "loaded")]["path"]
    sectors, categories = set(), set()
    for path in paths:
        workbook = CalamineWorkbook.from_path(tiny.inbox / path)
        name = "DATA" if "DATA" in workbook.sheet_names else workbook.sheet_names[0]
        table = workbook.get_sheet_by_name(name).to_python()
        header = next(i for i, row in enumerate(table) if "KATEGORI" in [str(c).upper() for c in row])
        columns = [str(c).upper() for c in table[header]]
        for row in table[header + 1:]:
            if row[columns.index("KATEGORI")]:
                sectors.add(str(row[columns.index("SEKTOR")]).strip())
                categories.add(str(row[columns.index("KATEGORI")]).strip())
    assert sectors == {"PEMERINTAH", "AKADEMISI", "DUNIA_USAHA", "MEDIA", "KOMUNITAS"}
    assert categories == {"PANGAN", "PERUMAHAN", "AIR_BERSIH", "SANITASI", "JAMINAN_SOSIAL", "KESEHATAN",
                          "PENDIDIKAN", "PELATIHAN", "MODAL_USAHA"}
