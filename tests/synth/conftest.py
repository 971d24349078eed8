"""Tiny synthetic inboxes shared by the generator tests (each takes about a second)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from tkpkd_synth import GenerationSummary, generate


@dataclass(frozen=True)
class Generated:
    inbox: Path
    truth: Path
    summary: GenerationSummary

    @property
    def files(self) -> pd.DataFrame:
        return pd.read_parquet(self.truth / "files.parquet")

    @property
    def rows(self) -> pd.DataFrame:
        return pd.read_parquet(self.truth / "rows.parquet")


def make(root: Path, **options) -> Generated:
    inbox, truth = root / "inbox", root / "truth"
    return Generated(inbox, truth, generate(inbox, truth, scale="tiny", **options))


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> Generated:
    return make(tmp_path_factory.mktemp("tiny"), seed=42)


@pytest.fixture(scope="session")
def tiny_again(tmp_path_factory) -> Generated:
    return make(tmp_path_factory.mktemp("tiny_again"), seed=42)


@pytest.fixture(scope="session")
def tiny_clean(tmp_path_factory) -> Generated:
    return make(tmp_path_factory.mktemp("tiny_clean"), seed=42, defect_rate=0.0)
