"""The PDFs of the built site, checked with the programs readers use: poppler and pypdf.

Every PDF in site/downloads/ opens with ``pdfinfo``, has the page count and paper size its name
promises and an outline (bookmarks), and its first page renders with ``pdftoppm`` to an image
that is not blank. Page 1 of each is kept as a PNG in test-artefacts/pdf-pages/ for a look.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from browser_util import ARTEFACTS, ROOT, shared_build
from conftest import first_page_gray, outline_titles
from podkit.kit import Project

pytestmark = pytest.mark.slow

PAPERS = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}  # points, portrait
ASSESSMENTS = [p.stem for p in Project.find(ROOT).assessment_files()]


def _expected() -> list[str]:
    names = []
    for paper in PAPERS:
        for a in ASSESSMENTS:
            names += [f"{a}-toolkit-{paper}.pdf", f"{a}-sheet-fillable-{paper}.pdf"]
        names += [f"podkit-complete-kit-{paper}.pdf", f"podkit-hr-guide-{paper}.pdf"]
    return sorted(names)


EXPECTED = _expected()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return shared_build(tmp_path_factory).site / "downloads"


def pdfinfo(path: Path) -> dict[str, str]:
    proc = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"pdfinfo cannot open {path.name}: {proc.stderr.strip()}"
    assert "error" not in proc.stderr.lower(), f"pdfinfo reports problems in {path.name}: {proc.stderr.strip()}"
    info = {}
    for line in proc.stdout.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            info[key.strip()] = value.strip()
    return info


def page_size(info: dict[str, str]) -> tuple[float, float]:
    m = re.match(r"([\d.]+) x ([\d.]+) pts", info["Page size"])
    assert m, info["Page size"]
    return float(m.group(1)), float(m.group(2))


def assert_not_blank(name: str, pixels: bytes) -> None:
    n = len(pixels)
    mean = sum(pixels) / n
    variance = sum((p - mean) ** 2 for p in pixels) / n
    inked = sum(1 for p in pixels if p < 200) / n
    # A blank page has variance 0 and a lone dot 0.1; a heading and one line already give ~50.
    assert variance > 10, f"{name}: page 1 is (nearly) one flat colour (variance {variance:.1f})"
    assert inked > 0.0005, f"{name}: page 1 has almost nothing on it ({inked:.2%} of pixels inked)"


def check_pdf(path: Path) -> None:
    """Open one PDF and render its first page; it must show something."""
    assert int(pdfinfo(path)["Pages"]) >= 1, f"{path.name}: no pages"
    # page 1 as a PNG, kept for people to look at ...
    out = ARTEFACTS / "pdf-pages"
    out.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(path), str(out / path.stem)], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    png = (out / f"{path.stem}.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    # ... and as grey pixels, to tell a page with content from a blank one
    width, height, pixels = first_page_gray(path)
    assert width > 100 and height > 100
    assert_not_blank(path.name, pixels)


def test_downloads_hold_every_expected_pdf(downloads):
    present = sorted(p.name for p in downloads.glob("*.pdf")) if downloads.is_dir() else []
    missing = [n for n in EXPECTED if n not in present]
    assert not missing, f"{len(missing)} of {len(EXPECTED)} PDFs missing from site/downloads/: {missing[:12]}{' …' if len(missing) > 12 else ''}\npresent: {present}"


@pytest.mark.parametrize("name", EXPECTED)
def test_pdf_opens_renders_and_has_pages_and_outline(downloads, name):
    path = downloads / name
    assert path.is_file(), f"{name} is not in site/downloads/"
    info = pdfinfo(path)
    pages = int(info["Pages"])
    paper = name.removesuffix(".pdf").rsplit("-", 1)[1]
    w, h = page_size(info)
    ew, eh = PAPERS[paper]
    assert abs(w - ew) < 2 and abs(h - eh) < 2, f"{name}: page size {w} x {h} pt is not {paper}"
    if "-toolkit-" in name:
        assert pages >= 4, f"{name}: a toolkit of {pages} pages (cover, guide, sheet, scoring need at least 4)"
    elif "complete-kit" in name:
        biggest = max(int(pdfinfo(downloads / f"{a}-toolkit-{paper}.pdf")["Pages"]) for a in ASSESSMENTS)
        assert pages > biggest, f"{name}: {pages} pages, no more than the largest single toolkit ({biggest})"
    elif "hr-guide" in name:
        assert pages >= 2, f"{name}: {pages} page(s)"
    titles = outline_titles(path)
    assert titles, f"{name}: no outline (bookmarks)"
    assert all(t.strip() for t in titles), f"{name}: empty bookmark titles"
    if "complete-kit" in name:
        assert len(titles) >= len(ASSESSMENTS), f"{name}: {len(titles)} bookmarks for {len(ASSESSMENTS)} assessments"


def test_every_pdf_on_the_site_opens_and_renders(downloads):
    """Every PDF the site offers, expected or not (sample reports, say), opens and shows something."""
    pdfs = sorted(downloads.parent.rglob("*.pdf"))
    assert len(pdfs) >= len(EXPECTED), f"{len(pdfs)} PDFs on the site, expected at least {len(EXPECTED)}"
    for path in pdfs:
        check_pdf(path)
