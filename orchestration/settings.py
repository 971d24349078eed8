"""Configuration from environment variables.

Every path the pipeline touches is configurable; the defaults are the repository's `data/` folder so that the
README's two commands work on a fresh clone. Relative paths are resolved against the repository root, not the
current directory, so the Dagster UI, the CLI and the tests agree on where things are.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from orchestration.inbox import is_url

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_WAREHOUSE = "data/warehouse/tkpkd.duckdb"

# A development secret that only ever pseudonymises synthetic sample data. It is public (it is in the repository),
# so anyone could recompute keys made with it: production refuses it, development warns when it falls back to it.
DEVELOPMENT_PSEUDONYM_SECRET = "tkpkd-development-secret-for-synthetic-data-only"

ENVIRONMENTS = ("development", "production")
# 32 bytes = 256 bits, the key size of the HMAC-SHA256 the pseudonyms are made with.
MINIMUM_SECRET_BYTES = 32
SECRET_ADVICE = (
    "Generate one with `python -c \"import secrets; print(secrets.token_urlsafe(48))\"` and give it to the pipeline "
    "as TKPKD_PSEUDONYM_SECRET from the service manager, or store it in a file readable only by the pipeline user "
    "(chmod 600) and set TKPKD_PSEUDONYM_SECRET_FILE to its path. Keep it: changing it changes every pseudonym."
)


class ProductionSettingsError(RuntimeError):
    """A production deployment is configured unsafely; the message says what to fix (never the secret itself)."""

# DuckDB's own default is 80% of RAM per database instance, and a dbt run holds two at once (the warehouse and
# Splink's in-memory one). Some operators allocate outside that limit, so DuckDB advises 50-60% against OOM kills;
# below it, large joins spill to a temporary folder instead.
DEFAULT_DUCKDB_MEMORY_LIMIT = "60%"


def duckdb_memory_limit() -> str:
    """The memory_limit of every DuckDB database the pipeline opens (TKPKD_DUCKDB_MEMORY_LIMIT: `60%`, `8GB`)."""
    return os.environ.get("TKPKD_DUCKDB_MEMORY_LIMIT") or DEFAULT_DUCKDB_MEMORY_LIMIT


# Under the warehouse's folder, not DuckDB's default `.tmp` in whatever directory an in-memory engine was opened from:
# spilled blocks then land on the disk the operator sized for the warehouse, and one folder holds every engine's.
# DuckDB names its files by process and database instance, so the engines of one run can share it.
DUCKDB_TEMP_FOLDER_NAME = ".tmp"


def duckdb_temp_directory() -> Path:
    """Where every DuckDB engine of the pipeline spills beyond its memory limit (TKPKD_DUCKDB_TEMP_DIRECTORY; default
    `.tmp` in the warehouse file's folder, `data/warehouse/.tmp`)."""
    warehouse_folder = _path_from_env("TKPKD_WAREHOUSE", DEFAULT_WAREHOUSE).parent
    return _path_from_env("TKPKD_DUCKDB_TEMP_DIRECTORY", str(warehouse_folder / DUCKDB_TEMP_FOLDER_NAME))


# The earliest reporting period the warehouse serves: DTSEN, the registry every indicator starts from, began in 2025.
DEFAULT_FIRST_PERIOD = "2025-01"


def first_period() -> str:
    """The first monthly partition (TKPKD_FIRST_PERIOD, `YYYY-MM`). Files of an earlier period are refused by name."""
    period = os.environ.get("TKPKD_FIRST_PERIOD") or DEFAULT_FIRST_PERIOD
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        raise ValueError(f"TKPKD_FIRST_PERIOD must be a month YYYY-MM (e.g. 2025-01), not {period!r}")
    return period


# A file modified less than this many seconds ago may still be being copied in: the main job and the inbox sensor
# leave it for a later look (the loader's own default is 0, for callers that know their files are complete).
DEFAULT_INBOX_SETTLE_SECONDS = 30.0


def number_from_env(variable: str, default: float, minimum: float = 0, maximum: float | None = None) -> float:
    """A number setting: the default when unset; a clear error naming the variable when it is no number or out of
    bounds."""
    raw = os.environ.get(variable)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not (value >= minimum and (maximum is None or value <= maximum)):
        bounds = f"from {minimum:g} to {maximum:g}" if maximum is not None else f">= {minimum:g}"
        raise ValueError(f"{variable} must be a number {bounds}, not {raw!r}")
    return value


def inbox_settle_seconds() -> float:
    """TKPKD_INBOX_SETTLE_SECONDS: how long an inbox file must be unmodified before the main job reads it."""
    return number_from_env("TKPKD_INBOX_SETTLE_SECONDS", DEFAULT_INBOX_SETTLE_SECONDS)


def _path_from_env(variable: str, default: str) -> Path:
    path = Path(os.environ.get(variable) or default).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


@dataclass(frozen=True)
class Settings:
    inbox: Path  # the local folder the loader reads: the inbox itself, or the mirror of a remote one
    inbox_location: str  # TKPKD_INBOX as configured: a local folder, or an fsspec URL (orchestration/inbox.py)
    warehouse: Path
    analytics: Path
    exports: Path
    quality_docs: Path
    quality_thresholds: Path
    pseudonym_secret: str
    uses_development_secret: bool
    environment: str = "development"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def dagster_home(self) -> Path:
        """The Dagster instance `tkpkd run` and `make ui` share (DAGSTER_HOME, default `.dagster_home/`), so the UI
        shows the runs, materializations and check results of the command line too."""
        return _path_from_env("DAGSTER_HOME", ".dagster_home")

    @property
    def logs(self) -> Path:
        """Where `tkpkd run` writes each run's full event log (TKPKD_LOG_DIR, default `data/logs/`)."""
        return _path_from_env("TKPKD_LOG_DIR", "data/logs")

    @property
    def ground_truth(self) -> Path:
        """Where the sample generator writes its ground truth: beside the inbox."""
        return self.inbox.parent / "ground_truth"

    def dbt_env(self) -> dict[str, str]:
        """Environment for dbt subprocesses: profiles.yml reads the warehouse path and secret from it."""
        return {
            "TKPKD_WAREHOUSE": str(self.warehouse),
            "TKPKD_PSEUDONYM_SECRET": self.pseudonym_secret,
            "TKPKD_DUCKDB_MEMORY_LIMIT": duckdb_memory_limit(),
            "TKPKD_DUCKDB_TEMP_DIRECTORY": str(duckdb_temp_directory()),
        }


def _environment() -> str:
    environment = (os.environ.get("TKPKD_ENV") or "development").strip().lower()
    if environment not in ENVIRONMENTS:
        raise ProductionSettingsError(f"TKPKD_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")
    return environment


def _configured_secret() -> str:
    """TKPKD_PSEUDONYM_SECRET, or the content of the file TKPKD_PSEUDONYM_SECRET_FILE names (one wins, never both)."""
    secret = os.environ.get("TKPKD_PSEUDONYM_SECRET", "")
    secret_file = os.environ.get("TKPKD_PSEUDONYM_SECRET_FILE", "")
    if secret and secret_file:
        raise ProductionSettingsError("Set TKPKD_PSEUDONYM_SECRET or TKPKD_PSEUDONYM_SECRET_FILE, not both.")
    if not secret_file:
        return secret
    try:
        return Path(secret_file).expanduser().read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ProductionSettingsError(
            f"TKPKD_PSEUDONYM_SECRET_FILE={secret_file} cannot be read ({error.strerror}). {SECRET_ADVICE}"
        ) from None


def _refuse_unsafe_production_secret(secret: str) -> None:
    if not secret:
        problem = "no pseudonym secret is set"
    elif secret == DEVELOPMENT_PSEUDONYM_SECRET:
        problem = "the pseudonym secret is the public development secret from the repository"
    elif len(secret.encode("utf-8")) < MINIMUM_SECRET_BYTES:
        problem = f"the pseudonym secret is shorter than {MINIMUM_SECRET_BYTES} bytes"
    else:
        return
    raise ProductionSettingsError(f"TKPKD_ENV=production refuses to start: {problem}. {SECRET_ADVICE}")


DEVELOPMENT_SECRET_WARNING = (
    "TKPKD_PSEUDONYM_SECRET is not set: using the development secret, fit only for synthetic data."
)


def load_settings() -> Settings:
    """The settings; in production (TKPKD_ENV=production) raises ProductionSettingsError on an unsafe secret."""
    environment = _environment()
    secret = _configured_secret()
    if environment == "production":
        _refuse_unsafe_production_secret(secret)
    uses_development_secret = not secret
    if uses_development_secret:
        warnings.warn(DEVELOPMENT_SECRET_WARNING, stacklevel=2)
        secret = DEVELOPMENT_PSEUDONYM_SECRET
    warehouse = _path_from_env("TKPKD_WAREHOUSE", DEFAULT_WAREHOUSE)
    inbox_location = os.environ.get("TKPKD_INBOX") or "data/inbox"
    remote_inbox = is_url(inbox_location)
    inbox = (
        _path_from_env("TKPKD_INBOX_MIRROR", "data/inbox_mirror")
        if remote_inbox
        else _path_from_env("TKPKD_INBOX", "data/inbox")
    )
    return Settings(
        inbox=inbox,
        inbox_location=inbox_location if remote_inbox else str(inbox),
        warehouse=warehouse,
        analytics=_path_from_env("TKPKD_ANALYTICS", "data/warehouse/analytics.duckdb"),
        exports=_path_from_env("TKPKD_EXPORTS", "data/exports"),
        # Beside the warehouse's folder by default (data/quality/data_docs), so a temporary warehouse gets its own.
        quality_docs=_path_from_env("TKPKD_QUALITY_DOCS", str(warehouse.parent.parent / "quality" / "data_docs")),
        quality_thresholds=_path_from_env("TKPKD_QUALITY_THRESHOLDS", "expectations/thresholds.yml"),
        pseudonym_secret=secret,
        uses_development_secret=uses_development_secret,
        environment=environment,
    )
