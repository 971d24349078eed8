"""The incremental strategy of the per-period models (dbt_project/macros/incremental/changed_periods.sql), run by
dbt on a toy project with the project's own macro file and per-period configuration: a build writes exactly the
periods whose rows changed, logs them, and leaves the table equal to a full rebuild."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from dbt.cli.main import dbtRunner

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
MACRO = DBT_PROJECT_DIR / "macros" / "incremental" / "changed_periods.sql"

# A per-period fact (one row per payout) and a report over a 3-month window of it: a change in one period reaches
# that period of the fact, and that period and the two after it of the report.
MODELS = {
    "fct_payouts": "select period, nik, amount from main.payouts",
    "rpt_window": """
        select periods.period, sum(payouts.amount) as amount_3_months
        from (select distinct period from main.payouts) as periods
        inner join {{ ref('fct_payouts') }} as payouts
            on payouts.period between strftime(cast(periods.period || '-01' as date) - interval 2 month, '%Y-%m')
                and periods.period
        group by periods.period
    """,
}
PAYOUTS = [(f"2025-{month:02d}", f"nik{person}", 100 * month + person) for month in range(1, 7) for person in (1, 2)]


def per_period_config() -> dict:
    """The configuration every per-period model of dbt_project.yml has (its `&per_period` anchor)."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    config = project["models"]["tkpkd"]["marts"]["core"]["fct_assistance"]
    return {key: value for key, value in config.items() if key != "+tags"}, project["on-run-start"]


@pytest.fixture
def toy_project(tmp_path):
    config, on_run_start = per_period_config()
    (tmp_path / "macros").mkdir()
    for macro in MACRO.parent.glob("*.sql"):  # the on-run-start hooks create the state of both strategies
        shutil.copy(macro, tmp_path / "macros" / macro.name)
    (tmp_path / "models").mkdir()
    for name, sql in MODELS.items():
        (tmp_path / "models" / f"{name}.sql").write_text(sql)
    (tmp_path / "dbt_project.yml").write_text(yaml.safe_dump({
        "name": "toy", "version": "1.0", "config-version": 2, "profile": "toy",
        "on-run-start": on_run_start,
        "models": {"toy": config},
    }))
    warehouse = tmp_path / "toy.duckdb"
    (tmp_path / "profiles.yml").write_text(yaml.safe_dump({
        "toy": {"target": "dev", "outputs": {"dev": {"type": "duckdb", "path": str(warehouse), "threads": 2}}}
    }))
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create table payouts (period varchar, nik varchar, amount integer)")
        connection.executemany("insert into payouts values (?, ?, ?)", PAYOUTS)
    return tmp_path


def dbt_build(project: Path, *flags: str) -> None:
    result = dbtRunner().invoke(
        ["build", "--project-dir", str(project), "--profiles-dir", str(project), "--quiet", *flags]
    )
    assert result.success, result.exception


def sql(project: Path, query: str, *parameters) -> list[tuple]:
    with duckdb.connect(str(project / "toy.duckdb")) as connection:
        return connection.execute(query, list(parameters)).fetchall()


def written_periods(project: Path) -> dict[str, list[str]]:
    """The periods each model wrote in the newest build, from the log."""
    rows = sql(project, """
        select model, list(period order by period) from incremental.rebuilt_periods
        where invocation_id = (select invocation_id from incremental.rebuilt_periods order by logged_at desc limit 1)
        group by model
    """)
    return dict(rows)


def table(project: Path, name: str) -> list[tuple]:
    return sql(project, f"select * from main.{name} order by all")


def test_a_first_build_logs_every_period_and_an_unchanged_build_writes_none(toy_project):
    dbt_build(toy_project)
    months = [f"2025-{month:02d}" for month in range(1, 7)]
    assert written_periods(toy_project) == {"fct_payouts": months, "rpt_window": months}
    assert sql(toy_project, "select count(*) from incremental.rebuilt_periods where created") == [(0,)]

    dbt_build(toy_project)
    assert sql(toy_project, "select count(*) from incremental.rebuilt_periods") == [(12,)]


def test_a_correction_to_an_old_period_rewrites_that_period_and_what_reads_it_only(toy_project):
    dbt_build(toy_project)
    sql(toy_project, "update main.payouts set amount = amount + 1 where period = '2025-02' and nik = 'nik1'")
    sql(toy_project, "delete from main.payouts where period = '2025-05' and nik = 'nik2'")
    dbt_build(toy_project)
    assert written_periods(toy_project) == {
        "fct_payouts": ["2025-02", "2025-05"],
        "rpt_window": ["2025-02", "2025-03", "2025-04", "2025-05", "2025-06"],
    }
    incremental = {name: table(toy_project, name) for name in MODELS}
    dbt_build(toy_project, "--full-refresh")
    assert {name: table(toy_project, name) for name in MODELS} == incremental
    assert ("2025-02", "nik1", 202) in incremental["fct_payouts"]
    assert ("2025-05", "nik2", 502) not in incremental["fct_payouts"]


def test_a_new_period_and_a_vanished_period_are_written(toy_project):
    dbt_build(toy_project)
    sql(toy_project, "insert into main.payouts values ('2025-07', 'nik1', 701)")
    sql(toy_project, "delete from main.payouts where period = '2025-01'")
    dbt_build(toy_project)
    assert written_periods(toy_project)["fct_payouts"] == ["2025-01", "2025-07"]
    assert [row[0] for row in table(toy_project, "rpt_window")] == [f"2025-{month:02d}" for month in range(2, 8)]
