"""Record linkage on a hand-made set of hard cases, among a crowd of other known people."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from orchestration.identity.linkage import LINK_COLUMNS, MATCH_THRESHOLD, link

COLUMNS = list(LINK_COLUMNS)

# nik, name, birth date, sex, KK, kelurahan, RW, RT
KNOWN = [
    ("6171011005800001", "AHMAD RIDWAN", date(1980, 5, 10), "L", "6171010101100001", "61.71.01.1001", 1, 2),
    ("6171010307050002", "AHMAD RIDWAN", date(2005, 7, 3), "L", "6171010101100002", "61.71.01.1001", 1, 2),
    ("6171025102900003", "SITI NURHALIZA", date(1990, 2, 11), "P", "6171020101100003", "61.71.02.1002", 3, 4),
    ("6171030803750004", "MUHAMMAD HAKIM", date(1975, 3, 8), "L", "6171030101100004", "61.71.03.1003", 2, 1),
    ("6171010904880005", "HENDRA SAPUTRA", date(1988, 4, 9), "L", "6171010101100005", "61.71.01.1001", 4, 4),
    ("6171010904880016", "YULIANI", date(1988, 4, 9), "P", "6171010101100006", "61.71.01.1002", 5, 1),
    ("6171014506850017", "NURUL HIDAYAH", date(1985, 6, 5), "P", "6171010101100007", "61.71.01.1004", 3, 2),
    ("6171015209920018", "NURUL HIDAYAH", date(1992, 9, 12), "P", "6171010101100008", "61.71.01.1005", 1, 1),
]
PUSKESMAS = "puskesmas|PUSKESMAS PURNAMA"
# who is also known from a puskesmas row with a valid NIK, and for what: the two namesakes (one a TB patient) among
# a crowd of other visitors of the same puskesmas
PUSKESMAS_VISITS = {"6171014506850017": "TB", "6171015209920018": "MATERNAL"}
FIRST = ["BUDI", "SRI", "AGUS", "DEWI", "JOKO", "RINA", "YUSUF", "AMINAH", "FAJAR", "LINA", "HERU", "WULAN", "ARIF",
         "MEGA", "RUDI", "NURUL", "EKO", "SARI", "IWAN", "FITRI"]
LAST = ["SANTOSO", "LESTARI", "PRASETYO", "HANDAYANI", "WIBOWO", "SAFITRI", "KURNIAWAN", "RAHAYU", "HIDAYAT", "ASTUTI",
        "SETIAWAN", "WAHYUNI", "NUGROHO", "SUSANTI", "MAULANA"]


def _crowd(size: int = 300) -> list[tuple]:
    rng = np.random.default_rng(7)
    people = []
    for i in range(size):
        birth = date(1950, 1, 1) + pd.Timedelta(days=int(rng.integers(0, 25000)))
        sex = "L" if i % 2 else "P"
        day = birth.day + (40 if sex == "P" else 0)
        nik = f"61710{rng.integers(1, 7)}{day:02d}{birth.month:02d}{birth.year % 100:02d}{1000 + i:04d}"
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]} {LAST[(i * 3) % len(LAST)]}"
        kelurahan = f"61.71.0{rng.integers(1, 7)}.100{rng.integers(1, 6)}"
        people.append((nik, name, birth, sex, f"61710{i:011d}", kelurahan, int(rng.integers(1, 9)),
                       int(rng.integers(1, 9))))
    return people


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    people = KNOWN + _crowd()
    visits = {**PUSKESMAS_VISITS, **{
        person[0]: "CHILD" if i % 4 else "PTM" for i, person in enumerate(_crowd()[:80])
    }}
    rows = [
        {"nik": nik, "full_name": name, "birth_date": birth, "born_on_or_after": None, "sex": sex, "kk_number": kk,
         "kelurahan_code": kelurahan, "rw": rw, "rt": rt, "context": None, "service_group": None, "nik_prefix": nik}
        for nik, name, birth, sex, kk, kelurahan, rw, rt in people
    ]
    # a puskesmas row is one more description of the person: the name and what the puskesmas knows
    rows += [
        {"nik": nik, "full_name": name, "context": PUSKESMAS, "service_group": visits[nik], "nik_prefix": nik}
        for nik, name, *_ in people if nik in visits
    ]
    return pd.DataFrame(rows).reindex(columns=["nik", *COLUMNS])


def _row(record_id, **values) -> dict:
    return {"record_id": record_id, **{column: values.get(column) for column in COLUMNS}}


HARD_CASES = [
    # same name, same RT, two people: the birth date tells them apart
    (_row("namesake_with_birth_date", full_name="Ahmad Ridwan", birth_date=date(1980, 5, 10), sex="L",
          kelurahan_code="61.71.01.1001", rw=1, rt=2), "linked", "6171011005800001"),
    # same name, same RT, nothing else: two equally good people, never a guess
    (_row("namesake_without_birth_date", full_name="AHMAD RIDWAN", kelurahan_code="61.71.01.1001", rw=1, rt=2),
     "unresolved", None),
    # a typo in the name
    (_row("typo_in_name", full_name="Siti Nurhalisa", birth_date=date(1990, 2, 11), sex="P",
          kk_number="6171020101100003", kelurahan_code="61.71.02.1002"), "linked", "6171025102900003"),
    # day and month swapped, titles and another spelling of Muhammad
    (_row("swapped_day_and_month", full_name="Drs. H. Moh. Hakim", birth_date=date(1975, 8, 3), sex="L",
          kk_number="6171030101100004", kelurahan_code="61.71.03.1003"), "linked", "6171030803750004"),
    # an Excel-damaged NIK: 15 digits survive; another person shares the first 14 but not the 15th
    (_row("damaged_nik", full_name="HENDRA SAPUTRA", kelurahan_code="61.71.01.1001", nik_prefix="617101090488000"),
     "repaired_nik", "6171010904880005"),
    # a puskesmas row whose NIK Excel turned into 6.17101E+15: two namesakes use that puskesmas, only one of them
    # for TB treatment
    (_row("namesakes_at_one_puskesmas_tb_treatment", full_name="Nurul Hidayah", context=PUSKESMAS,
          service_group="TB", nik_prefix="617101"), "linked", "6171014506850017"),
    # the same for a general check-up, which says nothing of the person: two equally good namesakes
    (_row("namesakes_at_one_puskesmas_general_check_up", full_name="Nurul Hidayah", context=PUSKESMAS,
          nik_prefix="617101"), "unresolved", None),
]


@pytest.fixture(scope="module")
def decisions(reference) -> pd.DataFrame:
    records = pd.DataFrame([case for case, _, _ in HARD_CASES] + [
        # nobody like this is known
        _row("stranger", full_name="Bonifasius Tanjung", birth_date=date(1999, 9, 9), sex="L",
             kelurahan_code="61.71.06.1004"),
        # a real person's name alone, with nothing else to go on
        _row("name_only", full_name="Yuliani"),
    ])
    return link(records, reference).decisions.set_index("record_id")


@pytest.mark.parametrize(("record_id", "outcome", "nik"), [(c["record_id"], o, n) for c, o, n in HARD_CASES])
def test_hard_cases(decisions, record_id, outcome, nik):
    decision = decisions.loc[record_id]
    assert decision["outcome"] == outcome
    if nik is None:
        assert pd.isna(decision["linked_nik"])
    else:
        assert decision["linked_nik"] == nik
        assert decision["match_probability"] >= MATCH_THRESHOLD


def test_namesakes_in_one_rt_are_reported_as_ambiguous(decisions):
    decision = decisions.loc["namesake_without_birth_date"]
    assert decision["unresolved_reason"] == "ambiguous"
    assert decision["candidates"] == 2
    assert decision["best_share"] == pytest.approx(0.5)


@pytest.mark.parametrize("record_id", ["stranger", "name_only"])
def test_an_unresolvable_row_stays_unresolved(decisions, record_id):
    decision = decisions.loc[record_id]
    assert decision["outcome"] == "unresolved"
    assert pd.isna(decision["linked_nik"])
    assert decision["unresolved_reason"] in {"no_candidate", "below_threshold"}


def test_linkage_is_deterministic(reference, decisions):
    records = pd.DataFrame([case for case, _, _ in HARD_CASES])
    again = link(records, reference).decisions.set_index("record_id")
    pd.testing.assert_series_equal(again["linked_nik"], decisions.loc[again.index, "linked_nik"])


def test_nothing_to_link():
    empty = pd.DataFrame(columns=["record_id", *COLUMNS])
    result = link(empty, pd.DataFrame(columns=["nik", *COLUMNS]))
    assert result.decisions.empty


def test_equally_good_candidates_name_the_same_one_whatever_their_order():
    """Two namesakes scored alike: the candidate reviewed is the lower NIK, not the one Splink returned first."""
    from orchestration.identity.linkage import _decide

    pairs = pd.DataFrame({
        "record_id": ["row", "row"],
        "nik": ["6171015209920018", "6171014506850017"],
        "match_probability": [0.96, 0.96],
        "match_weight": [4.6, 4.6],
        "prefix_agrees": [False, False],
    })
    for ordered in (pairs, pairs.iloc[::-1]):
        decision = _decide(pd.Series(["row"]), ordered).set_index("record_id").loc["row"]
        assert decision["candidate_nik"] == "6171014506850017"
        assert decision["unresolved_reason"] == "ambiguous"
        assert decision["best_share"] == pytest.approx(0.5)
