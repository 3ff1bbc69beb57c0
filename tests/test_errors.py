"""errors.py: located problems, the user-error exceptions and their exit codes."""

from __future__ import annotations

import click
import pytest

from podkit.errors import EXIT_INVALID, PodkitError, Problem, SourceErrors, display_path, format_key_path, source_error


def test_key_paths():
    assert format_key_path(("items", 2, "anchors", 3)) == "items[2].anchors[3]"
    assert format_key_path(("responses", "done-shown", "obs-a", "level")) == "responses.done-shown.obs-a.level"
    assert format_key_path(()) == ""
    assert format_key_path((0, "id")) == "0.id"  # a leading index stays readable


def test_problem_format_with_everything():
    p = Problem("a.yaml", "expected a number", line=4, col=7, key=("items", 0, "weight"))
    assert p.format() == "a.yaml:4:7: items[0].weight: expected a number"


def test_problem_format_without_position_or_key():
    assert Problem("a.yaml", "file is empty").format() == "a.yaml: file is empty"
    assert Problem("a.yaml", "m", line=3).format() == "a.yaml:3: m"
    assert Problem("a.yaml", "m", col=3).format() == "a.yaml: m"  # a column without a line means nothing
    assert Problem("a.yaml", "m", key=("pod",)).format() == "a.yaml: pod: m"
    assert Problem(None, "m").format() == "<input>: m"


def test_warning_and_rule():
    p = Problem("a.yaml", "prompt asks two things", line=9, col=5, key=("items", 1, "prompt"), severity="warning", rule="double-barrelled")
    assert p.format() == "a.yaml:9:5: warning: items[1].prompt: prompt asks two things [double-barrelled]"


def test_paths_are_shown_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "obs").mkdir()
    assert display_path(tmp_path / "obs" / "a.yaml") == "obs/a.yaml"
    elsewhere = tmp_path.parent / "other.yaml"
    assert display_path(elsewhere) == str(elsewhere)
    assert Problem(tmp_path / "obs" / "a.yaml", "m", 1, 1).format() == "obs/a.yaml:1:1: m"


def test_problems_sort_by_file_then_position():
    ps = [Problem("b.yaml", "x", 1, 1), Problem("a.yaml", "z", 9, 1), Problem("a.yaml", "y", 2, 5), Problem("a.yaml", "a")]
    assert [(str(p.path), p.line) for p in sorted(ps, key=Problem.sort_key)] == [("a.yaml", None), ("a.yaml", 2), ("a.yaml", 9), ("b.yaml", 1)]


@pytest.mark.parametrize("problems, summary", [
    ([Problem("a.yaml", "x")], "1 problem in 1 file"),
    ([Problem("a.yaml", "x"), Problem("a.yaml", "y")], "2 problems in 1 file"),
    ([Problem("a.yaml", "x"), Problem("b.yaml", "y"), Problem("c.yaml", "z")], "3 problems in 3 files"),
    # warnings are shown but not counted
    ([Problem("a.yaml", "x"), Problem("b.yaml", "w", severity="warning")], "1 problem in 1 file"),
])
def test_source_errors_summary_counts(problems, summary):
    assert SourceErrors(problems).message == summary


def test_source_errors_show_every_problem_then_the_summary(capsys):
    err = SourceErrors([Problem("b.yaml", "second", 1, 1), Problem("a.yaml", "first", 2, 3, ("id",))])
    err.show()
    assert capsys.readouterr().err == "a.yaml:2:3: id: first\nb.yaml:1:1: second\nError: 2 problems in 2 files\n"


def test_podkit_error_is_a_click_exception_with_exit_code_1(capsys):
    err = PodkitError("something the user can fix")
    assert isinstance(err, click.ClickException)
    assert err.exit_code == EXIT_INVALID == 1
    err.show()
    assert capsys.readouterr().err == "Error: something the user can fix\n"


def test_source_error_shortcut():
    err = source_error("x.csv", "unknown column 'lvl'", line=1, col=4, key=["header"])
    [p] = err.problems
    assert p.format() == "x.csv:1:4: header: unknown column 'lvl'"
    assert p.key == ("header",)
    assert err.message == "1 problem in 1 file"


def test_cli_shows_source_errors_without_traceback(runner, kit_copy):
    from podkit.cli import main

    kit = kit_copy("minimal")
    f = kit / "assessments" / "demo-standup.yaml"
    f.write_text(f.read_text().replace("version: 1.0.0", "version: one"))
    result = runner.invoke(main, ["validate", "-p", str(kit)])
    assert result.exit_code == 1
    assert "demo-standup.yaml:4:1: version: expected a version like 1.0.0 — got 'one'" in result.output
    assert result.output.rstrip().endswith("Error: 1 problem in 1 file")
    assert "Traceback" not in result.output
