"""Rendering a logical file into what an agency delivers, with the contract's defects M1-M13 injected.

Every injected defect is recorded per row (a code such as `M1_numeric_cell`) or per file (`M11_header_variant`),
and rows whose defect must make the warehouse quarantine them carry the expected reason (`invalid_nik`, ...).
A row never carries more than one quarantining defect, so its expected reason is unambiguous.

Rates are per-row or per-file probabilities at `defect_rate` 1.0 and scale linearly with it; 0 gives clean files.
At a positive rate every defect code occurs at least once per run (the first eligible file gets it if chance did
not), so even the tiny scale exercises everything. Structural features the contract prescribes for a source are
not defects and stay at rate 0: the title block of verifikasi_kelurahan, the title rows and JUMLAH row of bansos,
Windows-1252 for dukcapil, the upper-case dukcapil headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from tkpkd_synth.dates import (
    EXCEL_DATE,
    EXCEL_EPOCH_OFFSET,
    EXCEL_SERIAL,
    ISO,
    MONTHS_ID,
    NO_DATE,
    TEXT_STYLES,
    date_of,
    format_days,
    month_name,
)
from tkpkd_synth.geography import UNKNOWN_KELURAHAN, Geography
from tkpkd_synth.identifiers import as_text, zero_padded
from tkpkd_synth.randomness import stream
from tkpkd_synth.tables import Column, LogicalFile, Role, SourceSpec

# Cell kinds for XLSX (CSV cells are always text).
TEXT, NUMBER, DATE_CELL, BLANK = 0, 1, 2, 3

# Probabilities at defect_rate 1.0.
P_INVALID_NIK = 0.004
P_INVALID_KK = 0.002
P_NUMERIC_CELL = 0.03
P_EXCEL_TEXT = 0.01
P_PUNCTUATION = 0.02
P_DUPLICATE_ROW = 0.004
P_KELURAHAN_STYLE = 0.75
P_KELURAHAN_ROW = 0.05
P_UNKNOWN_KELURAHAN = 0.002
P_RT_STYLE = 0.5
P_RT_ROW = 0.02
P_RT_RW_COMBINED = 0.25
P_DATE_STYLE = 0.5
P_DATE_ROW = 0.03
P_UNPARSEABLE_DATE = 0.002
P_MONEY_STYLE = 0.5
P_MONEY_ROW = 0.02
P_DECIMAL_COMMA = 0.5
P_BOM = 0.3
P_FOREIGN_ENCODING = 0.1
P_WHITESPACE = 0.01
P_TITLE_ROWS = 0.5
P_DATA_SHEET = 0.3
P_EMPTY_ROW = 0.003
P_TOTAL_ROW = 0.3
P_HEADER_VARIANT = 0.6
P_PROGRAM_STYLE = 0.5
P_PROGRAM_ROW = 0.03
P_UNKNOWN_PROGRAM = 0.003
P_TAHAP_STYLE = 0.7
P_AMOUNT_OUT_OF_RANGE = 0.002
# Systems (SIKS-NG, SIAK, BPJS) produce far fewer hand-typing defects than spreadsheets.
SYSTEM_FACTOR = 0.3

PROGRAM_SPELLINGS = {
    "PKH": ("Pkh", "pkh"),
    "BPNT": ("Sembako", "BANSOS SEMBAKO", "Bpnt", "SEMBAKO", "Bansos Sembako"),
    "BANSOS PANGAN APBD": ("Bansos Pangan APBD", "bansos pangan apbd"),
    "BLT": ("Blt",),
    "ATENSI": ("Atensi",),
}
UNKNOWN_PROGRAMS = ("BANSOS LAINNYA", "BST")
# TAHAP as the contract says agencies write it, other than the native `TAHAP n YYYY` / `BULAN m YYYY`: a round
# counted in the year, or a monthly round named by its month. `{n}` the number, `{roman}` it in Roman numerals,
# `{month}` the month's name, `{year}` the year.
TAHAP_FORMS = {
    "TAHAP": ("{n}", "Tahap {n}", "TAHAP {roman}", "Tahap {n} {year}", "Thp. {n}"),
    "BULAN": ("Bulan {n}", "{month}", "Bulan {month}", "{MONTH} {year}"),
}
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
# Amounts nobody paid, typed into sheets that went through Excel: a row of nines, a number Excel read as scientific
# notation. They parse as numbers far beyond any real amount (the warehouse's bound is Rp 10^12: out_of_range).
_OUT_OF_RANGE_AMOUNTS = ("99999999999999999999", "4811e452", "1.5E+15")
_UNPARSEABLE_DATES = ("kemarin", "belum diisi", "31-02-{year}", "30/02/{year}")
_COVER_LINES = (
    "PETUNJUK PENGISIAN",
    "1. Data penerima diisi pada sheet DATA.",
    "2. NIK dan Nomor KK ditulis 16 digit sebagai teks.",
    "3. Jangan mengubah urutan kolom.",
)


@dataclass
class Layout:
    format: str                       # csv, xlsx or parquet
    header_row: int                   # 1-based, as a person opening the file sees it
    data_rows: np.ndarray             # row number of each data row
    empty_rows: np.ndarray            # row numbers of empty rows inside the data
    total_row: int | None             # row number of a total row
    title: tuple[str, ...] = ()       # lines in rows 1..len(title)
    merged_title: bool = False
    sheet: str = "Sheet1"
    cover: tuple[str, ...] = ()       # a cover sheet before the data sheet
    encoding: str = "utf-8"
    delimiter: str = ","
    line_terminator: str = "\n"
    bom: bool = False


@dataclass
class Rendered:
    logical: LogicalFile
    headers: list[str]
    cells: list[np.ndarray]
    kinds: list[np.ndarray]
    total_cells: list[object] | None
    person: np.ndarray
    family: np.ndarray
    nik_true: np.ndarray
    kk_true: np.ndarray
    row_defects: dict[str, np.ndarray]  # code -> mask over data rows
    expected_reason: np.ndarray        # per data row: a quarantine reason code or None
    file_defects: list[str]
    layout: Layout

    @property
    def n_rows(self) -> int:
        return len(self.person)


@dataclass
class _Rows:
    """Per-row bookkeeping while rendering one file."""

    n: int
    defects: dict[str, np.ndarray] = field(default_factory=dict)
    reason: np.ndarray = field(init=False)
    quarantined: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.reason = np.full(self.n, None, dtype=object)
        self.quarantined = np.zeros(self.n, dtype=bool)

    @property
    def free(self) -> np.ndarray:
        """Rows without a quarantining defect yet: each row gets at most one, so its reason is unambiguous."""
        return ~self.quarantined

    def mark(self, rows: np.ndarray, code: str) -> None:
        if len(rows):
            mask = self.defects.setdefault(code, np.zeros(self.n, dtype=bool))
            mask[rows] = True

    def quarantine(self, rows: np.ndarray, reason: str) -> None:
        self.reason[rows] = reason
        self.quarantined[rows] = True


@dataclass
class _Styles:
    date: str
    money: str
    rt: str
    kelurahan: str
    program_variant: bool
    decimal_comma: bool
    rt_rw_combined: bool


class Renderer:
    def __init__(self, seed: int, rate: float, geography: Geography) -> None:
        if rate < 0:
            raise ValueError("The defect rate cannot be negative")
        self.seed, self.rate, self.geography = seed, rate, geography
        self.seen: set[str] = set()
        kelurahan = geography.kelurahan
        self.kelurahan_styles = {
            "official": [k.name for k in kelurahan],
            "apart": [k.apart for k in kelurahan],
            "apart_upper": [k.apart.upper() for k in kelurahan],
            "official_upper": [k.name.upper() for k in kelurahan],
            "apart_lower": [k.apart.lower() for k in kelurahan],
            "joined_upper": [k.apart.upper().replace(" ", "") for k in kelurahan],
            "sei": [k.apart.replace("Sungai ", "Sei ") for k in kelurahan],
        }
        self.kelurahan_variants = [k.variants() for k in kelurahan]
        self.official = np.array(self.kelurahan_styles["official"], dtype=object)

    # --- chance with a per-run guarantee ------------------------------------------------------------------
    def chance(self, rng: np.random.Generator, p: float, code: str) -> bool:
        hit = rng.random() < min(1.0, p * self.rate)
        if self.rate > 0 and code not in self.seen:
            hit = True
        if hit:
            self.seen.add(code)
        return hit

    def pick(self, rng: np.random.Generator, eligible: np.ndarray, p: float, code: str) -> np.ndarray:
        candidates = np.flatnonzero(eligible)
        if not len(candidates) or self.rate <= 0:
            return candidates[:0]
        k = int(rng.binomial(len(candidates), min(1.0, p * self.rate)))
        if k == 0 and code not in self.seen:
            k = 1
        if k:
            self.seen.add(code)
        return np.sort(rng.choice(candidates, size=k, replace=False))

    # --- the file ------------------------------------------------------------------------------------------
    def render(self, logical: LogicalFile, *, drop_column: str | None = None, as_parquet: bool = False) -> Rendered:
        spec = logical.source
        rng = stream(self.seed, "render", spec.code, logical.period, logical.name)
        rows = _Rows(len(logical))
        for code, mask in logical.row_defects.items():
            rows.mark(np.flatnonzero(mask), code)
        xlsx = spec.format == "xlsx" and not as_parquet
        file_defects = list(logical.defects)
        styles = self._styles(rng, spec, logical, xlsx)
        title = self._title(rng, logical, styles, rows, file_defects)

        headers, cells, kinds = [], [], []
        for column in spec.columns:
            if column.header not in logical.values:
                continue
            text, kind = self._column(rng, spec, column, logical.values[column.header], styles, rows, xlsx)
            headers.append(column.header)
            cells.append(text)
            kinds.append(kind)
        if styles.rt_rw_combined:
            self._combine_rt_rw(headers, cells, kinds, logical, rows)
        if drop_column is not None:
            index = headers.index(drop_column)
            del headers[index], cells[index], kinds[index]
            file_defects.append("M12_missing_column")

        order, copies = self._duplicate_rows(rng, rows.n)
        defects = rows.defects
        if copies.any():
            cells = [c[order] for c in cells]
            kinds = [k[order] for k in kinds]
            defects = {code: mask[order] for code, mask in defects.items()}
            defects["M4_duplicate_row"] = copies
        money = [i for i, h in enumerate(headers) if h in {c.header for c in spec.columns if c.role is Role.MONEY}]
        headers = self._headers(rng, spec, headers, file_defects)
        layout, total_cells = self._layout(rng, logical, title, len(headers), money, len(order), xlsx, as_parquet,
                                           file_defects)
        return Rendered(
            logical=logical, headers=headers, cells=cells, kinds=kinds, total_cells=total_cells,
            person=logical.person[order], family=logical.family[order], nik_true=logical.nik_true[order],
            kk_true=logical.kk_true[order], row_defects=defects, expected_reason=rows.reason[order],
            file_defects=file_defects, layout=layout,
        )

    def _styles(self, rng, spec: SourceSpec, logical: LogicalFile, xlsx: bool) -> _Styles:
        """File-level spellings: one office writes all its dates, amounts, RT numbers and names one way."""
        roles = {c.role for c in spec.columns if c.header in logical.values}
        system = SYSTEM_FACTOR if spec.system_export else 1.0
        date = spec.date_style if xlsx or spec.date_style != EXCEL_DATE else ISO
        if Role.DATE in roles and self.chance(rng, P_DATE_STYLE * system, f"style:date:{spec.code}"):
            options = [s for s in (*TEXT_STYLES, *((EXCEL_SERIAL,) if xlsx else ())) if s != date]
            date = options[rng.integers(0, len(options))]
        money = "plain"
        if Role.MONEY in roles and self.chance(rng, P_MONEY_STYLE, f"style:money:{spec.code}"):
            money = ("rupiah", "separators")[rng.integers(0, 2)]
        rt = "plain"
        if Role.RT in roles and self.chance(rng, P_RT_STYLE * system, f"style:rt:{spec.code}"):
            rt = ("padded", "prefixed")[rng.integers(0, 2)]
        kelurahan = "official"
        if (Role.KELURAHAN in roles or logical.kelurahan >= 0) and self.chance(rng, P_KELURAHAN_STYLE, f"style:kel:{spec.code}"):
            options = [s for s in self.kelurahan_styles if s != "official"]
            kelurahan = options[rng.integers(0, len(options))]
        program = Role.PROGRAM in roles and self.chance(rng, P_PROGRAM_STYLE, f"style:program:{spec.code}")
        decimal_comma = Role.DECIMAL in roles and self.chance(rng, P_DECIMAL_COMMA, f"style:decimal:{spec.code}")
        combined = (spec.rt_rw_combinable and Role.RT in roles and Role.RW in roles
                    and self.chance(rng, P_RT_RW_COMBINED, f"style:rtrw:{spec.code}"))
        return _Styles(date, money, rt, kelurahan, program, decimal_comma, combined)

    # --- columns -------------------------------------------------------------------------------------------
    def _column(self, rng, spec: SourceSpec, column: Column, values: np.ndarray, styles: _Styles, rows: _Rows,
                xlsx: bool) -> tuple[np.ndarray, np.ndarray]:
        role = column.role
        if role in (Role.NIK, Role.KK):
            return self._identifier(rng, spec, column, values, rows, xlsx)
        if role in (Role.NAME, Role.TEXT, Role.CODE):
            return self._text(rng, spec, values, rows)
        if role is Role.NOKA:
            return as_text(values, 13), _kinds(len(values), TEXT)
        if role in (Role.INT, Role.ROW_NUMBER):
            return _numbers(values, values < 0, xlsx)
        if role is Role.DECIMAL:
            return self._decimal(values, styles, rows, xlsx)
        if role is Role.MONEY:
            return self._money(rng, spec, column, values, styles, rows, xlsx)
        if role is Role.DATE:
            return self._date(rng, spec, column, values, styles, rows, xlsx)
        if role in (Role.RT, Role.RW):
            return self._rt(rng, role, values, styles, rows, xlsx)
        if role is Role.KELURAHAN:
            return self._kelurahan(rng, column, values, styles, rows)
        if role is Role.PROGRAM:
            return self._program(rng, values, styles, rows)
        if role is Role.TAHAP:
            return self._tahap(rng, values, rows, xlsx)
        raise ValueError(f"No renderer for {role}")

    def _identifier(self, rng, spec, column, values, rows, xlsx):
        n = len(values)
        text = as_text(values)
        cells, kinds = text.copy(), _kinds(n, TEXT)
        present = values != 0
        untouched = present.copy()
        system = SYSTEM_FACTOR if spec.system_export else 1.0
        if column.role is Role.NIK:
            bad = self.pick(rng, untouched & rows.free, P_INVALID_NIK * system, "M3_invalid_nik")
            cells[bad] = [_invalid_nik(rng, s) for s in text[bad]]
            rows.mark(bad, "M3_invalid_nik")
            if spec.person_key and column.required:
                rows.quarantine(bad, "invalid_nik")
            untouched[bad] = False
        elif spec.family_key and column.required:
            bad = self.pick(rng, untouched & rows.free, P_INVALID_KK * system, "M3_invalid_kk")
            cells[bad] = [s[:-1] if rng.random() < 0.5 else s + str(rng.integers(0, 10)) for s in text[bad]]
            rows.mark(bad, "M3_invalid_kk")
            rows.quarantine(bad, "invalid_kk")
            untouched[bad] = False
        if xlsx:
            numeric = self.pick(rng, untouched, P_NUMERIC_CELL, "M1_numeric_cell")
            # Excel keeps 15 significant digits: the 16th becomes 0 and the number is no longer the NIK.
            cells[numeric] = [float(int(s[:15]) * 10) for s in text[numeric]]
            kinds[numeric] = NUMBER
            rows.mark(numeric, "M1_numeric_cell")
            untouched[numeric] = False
        elif spec.excel_touched:
            scientific = self.pick(rng, untouched, P_EXCEL_TEXT / 2, "M1_scientific")
            cells[scientific] = [f"{float(s):.5E}" for s in text[scientific]]
            rows.mark(scientific, "M1_scientific")
            untouched[scientific] = False
            floated = self.pick(rng, untouched, P_EXCEL_TEXT / 2, "M1_float_text")
            cells[floated] = [repr(float(int(s[:15]) * 10)) for s in text[floated]]
            rows.mark(floated, "M1_float_text")
            untouched[floated] = False
        punctuated = self.pick(rng, untouched, P_PUNCTUATION * system, "M2_punctuation")
        cells[punctuated] = [_punctuate(rng, s) for s in text[punctuated]]
        rows.mark(punctuated, "M2_punctuation")
        return cells, kinds

    def _text(self, rng, spec, values, rows):
        cells = values.astype(object).copy()
        system = SYSTEM_FACTOR if spec.system_export else 1.0
        spaced = self.pick(rng, cells != "", P_WHITESPACE * system, "M9_whitespace")
        cells[spaced] = [_stray_whitespace(rng, s) for s in cells[spaced]]
        rows.mark(spaced, "M9_whitespace")
        return cells, _kinds(len(cells), TEXT)

    def _decimal(self, values, styles, rows, xlsx):
        blank = np.isnan(values)
        if xlsx:
            cells = np.full(len(values), "", dtype=object)
            cells[~blank] = values[~blank].tolist()
            return cells, np.where(blank, BLANK, NUMBER).astype(np.uint8)
        text = np.array([f"{v:g}" if not np.isnan(v) else "" for v in values], dtype=object)
        if styles.decimal_comma:
            fractional = np.flatnonzero(np.char.find(text.astype(str), ".") >= 0)
            text[fractional] = [s.replace(".", ",") for s in text[fractional]]
            rows.mark(fractional, "M8_decimal_comma")
        return text, _kinds(len(values), TEXT)

    def _money(self, rng, spec, column, values, styles, rows, xlsx):
        n = len(values)
        blank = values < 0
        hostile = np.zeros(0, dtype=np.int64)
        if spec.excel_touched:
            eligible = ~blank & (rows.free if column.required else True)
            hostile = self.pick(rng, eligible, P_AMOUNT_OUT_OF_RANGE, f"M8_out_of_range:{spec.code}")
        style = np.full(n, styles.money, dtype=object)
        mixed = self.pick(rng, ~blank, P_MONEY_ROW, "style:money_row")
        others = [s for s in ("plain", "rupiah", "separators") if s != styles.money]
        style[mixed] = np.array(others, dtype=object)[rng.integers(0, len(others), len(mixed))]
        plain = (style == "plain") & ~blank
        cells = np.full(n, "", dtype=object)
        kinds = np.where(blank, BLANK, TEXT).astype(np.uint8)
        if xlsx:
            cells[plain] = values[plain].astype(float)
            kinds[plain] = NUMBER
        else:
            cells[plain] = values[plain].astype(str)
        for name, code, template in (("rupiah", "M8_rupiah_text", "Rp {}"), ("separators", "M8_separators", "{},00")):
            chosen = np.setdiff1d(np.flatnonzero((style == name) & ~blank), hostile)
            cells[chosen] = [template.format(f"{int(v):,}".replace(",", ".")) for v in values[chosen]]
            rows.mark(chosen, code)
        typed = rng.integers(0, len(_OUT_OF_RANGE_AMOUNTS), len(hostile))
        cells[hostile] = np.array(_OUT_OF_RANGE_AMOUNTS, dtype=object)[typed]
        rows.mark(hostile, "M8_out_of_range")
        if column.required:
            rows.quarantine(hostile, "out_of_range")
        return cells, kinds

    def _date(self, rng, spec, column, values, styles, rows, xlsx):
        n = len(values)
        native = spec.date_style if xlsx else (ISO if spec.date_style == EXCEL_DATE else spec.date_style)
        blank = values == NO_DATE
        style = np.full(n, styles.date, dtype=object)
        system = SYSTEM_FACTOR if spec.system_export else 1.0
        mixed = self.pick(rng, ~blank, P_DATE_ROW * system, "style:date_row")
        options = [s for s in (*TEXT_STYLES, *((EXCEL_SERIAL,) if xlsx else ())) if s != styles.date]
        style[mixed] = np.array(options, dtype=object)[rng.integers(0, len(options), len(mixed))]
        cells = np.full(n, "", dtype=object)
        kinds = np.where(blank, BLANK, TEXT).astype(np.uint8)
        for name in sorted(set(style[~blank].tolist())):
            chosen = np.flatnonzero((style == name) & ~blank)
            if name in (EXCEL_DATE, EXCEL_SERIAL):
                cells[chosen] = (values[chosen] + EXCEL_EPOCH_OFFSET).astype(float)
                kinds[chosen] = DATE_CELL if name == EXCEL_DATE else NUMBER
            else:
                cells[chosen] = format_days(values[chosen], name)
            if name != native:
                rows.mark(chosen, f"M7_{name}")
        if column.required:
            broken = self.pick(rng, ~blank & rows.free, P_UNPARSEABLE_DATE * system, "M7_unparseable_date")
            for i in broken:
                year = date_of(values[i]).year
                cells[i] = _UNPARSEABLE_DATES[rng.integers(0, len(_UNPARSEABLE_DATES))].format(year=year)
                kinds[i] = TEXT
            rows.mark(broken, "M7_unparseable_date")
            rows.quarantine(broken, "invalid_date")
        return cells, kinds

    def _rt(self, rng, role, values, styles, rows, xlsx):
        n = len(values)
        style = np.full(n, styles.rt, dtype=object)
        mixed = self.pick(rng, values > 0, P_RT_ROW, "style:rt_row")
        others = [s for s in ("plain", "padded", "prefixed") if s != styles.rt]
        style[mixed] = np.array(others, dtype=object)[rng.integers(0, len(others), len(mixed))]
        label = "RT" if role is Role.RT else "RW"
        cells = np.full(n, "", dtype=object)
        kinds = _kinds(n, TEXT)
        plain = style == "plain"
        if xlsx:
            cells[plain] = values[plain].astype(float)
            kinds[plain] = NUMBER
        else:
            cells[plain] = values[plain].astype(str)
        padded = np.flatnonzero(style == "padded")
        cells[padded] = zero_padded(values[padded], 3)
        rows.mark(padded, "M6_zero_padded")
        prefixed = np.flatnonzero(style == "prefixed")
        cells[prefixed] = [f"{label} {v:02d}" for v in values[prefixed]]
        rows.mark(prefixed, "M6_prefixed")
        return cells, kinds

    def _kelurahan(self, rng, column, values, styles, rows):
        n = len(values)
        spelled = np.array(self.kelurahan_styles[styles.kelurahan], dtype=object)
        blank = values < 0
        cells = np.where(blank, "", spelled[values.clip(0)]).astype(object)
        varied = self.pick(rng, ~blank, P_KELURAHAN_ROW, "style:kel_row")
        cells[varied] = [self.kelurahan_variants[k][rng.integers(0, len(self.kelurahan_variants[k]))] for k in values[varied]]
        if column.required:
            unknown = self.pick(rng, ~blank & rows.free, P_UNKNOWN_KELURAHAN, "M5_unknown_kelurahan")
            cells[unknown] = np.array(UNKNOWN_KELURAHAN, dtype=object)[rng.integers(0, len(UNKNOWN_KELURAHAN), len(unknown))]
            rows.mark(unknown, "M5_unknown_kelurahan")
            rows.quarantine(unknown, "unknown_kelurahan")
        else:
            unknown = np.zeros(0, dtype=int)
        variant = ~blank & (cells != self.official[values.clip(0)])
        variant[unknown] = False
        rows.mark(np.flatnonzero(variant), "M5_variant")
        return cells, _kinds(n, TEXT)

    def _program(self, rng, values, styles, rows):
        n = len(values)
        cells = values.astype(object).copy()
        if styles.program_variant:
            for program, spellings in PROGRAM_SPELLINGS.items():
                chosen = cells == program
                cells[chosen] = spellings[rng.integers(0, len(spellings))]
        mixed = self.pick(rng, np.ones(n, dtype=bool), P_PROGRAM_ROW, "style:program_row")
        cells[mixed] = [PROGRAM_SPELLINGS[v][rng.integers(0, len(PROGRAM_SPELLINGS[v]))] for v in values[mixed]]
        unknown = self.pick(rng, rows.free, P_UNKNOWN_PROGRAM, "M13_unknown_program")
        cells[unknown] = np.array(UNKNOWN_PROGRAMS, dtype=object)[rng.integers(0, len(UNKNOWN_PROGRAMS), len(unknown))]
        rows.mark(unknown, "M13_unknown_program")
        rows.quarantine(unknown, "unknown_program")
        variant = cells != values
        variant[unknown] = False
        rows.mark(np.flatnonzero(variant), "M13_variant")
        return cells, _kinds(n, TEXT)

    def _tahap(self, rng, values, rows, xlsx):
        """The file's office writes every round one way: the native label, or one of the forms of its kind."""
        n = len(values)
        cells, kinds = values.astype(object).copy(), _kinds(n, TEXT)
        for label in sorted(set(values.tolist())):
            kind, number, year = label.split()
            if not self.chance(rng, P_TAHAP_STYLE, f"style:tahap:{kind}"):
                continue
            forms = TAHAP_FORMS[kind]
            form = forms[rng.integers(0, len(forms))]
            month = MONTHS_ID[int(number) - 1] if kind == "BULAN" else ""
            chosen = np.flatnonzero(values == label)
            if form == "{n}" and xlsx:
                cells[chosen], kinds[chosen] = float(number), NUMBER  # a round typed into a numeric cell
            else:
                cells[chosen] = form.format(n=number, roman=_ROMAN[int(number) - 1], month=month,
                                            MONTH=month.upper(), year=year)
            rows.mark(chosen, "M13_tahap_variant")
        return cells, kinds

    def _combine_rt_rw(self, headers, cells, kinds, logical: LogicalFile, rows: _Rows) -> None:
        rt_header = next(c.header for c in logical.source.columns if c.role is Role.RT)
        rw_header = next(c.header for c in logical.source.columns if c.role is Role.RW)
        rt, rw = logical.values[rt_header], logical.values[rw_header]
        index = headers.index(rt_header)
        combined = np.array([f"{a:03d}/{b:03d}" for a, b in zip(rt, rw)], dtype=object)
        for code in ("M6_zero_padded", "M6_prefixed"):
            rows.defects.pop(code, None)
        rows.mark(np.arange(rows.n), "M6_rt_rw_combined")
        headers[index], cells[index], kinds[index] = "RT/RW", combined, _kinds(rows.n, TEXT)
        drop = headers.index(rw_header)
        del headers[drop], cells[drop], kinds[drop]

    def _duplicate_rows(self, rng, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The same row twice: a second paste lands somewhere after the original."""
        originals = self.pick(rng, np.ones(n, dtype=bool), P_DUPLICATE_ROW, "M4_duplicate_row")
        if not len(originals):
            return np.arange(n), np.zeros(n, dtype=bool)
        positions = np.array([rng.integers(i + 1, n + 1) for i in originals])
        order = np.insert(np.arange(n), positions, originals)
        copies = np.insert(np.zeros(n, dtype=bool), positions, True)
        return order, copies

    def _headers(self, rng, spec: SourceSpec, headers: list[str], file_defects: list[str]) -> list[str]:
        if not self.chance(rng, P_HEADER_VARIANT, "M11_header_variant"):
            return headers
        # System exports (SIKS-NG, SIAK, BPJS) keep their column names; re-saving only changes case and separators.
        swap_words = not spec.system_export
        result = []
        for header in headers:
            options = header_variants(header, spec.upper_headers, swap_words)
            result.append(options[rng.integers(0, len(options))] if options and rng.random() < 0.5 else header)
        if result == headers and headers:
            options = header_variants(headers[0], spec.upper_headers, swap_words)
            result[0] = options[0] if options else headers[0]
        if result != headers:
            file_defects.append("M11_header_variant")
        return result

    # --- layout --------------------------------------------------------------------------------------------
    def _layout(self, rng, logical, title, n_columns, money, n, xlsx, as_parquet, file_defects):
        spec = logical.source
        if not xlsx:
            fmt = "parquet" if as_parquet else "csv"
            bom, encoding = False, spec.encoding
            if fmt == "csv":
                if spec.encoding == "utf-8":
                    bom = self.chance(rng, P_BOM, "M9_bom")
                elif self.chance(rng, P_FOREIGN_ENCODING, "M9_utf8_encoding"):
                    encoding = "utf-8"
                    file_defects.append("M9_utf8_encoding")
                if bom:
                    file_defects.append("M9_bom")
            return Layout(fmt, 1, np.arange(2, n + 2), np.zeros(0, dtype=np.int64), None, encoding=encoding,
                          delimiter=spec.delimiter, line_terminator=spec.line_terminator, bom=bom), None

        lines, blank_lines, merged = title
        sheet, cover = "Sheet1", ()
        if spec.free_layout and self.chance(rng, P_DATA_SHEET, "M10_data_sheet"):
            sheet, cover = "DATA", _COVER_LINES
            file_defects.append("M10_data_sheet")
        header_row = len(lines) + blank_lines + 1
        # An empty row sits before data row j (never before the first): the rows below it move down by one.
        empties = self.pick(rng, np.arange(n) > 0, P_EMPTY_ROW, "M10_empty_row")
        before = np.zeros(n, dtype=np.int64)
        before[empties] = 1
        data_rows = header_row + 1 + np.arange(n) + np.cumsum(before)
        empty_rows = data_rows[empties] - 1
        label = logical.total_label
        if label is None and spec.free_layout and self.chance(rng, P_TOTAL_ROW, "M10_total_row"):
            label = ("TOTAL", "JUMLAH")[rng.integers(0, 2)]
            file_defects.append("M10_total_row")
        total_row, total_cells = None, None
        if label is not None:
            total_row = int(data_rows[-1]) + 1 if n else header_row + 1
            total_cells = _total_cells(logical, label, money, n_columns, header_row, total_row)
        return Layout("xlsx", header_row, data_rows, empty_rows, total_row, title=lines, merged_title=merged,
                      sheet=sheet, cover=cover), total_cells

    def _title(self, rng, logical: LogicalFile, styles: _Styles, rows: _Rows,
               file_defects: list[str]) -> tuple[tuple[str, ...], int, bool]:
        """Title lines, blank lines below them, and whether the title cells are merged (XLSX only)."""
        if logical.source.format != "xlsx":
            return (), 0, False
        if logical.title:
            spelled = ""
            if logical.kelurahan >= 0:
                spelled = self.kelurahan_styles[styles.kelurahan][logical.kelurahan]
                if styles.kelurahan != "official" and rng.random() < 0.5:
                    spelled = spelled.upper()
                # The title's kelurahan is every row's kelurahan (design.md), so a variant spelling marks them all.
                if spelled != self.kelurahan_styles["official"][logical.kelurahan]:
                    rows.mark(np.arange(rows.n), "M5_variant")
                    file_defects.append("M5_variant")
            lines = tuple(line.format(kelurahan=spelled) for line in logical.title)
            # The contract puts the header anywhere in rows 3-10: offices leave a different number of blank lines.
            return lines, int(rng.integers(0, 4)), True
        if logical.source.free_layout and self.chance(rng, P_TITLE_ROWS, "M10_title_rows"):
            file_defects.append("M10_title_rows")
            subject = {"rtlh": "RUMAH TIDAK LAYAK HUNI", "sanitasi": "BANTUAN SANITASI", "mitra": "PENYALURAN BANTUAN MITRA"}
            lines = (f"DATA {subject.get(logical.source.code, logical.source.code.upper())} KOTA PONTIANAK",
                     f"PERIODE : {month_name(logical.period)}")
            return lines, 1, True
        return (), 0, False



def _total_cells(logical: LogicalFile, label: str, money: list[int], n_columns: int, header_row: int,
                 total_row: int) -> list[object]:
    """The total row as offices make it: a label in the first cell and a SUM formula (with its cached value)
    under each money column."""
    row: list[object] = [None] * n_columns
    row[0] = label
    money_headers = [c.header for c in logical.source.columns if c.role is Role.MONEY and c.header in logical.values]
    for index, header in zip(money, money_headers):
        values = logical.values[header]
        letter = _column_letter(index)
        row[index] = (f"=SUM({letter}{header_row + 1}:{letter}{total_row - 1})", int(values[values > 0].sum()))
    return row


def header_variants(header: str, upper_only: bool, swap_words: bool = True) -> list[str]:
    """Realistic spellings of a header: case, spaces or underscores, `No.` with a dot, and (for hand-made files)
    the first word swapped between NO and NOMOR or shortened from TANGGAL to TGL. Each normalises (lower case,
    non-alphanumerics to one underscore) to the canonical name or to that name with the first word swapped."""
    if header == "RT/RW":
        return ["RT / RW"]
    words = re.split(r"[\s_]+", header)
    word_sets = [words]
    swap = {"NO": "NOMOR", "NOMOR": "NO", "TANGGAL": "TGL"}.get(words[0].upper()) if swap_words else None
    if swap:
        word_sets.append([swap, *words[1:]])
    spellings = []
    for ws in word_sets:
        for separator in (" ", "_"):
            for case in (str.upper, str.lower, str.title):
                spellings.append(separator.join(case(w) for w in ws))
    if swap_words and words[0].upper() == "NO" and len(words) > 1:
        spellings.append("No. " + " ".join(w.upper() for w in words[1:]))
    if upper_only:
        spellings = [s for s in spellings if s == s.upper()]
    return [s for s in dict.fromkeys(spellings) if s != header]


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _kinds(n: int, kind: int) -> np.ndarray:
    return np.full(n, kind, dtype=np.uint8)


_SMALL_NUMBERS = np.array([str(i) for i in range(100_000)], dtype=object)


def _numbers(values: np.ndarray, blank: np.ndarray, xlsx: bool) -> tuple[np.ndarray, np.ndarray]:
    cells = np.full(len(values), "", dtype=object)
    present = values[~blank]
    if xlsx:
        cells[~blank] = present.astype(float).tolist()
        return cells, np.where(blank, BLANK, NUMBER).astype(np.uint8)
    # Codes, counts and years are small: a table look-up is far cheaper than formatting each one.
    small = len(present) == 0 or (present.min() >= 0 and present.max() < len(_SMALL_NUMBERS))
    cells[~blank] = _SMALL_NUMBERS[present] if small else present.astype(str)
    return cells, _kinds(len(values), TEXT)


def _invalid_nik(rng: np.random.Generator, nik: str) -> str:
    """A NIK that fails validation: wrong length, month 13, or a day outside 01-31 and 41-71."""
    kind = rng.integers(0, 6)
    if kind == 0:
        return nik[:-1]
    if kind == 1:
        return nik + str(rng.integers(0, 10))
    if kind == 2:
        return nik[:8] + "13" + nik[10:]
    return nik[:6] + ("00", "35", "75")[kind - 3] + nik[8:]


def _punctuate(rng: np.random.Generator, number: str) -> str:
    kind = rng.integers(0, 4)
    if kind == 0:
        return "'" + number
    groups = [number[i:i + 4] for i in range(0, len(number), 4)]
    return (" ", ".", "-")[kind - 1].join(groups)


def _stray_whitespace(rng: np.random.Generator, value: str) -> str:
    kind = rng.integers(0, 3)
    if kind == 0:
        return " " + value
    if kind == 1:
        return value + "  "
    return value.replace(" ", "  ", 1) if " " in value else value + " "
