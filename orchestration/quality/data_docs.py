"""Great Expectations' Data Docs made to work without a network.

GX 1.x writes pages that load jQuery, Bootstrap, bootstrap-table, Vega and Font Awesome from CDNs and its logo from
S3; on an office network without internet its index (a bootstrap-table filled by jQuery) is an empty page and the
validation pages lose their pass/fail icons. After every GX build `make_offline`:

- writes the site's `index.html` itself, as static HTML from the validation results: one row per validation (suite,
  asset, run time, status, expectation counts) linking its page, then the expectation suites' pages;
- rewrites every other page: references to the network (scripts, stylesheets, images, CSS `url()`s) are removed or
  pointed at the copy GX keeps under `static/images/`, and the pages load `static/tkpkd/offline.css` (the layout
  and the icons, as inline SVG) and `static/tkpkd/offline.js` (GX's toggles and filter, without jQuery), copied from
  `data_docs_assets/`. Vega charts (distribution expectations, which no suite of the project uses) are not drawn.
  A reference the rewrite does not know (a newer GX) is logged as a warning; the build goes on.

A validation's status is the gate's: `failed` when an expectation of error severity failed, `warning` when only
expectations of another severity (meta `severity`) failed, else `passed`. The index lists the validations newest
first, as GX's own index did.
"""

from __future__ import annotations

import html
import logging
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from orchestration.quality.gates import expectation_severity

if TYPE_CHECKING:
    from great_expectations.data_context import AbstractDataContext

logger = logging.getLogger(__name__)

ASSETS_DIR = Path(__file__).with_name("data_docs_assets")
SITE_ASSETS = Path("static") / "tkpkd"
GX_IMAGES = Path("static") / "images"
STATUS_ICONS = {"passed": "fa-check-circle", "warning": "fa-exclamation-triangle", "failed": "fa-times"}

_REMOTE = r"https?://[^\"')\s]+"
_REMOTE_SCRIPT = re.compile(rf"<script\b[^>]*\bsrc=\"{_REMOTE}\"[^>]*>\s*</script>\s*")
_REMOTE_STYLESHEET = re.compile(rf"<link\b[^>]*\bhref=\"{_REMOTE}\"[^>]*>\s*")
_REMOTE_IMAGE = re.compile(rf"(<img\b[^>]*?)\s+src=\"(?P<url>{_REMOTE})\"")
_REMOTE_CSS_URL = re.compile(rf"url\(\s*['\"]?(?P<url>{_REMOTE})['\"]?\s*\)")
# What a page or stylesheet would fetch from the network: a script, stylesheet, image, frame, media or font.
NETWORK_REFERENCE = re.compile(
    r"""<(?:script|img|source|iframe|embed|audio|video)\b[^>]*\bsrc\s*=\s*["']?https?:"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?https?:"""
    r"""|\bsrcset\s*=\s*["'][^"']*https?:"""
    r"""|url\(\s*["']?(?:https?:)?//"""
    r"""|@import\s+(?:url\()?["']?https?:""",
    re.IGNORECASE,
)
# GX writes the same static path, four folders up, into pages of different depths (the favicon of a validation page).
_STATIC_REFERENCE = re.compile(r"(?P<attribute>\b(?:href|src))=\"(?:\./|(?:\.\./)+)static/")


@dataclass(frozen=True)
class ValidationEntry:
    suite: str
    asset: str
    run_time: datetime
    status: str
    evaluated: int
    successful: int
    unsuccessful: int
    page: Path  # relative to the site folder


def validation_status(result: Any) -> str:
    """The gate's verdict on a GX validation result (see the module docstring)."""
    failed = [item for item in result.results if not item.success]
    if any(expectation_severity(item.expectation_config) == "error" for item in failed):
        return "failed"
    return "warning" if failed else "passed"


def validation_entries(context: AbstractDataContext, site_name: str, site: Path) -> list[ValidationEntry]:
    store = context.validation_results_store
    entries = []
    for key in store.list_keys():
        result = store.get(key)
        (url,) = context.get_docs_sites_urls(resource_identifier=key, site_name=site_name, only_if_exists=False)
        statistics = result.statistics
        entries.append(
            ValidationEntry(
                suite=result.suite_name,
                asset=result.asset_name or "",
                run_time=key.run_id.run_time,
                status=validation_status(result),
                evaluated=statistics["evaluated_expectations"],
                successful=statistics["successful_expectations"],
                unsuccessful=statistics["unsuccessful_expectations"],
                page=_site_path(url["site_url"], site),
            )
        )
    return sorted(entries, key=lambda entry: (entry.run_time, entry.suite), reverse=True)


def _site_path(site_url: str, site: Path) -> Path:
    path = Path(url2pathname(urlparse(site_url).path))
    return path.resolve().relative_to(site.resolve())


def make_offline(context: AbstractDataContext, site_name: str, site: Path) -> Path:
    """Rewrite the site GX has just built in `site` to work offline; return its index."""
    assets = site / SITE_ASSETS
    assets.mkdir(parents=True, exist_ok=True)
    for asset in ASSETS_DIR.iterdir():
        shutil.copyfile(asset, assets / asset.name)
    entries = validation_entries(context, site_name, site)
    index = site / "index.html"
    for page in site.rglob("*.html"):
        if page != index:
            page.write_text(offline_page(page.read_text(encoding="utf-8"), page, site), encoding="utf-8")
    for stylesheet in (site / "static" / "styles").glob("*.css"):
        stylesheet.write_text(_local_css_urls(stylesheet.read_text(encoding="utf-8"), stylesheet, site), encoding="utf-8")
    suites = sorted(path.relative_to(site) for path in (site / "expectations").rglob("*.html"))
    index.write_text(index_page(entries, suites), encoding="utf-8")
    remaining = network_references(site)
    if remaining:  # a GX version with a reference this module does not know yet: the pages still work, less well
        logger.warning("Data Docs pages still reference the network: %s", remaining)
    return index


def network_references(site: Path) -> dict[str, list[str]]:
    """The pages and stylesheets of the site that still reference the network, with what they reference."""
    return {
        str(path.relative_to(site)): found
        for path in [*site.rglob("*.html"), *site.rglob("*.css")]
        if (found := NETWORK_REFERENCE.findall(path.read_text(encoding="utf-8")))
    }


def _relative(target: Path, page: Path) -> str:
    return Path(os.path.relpath(target, page.parent)).as_posix()


def _local_image(url: str, page: Path, site: Path) -> str | None:
    """The copy GX ships of a remote image (its logo), relative to `page`; None when GX has none."""
    local = site / GX_IMAGES / url.split("?")[0].rsplit("/", 1)[-1]
    return _relative(local, page) if local.is_file() else None


def _local_css_urls(text: str, page: Path, site: Path) -> str:
    def replace(match: re.Match) -> str:
        local = _local_image(match.group("url"), page, site)
        return f"url('{local}')" if local else "none"

    return _REMOTE_CSS_URL.sub(replace, text)


def offline_page(text: str, page: Path, site: Path) -> str:
    """A GX page with its network references removed or made local, loading the offline stylesheet and script."""
    root = _relative(site, page) + "/"

    def local_image(match: re.Match) -> str:
        local = _local_image(match.group("url"), page, site)
        return f'{match.group(1)} src="{local}"' if local else match.group(1)  # no copy: the alt text shows

    text = _REMOTE_SCRIPT.sub("", text)
    text = _REMOTE_STYLESHEET.sub("", text)
    text = _REMOTE_IMAGE.sub(local_image, text)
    text = _local_css_urls(text, page, site)
    text = _STATIC_REFERENCE.sub(lambda match: f'{match.group("attribute")}="{root}static/', text)
    stylesheet = (SITE_ASSETS / "offline.css").as_posix()
    if stylesheet not in text:
        text = text.replace("</head>", f'  <link rel="stylesheet" href="{root}{stylesheet}">\n  </head>', 1)
        script = (SITE_ASSETS / "offline.js").as_posix()
        text = text.replace("</body>", f'  <script src="{root}{script}"></script>\n  </body>', 1)
    return text


def index_page(entries: list[ValidationEntry], suites: list[Path]) -> str:
    escape = html.escape
    counts = {status: sum(entry.status == status for entry in entries) for status in STATUS_ICONS}
    rows = "\n".join(
        f'      <tr class="tkpkd-validation" data-status="{entry.status}">'
        f'<td class="tkpkd-status tkpkd-status-{entry.status}"><i class="fas {STATUS_ICONS[entry.status]}"></i> '
        f"{entry.status}</td>"
        f'<td><a href="{escape(entry.page.as_posix())}">{escape(entry.suite)}</a></td>'
        f"<td>{escape(entry.asset)}</td>"
        f'<td>{entry.run_time.strftime("%Y-%m-%d %H:%M:%S %Z")}</td>'
        f'<td class="number">{entry.evaluated}</td><td class="number">{entry.successful}</td>'
        f'<td class="number">{entry.unsuccessful}</td></tr>'
        for entry in entries
    )
    suite_links = "\n".join(
        f'      <li class="list-group-item"><a href="{escape(path.as_posix())}">'
        f'{escape(".".join(path.with_suffix("").parts[1:]))}</a></li>'
        for path in suites
    )
    summary = ", ".join(f"{counts[status]} {status}" for status in STATUS_ICONS)
    return f"""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>Data Docs: quality gates of the TKPKD warehouse</title>
    <link rel="shortcut icon" href="{GX_IMAGES.as_posix()}/favicon.ico" type="image/x-icon">
    <link rel="stylesheet" href="{(SITE_ASSETS / "offline.css").as_posix()}">
  </head>
  <body>
    <div class="container-fluid pt-4 pb-4 pl-5 pr-5">
      <h3>Validations</h3>
      <p class="tkpkd-summary">{len(entries)} validations: {summary}. Newest first; each links its page.</p>
      <table class="table table-sm tkpkd-index" id="validations">
        <thead><tr><th>Status</th><th>Suite</th><th>Asset</th><th>Run time</th>
          <th class="text-right">Expectations</th><th class="text-right">Passed</th>
          <th class="text-right">Failed</th></tr></thead>
        <tbody>
{rows}
        </tbody>
      </table>
      <h4>Expectation suites</h4>
      <ul class="list-group" id="suites">
{suite_links}
      </ul>
    </div>
  </body>
</html>
"""
