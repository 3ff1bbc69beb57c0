"""The fast paths of issue 8 give exactly what the slow ones give.

* observation files: the lean checks accept only what the pydantic model accepts, with the same
  values (anything else goes through the model, which words the problems);
* ``podkit score`` in two passes with records spilled to disk, in one or several processes,
  writes the same reports as scoring everything in memory;
* ``podkit --help`` / ``--version`` from the start-up fast path print what Click prints.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from podkit import __version__, observations, report
from podkit.errors import SourceErrors
from podkit.kit import Project, load_kit
from podkit.model import Observation
from podkit.observations import lean_observation, load_observations
from podkit.report import Renderer, render_all, score_files
from podkit.scoring import score_all

ROOT = Path(__file__).resolve().parent.parent
KITS = Path(__file__).resolve().parent / "kits"

BASE = {
    "assessment": "alignment",
    "assessment_version": "1.2.0",
    "pod": "pod-aurora",
    "date": dt.date(2026, 3, 2),
    "session": {"type": "planning", "duration_minutes": 60},
    "observers": ["obs-a", "obs_B"],
    "notes": "Calm session.",
    "responses": {
        "goal-stated": {"obs-a": {"level": 2, "evidence": "Stated twice."}, "obs_B": {"not_observed": True}},
        "speakers": {"obs-a": {"count": 4}, "obs_B": {"count": 4.5, "evidence": ""}},
        "codes": {"obs-a": {"intervals": [["MM", "Q-ask"], []]}},
        "dod": {"obs_B": {"check": False, "not_observed": False}},
    },
}

ODD_VALUES = [
    None, True, False, 0, 1, 2, 3.0, 2.5, -1, 10, 11, 720, 721, 1_000_000, 1_000_001, 1e300, math.inf, math.nan,
    "", " ", "x", " x", "x ", "\u00a0x", "x\u2003", "\x1cx", "MM", "1.0.0", "1.0", "Bad Id", "pod-b", "a" * 64, "a" * 65,
    "e" * 4000, "e" * 4001, "planning", "stand-up", "nap", "2026-03-02", dt.date(2026, 3, 2), dt.datetime(2026, 3, 2, 9, 30),
    [], ["obs-a"], [["MM"]], [[]], [["mm"]], [[" MM"]], {}, {"level": 1}, {"extra": 1},
]

PATHS = [
    ("assessment",), ("assessment_version",), ("pod",), ("date",), ("session",), ("session", "type"),
    ("session", "duration_minutes"), ("session", "extra"), ("observers",), ("observers", 0), ("notes",), ("extra",),
    ("responses",), ("responses", "goal-stated"), ("responses", "goal-stated", "obs-a"),
    ("responses", "goal-stated", "obs-a", "level"), ("responses", "goal-stated", "obs-a", "evidence"),
    ("responses", "goal-stated", "obs-a", "extra"), ("responses", "speakers", "obs-a", "count"),
    ("responses", "codes", "obs-a", "intervals"), ("responses", "codes", "obs-a", "intervals", 0),
    ("responses", "codes", "obs-a", "intervals", 0, 1), ("responses", "dod", "obs_B", "check"),
    ("responses", "dod", "obs_B", "not_observed"),
]


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _set(data, path, value):
    cur = data
    for part in path[:-1]:
        cur = cur[part]
    cur[path[-1]] = value


def _values(obs):
    responses = {item: {ob: (r.level, r.check, r.count, r.intervals, r.not_observed, r.evidence, r.value_keys) for ob, r in per.items()}
                 for item, per in obs.responses.items()}
    return (obs.assessment, obs.assessment_version, obs.pod, obs.date, obs.session.type, obs.session.duration_minutes,
            list(obs.observers), obs.notes, responses)


def _types(values):
    if isinstance(values, dict):
        return {k: _types(v) for k, v in values.items()}
    if isinstance(values, (list, tuple)):
        return [_types(v) for v in values]
    return type(values)


def test_a_plainly_valid_observation_takes_the_fast_path():
    lean = lean_observation(_copy(BASE))
    assert lean is not None
    model = Observation.model_validate(_copy(BASE))
    assert _values(lean) == _values(model)
    assert _types(_values(lean)) == _types(_values(model))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), st.sampled_from(ODD_VALUES)), min_size=1, max_size=3))
def test_the_fast_path_accepts_only_what_the_model_accepts_with_the_same_values(changes):
    data = _copy(BASE)
    for path, value in changes:
        try:
            _set(data, path, _copy(value))
        except (KeyError, IndexError, TypeError):
            pass  # the path no longer exists after an earlier change
    lean = lean_observation(_copy(data))
    try:
        model = Observation.model_validate(_copy(data))
    except ValidationError:
        model = None
    if lean is not None:
        assert model is not None, f"fast path accepted what the model rejects: {changes}"
        assert _values(lean) == _values(model), changes
        assert _types(_values(lean)) == _types(_values(model)), changes


def test_unusual_but_valid_input_still_validates_through_the_model(tmp_path):
    kit = load_kit(Project.find(KITS / "scoring"))
    src = next(p for p in sorted((KITS / "scoring" / "observations").glob("*.yaml")) if "level: 1" in p.read_text(encoding="utf-8"))
    odd = tmp_path / "odd.yaml"
    odd.write_text(src.read_text(encoding="utf-8").replace("level: 1", "level: '1'", 1), encoding="utf-8")
    assert lean_observation(__import__("yaml").safe_load(odd.read_text(encoding="utf-8"))) is None
    (rec,) = load_observations([odd], kit.assessments, today=dt.date(2026, 6, 1)).records
    assert isinstance(rec.observation, Observation)  # the model's result, "1" read as 1
    assert 1 in [r.level for per in rec.observation.responses.values() for r in per.values()]


# --------------------------------------------------------------------------- streaming scoring


def _synthetic(tmp_path, n):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import synth
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    synth.make_observations(tmp_path / "obs", n)
    return tmp_path / "obs"


def _in_memory(kit, inputs, formats, as_of):
    loaded = load_observations(inputs, kit.assessments, today=as_of)
    reports, pf = score_all(loaded.records, kit.assessments, as_of=as_of, version=__version__)
    return {name: (c.encode() if isinstance(c, str) else c) for name, c in render_all(reports, pf, formats, Renderer.for_project(kit.project.root)).items()}


@pytest.mark.parametrize("jobs", [1, 2])
def test_streamed_scoring_writes_what_in_memory_scoring_renders(tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(observations, "PARALLEL_MIN_FILES", 10)
    monkeypatch.setattr(report, "_FILES_PER_PIECE", 7)  # the portfolio's file list in several pieces
    kit = load_kit(Project.find(ROOT))
    obs = _synthetic(tmp_path, 200)  # two pods: a portfolio too
    as_of = dt.date(2025, 12, 31)
    formats = ["json", "md", "html"]
    written, warnings = score_files(kit, [obs], formats=formats, out_dir=tmp_path / "out", as_of=as_of, today=as_of, jobs=jobs)
    expected = _in_memory(kit, [obs], formats, as_of)
    assert [p.name for p in written] == list(expected)  # same files, same order
    for p in written:
        assert p.read_bytes() == expected[p.name], p.name
    assert (tmp_path / "out" / "portfolio.json").exists()


def test_streamed_scoring_of_json_only_builds_the_portfolio_in_pieces(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "_FILES_PER_PIECE", 5)
    kit = load_kit(Project.find(ROOT))
    obs = _synthetic(tmp_path, 200)
    as_of = dt.date(2025, 12, 31)
    written, _ = score_files(kit, [obs], formats=["json"], out_dir=tmp_path / "out", as_of=as_of, today=as_of, jobs=1)
    expected = _in_memory(kit, [obs], ["json"], as_of)
    assert {p.name: p.read_bytes() for p in written} == expected


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
        score_files(kit, [inputs], formats=["json"], out_dir=tmp_path / "out", as_of=as_of, today=as_of, jobs=jobs)
    assert [p.format() for p in fast.value.problems] == [p.format() for p in slow.value.problems]
    assert any("duplicate response" in p.message for p in fast.value.problems)
    assert not (tmp_path / "out").exists(), "something was written although an input is invalid"


def test_no_temporary_files_are_left_behind(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    kit = load_kit(Project.find(KITS / "scoring"))
    score_files(kit, [KITS / "scoring" / "observations"], formats=["json"], out_dir=tmp_path / "out", as_of=dt.date(2026, 6, 1), today=dt.date(2026, 6, 1))
    assert not list((tmp_path / "tmp").iterdir())


# --------------------------------------------------------------------------- start-up


def _podkit(*args, env=None):
    cmd = [str(Path(sys.executable).parent / "podkit"), *args]
    if not Path(cmd[0]).exists():  # pragma: no cover - not installed as a script
        cmd = [sys.executable, "-m", "podkit", *args]
    return subprocess.run(cmd, capture_output=True, env=env, check=True).stdout


@pytest.mark.parametrize("columns", ["80", "132", "30"])
def test_help_from_the_fast_path_is_clicks_byte_for_byte(tmp_path, columns):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "COLUMNS": columns}
    env.pop("PODKIT_NO_HELP_CACHE", None)
    click_help = _podkit("--help", env={**env, "PODKIT_NO_HELP_CACHE": "1"})
    assert b"Usage: podkit [OPTIONS] COMMAND [ARGS]..." in click_help
    first = _podkit("--help", env=env)  # Click answers and the cache is written
    assert len(list((tmp_path / "podkit").glob("help-*.txt"))) == 1
    fast = _podkit("--help", env=env)
    short = _podkit("-h", env=env)
    assert click_help == first == fast == short
    version = _podkit("--version", env=env)
    assert version == _podkit("--version", env={**env, "PODKIT_NO_HELP_CACHE": "1"}) == _podkit("-V", env=env)


def test_help_fast_path_does_not_import_click(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "COLUMNS": "80"}
    env.pop("PODKIT_NO_HELP_CACHE", None)
    _podkit("--help", env=env)
    cmd = [sys.executable, "-X", "importtime", "-c", "import sys; sys.argv = ['podkit', '--help']; from podkit.launch import main; main()"]
    proc = subprocess.run(cmd, capture_output=True, env=env, check=True)
    assert b"Usage: podkit" in proc.stdout
    imported = {line.split("|")[-1].strip() for line in proc.stderr.decode().splitlines() if "|" in line}
    assert "click" not in imported and "podkit.cli" not in imported


def test_a_stale_help_cache_is_not_used(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "COLUMNS": "80"}
    env.pop("PODKIT_NO_HELP_CACHE", None)
    good = _podkit("--help", env=env)
    (cached,) = (tmp_path / "podkit").glob("help-*.txt")
    header, _, text = cached.read_text(encoding="utf-8").partition("\n")
    click_file, size, mtime = header.rsplit(" ", 2)
    cached.write_text(f"{click_file} {int(size) + 1} {mtime}\nstale text\n", encoding="utf-8")  # as if Click changed
    assert _podkit("--help", env=env) == good
    assert _podkit("--help", env=env) == good  # and the copy was renewed
    assert "stale text" not in cached.read_text(encoding="utf-8")
