"""observations.py: reading YAML, CSV and PDF observation files; every error located; new-observation."""

from __future__ import annotations

import datetime as dt
import re
import sys
import types
from pathlib import Path

import pytest

from podkit.cli import main
from podkit.errors import SourceErrors
from podkit.kit import Project, load_kit
from conftest import fill_sheet
from podkit.csvfiles import CSV_COLUMNS
from podkit.observations import collect_files, find_inputs, load_observations
from podkit.privacy import personal_data
from podkit.pipeline import score_records

TODAY = dt.date(2026, 6, 1)

BASE = """\
assessment: worked-example
assessment_version: 1.0.0
pod: pod-x
date: 2026-03-02
session:
  type: stand-up
  duration_minutes: 15
observers: [obs-a, obs-b]
responses:
  done-demonstrated:
    obs-a:
      level: 1
      evidence: One link opened.
    obs-b:
      level: 2
  dod-checked:
    obs-a:
      check: no
  blockers-unowned:
    obs-a:
      count: 4
  swarming:
    obs-a:
      intervals: [[SW], [RS], [RS], [NX, RS], [RS]]
"""


@pytest.fixture
def kit_dir(kit_copy) -> Path:
    return kit_copy("scoring")


@pytest.fixture
def kit(kit_dir):
    return load_kit(Project.find(kit_dir))


def _load(kit, *paths, today=TODAY):
    return load_observations([Path(p) for p in paths], kit.assessments, today=today)


def _problems(kit, *paths, today=TODAY) -> list[str]:
    with pytest.raises(SourceErrors) as info:
        _load(kit, *paths, today=today)
    return [p.format() for p in info.value.problems]


def _line_of(text: str, needle: str, nth: int = 1) -> int:
    hits = [i for i, ln in enumerate(text.splitlines(), 1) if needle in ln]
    return hits[nth - 1]


def _write(tmp_path, text, name="obs.yaml") -> Path:
    """Write an input file into tmp_path/in (tmp_path/kit holds the kit)."""
    p = tmp_path / "in" / name
    p.parent.mkdir(exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


# --------------------------------------------------------------------------- YAML


def test_valid_yaml_loads_with_lines_and_names(kit, kit_dir):
    loaded = _load(kit, kit_dir / "observations")
    assert [r.source.name for r in loaded.records] == ["observations/s1.yaml", "observations/s2.yaml"]
    rec = loaded.records[0]
    assert rec.where("swarming", "obs-a") == "observations/s1.yaml:26"
    assert len(rec.source.sha256) == 64 and loaded.warnings == []


@pytest.mark.parametrize(
    "old, new, needle, message",
    [
        ("assessment: worked-example", "assessment: worked-exampel", "assessment:", "assessment: unknown assessment 'worked-exampel' (did you mean 'worked-example'?); the kit has: worked-example"),
        ("  dod-checked:", "  dod-chekced:", "dod-chekced", "responses.dod-chekced: unknown item 'dod-chekced' (did you mean 'dod-checked'?)"),
        ("      level: 1\n", "      level: 5\n", "level: 5", "responses.done-demonstrated.obs-a.level: level 5 is outside the scale (0–3)"),
        ("      check: no", "      level: 2", ("  dod-checked:", 2), "responses.dod-checked.obs-a.level: item 'dod-checked' is a check item: answer with check: yes or no, not level"),
        ("      count: 4", "      check: yes", "check: yes", "responses.blockers-unowned.obs-a.check: item 'blockers-unowned' is a count item: answer with count: a number, not check"),
        ("      level: 1\n", "      count: 1\n", "count: 1", "responses.done-demonstrated.obs-a.count: item 'done-demonstrated' is an anchored item: answer with level: N (a level of the scale), not count"),
        ("[NX, RS]", "[NX, XX]", "[NX, XX]", "responses.swarming.obs-a.intervals[3][1]: unknown code 'XX' in interval 4; this item's codes: SW, NX, RS"),
        ("[[SW], [RS], [RS], [NX, RS], [RS]]", "[[SW], [RS], [RS], [NX, RS], [RS], [SW]]", "intervals:", "responses.swarming.obs-a.intervals: 6 intervals recorded, but a 15-minute session has at most 5 intervals of 3 minutes"),
        ("[[SW], [RS], [RS], [NX, RS], [RS]]", "[[SW, SW]]", "intervals:", "code 'SW' is ticked twice in interval 1"),
        ("[[SW], [RS], [RS], [NX, RS], [RS]]", "[]", "intervals:", "no intervals recorded"),
        ("    obs-b:\n      level: 2", "    obs-c:\n      level: 2", "obs-c:", "responses.done-demonstrated.obs-c: observer 'obs-c' is not listed in observers (obs-a, obs-b)"),
        ("    obs-b:\n      level: 2", "    obs-a:\n      level: 2", ("  done-demonstrated:", 4), "duplicate key 'obs-a'"),
        ("date: 2026-03-02", "date: 2026-07-01", "date:", "date: date 2026-07-01 is in the future (today is 2026-06-01)"),
        ("      count: 4", "      not_observed: true\n      count: 4", ("  blockers-unowned:", 1), "not_observed: true and count"),
        ("      count: 4", "      evidence: forgot", ("  blockers-unowned:", 1), "no answer: give count: a number, or not_observed: true"),
        ("      count: 4", "      count: 4\n      check: yes", ("  blockers-unowned:", 1), "give one answer, not check and count"),
        ("      level: 1\n", "      level: two\n", "level: two", "expected a whole number — got 'two'"),
        ("      count: 4", "      count: -1", "count: -1", "must be at least 0"),
        ("observers: [obs-a, obs-b]", "observers: [obs-a, obs-a]", "observers:", "observer 'obs-a' is listed twice"),
        ("      level: 1\n", "      level: 1\n      colour: red\n", "colour", "unknown key 'colour'"),
    ],
    ids=["assessment", "item", "scale", "kind-check", "kind-count", "kind-anchored", "code", "too-many-intervals", "code-twice", "no-intervals", "observer", "duplicate", "future", "both", "no-answer", "two-answers", "type", "negative", "observer-twice", "unknown-key"],
)
def test_yaml_errors_are_located(kit, tmp_path, old, new, needle, message):
    assert old in BASE
    text = BASE.replace(old, new, 1)
    path = _write(tmp_path, text)
    problems = _problems(kit, path)
    anchor, offset = needle if isinstance(needle, tuple) else (needle, 0)
    line = _line_of(text, anchor) + offset
    hit = [p for p in problems if message in p]
    assert hit, problems
    assert re.search(rf"obs\.yaml:{line}:\d+: ", hit[0]), (hit[0], line)


def test_all_problems_in_all_files_are_reported_together(kit, tmp_path):
    a = _write(tmp_path, BASE.replace("level: 1", "level: 9"), "a.yaml")
    b = _write(tmp_path, BASE.replace("check: no", "check: maybe"), "b.yaml")
    c = _write(tmp_path, "assessment: [unclosed\n", "c.yaml")
    problems = _problems(kit, tmp_path / "in")
    assert any("a.yaml:12" in p and "outside the scale" in p for p in problems)
    assert any("b.yaml:18" in p and "check" in p for p in problems)
    assert any("c.yaml:1" in p and "YAML syntax error" in p for p in problems)
    assert a.exists() and b.exists() and c.exists()


def test_version_difference_is_a_warning_carried_into_the_report(kit, tmp_path):
    text = BASE.replace("assessment_version: 1.0.0", "assessment_version: 0.9.0")
    path = _write(tmp_path, text)
    loaded = _load(kit, path)
    (w,) = loaded.warnings
    assert w.severity == "warning" and w.line == 2
    assert "recorded with version 0.9.0 of 'worked-example', but the kit has 1.0.0" in w.format()
    (r,), _ = score_records(loaded.records, kit.assessments, as_of=TODAY, version="test")
    assert [(x.source, x.line) for x in r.warnings] == [("obs.yaml", 2)]
    assert "0.9.0" in r.warnings[0].message


def test_session_type_outside_the_setting_is_a_warning(kit, tmp_path):
    loaded = _load(kit, _write(tmp_path, BASE.replace("type: stand-up", "type: retrospective")))
    assert ["meant for stand-up, review sessions, not retrospective" in w.message for w in loaded.warnings] == [True]


def test_personal_data_in_evidence_is_a_warning_naming_file_and_line(kit, tmp_path):
    text = BASE.replace("evidence: One link opened.", "evidence: Ask jane.doe@example.com about it.").replace(
        "      check: no", "      check: no\n      evidence: Call +44 20 7946 0958 tomorrow.")
    path = _write(tmp_path, text)
    loaded = _load(kit, path)
    got = sorted((w.line, w.message) for w in loaded.warnings)
    assert got[0][0] == _line_of(text, "jane.doe") and "an e-mail address" in got[0][1]
    assert got[1][0] == _line_of(text, "+44") and "a phone number" in got[1][1]
    assert all("jane" not in w.format() and "7946" not in w.format() for w in loaded.warnings)


@pytest.mark.parametrize("text, kinds", [
    ("Contact: a.b-c@team.example.org", ["an e-mail address"]),
    ("phone 020 7946 0958", ["a phone number"]),
    ("call 555-123-4567 after", ["a phone number"]),
    ("+1 (555) 123 4567", ["a phone number"]),
    ("Review on 2026-03-02, 4 of 12 cards, 3/5 intervals, 0.75 ratio", []),
    ("Sprint 12 15 20 30 points; version 1.0.0; ticket #12345", []),
    ("@channel said so", []),
])
def test_personal_data_patterns(text, kinds):
    assert personal_data(text) == kinds


# --------------------------------------------------------------------------- folders


def test_folders_are_walked_for_observation_files_only(kit, kit_dir, tmp_path):
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "s1.yml").write_text((kit_dir / "observations" / "s1.yaml").read_text())
    (tmp_path / ".hidden.yaml").write_text("not: valid: yaml: [")
    (tmp_path / "notes.txt").write_text("ignored")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.yaml").write_text("ignored: [")
    files, problems = collect_files([tmp_path])
    assert [name for _, name, _ in files] == [f"{tmp_path.name}/sub/s1.yml"] and problems == []
    files, problems = collect_files([tmp_path / "notes.txt", tmp_path / "missing"])
    assert files == [] and [p.message for p in problems] == ["not an observation file: expected .yaml, .yml, .csv or .pdf", "no such file or folder"]


def test_the_same_session_in_two_files_merges_or_clashes(kit, tmp_path):
    a_text = BASE.replace("observers: [obs-a, obs-b]", "observers: [obs-a]").replace("    obs-b:\n      level: 2\n", "")
    b_text = "\n".join([
        "assessment: worked-example", "assessment_version: 1.0.0", "pod: pod-x", "date: 2026-03-02",
        "session: {type: stand-up, duration_minutes: 15}", "observers: [obs-b]",
        "responses:", "  done-demonstrated:", "    obs-b: {level: 3}", "",
    ])
    _write(tmp_path, a_text, "a.yaml")
    _write(tmp_path, b_text, "b.yaml")
    loaded = _load(kit, tmp_path / "in")
    (r,), _ = score_records(loaded.records, kit.assessments, as_of=TODAY, version="test")
    (s,) = r.sessions
    assert s.observers == ["obs-a", "obs-b"] and s.items[0].spread == 2
    _write(tmp_path, b_text.replace("obs-b", "obs-a"), "b.yaml")
    problems = _problems(kit, tmp_path / "in")
    assert any("b.yaml:9: duplicate response: observer 'obs-a' already answered item 'done-demonstrated'" in p and "a.yaml:" in p for p in problems)
    _write(tmp_path, b_text.replace("duration_minutes: 15", "duration_minutes: 20"), "b.yaml")
    assert any("with a duration of 15 minutes, not 20" in p for p in _problems(kit, tmp_path / "in"))


def _files(root: Path, names: list[str]) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x: 1\n", encoding="utf-8")


def test_one_walk_finds_observations_plans_and_self_checks(tmp_path):
    """A YAML file directly in ``actions/`` is a plan, one directly in ``self-check/`` a record; other
    files below those folders are none of the three; hidden names are left out; each file once."""
    obs = tmp_path / "obs"
    _files(obs, ["pod-b/s.yaml", "pod-a/s.csv", "actions/pod-b.yaml", "actions/pod-a.yml", "actions/README.md", "actions/old/pod-a.yaml",
                 "self-check/pod-a-2026-09-07.yaml", "self-check/notes.txt", "pod-a/self-check/pod-a-2026-09-14.yaml",
                 ".hidden/actions/pod-c.yaml", "actions/.pod-d.yaml", ".hidden/s.yaml"])
    found = find_inputs([obs])
    assert [name for _, name, _ in found.observations] == ["obs/pod-a/s.csv", "obs/pod-b/s.yaml"]
    assert found.plans == [obs / "actions" / "pod-a.yml", obs / "actions" / "pod-b.yaml"]
    assert found.self_checks == [obs / "pod-a" / "self-check" / "pod-a-2026-09-14.yaml", obs / "self-check" / "pod-a-2026-09-07.yaml"]
    assert found.problems == []
    # a folder named actions given directly, files given by name, a file found twice
    found = find_inputs([obs / "actions", obs / "actions" / "pod-b.yaml", obs / "self-check" / "pod-a-2026-09-07.yaml", obs / "pod-b" / "s.yaml"])
    assert found.plans == [obs / "actions" / "pod-a.yml", obs / "actions" / "pod-b.yaml"]
    assert found.self_checks == [obs / "self-check" / "pod-a-2026-09-07.yaml"]
    assert [name for _, name, _ in found.observations] == ["s.yaml"] and found.problems == []
    # collect_files is the observations' view of the same walk
    assert collect_files([obs]) == (find_inputs([obs]).observations, [])
    assert [p.message for p in find_inputs([obs / "actions"]).problems] == ["no observation files (*.yaml, *.yml, *.csv, *.pdf) in this folder"]


@pytest.mark.parametrize("name", ["pod-a/s.yaml", "actions/pod-a.yaml", "self-check/pod-a-2026-09-07.yaml"])
@pytest.mark.parametrize("link, message", [
    ("outside", "symbolic link points outside the folder"),
    ("nowhere", "no such file: the symbolic link points to nothing"),
    ("loop", "symbolic link loop"),
])
def test_a_link_leading_out_is_the_same_problem_for_every_kind_of_input(tmp_path, name, link, message):
    obs = tmp_path / "obs"
    _files(obs, ["pod-b/s.yaml"])
    _files(tmp_path, ["elsewhere.yaml"])
    path = obs / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to({"outside": tmp_path / "elsewhere.yaml", "nowhere": path.with_name("gone.yaml"), "loop": path}[link])
    for given in (obs, path.parent):  # the folder above, or the pod's folder, actions/ or self-check/ itself
        found = find_inputs([given])
        assert [p.path for p in found.problems] == [path] and message in found.problems[0].message, given
        assert path not in found.plans + found.self_checks + [f[0] for f in found.observations]


def test_a_link_that_stays_inside_the_folder_given_is_followed_for_every_kind(tmp_path):
    obs = tmp_path / "obs"
    _files(obs, ["kept/s.yaml", "kept/pod-a.yaml", "kept/pod-a-2026-09-07.yaml"])
    for name, target in (("pod-a/s.yaml", "s.yaml"), ("actions/pod-a.yaml", "pod-a.yaml"), ("self-check/pod-a-2026-09-07.yaml", "pod-a-2026-09-07.yaml")):
        (obs / name).parent.mkdir()
        (obs / name).symlink_to(Path("..") / "kept" / target)
    found = find_inputs([obs])
    assert found.plans == [obs / "actions" / "pod-a.yaml"] and found.self_checks == [obs / "self-check" / "pod-a-2026-09-07.yaml"]
    assert "obs/pod-a/s.yaml" in [name for _, name, _ in found.observations] and found.problems == []


def test_plans_and_self_checks_in_a_report_folder_are_not_inputs(tmp_path):
    from podkit.outputs import mark_output_dir

    obs = tmp_path / "obs"
    _files(obs, ["pod-a/s.yaml", "actions/pod-a.yaml", "reports/actions/pod-b.yaml", "reports/old/self-check/pod-b-2026-09-07.yaml", "reports/pod-b/s.yaml"])
    mark_output_dir(obs / "reports")
    found = find_inputs([obs])
    assert [name for _, name, _ in found.observations] == ["obs/pod-a/s.yaml"]
    assert found.plans == [obs / "actions" / "pod-a.yaml"] and found.self_checks == [] and found.problems == []


# --------------------------------------------------------------------------- CSV

# The columns of the first release: files written with them stay valid (the answer columns added
# since, out_of, not_applicable and reason, may be left out).
CSV_HEADER = "assessment,assessment_version,pod,date,session_type,duration_minutes,observer,item,level,check,count,intervals,not_observed,evidence"
assert set(CSV_HEADER.split(",")) <= set(CSV_COLUMNS)


def _csv_of_worked_example() -> str:
    rows = [
        "# Invented test data: the worked example as CSV.",
        CSV_HEADER,
        "worked-example,1.0.0,pod-demo,2026-03-02,stand-up,15,obs-a,done-demonstrated,1,,,,,\"Done claimed three times, one link opened.\"",
        "worked-example,1.0.0,pod-demo,2026-03-02,stand-up,15,obs-a,dod-checked,,no,,,,Nobody opened the checklist.",
        "worked-example,1.0.0,pod-demo,2026-03-02,stand-up,15,obs-a,blockers-unowned,,,4,,,Four blocked cards without an owner.",
        "worked-example,1.0.0,pod-demo,2026-03-02,stand-up,15,obs-a,swarming,,,,SW|RS|RS|NX+RS|RS,,\"One swarm, one named next step.\"",
        "worked-example,1.0.0,pod-demo,2026-03-16,stand-up,15,obs-a,done-demonstrated,1,,,,,Same as last time.",
        "worked-example,1.0.0,pod-demo,2026-03-16,stand-up,15,obs-a,dod-checked,,yes,,,,Checklist read aloud for the first card.",
        "worked-example,1.0.0,pod-demo,2026-03-16,stand-up,15,obs-a,blockers-unowned,,,0,,,Every blocked card had an owner and a date.",
        "worked-example,1.0.0,pod-demo,2026-03-16,stand-up,15,obs-a,swarming,,,,,yes,No timekeeper this time.",
    ]
    return "\n".join(rows) + "\n"


def _scores(report):
    return [(s.date, s.score, s.level, [(i.id, i.level, i.value) for i in s.items], [(d.id, d.score, d.coverage) for d in s.dimensions]) for s in report.sessions], report.execution_debt.total


def test_csv_scores_the_same_as_yaml(kit, kit_dir, tmp_path):
    path = _write(tmp_path, _csv_of_worked_example(), "demo.csv")
    from_csv = _load(kit, path)
    from_yaml = _load(kit, kit_dir / "observations")
    as_of = dt.date(2026, 3, 30)
    (rc,), _ = score_records(from_csv.records, kit.assessments, as_of=as_of, version="t")
    (ry,), _ = score_records(from_yaml.records, kit.assessments, as_of=as_of, version="t")
    assert _scores(rc) == _scores(ry)
    assert rc.execution_debt.total == 112
    assert rc.sessions[0].items[0].responses[0].source == "demo.csv:3"
    assert rc.sessions[0].items[3].responses[0].intervals == [["SW"], ["RS"], ["RS"], ["NX", "RS"], ["RS"]]


def test_csv_intervals_syntax(kit, tmp_path):
    text = f"{CSV_HEADER}\nworked-example,1.0.0,p,2026-03-02,stand-up,15,o,swarming,,,,SW| - ||NX + RS,,\n"
    (rec,) = _load(kit, _write(tmp_path, text, "i.csv")).records
    assert rec.observation.responses["swarming"]["o"].intervals == [["SW"], [], [], ["NX", "RS"]]


@pytest.mark.parametrize(
    "row, line, message",
    [
        ("worked-example,1.0.0,p,2026-03-02,stand-up,15,o,done-demonstrated,7,,,,,", 3, "i.csv:3: column 'level': level 7 is outside the scale (0–3)"),
        ("worked-example,1.0.0,p,2026-03-02,stand-up,15,o,dod-checked,,maybe,,,,", 3, "i.csv:3: column 'check': expected yes/no (true or false) — got 'maybe'"),
        ("worked-example,1.0.0,p,2026-03-02,stand-up,15,o,dod-checked,2,,,,,", 3, "i.csv:3: column 'level': item 'dod-checked' is a check item: answer with check: yes or no, not level"),
        ("worked-example,1.0.0,p,2026-03-02,stand-up,15,o,dne,2,,,,,", 3, "i.csv:3: column 'item': unknown item 'dne'"),
        ("worked-example,1.0.0,p,2026-03-02,stand-up,15,o,swarming,,,,SW|ZZ,,", 3, "i.csv:3: column 'intervals': unknown code 'ZZ' in interval 2"),
        ("worked-example,1.0.0,p,2026-02-30,stand-up,15,o,done-demonstrated,1,,,,,", 3, "i.csv:3: column 'date': expected a date like 2026-10-01"),
        ("worked-example,1.0.0,p,2026-03-02,stand-up,15,o,done-demonstrated,1,,,,,\nworked-example,1.0.0,p,2026-03-02,stand-up,15,o,done-demonstrated,2,,,,,", 4, "i.csv:4: duplicate response: observer 'o' already answered item 'done-demonstrated' for this session on line 3"),
        ("worked-example,1.0.0,p,2026-03-02,stand-up,15,o,done-demonstrated,1,,,,,\nworked-example,1.0.0,p,2026-03-02,stand-up,20,o,dod-checked,,yes,,,,", 4, "i.csv:4: column 'duration_minutes': 20 differs from 15 on line 3"),
        ("worked-example,1.0.0,p,2026-03-02,stand-up,15,o,done-demonstrated,1,,,,", 3, "i.csv:3: row has 13 fields but the header has 14"),
        ("worked-example,1.0.0,p,2026-03-02,stand-up,15,o,done-demonstrated,1,,,,,\"first line\nsecond line\"\nworked-example,1.0.0,p,2026-03-02,stand-up,15,o,dod-checked,1,,,,,", 5, "i.csv:5: column 'level': item 'dod-checked' is a check item"),
        ("worked-example,1.0.0,p,2026-03-02,stand-up,15,o,done-demonstrated,1,,,,,write to x@example.org", 3, "i.csv:3: warning: column 'evidence': evidence note seems to contain an e-mail address"),
    ],
    ids=["scale", "check-value", "kind", "item", "code", "date", "duplicate", "inconsistent", "fields", "multiline", "privacy"],
)
def test_csv_errors_name_line_and_column(kit, tmp_path, row, line, message):
    path = _write(tmp_path, f"# comment line\n{CSV_HEADER}\n{row}\n", "i.csv")
    if "warning" in message:
        loaded = _load(kit, path)
        assert any(message in w.format() for w in loaded.warnings), [w.format() for w in loaded.warnings]
        return
    problems = _problems(kit, path)
    assert any(message in p for p in problems), problems


@pytest.mark.parametrize(
    "header, message",
    [
        (CSV_HEADER.replace("level", "levle"), "i.csv:1: unknown column 'levle' (did you mean 'level'?)"),
        (CSV_HEADER.replace("observer,", ""), "i.csv:1: missing required column 'observer'"),
        (CSV_HEADER + ",pod", "i.csv:1: column 'pod' appears twice in the header"),
    ],
)
def test_csv_header_errors(kit, tmp_path, header, message):
    assert any(message in p for p in _problems(kit, _write(tmp_path, header + "\n", "i.csv")))


def test_csv_answer_columns_are_optional_and_empty_file_is_an_error(kit, tmp_path):
    text = "assessment,assessment_version,pod,date,session_type,duration_minutes,observer,item,level\nworked-example,1.0.0,p,2026-03-02,stand-up,15,o,done-demonstrated,2\n"
    (rec,) = _load(kit, _write(tmp_path, text, "min.csv")).records
    assert rec.observation.responses["done-demonstrated"]["o"].level == 2
    assert any("no header row" in p for p in _problems(kit, _write(tmp_path, "# only a comment\n", "e.csv")))


# --------------------------------------------------------------------------- PDF


def _fake_sheets(monkeypatch, fn):
    mod = types.ModuleType("podkit.sheets")
    mod.read_sheet = fn
    monkeypatch.setitem(sys.modules, "podkit.sheets", mod)


def test_a_filled_pdf_sheet_scores_the_same_as_yaml(kit, kit_dir, tmp_path, monkeypatch):
    """The sheet reader (podkit.sheets, printing stage) returns a dict in the YAML's shape."""
    import yaml

    data = {p.stem: yaml.safe_load(p.read_text()) for p in (kit_dir / "observations").glob("*.yaml")}
    tmp_path = tmp_path / "sheets"
    tmp_path.mkdir()
    for stem in data:
        (tmp_path / f"{stem}.pdf").write_bytes(b"%PDF-1.7\n% stand-in for a filled sheet\n")
    _fake_sheets(monkeypatch, lambda path: data[Path(path).stem])
    as_of = dt.date(2026, 3, 30)
    (rp,), _ = score_records(_load(kit, tmp_path).records, kit.assessments, as_of=as_of, version="t")
    (ry,), _ = score_records(_load(kit, kit_dir / "observations").records, kit.assessments, as_of=as_of, version="t")
    assert _scores(rp) == _scores(ry)
    assert rp.sessions[0].sources == [f"{tmp_path.name}/s1.pdf"]


def test_pdf_sheet_errors_name_the_file(kit, tmp_path, monkeypatch):
    from podkit.errors import PodkitError

    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    _fake_sheets(monkeypatch, lambda path: {"assessment": "worked-example", "pod": "p"})
    assert any("sheet.pdf: missing required key 'assessment_version'" in p for p in _problems(kit, pdf))

    def broken(path):
        raise PodkitError(f"{path}: this PDF has no podkit form fields")

    _fake_sheets(monkeypatch, broken)
    assert any("no podkit form fields" in p for p in _problems(kit, pdf))
    monkeypatch.setitem(sys.modules, "podkit.sheets", None)  # the module is not installed
    assert any("sheet.pdf: reading filled PDF sheets needs podkit.sheets" in p for p in _problems(kit, pdf))


# --------------------------------------------------------------------------- new-observation


def _run(runner, *args):
    result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_new_observation_writes_a_blank_that_validates(runner, kit_dir, kit, tmp_path):
    out = tmp_path / "obs" / "blank.yaml"
    result = _run(runner, "new-observation", "worked-example", "--pod", "pod-x", "--date", "2026-03-02", "--observers", "obs-a,obs-b", "--session", "review", "-o", out, "-p", kit_dir)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=") and first.endswith("observation.schema.json")
    assert (out.parent / first.split("=", 1)[1]).resolve() == (kit_dir / "schemas" / "observation.schema.json").resolve()
    for anchor in ("0 = No claim of done is backed", "level 3: 0\n", "level 1: 2–3", "SW = Swarm (scored)", "at most 5"):
        assert anchor in text
    assert text.count("      not_observed: true\n") == 8
    loaded = _load(kit, out)
    (r,), _ = score_records(loaded.records, kit.assessments, as_of=TODAY, version="t")
    assert r.overall.status == "insufficient-evidence" and r.overall.score is None and r.overall.level is None


def _fill(text: str) -> str:
    answers = {"done-demonstrated": "level: 2", "dod-checked": "check: yes", "blockers-unowned": "count: 1", "swarming": "intervals: [[SW], [], [NX, RS]]"}
    out, item = [], None
    for ln in text.splitlines():
        m = re.match(r"^  ([a-z0-9-]+):$", ln)
        if m:
            item = m.group(1)
        if ln.strip() == "not_observed: true" and item:
            ln = ln.replace("not_observed: true", answers[item])
        out.append(ln)
    return "\n".join(out) + "\n"


def test_new_observation_filled_in_scores(runner, kit_dir, kit, tmp_path):
    out = tmp_path / "b.yaml"
    assert _run(runner, "new-observation", "worked-example", "--pod", "pod-x", "--date", "2026-03-02", "-o", out, "-p", kit_dir).exit_code == 0
    assert "observers: [obs-1, obs-2]" in out.read_text()  # the assessment suggests two observers
    out.write_text(_fill(out.read_text()))
    (r,), _ = score_records(_load(kit, out).records, kit.assessments, as_of=TODAY, version="t")
    assert r.overall.status == "scored" and r.overall.level == "self-verifying"
    # the two observers agree on every item while the items differ: perfect agreement
    assert r.agreement.krippendorff_alpha == 1.0 and r.agreement.reading == "reliable"


def test_new_observation_refuses_to_overwrite(runner, kit_dir, tmp_path):
    out = tmp_path / "x.yaml"
    out.write_text("keep me\n")
    result = _run(runner, "new-observation", "worked-example", "--pod", "pod-x", "-o", out, "-p", kit_dir)
    assert result.exit_code == 1
    assert "already exists" in result.output and "never overwrites" in result.output
    assert out.read_text() == "keep me\n"


def test_new_observation_default_name_and_folder(runner, kit_dir, tmp_path):
    result = _run(runner, "new-observation", "worked-example", "--pod", "pod-x", "--date", "2026-03-02", "-o", tmp_path, "-p", kit_dir)
    assert result.exit_code == 0 and (tmp_path / "pod-x--worked-example--2026-03-02.yaml").is_file()


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["nope", "--pod", "p"], 1, "unknown assessment 'nope'; the kit has: worked-example"),
        (["worked-example", "--pod", "Pod X"], 2, "expected an id like 'pod-aurora'"),
        (["worked-example", "--pod", "p", "--date", "2026-13-01"], 2, "expected a date like"),
        (["worked-example", "--pod", "p", "--observers", "Jane Doe"], 2, "never a person's name"),
        (["worked-example", "--pod", "p", "--session", "party"], 2, "expected one of: planning"),
    ],
)
def test_new_observation_usage_errors(runner, kit_dir, tmp_path, args, code, message):
    result = _run(runner, "new-observation", *args, "-o", tmp_path / "n.yaml", "-p", kit_dir)
    assert result.exit_code == code and message in result.output, result.output
    assert not (tmp_path / "n.yaml").exists()


# --------------------------------------------------------------------------- the score command's checks


def test_score_lists_every_problem_and_writes_nothing(runner, kit_dir, tmp_path):
    _write(tmp_path, BASE.replace("level: 1", "level: 9"), "a.yaml")
    _write(tmp_path, BASE.replace("dod-checked:", "dod-chekced:"), "b.yaml")
    out = tmp_path / "reports"
    result = _run(runner, "score", tmp_path / "in" / "a.yaml", tmp_path / "in" / "b.yaml", "-o", out, "-p", kit_dir)
    assert result.exit_code == 1
    assert "a.yaml:12:7: responses.done-demonstrated.obs-a.level: level 9 is outside the scale (0–3)" in result.output
    assert "b.yaml:16:3: responses.dod-chekced: unknown item 'dod-chekced'" in result.output
    assert "2 problems in 2 files" in result.output
    assert not out.exists()


@pytest.mark.slow
def test_a_real_filled_sheet_scores_the_same_as_yaml(kit, kit_dir, tmp_path):
    """Render the fillable sheet, fill it the way a PDF viewer does, score it: same as s1.yaml."""
    from podkit import printing

    out = tmp_path / "pdf"
    printing.write_pdfs(kit, out, papers=["a4"], kinds=["sheet"], workers=1, cache=False)
    values = {
        "pk__meta__pod": "pod-demo", "pk__meta__date": "2026-03-02", "pk__meta__observer": "obs-a",
        "pk__meta__session": "stand-up", "pk__meta__duration": "15",
        "pk__done-demonstrated__level": "1", "pk__done-demonstrated__evidence": "Done claimed three times, one link opened.",
        "pk__dod-checked__check": "no",
        "pk__blockers-unowned__count": "4",
        "pk__swarming__i01__SW": True, "pk__swarming__i02__RS": True, "pk__swarming__i03__RS": True,
        "pk__swarming__i04__NX": True, "pk__swarming__i04__RS": True, "pk__swarming__i05__RS": True,
    }
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    fill_sheet(out / "worked-example-sheet-fillable-a4.pdf", sheets / "filled.pdf", values)
    as_of = dt.date(2026, 3, 30)
    (rp,), _ = score_records(_load(kit, sheets).records, kit.assessments, as_of=as_of, version="t")
    (ry,), _ = score_records(_load(kit, kit_dir / "observations" / "s1.yaml").records, kit.assessments, as_of=as_of, version="t")
    assert _scores(rp) == _scores(ry)
    assert rp.sessions[0].items[3].responses[0].intervals == [["SW"], ["RS"], ["RS"], ["NX", "RS"], ["RS"]]


# --------------------------------------------------------------------------- missing data, spreadsheets, wording


def _warnings(kit, *paths) -> list[str]:
    return [p.format() for p in _load(kit, *paths).warnings]


def test_an_item_with_no_record_is_a_warning_naming_the_file(kit, tmp_path):
    text = BASE[: BASE.index("  swarming:")]
    path = _write(tmp_path, text, "no-swarming.yaml")
    found = [w for w in _warnings(kit, path) if "no record" in w]
    assert len(found) == 1, found
    assert "no-swarming.yaml" in found[0] and "no record for item swarming:" in found[0]
    assert "mark an item nobody saw as not observed" in found[0]


def test_an_observer_with_no_responses_is_a_warning(kit, tmp_path):
    path = _write(tmp_path, BASE.replace("observers: [obs-a, obs-b]", "observers: [obs-a, obs-b, obs-c]"), "three.yaml")
    found = [w for w in _warnings(kit, path) if "obs-c" in w]
    assert len(found) == 1
    assert found[0].startswith(f"{path}:{_line_of(BASE, 'observers:')}:") and "observers[2]" in found[0]
    assert "observer 'obs-c' is listed but has no responses in this file" in found[0]
    # a consensus-only record lists the observers who agreed: no warning
    consensus = BASE.replace("    obs-a:", "    consensus:").replace("    obs-b:\n      level: 2\n", "")
    assert not [w for w in _warnings(kit, _write(tmp_path, consensus, "agreed.yaml")) if "no responses" in w]


def test_a_csv_covering_under_half_the_items_is_a_warning(kit, tmp_path):
    rows = _csv_of_worked_example().splitlines()
    path = _write(tmp_path, "\n".join([rows[1], rows[2]]) + "\n", "part.csv")
    found = [w for w in _warnings(kit, path) if "covers only" in w]
    assert len(found) == 1
    assert "part.csv:2:" in found[0]
    assert "this file covers only 1 of the 4 items of 'worked-example'" in found[0]
    assert "no record for items dod-checked, blockers-unowned, swarming" in found[0]


@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_a_semicolon_csv_gets_the_message_and_scores_with_the_option(kit, kit_dir, tmp_path, bom):
    text = _csv_of_worked_example()
    # a spreadsheet export: semicolons between columns, commas only inside quoted text
    import csv as csv_mod
    import io

    rows = list(csv_mod.reader(io.StringIO(text)))
    buf = io.StringIO()
    csv_mod.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    path = _write(tmp_path, bom + buf.getvalue(), "excel.csv")
    (problem,) = _problems(kit, path)
    assert problem == (f"{path}:2: this file uses semicolons between columns; podkit reads commas — save as CSV (comma delimited), "
                       "or pass --csv-delimiter ';'")
    from podkit.observations import read_files

    files, _ = collect_files([path])
    (source, records, problems), = list(read_files(files, {a.id: a for a in kit.assessments}, TODAY, csv_delimiter=";"))
    assert not [p for p in problems if p.severity == "error"]
    as_of = dt.date(2026, 3, 30)
    (with_option,), _ = score_records(records, kit.assessments, as_of=as_of, version="t")
    (from_yaml,), _ = score_records(_load(kit, kit_dir / "observations").records, kit.assessments, as_of=as_of, version="t")
    assert _scores(with_option) == _scores(from_yaml)


def test_score_command_takes_the_csv_delimiter(runner, kit_dir, tmp_path):
    path = _write(tmp_path, _csv_of_worked_example().replace(",", ";").replace('"Done claimed three times; one link opened."', "Done claimed three times").replace('"One swarm; one named next step."', "One swarm"), "excel.csv")
    out = tmp_path / "reports"
    result = _run(runner, "score", path, "-o", out, "--as-of", "2026-03-30", "--csv-delimiter", ";", "-p", kit_dir)
    assert result.exit_code == 0, result.output
    assert (out / "pod-demo--worked-example.json").is_file()
    bad = _run(runner, "score", path, "-o", out, "--csv-delimiter", "x", "-p", kit_dir)
    assert bad.exit_code == 2 and "--csv-delimiter" in bad.output


@pytest.mark.parametrize(
    "value, hint",
    [
        ("20/11/2025", "write 2025-11-20"),
        ("11/20/2025", "write 2025-11-20"),
        ("02/03/2026", "write 2026-03-02 if you mean 2 March, or 2026-02-03 if you mean 3 February"),
        ("31/31/2026", "write the year, then the month, then the day, like 2026-11-20"),
    ],
)
def test_a_day_month_year_date_gets_the_iso_form(kit, tmp_path, value, hint):
    rows = _csv_of_worked_example().splitlines()
    rows[2] = rows[2].replace("2026-03-02", value)
    path = _write(tmp_path, "\n".join(rows[1:3]) + "\n", "dates.csv")
    (problem,) = _problems(kit, path)
    assert problem == f"{path}:2: column 'date': expected a date as YYYY-MM-DD — got {value!r}; {hint}"


def test_a_version_written_as_a_number_says_to_quote_it(kit, tmp_path):
    path = _write(tmp_path, BASE.replace("assessment_version: 1.0.0", "assessment_version: 1.0"))
    (problem,) = _problems(kit, path)
    assert problem.endswith("assessment_version: expected text — got 1.0: write the version in quotes, like '1.0.0'")


def test_a_bad_pod_id_gets_a_pod_example(kit, tmp_path):
    path = _write(tmp_path, BASE.replace("pod: pod-x", "pod: Pod X"))
    (problem,) = _problems(kit, path)
    assert "pod: expected a pod id like 'pod-aurora'" in problem


def test_kind_mismatch_uses_the_right_article(kit, tmp_path):
    path = _write(tmp_path, BASE.replace("      level: 1\n", "      check: yes\n"))
    (problem,) = _problems(kit, path)
    assert "item 'done-demonstrated' is an anchored item: answer with level" in problem
    path = _write(tmp_path, BASE.replace("      check: no\n", "      level: 1\n"), "b.yaml")
    (problem,) = _problems(kit, path)
    assert "item 'dod-checked' is a check item: answer with check" in problem


def _fill_csv(text: str) -> str:
    """Fill a CSV template the way a spreadsheet user would: the answer in its column,
    not_observed cleared (the same answers as :func:`_fill`)."""
    import csv as csv_mod
    import io

    answers = {"done-demonstrated": ("level", "2"), "dod-checked": ("check", "yes"), "blockers-unowned": ("count", "1"), "swarming": ("intervals", "SW|-|NX+RS")}
    rows = list(csv_mod.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    for row in rows:
        column, value = answers[row["item"]]
        row[column] = value
        row["not_observed"] = ""
    buf = io.StringIO()
    w = csv_mod.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def test_new_observation_csv_template_scores_like_the_yaml_blank(runner, kit_dir, kit, tmp_path):
    csv_out, yaml_out = tmp_path / "c" / "t.csv", tmp_path / "y" / "t.yaml"
    result = _run(runner, "new-observation", "worked-example", "--pod", "pod-x", "--date", "2026-03-02", "--format", "csv", "-o", csv_out, "-p", kit_dir)
    assert result.exit_code == 0, result.output
    assert "'not_observed' yes" in result.output
    raw = csv_out.read_text(encoding="utf-8")
    assert raw.startswith("\ufeff")  # spreadsheets read it as UTF-8
    lines = raw.lstrip("\ufeff").splitlines()
    header = lines[0].split(",")
    assert header[header.index("item") + 1] == "prompt" and set(header) == set(CSV_COLUMNS)
    assert len(lines) == 1 + 4 * 2  # one row per item per observer
    assert "Answer with level: 0–3 (0 = No claim of done is backed" in raw
    assert "level 1: 2–3" in raw and "intervals separated by |" in raw
    # unfilled, it reads as all not observed
    (blank,), _ = score_records(_load(kit, csv_out).records, kit.assessments, as_of=TODAY, version="t")
    assert blank.overall.status == "insufficient-evidence"
    assert _run(runner, "new-observation", "worked-example", "--pod", "pod-x", "--date", "2026-03-02", "-o", yaml_out, "-p", kit_dir).exit_code == 0
    csv_out.write_text(_fill_csv(raw), encoding="utf-8")
    yaml_out.write_text(_fill(yaml_out.read_text()))
    (from_csv,), _ = score_records(_load(kit, csv_out).records, kit.assessments, as_of=TODAY, version="t")
    (from_yaml,), _ = score_records(_load(kit, yaml_out).records, kit.assessments, as_of=TODAY, version="t")
    assert from_csv.overall.status == "scored" and from_csv.overall.level == "self-verifying"
    assert _scores(from_csv) == _scores(from_yaml)


def test_a_comma_csv_read_with_semicolons_says_so(kit, tmp_path):
    from podkit.observations import read_files

    path = _write(tmp_path, _csv_of_worked_example(), "commas.csv")
    files, _ = collect_files([path])
    ((_, records, problems),) = list(read_files(files, {a.id: a for a in kit.assessments}, TODAY, csv_delimiter=";"))
    assert not records
    assert [p.format() for p in problems] == [f"{path}:2: this file uses commas between columns; podkit reads semicolons; pass --csv-delimiter ','"]
