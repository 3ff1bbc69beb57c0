"""Shared fixtures. Under CI=true a skipped test fails the run: missing tools are install steps."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
KITS = Path(__file__).resolve().parent / "kits"
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from current output")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = terminalreporter.stats.get("skipped", [])
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") and skipped:
        terminalreporter.write_line(
            f"CI=true: {len(skipped)} test(s) were skipped; in CI every test must run.", red=True
        )


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
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
        src = ROOT if name == "." else KITS / name
        dest = tmp_path / "kit"
        top_level = {"site", ".podkit", ".venv", "node_modules", "tests", "test-artefacts", ".git", "build"}

        def ignore(folder, names):
            # Build output and tooling only at the kit's top level: themes/default/site must stay.
            skip = {n for n in names if n == "__pycache__" or n.startswith(".site-")}
            if Path(folder) == src:
                skip |= {n for n in names if n in top_level}
            return skip

        shutil.copytree(src, dest, ignore=ignore)
        return dest

    return make


# --------------------------------------------------------------------------- plain helpers


def validate_data(data, model, path: str = "input.yaml") -> list[str]:
    """Validate parsed data against a model; the problems as ``key.path: message`` lines."""
    from podkit.errors import format_key_path
    from podkit.sources import Document
    from podkit.validation import validate_document

    _, problems = validate_document(Document(Path(path), data, {}), model)
    return [f"{format_key_path(p.key)}: {p.message}" if p.key else p.message for p in problems]
