"""The CLI as a user meets it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from podkit import __version__
from podkit.cli import main


def _run(runner, *args):
    result = runner.invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_help_lists_commands_and_exit_codes(runner):
    result = _run(runner, "--help")
    assert result.exit_code == 0
    for command in ("validate", "build", "serve", "schema"):
        assert command in result.output
    assert "Exit codes:" in result.output and "2  usage error" in result.output


def test_version(runner):
    result = _run(runner, "--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "podkit", "--version"], capture_output=True, text=True, check=True)
    assert __version__ in out.stdout


def test_validate_ok(runner, kit_copy):
    kit = kit_copy("minimal")
    result = _run(runner, "validate", "--project", str(kit))
    assert result.exit_code == 0
    assert "OK: 1 assessments, 4 items are valid." in result.output


@pytest.mark.parametrize(
    "edit, expect",
    [
        (lambda t: t.replace("summary:", "colour: blue\nsummary:", 1), "unknown key 'colour'"),
        (lambda t: t.replace("summary:", "summary: [unclosed\nx:", 1), "YAML syntax error"),
        (lambda t: t.replace("summary:", "title: Again\nsummary:", 1), "duplicate key 'title'"),
    ],
    ids=["unknown-key", "syntax-error", "duplicate-key"],
)
def test_validate_names_file_and_line(runner, kit_copy, edit, expect):
    kit = kit_copy("minimal")
    f = kit / "assessments" / "demo-standup.yaml"
    text = edit(f.read_text())
    f.write_text(text)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith(("colour", "summary: [", "title: Again")))
    result = _run(runner, "validate", "-p", str(kit))
    assert result.exit_code == 1
    assert f"demo-standup.yaml:{line}:" in result.output
    assert expect in result.output
    assert "Error: 1 problem in 1 file" in result.output


def test_all_problems_in_all_files_at_once(runner, kit_copy):
    kit = kit_copy("minimal")
    src = (kit / "assessments" / "demo-standup.yaml").read_text()
    (kit / "assessments" / "demo-standup.yaml").write_text(src.replace("version: 1.0.0", "version: one"))
    (kit / "assessments" / "second.yaml").write_text("id: second\ntitle: x\nunknown: 1\n")
    result = _run(runner, "validate", "-p", str(kit))
    assert result.exit_code == 1
    assert "demo-standup.yaml:4:1: version: expected a version like 1.0.0 — got 'one'" in result.output
    assert "second.yaml:3:1: unknown: unknown key 'unknown'" in result.output
    assert "problems in 2 files" in result.output


def test_schema_assessment_is_json_schema(runner):
    result = _run(runner, "schema", "assessment")
    schema = json.loads(result.output)
    assert schema["$schema"].endswith("2020-12/schema")
    assert "items" in schema["properties"]


def test_usage_error_exit_code(runner):
    result = runner.invoke(main, ["schema", "nonsense"])
    assert result.exit_code == 2


def test_internal_error_is_short_without_debug(runner, monkeypatch, kit_copy):
    import podkit.pipeline

    def boom(project):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(podkit.pipeline, "load_kit", boom)
    kit = kit_copy("minimal")
    result = runner.invoke(main, ["validate", "-p", str(kit)])
    assert result.exit_code == 3
    assert "Internal error: RuntimeError: simulated bug" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output
    result = runner.invoke(main, ["--debug", "validate", "-p", str(kit)])
    assert isinstance(result.exception, RuntimeError)


def test_not_a_kit(runner, tmp_path):
    result = _run(runner, "validate", "-p", str(tmp_path))
    assert result.exit_code == 1
    assert "no 'assessments/' folder" in result.output


def test_help_is_light():
    """--help must not import the heavy stages (pydantic models, mkdocs, weasyprint)."""
    code = "import sys; from podkit.cli import main; print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'mkdocs', 'weasyprint', 'krippendorff', 'numpy')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
