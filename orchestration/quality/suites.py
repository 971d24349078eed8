"""The expectation suites of the quality gates, generated from the source contract and the reference seeds.

The committed JSON files in `expectations/` are what the gates run; this module is how they are written, so that a
new code in a seed or a new source in the contract reaches the suites by regeneration instead of by hand:

    uv run python -m orchestration.quality.suites          # rewrite expectations/staging and expectations/published

A test fails when the committed files and the generator disagree. Values that an operator tunes (the volume ratio,
the earliest event date, the quarantine share that warns) are not in the suites but in `expectations/thresholds.yml`,
referenced from the suites as GX expectation parameters (`{"$PARAMETER": "..."}`) and resolved on every run.
Referential integrity is an expectation that `<column>__not_in__<dimension>` is NULL, with `meta.references` naming
the column and the dimension's key: the gate derives that column in DuckDB (the key where the dimension lacks it).

Every expectation carries `meta.severity`: `error` blocks (the marts are not rebuilt from the batch and the analytics
file keeps its last good version), `warning` is shown in the Dagster UI without blocking.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field, fields
from pathlib import Path

from orchestration.contract import ContractError, SourceSpec, load_contract
from orchestration.ingestion.report import INBOX_ROOT_SOURCE
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
ORPHAN_MARK = "__not_in__"  # gates.ORPHAN_MARK: the derived column of a referential-integrity check
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"

# 16 digits whose 7th-8th are a birth day (01-31, or 41-71 for women) and 9th-10th a month (01-12).
NIK_REGEX = r"^[0-9]{6}(0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])(0[1-9]|1[0-2])[0-9]{6}$"
KK_REGEX = r"^[0-9]{16}$"
DESIL = list(range(1, 11))
# The pandas dtypes a batch holds per type family (gates.read_frame decides them).
TYPE_LISTS = {
    "str": ["StringDtype"],
    "int": ["int8", "int16", "int32", "int64"],
    "float": ["float64"],
    "date": ["datetime64[ms]"],
    "bool": ["BooleanDtype"],
}


@dataclass(frozen=True)
class StagedSource:
    """What the gate of one source checks on its staged rows (the `stg_` view of the newest period)."""

    model: str
    natural_key: list[str]
    types: dict[str, str]  # staged column -> type family (int: only for NOT NULL columns; see gates.read_frame)
    not_null: list[str] = field(default_factory=list)
    nik: list[str] = field(default_factory=list)
    kk: list[str] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # column -> code list of ref_codes (or `desil`, `program`)
    # Code lists the contract leaves open ("MENJAHIT, TATA_BOGA, ..."): a code outside the seed warns, never blocks.
    open_codes: dict[str, str] = field(default_factory=dict)
    birth_dates: list[str] = field(default_factory=list)
    event_dates: list[str] = field(default_factory=list)
    rupiah: list[str] = field(default_factory=list)
    kelurahan: bool = False


def _staged_source(spec: SourceSpec) -> StagedSource:
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
    return {name: _staged_source(spec) for name, spec in contract.items()}


STAGED_SOURCES: dict[str, StagedSource] = staged_sources(load_contract())


@dataclass(frozen=True)
class PublishedTable:
    """What the gate of one published table checks before the analytics file is replaced."""

    unique: list[list[str]] = field(default_factory=list)
    not_null: list[str] = field(default_factory=list)
    references: dict[str, str] = field(default_factory=dict)  # column -> `<dimension>.<key column>`
    codes: dict[str, str] = field(default_factory=dict)
    rates: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)  # a difference of two rates: -1 to 1
    non_negative: list[str] = field(default_factory=list)
    kelurahan: bool = False


POVERTY_CLASSES = ["ekstrem", "miskin", "rentan", "tidak_miskin"]
REGISTRY_STATUSES = ["verified", "unverified", "graduated", "inactive", "proposed"]
BASIC_NEEDS = ["pangan", "rumah", "air", "sanitasi", "jaminan_sosial", "kesehatan"]

PUBLISHED_TABLES: dict[str, PublishedTable] = {
    "dim_region": PublishedTable(
        unique=[["region_key"]], not_null=["region_key", "region_level"],
        codes={"region_level": "region_level"}, kelurahan=True,
    ),
    "dim_agency": PublishedTable(
        unique=[["agency_key"], ["agency_code"]], not_null=["agency_key", "agency_name", "pentahelix_sector"],
        codes={"pentahelix_sector": "sektor_pentahelix"},
    ),
    "dim_program": PublishedTable(
        unique=[["program_key"], ["program_code"]], not_null=["program_key", "program_code", "category"],
        references={"agency_key": "dim_agency.agency_key"}, codes={"max_desil": "desil"},
    ),
    "dim_date": PublishedTable(unique=[["date_key"], ["date"]], not_null=["date_key", "date", "period"]),
    "dim_family": PublishedTable(
        unique=[["family_version_key"], ["family_key", "version_number"]],
        not_null=["family_version_key", "family_key", "valid_from"],
        references={"region_key": "dim_region.region_key"},
        codes={"desil_nasional": "desil", "desil_kabupaten_kota": "desil", "poverty_class": "poverty_class"},
        non_negative=["member_count", "floor_area_m2"],
    ),
    "dim_person": PublishedTable(
        unique=[["person_key"]], not_null=["person_key"],
        codes={"sex": "jenis_kelamin"},
    ),
    "fct_assistance": PublishedTable(
        unique=[["assistance_key"]],
        not_null=["assistance_key", "program_key", "agency_key", "date_key"],
        references={"program_key": "dim_program.program_key", "agency_key": "dim_agency.agency_key",
                    "date_key": "dim_date.date_key", "region_key": "dim_region.region_key",
                    "family_key": "dim_family.family_key", "person_key": "dim_person.person_key"},
        codes={"family_desil_on_delivery": "desil"},
        non_negative=["amount_idr"],
    ),
    "fct_family_month": PublishedTable(
        unique=[["family_key", "period"]],
        not_null=["family_key", "period", "registry_status"],
        references={"family_key": "dim_family.family_key", "family_version_key": "dim_family.family_version_key",
                    "region_key": "dim_region.region_key"},
        codes={"desil_nasional": "desil", "poverty_class": "poverty_class", "registry_status": "registry_status"},
        non_negative=["unmet_count"],
    ),
    "rpt_basic_needs_coverage": PublishedTable(
        unique=[["period", "region_level", "region_code", "need"]],
        references={"region_key": "dim_region.region_key", "responsible_agency_code": "dim_agency.agency_code"},
        codes={"need": "basic_need", "region_level": "region_level"}, rates=["coverage"],
        non_negative=["ekstrem_families", "need_families", "met_families", "unmet_families"],
    ),
    "rpt_extreme_poverty_cases": PublishedTable(
        unique=[["period", "family_key"]],
        references={"family_key": "dim_family.family_key", "region_key": "dim_region.region_key"},
        codes={"poverty_class": "poverty_class", "desil_nasional": "desil"},
    ),
    "rpt_targeting": PublishedTable(
        unique=[["period", "program_key"]], references={"program_key": "dim_program.program_key"},
        rates=["inclusion_error", "exclusion_error"],
        non_negative=["recipient_families", "eligible_families", "amount_idr"],
    ),
    "rpt_left_behind": PublishedTable(
        unique=[["period", "family_key"]],
        references={"family_key": "dim_family.family_key", "region_key": "dim_region.region_key"},
        codes={"poverty_class": "poverty_class"},
    ),
    "rpt_left_behind_by_region": PublishedTable(
        unique=[["period", "region_level", "region_code"]], not_null=["period", "region_level", "region_code"],
        codes={"region_level": "region_level"}, rates=["left_behind_share"],
        non_negative=["ekstrem_families", "left_behind_families", "never_assisted_families",
                      "assisted_before_window_families"],
    ),
    "rpt_impact": PublishedTable(
        unique=[["baseline_period", "evaluation_period", "category", "intervention_group"]],
        differences=["better_desil_share", "graduated_share"],
    ),
    "rpt_empowerment_pathway": PublishedTable(
        unique=[["period", "kelurahan_code"]],
        rates=["trained_rate", "business_rate", "credit_rate", "working_rate", "trained_working_rate"],
        kelurahan=True,
    ),
    "rpt_partner_contribution": PublishedTable(
        unique=[["period", "pentahelix_sector", "category"]], codes={"pentahelix_sector": "sektor_pentahelix"},
        rates=["amount_share_of_category", "delivery_share_of_category"], non_negative=["amount_idr"],
    ),
    "rpt_data_quality": PublishedTable(
        unique=[["source", "period"]],
        codes={"source": "report_source"},
        rates=["quarantined_share", "valid_nik_share", "share_found_in_dukcapil", "share_resolved_by_linkage",
               "share_unresolved", "share_found_in_registry"],
        non_negative=["rows_received", "rows_accepted", "rows_quarantined", "person_rows", "duplicates_removed",
                      "days_overdue"],
    ),
    "rpt_verification_progress": PublishedTable(
        unique=[["period", "kelurahan_code"]], rates=["share_verified"], kelurahan=True,
    ),
}


def _seed_rows(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / f"{name}.csv").open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def code_lists(contract: dict[str, SourceSpec] | None = None) -> dict[str, list]:
    """Every code list a suite may name: ref_codes, plus programmes, kelurahan and the warehouse's own vocabularies."""
    lists: dict[str, list] = {}
    for row in _seed_rows("ref_codes"):
        code = row["code"]
        lists.setdefault(row["code_list"], []).append(int(code) if code.isdigit() else code)
    lists["desil"] = DESIL
    lists["program"] = sorted(row["program_code"] for row in _seed_rows("ref_programs"))
    lists["kelurahan"] = sorted(r["region_code"] for r in _seed_rows("ref_regions") if r["region_level"] == "kelurahan")
    lists["region_level"] = ["kota", "kecamatan", "kelurahan", "rw", "rt"]
    lists["poverty_class"] = POVERTY_CLASSES
    lists["registry_status"] = REGISTRY_STATUSES
    lists["basic_need"] = BASIC_NEEDS
    lists["source"] = sorted(contract if contract is not None else load_contract())
    # rpt_data_quality: the sources, and the files outside every source folder (the loader's INBOX_ROOT_SOURCE).
    lists["report_source"] = [*lists["source"], INBOX_ROOT_SOURCE]
    return lists


def _expectation(kind: str, severity: str = "error", **kwargs) -> dict:
    return {"type": kind, "kwargs": kwargs, "meta": {"severity": severity}}


def _in_set(column: str, code_list: str, lists: dict[str, list], severity: str = "error") -> dict:
    # The suite names the code list it came from, so a failure in Data Docs says which reference to look at.
    expectation = _expectation(
        "expect_column_values_to_be_in_set", severity, column=column, value_set=lists[code_list]
    )
    expectation["meta"]["code_list"] = code_list
    return expectation


def staging_suite(source: str, spec: StagedSource, kind: str, lists: dict[str, list]) -> dict:
    nullable_ints = [c for c, family in spec.types.items() if family == "int" and c not in spec.not_null]
    if nullable_ints:
        raise ValueError(f"{source}: integer type checks need NOT NULL columns (gates.read_frame): {nullable_ints}")
    expectations = [
        _expectation("expect_column_to_exist", column=column)
        for column in dict.fromkeys([*spec.natural_key, *spec.not_null, *spec.types])
    ]
    expectations += [
        _expectation("expect_column_values_to_be_in_type_list", column=column, type_list=TYPE_LISTS[type_family])
        for column, type_family in spec.types.items()
    ]
    expectations += [_expectation("expect_column_values_to_not_be_null", column=c) for c in spec.not_null]
    expectations += [_expectation("expect_column_values_to_match_regex", column=c, regex=NIK_REGEX) for c in spec.nik]
    expectations += [_expectation("expect_column_values_to_match_regex", column=c, regex=KK_REGEX) for c in spec.kk]
    expectations += [_in_set(column, code_list, lists) for column, code_list in spec.codes.items()]
    expectations += [_in_set(column, code_list, lists, "warning") for column, code_list in spec.open_codes.items()]
    if spec.kelurahan:
        expectations.append(_in_set("kelurahan_code", "kelurahan", lists))
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
    expectations.append(
        _expectation("expect_compound_columns_to_be_unique", column_list=spec.natural_key,
                     ignore_row_if="any_value_is_missing")
        if len(spec.natural_key) > 1
        else _expectation("expect_column_values_to_be_unique", column=spec.natural_key[0])
    )
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


def published_suite(table: str, spec: PublishedTable, lists: dict[str, list]) -> dict:
    columns = [*dict.fromkeys([c for key in spec.unique for c in key] + spec.not_null)]
    expectations = [_expectation("expect_column_to_exist", column=column) for column in columns]
    expectations += [_expectation("expect_column_values_to_not_be_null", column=c) for c in spec.not_null]
    for key in spec.unique:
        expectations.append(
            _expectation("expect_compound_columns_to_be_unique", column_list=key)
            if len(key) > 1
            else _expectation("expect_column_values_to_be_unique", column=key[0])
        )
    for column, target in spec.references.items():
        dimension, key = target.split(".")
        expectation = _expectation("expect_column_values_to_be_null", column=f"{column}{ORPHAN_MARK}{dimension}")
        expectation["meta"]["references"] = {"column": column, "table": dimension, "key": key}
        expectations.append(expectation)
    expectations += [_in_set(column, code_list, lists) for column, code_list in spec.codes.items()]
    if spec.kelurahan:
        expectations.append(_in_set("kelurahan_code", "kelurahan", lists))
    expectations += [
        _expectation("expect_column_values_to_be_between", column=c, min_value=0, max_value=1) for c in spec.rates
    ]
    expectations += [
        _expectation("expect_column_values_to_be_between", column=c, min_value=-1, max_value=1)
        for c in spec.differences
    ]
    expectations += [
        _expectation("expect_column_values_to_be_between", column=c, min_value=0) for c in spec.non_negative
    ]
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
    lists = code_lists(contract)
    suites = {
        Path("staging") / f"{source}.json": staging_suite(source, spec, contract[source].kind, lists)
        for source, spec in staged_sources(contract).items()
    }
    suites[Path("staging") / "_deliveries.json"] = deliveries_suite()
    suites.update(
        {Path("published") / f"{table}.json": published_suite(table, spec, lists) for table, spec in PUBLISHED_TABLES.items()}
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
