"""The Dagster code location: the `defs` of every area module in `orchestration/defs/`, merged into one.

Each area module declares what it adds (`defs = dg.Definitions(...)`, or a `@dg.definitions` function when it
reads the settings, as `resources.py` does); a module without `defs` (`partitions.py`) holds helpers only. This is
Dagster's "defs folder" layout without the `dg` project scaffold that `dg.load_from_defs_folder` needs.
"""

from __future__ import annotations

import importlib
import pkgutil

import dagster as dg

import orchestration.defs as areas
from orchestration.defs.operations import MAIN_JOB_NAME

__all__ = ["MAIN_JOB_NAME", "area_definitions", "build_definitions", "defs"]


def area_definitions() -> dict[str, dg.Definitions]:
    """Each area module's definitions by module name, in the folder's (alphabetical) order."""
    found = {}
    for module_info in pkgutil.iter_modules(areas.__path__):
        module = importlib.import_module(f"{areas.__name__}.{module_info.name}")
        area = getattr(module, "defs", None)
        if area is not None:
            # a `@dg.definitions` function is called here, when the code location loads
            found[module_info.name] = area() if callable(area) else area
    return found


def build_definitions() -> dg.Definitions:
    return dg.Definitions.merge(*area_definitions().values())


defs = build_definitions()
