"""The trust model of SECURITY.md: a kit's hooks are refused, and `podkit score` renders with
podkit's own report templates unless asked to use the kit's."""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from podkit.cli import main

KITS = Path(__file__).resolve().parent / "kits"


def test_hooks_in_mkdocs_yml_are_refused_with_file_and_line(kit_copy):
    kit = kit_copy("minimal")
    config = kit / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "hooks:\n  - ../../evil.py\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--no-pdf", "-q", "-p", str(kit)])
    assert result.exit_code == 1, result.output
    assert "mkdocs.yml:" in result.output and "hooks run Python code" in result.output
    assert not (kit / "site").exists()


def test_score_uses_the_kits_report_templates_only_when_asked(kit_copy, tmp_path):
    kit = kit_copy("scoring")
    own = kit / "themes" / "default" / "report"
    own.mkdir(parents=True, exist_ok=True)
    builtin = Path(sys.modules["podkit.templates"].BUILTIN_THEMES) / "default" / "report" / "report.md.j2"
    (own / "report.md.j2").write_text("KIT TEMPLATE " + builtin.read_text(encoding="utf-8"), encoding="utf-8")
    args = ["score", str(kit / "observations"), "-p", str(kit), "-f", "md", "--as-of", "2026-06-01", "-q"]
    plain = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "a")])
    assert plain.exit_code == 0, plain.output
    assert not any("KIT TEMPLATE" in p.read_text(encoding="utf-8") for p in (tmp_path / "a").glob("*.md"))
    asked = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "b"), "--kit-templates"])
    assert asked.exit_code == 0, asked.output
    assert all(p.read_text(encoding="utf-8").startswith("KIT TEMPLATE") for p in (tmp_path / "b").glob("*--*.md"))  # the reports; the pod summary has its own template
