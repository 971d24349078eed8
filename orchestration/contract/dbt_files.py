"""The dbt files that list the contract's sources, generated from `sources.yaml` so that it is the only list.

    uv run python -m orchestration.contract.dbt_files      # or `make generate-dbt-sources`

writes
- `dbt_project/models/staging/_raw__sources.yml`: the raw tables the loader writes (lineage columns, one VARCHAR
  column per canonical contract column, `raw.ingested_files`), with the contract's descriptions and, for a source
  with a cadence, dbt source freshness on `_loaded_at` (`dbt source freshness`; source_freshness below);
- `dbt_project/macros/staging/registry.sql`: the `staging_sources()` macro, every source with its models, columns and
  what the intermediate layer takes from it (`staging` in sources.yaml). dbt's Jinja cannot read a file, and a var
  would be missing from a plain `dbt build`, so the list is written into the macro.

A test fails when the committed files and the generator disagree (tests/dbt/test_dbt_files.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from orchestration.contract import ColumnSpec, SourceSpec, load_contract
from orchestration.freshness import DEFAULT_DELIVERY_DEADLINE_DAY, months_per_period
from orchestration.ingestion.loader import (
    EXTRA_COLUMN,
    INGESTED_FILES,
    INGESTED_FILES_COLUMNS,
    LINEAGE_COLUMNS,
)
from orchestration.quality.suites import DBT_GATE_RULES, staged_source
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

SOURCES_YML = Path("models") / "staging" / "_raw__sources.yml"
REGISTRY_SQL = Path("macros") / "staging" / "registry.sql"
GENERATED_NOTE = "Generated from orchestration/contract/sources.yaml by `make generate-dbt-sources`: edit the contract."

LINEAGE_DESCRIPTIONS = {
    "_file_hash": "SHA-256 (hex) of the delivered file.",
    "_source_file": "Path of the file relative to the inbox (`bansos/2025-03/bansos_tahap1.xlsx`).",
    "_period": "The period folder the file was delivered in, `YYYY-MM`.",
    "_row_number": "The row as a person opening the file sees it (Excel row number, or CSV record number with the "
    "header = 1).",
    "_loaded_at": "When the loader wrote the row.",
    "_non_data_reason": "`empty_row` or `total_row` (a JUMLAH/TOTAL row) for rows that are not data, else NULL.",
    "_extra": "JSON object of file columns the contract does not know, or NULL.",
}
INGESTED_FILES_DESCRIPTIONS = {
    "file_hash": "SHA-256 (hex) of the file.",
    "source": "Source code of the contract.",
    "period": "Period folder `YYYY-MM` (NULL when the folder is not a period).",
    "source_file": "Path relative to the inbox.",
    "size_bytes": "File size.",
    "modified_at": "The file's modification time: delivery order, used to pick the newest row.",
    "loaded_at": "When the loader processed the file.",
    "status": "`loaded`, `rejected` or `duplicate_file`.",
    "reason_code": "Why a file was rejected (missing_required_columns, empty_file, not_a_valid_<format>, truncated, "
    "no_header_found, unsupported_format, invalid_period_folder, period_out_of_range, read_error, over_limit, "
    "reader_crashed, outside_inbox; see docs/design.md).",
    "reason_message": "A sentence naming the file and saying why.",
    "rows_received": "Rows below the header written to the raw table (0 when rejected).",
    "non_data_rows": "Of those, rows with a `_non_data_reason`.",
    "format": "Detected format.",
    "encoding": "Detected encoding.",
    "delimiter": "Detected CSV delimiter.",
    "sheet": "XLSX sheet read.",
    "header_row": "Row of the header.",
    "title_block": "JSON array of the title rows above the header (each row's non-empty cells joined by a space), "
    "or NULL.",
    "duplicate_of": "For `duplicate_file`: the `source_file` of the loaded file with the same bytes.",
}


def _typed_columns(columns: tuple[tuple[str, str], ...], descriptions: dict[str, str]) -> list[dict]:
    """Loader-written columns; a non-text type is named, since every contract column is text."""
    missing = [name for name, _ in columns if name not in descriptions]
    if missing:
        raise KeyError(f"no description for the loader column(s) {', '.join(missing)}: add them to {__name__}")
    return [
        {"name": name, "description": descriptions[name] + ("" if sql_type == "VARCHAR" else f" {sql_type}.")}
        for name, sql_type in columns
    ]


def _contract_column(spec: SourceSpec, column: ColumnSpec) -> dict:
    meta: dict[str, Any] = {"required": column.required}
    if spec.rt_rw_combined and column.name == spec.rt_rw_combined.column:
        # the loader writes the combined column only when a file had one; staging reads it as NULL otherwise
        meta["may_be_absent"] = True
        description = column.description
    else:
        description = ("**Required.** " if column.required else "") + f"{column.description} Text exactly as read."
    return {"name": column.name, "description": description, "config": {"meta": meta}}


def longest_days(months: int) -> int:
    """The most days `months` consecutive calendar months can span (a leap year's February included)."""
    starts = [date(year, month, 1) for year in (2023, 2024) for month in range(1, 13)]
    return max((date(start.year + (start.month - 1 + months) // 12, (start.month - 1 + months) % 12 + 1, 1) - start).days
               for start in starts)


def source_freshness(cadence: str | None) -> dict | None:
    """dbt's freshness of a raw table from its cadence, in days since its newest `_loaded_at`; None without one.

    It agrees with orchestration/freshness.py (Freshness.describe: "P was due <day>"): a period is loaded from the
    day after it ends, and the next period of the cadence is due on the deadline day of the month after that one
    ends, so an agency on time never goes longer without a load than the longest span of one period plus the
    deadline day less one: the day the project's check says `late`, dbt warns (on that day for the tightest months,
    later for the others, never before). The error comes the same way when a second period is due. Counted with the
    default deadline day (10): regenerate after changing TKPKD_DELIVERY_DEADLINE_DAY for good.
    """
    months = months_per_period(cadence)
    if months is None:
        return None
    return {
        period: {"count": longest_days(months * missing) + DEFAULT_DELIVERY_DEADLINE_DAY - 1, "period": "day"}
        for period, missing in (("warn_after", 1), ("error_after", 2))
    }


def _raw_table(spec: SourceSpec) -> dict:
    natural_key = " + ".join(spec.natural_key)
    freshness = source_freshness(spec.cadence)
    return {
        "name": spec.name,
        "description": f"{spec.description} Delivered by {spec.agency}; {spec.kind} source; natural key "
        f"{natural_key}. One row per data row of every loaded file, all values VARCHAR as read (docs/design.md).",
        "config": {
            "meta": {"kind": spec.kind, "natural_key": natural_key, "cadence": spec.cadence},
            **({"loaded_at_field": "_loaded_at", "freshness": freshness} if freshness else {}),
        },
        "columns": [
            *_typed_columns((*LINEAGE_COLUMNS, EXTRA_COLUMN), LINEAGE_DESCRIPTIONS),
            *(_contract_column(spec, column) for column in spec.columns),
        ],
    }


def raw_sources_yml(contract: dict[str, SourceSpec]) -> str:
    undescribed = [f"{s.name}.{c.name}" for s in contract.values() for c in s.columns if not c.description]
    if undescribed:
        raise ValueError(f"sources.yaml: give these columns a description (it documents the raw table): {undescribed}")
    document = {
        "version": 2,
        "sources": [
            {
                "name": "raw",
                "schema": "raw",
                "description": "Raw tables written by the loader (orchestration/ingestion): one per contract source, "
                "every value as text, with lineage columns. Layout: docs/design.md.",
                "tables": [
                    *(_raw_table(spec) for spec in contract.values()),
                    {
                        "name": INGESTED_FILES,
                        "description": "One row per distinct (path, hash) the loader has seen: loaded, rejected (with "
                        "the reason) or a duplicate delivery.",
                        "columns": _typed_columns(INGESTED_FILES_COLUMNS, INGESTED_FILES_DESCRIPTIONS),
                    },
                ],
            }
        ],
    }
    body = yaml.safe_dump(document, sort_keys=False, width=120, allow_unicode=True)
    header = (
        f"# {GENERATED_NOTE}\n"
        "# Raw tables written by the loader; layout fixed by docs/design.md. tests/dbt builds its test warehouse from "
        "this file.\n"
    )
    return header + body


def _jinja_literal(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_jinja_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_jinja_literal(k)}: {_jinja_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as a Jinja literal")


def _registry_entry(spec: SourceSpec) -> dict:
    staging = spec.staging
    persons = staging.persons
    optional = [spec.rt_rw_combined.column] if spec.rt_rw_combined else []
    return {
        "source": spec.name,
        "base": staging.base_model,
        "stg": staging.stg_model,
        "kind": spec.kind,
        "columns": [name for name in spec.column_names if name not in optional],
        "optional_columns": optional,
        "kk_column": staging.kk_column,
        "assistance": staging.assistance,
        "persons": None
        if persons is None
        else {
            "raw_nik": persons.raw_nik,
            "name": persons.name,
            "birth_date": persons.birth_date,
            "sex": persons.sex,
            "place": persons.place,
            "identity_rank": persons.identity_rank,
        },
        # The gate's row and schema rules, which the generic test tkpkd_contract_rules checks on the stg_ model; its
        # batch rules (dates, rupiah, volume) are the GX suite's (orchestration/quality/suites.py).
        "gate": {rule: getattr(staged_source(spec), rule) for rule in DBT_GATE_RULES},
    }


def registry_sql(contract: dict[str, SourceSpec]) -> str:
    entries = ",\n".join(f"    {_jinja_literal(_registry_entry(spec))}" for spec in contract.values())
    return f"""{{#
  {GENERATED_NOTE}
  The contract sources and their staging models, in contract order. Per source: `base` and `stg` model names, `kind`
  (a snapshot source deduplicates within each period, an event source across all periods), the raw `columns` (and the
  `optional_columns` a raw table may lack), and what the intermediate layer takes from it (`kk_column`, `assistance`,
  `persons`: see `staging` in sources.yaml) and the row and schema rules of its `gate` (the generic test
  tkpkd_contract_rules). stg_row_outcomes, stg_dedup_stats, quarantine.quarantined_rows, the
  identity models and the base models' raw_struct loop over or look up this list.
#}}
{{% macro staging_sources() %}}
{{{{ return([
{entries},
]) }}}}
{{% endmacro %}}


{{# The registry entry of one source (a compile error names an unknown one). #}}
{{% macro staging_source(source) %}}
{{%- set found = staging_sources() | selectattr('source', 'equalto', source) | list -%}}
{{%- if not found -%}}
    {{{{ exceptions.raise_compiler_error(
        "no contract source " ~ source ~ " in staging_sources() (macros/staging/registry.sql)") }}}}
{{%- endif -%}}
{{{{ return(found[0]) }}}}
{{% endmacro %}}
"""


def build_files(contract_path: Path | None = None) -> dict[Path, str]:
    """Every generated file's text, keyed by its path inside the dbt project."""
    contract = load_contract(contract_path)
    return {SOURCES_YML: raw_sources_yml(contract), REGISTRY_SQL: registry_sql(contract)}


def write_files(project_dir: Path = DBT_PROJECT_DIR, contract_path: Path | None = None) -> list[Path]:
    written = []
    for relative, text in build_files(contract_path).items():
        path = project_dir / relative
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_files():
        print(path.relative_to(REPO_ROOT))
