"""One materialization of the whole asset graph on generated `small` data in a temporary folder, shared by the
end-to-end tests (it costs about a minute)."""

import json
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from tkpkd_synth import generate

SEED = 2025


@dataclass(frozen=True)
class PipelineRun:
    root: Path
    inbox: Path
    truth: Path
    warehouse: Path
    analytics: Path
    result: dg.ExecuteInProcessResult
    # dbt's parse messages per dbt step of the run, read before later runs prune the steps' target folders
    dbt_parse_messages: dict[str, list[str]]


def materialize_everything() -> dg.ExecuteInProcessResult:
    """Materialize every asset for every delivered period, with the settings of the current environment variables."""
    from orchestration.runs import periods_to_run, run_main_job
    from orchestration.settings import load_settings

    return run_main_job(dg.DagsterInstance.ephemeral(), periods_to_run(load_settings()))


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory) -> PipelineRun:
    root = tmp_path_factory.mktemp("e2e")
    run = PipelineRun(
        root=root,
        inbox=root / "inbox",
        truth=root / "ground_truth",
        warehouse=root / "warehouse" / "tkpkd.duckdb",
        analytics=root / "warehouse" / "analytics.duckdb",
        result=None,
        dbt_parse_messages={},
    )
    generate(run.inbox, run.truth, scale="small", periods=12, seed=SEED)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TKPKD_INBOX", str(run.inbox))
        patch.setenv("TKPKD_WAREHOUSE", str(run.warehouse))
        patch.setenv("TKPKD_ANALYTICS", str(run.analytics))
        patch.setenv("TKPKD_EXPORTS", str(root / "exports"))
        patch.setenv("TKPKD_PSEUDONYM_SECRET", "e2e-test-secret")
        result = materialize_everything()
    return PipelineRun(**{**run.__dict__, "result": result, "dbt_parse_messages": dbt_parse_messages(result.run_id)})


# dbt's events "Unable to do partial parsing because ..." (I024) and "Partial parsing enabled: ..." (I040)
PARSE_EVENT_CODES = {"I024", "I040"}


def dbt_parse_messages(run_id: str) -> dict[str, list[str]]:
    """What dbt said about parsing in each dbt step of a run (its dbt.log, a JSON event per line)."""
    from orchestration.settings import DBT_PROJECT_DIR

    messages = {}
    for log in (DBT_PROJECT_DIR / "target").glob(f"*-{run_id[:7]}-*/dbt.log"):
        events = (json.loads(line)["info"] for line in log.read_text().splitlines() if line.startswith("{"))
        step = log.parent.name.rsplit("-", 2)[0]
        messages[step] = [event["msg"] for event in events if event.get("code") in PARSE_EVENT_CODES]
    return messages
