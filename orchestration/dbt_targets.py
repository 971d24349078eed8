"""Pruning the per-invocation dbt target folders that dagster-dbt leaves behind.

`DbtCliResource.cli(...)` without an explicit `target_path` runs every dbt invocation in a fresh folder under the
project's target path, named `<op name>-<first 7 characters of the run id>-<7 random hex digits>`
(`tkpkd_dbt_staging-4c00082-288da71`), so that the artifacts of concurrent invocations never mix: manifest.json,
run_results.json, partial_parse.msgpack, graph.gpickle, compiled and run SQL, dbt.log. Nothing removes them, about
37 MB per pipeline run. Before each dbt step the folders of every step beyond its newest few are removed; the newest
stay, to read a recent run's dbt.log and run_results.json. The project's own `target/manifest.json` (the asset
graph) and anything not named like an invocation folder are never touched.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

KEEP_PER_STEP = 3
_INVOCATION_FOLDER = re.compile(r"^(?P<step>.+)-[0-9a-f]{7}-[0-9a-f]{7}$")

logger = logging.getLogger(__name__)


def _modified_at(folder: Path) -> float:
    try:
        return folder.stat().st_mtime
    except OSError:  # removed meanwhile: oldest, so it is pruned (or already gone)
        return 0.0


def prune_invocation_folders(target_dir: Path, keep: int = KEEP_PER_STEP) -> list[Path]:
    """Remove all but the `keep` most recently modified invocation folders of each dbt step (op) in `target_dir`.

    Returns the folders removed. A folder that cannot be removed is logged and left: housekeeping never fails a
    dbt step.
    """
    if not target_dir.is_dir():
        return []
    by_step: dict[str, list[Path]] = {}
    for folder in target_dir.iterdir():
        match = _INVOCATION_FOLDER.match(folder.name)
        if match and folder.is_dir() and not folder.is_symlink():
            by_step.setdefault(match["step"], []).append(folder)
    removed = []
    for folders in by_step.values():
        folders.sort(key=_modified_at, reverse=True)
        for folder in folders[keep:]:
            try:
                shutil.rmtree(folder)
            except OSError as error:
                logger.warning("Could not remove the old dbt target folder %s: %s", folder, error)
            else:
                removed.append(folder)
    return removed
