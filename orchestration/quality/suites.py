"""The expectation suites of the quality gates, generated from the source contract.

The committed JSON files in `expectations/` are what the gates run; this module is how they are written, so that a
new source in the contract reaches the suites by regeneration instead of by hand:

    uv run python -m orchestration.quality.suites          # rewrite expectations/staging and expectations/published

A test fails when the committed files and the generator disagree. Values that an operator tunes (the volume ratio,
the earliest event date, the quarantine share that warns) are not in the suites but in `expectations/thresholds.yml`,
referenced from the suites as GX expectation parameters (`{"$PARAMETER": "..."}`) and resolved on every run.

One owner per check (docs/design.md, "Quality gates"): dbt tests own the row and schema rules (not null, unique,
code lists, identifier formats, types, referential integrity, ranges that hold for any row on any day); the GX
suites own the rules about a batch: its volume against the previous delivery, bounds that move with the run date
(no event in the future), values staging keeps but a delivery must not carry (a NULL key, a negative rupiah amount:
the batch is held), a published dimension or fact that came out empty, and the thresholds of the deliveries suite. The row and schema rules of a source's
`staging.gate` (DBT_GATE_RULES) reach dbt through the `staging_sources()` registry (orchestration/contract/
dbt_files.py) and the generic test `tkpkd_contract_rules`.

Every expectation carries `meta.severity`: `error` blocks (a staged batch is held; a published table keeps the
analytics file at its last good version), `warning` is shown in the Dagster UI without blocking.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path

from orchestration.contract import ContractError, SourceSpec, load_contract
from orchestration.settings import REPO_ROOT

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
# The keys of `staging.gate` that are row and schema rules: dbt's generic test tkpkd_contract_rules checks them.
DBT_GATE_RULES = ("not_null", "nik", "kk", "codes", "open_codes", "kelurahan", "types")


@dataclass(frozen=True)
class StagedSource:
    """A source's `staging.gate`: the row and schema rules of DBT_GATE_RULES (dbt's, on every staged row) and the
    batch rules its GX suite checks on the newest period's rows of the `stg_` table."""

    model: str
    natural_key: list[str]  # the stg_ model's deduplication key (its YAML's tkpkd_unique_combination test)
    types: dict[str, str]  # staged column -> type family: str, int, float, date, bool
    not_null: list[str] = field(default_factory=list)
    # Values staging keeps as NULL (an Excel-damaged key) that a delivery must not carry: the batch is held.
    held_if_null: list[str] = field(default_factory=list)
    nik: list[str] = field(default_factory=list)
    kk: list[str] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # column -> code list of ref_codes (or `program`)
    # Code lists the contract leaves open ("MENJAHIT, TATA_BOGA, ..."): a code outside the seed warns, never blocks.
    open_codes: dict[str, str] = field(default_factory=dict)
    birth_dates: list[str] = field(default_factory=list)
    event_dates: list[str] = field(default_factory=list)
    rupiah: list[str] = field(default_factory=list)
    kelurahan: bool = False


def staged_source(spec: SourceSpec) -> StagedSource:
    """The gate of a source, from its contract entry's `staging.gate` and its stg_ model."""
    gate = dict(spec.staging.gate)
    allowed = {f.name for f in fields(StagedSource)} - {"model"}
    unknown = sorted(set(gate) - allowed)
    if unknown:
        raise ContractError(
            f"sources.yaml: source {spec.name!r}, staging.gate: unknown key(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(allowed))}"
        )
    return StagedSource(model=spec.staging.stg_model, **gate)


# Staged column names differ from the contract's canonical names (staging renames to English), so the gate of each
# source (`staging.gate` in sources.yaml) is written against the staged view. Its natural key is the deduplication
# key of the stg_ model. Where staging keeps a row whose NIK Excel damaged (M1: the person stays unresolved), the NIK
# may be NULL and the gate requires nik_status instead.
def staged_sources(contract: dict[str, SourceSpec]) -> dict[str, StagedSource]:
    return {name: staged_source(spec) for name, spec in contract.items()}


STAGED_SOURCES: dict[str, StagedSource] = staged_sources(load_contract())


@dataclass(frozen=True)
class PublishedTable:
    """The keys of one published table: the analytics file's constraints (orchestration/publishing.py) and the key
    its revisions are compared by (orchestration/revisions.py). dbt tests check them in the warehouse."""

    unique: list[list[str]] = field(default_factory=list)
    references: dict[str, str] = field(default_factory=dict)  # column -> `<dimension>.<key column>`


PUBLISHED_TABLES: dict[str, PublishedTable] = {
    "dim_region": PublishedTable(unique=[["region_key"]]),
    "dim_agency": PublishedTable(unique=[["agency_key"], ["agency_code"]]),
    "dim_program": PublishedTable(
        unique=[["program_key"], ["program_code"]], references={"agency_key": "dim_agency.agency_key"},
    ),
    "dim_date": PublishedTable(unique=[["date_key"], ["date"]]),
    "dim_family": PublishedTable(
        unique=[["family_version_key"], ["family_key", "version_number"]],
        references={"region_key": "dim_region.region_key"},
    ),
    "dim_person": PublishedTable(unique=[["person_key"]]),
    "fct_assistance": PublishedTable(
        unique=[["assistance_key"]],
        references={"program_key": "dim_program.program_key", "agency_key": "dim_agency.agency_key",
                    "date_key": "dim_date.date_key", "region_key": "dim_region.region_key",
                    "family_key": "dim_family.family_key", "person_key": "dim_person.person_key"},
    ),
    "fct_family_month": PublishedTable(
        unique=[["family_key", "period"]],
        references={"family_key": "dim_family.family_key", "family_version_key": "dim_family.family_version_key",
                    "region_key": "dim_region.region_key"},
    ),
    "rpt_basic_needs_coverage": PublishedTable(
        unique=[["period", "region_level", "region_code", "need"]],
        references={"region_key": "dim_region.region_key", "responsible_agency_code": "dim_agency.agency_code"},
    ),
    "rpt_extreme_poverty_cases": PublishedTable(
        unique=[["period", "family_key"]],
        references={"family_key": "dim_family.family_key", "region_key": "dim_region.region_key"},
    ),
    "rpt_targeting": PublishedTable(
        unique=[["period", "program_key"]], references={"program_key": "dim_program.program_key"},
    ),
    "rpt_left_behind": PublishedTable(
        unique=[["period", "family_key"]],
        references={"family_key": "dim_family.family_key", "region_key": "dim_region.region_key"},
    ),
    "rpt_left_behind_by_region": PublishedTable(unique=[["period", "region_level", "region_code"]]),
    "rpt_impact": PublishedTable(unique=[["baseline_period", "evaluation_period", "category", "intervention_group"]]),
    "rpt_empowerment_pathway": PublishedTable(unique=[["period", "kelurahan_code"]]),
    "rpt_partner_contribution": PublishedTable(unique=[["period", "pentahelix_sector", "category"]]),
    "rpt_data_quality": PublishedTable(unique=[["source", "period"]]),
    "rpt_verification_progress": PublishedTable(unique=[["period", "kelurahan_code"]]),
}


def _expectation(kind: str, severity: str = "error", **kwargs) -> dict:
    return {"type": kind, "kwargs": kwargs, "meta": {"severity": severity}}


def staging_suite(source: str, spec: StagedSource, kind: str) -> dict:
    # What staging keeps but a batch must not carry (a NULL key, a negative amount: the sign as delivered) holds the
    # batch for the agency to correct; dates are bounded by the run date, which dbt does not know.
    expectations = [_expectation("expect_column_values_to_not_be_null", column=c) for c in spec.held_if_null]
    expectations += [
        _expectation("expect_column_values_to_be_between", column=c, min_value={"$PARAMETER": "earliest_birth_date"},
                     max_value={"$PARAMETER": "today"})
        for c in spec.birth_dates
    ]
    expectations += [
        _expectation("expect_column_values_to_be_between", column=c, min_value={"$PARAMETER": "earliest_event_date"},
                     max_value={"$PARAMETER": "today"})
        for c in spec.event_dates
    ]
    expectations += [_expectation("expect_column_values_to_be_between", column=c, min_value=0) for c in spec.rupiah]
    # A snapshot is the whole truth for its period: a short one would silently drop families from the registry,
    # so a drop blocks. Events vary with the agency's calendar, so a drop only warns.
    expectations.append(
        _expectation("expect_table_row_count_to_be_between", "error" if kind == "snapshot" else "warning",
                     min_value={"$PARAMETER": "min_rows"})
    )
    return {
        "name": f"staging.{source}",
        "expectations": expectations,
        "meta": {"model": spec.model, "source": source, "source_kind": kind, "layer": "staging"},
    }


def published_suite(table: str) -> dict:
    # A dimension or fact without rows means its inputs were lost, never that nothing happened; a report may be
    # empty (no family left behind), so only the star schema's tables must have rows.
    expectations = (
        [_expectation("expect_table_row_count_to_be_between", min_value=1)]
        if table.startswith(("dim_", "fct_"))
        else []
    )
    return {"name": f"published.{table}", "expectations": expectations, "meta": {"table": table, "layer": "published"}}


def deliveries_suite() -> dict:
    """Warnings about how each source's newest period arrived (one row per source), never blocking."""
    return {
        "name": "staging.deliveries",
        "expectations": [
            _expectation("expect_column_values_to_be_between", "warning", column="quarantined_share", min_value=0,
                         max_value={"$PARAMETER": "quarantine_share_warning"}),
            _expectation("expect_column_values_to_be_between", "warning", column="files_rejected", max_value=0),
        ],
        "meta": {"layer": "staging", "batch": "one row per source: its newest period's files and row outcomes"},
    }


def build_suites(contract_path: Path | None = None) -> dict[Path, dict]:
    """Every suite, keyed by its file path under `expectations/` (of the repository's contract unless given)."""
    contract = load_contract(contract_path)
    suites = {
        Path("staging") / f"{source}.json": staging_suite(source, spec, contract[source].kind)
        for source, spec in staged_sources(contract).items()
    }
    suites[Path("staging") / "_deliveries.json"] = deliveries_suite()
    suites.update(
        {Path("published") / f"{table}.json": published_suite(table) for table in PUBLISHED_TABLES}
    )
    return suites


def render(suite: dict) -> str:
    return json.dumps(suite, indent=2, ensure_ascii=False) + "\n"


def write_suites(root: Path = EXPECTATIONS_DIR, contract_path: Path | None = None) -> list[Path]:
    written = []
    for relative, suite in build_suites(contract_path).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(suite), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_suites():
        print(path.relative_to(REPO_ROOT))
