# The two commands a new user needs: `make run` (the main job on the bundled sample) and `make test`.
# Everything installs itself: uv from PyPI if missing, then the locked environment in .venv.
# The environment is installed with its bytecode compiled: where PYTHONDONTWRITEBYTECODE is set (these machines),
# Python never caches it, and every process (each dbt step, each CLI call) would compile dbt's and dagster's 11,000
# modules again: about 2 s per process.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV := $(PYTHON) -m uv
UV_VERSION := 0.13.8
RUN := $(UV) run --frozen
DAGSTER_HOME ?= $(CURDIR)/.dagster_home
DBT_MANIFEST := dbt_project/target/manifest.json
DBT_PROJECT_FILES := dbt_project/dbt_project.yml $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f 2>/dev/null)

.PHONY: setup manifest run test test-fast fuzz ui generate summary benchmark score-identity lint lint-fix clean suites generate-dbt-sources check-dashboard render-pdf spark

.venv/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $@

## The environment and the dbt manifest the Dagster code location reads its asset graph from
setup: .venv/.synced manifest

## `dbt parse` of dbt_project/ with the run's vars and profile (so dbt steps reuse its partial parse state), again
## whenever one of its files is newer than the manifest
manifest: $(DBT_MANIFEST)

$(DBT_MANIFEST): .venv/.synced $(DBT_PROJECT_FILES)
	$(RUN) python -m orchestration.dbt_targets
	@touch $@

## The main job: generate the sample inbox if it is empty, then materialise every asset into data/warehouse/tkpkd.duckdb
run: setup
	$(RUN) tkpkd run

## Every test: unit, dbt and end-to-end, on TEST_WORKERS processes (pytest-xdist; TEST_WORKERS=0 runs them in this
## one, as plain `uv run pytest` does). A test file stays on one worker, and so do the tests of the end-to-end run
## (tests/conftest.py).
TEST_WORKERS ?= 2
PYTEST := $(RUN) pytest -n $(TEST_WORKERS) --dist loadgroup

test: setup
	$(PYTEST)

## Unit tests only (skips the end-to-end materialisation and the slow tests)
test-fast: setup
	$(PYTEST) -m "not e2e and not slow"

## Fault injection on the tiny sample: hostile and random files, then SIGKILLs inside the run's steps (KILLS=6), each
## compared with a reference run (scripts/fault_injection.py; minutes per kill)
fuzz: setup
	$(RUN) python scripts/fault_injection.py all --kills $(or $(KILLS),6)

## The dbt selector `spark` built on a local Apache Spark from the raw tables of the warehouse (docs/scale-out.md);
## SPARK_DIR (default data/spark) holds its tables, logs and dbt artifacts
spark: setup
	$(RUN) python -m orchestration.spark data/warehouse/tkpkd.duckdb $(or $(SPARK_DIR),data/spark)

## Open the dashboard of the last run in headless Chromium at 360 and 1400 px: every chart drawn, no page error, no label
## covered or cut (apt-get install chromium)
check-dashboard: setup
	$(RUN) python -m orchestration.dashboard.browser_check

## The exported workbooks as PDF in data/print_preview, to check them on paper (needs LibreOffice:
## apt-get install --no-install-recommends libreoffice-calc; scripts/render_workbooks_pdf.py)
render-pdf: setup
	$(RUN) python scripts/render_workbooks_pdf.py

## The Dagster UI on workspace.yaml, with a persistent instance in .dagster_home
ui: setup
	@mkdir -p $(DAGSTER_HOME) && cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME) $(RUN) dagster dev -w workspace.yaml

## The pipeline benchmark (SCALE=small|city|province): full run, one new period, the same SQL raw, a pandas peer,
## peak memory; a table printed and data/benchmarks/<scale>-<time>.json (docs/benchmarks.md, "Pipeline benchmark")
benchmark: setup
	$(RUN) python benchmarks/pipeline.py --scale $(or $(SCALE),small)

## Rewrite the quality gates' suites in expectations/ from the source contract
suites: setup
	$(RUN) python -m orchestration.quality.suites

## Rewrite the dbt files that list the sources (the raw sources file, the staging_sources() registry) from the contract
generate-dbt-sources: setup
	$(RUN) python -m orchestration.contract.dbt_files

## Identity resolution scored against the generator's ground truth (SCALE=small|city): precision, recall, time, memory
score-identity: setup
	$(RUN) tkpkd score-identity --scale $(or $(SCALE),small)

generate: setup
	$(RUN) tkpkd generate --force

summary: setup
	$(RUN) tkpkd summary

## ruff over the Python, sqlfluff over the dbt SQL (.sqlfluff, .sqlfluffignore; docs/design.md, "Linting")
lint: setup
	$(RUN) ruff check .
	$(RUN) sqlfluff lint dbt_project --processes 2

## sqlfluff's fixes for what it can fix itself (layout, casts, capitalisation); the rest it reports
lint-fix: setup
	$(RUN) sqlfluff fix dbt_project --processes 2

clean:
	rm -rf data/warehouse data/exports data/print_preview data/logs dbt_project/target dbt_project/logs
