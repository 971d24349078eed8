"""Indonesian personal names with the mix of Pontianak: Malay, Chinese-Indonesian, Javanese, Dayak, Bugis, Madurese.

Names carry what real registers carry and what matching code must survive: titles (H., Hj., Drs., Uray, Syarif),
academic suffixes after a comma (`Rina Wati, S.Pd`), and the curly apostrophe of Arabic names (`Ma’ruf`), which
only round-trips when a file's encoding is read right (Dukcapil delivers Windows-1252).
"""

from __future__ import annotations

import numpy as np

from tkpkd_synth.randomness import categorical

ETHNICITIES = ("malay", "chinese", "javanese", "dayak", "bugis", "madurese")
ETHNICITY_SHARES = (0.34, 0.28, 0.12, 0.10, 0.09, 0.07)
MUSLIM = {"malay", "javanese", "bugis", "madurese"}

# Names with a curly apostrophe are real but uncommon: they get a small weight.
RARE = 0.15

_FIRST = {
    ("malay", 1): ("Muhammad", "Ahmad", "Abdul Rahman", "Rizky", "Fajar", "Hendra", "Iwan", "Rudi", "Hamdan", "Zainal",
                   "Syahrul", "Usman", "Ismail", "Yusuf", "Hasan", "Husin", "Zulkifli", "Firdaus", "Arif", "Rahmat",
                   "Hamid", "Ridwan", "Irfan", "Aidil", "Fadli", "Syamsudin", "Mahmud", "Bujang", "Junaidi", "Hairul",
                   ("Ma’ruf", RARE), ("Ja’far", RARE), ("Mu’min", RARE), ("Syafi’i", RARE)),
    ("malay", 2): ("Siti", "Nur", "Nurhayati", "Aisyah", "Fatimah", "Rahmawati", "Dewi", "Rina", "Nurul", "Khadijah",
                   "Salmah", "Zubaidah", "Maimunah", "Rosnah", "Halimah", "Juliana", "Rahmah", "Dayang", "Norma",
                   "Zaitun", "Aminah", "Marliana", "Hafsah", "Yuliani", "Fitri",
                   ("Ma’rifah", RARE), ("Sa’diah", RARE), ("Nu’aimah", RARE)),
    ("javanese", 1): ("Slamet", "Sutrisno", "Bambang", "Joko", "Wahyudi", "Sugeng", "Budi", "Agus", "Eko", "Dwi",
                      "Teguh", "Sukirman", "Suparman", "Puji", "Heru", "Sarwono", "Tri", "Bayu"),
    ("javanese", 2): ("Sumarni", "Suparmi", "Sri", "Suminah", "Wulan", "Endang", "Tri", "Yuni", "Rini", "Siti",
                      "Sumiati", "Murniati", "Ratna", "Ningsih", "Wahyuni", "Lestari"),
    ("dayak", 1): ("Yohanes", "Agustinus", "Paulus", "Stefanus", "Antonius", "Yosef", "Petrus", "Fransiskus", "Markus",
                   "Robertus", "Gregorius", "Kristianus", "Yakobus", "Benediktus"),
    ("dayak", 2): ("Maria", "Theresia", "Agnes", "Yuliana", "Veronika", "Katarina", "Margaretha", "Elisabeth",
                   "Fransiska", "Lusia", "Monika", "Rosalia", "Natalia"),
    ("bugis", 1): ("Muhammad", "Abdul", "Baso", "Hasanuddin", "Syamsul", "Amiruddin", "Haeruddin", "Nasrullah",
                   "Jumadi", "Kamaruddin", "Rusdi", "Sainal"),
    ("bugis", 2): ("Sitti", "Hasnah", "Nurhaedah", "Hasmawati", "Besse", "Nurlina", "Hadijah", "Rosmini",
                   "Jumriah", "Syamsiah", ("Sa’adah", RARE)),
    ("madurese", 1): ("Moh. Hasan", "Mat Sari", "Sahrawi", "Marsuki", "Sanusi", "Hasan", "Mattasan", "Salehuddin",
                      "Abd. Rahem", "Moh. Holil", "Sukri", "Muhlis", ("Ma’ruf", RARE)),
    ("madurese", 2): ("Maimunah", "Misnah", "Sumiati", "Halimah", "Hotimah", "Juhairiyah", "Marwiyah", "Suhairiyah",
                      "Sunaryah", "Mistiyah", ("Sa’adah", RARE)),
    ("chinese", 1): ("Hendra", "Suwandi", "Hartono", "Rudy", "Jimmy", "Steven", "Kevin", "Willy", "Herman", "Johan",
                     "Andy", "Ferry", "Sugianto", "Budiman", "Acong", "Aming", "Afuk", "Ahui"),
    ("chinese", 2): ("Lenny", "Susi", "Meliana", "Lina", "Yuliana", "Vera", "Mega", "Sherly", "Cindy", "Felicia",
                     "Lili", "Mariana", "Apin", "Amoi", "Siska", "Yenny"),
}
_SECOND = {
    ("malay", 1): ("Hidayat", "Rahman", "Saputra", "Ramadhan", "Kurniawan", "Syahputra", "Abdullah", "Effendi",
                   "Hamzah", "Yusuf", "Hakim", "Maulana"),
    ("malay", 2): ("Fitriani", "Wulandari", "Lestari", "Sari", "Handayani", "Yanti", "Rahmadani", "Safitri", "Aulia",
                   "Hasanah", "Khairunnisa"),
    ("javanese", 1): ("Santoso", "Prasetyo", "Wibowo", "Purnomo", "Susilo", "Hartanto", "Nugroho", "Setiawan"),
    ("javanese", 2): ("Rahayu", "Lestari", "Wahyuni", "Setiawati", "Hartati", "Astuti", "Susanti"),
    ("dayak", 1): ("Acan", "Bujang", "Ijat", "Aloy", "Asui", "Akim", "Lahon", "Nyangun", "Kayan", "Sandai", "Belawan",
                   "Ngadan", "Koyan", "Uyub", "Jalung"),
    ("dayak", 2): ("Idah", "Dayang", "Inen", "Imai", "Lidia", "Tuyun", "Ansi", "Asuk", "Ipah", "Mayang"),
    ("bugis", 1): ("Mappa", "Pawellangi", "Sulaiman", "Hamzah", "Rahim", "Daeng Masiga", "Petta", "Tahir"),
    ("bugis", 2): ("Daeng Tenri", "Nurdin", "Hamid", "Rahim", "Tahir", "Sulaiman"),
    ("madurese", 1): ("Rawi", "Sahri", "Hasan", "Samsul", "Mahfud", "Sadik"),
    ("madurese", 2): ("Hasanah", "Fauziah", "Sari", "Wati"),
}
_CHINESE_SURNAMES = ("Tan", "Lim", "Lie", "Ng", "Ong", "Gouw", "Bong", "Chong", "Phang", "Tjhin", "Kho", "Liu", "Chai",
                     "Thai", "Wong", "Lay", "Sim", "Goh", "Tjoa", "Yap")
# The Indonesian surname a family took, chosen to echo its clan name (Tan -> Tanoto, Lim -> Halim) as families did.
_INDONESIAN_SURNAMES = ("Tanoto", "Halim", "Liman", "Wijaya", "Ongko", "Gunawan", "Bonardi", "Santoso", "Pangestu",
                        "Tjahyadi", "Kurniawan", "Lukito", "Chandra", "Tanjaya", "Wongso", "Layanto", "Salim",
                        "Gosal", "Tjokro", "Yapto")
_CHINESE_SYLLABLES = ("Siu", "Kim", "Ah", "Tjhun", "Fa", "Lan", "Hwa", "Fung", "Sui", "Mei", "Ling", "Kiong", "Kui",
                      "Liong", "Hin", "Hong", "Jun", "Tjin", "Moi", "Nyuk", "Fui", "Khiun", "Sen", "Tet", "Min", "Jie")
_ARAB_CLANS = ("Alkadrie", "Alqadrie", "Assegaf", "Alatas", "Al Idrus")
_DEGREES = (", S.Pd", ", S.E.", ", S.H.", ", S.Kom", ", A.Md", ", S.Sos", ", S.T.")


def _pool(entries) -> tuple[np.ndarray, np.ndarray]:
    names = [e[0] if isinstance(e, tuple) else e for e in entries]
    weights = [e[1] if isinstance(e, tuple) else 1.0 for e in entries]
    return np.array(names, dtype=object), np.array(weights)


def _draw(rng: np.random.Generator, entries, n: int) -> np.ndarray:
    names, weights = _pool(entries)
    return names[categorical(rng, n, weights)]


def family_clans(rng: np.random.Generator, ethnicity: np.ndarray) -> np.ndarray:
    """Per family, an index into the clan list of its ethnicity (Chinese surname, Arab-descended Malay clan), or -1.

    Children inherit it, so a Chinese family's members share `Lim` and a Syarif family keeps `Alkadrie`.
    """
    clan = np.full(len(ethnicity), -1, dtype=np.int16)
    chinese = ethnicity == ETHNICITIES.index("chinese")
    clan[chinese] = rng.integers(0, len(_CHINESE_SURNAMES), chinese.sum())
    arab = (ethnicity == ETHNICITIES.index("malay")) & (rng.random(len(ethnicity)) < 0.06)
    clan[arab] = rng.integers(0, len(_ARAB_CLANS), arab.sum())
    return clan


def person_names(
    rng: np.random.Generator,
    ethnicity: np.ndarray,
    sex: np.ndarray,
    age: np.ndarray,
    clan: np.ndarray,
    poverty: np.ndarray,
) -> np.ndarray:
    """Full names as the KTP would hold them (titles included), title case."""
    n = len(sex)
    names = np.empty(n, dtype=object)
    for e, ethnic in enumerate(ETHNICITIES):
        for s in (1, 2):
            members = np.flatnonzero((ethnicity == e) & (sex == s))
            if not len(members):
                continue
            if ethnic == "chinese":
                names[members] = _chinese_names(rng, s, age[members], clan[members])
                continue
            first = _draw(rng, _FIRST[(ethnic, s)], len(members))
            second = _draw(rng, _SECOND[(ethnic, s)], len(members))
            with_second = rng.random(len(members)) < {"malay": 0.65, "javanese": 0.55, "dayak": 0.9, "bugis": 0.6, "madurese": 0.3}[ethnic]
            composed = np.where(with_second, first + " " + second, first)
            if ethnic == "malay":
                arab = clan[members] >= 0
                clans = np.array(_ARAB_CLANS, dtype=object)[clan[members].clip(0)]
                prefix = "Syarif " if s == 1 else "Syarifah "
                composed = np.where(arab, prefix + first + " " + clans, composed)
                noble = ~arab & (rng.random(len(members)) < 0.03)
                composed = np.where(noble, ("Uray " if s == 1 else "Utin ") + composed, composed)
            if ethnic == "bugis":
                noble = rng.random(len(members)) < 0.12
                composed = np.where(noble, "Andi " + composed, composed)
            names[members] = composed
    return _with_titles(rng, names, ethnicity, sex, age, poverty)


def _chinese_names(rng: np.random.Generator, sex: int, age: np.ndarray, clan: np.ndarray) -> np.ndarray:
    n = len(age)
    surname = np.array(_CHINESE_SURNAMES, dtype=object)[clan]
    syllables = np.array(_CHINESE_SYLLABLES, dtype=object)
    traditional = surname + " " + syllables[rng.integers(0, len(syllables), n)] + " " + syllables[rng.integers(0, len(syllables), n)]
    given = _draw(rng, _FIRST[("chinese", sex)], n)
    adopted = given + " " + np.array(_INDONESIAN_SURNAMES, dtype=object)[clan]
    western_with_clan = given + " " + surname
    # Older Pontianak Chinese mostly kept their Chinese names on the KTP; younger ones carry Indonesian names.
    p_traditional = np.where(age >= 50, 0.65, 0.25)
    draw = rng.random(n)
    return np.where(draw < p_traditional, traditional, np.where(draw < p_traditional + 0.2, western_with_clan, adopted))


def _with_titles(rng, names, ethnicity, sex, age, poverty) -> np.ndarray:
    n = len(names)
    muslim = np.isin(ethnicity, [ETHNICITIES.index(e) for e in MUSLIM])
    draw = rng.random(n)
    haji = muslim & (age >= 45) & (draw < 0.10 + 0.10 * (1 - poverty))
    names = np.where(haji, np.where(sex == 1, "H. ", "Hj. ") + names, names)
    doctorandus = ~haji & (age >= 58) & (draw > 1 - 0.05 * (1 - poverty))
    names = np.where(doctorandus, np.where(sex == 1, "Drs. ", "Dra. ") + names, names)
    graduate = (age >= 24) & (age <= 60) & (rng.random(n) < 0.08 * (1 - poverty))
    degrees = np.array(_DEGREES, dtype=object)[rng.integers(0, len(_DEGREES), n)]
    return np.where(graduate & ~doctorandus, names + degrees, names)


def officer_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Names of kelurahan staff and volunteers who sign verification sheets."""
    sex = rng.integers(1, 3, n)
    ethnicity = categorical(rng, n, ETHNICITY_SHARES)
    clan = family_clans(rng, ethnicity)
    return person_names(rng, ethnicity, sex, rng.integers(25, 55, n), clan, np.full(n, 0.5))
