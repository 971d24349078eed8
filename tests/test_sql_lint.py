"""The sqlfluff set-up of `make lint` (.sqlfluff, dbt_project/sqlfluff_context/; docs/design.md, "Linting").

`make lint` itself checks that the SQL is clean; these check that the configuration says what the docs say (house
rules on, the templater's dbt context giving the real vars), so that a clean lint means something.
"""

from __future__ import annotations

import importlib.util

import pytest
import sqlfluff
import yaml

from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

PROJECT_CONFIG = str(REPO_ROOT / ".sqlfluff")


@pytest.fixture(scope="module")
def dbt_context():
    spec = importlib.util.spec_from_file_location(
        "sqlfluff_context", DBT_PROJECT_DIR / "sqlfluff_context" / "__init__.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rule_codes(sql: str) -> set[str]:
    return {finding["code"] for finding in sqlfluff.lint(sql, config_path=PROJECT_CONFIG)}


def test_house_rules_flag_upper_case_double_colon_casts_and_implicit_aliases():
    codes = _rule_codes("SELECT Count(*) AS n, x::INTEGER AS y\nFROM t u\n")
    assert {"CP01", "CP03", "CP05", "CV11", "AL01"} <= codes


def test_house_style_sql_is_clean():
    sql = (
        "with periods as (\n"
        "    select period, period_end from {{ ref('int_periods') }}\n"
        ")\n\n"
        "select\n"
        "    periods.period,\n"
        "    cast(count(*) as bigint) as families\n"
        "from periods\n"
        "left join {{ ref('fct_family_month') }} as families\n"
        "    on families.period = periods.period\n"
        "    and families.period_end >= periods.period_end\n"
        "group by periods.period\n"
    )
    assert _rule_codes(sql) == set()


def test_dbt_context_gives_the_project_vars_and_the_defaults_of_the_others(dbt_context):
    project_vars = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    assert dbt_context.var("tkpkd_bounds") == project_vars["tkpkd_bounds"]
    assert dbt_context.var("period_range", None) is None
    with pytest.raises(KeyError, match="no_such_var"):
        dbt_context.var("no_such_var")


def test_dbt_context_renders_what_dbt_parse_renders(dbt_context):
    # execute is false while dbt parses: the macros that look up tables render their no-table branch
    assert dbt_context.execute is False
    assert dbt_context.adapter.get_relation(database="tkpkd", schema="raw", identifier="bansos") is None
