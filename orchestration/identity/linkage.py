"""Probabilistic record linkage (Splink, DuckDB backend) of person rows without a usable NIK to the people known by
a valid NIK.

The model (Fellegi-Sunter, as Splink implements it):
- Left: the rows to resolve (NIK Excel-damaged, missing or invalid on an accepted row). Right: the reference, every
  distinct description of a person with a valid NIK in any source (Dukcapil, DTSEN and the agencies' own rows:
  a puskesmas row with a valid NIK tells which puskesmas that person uses). link_type `link_only`: reference rows
  are never linked to each other (they already share a NIK).
- Comparisons: normalised name (exact with term-frequency adjustment, Jaro-Winkler >= 0.94, >= 0.85), birth date
  (exact, day and month swapped, one character off), sex, KK number, place (kelurahan + RW + RT, kelurahan),
  source context (the same PDAM connection, JKN card, business or puskesmas; term-frequency adjusted), at the same
  puskesmas the same kind of service (maternal, child, chronic illness, TB: patients return for it), a child's
  puskesmas service against a known birth date, and the NIK digits Excel kept: the first 15 of a number (a
  damaged `617101570845000x` agrees with few NIKs), or a scientific mantissa compared with the NIK rounded alike.
- Parameters are set, not trained: m (how often a true match agrees) from what the sources are known to do (names
  are retyped, KK numbers change with a move or a split, ...); u (how often two different people agree) computed
  exactly from the reference's value frequencies, which is what Splink's random sampling estimates, without its
  variance on small inputs or a level unobserved on tiny ones; the prior is one true match per left row among
  the reference's people. EM is not used: a few hundred rows to resolve give it little to learn from, and set
  parameters keep the model the same at every scale and run; the threshold is calibrated instead.
- Decision: a row is linked to the best person when that person's match probability is at least
  MATCH_THRESHOLD and the best person is clearly the one among the candidates (their share of the candidates'
  Bayes factors is at least UNIQUENESS_THRESHOLD: two equally good namesakes share 0.5 each); otherwise it stays
  unresolved with the reason (`no_candidate`, `below_threshold`, `ambiguous`). Never a guess. A link whose best
  person agrees on the 15 surviving NIK digits is reported as `repaired_nik`, any other as `linked`.
The threshold was calibrated against the generator's ground truth (docs/identity.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from orchestration.identity.names import normalise_name_sql
from orchestration.warehouse_lock import IN_MEMORY, connect_warehouse

MATCH_THRESHOLD = 0.95
UNIQUENESS_THRESHOLD = 0.99

# The columns both sides bring (left rows: record_id; reference rows: nik). Dates as DATE, the rest as text.
LINK_COLUMNS = (
    "full_name", "birth_date", "born_on_or_after", "sex", "kk_number", "kelurahan_code", "rw", "rt", "context",
    "service_group", "nik_prefix",
)

# The two sides from int_person_records (int_person_links; benchmarks/identity_as_of.py): a row to resolve brings the
# NIK digits Excel left and a service's age hint; a reference row its NIK, whole, as the digits to compare.
_SIDES_SHARE = ", ".join(column for column in LINK_COLUMNS if column not in ("born_on_or_after", "nik_prefix"))
RECORD_COLUMNS_SQL = f"record_id, {_SIDES_SHARE}, born_on_or_after, nik_surviving_digits as nik_prefix"
REFERENCE_COLUMNS_SQL = f"nik, {_SIDES_SHARE}, cast(null as date) as born_on_or_after, nik as nik_prefix"

BLOCKING_RULES = (
    "l.nik_prefix = r.nik_prefix",
    "l.name_norm = r.name_norm and l.kelurahan_code = r.kelurahan_code",
    "l.name_norm = r.name_norm and l.birth_date = r.birth_date",
    "l.name_norm = r.name_norm and l.context = r.context",
    "l.kk_number = r.kk_number",
    "l.birth_date = r.birth_date and l.kelurahan_code = r.kelurahan_code",
)

# m probabilities: share of true matches at each level (the last, "else", takes the rest).
M_NAME = (0.88, 0.07, 0.03)
M_BIRTH = (0.90, 0.03, 0.04)
M_SEX = (0.98,)
M_AGE_HINT = 0.97
M_KK = (0.85,)
M_PLACE = (0.60, 0.25)
M_CONTEXT = (0.90,)
# At the same puskesmas, the same kind of service: on the sample, a person with a valid NIK has another row of the
# same group there for 96-100% of their ANC, child, chronic-illness and TB rows.
M_SERVICE = (0.97,)
M_NIK_DIGITS = (0.98, 0.98)
# u of the fuzzy levels (different people with similar names or dates), not computable from value counts alone.
U_NAME_FUZZY = (0.002, 0.02)
U_BIRTH_FUZZY = (0.0001, 0.002)
U_FLOOR = 1e-7


@dataclass(frozen=True)
class LinkResult:
    """Per left row: the decision, and the pairs Splink scored (for inspection and tests)."""

    decisions: pd.DataFrame
    pairs: pd.DataFrame


def _run(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """Execute and drain: DuckDB 2.0 refuses new work on a connection with an unfinished result."""
    return con.execute(sql).fetchall()


def _prepare(con: duckdb.DuckDBPyConnection, name: str, frame, id_column: str | None) -> None:
    """Load one side (a pandas frame or an Arrow table) in the linkage's own shape.

    Names are normalised once per distinct spelling: a city has millions of rows but far fewer names.
    """
    con.register(f"{name}_input", frame)
    _run(con, f"""
        create or replace table {name}_names as
        select full_name, {normalise_name_sql('full_name')} as name_norm
        from (select distinct full_name from {name}_input)
    """)
    _run(con, f"""
        create or replace table {name} as
        select
            {f"cast(input.{id_column} as varchar)" if id_column else "cast(null as varchar)"} as unique_id,
            {"cast(null as varchar)" if id_column else "cast(input.nik as varchar)"} as nik,
            names.name_norm,
            strftime(cast(input.birth_date as date), '%Y-%m-%d') as birth_date,
            strftime(cast(input.born_on_or_after as date), '%Y-%m-%d') as born_on_or_after,
            nullif(cast(input.sex as varchar), '') as sex,
            nullif(cast(input.kk_number as varchar), '') as kk_number,
            nullif(cast(input.kelurahan_code as varchar), '') as kelurahan_code,
            case when input.kelurahan_code is not null and input.rw is not null and input.rt is not null
                then cast(input.kelurahan_code as varchar) || '|' || cast(input.rw as varchar) || '|'
                    || cast(input.rt as varchar)
            end as place_rt,
            nullif(cast(input.context as varchar), '') as context,
            nullif(cast(input.service_group as varchar), '') as service_group,
            case when length(input.nik_prefix) >= 15 then substr(input.nik_prefix, 1, 15) end as nik_prefix,
            case when length(input.nik_prefix) >= 5 then input.nik_prefix end as nik_digits
        from {name}_input as input
        left join {name}_names as names
            on names.full_name is not distinct from input.full_name
    """)
    con.unregister(f"{name}_input")


def _collision(con: duckdb.DuckDBPyConnection, column: str) -> float:
    """P(two random reference rows agree on column | both present): the u of an exact-match level."""
    ((value,),) = _run(con, f"""
        with counts as (select count(*) as n from reference where {column} is not null group by {column})
        select sum(n * n) / nullif(sum(n) * sum(n), 0) from counts
    """)
    return max(float(value or 0.0), U_FLOOR)


_DAY_MONTH_SWAPPED = (
    "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4)"
    " and substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2)"
    " and substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)"
)
_FIRST_15_AGREE = (
    "(length(nik_digits_l) = 15 and substr(nik_digits_r, 1, 15) = nik_digits_l)"
    " or (length(nik_digits_r) = 15 and substr(nik_digits_l, 1, 15) = nik_digits_r)"
)
_ROUNDED_AGREE = (
    "(length(nik_digits_{a}) < 15 and length(nik_digits_{b}) = 16 and round(cast(nik_digits_{b} as double)"
    " / pow(10, 16 - length(nik_digits_{a}))) = cast(nik_digits_{a} as double))"
)


def _young_share(con: duckdb.DuckDBPyConnection) -> float:
    """u of `born recently enough`: the share of known people born on or after the rows' typical cut-off."""
    ((value,),) = _run(con, """
        select avg(cast(birth_date >= (select median(born_on_or_after) from unresolved) as double))
        from reference where birth_date is not null
    """)
    return min(max(float(value if value is not None else 0.5), U_FLOOR), 1 - U_FLOOR)


def _level(sql: str, label: str, m: float, u: float, **extra) -> dict:
    return {"sql_condition": sql, "label_for_charts": label, "m_probability": m, "u_probability": u, **extra}


def _null_level(column: str) -> dict:
    return {"sql_condition": f"{column}_l is null or {column}_r is null", "label_for_charts": "null",
            "is_null_level": True}


def _comparison(column: str, levels: list[tuple[str, str, float, float, dict]]) -> dict:
    """A comparison whose last level is `else` with the remaining m and u."""
    m_rest = 1.0 - sum(level[2] for level in levels)
    u_rest = 1.0 - sum(level[3] for level in levels)
    return {
        "output_column_name": column,
        "comparison_levels": [
            _null_level(column),
            *[_level(sql, label, m, u, **extra) for sql, label, m, u, extra in levels],
            _level("else", "else", max(m_rest, 1e-4), max(u_rest, 1e-4)),
        ],
    }


def _exact(column: str, m: float, u: float, **extra) -> tuple[str, str, float, float, dict]:
    return (f"{column}_l = {column}_r", "exact", m, u, extra)


def build_settings(con: duckdb.DuckDBPyConnection) -> dict:
    """Splink settings with m set and u computed from the reference table on `con`."""
    ((people,),) = _run(con, "select count(distinct nik) from reference")
    u_name = _collision(con, "name_norm")
    u_birth = _collision(con, "birth_date")
    comparisons = [
        _comparison("name_norm", [
            _exact("name_norm", M_NAME[0], u_name, tf_adjustment_column="name_norm", tf_adjustment_weight=1.0),
            ("jaro_winkler_similarity(name_norm_l, name_norm_r) >= 0.94", "jaro-winkler >= 0.94", M_NAME[1],
             U_NAME_FUZZY[0], {}),
            ("jaro_winkler_similarity(name_norm_l, name_norm_r) >= 0.85", "jaro-winkler >= 0.85", M_NAME[2],
             U_NAME_FUZZY[1], {}),
        ]),
        _comparison("birth_date", [
            _exact("birth_date", M_BIRTH[0], u_birth),
            (_DAY_MONTH_SWAPPED, "day and month swapped", M_BIRTH[1], U_BIRTH_FUZZY[0], {}),
            ("damerau_levenshtein(birth_date_l, birth_date_r) <= 1", "one character off", M_BIRTH[2],
             U_BIRTH_FUZZY[1], {}),
        ]),
        {
            # a child's service: the person's known birth date must be recent enough (either side may be the child's)
            "output_column_name": "age_hint",
            "comparison_levels": [
                {"sql_condition": "not ((born_on_or_after_l is not null and birth_date_r is not null)"
                                  " or (born_on_or_after_r is not null and birth_date_l is not null))",
                 "label_for_charts": "null", "is_null_level": True},
                _level("birth_date_r >= born_on_or_after_l or birth_date_l >= born_on_or_after_r",
                       "born recently enough", M_AGE_HINT, _young_share(con)),
                _level("else", "else", 1.0 - M_AGE_HINT, max(1.0 - _young_share(con), 1e-4)),
            ],
        },
        _comparison("sex", [_exact("sex", M_SEX[0], _collision(con, "sex"))]),
        _comparison("kk_number", [_exact("kk_number", M_KK[0], _collision(con, "kk_number"))]),
        {
            "output_column_name": "place",
            "comparison_levels": [
                _null_level("kelurahan_code"),
                _level("place_rt_l = place_rt_r", "same RT", M_PLACE[0], _collision(con, "place_rt")),
                _level("kelurahan_code_l = kelurahan_code_r", "same kelurahan", M_PLACE[1],
                       _collision(con, "kelurahan_code")),
                _level("else", "else", 1.0 - sum(M_PLACE), max(1.0 - _collision(con, "kelurahan_code"), 1e-4)),
            ],
        },
        # a puskesmas is shared by thousands, a PDAM connection by one household: the value's frequency decides
        _comparison("context", [
            _exact("context", M_CONTEXT[0], _collision(con, "context"), tf_adjustment_column="context",
                   tf_adjustment_weight=1.0),
        ]),
        {
            # what brings the person to the puskesmas, given the same puskesmas (the context comparison counts that):
            # TB patients are few, toddlers many, so the group's frequency decides
            "output_column_name": "service_group",
            "comparison_levels": [
                {"sql_condition": "service_group_l is null or service_group_r is null"
                                  " or context_l is distinct from context_r",
                 "label_for_charts": "null", "is_null_level": True},
                _level("service_group_l = service_group_r", "same service group", M_SERVICE[0],
                       _collision(con, "service_group"), tf_adjustment_column="service_group",
                       tf_adjustment_weight=1.0),
                _level("else", "else", 1.0 - M_SERVICE[0], max(1.0 - _collision(con, "service_group"), U_FLOOR)),
            ],
        },
        _comparison("nik_digits", [
            (_FIRST_15_AGREE, "first 15 digits agree", M_NIK_DIGITS[0], _collision(con, "substr(nik, 1, 15)"), {}),
            # scientific notation keeps a mantissa rounded at its last digit: round the known NIK the same way
            (_ROUNDED_AGREE.format(a="l", b="r") + " or " + _ROUNDED_AGREE.format(a="r", b="l"),
             "rounded leading digits agree", M_NIK_DIGITS[1], _collision(con, "substr(nik, 1, 6)"), {}),
        ]),
    ]
    return {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1.0 / max(int(people), 1),
        "blocking_rules_to_generate_predictions": [{"blocking_rule": rule} for rule in BLOCKING_RULES],
        "comparisons": comparisons,
        "additional_columns_to_retain": ["nik"],
        "retain_intermediate_calculation_columns": False,
        "retain_matching_columns": True,
    }


def _decide(left_ids: pd.Series, pairs: pd.DataFrame) -> pd.DataFrame:
    """One decision per left row from the scored pairs (see the module docstring).

    A person may have several reference rows: their best pair counts. `share` is the probability that the best
    person is the one among the candidates (their Bayes factors normalised): two equally good namesakes give 0.5.
    Among equally good candidates the lowest NIK is the one named (`candidate_nik`), so that the candidate a clerk
    reviews does not change from run to run with the order in which Splink returns the pairs.
    """
    columns = ["record_id", "nik", "match_probability", "match_weight", "prefix_agrees"]
    per_person = pairs[columns].sort_values("match_weight", ascending=False).drop_duplicates(["record_id", "nik"])
    per_person = per_person.sort_values(["record_id", "match_weight", "nik"], ascending=[True, False, True])
    # normalise in log space so that very strong candidates (weights of 40+) do not overflow; vectorised: a Python
    # function per record took 23 s for the 24,000 rows of a city
    factors = 2.0 ** (
        per_person["match_weight"] - per_person.groupby("record_id")["match_weight"].transform("max")
    )
    per_person["share"] = factors / factors.groupby(per_person["record_id"]).transform("sum")
    best = per_person.groupby("record_id").head(1).set_index("record_id")
    decisions = pd.DataFrame(index=pd.Index(left_ids.astype(str).to_numpy(), name="record_id"))
    decisions["candidate_nik"] = best["nik"]
    decisions["match_probability"] = best["match_probability"].astype(float)
    decisions["match_weight"] = best["match_weight"].astype(float)
    decisions["best_share"] = best["share"].astype(float)
    decisions["candidates"] = per_person.groupby("record_id").size().reindex(decisions.index).fillna(0).astype(int)
    prefix_agrees = best["prefix_agrees"].reindex(decisions.index).fillna(False).astype(bool)
    strong = decisions["match_probability"] >= MATCH_THRESHOLD
    unique = decisions["best_share"] >= UNIQUENESS_THRESHOLD
    decisions["outcome"] = "unresolved"
    decisions.loc[strong & unique & prefix_agrees, "outcome"] = "repaired_nik"
    decisions.loc[strong & unique & ~prefix_agrees, "outcome"] = "linked"
    reason = pd.Series(None, index=decisions.index, dtype=object)
    reason[decisions["candidates"] == 0] = "no_candidate"
    reason[(decisions["candidates"] > 0) & ~strong] = "below_threshold"
    # namesakes: say so even when neither is strong enough, it is what a clerk needs to know
    reason[(decisions["candidates"] > 1) & ~unique] = "ambiguous"
    decisions["unresolved_reason"] = reason
    decisions["linked_nik"] = decisions["candidate_nik"].where(decisions["outcome"] != "unresolved")
    return decisions.reset_index()


def _left_ids(con: duckdb.DuckDBPyConnection) -> pd.Series:
    return pd.Series([row[0] for row in _run(con, "select unique_id from unresolved order by unique_id")], dtype=object)


def link(records, reference) -> LinkResult:
    """Link `records` (record_id + LINK_COLUMNS) to `reference` (nik + LINK_COLUMNS): pandas frames or Arrow tables.

    Runs on its own in-memory DuckDB, so Splink's working tables never reach the warehouse.
    """
    from splink import DuckDBAPI, Linker

    con = connect_warehouse(IN_MEMORY)
    try:
        _prepare(con, "unresolved", records, "record_id")
        # several rows per person (one per distinct description) are kept: each is evidence, the best one counts
        _prepare(con, "reference", reference, None)
        _run(con, """
            create or replace table reference as
            select row_number() over () as rid, * exclude (unique_id) from (select distinct * from reference)
        """)
        _run(con, "create or replace table reference as select 'p' || rid as unique_id, * exclude (rid) from reference")
        ((empty,),) = _run(con, "select (select count(*) from unresolved) = 0 or (select count(*) from reference) = 0")
        if empty:
            pairs = pd.DataFrame(
                {"record_id": [], "nik": [], "match_probability": [], "match_weight": [], "prefix_agrees": []}
            )
            return LinkResult(_decide(_left_ids(con), pairs), pairs)
        settings = build_settings(con)
        db_api = DuckDBAPI(con)
        left = db_api.register("unresolved", table_name="left_rows", dataset_display_name="unresolved")
        right = db_api.register("reference", table_name="right_rows", dataset_display_name="reference")
        linker = Linker([left, right], settings, log_level="WARNING")
        predictions = linker.inference.predict(threshold_match_probability=1e-6)
        scored = con.sql(f"""
            select
                unique_id_l as record_id,
                nik_r as nik,
                match_probability,
                match_weight,
                coalesce(nik_prefix_l = nik_prefix_r, false) as prefix_agrees
            from {predictions.physical_name}
            where source_dataset_l = 'unresolved'
            union all
            select
                unique_id_r, nik_l, match_probability, match_weight, coalesce(nik_prefix_l = nik_prefix_r, false)
            from {predictions.physical_name}
            where source_dataset_r = 'unresolved'
        """).df()
        return LinkResult(_decide(_left_ids(con), scored), scored)
    finally:
        con.close()

