"""`generate()`: build the city, deliver every agency file into the inbox, and write the ground truth."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from tkpkd_synth.dates import Window
from tkpkd_synth.defects import Rendered, Renderer
from tkpkd_synth.randomness import stream
from tkpkd_synth.sources import build_files
from tkpkd_synth.tables import SOURCES, LogicalFile
from tkpkd_synth.truth import TruthRecorder
from tkpkd_synth.world import World, build_world
from tkpkd_synth.writers import write, write_empty, write_html_error_page, write_truncated_copy

# Initial families per scale. City: Pontianak's ~195,500 families (Dukcapil 2020), ~690,000 people.
SCALES = {"tiny": 300, "small": 2_000, "city": 195_500, "province": 1_955_000}

P_CORRECTION = 0.1
P_DUPLICATE_FILE = 0.02
CORRECTED_SHARE = 0.08
# Agencies deliver a few days after the period ends, during office hours in Pontianak (WIB, UTC+7).
DELIVERY_DELAY_DAYS = 5
DELIVERY_HOUR_UTC = 2


class InboxNotEmptyError(FileExistsError):
    """The inbox already holds files and overwriting was not asked for."""


@dataclass(frozen=True)
class SourceSummary:
    """Files written for a source (every kind, broken ones included) and the data rows of those expected to load."""

    files: int
    data_rows: int


@dataclass(frozen=True)
class GenerationSummary:
    scale: str
    seed: int
    periods: tuple[str, ...]
    defect_rate: float
    families: int
    persons: int
    sources: dict[str, SourceSummary]
    elapsed_seconds: float = field(compare=False)

    def table(self) -> str:
        lines = [f"{'source':<22} {'files':>6} {'data rows':>11}"]
        for source, counts in self.sources.items():
            lines.append(f"{source:<22} {counts.files:>6} {counts.data_rows:>11,}")
        total_files = sum(c.files for c in self.sources.values())
        total_rows = sum(c.data_rows for c in self.sources.values())
        lines.append(f"{'total':<22} {total_files:>6} {total_rows:>11,}")
        return "\n".join(lines)


def generate(
    inbox: Path | str,
    truth: Path | str,
    scale: str = "small",
    periods: int = 12,
    end_period: str = "2025-12",
    seed: int = 42,
    defect_rate: float = 1.0,
    overwrite: bool = False,
) -> GenerationSummary:
    """Write a synthetic agency inbox (`<inbox>/<source>/<YYYY-MM>/<file>`) and its ground truth (`<truth>/`).

    Refuses a non-empty inbox unless `overwrite` is set; then it clears the inbox and the truth folder (and
    nothing else). The same arguments always produce byte-identical files and truth.
    """
    started = time.perf_counter()
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    window = Window.ending(end_period, periods)
    inbox, truth = Path(inbox).resolve(), Path(truth).resolve()
    _prepare_folders(inbox, truth, overwrite)
    world = build_world(seed, window, SCALES[scale])
    recorder = TruthRecorder(truth)
    delivery = _Delivery(inbox, recorder, Renderer(seed, defect_rate, world.geography), seed, defect_rate, window)
    for logical in build_files(world):
        delivery.deliver(logical)
    summary = GenerationSummary(
        scale=scale, seed=seed, periods=window.periods, defect_rate=defect_rate,
        families=len(world.population.families), persons=len(world.population.persons),
        sources={code: SourceSummary(delivery.files[code], delivery.rows[code]) for code in SOURCES},
        elapsed_seconds=time.perf_counter() - started,
    )
    recorder.finish(world, _manifest(summary, world, recorder))
    return replace(summary, elapsed_seconds=time.perf_counter() - started)


def count_rows(scale: str, periods: int = 12, end_period: str = "2025-12", seed: int = 42) -> GenerationSummary:
    """What a scale produces, without writing: families, persons, and per source the files and data rows before
    injected duplicates and extra deliveries (corrections, re-sends, broken files)."""
    started = time.perf_counter()
    window = Window.ending(end_period, periods)
    world = build_world(seed, window, SCALES[scale])
    files, rows = Counter(), Counter()
    for logical in build_files(world):
        files[logical.source.code] += 1
        rows[logical.source.code] += len(logical)
    return GenerationSummary(
        scale=scale, seed=seed, periods=window.periods, defect_rate=0.0,
        families=len(world.population.families), persons=len(world.population.persons),
        sources={code: SourceSummary(files[code], rows[code]) for code in SOURCES},
        elapsed_seconds=time.perf_counter() - started,
    )


def _prepare_folders(inbox: Path, truth: Path, overwrite: bool) -> None:
    if inbox == truth or inbox in truth.parents or truth in inbox.parents:
        raise ValueError("The inbox and the ground-truth folder must be separate folders, neither inside the other")
    if inbox.exists() and any(inbox.iterdir()):
        if not overwrite:
            raise InboxNotEmptyError(f"{inbox} is not empty; pass overwrite=True (--force) to replace it")
        strangers = sorted(p.name for p in inbox.iterdir() if p.name not in SOURCES)
        if strangers:
            raise ValueError(f"Refusing to clear {inbox}: it holds {', '.join(strangers)}, which are not source folders")
        shutil.rmtree(inbox)
    if truth.exists() and any(truth.iterdir()):
        # Only a folder this generator wrote (it has a manifest) is cleared without being asked.
        if not overwrite and not (truth / "manifest.json").exists():
            raise InboxNotEmptyError(f"{truth} is not empty and holds no ground truth; pass overwrite=True to replace it")
        shutil.rmtree(truth)
    inbox.mkdir(parents=True, exist_ok=True)
    truth.mkdir(parents=True, exist_ok=True)


def _manifest(summary: GenerationSummary, world: World, recorder: TruthRecorder) -> dict:
    statuses = Counter(record["expected_status"] for record in recorder.files)
    return {
        "generator": "tkpkd_synth",
        "scale": summary.scale,
        "seed": summary.seed,
        "periods": list(summary.periods),
        "end_period": summary.periods[-1],
        "defect_rate": summary.defect_rate,
        "families_initial": world.population.initial_families,
        "families": summary.families,
        "persons": summary.persons,
        "rt_count": world.population.layout.rt_count,
        "rw_count": world.population.layout.rw_count,
        "snapshot_periods": [world.window.periods[t] for t in world.registry.snapshot_indices],
        "verification_periods": sorted({world.window.periods[int(t)] for t in world.registry.verifications["period"]}),
        "left_behind_families": int(world.registry.left_behind.sum()),
        "kk_reissued_families": int((world.population.families.reissued_kk > 0).sum()),
        "files_by_status": dict(sorted(statuses.items())),
        "sources": {
            code: {"files": counts.files, "data_rows": counts.data_rows} for code, counts in summary.sources.items()
        },
    }


class _Delivery:
    """Renders, writes and records each logical file, plus the extra deliveries real inboxes get: corrections,
    the same file sent twice, and the broken files of M12 (one of each kind per run at a positive defect rate)."""

    def __init__(self, inbox: Path, recorder: TruthRecorder, renderer: Renderer, seed: int, rate: float, window: Window):
        self.inbox, self.recorder, self.renderer = inbox, recorder, renderer
        self.seed, self.rate, self.window = seed, rate, window
        self.files: Counter[str] = Counter()
        self.rows: Counter[str] = Counter()
        self.sequence: Counter[str] = Counter()
        half, third = len(window) // 2, len(window) // 3
        # (source, first period index from which the first file qualifies) for each one-off M12 case.
        self.pending = {} if rate <= 0 else {
            "missing_column": ("layanan_kesehatan", half),
            "empty_file": ("kur", 0),
            "wrong_content": ("bansos", third),
            "truncated_csv": ("pelatihan", 0),
            "truncated_xlsx": ("mitra", 0),
            "parquet": ("umkm", min(1, len(window) - 1)),
        }

    def _due(self, case: str, logical: LogicalFile) -> bool:
        if case not in self.pending:
            return False
        source, from_period = self.pending[case]
        if logical.source.code != source or self.window.periods.index(logical.period) < from_period or not len(logical):
            return False
        del self.pending[case]
        return True

    def deliver(self, logical: LogicalFile) -> None:
        spec = logical.source
        rng = stream(self.seed, "delivery", spec.code, logical.period, logical.name)
        correction = None
        if spec.correction and _correctable(logical) and self.renderer.chance(rng, P_CORRECTION, "M4_correction"):
            logical, correction = _with_correction(rng, logical)
        drop = "jenis_layanan" if self._due("missing_column", logical) else None
        as_parquet = self._due("parquet", logical)
        if as_parquet:
            logical = replace(logical, name=Path(logical.name).with_suffix(".parquet").name)
        status, reason = ("rejected", "missing_required_columns") if drop else ("loaded", None)
        rendered = self.renderer.render(logical, drop_column=drop, as_parquet=as_parquet)
        path = self._write(rendered, status, reason)
        if correction is not None:
            self._write(self.renderer.render(correction), "loaded", None, corrects=path)
        stem, suffix = Path(logical.name).stem, Path(logical.name).suffix
        if spec.can_be_duplicated and self.renderer.chance(rng, P_DUPLICATE_FILE, "M4_duplicate_file"):
            self._copy(rendered, path, f"{stem}_kirim_ulang{suffix}")
        if self._due("wrong_content", logical):
            self._broken(logical, f"{stem} (1).xlsx", "M12_wrong_content", "not_a_valid_xlsx", write_html_error_page)
        if self._due("empty_file", logical):
            self._broken(logical, f"{stem}_susulan.csv", "M12_empty_file", "empty_file", write_empty)
        for case, marker in (("truncated_csv", "_upload_gagal"), ("truncated_xlsx", "_rusak")):
            if self._due(case, logical):
                source_file = self.inbox / path
                self._broken(logical, f"{stem}{marker}{suffix}", "M12_truncated", "truncated",
                             lambda target, source_file=source_file: write_truncated_copy(source_file, target),
                             earlier=True)

    # --- writing and recording ----------------------------------------------------------------------------
    def _folder(self, logical: LogicalFile) -> Path:
        folder = self.inbox / logical.source.code / logical.period
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _mtime(self, logical: LogicalFile, extra_days: float = 0.0) -> int:
        """Delivery time: a few days after the period, files of one folder minutes apart, in delivery order."""
        key = f"{logical.source.code}/{logical.period}"
        self.sequence[key] += 1
        last_day = self.window.period_last_day(self.window.periods.index(logical.period))
        return int((last_day + DELIVERY_DELAY_DAYS + logical.mtime_offset_days + extra_days) * 86_400
                   + DELIVERY_HOUR_UTC * 3_600 + self.sequence[key] * 300)

    def _write(self, rendered: Rendered, status: str, reason: str | None, corrects: str | None = None) -> str:
        logical = rendered.logical
        target = self._folder(logical) / logical.name
        write(rendered, target, scratch=self.recorder.truth)
        relative = target.relative_to(self.inbox).as_posix()
        self._record(logical, target, status, reason, rendered.file_defects, corrects=corrects, **_layout_facts(rendered))
        self.recorder.add_rows(rendered, relative, status)
        if status == "loaded":
            self.rows[logical.source.code] += rendered.n_rows
        return relative

    def _copy(self, rendered: Rendered, original: str, name: str) -> None:
        """The same file sent again under another name: same bytes, a day later."""
        logical = rendered.logical
        target = self._folder(logical) / name
        shutil.copyfile(self.inbox / original, target)
        self._record(logical, target, "duplicate_file", None, ["M4_duplicate_file"], duplicate_of=original,
                     extra_days=1, **_layout_facts(rendered))
        self.recorder.add_rows(rendered, target.relative_to(self.inbox).as_posix(), "duplicate_file")

    def _broken(self, logical: LogicalFile, name: str, code: str, reason: str, writer, earlier: bool = False) -> None:
        """A broken delivery beside a good one (a failed upload an hour earlier, or an empty supplement later)."""
        target = self._folder(logical) / name
        writer(target)
        self._record(logical, target, "rejected", reason, [code], extra_days=-1 / 24 if earlier else 2,
                     format=target.suffix.lstrip("."), sheet=None, encoding=None, delimiter=None, bom=False,
                     header_row=None, title_rows=None, n_data_rows=0, n_non_data_rows=0, headers=[])

    def _record(self, logical: LogicalFile, target: Path, status: str, reason: str | None, defects: list[str], *,
                extra_days: float = 0.0, duplicate_of: str | None = None, corrects: str | None = None, **facts) -> None:
        mtime = self._mtime(logical, extra_days)
        os.utime(target, (mtime, mtime))
        data = target.read_bytes()
        self.files[logical.source.code] += 1
        kelurahan = self.renderer.geography.kelurahan[logical.kelurahan].code if logical.kelurahan >= 0 else None
        self.recorder.add_file({
            "source": logical.source.code, "period": logical.period, "path": target.relative_to(self.inbox).as_posix(),
            "expected_status": status, "expected_reason": reason, "defects": list(defects),
            "duplicate_of": duplicate_of, "corrects": corrects, "kelurahan_code": kelurahan,
            "size_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            "modified_at": dt.datetime(1970, 1, 1) + dt.timedelta(seconds=mtime), **facts,
        })


def _layout_facts(rendered: Rendered) -> dict:
    layout = rendered.layout
    csv = layout.format == "csv"
    return {
        "format": layout.format, "sheet": layout.sheet if layout.format == "xlsx" else None,
        "encoding": ("utf-8-sig" if layout.bom else layout.encoding) if csv else None,
        "delimiter": layout.delimiter if csv else None, "bom": layout.bom, "header_row": layout.header_row,
        "title_rows": layout.header_row - 1, "n_data_rows": rendered.n_rows,
        "n_non_data_rows": len(layout.empty_rows) + (layout.total_row is not None), "headers": rendered.headers,
    }


def _correctable(logical: LogicalFile) -> bool:
    column, wrong = logical.source.correction
    return len(logical) >= 2 and bool(np.isin(logical.values[column], list(wrong)).any())


def _with_correction(rng: np.random.Generator, logical: LogicalFile) -> tuple[LogicalFile, LogicalFile]:
    """Split a delivery into an original that got some values wrong and a corrected file sent later.

    The correction repeats the natural keys of the rows it fixes, with the true values; the original carries the
    wrong ones. Truth marks the original rows `M4_superseded` and the correction's rows `M4_correction`.
    """
    column, wrong = logical.source.correction
    values = logical.values[column]
    eligible = np.flatnonzero(np.isin(values, list(wrong)))
    count = max(1, round(CORRECTED_SHARE * len(eligible)))
    rows = np.sort(rng.choice(eligible, size=min(count, len(eligible)), replace=False))
    corrected_mask = np.zeros(len(logical), dtype=bool)
    corrected_mask[rows] = True
    stem, suffix = Path(logical.name).stem, Path(logical.name).suffix
    correction = logical.take(rows, name=f"{stem}_revisi{suffix}", mtime_offset_days=logical.mtime_offset_days + 10,
                              defects=(*logical.defects, "M4_correction"),
                              row_defects={"M4_correction": np.ones(len(rows), dtype=bool)})
    spoiled = values.copy()
    spoiled[rows] = [wrong.get(v, v) for v in values[rows]]
    original = replace(logical, values={**logical.values, column: spoiled},
                       row_defects={**logical.row_defects, "M4_superseded": corrected_mask})
    return original, correction
