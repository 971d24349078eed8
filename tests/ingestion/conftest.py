"""Fixtures for the ingestion tests: the contract, an in-memory warehouse, an inbox in tmp_path."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.contract import SourceSpec, load_contract


@pytest.fixture(scope="session")
def contract() -> dict[str, SourceSpec]:
    return load_contract()


@pytest.fixture
def conn():
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    return path
