"""The dbt target folder: the project's manifest, which `make manifest` prepares, and the per-invocation folders
that dagster-dbt leaves behind.

The Dagster code location reads its asset graph from `target/manifest.json` and never parses the project itself
(`require_manifest`): a missing manifest is refused with the command that makes it.

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
import warnings
from collections.abc import Iterator
from pathlib import Path

KEEP_PER_STEP = 3
_INVOCATION_FOLDER = re.compile(r"^(?P<step>.+)-[0-9a-f]{7}-[0-9a-f]{7}$")

logger = logging.getLogger(__name__)


# The command that prepares the manifest; `make setup`, `run`, `test` and `ui` run it first.
MANIFEST_COMMAND = "make manifest"


class DbtManifestMissingError(RuntimeError):
    """The dbt manifest the asset graph is read from has not been prepared; the message names the command."""


def _project_files(project_dir: Path) -> Iterator[Path]:
    yield project_dir / "dbt_project.yml"
    for folder in ("models", "macros", "seeds", "tests"):
        yield from (path for path in (project_dir / folder).rglob("*") if path.is_file())


def require_manifest(manifest: Path, project_dir: Path) -> Path:
    """The manifest, checked before the dbt assets read it; a missing one raises `DbtManifestMissingError`.

    The code location never parses the project itself: a `dbt parse` takes up to half a minute on a busy 2-core
    machine, too long for every import. A manifest older than a project file still loads (the graph lacks the
    change until the next parse), with a warning that says so and how to refresh it.
    """
    if not manifest.exists():
        raise DbtManifestMissingError(
            f"The dbt manifest {manifest} is missing, and the Dagster code location reads its asset graph from it. "
            f"Run `{MANIFEST_COMMAND}` in the repository (a `dbt parse` of dbt_project/), then load it again."
        )
    built = manifest.stat().st_mtime
    newer = next((path for path in _project_files(project_dir) if path.stat().st_mtime > built), None)
    if newer is not None:
        warnings.warn(
            f"The dbt manifest is older than {newer.relative_to(project_dir)}: the asset graph may lack that change. "
            f"Run `{MANIFEST_COMMAND}` to refresh it.",
            stacklevel=2,
        )
    return manifest


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
