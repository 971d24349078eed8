"""The dbt project's shape, read from its manifest: every macro described in YAML, and the two dbt-project-evaluator
rules the project keeps (docs/design.md, "dbt-project-evaluator"): a model that reads a source refs no other model
(but base models may join the reference lookups), and staging models sit in their source's folder with its prefix.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

import pytest
from raw_warehouse_builder import run_dbt

# The one exception to "a model reads a source or models, never both" (docs/design.md): a base model's lookups decide
# its rows' classification, which quarantine must see before deduplication.
LOOKUP_MODELS = {"stg_reference__kelurahan_lookup", "stg_reference__program_lookup"}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    target = tmp_path_factory.mktemp("dbt_parse")
    result = run_dbt(["parse"], target)
    assert result.success, result.exception
    return json.loads((target / "manifest.json").read_text())


def _project_nodes(manifest, resource_type):
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == resource_type and node["package_name"] == "tkpkd"
    ]


def test_every_macro_and_argument_is_described_in_yaml(manifest):
    undescribed = []
    for macro in manifest["macros"].values():
        if macro["package_name"] != "tkpkd":
            continue
        if not macro["description"].strip() or not macro.get("patch_path"):
            undescribed.append(macro["name"])
            continue
        signature = re.search(r"\{%-?\s*(?:macro|test)\s+\w+\(([^)]*)\)", macro["macro_sql"]).group(1)
        parameters = [part.split("=")[0].strip() for part in signature.split(",") if part.strip()]
        described = {argument["name"]: argument.get("description", "").strip() for argument in macro["arguments"]}
        if list(described) != parameters or not all(described.values()):
            undescribed.append(f"{macro['name']} arguments {parameters} vs described {described}")
    assert undescribed == []


# A generic test's config when the YAML gives it none.
DEFAULT_TEST_CONFIG = {"severity": "error", "where": None, "warn_if": "!= 0", "error_if": "!= 0", "limit": None}


def test_not_null_columns_are_listed_in_the_model_level_test(manifest):
    """A model's not-null columns are one tkpkd_not_null test (one query, not one per column: each dbt test costs
    dbt's own overhead); a column-level not_null stays only where its config differs (a `where`, a severity)."""
    plain = [
        node["name"]
        for node in _project_nodes(manifest, "test")
        if node.get("test_metadata", {}).get("name") == "not_null"
        and all(node["config"].get(key) == value for key, value in DEFAULT_TEST_CONFIG.items())
    ]
    assert plain == [], "list these columns in their model's tkpkd_not_null test"


def test_no_model_reads_a_source_and_another_model(manifest):
    mixed = {}
    for node in _project_nodes(manifest, "model"):
        parents = node["depends_on"]["nodes"]
        sources = [parent for parent in parents if parent.startswith("source.")]
        models = {parent.split(".")[-1] for parent in parents if parent.startswith("model.")}
        if node["name"].startswith("base_"):
            models -= LOOKUP_MODELS
        if sources and models:
            mixed[node["name"]] = sorted(models)
    assert mixed == {}


def test_staging_models_sit_in_their_source_folder_with_its_prefix(manifest):
    misplaced = []
    for node in _project_nodes(manifest, "model"):
        path = PurePosixPath(node["original_file_path"])
        if path.parts[:2] != ("models", "staging"):
            assert not node["name"].startswith(("stg_", "base_")), path
            continue
        folders = path.parts[2:-1]
        if not folders:
            # the cross-source summaries of every source's rows (stg_row_outcomes, stg_dedup_stats)
            ok = node["name"].startswith("stg_") and "__" not in node["name"]
        elif folders[-1] == "base":
            ok = len(folders) == 2 and node["name"].startswith(f"base_{folders[0]}__")
        else:
            ok = len(folders) == 1 and node["name"].startswith(f"stg_{folders[0]}__")
        if not ok:
            misplaced.append(str(path))
    assert misplaced == []
