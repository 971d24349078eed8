"""The dbt target folder: the project's manifest, which `make manifest` prepares, and the per-invocation folders
that dagster-dbt leaves behind.

The Dagster code location reads its asset graph from `target/manifest.json` and never parses the project itself
(`require_manifest`): a missing manifest is refused with the command that makes it.

`DbtCliResource.cli(...)` without an explicit `target_path` runs every dbt invocation in a fresh folder under the
project's target path, named `<op name>-<first 7 characters of the run id>-<7 random hex digits>`
(`tkpkd_dbt_staging-4c00082-288da71`), so that the artifacts of concurrent invocations never mix: manifest.json,
run_results.json, partial_parse.msgpack, graph.gpickle, compiled and run SQL, dbt.log. Nothing removes them, about
37 MB per pipeline run. Before each dbt step the folders of every step beyond its newest few are removed, unless
they changed in the last ten minutes (another process's run may still need its own); the newest stay, to read a
recent run's dbt.log and run_results.json. The project's own `target/manifest.json` (the asset
graph) and anything not named like an invocation folder are never touched.

Partial parsing. A full `dbt parse` of the project costs about 7 s on 2 cores, against about 1 s when dbt can reuse
its partial parse state, `partial_parse.msgpack`. dbt throws that state away whenever the `--vars` or the profile's
connection (the warehouse path, memory limit, spill folder: `PROFILE_VARIABLES`) differ from those it was parsed
with. So each combination keeps its own state, `target/partial_parse/<key>.msgpack` (`partial_parse_state`): every
dbt step starts from it (`restore_partial_parse`) and hands its new state back (`keep_partial_parse`), and
`make manifest` parses with the run's own vars and profile (`python -m orchestration.dbt_targets`). A run's later
steps, and the next run on the same warehouse, parse only what changed, however many warehouses one checkout
builds (the benchmark's two, the test suite's many); the newest `KEEP_STATES` states are kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path

KEEP_PER_STEP = 3
KEEP_YOUNGER_THAN_SECONDS = 600.0
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
PARTIAL_PARSE_STATES = "partial_parse"
KEEP_STATES = 8
# The environment variables dbt_project/profiles.yml reads (tests/test_dbt_targets.py holds the two lists equal)
PROFILE_VARIABLES = ("TKPKD_WAREHOUSE", "TKPKD_DUCKDB_MEMORY_LIMIT", "TKPKD_DUCKDB_TEMP_DIRECTORY")
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


def prune_invocation_folders(
    target_dir: Path, keep: int = KEEP_PER_STEP, younger_than_seconds: float = KEEP_YOUNGER_THAN_SECONDS
) -> list[Path]:
    """Remove all but the `keep` most recently modified invocation folders of each dbt step (op) in `target_dir`,
    except folders modified in the last `younger_than_seconds`: they may belong to another process's run, still
    going or just ended, that has yet to read its artifacts.

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
            if time.time() - _modified_at(folder) < younger_than_seconds:
                continue
            try:
                shutil.rmtree(folder)
            except OSError as error:
                logger.warning("Could not remove the old dbt target folder %s: %s", folder, error)
            else:
                removed.append(folder)
    return removed


def partial_parse_state(project_target: Path, environment: Mapping[str, str], cli_vars: str) -> Path:
    """The file that keeps dbt's partial parse state for one profile (the `PROFILE_VARIABLES` of `environment`) and
    one set of `--vars`."""
    parsed_with = json.dumps([[name, environment.get(name)] for name in PROFILE_VARIABLES] + [cli_vars])
    key = hashlib.sha256(parsed_with.encode()).hexdigest()[:16]
    return project_target / PARTIAL_PARSE_STATES / f"{key}.msgpack"


def restore_partial_parse(state: Path, invocation_target: Path) -> bool:
    """Put the kept state into a new invocation's folder (dagster-dbt then leaves it there); False when there is none
    yet for this profile and vars."""
    if not state.is_file():
        return False
    invocation_target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(state, invocation_target / PARTIAL_PARSE_FILE)
    return True


def keep_partial_parse(invocation_target: Path, state: Path) -> bool:
    """Copy an invocation's partial parse state over the kept `state`; False when the invocation left none (dbt
    failed before parsing). Atomic, so a concurrent invocation reads the previous state or this one, never half a
    file. The states beyond the newest `KEEP_STATES` are removed."""
    # Imported here: the CLI imports this module for its error class, and the exports' helpers bring in DuckDB.
    from orchestration.exports.common import atomic_file

    parsed = invocation_target / PARTIAL_PARSE_FILE
    if not parsed.is_file():
        return False
    with atomic_file(state) as staging:
        shutil.copyfile(parsed, staging)
    for stale in sorted(state.parent.glob("*.msgpack"), key=_modified_at, reverse=True)[KEEP_STATES:]:
        stale.unlink(missing_ok=True)
    return True


def dbt_cli_vars() -> str:
    """`--vars` of every dbt invocation: what rpt_data_quality's days_overdue needs (orchestration/freshness.py)."""
    from orchestration import freshness
    from orchestration.contract import load_contract

    return json.dumps(freshness.dbt_vars(load_contract(), freshness.delivery_deadline_day()))


def parse_manifest(project_dir: Path) -> None:
    """`dbt parse` with the vars and profile the pipeline's dbt steps use, so that their first step can reuse the
    partial parse state; raises when dbt fails. Where the settings cannot be loaded yet (production mode before its
    secret is in place) the parse is the same without them, and the first dbt step parses in full."""
    from orchestration.settings import ProductionSettingsError, load_settings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the development secret's warning is for runs; a parse reads no data
            environment = {**os.environ, **load_settings().dbt_env()}
    except ProductionSettingsError as error:
        print(f"Parsing without the run's settings ({error})", file=sys.stderr)
        environment = dict(os.environ)
    dbt, cli_vars = Path(sys.executable).with_name("dbt"), dbt_cli_vars()
    subprocess.run(
        [str(dbt), "parse", "--quiet", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
         "--vars", cli_vars],
        env=environment, check=True,
    )
    target = project_dir / "target"
    keep_partial_parse(target, partial_parse_state(target, environment, cli_vars))


if __name__ == "__main__":
    from orchestration.settings import DBT_PROJECT_DIR

    parse_manifest(DBT_PROJECT_DIR)
