"""The committed dbt files that list the sources are what the generator writes from the contract."""

from orchestration.contract.dbt_files import build_files
from orchestration.settings import DBT_PROJECT_DIR


def test_the_committed_dbt_source_files_are_what_the_generator_writes():
    for relative, text in build_files().items():
        committed = (DBT_PROJECT_DIR / relative).read_text(encoding="utf-8")
        assert committed == text, f"{relative} is stale: run `make generate-dbt-sources`"
