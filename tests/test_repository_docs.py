"""The repository carries its own definitions: no tracked file cites a path outside it (the contract once lived in a
sibling folder that a clone does not have), every page and heading the files cite exists, the contract pages in
docs/contract agree with the data that implements them (sources.yaml, the programme seed, the indicator vars of
dbt_project.yml), and the README stays a front door: a few screens, its two commands real, every docs page and every
setting findable from it.

What counts as a citation outside the repository: a relative path climbing out of it (`../../x` from its file), a
relative path to a missing file that git does not ignore (so `../data/warehouse/...`, a build output, is fine), the
old `shared/contract` / `shared/reference` locations, and any path under `/work/`, the machine's workspace. An
absolute path shown as an example of a deployment (`/srv/tkpkd/...`) is not a citation.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml

from orchestration.contract import load_contract, normalise_header
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

CONTRACT_DIR = REPO_ROOT / "docs" / "contract"
THIS_FILE = Path(__file__).resolve()

_UPWARD_PATH = re.compile(r"(?<![\w./-])((?:\.\./)+[\w./-]*\w)")
_DOCS_PAGE = re.compile(r"(?<![\w./-])((?:\.\./)*docs/[\w./-]+\.md)\b")
_MARKDOWN_LINK = re.compile(r"\]\(([^)\s#]*)(?:#([^)\s]*))?\)")
_OUTSIDE_LOCATIONS = re.compile(r"shared/(?:contract|reference)\b|(?<![\w.])/work/")


@cache
def _tracked_text_files() -> dict[str, str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.decode()
    files = {}
    for name in filter(None, listed.split("\0")):
        path = REPO_ROOT / name
        if path == THIS_FILE:  # it spells out the patterns it looks for
            continue
        if not path.is_file():  # deleted in the work tree, not yet committed
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue
        try:
            files[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return files


def _git_ignores(path: Path) -> bool:
    """Whether git ignores `path`, which may not exist: a pattern for a folder (`data/warehouse/`) only matches a
    name written with its trailing slash, so the path's folders are asked as folders."""
    relative = path.relative_to(REPO_ROOT)
    candidates = [str(relative)] + [f"{folder}/" for folder in relative.parents if str(folder) != "."]
    ignored = subprocess.run(["git", "check-ignore", *candidates], cwd=REPO_ROOT, capture_output=True, check=False)
    return ignored.returncode == 0


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def test_the_scan_sees_the_files_that_cite_the_contract():
    files = _tracked_text_files()
    for name in ("README.md", "docs/design.md", "orchestration/contract/sources.yaml", "dbt_project/dbt_project.yml"):
        assert name in files


def test_no_tracked_file_cites_a_location_outside_the_repository():
    citations = [
        f"{name}:{_line_of(text, match.start())}: {match.group(0)}"
        for name, text in _tracked_text_files().items()
        for match in _OUTSIDE_LOCATIONS.finditer(text)
    ]
    assert citations == [], "cite docs/contract/ instead:\n" + "\n".join(citations)


def test_relative_paths_climbing_up_stay_inside_the_repository_and_exist():
    broken = []
    for name, text in _tracked_text_files().items():
        folder = (REPO_ROOT / name).parent
        for match in _UPWARD_PATH.finditer(text):
            target = (folder / match.group(1)).resolve()
            if not target.is_relative_to(REPO_ROOT):
                broken.append(f"{name}:{_line_of(text, match.start())}: {match.group(1)} leaves the repository")
            elif not target.exists() and not _git_ignores(target):
                broken.append(f"{name}:{_line_of(text, match.start())}: {match.group(1)} does not exist")
    assert broken == [], "\n".join(broken)


def test_every_cited_docs_page_exists():
    missing = []
    for name, text in _tracked_text_files().items():
        for match in _DOCS_PAGE.finditer(text):
            cited = match.group(1)
            base = (REPO_ROOT / name).parent if cited.startswith("../") else REPO_ROOT
            if not (base / cited).resolve().is_file():
                missing.append(f"{name}:{_line_of(text, match.start())}: {cited}")
    assert missing == [], "\n".join(missing)


def _heading_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings of `markdown`: lower case, punctuation dropped, spaces as hyphens, a
    repeated heading numbered `-1`, `-2`; lines of fenced code are not headings."""
    anchors: set[str] = set()
    in_code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        heading = None if in_code else re.match(r"#{1,6} (.+)", line)
        if heading is None:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
        anchor, repeat = slug, 0
        while anchor in anchors:
            repeat += 1
            anchor = f"{slug}-{repeat}"
        anchors.add(anchor)
    return anchors


def test_relative_links_of_markdown_pages_resolve_to_a_file_and_heading():
    broken = []
    for name, text in _tracked_text_files().items():
        if not name.endswith(".md"):
            continue
        for match in _MARKDOWN_LINK.finditer(text):
            target, anchor = match.group(1), match.group(2)
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # a URL
                continue
            where = f"{name}:{_line_of(text, match.start())}: {match.group(0)}"
            path = ((REPO_ROOT / name).parent / target).resolve() if target else REPO_ROOT / name
            if not path.exists():
                broken.append(f"{where}: no such file")
            elif anchor and path.suffix == ".md" and anchor not in _heading_anchors(path.read_text(encoding="utf-8")):
                broken.append(f"{where}: no such heading")
    assert broken == [], "\n".join(broken)


def test_heading_anchors_follow_github():
    page = "# Title\n## `rpt_data_quality`\n## Feedback (umpan balik)\n```sh\n# not one\n```\n## Title"
    anchors = _heading_anchors(page)
    assert anchors == {"title", "rpt_data_quality", "feedback-umpan-balik", "title-1"}


# --- The README as the front door ---------------------------------------------------------------------------------

README = REPO_ROOT / "README.md"
README_MAX_LINES = 180


def test_the_readme_fits_on_a_few_screens():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move sections to docs/"


def test_the_readme_gives_two_commands_make_run_and_make_test_and_ci_runs_make_test():
    quick_start = _section(README.read_text(encoding="utf-8"), "##", "Quick start")
    [block] = re.findall(r"```sh\n(.*?)```", quick_start, re.DOTALL)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]
    assert commands == ["make run", "make test"]
    targets = set(re.findall(r"^([\w-]+):", (REPO_ROOT / "Makefile").read_text(), re.MULTILINE))
    assert {"run", "test"} <= targets
    ci_commands = [line.strip() for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines()]
    assert "make test" in ci_commands


def test_the_readme_links_every_docs_page():
    linked = {
        ((REPO_ROOT / match.group(1)).resolve())
        for match in _MARKDOWN_LINK.finditer(README.read_text(encoding="utf-8"))
        if match.group(1).startswith("docs/")
    }
    pages = {path.resolve() for path in (REPO_ROOT / "docs").rglob("*.md")}
    assert sorted(str(page.relative_to(REPO_ROOT)) for page in pages - linked) == []


def _variables_the_code_reads() -> set[str]:
    from orchestration.ingestion.limits import IngestionLimits

    code = "\n".join(path.read_text(encoding="utf-8") for path in (REPO_ROOT / "orchestration").rglob("*.py"))
    named = set(re.findall(r"\b(TKPKD_[A-Z_]*[A-Z])\b", code)) - {"TKPKD_MAX"}  # the limits' shared prefix
    limits = {IngestionLimits.variable(limit.name) for limit in dataclasses.fields(IngestionLimits)}
    return named | limits | {"DAGSTER_HOME"}


def test_the_configuration_page_documents_every_variable_the_code_reads():
    table = _section((REPO_ROOT / "docs" / "operations.md").read_text(encoding="utf-8"), "##", "Configuration")
    documented = {name for row in _table_rows(table) for name in re.findall(r"`([A-Z][A-Z_]+)`", row[0])}
    assert "TKPKD_INBOX" in _variables_the_code_reads()
    assert sorted(_variables_the_code_reads() - documented) == []


def test_the_design_layout_lists_every_defs_module_and_test_folder():
    layout_rows = _table_rows(_section((REPO_ROOT / "docs" / "design.md").read_text(encoding="utf-8"), "##", "Layout"))
    layout = {row[0]: row[1] for row in layout_rows}
    defs_modules = {path.name for path in (REPO_ROOT / "orchestration" / "defs").glob("*.py")} - {"__init__.py"}
    test_folders = {name.split("/")[1] for name in _tracked_text_files() if re.match(r"tests/[^/]+/", name)}
    unlisted_modules = sorted(module for module in defs_modules if f"`{module}`" not in layout["`orchestration/defs/`"])
    unlisted_folders = sorted(folder for folder in test_folders if f"`{folder}/`" not in layout["`tests/`"])
    assert (unlisted_modules, unlisted_folders) == ([], [])


# --- The contract pages and the data that implements them ---------------------------------------------------------


def _table_rows(markdown: str) -> list[list[str]]:
    """The body rows of every pipe table in `markdown` (header and separator rows left out), cells stripped; an
    escaped pipe (`\\|`) stays inside its cell."""
    rows = []
    previous_was_table = False
    for line in markdown.splitlines():
        if not line.startswith("|"):
            previous_was_table = False
            continue
        cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if previous_was_table and not all(re.fullmatch(r"-+", cell) for cell in cells):
            rows.append(cells)
        previous_was_table = True
    return [row for row in rows if row]


def _sections(markdown: str, level: str) -> dict[str, str]:
    """Heading text of each `level` heading -> the text below it up to the next heading of the same or a higher
    level."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in markdown.splitlines():
        heading = re.match(r"(#+) (.+)", line)
        if heading and len(heading.group(1)) <= len(level):
            current = heading.group(2).strip() if heading.group(1) == level else None
            if current is not None:
                sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return {title: "\n".join(lines) for title, lines in sections.items()}


def _section(markdown: str, level: str, title: str) -> str:
    sections = _sections(markdown, level)
    assert title in sections, f"no section {level} {title}"
    return sections[title]


@pytest.fixture(scope="module")
def sources_page() -> str:
    return (CONTRACT_DIR / "sources.md").read_text()


@pytest.fixture(scope="module")
def warehouse_page() -> str:
    return (CONTRACT_DIR / "warehouse.md").read_text()


def test_sources_page_lists_every_source_with_its_kind_and_natural_key(sources_page):
    contract = load_contract()
    listed = {
        row[0].strip("`"): row for row in _table_rows(_section(sources_page, "##", "Sources")) if len(row) == 5
    }
    assert set(listed) == set(contract)
    for name, spec in contract.items():
        kind, natural_key = listed[name][2], listed[name][4].removesuffix(" (see below)")
        assert kind == ("S" if spec.is_snapshot else "E"), name
        assert tuple(normalise_header(part) for part in natural_key.split(" + ")) == spec.natural_key, name


def test_sources_page_documents_every_column_and_required_flag_of_the_contract(sources_page):
    sections = _sections(sources_page, "###")
    for name, spec in load_contract().items():
        titles = [title for title in sections if title.startswith(f"`{name}`:")]
        assert len(titles) == 1, f"one section ### `{name}`: ... expected"
        documented = {}
        for row in _table_rows(sections[titles[0]]):
            for header in row[0].split(", "):
                documented[normalise_header(header)] = row[1] == "yes"
        combined = {spec.rt_rw_combined.column} if spec.rt_rw_combined else set()
        expected = {column.name: column.required for column in spec.columns if column.name not in combined}
        assert documented == expected, name


def test_warehouse_page_programmes_match_the_programme_seed(warehouse_page):
    with (DBT_PROJECT_DIR / "seeds" / "ref_programs.csv").open(newline="") as seed:
        seeded = {row["program_code"]: row for row in csv.DictReader(seed)}
    documented = {
        row[0]: row for row in _table_rows(_section(warehouse_page, "##", "Definitions")) if len(row) == 7
    }
    assert documented.pop("MITRA_<KATEGORI>")
    assert set(documented) == {code for code in seeded if not code.startswith("MITRA_")}
    for code, (_, _, category, basic_need, max_desil, kind, _) in documented.items():
        row = seeded[code]
        assert (category, basic_need, max_desil, kind) == (
            row["category"],
            row["basic_need"],
            row["max_desil"],
            row["kind"],
        ), code


# dbt vars that are no indicator parameter: the parsers' bounds, and the setting dbt-project-evaluator reads.
NON_INDICATOR_VARS = {"tkpkd_bounds", "primary_key_test_macros"}


def indicator_vars() -> dict:
    project_vars = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    return {name: value for name, value in project_vars.items() if name not in NON_INDICATOR_VARS}


def test_warehouse_page_documents_every_indicator_var_with_its_default(warehouse_page):
    documented = {
        row[0].strip("`"): yaml.safe_load(row[1])
        for row in _table_rows(_section(warehouse_page, "##", "Indicator parameters"))
    }
    assert documented == indicator_vars()


def test_every_indicator_var_is_read_by_a_model():
    sql = "\n".join(path.read_text() for path in (DBT_PROJECT_DIR / "models").rglob("*.sql"))
    unread = [name for name in indicator_vars() if f"('{name}')" not in sql]
    assert unread == []
