"""The ground truth: what the generator knows about every file, every row it wrote, and the city behind them.

Identifiers in the truth are 1-based: `person_id` = person index + 1, `family_id` = family index + 1, so that 0 is
never mistaken for an id. NIK and KK numbers are strings of 16 digits.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tkpkd_synth.dates import NO_DATE
from tkpkd_synth.defects import Rendered
from tkpkd_synth.geography import UNKNOWN_KELURAHAN
from tkpkd_synth.identifiers import zero_padded
from tkpkd_synth.population import ARRIVED, SPLIT
from tkpkd_synth.welfare import INACTIVE_OUTCOMES, LAYAK, TIDAK_LAYAK, USULAN_BARU
from tkpkd_synth.world import World

_ROWS_SCHEMA = pa.schema([
    ("source", pa.string()), ("path", pa.string()), ("row_number", pa.int32()), ("is_non_data", pa.bool_()),
    ("non_data_reason", pa.string()), ("person_id", pa.int64()), ("family_id", pa.int64()),
    ("nik_true", pa.string()), ("kk_true", pa.string()), ("defects", pa.list_(pa.string())),
    ("expected_reason", pa.string()), ("file_status", pa.string()),
])
_FLUSH_ROWS = 2_000_000

README = """# Ground truth of a synthetic Pontianak inbox

Written by `tkpkd_synth` next to the inbox it describes; `manifest.json` holds the parameters and counts.
Ids are 1-based (`person_id`, `family_id`); NIK and KK numbers are 16-digit strings; dates are calendar dates.

| file | one row per | what |
|---|---|---|
| `files.parquet` | file written to the inbox | source, period, path (relative to the inbox), format, sheet, encoding, delimiter, bom, header_row, title_rows, n_data_rows, n_non_data_rows, expected_status (`loaded`, `rejected`, `duplicate_file`), expected_reason (design.md reason codes), file-level defect codes, duplicate_of, corrects, kelurahan_code (verifikasi), headers as written, size_bytes, sha256, modified_at |
| `rows.parquet` | row below the header of every readable file | source, path, row_number (design.md convention: Excel row number; CSV record number with the header = 1), is_non_data / non_data_reason (`empty_row`, `total_row`), person_id, family_id, nik_true, kk_true, defects (list of codes), expected_reason (a quarantine reason, or null), file_status. Truncated, empty and non-XLSX files have no rows here |
| `persons.parquet` | person and family membership spell | person_id, spell, nik, kk_number (the spell family's first number; see family_kk_numbers), family_id, valid_from/valid_to (null: before/after the window), name, sex, birth_date, relationship, kelurahan_code, rw, rt, died_on, moved_on, arrived_on, birthplace, penyakit_kronis, disabilitas, noka |
| `families.parquet` | family | family_id, kk_number (the family's first KK number), kk_reissued / kk_reissued_on / kk_reissue_listed_on (the new number Dukcapil issued after the head died, the day it did, and the day registers copying Dukcapil - DTSEN, verification minutes, bansos, RTLH, sanitation, partner lists - start writing it; null when not reissued), region, origin (`initial`, `split`, `arrived`), formed_on, moved_on, head_person_id, left_behind (designed exclusion error: reached by no programme), housing/water/sanitation codes, luas_lantai, and per DTSEN snapshot `in_dtsen_<YYYY_MM>` and `dtsen_desil_<YYYY_MM>` |
| `family_kk_numbers.parquet` | family and KK number it held | family_id, kk_number, reason (`issued`: its first number; `head_died`: reissued after the head died), valid_from (null: issued before the window), valid_to (the day before the next number, null: still held), listed_from (the first day registers copying Dukcapil write it; null for a first number). Every kk_true of rows.parquet is one of these numbers: rows.family_id says which real family the row belongs to whichever number it carries |
| `kelurahan_spellings.csv` | spelling | every kelurahan spelling the generator may write (official, variant) and the unknown names it plants |
| `family_periods.parquet` | existing family and period | true_desil (the hidden welfare), dtsen_desil and in_dtsen (newest snapshot at or before the period), last_verification and its date, registry_status by warehouse.md's rules applied to the generated verification records, members_alive, moved_away |

Row defect codes: M1_numeric_cell, M1_scientific, M1_float_text, M2_punctuation, M3_invalid_nik, M3_invalid_kk,
M4_duplicate_row, M4_correction (row of a corrected file), M4_superseded (row a later correction replaces),
M5_variant, M5_unknown_kelurahan, M6_zero_padded, M6_prefixed, M6_rt_rw_combined, M7_<style> (a date spelled
other than the source's native way: iso, dmy_dash, dmy_slash, long_month, short_month, excel_serial),
M7_unparseable_date, M8_rupiah_text, M8_separators, M8_decimal_comma, M8_out_of_range (an amount far beyond any
real one, `99999999999999999999`, `4811e452`: quarantined `out_of_range` where the amount is required, kur PLAFON;
kept with a field warning where optional, umkm OMZET), M9_whitespace, M10_empty_row, M10_total_row (an injected
total row; bansos' JUMLAH row is part of its format and carries no code), M13_variant, M13_unknown_program,
M13_tahap_variant (bansos TAHAP in another of the contract's forms: `1`, `Tahap 1`, `TAHAP II`, `Bulan 12`,
`Desember`, `Tahap 1 2025`; accepted).
File defect codes: M4_duplicate_file, M4_correction, M5_variant (verifikasi title), M9_bom, M9_utf8_encoding,
M10_title_rows, M10_data_sheet, M10_total_row, M11_header_variant, M12_missing_column, M12_empty_file,
M12_wrong_content, M12_truncated.

`registry_status` and desil follow the generated records, not what survives defects: a rejected file or a
damaged KK can make the warehouse's answer differ for the families concerned.
"""


class TruthRecorder:
    def __init__(self, truth: Path) -> None:
        self.truth = truth
        self.files: list[dict] = []
        self._batches: list[pa.Table] = []
        self._buffered = 0
        self._writer: pq.ParquetWriter | None = None
        self.defect_codes: set[str] = set()

    def add_file(self, record: dict) -> None:
        self.files.append(record)
        self.defect_codes.update(record["defects"])

    def add_rows(self, rendered: Rendered, path: str, file_status: str) -> None:
        """One truth row per data row and per non-data row (empty or total) below the header, in file order."""
        layout = rendered.layout
        n = rendered.n_rows
        non_data = _non_data_rows(rendered)
        m = len(non_data)
        defects = _defect_lists(rendered.row_defects, n, [codes for _, _, codes in non_data])
        self.defect_codes.update(pc.unique(pc.list_flatten(defects)).to_pylist())

        def ids(values: np.ndarray) -> pa.Array:
            return pa.array(np.concatenate([values + 1, np.zeros(m, dtype=np.int64)]),
                            mask=np.concatenate([values < 0, np.ones(m, bool)]))

        def numbers(values: np.ndarray) -> pa.Array:
            text = pc.cast(pa.array(np.concatenate([values, np.zeros(m, dtype=np.int64)])), pa.string())
            present = pa.array(np.concatenate([values > 0, np.zeros(m, bool)]))
            return pc.if_else(present, text, pa.scalar(None, pa.string()))

        def constant(value: str) -> pa.Array:
            return pa.nulls(n + m, pa.string()).fill_null(value)

        row_numbers = np.concatenate([layout.data_rows, np.array([r for r, _, _ in non_data], dtype=np.int64)])
        table = pa.table({
            "source": constant(rendered.logical.source.code),
            "path": constant(path),
            "row_number": pa.array(row_numbers.astype(np.int32)),
            "is_non_data": pa.array(np.concatenate([np.zeros(n, bool), np.ones(m, bool)])),
            "non_data_reason": pa.array([None] * n + [reason for _, reason, _ in non_data], type=pa.string()),
            "person_id": ids(rendered.person),
            "family_id": ids(rendered.family),
            "nik_true": numbers(rendered.nik_true),
            "kk_true": numbers(rendered.kk_true),
            "defects": defects,
            "expected_reason": pa.array(rendered.expected_reason.tolist() + [None] * m, type=pa.string()),
            "file_status": constant(file_status),
        }, schema=_ROWS_SCHEMA)
        if m:
            table = table.take(pa.array(np.argsort(row_numbers, kind="stable")))
        self._batches.append(table)
        self._buffered += len(table)
        if self._buffered >= _FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._batches:
            return
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.truth / "rows.parquet", _ROWS_SCHEMA, compression="zstd")
        self._writer.write_table(pa.concat_tables(self._batches))
        self._batches, self._buffered = [], 0

    def finish(self, world: World, manifest: dict) -> None:
        self._flush()
        if self._writer is None:
            pq.write_table(_ROWS_SCHEMA.empty_table(), self.truth / "rows.parquet")
        else:
            self._writer.close()
        pq.write_table(_files_table(self.files), self.truth / "files.parquet")
        pq.write_table(_persons_table(world), self.truth / "persons.parquet")
        pq.write_table(_families_table(world), self.truth / "families.parquet")
        pq.write_table(_family_kk_numbers_table(world), self.truth / "family_kk_numbers.parquet")
        pq.write_table(_family_periods_table(world), self.truth / "family_periods.parquet")
        _write_spellings(world, self.truth / "kelurahan_spellings.csv")
        manifest = {**manifest, "defect_codes": sorted(self.defect_codes)}
        (self.truth / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        (self.truth / "README.md").write_text(README, encoding="utf-8")


def _non_data_rows(rendered: Rendered) -> list[tuple[int, str, list[str]]]:
    """(row number, non_data_reason, defect codes) of the empty rows and the total row below the header.
    An injected total row carries M10_total_row; bansos' JUMLAH row is part of its format and carries none."""
    layout = rendered.layout
    rows = [(int(r), "empty_row", ["M10_empty_row"]) for r in layout.empty_rows]
    if layout.total_row is not None:
        injected = "M10_total_row" in rendered.file_defects
        rows.append((layout.total_row, "total_row", ["M10_total_row"] if injected else []))
    return rows


def _defect_lists(row_defects: dict[str, np.ndarray], n: int, extra: list[list[str]]) -> pa.ListArray:
    """Per data row the sorted list of its defect codes (from code -> row mask), then the lists in `extra`."""
    codes = sorted(row_defects)
    rows_of = [np.flatnonzero(row_defects[code]) for code in codes]
    flat_rows = np.concatenate([np.zeros(0, dtype=np.int64), *rows_of])
    flat_codes = np.concatenate([np.zeros(0, dtype=np.int64), *(np.full(len(r), i) for i, r in enumerate(rows_of))])
    order = np.lexsort((flat_codes, flat_rows))
    counts = np.concatenate([np.bincount(flat_rows, minlength=n), [len(group) for group in extra]]).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    values = np.array(codes, dtype=object)[flat_codes[order]].tolist() + [c for group in extra for c in group]
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, type=pa.string()))


def _write_spellings(world: World, path: Path) -> None:
    """Every kelurahan spelling the generator may write, so alias tables can be checked against it."""
    lines = ["kelurahan_code,official_name,spelling,kind"]
    for kelurahan in world.geography.kelurahan:
        lines.append(f"{kelurahan.code},{kelurahan.name},{kelurahan.name},official")
        lines.extend(f"{kelurahan.code},{kelurahan.name},{v},variant" for v in kelurahan.variants())
    lines.extend(f",,{name},unknown" for name in UNKNOWN_KELURAHAN)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _files_table(files: list[dict]) -> pa.Table:
    schema = pa.schema([
        ("source", pa.string()), ("period", pa.string()), ("path", pa.string()), ("format", pa.string()),
        ("sheet", pa.string()), ("encoding", pa.string()), ("delimiter", pa.string()), ("bom", pa.bool_()),
        ("header_row", pa.int32()), ("title_rows", pa.int32()), ("n_data_rows", pa.int32()),
        ("n_non_data_rows", pa.int32()), ("expected_status", pa.string()), ("expected_reason", pa.string()),
        ("defects", pa.list_(pa.string())), ("duplicate_of", pa.string()), ("corrects", pa.string()),
        ("kelurahan_code", pa.string()), ("headers", pa.list_(pa.string())), ("size_bytes", pa.int64()),
        ("sha256", pa.string()), ("modified_at", pa.timestamp("s")),
    ])
    return pa.Table.from_pylist(files, schema=schema)


def _dates(days: np.ndarray) -> pa.Array:
    days = np.asarray(days, dtype=np.int64)
    return pa.array(days.astype("datetime64[D]"), mask=days >= NO_DATE)


def _digits(numbers: np.ndarray, width: int = 16) -> list[str]:
    return zero_padded(numbers, width).tolist()


def _persons_table(world: World) -> pa.Table:
    persons, families, geography = world.population.persons, world.population.families, world.geography
    window_start = world.window.first_day
    spells = [np.arange(len(persons)), np.flatnonzero(persons.new_family >= 0)]
    person = np.concatenate(spells)
    spell = np.concatenate([np.ones(len(spells[0]), np.int8), np.full(len(spells[1]), 2, np.int8)])
    family = np.concatenate([persons.family, persons.new_family[spells[1]]])
    relationship = np.concatenate([persons.relationship, persons.new_relationship[spells[1]]])
    switched = persons.switch_on[person]
    valid_from = np.where(spell == 2, switched, np.where(persons.since[person] >= window_start, persons.since[person], NO_DATE))
    valid_to = np.where((spell == 1) & (switched < NO_DATE), switched - 1, NO_DATE)
    order = np.lexsort((spell, person))
    person, spell, family, relationship, valid_from, valid_to = (a[order] for a in (person, spell, family, relationship, valid_from, valid_to))
    codes = geography.kelurahan_array("code")
    return pa.table({
        "person_id": person + 1, "spell": spell, "nik": _digits(persons.nik[person]),
        "kk_number": _digits(families.kk[family]), "family_id": family + 1,
        "valid_from": _dates(valid_from), "valid_to": _dates(valid_to),
        "name": persons.name[person].tolist(), "sex": persons.sex[person], "birth_date": _dates(persons.birth[person]),
        "relationship": relationship, "kelurahan_code": codes[families.kelurahan[family]].tolist(),
        "rw": families.rw[family], "rt": families.rt[family],
        "died_on": _dates(persons.died_on[person]), "moved_on": _dates(persons.moved_on[person]),
        "arrived_on": _dates(np.where(persons.since[person] >= window_start, persons.since[person], NO_DATE)),
        "birthplace": persons.birthplace[person].tolist(), "penyakit_kronis": persons.chronic[person],
        "disabilitas": persons.disability[person], "noka": _digits(persons.noka[person], 13),
    })


def _families_table(world: World) -> pa.Table:
    families, geography, registry, window = world.population.families, world.geography, world.registry, world.window
    kelurahan = families.kelurahan
    origin = np.where(families.origin == SPLIT, "split", np.where(families.origin == ARRIVED, "arrived", "initial"))
    columns = {
        "family_id": np.arange(1, len(families) + 1), "kk_number": _digits(families.kk),
        "kelurahan_code": geography.kelurahan_array("code")[kelurahan].tolist(),
        "kelurahan_name": geography.kelurahan_array("name")[kelurahan].tolist(),
        "kecamatan_code": geography.kecamatan_array("code")[kelurahan].tolist(),
        "rw": families.rw, "rt": families.rt, "address": families.address.tolist(), "origin": origin.tolist(),
        "kk_reissued": pa.array(_digits(families.reissued_kk), mask=families.reissued_kk == 0),
        "kk_reissued_on": _dates(families.reissued_on), "kk_reissue_listed_on": _dates(families.reissue_listed_on),
        "formed_on": _dates(np.where(families.since >= window.first_day, families.since, NO_DATE)),
        "moved_on": _dates(families.moved_on), "head_person_id": families.head + 1,
        "left_behind": registry.left_behind,
        **{column: codes for column, codes in families.housing.items()},
        "luas_lantai": families.floor_area,
        "true_desil_start": registry.true_desil(0),
    }
    for s, t in enumerate(registry.snapshot_indices):
        label = window.periods[t].replace("-", "_")
        columns[f"in_dtsen_{label}"] = registry.in_dtsen[s]
        columns[f"dtsen_desil_{label}"] = pa.array(registry.desil[s], mask=~registry.in_dtsen[s])
    return pa.table(columns)


def _family_kk_numbers_table(world: World) -> pa.Table:
    families, window = world.population.families, world.window
    n = len(families)
    reissued = np.flatnonzero(families.reissued_kk > 0)
    family = np.concatenate([np.arange(n), reissued])
    first = np.arange(len(family)) < n
    order = np.lexsort((~first, family))
    family, first = family[order], first[order]
    return pa.table({
        "family_id": family + 1,
        "kk_number": _digits(np.where(first, families.kk[family], families.reissued_kk[family])),
        "reason": np.where(first, "issued", "head_died").tolist(),
        "valid_from": _dates(np.where(first, np.where(families.since[family] >= window.first_day, families.since[family],
                                                      NO_DATE), families.reissued_on[family])),
        "valid_to": _dates(np.where(first & (families.reissued_on[family] < NO_DATE), families.reissued_on[family] - 1,
                                    NO_DATE)),
        "listed_from": _dates(np.where(first, NO_DATE, families.reissue_listed_on[family])),
    })


def _family_periods_table(world: World) -> pa.Table:
    families, registry, window = world.population.families, world.registry, world.window
    verifications = registry.verifications.sort_values(["day", "family"], kind="stable")
    n = len(families)
    last_outcome = np.full(n, None, dtype=object)
    last_day = np.full(n, NO_DATE, dtype=np.int64)
    proposed = np.zeros(n, dtype=bool)
    frames = []
    persons = world.population.persons
    for t in range(len(window)):
        end = window.period_last_day(t)
        done = verifications[verifications["day"] <= end]
        last = done.drop_duplicates("family", keep="last")
        family = last["family"].to_numpy(np.int64)
        last_outcome[family] = last["outcome"].to_numpy(object)
        last_day[family] = last["day"].to_numpy(np.int64)
        proposed[done.loc[done["outcome"] == USULAN_BARU, "family"].to_numpy(np.int64)] = True
        s = registry.snapshot_of_period(t)
        in_dtsen = registry.in_dtsen[s] if registry.snapshot_indices[s] <= t else np.zeros(n, dtype=bool)
        in_registry = in_dtsen | proposed
        status = np.select(
            [~in_registry, last_outcome == TIDAK_LAYAK, np.isin(last_outcome, INACTIVE_OUTCOMES), last_outcome == LAYAK,
             last_outcome == USULAN_BARU],
            ["", "graduated", "inactive", "verified", "proposed"], default="unverified").astype(object)
        alive = (persons.since <= end) & (persons.died_on > end)
        members = np.bincount(persons.family_on(end)[alive], minlength=n)
        existing = np.flatnonzero(families.since <= end)
        frames.append(pa.table({
            "family_id": existing + 1,
            "period": [window.periods[t]] * len(existing),
            "true_desil": registry.true_desil(t)[existing],
            "in_dtsen": in_dtsen[existing],
            "dtsen_desil": pa.array(registry.desil[s][existing], mask=~in_dtsen[existing]),
            "last_verification": pa.array(last_outcome[existing].tolist(), type=pa.string()),
            "last_verification_date": _dates(last_day[existing]),
            "registry_status": pa.array([v or None for v in status[existing].tolist()], type=pa.string()),
            "members_alive": members[existing],
            "moved_away": families.moved_on[existing] <= end,
        }))
    return pa.concat_tables(frames)

