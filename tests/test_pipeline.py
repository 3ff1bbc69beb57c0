"""The score pipeline: read and check everything first, keep the records in the record store,
score and write one pod at a time; in one process or several, the files are the same as
scoring everything in memory."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from conftest import KITS, ROOT, score_files
from podkit import observations, store
from podkit.errors import SourceErrors
from podkit.kit import Project, load_kit
from podkit.observations import load_observations
from podkit.pipeline import score
from podkit.report import Renderer, render



def _synthetic(tmp_path, n):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import synth
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    synth.make_observations(tmp_path / "obs", n)
    return tmp_path / "obs"


def _in_memory(kit, inputs, formats, as_of):
    from podkit import __version__
    from podkit.summary import SUMMARY_FORMATS, render_summary, summaries_of

    reports, pf = score_files(kit, inputs, as_of)
    renderer = Renderer.for_project(kit.project.root)
    out = {}
    for rep in reports + ([pf] if pf is not None else []):
        for fmt in formats:
            name, content = render(rep, fmt, renderer, with_portfolio=pf is not None, with_summary=True)
            out[name] = content.encode() if isinstance(content, str) else content
    for card in summaries_of(reports, as_of=as_of, version=__version__):  # last, the one-page summary of each pod
        for fmt in (f for f in formats if f in SUMMARY_FORMATS):
            name, content = render_summary(card, fmt, renderer)
            out[name] = content.encode() if isinstance(content, str) else content
    return out


@pytest.mark.parametrize("jobs, kept", [(1, 8000), (2, 8000), (1, 7), (2, 7)])
def test_streamed_scoring_writes_what_in_memory_scoring_renders(tmp_path, monkeypatch, jobs, kept):
    monkeypatch.setattr(observations, "PARALLEL_MIN_FILES", 10)
    monkeypatch.setattr(store, "IN_MEMORY", kept)  # 7: most records go through the spill file
    kit = load_kit(Project.find(ROOT))
    obs = _synthetic(tmp_path, 200)  # two pods: a portfolio too
    as_of = dt.date(2025, 12, 31)
    formats = ["json", "md", "html"]
    written = score(kit, [obs], formats=formats, out_dir=tmp_path / "out", as_of=as_of, today=as_of, jobs=jobs).written
    expected = _in_memory(kit, [obs], formats, as_of)
    assert [p.name for p in written] == list(expected)  # same files, same order
    for p in written:
        assert p.read_bytes() == expected[p.name], p.name
    assert (tmp_path / "out" / "portfolio.json").exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_streamed_scoring_reports_the_same_problems(tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(observations, "PARALLEL_MIN_FILES", 2)
    kit = load_kit(Project.find(KITS / "scoring"))
    src = KITS / "scoring" / "observations"
    inputs = tmp_path / "in"
    inputs.mkdir()
    first = next(src.glob("*.yaml"))
    (inputs / "a.yaml").write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    (inputs / "b.yaml").write_text(first.read_text(encoding="utf-8"), encoding="utf-8")  # the same session again
    (inputs / "c.yaml").write_text("assessment: [unclosed\n", encoding="utf-8")
    as_of = dt.date(2026, 6, 1)
    with pytest.raises(SourceErrors) as slow:
        load_observations([inputs], kit.assessments, today=as_of)
    with pytest.raises(SourceErrors) as fast:
        score(kit, [inputs], formats=["json"], out_dir=tmp_path / "out", as_of=as_of, today=as_of, jobs=jobs)
    assert [p.format() for p in fast.value.problems] == [p.format() for p in slow.value.problems]
    assert any("duplicate response" in p.message for p in fast.value.problems)
    assert not (tmp_path / "out").exists(), "something was written although an input is invalid"


def test_no_temporary_files_are_left_behind(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    kit = load_kit(Project.find(KITS / "scoring"))
    score(kit, [KITS / "scoring" / "observations"], formats=["json"], out_dir=tmp_path / "out", as_of=dt.date(2026, 6, 1), today=dt.date(2026, 6, 1))
    assert not list((tmp_path / "tmp").iterdir())


# --------------------------------------------------------------------------- action plans


def _samples_with_plans(tmp_path):
    import shutil

    obs = tmp_path / "observations"
    shutil.copytree(ROOT / "examples" / "observations", obs)
    return obs


def test_score_reads_action_plans_end_to_end(tmp_path, runner):
    import json

    from podkit.cli import main

    obs = _samples_with_plans(tmp_path)
    out = tmp_path / "reports"
    result = runner.invoke(main, ["score", str(obs), "-p", str(ROOT), "-o", str(out), "-f", "json,html", "--as-of", "2026-10-28", "-q"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "pod-borealis--alignment.json").read_text(encoding="utf-8"))
    (a1,) = report["actions"]
    # the sample's hand computation: agreed 12 Oct (level 1 that day), due 26 Oct, in progress since 14 Oct
    assert {k: a1[k] for k in ("id", "status", "status_date", "in_flight", "overdue", "verdict")} == {
        "id": "a1", "status": "in-progress", "status_date": "2026-10-14", "in_flight": True, "overdue": True, "verdict": "worse"}
    assert a1["before"] == {"date": "2026-10-12", "level": 1.0, "not_applicable": False}
    assert a1["after"] == [{"date": "2026-10-26", "level": 0.0, "not_applicable": False}]
    assert {f["item"]: f["action"] for f in report["findings"]}["work-matches-board"] == "a1"
    assert all(len(rec["ids"]) == len(rec["interventions"]) for rec in report["recommendations"])
    portfolio = json.loads((out / "portfolio.json").read_text(encoding="utf-8"))
    pods = {p["pod"]: p for p in portfolio["assessments"][0]["pods"]}
    assert pods["pod-borealis"]["overdue_actions"] == 1 and "1 overdue action" in pods["pod-borealis"]["needs_attention"]
    html = (out / "pod-borealis--alignment.html").read_text(encoding="utf-8")
    assert "no action agreed" in html and 'href="#action-a1"' in html and "Action review" in html
    aurora = json.loads((out / "pod-aurora--alignment.json").read_text(encoding="utf-8"))
    assert [(x["id"], x["status"], x["verdict"]) for x in aurora["actions"]] == [("a1", "done", "improved")]


def test_a_bad_plan_stops_score_before_anything_is_written(tmp_path, runner):
    from podkit.cli import main

    obs = _samples_with_plans(tmp_path)
    plan = obs / "actions" / "pod-aurora.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("owner: pod-lead", "owner: other\n    owner_role: Jane Smith"), encoding="utf-8")
    out = tmp_path / "reports"
    result = runner.invoke(main, ["score", str(obs), "-p", str(ROOT), "-o", str(out), "-f", "json", "--as-of", "2026-10-28"])
    assert result.exit_code == 1
    assert "pod-aurora.yaml:" in result.output and "owner_role" in result.output and "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_a_plan_without_observations_is_a_warning(tmp_path, runner):
    from podkit.cli import main

    obs = _samples_with_plans(tmp_path)
    (obs / "actions" / "pod-nimbus.yaml").write_text(
        (obs / "actions" / "pod-aurora.yaml").read_text(encoding="utf-8").replace("pod: pod-aurora", "pod: pod-nimbus"), encoding="utf-8")
    result = runner.invoke(main, ["score", str(obs), "-p", str(ROOT), "-o", str(tmp_path / "reports"), "-f", "json", "--as-of", "2026-10-28", "-q"])
    assert result.exit_code == 0, result.output
    assert "pod-nimbus.yaml" in result.output and "action plan for pod-nimbus, which has no observations in the inputs" in result.output


@pytest.mark.parametrize("name", ["actions/pod-aurora.yaml", "self-check/pod-aurora-2026-09-07.yaml"])
def test_a_plan_or_self_check_linked_from_outside_stops_score(tmp_path, runner, name):
    """Plans and self-check records are found by the same walk as observations: a link leading out
    of the folder given is a located error (exit 1, nothing written), whether that folder is the
    one above or ``actions/`` / ``self-check/`` itself."""
    from podkit.cli import main

    obs = _samples_with_plans(tmp_path)
    path = obs / name
    outside = tmp_path / "outside.yaml"
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)
    for inputs in ([obs], [obs / "pod-aurora", obs / "pod-borealis", obs / "pod-cirrus", path.parent]):
        out = tmp_path / "reports"
        result = runner.invoke(main, ["score", *map(str, inputs), "-p", str(ROOT), "-o", str(out), "-f", "json", "--as-of", "2026-10-28"])
        assert result.exit_code == 1, result.output
        assert f"{path.name}: symbolic link points outside the folder" in result.output and "Traceback" not in result.output
        assert not out.exists() or not any(out.iterdir())


def test_plans_and_self_checks_in_a_report_folder_inside_the_inputs_are_not_read(tmp_path, runner):
    from podkit.cli import main
    from podkit.outputs import mark_output_dir

    obs = _samples_with_plans(tmp_path)
    old = obs / "old-reports"
    for folder in ("actions", "self-check"):
        (old / folder).mkdir(parents=True)
    (old / "actions" / "pod-nimbus.yaml").write_text(
        (obs / "actions" / "pod-aurora.yaml").read_text(encoding="utf-8").replace("pod: pod-aurora", "pod: pod-nimbus"), encoding="utf-8")
    (old / "self-check" / "pod-aurora-2026-09-07.yaml").write_text("not: a record\n", encoding="utf-8")
    mark_output_dir(old)
    result = runner.invoke(main, ["score", str(obs), "-p", str(ROOT), "-o", str(tmp_path / "reports"), "-f", "json", "--as-of", "2026-10-28"])
    assert result.exit_code == 0, result.output
    assert "pod-nimbus" not in result.output and "old-reports" not in result.output
