"""scripts/render_workbooks_pdf.py: a clear message without LibreOffice, and page counts read from the PDFs."""

import re
import shutil

import pytest

from scripts import render_workbooks_pdf


def test_without_libreoffice_the_script_says_how_to_install_it(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert render_workbooks_pdf.main(["--exports", str(tmp_path), "--out", str(tmp_path / "pdf")]) == 2
    message = capsys.readouterr().err
    assert "soffice" in message and "apt-get install --no-install-recommends libreoffice-calc" in message
    assert not (tmp_path / "pdf").exists()


def test_pages_are_counted_without_the_page_tree(tmp_path):
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >> endobj\n"
        b"2 0 obj << /Type /Page /Parent 1 0 R >> endobj\n3 0 obj << /Type/Page /Parent 1 0 R >> endobj\n"
    )
    assert render_workbooks_pdf.page_count(pdf) == 2


@pytest.mark.skipif(render_workbooks_pdf.find_soffice() is None, reason="LibreOffice is not installed")
def test_a_workbook_renders_to_an_a4_pdf(tmp_path):
    import xlsxwriter

    from orchestration.exports.kelurahan import CASE_COLUMNS, _Writer

    (tmp_path / "exports").mkdir()
    workbook = xlsxwriter.Workbook(str(tmp_path / "exports" / "book.xlsx"))
    rows = [[number, "SITI", "6171015911730037", "6171010101010001", "JL. A", 3, 5, 1, 4, "Terverifikasi", None, 2,
             "Pangan", "Pangan: Dinas Sosial"] for number in range(1, 200)]
    _Writer(workbook).sheet("Daftar Kasus Ekstrem", "Judul", ["Catatan"], CASE_COLUMNS, rows, confidential=True)
    workbook.close()
    (pdf,) = render_workbooks_pdf.render(render_workbooks_pdf.find_soffice(), tmp_path / "exports", tmp_path / "pdf")
    # 199 rows, one page wide: several pages down, not one per column.
    assert 2 <= render_workbooks_pdf.page_count(pdf) <= 8
    # A4 landscape: 297 x 210 mm, 841.9 x 595.3 points.
    assert re.search(rb"/MediaBox\s*\[\s*0 0 841\.8\d* 595\.3\d*\s*\]", pdf.read_bytes())
