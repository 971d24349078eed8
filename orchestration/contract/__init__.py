"""The input contract as data: `sources.yaml` loaded into typed, validated specs.

`load_contract()` returns one `SourceSpec` per agency source. Adding a source, a column or a header spelling is an
edit of `sources.yaml`; the readers and the loader take everything they need from these specs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CADENCES",
    "CONTRACT_PATH",
    "KINDS",
    "SECTORS",
    "ColumnSpec",
    "ContractError",
    "PersonFields",
    "RtRwCombined",
    "SourceSpec",
    "StagingSpec",
    "load_contract",
    "normalise_header",
    "parse_contract",
    "stg_models",
]

CONTRACT_PATH = Path(__file__).with_name("sources.yaml")

KINDS = ("snapshot", "event")
# How often an agency delivers a period; the months that end one live in orchestration/freshness.py.
CADENCES = ("monthly", "quarterly", "semester", "yearly")
FORMATS = ("csv", "xlsx", "parquet")
DELIMITERS = ("|", ";", ",", "\t")
SECTORS = ("PEMERINTAH", "AKADEMISI", "DUNIA_USAHA", "MEDIA", "KOMUNITAS")
# Where int_person_records finds a person's place: the row's own kelurahan/RW/RT, its kelurahan only, or the row's
# DTSEN family of the same period.
PERSON_PLACES = ("row", "kelurahan", "dtsen_family")
# How a source's rows become programme deliveries (int_assistance_deliveries): a row is a delivery whose recipient
# identity resolution finds, or a membership that is a benefit every month it is active.
ASSISTANCE_KINDS = ("deliveries", "memberships")

# The column a combined `RT/RW` header lands in (docs/design.md, M6).
RT_RW_COLUMN = "rt_rw"
RT_RW_ALIASES = ("rt_rw", "rtrw", "rw_rt", "no_rt_rw", "rt_dan_rw")
RT_RW_DESCRIPTION = (
    "Combined `RT/RW` value (`003/005`, RT first) where the file had one column for both (M6). The loader may not "
    "write this column for every source; staging reads it as NULL when the table lacks it."
)

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
RESERVED_SOURCE_NAMES = frozenset({"ingested_files"})

_TOP_KEYS = {"version", "sources"}
_SOURCE_KEYS = {
    "agency",
    "sector",
    "sector_column",
    "kind",
    "cadence",
    "format",
    "delimiter",
    "encoding",
    "description",
    "natural_key",
    "identifiers",
    "title_fields",
    "rt_rw_combined",
    "sender_per_file",
    "columns",
    "staging",
}
_REQUIRED_SOURCE_KEYS = ("agency", "kind", "natural_key", "columns", "staging")
_COLUMN_KEYS = {"name", "required", "aliases", "description"}
_STAGING_KEYS = {"group", "entity", "kk_column", "assistance", "persons", "gate"}
_PERSON_KEYS = {"raw_nik", "name", "birth_date", "sex", "place", "identity_rank"}


class ContractError(ValueError):
    """`sources.yaml` is not a valid contract. The message names the source and the key at fault."""


def normalise_header(text: object) -> str:
    """A header (or alias, or title-block key) as the contract compares it.

    Lower-cased, accents removed, every run of non-alphanumeric characters turned into one underscore, leading and
    trailing underscores dropped: `No. KK` -> `no_kk`, `NIK KEPALA KELUARGA` -> `nik_kepala_keluarga`,
    `\ufeffTGL_LHR ` -> `tgl_lhr`, `RT/RW` -> `rt_rw`. `None` gives an empty string.
    """
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM.sub("_", ascii_text).strip("_")


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column of a source."""

    name: str
    required: bool = False
    # Normalised header spellings that map to this column; always includes `name` itself, first.
    aliases: tuple[str, ...] = ()
    description: str | None = None


@dataclass(frozen=True)
class RtRwCombined:
    """A single `RT/RW` column (`003/005`) may stand in for the separate rt and rw columns."""

    column: str  # the canonical column the combined value lands in: `rt_rw`
    rt: str  # the source's canonical rt column (`rt`, or `no_rt` for dukcapil)
    rw: str


@dataclass(frozen=True)
class PersonFields:
    """The rows of a source name a person: what identity resolution reads of them (int_person_records)."""

    raw_nik: str  # the canonical contract column of the NIK: what Excel left of a damaged one is read from it
    name: str  # staged column of the person's name
    birth_date: str | None = None  # staged columns, None where the source has none
    sex: str | None = None
    place: str | None = None  # one of PERSON_PLACES; None: the source says nothing of where the person lives
    # Order in which sources supply a case list's name and birth date (pii.person_identities; 1 first); None: never
    identity_rank: int | None = None


@dataclass(frozen=True)
class StagingSpec:
    """How dbt stages a source: its models, what the warehouse takes from it, and its quality gate."""

    group: str  # models/staging/<group>/ and the models' prefix; the source code unless given
    entity: str  # what one row is, plural: the models are base_<group>__<entity> and stg_<group>__<entity>
    # The staging gate (orchestration/quality/suites.py, StagedSource): checks written against staged column names
    gate: Mapping[str, Any]
    kk_column: str | None = None  # staged column of a KK number the row carries (int_family_identities)
    assistance: str | None = None  # one of ASSISTANCE_KINDS; None: the rows are no programme deliveries
    persons: PersonFields | None = None

    @property
    def base_model(self) -> str:
        return f"base_{self.group}__{self.entity}"

    @property
    def stg_model(self) -> str:
        return f"stg_{self.group}__{self.entity}"


@dataclass(frozen=True)
class SourceSpec:
    """One agency source: what its files must hold and how to recognise their columns."""

    name: str
    agency: str
    sector: str | None  # pentahelix sector, None when it varies per row (see sector_column)
    kind: str  # "snapshot" | "event"
    natural_key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    staging: StagingSpec
    identifiers: tuple[str, ...] = ()  # id columns; all empty + a JUMLAH/TOTAL cell = a total row
    format: str | None = None  # hint: csv | xlsx | parquet
    delimiter: str | None = None  # hint
    encoding: str | None = None  # hint
    description: str | None = None
    sector_column: str | None = None
    # canonical column -> normalised title-block keys that may supply it (`KELURAHAN : <name>`)
    title_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rt_rw_combined: RtRwCombined | None = None
    # Each file comes from a different sender (one kelurahan, one partner): what a file holds goes back to its
    # sender only, so the feedback workbooks are written per file.
    sender_per_file: bool = False
    # "monthly" | "quarterly" | "semester" | "yearly"; None: no agreed delivery schedule (never overdue)
    cadence: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    @property
    def is_snapshot(self) -> bool:
        return self.kind == "snapshot"

    def column(self, name: str) -> ColumnSpec:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"source {self.name!r} has no column {name!r}")

    @cached_property
    def alias_index(self) -> dict[str, str]:
        """Normalised header spelling -> canonical column."""
        return {alias: column.name for column in self.columns for alias in column.aliases}


def _fail(where: str, message: str) -> ContractError:
    return ContractError(f"{where}: {message}")


def _check_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _fail(
            where,
            f"unknown key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(sorted(allowed))}",
        )


def _string_list(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, (str, int)) for item in value):
        raise _fail(where, f"{key!r} must be a list of names")
    return tuple(str(item) for item in value)


def _parse_column(raw: Any, where: str) -> ColumnSpec:
    if not isinstance(raw, Mapping):
        raise _fail(where, "each column must be a mapping with at least a 'name'")
    _check_keys(raw, _COLUMN_KEYS, where)
    if "name" not in raw:
        raise _fail(where, "column without a 'name'")
    name = str(raw["name"])
    where = f"{where} {name!r}"
    if not _IDENTIFIER.match(name) or normalise_header(name) != name:
        raise _fail(
            where,
            f"canonical name must be lower-case letters, digits and single underscores "
            f"(normalised: {normalise_header(name)!r})",
        )
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise _fail(where, f"'required' must be true or false, not {required!r}")
    aliases: list[str] = [name]
    for alias in _string_list(raw.get("aliases", []) or [], where, "aliases"):
        normalised = normalise_header(alias)
        if not normalised:
            raise _fail(where, f"alias {alias!r} is empty once normalised")
        if normalised not in aliases:
            aliases.append(normalised)
    description = raw.get("description")
    return ColumnSpec(name=name, required=required, aliases=tuple(aliases), description=description)


def _name(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise _fail(where, f"{key!r} must be a lower-case name (letters, digits, underscores), not {value!r}")
    return value


def _optional_name(raw: Mapping[str, Any], where: str, key: str) -> str | None:
    return None if raw.get(key) is None else _name(raw[key], where, key)


def _block(raw: Any, where: str, allowed: set[str], required: tuple[str, ...]) -> Mapping[str, Any]:
    """A nested mapping of the contract, with only `allowed` keys and every `required` one."""
    if not isinstance(raw, Mapping):
        raise _fail(where, f"must be a mapping with at least {' and '.join(map(repr, required))}")
    _check_keys(raw, allowed, where)
    for key in required:
        if key not in raw:
            raise _fail(where, f"missing key {key!r}")
    return raw


def _optional_choice(raw: Mapping, where: str, key: str, allowed: tuple[str, ...]) -> str | None:
    value = raw.get(key)
    if value is not None and value not in allowed:
        raise _fail(where, f"{key} must be one of {', '.join(allowed)} or omitted, not {value!r}")
    return value


def _parse_persons(raw: Any, where: str, columns: list[str]) -> PersonFields:
    raw = _block(raw, where, _PERSON_KEYS, ("raw_nik", "name"))
    raw_nik = _name(raw["raw_nik"], where, "raw_nik")
    if raw_nik not in columns:
        raise _fail(where, f"raw_nik {raw_nik!r} is not a column of the source")
    place = _optional_choice(raw, where, "place", PERSON_PLACES)
    rank = raw.get("identity_rank")
    if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank < 1):
        raise _fail(where, f"identity_rank must be a positive whole number, not {rank!r}")
    return PersonFields(
        raw_nik=raw_nik,
        name=_name(raw["name"], where, "name"),
        birth_date=_optional_name(raw, where, "birth_date"),
        sex=_optional_name(raw, where, "sex"),
        place=place,
        identity_rank=rank,
    )


def _parse_staging(name: str, raw: Any, where: str, columns: list[str]) -> StagingSpec:
    where = f"{where}, staging"
    raw = _block(raw, where, _STAGING_KEYS, ("entity", "gate"))
    gate = raw["gate"]
    if not isinstance(gate, Mapping) or not gate.get("natural_key"):
        raise _fail(where, "'gate' must be a mapping with at least a 'natural_key' (staged column names)")
    assistance = _optional_choice(raw, where, "assistance", ASSISTANCE_KINDS)
    persons = raw.get("persons")
    return StagingSpec(
        group=_name(raw.get("group", name), where, "group"),
        entity=_name(raw["entity"], where, "entity"),
        gate=dict(gate),
        kk_column=_optional_name(raw, where, "kk_column"),
        assistance=assistance,
        persons=None if persons is None else _parse_persons(persons, f"{where}, persons", columns),
    )


def _parse_source(name: str, raw: Any) -> SourceSpec:
    where = f"sources.yaml: source {name!r}"
    if not _SOURCE_NAME.match(name):
        raise _fail(
            where,
            "a source code must be lower-case letters, digits and underscores, starting with a letter",
        )
    if name in RESERVED_SOURCE_NAMES:
        raise _fail(where, f"{name!r} is reserved for the loader's own table raw.{name}")
    if not isinstance(raw, Mapping):
        raise _fail(where, "must be a mapping")
    _check_keys(raw, _SOURCE_KEYS, where)
    for key in _REQUIRED_SOURCE_KEYS:
        if key not in raw:
            raise _fail(where, f"missing key {key!r}")

    kind = raw["kind"]
    if kind not in KINDS:
        raise _fail(where, f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    cadence = raw.get("cadence")
    if cadence is not None and cadence not in CADENCES:
        raise _fail(where, f"cadence must be one of {', '.join(CADENCES)}, not {cadence!r}")
    sector = raw.get("sector")
    if sector is not None and sector not in SECTORS:
        raise _fail(where, f"sector must be one of {', '.join(SECTORS)} or null, not {sector!r}")
    fmt = raw.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise _fail(where, f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    delimiter = raw.get("delimiter")
    if delimiter is not None and delimiter not in DELIMITERS:
        raise _fail(where, f"delimiter must be one of {DELIMITERS!r}, not {delimiter!r}")
    encoding = raw.get("encoding")
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(str(encoding))
        except LookupError:
            raise _fail(where, f"unknown encoding {encoding!r}") from None

    raw_columns = raw["columns"]
    if not isinstance(raw_columns, list) or not raw_columns:
        raise _fail(where, "'columns' must be a non-empty list")
    columns = [
        _parse_column(item, f"{where}, column #{i + 1}") for i, item in enumerate(raw_columns)
    ]
    names = [column.name for column in columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise _fail(where, f"column(s) listed twice: {', '.join(duplicates)}")
    for reserved in names:
        if reserved.startswith("_"):
            raise _fail(
                where,
                f"column {reserved!r}: names starting with '_' are reserved for lineage columns",
            )

    rt_rw = raw.get("rt_rw_combined", False)
    combined: RtRwCombined | None = None
    if rt_rw not in (False, None):
        if rt_rw is True:
            rt = next((c for c in ("rt", "no_rt") if c in names), None)
            rw = next((c for c in ("rw", "no_rw") if c in names), None)
        elif isinstance(rt_rw, Mapping):
            _check_keys(rt_rw, {"rt", "rw"}, f"{where}, rt_rw_combined")
            rt, rw = rt_rw.get("rt"), rt_rw.get("rw")
        else:
            raise _fail(
                where,
                "'rt_rw_combined' must be true, false or a mapping {rt: <column>, rw: <column>}",
            )
        if rt not in names or rw not in names:
            raise _fail(
                where, "'rt_rw_combined' needs an rt column and an rw column (rt/no_rt, rw/no_rw)"
            )
        if RT_RW_COLUMN not in names:
            columns.append(
                ColumnSpec(name=RT_RW_COLUMN, required=False, aliases=RT_RW_ALIASES, description=RT_RW_DESCRIPTION)
            )
            names.append(RT_RW_COLUMN)
        combined = RtRwCombined(column=RT_RW_COLUMN, rt=rt, rw=rw)

    # Aliases must point at one column only, within the source.
    owner: dict[str, str] = {}
    for column in columns:
        for alias in column.aliases:
            if alias in owner and owner[alias] != column.name:
                raise _fail(
                    where,
                    f"alias {alias!r} is claimed by columns {owner[alias]!r} and {column.name!r}; "
                    "a header must map to one column",
                )
            owner[alias] = column.name

    natural_key = _string_list(raw["natural_key"], where, "natural_key")
    if not natural_key:
        raise _fail(where, "'natural_key' must name at least one column")
    for key in natural_key:
        if key not in names:
            raise _fail(where, f"natural_key column {key!r} is not a column of the source")
    identifiers = _string_list(raw.get("identifiers") or list(natural_key), where, "identifiers")
    for key in identifiers:
        if key not in names:
            raise _fail(where, f"identifiers column {key!r} is not a column of the source")

    sector_column = raw.get("sector_column")
    if sector_column is not None and sector_column not in names:
        raise _fail(where, f"sector_column {sector_column!r} is not a column of the source")
    if sector is None and sector_column is None:
        raise _fail(where, "give a 'sector', or a 'sector_column' when the sector varies per row")

    title_raw = raw.get("title_fields") or {}
    if not isinstance(title_raw, Mapping):
        raise _fail(where, "'title_fields' must map a column to a list of title-block keys")
    title_fields: dict[str, tuple[str, ...]] = {}
    for column_name, keys in title_raw.items():
        if column_name not in names:
            raise _fail(where, f"title_fields column {column_name!r} is not a column of the source")
        normalised = tuple(
            dict.fromkeys(normalise_header(k) for k in _string_list(keys, where, "title_fields"))
        )
        if not normalised or not all(normalised):
            raise _fail(
                where, f"title_fields {column_name!r} needs at least one non-empty title key"
            )
        title_fields[column_name] = normalised

    return SourceSpec(
        name=name,
        agency=str(raw["agency"]),
        sector=sector,
        kind=kind,
        natural_key=natural_key,
        columns=tuple(columns),
        identifiers=identifiers,
        format=fmt,
        delimiter=delimiter,
        encoding=encoding,
        description=raw.get("description"),
        sector_column=sector_column,
        title_fields=title_fields,
        rt_rw_combined=combined,
        sender_per_file=_flag(raw.get("sender_per_file", False), where, "sender_per_file"),
        cadence=cadence,
        staging=_parse_staging(name, raw["staging"], where, names),
    )


def _flag(value: Any, where: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, f"{key!r} must be true or false")
    return value


def parse_contract(data: Any) -> dict[str, SourceSpec]:
    """Validate parsed YAML and build the specs. Raises `ContractError` naming the source and key at fault."""
    if not isinstance(data, Mapping):
        raise ContractError("sources.yaml: the document must be a mapping with a 'sources' key")
    _check_keys(data, _TOP_KEYS, "sources.yaml")
    sources = data.get("sources")
    if not isinstance(sources, Mapping) or not sources:
        raise ContractError(
            "sources.yaml: 'sources' must be a non-empty mapping of source code -> spec"
        )
    specs = {str(name): _parse_source(str(name), raw) for name, raw in sources.items()}
    _check_unique_across_sources(specs)
    return specs


def _check_unique_across_sources(specs: Mapping[str, SourceSpec]) -> None:
    """Two sources cannot share a staging model, nor a place in the case lists' order of sources."""
    seen_models: dict[str, str] = {}
    seen_ranks: dict[int, str] = {}
    for name, spec in specs.items():
        staging = spec.staging
        model = staging.stg_model
        if model in seen_models:
            raise ContractError(f"sources.yaml: sources {seen_models[model]!r} and {name!r} both stage as {model}")
        seen_models[model] = name
        rank = staging.persons.identity_rank if staging.persons else None
        if rank is not None:
            if rank in seen_ranks:
                raise ContractError(
                    f"sources.yaml: sources {seen_ranks[rank]!r} and {name!r} share persons.identity_rank {rank}"
                )
            seen_ranks[rank] = name


@lru_cache(maxsize=8)
def _load_cached(path: str) -> tuple[tuple[str, SourceSpec], ...]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ContractError(f"cannot read the contract {path}: {error}") from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ContractError(f"{path} is not valid YAML: {error}") from error
    try:
        return tuple(parse_contract(data).items())
    except ContractError as error:
        raise ContractError(f"{error} (in {path})") from None


def load_contract(path: str | Path | None = None) -> dict[str, SourceSpec]:
    """The source contract, one `SourceSpec` per source code, in file order (cached per path).

    `path` defaults to `orchestration/contract/sources.yaml`. Raises `ContractError` when the file is invalid.
    The returned dict is a fresh copy; the specs themselves are immutable.
    """
    resolved = str(Path(path).resolve()) if path is not None else str(CONTRACT_PATH)
    return dict(_load_cached(resolved))


def stg_models(path: str | Path | None = None) -> list[str]:
    """The stg_ model of every contract source, in contract order: the list tests and the gates iterate."""
    return [spec.staging.stg_model for spec in load_contract(path).values()]


load_contract.cache_clear = _load_cached.cache_clear  # type: ignore[attr-defined]
