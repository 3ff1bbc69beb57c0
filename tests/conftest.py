"""Shared fixtures. Under CI=true a skipped test fails the run: missing tools are install steps."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
KITS = Path(__file__).resolve().parent / "kits"
GOLDEN = Path(__file__).resolve().parent / "golden"


_TREE = pytest.StashKey[dict]()


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from current output")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = terminalreporter.stats.get("skipped", [])
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") and skipped:
        terminalreporter.write_line(
            f"CI=true: {len(skipped)} test(s) were skipped; in CI every test must run.", red=True
        )


def _test_tree() -> dict[str, int]:
    """Every file under tests/kits (git-ignored build output included): path -> mtime."""
    out = {}
    for p in KITS.rglob("*"):
        if p.is_file() and "__pycache__" not in p.parts:
            out[p.relative_to(KITS).as_posix()] = p.stat().st_mtime_ns
    return out


def pytest_sessionstart(session):
    session.config.stash[_TREE] = _test_tree()


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    before = session.config.stash.get(_TREE, None)
    if before is not None:
        # The suite promises to work on copies: nothing in tests/kits is written, not even
        # git-ignored build output or caches.
        after = _test_tree()
        touched = sorted(k for k in after if before.get(k) != after[k]) + sorted(k for k in before if k not in after)
        if touched:
            if reporter is not None:
                reporter.write_line(f"tests wrote into tests/kits: {', '.join(touched[:10])}{' …' if len(touched) > 10 else ''}", red=True)
            if session.exitstatus == 0:
                session.exitstatus = 1
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        if reporter is not None and reporter.stats.get("skipped") and session.exitstatus == 0:
            session.exitstatus = 1


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture
def golden(update_golden):
    """Compare text with ``tests/golden/NAME``; rewrite it only with --update-golden."""

    def check(name: str, text: str):
        path = GOLDEN / name
        if update_golden or not path.exists():
            if not update_golden:
                pytest.fail(f"golden file {name} is missing; run pytest --update-golden and review the diff")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert text == path.read_text(encoding="utf-8"), f"output differs from tests/golden/{name} (pytest --update-golden to accept)"

    return check


@pytest.fixture
def kit_copy(tmp_path):
    """Copy a sample kit (``tests/kits/NAME``) or the shipped kit (``"."``) into a temp folder."""

    def make(name: str = ".") -> Path:
        return copy_kit(name, tmp_path / "kit")

    return make


# --------------------------------------------------------------------------- plain helpers

#: Top-level folders of the repository that are build output or tooling, not part of a kit.
_NOT_KIT = {"site", ".podkit", ".venv", "node_modules", "tests", "test-artefacts", ".git", "build"}


def copy_kit(name: str, dest: Path) -> Path:
    """Copy a sample kit (``tests/kits/NAME``) or the shipped kit (``"."``) to ``dest``."""
    src = ROOT if name == "." else KITS / name

    def ignore(folder, names):
        # Build output and tooling only at the kit's top level: themes/default/site must stay.
        skip = {n for n in names if n == "__pycache__" or n.startswith(".site-")}
        if Path(folder) == src:
            skip |= {n for n in names if n in _NOT_KIT}
        return skip

    shutil.copytree(src, dest, ignore=ignore)
    return dest


def tree_digest(folder: Path, *, skip_top: tuple[str, ...] = (), skip_hidden_leftovers: bool = False) -> dict[str, str]:
    """Relative path -> SHA-256 (or the link target, "dir" or "special") for everything under
    ``folder``; top-level names in ``skip_top`` (and scratch-folder leftovers of a killed build,
    ``.site-*`` and ``.site.podkit-*``, if asked) left out."""
    out: dict[str, str] = {}
    if not folder.exists():
        return out
    for p in sorted(folder.rglob("*")):
        parts = p.relative_to(folder).parts
        if parts[0] in skip_top or (skip_hidden_leftovers and parts[0].startswith((".site-", ".site.podkit-"))):
            continue
        rel = "/".join(parts)
        if p.is_symlink():
            out[rel] = "link:" + os.readlink(p)
        elif p.is_dir():
            out[rel] = "dir"
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[rel] = "special"
    return out


def podkit_cmd(*args) -> list[str]:
    """The command line of ``python -m podkit ARGS`` in this interpreter."""
    return [sys.executable, "-m", "podkit", *map(str, args)]


def run_podkit(*args, timeout: float = 600, cwd: Path | None = None, env: dict | None = None, preexec_fn=None) -> subprocess.CompletedProcess:
    """Run podkit in a real process (text output captured); a hang past ``timeout`` fails the test."""
    return subprocess.run(podkit_cmd(*args), capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env, preexec_fn=preexec_fn)


def invoke(*args, catch_exceptions: bool = True):
    """Run the CLI in-process (Click's runner); arguments may be paths."""
    from podkit.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=catch_exceptions)


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line of ``text`` that contains ``needle``."""
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in the text")


def validate_data(data, model, path: str = "input.yaml") -> list[str]:
    """Validate parsed data against a model; the problems as ``key.path: message`` lines."""
    from podkit.errors import format_key_path
    from podkit.sources import Document
    from podkit.validation import validate_document

    _, problems = validate_document(Document(Path(path), data, {}), model)
    return [f"{format_key_path(p.key)}: {p.message}" if p.key else p.message for p in problems]


def fill_sheet(src: Path, dest: Path, values: dict[str, object]) -> None:
    """Fill form fields the way a PDF viewer does (PyMuPDF widgets), then save to ``dest``.

    Radio groups take the option's value (``"2"``, ``"yes"``, ``"not-observed"``), check boxes
    ``True``/``False``, text fields a string. Every named field must exist on the sheet.
    """
    import re

    import pymupdf

    def radio_options(doc, widget) -> list[str]:
        parent = doc.xref_get_key(widget.xref, "Parent")[1].split()[0]
        opt = doc.xref_get_key(int(parent), "Opt")[1]
        return re.findall(r"\(([^)]*)\)", opt)

    doc = pymupdf.open(src)
    seen = set()
    for page in doc:
        for w in page.widgets():
            if w.field_name not in values:
                continue
            want = values[w.field_name]
            if w.field_type == pymupdf.PDF_WIDGET_TYPE_RADIOBUTTON:
                opts = radio_options(doc, w)
                if opts[int(w.on_state())] != want:
                    continue
                w.field_value = True
            elif w.field_type == pymupdf.PDF_WIDGET_TYPE_CHECKBOX:
                w.field_value = bool(want)
            else:
                w.field_value = want
            w.update()
            seen.add(w.field_name)
    assert seen == set(values), f"fields not found: {set(values) - seen}"
    doc.save(dest)


@pytest.fixture(scope="session")
def scoring_sheet(tmp_path_factory) -> Path:
    """The fillable A4 sheet of the scoring kit (``tests/kits/scoring``), rendered once, blank."""
    from podkit import printing
    from podkit.kit import Project, load_kit

    kit = load_kit(Project.find(KITS / "scoring"))
    out = tmp_path_factory.mktemp("sheet")
    printing.write_pdfs(kit, out, papers=["a4"], kinds=["sheet"], workers=1, cache=False)  # the kit is in tests/kits: no cache there
    return out / "worked-example-sheet-fillable-a4.pdf"


def score_files(kit, inputs, as_of, **options):
    """Read and check the observation files (and action plans) ``inputs`` against ``kit``, then score them in memory:
    ``(reports, portfolio)`` as ``podkit score`` computes them before it writes anything."""
    from podkit.followup import read_plans
    from podkit.observations import find_inputs, load_observations
    from podkit.pipeline import score_records

    found = find_inputs([Path(p) for p in inputs])
    loaded = load_observations([Path(p) for p in inputs], kit.assessments, today=as_of, found=found)
    plans, sources, _ = read_plans(found.plans, {a.id: a for a in kit.assessments})
    return score_records(loaded.records, kit.assessments, as_of=as_of, plans=plans, plan_sources=sources, **options)


def outline_titles(pdf) -> list[str]:
    """Titles of a PDF's bookmarks, depth first (``pdf``: a path or a ``pypdf.PdfReader``)."""
    from pypdf import PdfReader

    reader = pdf if isinstance(pdf, PdfReader) else PdfReader(pdf)
    titles: list[str] = []

    def walk(entries):
        for e in entries:
            if isinstance(e, list):
                walk(e)
            else:
                titles.append(str(e.title))

    walk(reader.outline)
    return titles


def first_page_gray(path: Path, dpi: int = 40) -> tuple[int, int, bytes]:
    """Page 1 at ``dpi`` as 8-bit grey pixels, read from pdftoppm's binary PGM (P5) output."""
    import re

    proc = subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", "1", "-l", "1", str(path)], capture_output=True, timeout=120)
    assert proc.returncode == 0, f"pdftoppm failed on {path.name}: {proc.stderr.decode(errors='replace')}"
    data = proc.stdout
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert m, f"pdftoppm gave no PGM image for {path.name}"
    width, height, maxval = map(int, m.groups())
    assert maxval == 255
    pixels = data[m.end() : m.end() + width * height]
    assert len(pixels) == width * height
    return width, height, pixels


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's) for every browser test of the session: Playwright's sync
    API runs one event loop per thread, so two suites cannot each start their own."""
    from playwright.sync_api import sync_playwright

    from browser_util import launch_chromium

    with sync_playwright() as p:
        b = launch_chromium(p)
        try:
            yield b
        finally:
            b.close()
