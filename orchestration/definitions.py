"""The Dagster code location: the definitions of every module in `orchestration/defs/`, one module per area.

Loaded with `dg.load_from_defs_folder`, which reads pyproject.toml's `[tool.dg.project]` (root module
`orchestration`, so the defs module `orchestration.defs`); nothing else of the `dg` project scaffold is needed.
Each area module declares what it adds: `defs = dg.Definitions(...)`, or a `@dg.definitions` function when it reads
the settings (`resources.py`), called when the code location loads. A module with neither contributes what it
declares at its top level: `partitions.py` holds helpers only.
"""

from __future__ import annotations

import dagster as dg

from orchestration.defs.operations import MAIN_JOB_NAME
from orchestration.settings import REPO_ROOT

__all__ = ["MAIN_JOB_NAME", "build_definitions", "defs"]


def build_definitions() -> dg.Definitions:
    """The code location's definitions with the resources of the settings as they are now (an area module is
    imported once; `resources.py`'s function reads the environment at each call)."""
    return dg.load_from_defs_folder(path_within_project=REPO_ROOT)


defs = build_definitions()
