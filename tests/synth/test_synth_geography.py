"""Real geography, and spellings an alias table can resolve."""

from __future__ import annotations

import re

from tkpkd_synth.geography import UNKNOWN_KELURAHAN, load_geography


def normalised(name: str) -> str:
    letters = re.sub(r"[^A-Z]", "", name.upper())
    return re.sub(r"DLM$", "DALAM", re.sub(r"^SEI", "SUNGAI", letters))


def test_official_codes():
    geography = load_geography()
    assert len(geography.kecamatan) == 6 and len(geography.kelurahan) == 29
    assert {k.bps_code for k in geography.kecamatan} == {"6171010", "6171011", "6171020", "6171030", "6171031", "6171040"}
    assert "61.71.01.1001" not in {k.code for k in geography.kelurahan}
    assert next(k for k in geography.kelurahan if k.code == "61.71.03.1002").name == "Sungaijawi Dalam"


def test_every_variant_resolves_and_no_unknown_name_does():
    geography = load_geography()
    official = {normalised(k.name): k.code for k in geography.kelurahan}
    assert len(official) == 29
    for kelurahan in geography.kelurahan:
        for variant in kelurahan.variants():
            assert official.get(normalised(variant)) == kelurahan.code, variant
    assert not any(normalised(name) in official for name in UNKNOWN_KELURAHAN)
    variants = {v for k in geography.kelurahan for v in k.variants()}
    assert {"Parit Tokaya", "PARITTOKAYA", "Sei Jawi Dalam", "Sungai Jawi Dlm", "Sei. Jawi Luar",
            "Benua Melayu Laut", "Kota Baru"} <= variants
