"""The ground truth agrees with the files: row numbers, counts, identifiers, defects."""

from __future__ import annotations

import csv
import json
import re

import pandas as pd
from python_calamine import CalamineWorkbook

M_FAMILIES = [f"M{i}_" for i in range(1, 14)]


def read_table(generated, record: dict) -> list[list]:
    """A file's rows as a person opening it sees them: python-calamine for XLSX, the csv module for CSV."""
    path = generated.inbox / record["path"]
    if record["format"] == "csv":
        with path.open(encoding=record["encoding"], newline="") as handle:
            return list(csv.reader(handle, delimiter=record["delimiter"]))
    if record["format"] == "xlsx":
        return CalamineWorkbook.from_path(path).get_sheet_by_name(record["sheet"]).to_python(skip_empty_area=False)
    return [list(record["headers"])] + pd.read_parquet(path).values.tolist()


def readable(generated) -> list[dict]:
    files = generated.files
    return files[files["header_row"].notna()].to_dict("records")


def test_rows_in_truth_match_rows_in_every_readable_file(tiny):
    rows = tiny.rows
    counts = rows.groupby("path").agg(total=("row_number", "size"), non_data=("is_non_data", "sum"))
    for record in readable(tiny):
        table = read_table(tiny, record)
        header_row = int(record["header_row"])
        assert [str(v) for v in table[header_row - 1][: len(record["headers"])]] == list(record["headers"]), record["path"]
        total, non_data = counts.loc[record["path"]] if record["path"] in counts.index else (0, 0)
        assert len(table) - header_row == total == record["n_data_rows"] + record["n_non_data_rows"], record["path"]
        assert non_data == record["n_non_data_rows"]


def test_a_known_row_is_where_the_truth_says_in_csv_and_xlsx(tiny):
    files = {record["path"]: record for record in readable(tiny)}
    rows = tiny.rows
    untouched_id = rows["defects"].map(lambda codes: not any(c.startswith(("M1_", "M2_", "M3_")) for c in codes))
    clean = rows[~rows["is_non_data"] & rows["nik_true"].notna() & untouched_id & rows["path"].isin(files)]
    for fmt, source in (("csv", "dukcapil"), ("xlsx", "bansos")):
        candidates = clean[(clean["source"] == source) & clean["path"].map(lambda p, fmt=fmt: files[p]["format"] == fmt)]
        row = candidates.iloc[len(candidates) // 2]
        record = files[row["path"]]
        table = read_table(tiny, record)
        nik_column = next(i for i, h in enumerate(record["headers"]) if re.sub(r"[^a-z]", "", h.lower()) == "nik")
        assert str(table[row["row_number"] - 1][nik_column]) == row["nik_true"], (row["path"], row["row_number"])


def test_bansos_total_row_and_title_rows_are_non_data(tiny):
    record = next(r for r in readable(tiny) if r["source"] == "bansos")
    table = read_table(tiny, record)
    rows = tiny.rows
    rows = rows[rows["path"] == record["path"]]
    total = rows[rows["non_data_reason"] == "total_row"]
    assert len(total) == 1 and table[int(total["row_number"].iloc[0]) - 1][0] == "JUMLAH"
    assert table[0][0] == "DAFTAR PENYALURAN BANTUAN SOSIAL"
    assert rows["row_number"].min() == record["header_row"] + 1


def test_every_defect_family_occurs_at_rate_one(tiny):
    row_codes = {code for codes in tiny.rows["defects"] for code in codes}
    file_codes = {code for codes in tiny.files["defects"] for code in codes}
    for family in M_FAMILIES:
        assert any(code.startswith(family) for code in row_codes | file_codes), family
    reasons = ("invalid_nik", "invalid_kk", "invalid_date", "unknown_kelurahan", "unknown_program", "out_of_range")
    for reason in reasons:
        assert reason in set(tiny.rows["expected_reason"].dropna()), reason


def test_no_defects_at_rate_zero(tiny_clean):
    rows, files = tiny_clean.rows, tiny_clean.files
    assert rows["defects"].map(len).sum() == 0
    assert files["defects"].map(len).sum() == 0
    assert rows["expected_reason"].isna().all()
    assert set(files["expected_status"]) == {"loaded"}
    # Structural features of the contract stay: bansos' title rows and JUMLAH row, dukcapil's Windows-1252.
    assert set(rows.loc[rows["is_non_data"], "non_data_reason"]) == {"total_row"}
    assert set(rows.loc[rows["is_non_data"], "source"]) == {"bansos"}
    assert set(files.loc[files["source"] == "dukcapil", "encoding"]) == {"cp1252"}


def test_each_row_has_at_most_one_quarantine_reason_and_it_matches_a_defect(tiny):
    reasons = {
        "invalid_nik": "M3_invalid_nik", "invalid_kk": "M3_invalid_kk", "invalid_date": "M7_unparseable_date",
        "unknown_kelurahan": "M5_unknown_kelurahan", "unknown_program": "M13_unknown_program",
        "out_of_range": "M8_out_of_range",
    }
    quarantined = tiny.rows[tiny.rows["expected_reason"].notna()]
    for row in quarantined.itertuples():
        assert reasons[row.expected_reason] in row.defects


def test_truth_identifiers_are_consistent(tiny):
    persons = pd.read_parquet(tiny.truth / "persons.parquet")
    families = pd.read_parquet(tiny.truth / "families.parquet")
    assert persons.drop_duplicates("person_id")["nik"].is_unique and families["kk_number"].is_unique
    nik_of = persons.drop_duplicates("person_id").set_index("person_id")["nik"]
    rows = tiny.rows.dropna(subset=["person_id", "nik_true"])
    assert (rows["nik_true"].to_numpy() == nik_of.loc[rows["person_id"].astype(int)].to_numpy()).all()
    numbers = pd.read_parquet(tiny.truth / "family_kk_numbers.parquet")
    assert numbers["kk_number"].is_unique
    assert (numbers.loc[numbers["reason"] == "issued", "kk_number"].to_numpy() == families["kk_number"].to_numpy()).all()
    rows = tiny.rows.dropna(subset=["family_id", "kk_true"])
    family_of = numbers.set_index("kk_number")["family_id"]
    assert (family_of.loc[rows["kk_true"]].to_numpy() == rows["family_id"].to_numpy()).all()
    niks = persons["nik"].str
    assert (niks.len() == 16).all() and niks.slice(8, 10).astype(int).between(1, 12).all()
    day = niks.slice(6, 8).astype(int)
    assert (day.between(1, 31) | day.between(41, 71)).all()


def test_a_family_whose_head_died_gets_a_new_kk_that_lagging_sources_copy_late(tiny):
    """Dukcapil issues the survivors a new KK number (same kecamatan, the reissue date in digits 7-12) and lists
    them under it at once, the late head under the old one; DTSEN and the programme lists keep the old number
    until kk_reissue_listed_on."""
    families = pd.read_parquet(tiny.truth / "families.parquet")
    persons = pd.read_parquet(tiny.truth / "persons.parquet")
    reissued = families[families["kk_reissued"].notna()]
    assert len(reissued) >= 2
    assert json.loads((tiny.truth / "manifest.json").read_text())["kk_reissued_families"] == len(reissued)
    assert (reissued["kk_reissued"].str[:6] == reissued["kk_number"].str[:6]).all()
    issued_on = pd.to_datetime(reissued["kk_reissued_on"])
    assert (reissued["kk_reissued"].str[6:12] == issued_on.dt.strftime("%d%m%y")).all()
    heads = persons.drop_duplicates("person_id").set_index("person_id").loc[reissued["head_person_id"]]
    assert (pd.to_datetime(heads["died_on"]).to_numpy() < issued_on.to_numpy()).all()

    files = tiny.files.set_index("path")
    rows = tiny.rows.dropna(subset=["family_id", "kk_true"]).merge(reissued, on="family_id")
    rows["period"] = pd.to_datetime(files.loc[rows["path"], "period"].to_numpy() + "-01") + pd.offsets.MonthEnd(0)
    dukcapil = rows[(rows["source"] == "dukcapil") & (rows["period"] >= pd.to_datetime(rows["kk_reissued_on"]))]
    late_head = dukcapil["person_id"] == dukcapil["head_person_id"]
    assert len(dukcapil[~late_head]) and (dukcapil.loc[~late_head, "kk_true"] == dukcapil.loc[~late_head, "kk_reissued"]).all()
    assert (dukcapil.loc[late_head, "kk_true"] == dukcapil.loc[late_head, "kk_number"]).all()
    lagging = rows[rows["source"].isin(["dtsen_keluarga", "dtsen_individu", "bansos", "verifikasi_kelurahan", "mitra"])]
    stale = lagging["period"] >= pd.to_datetime(lagging["kk_reissued_on"]) + pd.offsets.MonthEnd(0)
    assert (lagging.loc[stale, "kk_true"] == lagging.loc[stale, "kk_number"]).any()
