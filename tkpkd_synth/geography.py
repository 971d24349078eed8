"""Kota Pontianak: kecamatan and kelurahan with their official codes, RW/RT layout, spellings, and places of origin.

Codes and official names come from the bundled reference CSVs (see `reference/README.md` for their sources and
licences). Everything else here (relative sizes, welfare levels, puskesmas catchments, streets) is plausible
colour for synthetic data, not an official statistic.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from tkpkd_synth.randomness import categorical

# Perda 7/2020: a new RT needs at least 50 families; established RTs hold 50-100. Pontianak Utara has 573 RT in
# 135 RW, Pontianak Barat 561 in 105: about 4-5 RT per RW.
FAMILIES_PER_RT = 72
RT_PER_RW = 4.3
# Small scales still get a few RW with a few RT each, so that RT/RW parsing and RT-level reports have something
# to chew on.
MIN_RW_PER_KELURAHAN = 2
MIN_RT_PER_RW = 3

# Agencies write the official one-word names apart (contract, M5).
SPELLED_APART = {
    "Benuamelayu Laut": "Benua Melayu Laut",
    "Benuamelayu Darat": "Benua Melayu Darat",
    "Parittokaya": "Parit Tokaya",
    "Kotabaru": "Kota Baru",
    "Paritmayor": "Parit Mayor",
    "Dalambugis": "Dalam Bugis",
    "Tambelansampit": "Tambelan Sampit",
    "Pallima": "Pal Lima",
    "Sungaijawi Dalam": "Sungai Jawi Dalam",
    "Sungaijawi Luar": "Sungai Jawi Luar",
    "Sungaibeliung": "Sungai Beliung",
    "Batulayang": "Batu Layang",
    "Sungaibangkong": "Sungai Bangkong",
    "Daratsekip": "Darat Sekip",
    "Sungaijawi": "Sungai Jawi",
    "Bangkabelitung Laut": "Bangka Belitung Laut",
    "Bangkabelitung Darat": "Bangka Belitung Darat",
}

# Names that are not kelurahan of Kota Pontianak: neighbouring Kubu Raya and Mempawah villages that residents
# give as an address, and typos no alias table should guess at. Rows carrying them must be quarantined.
UNKNOWN_KELURAHAN = (
    "Sungai Raya", "Sungai Ambawang Kuala", "Punggur Kecil", "Wajok Hulu",
    "Parit Tokayo", "Benua Melayu Tengah", "Bansir Tengah", "Siantan Baru",
)

# kelurahan code -> (relative size, welfare shift, puskesmas). Riverside and northern kelurahan are poorer.
_KELURAHAN_COLOUR = {
    "61.71.01.1002": (10, 0.10, "Puskesmas Gang Sehat"),
    "61.71.01.1003": (20, 0.20, "Puskesmas Kampung Bangka"),
    "61.71.01.1004": (25, 0.25, "Puskesmas Purnama"),
    "61.71.01.1005": (22, 0.30, "Puskesmas Kampung Bangka"),
    "61.71.01.1006": (13, 0.30, "Puskesmas Gang Sehat"),
    "61.71.02.1001": (8, -0.45, "Puskesmas Parit Mayor"),
    "61.71.02.1002": (14, -0.40, "Puskesmas Banjar Serasan"),
    "61.71.02.1003": (17, -0.30, "Puskesmas Saigon"),
    "61.71.02.1004": (20, -0.25, "Puskesmas Tanjung Hulu"),
    "61.71.02.1005": (13, -0.40, "Puskesmas Tanjung Hulu"),
    "61.71.02.1006": (18, -0.40, "Puskesmas Kampung Dalam"),
    "61.71.02.1007": (10, -0.50, "Puskesmas Kampung Dalam"),
    "61.71.03.1001": (35, -0.05, "Puskesmas Pal Lima"),
    "61.71.03.1002": (30, -0.05, "Puskesmas Perumnas II"),
    "61.71.03.1003": (35, 0.00, "Puskesmas Perumnas I"),
    "61.71.03.1004": (45, -0.10, "Puskesmas Kom Yos Sudarso"),
    "61.71.04.1001": (50, -0.20, "Puskesmas Siantan Hulu"),
    "61.71.04.1002": (35, -0.25, "Puskesmas Siantan Tengah"),
    "61.71.04.1003": (30, -0.35, "Puskesmas Siantan Hilir"),
    "61.71.04.1004": (25, -0.40, "Puskesmas Khatulistiwa"),
    "61.71.05.1001": (40, 0.10, "Puskesmas Alianyang"),
    "61.71.05.1002": (15, 0.20, "Puskesmas Kampung Bali"),
    "61.71.05.1003": (10, 0.25, "Puskesmas Kampung Bali"),
    "61.71.05.1004": (12, 0.20, "Puskesmas Alianyang"),
    "61.71.05.1005": (40, 0.05, "Puskesmas Pal Tiga"),
    "61.71.06.1001": (15, 0.15, "Puskesmas Paris II"),
    "61.71.06.1002": (17, 0.15, "Puskesmas Karya Mulya"),
    "61.71.06.1003": (10, 0.20, "Puskesmas Telaga Biru"),
    "61.71.06.1004": (13, 0.15, "Puskesmas Paris II"),
}

_STREETS = {
    1: ("Jl. Gajah Mada", "Jl. Tanjungpura", "Jl. Ahmad Yani", "Jl. Veteran", "Jl. Sisingamangaraja", "Jl. Karna Sosial"),
    2: ("Jl. Tanjung Raya I", "Jl. Tanjung Raya II", "Jl. Ya’ M. Sabran", "Jl. Panglima Aim", "Jl. Tritura", "Jl. Sultan Syahrir"),
    3: ("Jl. Kom Yos Sudarso", "Jl. Pak Kasih", "Jl. Dr. Wahidin Sudirohusodo", "Jl. Tabrani Ahmad", "Jl. Husein Hamzah", "Jl. Apel"),
    4: ("Jl. Khatulistiwa", "Jl. Gusti Situt Mahmud", "Jl. 28 Oktober", "Jl. Selat Panjang", "Jl. Budi Utomo", "Jl. Kebangkitan Nasional"),
    5: ("Jl. Prof. M. Yamin", "Jl. Sultan Abdurrahman", "Jl. Johar", "Jl. Merdeka", "Jl. H. Rais A. Rahman", "Jl. Hasanuddin"),
    6: ("Jl. Paris II", "Jl. Imam Bonjol", "Jl. Perdana", "Jl. Parit Haji Husin II", "Jl. Sepakat II", "Jl. Reformasi"),
}
_GANG = (
    "Mawar", "Melati", "Family", "Karya Baru", "Sepakat", "Damai", "Harapan Jaya", "Swadaya", "Bersatu", "Kenanga",
    "Haji Mursyid", "Setia Budi", "Al-Ikhlas", "Bhakti", "Suka Maju", "Purnama Agung", "Teratai", "Wonodadi",
)
_ESTATES = ("Komp. Villa Gading", "Perum Bumi Khatulistiwa", "Komp. Pondok Agung", "Perum Griya Praja", "Komp. Mitra Indah")


@dataclass(frozen=True)
class Kecamatan:
    number: int          # the CC of Kemendagri PP.KK.CC: 1..6
    code: str            # Kemendagri dotted, 61.71.01
    bps_code: str        # BPS 7-digit, as DTSEN/Regsosek extracts carry it
    name: str            # upper case, as BPS and SIAK write it


@dataclass(frozen=True)
class Kelurahan:
    code: str            # Kemendagri dotted, 61.71.01.1002
    name: str            # official spelling
    kecamatan: Kecamatan
    size: float
    welfare_shift: float
    puskesmas: str

    @property
    def number(self) -> int:
        """The DDDD part, as SIAK exports it in NO_KEL."""
        return int(self.code.rsplit(".", 1)[1])

    @property
    def apart(self) -> str:
        """The spelling agencies usually type: words apart."""
        return SPELLED_APART.get(self.name, self.name)

    def variants(self) -> tuple[str, ...]:
        """Spellings that differ from the official one but that an alias table plus normalisation must accept."""
        apart = self.apart
        found = [apart, apart.upper(), self.name.upper(), apart.lower(), apart.upper().replace(" ", "")]
        if apart.startswith("Sungai "):
            found += [apart.replace("Sungai ", "Sei "), apart.replace("Sungai ", "Sei. "), apart.replace("Sungai ", "SEI ").upper()]
        if apart.endswith(" Dalam"):
            found.append(apart.removesuffix("Dalam") + "Dlm")
            if apart.startswith("Sungai "):
                found.append(apart.replace("Sungai ", "Sei ").removesuffix("Dalam") + "Dlm")
        return tuple(dict.fromkeys(v for v in found if v != self.name))


def _reference_rows(name: str) -> list[dict[str, str]]:
    with resources.files("tkpkd_synth").joinpath("reference", name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def load_geography() -> Geography:
    bps_by_dagri = {row["kode_dagri_dotted"]: row["kode_bps"] for row in _reference_rows("kecamatan_bps_kemendagri_6171.csv")}
    kecamatan: dict[str, Kecamatan] = {}
    kelurahan: list[Kelurahan] = []
    for row in _reference_rows("wilayah_6171.csv"):
        if row["level"] == "kecamatan":
            kecamatan[row["kode"]] = Kecamatan(
                number=int(row["kode"].rsplit(".", 1)[1]), code=row["kode"], bps_code=bps_by_dagri[row["kode"]],
                name=row["nama"].upper(),
            )
        elif row["level"] == "kelurahan":
            size, shift, puskesmas = _KELURAHAN_COLOUR[row["kode"]]
            kelurahan.append(Kelurahan(row["kode"], row["nama"], kecamatan[row["kode"].rsplit(".", 1)[0]], size, shift, puskesmas))
    return Geography(tuple(kecamatan.values()), tuple(kelurahan))


@dataclass(frozen=True)
class Geography:
    kecamatan: tuple[Kecamatan, ...]
    kelurahan: tuple[Kelurahan, ...]

    @property
    def sizes(self) -> np.ndarray:
        return np.array([k.size for k in self.kelurahan], dtype=float)

    @property
    def welfare_shifts(self) -> np.ndarray:
        return np.array([k.welfare_shift for k in self.kelurahan])

    @property
    def kecamatan_numbers(self) -> np.ndarray:
        """Per kelurahan, its kecamatan's CC number (1..6)."""
        return np.array([k.kecamatan.number for k in self.kelurahan])

    def kelurahan_array(self, attribute: str) -> np.ndarray:
        return np.array([getattr(k, attribute) for k in self.kelurahan], dtype=object)

    def kecamatan_array(self, attribute: str) -> np.ndarray:
        return np.array([getattr(k.kecamatan, attribute) for k in self.kelurahan], dtype=object)


@dataclass(frozen=True)
class NeighbourhoodLayout:
    """The RW and RT of each kelurahan: unit i of kelurahan k is (rw[k][i], rt[k][i]) with a settlement weight."""

    rw: tuple[np.ndarray, ...]
    rt: tuple[np.ndarray, ...]
    weight: tuple[np.ndarray, ...]

    @classmethod
    def plan(cls, rng: np.random.Generator, families_per_kelurahan: np.ndarray) -> NeighbourhoodLayout:
        rws, rts, weights = [], [], []
        for families in families_per_kelurahan:
            rw_count = max(MIN_RW_PER_KELURAHAN, round(families / FAMILIES_PER_RT / RT_PER_RW))
            rt_count = max(rw_count * MIN_RT_PER_RW, round(families / FAMILIES_PER_RT))
            # RT numbers restart in every RW, as in Pontianak: RT 003 exists in RW 001 and RW 002.
            per_rw = np.full(rw_count, rt_count // rw_count)
            per_rw[rng.permutation(rw_count)[: rt_count % rw_count]] += 1
            rws.append(np.repeat(np.arange(1, rw_count + 1), per_rw))
            rts.append(np.concatenate([np.arange(1, n + 1) for n in per_rw]))
            # Uneven RT sizes (50-100 families around the mean) rather than a perfectly even spread.
            weights.append(rng.gamma(8.0, 1.0, size=rt_count))
        return cls(tuple(rws), tuple(rts), tuple(weights))

    def place(self, rng: np.random.Generator, kelurahan: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rw = np.zeros(len(kelurahan), dtype=np.int16)
        rt = np.zeros(len(kelurahan), dtype=np.int16)
        for k in range(len(self.rw)):
            members = np.flatnonzero(kelurahan == k)
            if len(members):
                unit = categorical(rng, len(members), self.weight[k])
                rw[members] = self.rw[k][unit]
                rt[members] = self.rt[k][unit]
        return rw, rt

    @property
    def rt_count(self) -> int:
        return sum(len(r) for r in self.rt)

    @property
    def rw_count(self) -> int:
        return sum(len(np.unique(r)) for r in self.rw)


def addresses(rng: np.random.Generator, kecamatan_number: np.ndarray, poverty: np.ndarray) -> np.ndarray:
    """Street addresses; richer families more often live in a housing estate, poorer ones down a gang."""
    n = len(kecamatan_number)
    street_pick = rng.integers(0, 6, n)
    gang_pick = rng.integers(0, len(_GANG), n)
    estate_pick = rng.integers(0, len(_ESTATES), n)
    house = rng.integers(1, 160, n)
    style = rng.random(n)
    in_estate = style < 0.25 * (1 - poverty)
    in_gang = ~in_estate & (style < 0.25 * (1 - poverty) + 0.55 + 0.3 * poverty)
    block = rng.integers(0, 8, n)
    out = np.empty(n, dtype=object)
    for i in range(n):
        street = _STREETS[int(kecamatan_number[i])][street_pick[i]]
        if in_estate[i]:
            out[i] = f"{_ESTATES[estate_pick[i]]} Blok {'ABCDEFGH'[block[i]]} No. {house[i]}"
        elif in_gang[i]:
            # Some clerks put a comma between street and gang: CSV writers must quote it.
            separator = ", " if block[i] == 0 else " "
            out[i] = f"{street}{separator}Gg. {_GANG[gang_pick[i]]} No. {house[i]}"
        else:
            out[i] = f"{street} No. {house[i]}"
    return out


@dataclass(frozen=True)
class Place:
    """A regency or city people come from: the first four NIK digits and the TMPT_LHR Dukcapil writes."""

    code: int
    name: str
    kecamatan_count: int
    weight: float
    ethnicities: tuple[str, ...]
    in_kalbar: bool


# Places of first registration for people not registered in Pontianak. Weights favour the neighbouring regencies;
# `ethnicities` tilts the draw (Madurese from Madura, Bugis from South Sulawesi) without excluding anyone.
PLACES = (
    Place(6112, "KUBU RAYA", 9, 25, ("malay", "madurese", "javanese"), True),
    Place(6104, "MEMPAWAH", 9, 15, ("malay", "bugis", "dayak"), True),
    Place(6101, "SAMBAS", 19, 12, ("malay", "chinese"), True),
    Place(6172, "SINGKAWANG", 5, 10, ("chinese", "malay"), True),
    Place(6103, "LANDAK", 13, 8, ("dayak",), True),
    Place(6105, "SANGGAU", 15, 7, ("dayak", "malay"), True),
    Place(6106, "KETAPANG", 20, 7, ("malay", "dayak"), True),
    Place(6102, "BENGKAYANG", 17, 5, ("dayak", "chinese"), True),
    Place(6107, "SINTANG", 14, 5, ("dayak", "malay"), True),
    Place(6108, "KAPUAS HULU", 23, 3, ("dayak",), True),
    Place(6109, "SEKADAU", 7, 2, ("dayak",), True),
    Place(6110, "MELAWI", 11, 2, ("dayak",), True),
    Place(6111, "KAYONG UTARA", 6, 2, ("malay",), True),
    Place(3526, "BANGKALAN", 18, 10, ("madurese",), False),
    Place(3527, "SAMPANG", 14, 8, ("madurese",), False),
    Place(3528, "PAMEKASAN", 13, 5, ("madurese",), False),
    Place(3578, "SURABAYA", 31, 6, ("javanese", "madurese", "chinese"), False),
    Place(3171, "JAKARTA", 8, 6, ("javanese", "chinese", "malay"), False),
    Place(3374, "SEMARANG", 16, 5, ("javanese", "chinese"), False),
    Place(3471, "YOGYAKARTA", 14, 3, ("javanese",), False),
    Place(7371, "MAKASSAR", 15, 5, ("bugis",), False),
    Place(7308, "BONE", 27, 6, ("bugis",), False),
    Place(6371, "BANJARMASIN", 5, 4, ("malay", "javanese"), False),
    Place(6472, "SAMARINDA", 10, 3, ("bugis", "javanese"), False),
    Place(1371, "PADANG", 11, 3, ("malay",), False),
    Place(1275, "MEDAN", 21, 4, ("chinese", "malay"), False),
    Place(3273, "BANDUNG", 30, 4, ("javanese",), False),
)
PONTIANAK_CODE = 6171
PONTIANAK_BIRTHPLACE = "PONTIANAK"
