"""Registers `pseudonym(kind, identifier)` on dbt's DuckDB connections, keyed by the configured secret.

dbt models call it to turn a normalised NIK or KK number into `person_key` / `family_key`. The secret comes from
the project settings (TKPKD_PSEUDONYM_SECRET) unless the profile passes one, and never appears in SQL, in dbt's
logs or in the warehouse.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from orchestration.pseudonym import Pseudonymiser
from orchestration.settings import load_settings


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        secret = plugin_config.get("secret") or load_settings().pseudonym_secret
        self._pseudonymiser = Pseudonymiser(secret)

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        key = self._pseudonymiser.key

        def pseudonym(kinds: pa.Array, identifiers: pa.Array) -> pa.Array:
            return pa.array(
                [key(kind, value) for kind, value in zip(kinds.to_pylist(), identifiers.to_pylist())],
                type=pa.string(),
            )

        conn.create_function(
            "pseudonym", pseudonym, ["VARCHAR", "VARCHAR"], "VARCHAR", type="arrow", null_handling="special"
        )
