"""selfcheck.py: the weekly pod self-check, its rules on "Scoring explained", its files, its
command and its report section (kept apart from every observed score)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, invoke
from podkit import selfcheck as S
from podkit.errors import SourceErrors
from podkit.kit import Project, cross_check, load_kit
from podkit.model import Assessment
from podkit.observations import collect_files, find_inputs

D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    """The worked example's assessment: three questions, two dimensions."""
    def item(i, dim):
        return {"id": i, "dimension": dim, "kind": "check", "title": i.title(), "prompt": "Was it seen?", "look_for": ["it"], "evidence": "what was seen"}
    return Assessment.model_validate({
        "id": "align", "title": "Align", "version": "1.0.0", "summary": "s", "purpose": "p",
        "setting": {"sessions": ["planning"], "duration_minutes": 30},
        "dimensions": [{"id": "goal-clarity", "title": "Goal clarity", "description": "d"},
                       {"id": "priority-fit", "title": "Priority fit", "description": "d"}],
        "items": [item("goal-visible", "goal-clarity"), item("work-matches-board", "priority-fit"), item("wip-linked-item", "priority-fit")],
        "readiness": [{"id": "ready", "title": "Ready", "description": "r", "min_score": 0}],
        "self_check": [
            {"id": "goal-on-board", "item": "goal-visible", "question": "Is our goal on the board?"},
            {"id": "cards-match-work", "item": "work-matches-board", "question": "Do the cards match our work?"},
            {"id": "wip-linked", "item": "wip-linked-item", "question": "Is every card linked to the goal?"},
        ],
    })


def loaded(date: str, answers: dict, pod: str = "pod-x", aid: str = "align", **extra) -> S.Loaded:
    return S.Loaded(S.SelfCheck.model_validate({"pod": pod, "date": date, "answers": {aid: answers}, **extra}), f"self-check/{pod}-{date}.yaml", "0" * 64)


def worked_example_records() -> list[S.Loaded]:
    return [
        loaded("2026-09-07", {"goal-on-board": False, "cards-match-work": True, "wip-linked": "did-not-come-up"}),
        loaded("2026-09-14", {"goal-on-board": True, "cards-match-work": False, "wip-linked": False}),
        loaded("2026-09-21", {"goal-on-board": True, "cards-match-work": True}),
        loaded("2026-09-28", {"goal-on-board": True, "cards-match-work": True, "wip-linked": True}),
    ]


# --------------------------------------------------------------------------- the page and the docstring


def _block(text: str, name: str) -> str:
    return text.split(f"<!-- {name}", 1)[1].split("-->", 1)[1].split(f"<!-- /{name} -->", 1)[0].strip()


def test_rules_on_the_page_are_the_docstring_word_for_word():
    page = (ROOT / "content" / "scoring.md").read_text(encoding="utf-8")
    on_page = re.findall(r"^(\d+\. .+)$", _block(page, "self-check-rules"), flags=re.M)
    rules = S.__doc__.split("-------------------------\n\n", 1)[1].split("\n\nWorked example", 1)[0]
    assert len(on_page) == 5 and on_page == re.findall(r"^(\d+\. .+)$", rules, flags=re.M)
    assert f"`SHOWN_WEEKS` ({S.SHOWN_WEEKS})" in on_page[1]
    example = S.__doc__.split("Worked example\n--------------\n\n", 1)[1].strip()
    assert _block(page, "self-check-example") == example


def test_the_worked_example_number_by_number(assessment):
    """The worked example of the page and the docstring, recomputed."""
    text = S.__doc__.split("Worked example", 1)[1]
    sc = S.summarise(assessment, worked_example_records(), D("2026-09-25"))
    assert [w.date.isoformat() for w in sc.weeks] == ["2026-09-07", "2026-09-14", "2026-09-21"]
    assert "the weeks shown are 2026-09-07, 2026-09-14 and 2026-09-21" in text and sc.earlier_weeks == 0
    tallies = {q.id: S.tally_text(q.yes, q.answered) for q in sc.questions}
    assert tallies == {"goal-on-board": "2 of 3", "cards-match-work": "2 of 3", "wip-linked": "0 of 1"}
    assert "goal-on-board 2 of 3, cards-match-work 2 of 3, wip-linked 0 of 1" in text
    by_dim = {d.id: ", ".join(S.tally_text(t.yes, t.answered) for t in d.weeks) for d in sc.dimensions}
    assert by_dim == {"goal-clarity": "0 of 1, 1 of 1, 1 of 1", "priority-fit": "1 of 1, 0 of 2, 1 of 1"}
    assert "goal-clarity by week: 0 of 1, 1 of 1, 1 of 1. priority-fit by week: 1 of 1, 0 of 2, 1 of 1." in text
    [wip] = [q for q in sc.questions if q.id == "wip-linked"]
    assert wip.answers == ["did-not-come-up", "no", None]  # not asked is None, never "no"


def test_weeks_shown_and_earlier_weeks_counted(assessment):
    recs = [loaded((D("2026-01-05") + dt.timedelta(days=7 * i)).isoformat(), {"goal-on-board": i % 2 == 0}) for i in range(11)]
    sc = S.summarise(assessment, recs, D("2026-12-31"))
    assert len(sc.weeks) == S.SHOWN_WEEKS and sc.earlier_weeks == 11 - S.SHOWN_WEEKS
    assert sc.weeks[0].date == D("2026-01-26") and sc.weeks[-1].date == D("2026-03-16")
    assert S.summarise(assessment, recs, D("2026-01-04")) is None  # nothing on or before the report date
    # a record that leaves every question of this assessment empty, or answers another assessment, does not count
    assert S.summarise(assessment, [loaded("2026-01-05", {"goal-on-board": None}), loaded("2026-01-05", {"q": True}, aid="other")], D("2026-12-31")) is None
    [row] = [q for q in S.summarise(assessment, recs[:1], D("2026-12-31")).questions if q.id == "wip-linked"]
    assert (row.yes, row.answered, S.tally_text(row.yes, row.answered, "no answer yet")) == (0, 0, "no answer yet")


# --------------------------------------------------------------------------- files and checks


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_files_are_found_beside_observations_and_never_read_as_observations(tmp_path):
    obs = tmp_path / "obs"
    _write(obs / "pod-a", "s1.yaml", "x: 1\n")
    rec = _write(obs / "self-check", "pod-a-2026-09-07.yaml", "pod: pod-a\n")
    _write(obs / ".hidden" / "self-check", "pod-a-2026-09-07.yaml", "pod: pod-a\n")
    assert find_inputs([obs]).self_checks == [rec]
    assert find_inputs([rec]).self_checks == [rec] and find_inputs([obs / "self-check"]).self_checks == [rec]
    files, problems = collect_files([obs])
    assert [Path(f[0]).name for f in files] == ["s1.yaml"] and problems == []
    files, problems = collect_files([obs / "pod-a" / "s1.yaml", rec])
    assert [Path(f[0]).name for f in files] == ["s1.yaml"] and problems == []


def _kit() -> dict[str, Assessment]:
    return {a.id: a for a in load_kit(Project.find(ROOT)).assessments}


def test_bad_records_are_located_and_nothing_raises_a_traceback(tmp_path):
    folder = tmp_path / "self-check"
    path = _write(folder, "pod-a-2026-09-07.yaml", (
        "pod: pod-a\n"
        "date: 2026-09-07\n"
        "answers:\n"
        "  alignment:\n"
        "    goal-on-board: maybe\n"
        "    goal-on-bord: yes\n"
        "  alignmnt:\n"
        "    x: yes\n"
        "owner: other\n"
        "next_step: Tidy the board\n"
    ))
    with pytest.raises(SourceErrors) as info:
        S.load_self_checks([path], _kit(), today=D("2026-12-01"))
    found = {(p.line, p.col, ".".join(map(str, p.key)), p.message.split(";")[0].split(" (")[0]) for p in info.value.problems}
    assert (5, 5, "answers.alignment.goal-on-board", "expected one of: yes, no, did-not-come-up — got 'maybe'") in found
    # the schema error stops the cross-checks; fix it and they run
    path.write_text(path.read_text().replace("maybe", "yes"))
    with pytest.raises(SourceErrors) as info:
        S.load_self_checks([path], _kit(), today=D("2026-12-01"))
    msgs = {(p.line, ".".join(map(str, p.key))): p.message for p in info.value.problems}
    assert "did you mean 'goal-on-board'" in msgs[(6, "answers.alignment.goal-on-bord")]
    assert "did you mean 'alignment'" in msgs[(7, "answers.alignmnt")]
    assert "owner_role" in msgs[(9, "owner")]


def test_one_record_per_pod_and_date_and_no_future_dates(tmp_path):
    text = "pod: pod-a\ndate: 2026-09-07\nanswers:\n  alignment:\n    goal-on-board: yes\n"
    a = _write(tmp_path / "one" / "self-check", "pod-a-2026-09-07.yaml", text)
    b = _write(tmp_path / "two" / "self-check", "pod-a-2026-09-07.yaml", text)
    with pytest.raises(SourceErrors) as info:
        S.load_self_checks([a, b], _kit(), today=D("2026-12-01"))
    [p] = info.value.problems
    assert p.path == b and p.line == 2 and "a second self-check of 'pod-a' on 2026-09-07" in p.message
    with pytest.raises(SourceErrors) as info:
        S.load_self_checks([a], _kit(), today=D("2026-09-06"))
    assert "in the future" in info.value.problems[0].message


def test_personal_data_in_free_text_is_a_warning(tmp_path):
    path = _write(tmp_path / "self-check", "pod-a-2026-09-07.yaml", "pod: pod-a\ndate: 2026-09-07\nanswers:\n  alignment:\n    goal-on-board: yes\nnotes: ask jo@example.org\n")
    recs, warnings = S.load_self_checks([path], _kit(), today=D("2026-12-01"))
    assert len(recs) == 1 and [w.severity for w in warnings] == ["warning"] and "e-mail" in warnings[0].message


def test_the_shipped_questions_mirror_real_items_and_a_bad_one_is_refused():
    kit = load_kit(Project.find(ROOT))
    asked = [a for a in kit.assessments if a.self_check]
    assert len(asked) == len(kit.assessments)
    for a in asked:
        for q in a.self_check:
            a.item(q.item)
            assert q.question.endswith("?") and re.match(r"(Is|Are|Does|Do|Did|Can|Was|When)\b", q.question), q.question
            assert not re.search(r"\b(I|me|my|he|she|his|her)\b", q.question), q.question  # about the pod, never one person
    a = kit.assessment("alignment")
    bad = a.model_copy(update={"self_check": [*a.self_check, a.self_check[0].model_copy(update={"item": "nope"})]})
    found = dict(cross_check(bad))
    n = len(a.self_check)
    assert "unknown item 'nope'" in found[("self_check", n, "item")] and "duplicate" in found[("self_check", n, "id")]


# --------------------------------------------------------------------------- command, scoring, report


def test_new_self_check_writes_a_blank_that_reads_back_as_not_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("new-self-check", "pod-a", "--date", "2026-09-07", "--assessment", "alignment", "-p", ROOT)
    assert result.exit_code == 0, result.output
    path = tmp_path / "self-check" / "pod-a-2026-09-07.yaml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=") and "goal-on-board:\n" in text
    recs, _ = S.load_self_checks([path], _kit(), today=D("2026-12-01"))
    assert set(recs[0].record.answers["alignment"].values()) == {None}
    assert S.summarise(_kit()["alignment"], recs, D("2026-12-01")) is None  # nothing answered yet
    again = invoke("new-self-check", "pod-a", "--date", "2026-09-07", "-p", ROOT)
    assert again.exit_code == 1 and "already exists" in again.output and path.read_text() == text
    bad = invoke("new-self-check", "Pod A", "-p", ROOT)
    assert bad.exit_code == 2 and "expected an id like" in bad.output


def test_schema_command_and_committed_schema():
    result = invoke("schema", "self-check")
    assert result.exit_code == 0
    published = json.loads(result.output)
    assert published == json.loads((ROOT / "schemas" / "self-check.schema.json").read_text(encoding="utf-8"))
    assert "answers" in published["required"] and published["additionalProperties"] is False


def test_score_shows_the_self_check_apart_and_leaves_it_out_when_redacted(tmp_path):
    obs = tmp_path / "obs"
    shutil.copytree(ROOT / "examples" / "observations", obs)
    out, red, bare = tmp_path / "out", tmp_path / "red", tmp_path / "bare"
    assert invoke("score", obs, "-p", ROOT, "-o", out, "--as-of", "2026-10-28", "-f", "json,md,html", "-q").exit_code == 0
    report = json.loads((out / "pod-borealis--alignment.json").read_text())
    sc = report["self_check"]
    assert len(sc["weeks"]) == 8 and sc["weeks"][-1]["date"] == "2026-10-26"
    assert [q["id"] for q in sc["questions"]] == ["goal-on-board", "cards-match-work", "decisions-on-record"]
    assert all(f["name"].startswith("self-check/pod-borealis-") for f in sc["files"])
    assert "Pod self-check (the pod's own view, not observed)" in (out / "pod-borealis--alignment.md").read_text()
    assert '<section id="self-check">\n<h2>Pod self-check (the pod\'s own view, not observed)</h2>' in (out / "pod-borealis--alignment.html").read_text()
    assert "self_check" not in json.loads((out / "portfolio.json").read_text())
    # the observed scores do not move when the self-checks are taken away
    shutil.rmtree(obs / "self-check")
    assert invoke("score", obs, "-p", ROOT, "-o", bare, "--as-of", "2026-10-28", "-f", "json", "-q").exit_code == 0
    without = json.loads((bare / "pod-borealis--alignment.json").read_text())
    assert without["self_check"] is None
    assert {k: v for k, v in report.items() if k != "self_check"} == {k: v for k, v in without.items() if k != "self_check"}
    shutil.copytree(ROOT / "examples" / "observations" / "self-check", obs / "self-check")
    assert invoke("score", obs, "-p", ROOT, "-o", red, "--as-of", "2026-10-28", "-f", "json", "--redact-evidence", "-q").exit_code == 0
    assert json.loads((red / "pod-borealis--alignment.json").read_text())["self_check"] is None


def test_a_bad_record_stops_score_before_anything_is_written(tmp_path):
    obs = tmp_path / "obs"
    shutil.copytree(ROOT / "examples" / "observations", obs)
    path = obs / "self-check" / "pod-aurora-2026-09-07.yaml"
    path.write_text(path.read_text().replace("goal-on-board: ", "goal-on-board: perhaps #"))
    result = invoke("score", obs, "-p", ROOT, "-o", tmp_path / "out", "--as-of", "2026-10-28")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert re.search(r"pod-aurora-2026-09-07\.yaml:\d+:\d+: answers\.alignment\.goal-on-board: expected one of: yes, no, did-not-come-up", result.output)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.json"))


def test_the_readme_states_the_limits():
    from podkit.model import MAX_SELF_CHECK_QUESTIONS

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    section = readme[readme.index("### Weekly pod self-check"):readme.index("### Exit codes")]
    assert f"at most {MAX_SELF_CHECK_QUESTIONS} questions" in section
    assert f"at most {S.MAX_ANSWERED_ASSESSMENTS} assessments" in section
    assert f"the latest {S.SHOWN_WEEKS} weeks" in section


def test_the_pods_own_text_reaches_the_report_as_text(tmp_path):
    obs = tmp_path / "obs"
    shutil.copytree(ROOT / "examples" / "observations", obs)
    path = obs / "self-check" / "pod-cirrus-2026-10-19.yaml"  # a week without a next step
    path.write_text(path.read_text().replace("notes:", 'next_step: "<img src=x onerror=alert(1)> | [x](javascript:alert(1))"\nowner: pod\nnotes:'))
    assert invoke("score", obs, "-p", ROOT, "-o", tmp_path / "out", "--as-of", "2026-10-28", "-f", "html,md", "-q").exit_code == 0
    html = (tmp_path / "out" / "pod-cirrus--alignment.html").read_text()
    md = (tmp_path / "out" / "pod-cirrus--alignment.md").read_text()
    assert "<img src=x" not in html and "&lt;img src=x" in html and 'href="javascript' not in html
    assert "<img src=x" not in md and "](javascript:" not in md


def test_the_sites_sample_report_shows_the_self_check():
    from podkit.pipeline import SHOWCASE_PAGE, sample_reports

    pages = sample_reports(load_kit(Project.find(ROOT))).pages
    page = pages[f"reports/{SHOWCASE_PAGE}.md"]
    section = page[page.index("## Pod self-check (the pod's own view, not observed)"):page.index("## Readiness")]
    assert "| Question | 2026-09-07 |" in section and " of 8 |" in section
    assert "self-check" not in pages["reports/portfolio.md"].lower()


def test_the_lint_rule_for_questions(assessment):
    def found(text):
        a = assessment.model_copy(update={"self_check": [assessment.self_check[0].model_copy(update={"question": text})]})
        return [msg for _, msg in S.question_problems(a)]

    assert found("Is our goal written on the board?") == []
    assert "question ending in '?'" in found("Our goal is on the board")[0]
    assert "two things at once" in found("Is our goal on the board, and who is chasing the blockers?")[0]
    assert "'his' points at one person" in found("Did the lead update his cards?")[0]
    assert "inner state" in " ".join(found("Did everyone feel heard this week?"))
