"""Source builders: the world's truth turned into the logical files each agency delivers, in contract order."""

from __future__ import annotations

from collections.abc import Iterator

from tkpkd_synth.sources import assistance, empowerment, registers
from tkpkd_synth.tables import LogicalFile
from tkpkd_synth.world import World


def build_files(world: World) -> Iterator[LogicalFile]:
    """Every delivery of the window, source by source (contract order), oldest period first within a source."""
    yield from registers.build(world)
    yield from assistance.build_bansos(world)
    yield from assistance.build_jkn(world)
    yield from assistance.build_layanan_kesehatan(world)
    yield from assistance.build_rtlh(world)
    yield from assistance.build_air_bersih(world)
    yield from assistance.build_sanitasi(world)
    yield from empowerment.build_pelatihan(world)
    yield from empowerment.build_umkm(world)
    yield from empowerment.build_kur(world)
    yield from empowerment.build_mitra(world)
