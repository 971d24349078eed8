"""Render the exported workbooks to PDF with LibreOffice, to see what they look like on paper.

    python scripts/render_workbooks_pdf.py [--exports data/exports] [--out data/print_preview]    (make render-pdf)

Every `*.xlsx` under the exports folder (default: TKPKD_EXPORTS, else data/exports) becomes a PDF at the same
relative path under `--out`, converted by `soffice --headless --convert-to pdf`, which honours the workbooks' page
setup (A4 landscape, one page wide, header row on every page). Prints each PDF with its page count.

LibreOffice is not part of the Python environment: install it with
`apt-get install --no-install-recommends libreoffice-calc` (about 300 MB). Without it the script says so and exits 2.

The PDFs of the lurah's workbooks hold the same personal data as the workbooks: `--out` is a restricted folder too
(data/print_preview is ignored by git).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SOFFICE_NAMES = ("soffice", "libreoffice")
NO_LIBREOFFICE = (
    "LibreOffice (soffice) is not installed, so the workbooks cannot be rendered to PDF. Install it with\n"
    "    apt-get install --no-install-recommends libreoffice-calc\n"
    "or open the workbooks in a spreadsheet program and use its print preview."
)
# A page object of a PDF (`/Type /Page`, not the `/Type /Pages` tree above them).
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-z])")
# LibreOffice's first start builds its profile; a slow machine needs minutes for a folder of workbooks.
CONVERSION_TIMEOUT_SECONDS = 600


def find_soffice() -> str | None:
    return next((found for name in SOFFICE_NAMES if (found := shutil.which(name))), None)


def page_count(pdf: Path) -> int:
    return len(PDF_PAGE.findall(pdf.read_bytes()))


def render(soffice: str, exports: Path, out: Path) -> list[Path]:
    """Convert every workbook under `exports`, one soffice call per folder; return the PDFs written."""
    workbooks = sorted(path for path in exports.rglob("*.xlsx") if not path.name.startswith("."))
    by_folder: dict[Path, list[Path]] = {}
    for workbook in workbooks:
        by_folder.setdefault(workbook.parent, []).append(workbook)
    written = []
    # A profile of its own: soffice refuses to run headless beside a LibreOffice the user has open.
    with tempfile.TemporaryDirectory(prefix="tkpkd-soffice-") as profile:
        for folder, files in by_folder.items():
            target = out / folder.relative_to(exports)
            target.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to", "pdf",
                 "--outdir", str(target), *map(str, files)],
                check=True, capture_output=True, timeout=CONVERSION_TIMEOUT_SECONDS,
            )
            for workbook in files:
                pdf = target / workbook.with_suffix(".pdf").name
                if not pdf.exists():
                    raise RuntimeError(f"LibreOffice wrote no PDF for {workbook}")
                written.append(pdf)
    return written


def main(argv: list[str] | None = None) -> int:
    from orchestration.settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exports", type=Path, default=None, help="folder of the workbooks (default: TKPKD_EXPORTS)")
    parser.add_argument("--out", type=Path, default=Path("data/print_preview"), help="folder of the PDFs")
    arguments = parser.parse_args(argv)
    soffice = find_soffice()
    if soffice is None:
        print(NO_LIBREOFFICE, file=sys.stderr)
        return 2
    exports = arguments.exports or load_settings().exports
    if not any(exports.rglob("*.xlsx")):
        print(f"No workbook under {exports}: run the pipeline first (make run).", file=sys.stderr)
        return 1
    for pdf in render(soffice, exports, arguments.out):
        print(f"{page_count(pdf):4d} pages  {pdf}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
