"""followup.py: a pod report with its action plan (action review, action in flight on findings and
ledger rows) and the portfolio's counts and roll-up, against numbers worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import KITS
from podkit import actions as A
from podkit import wording
from podkit.kit import Project, load_kit
from podkit.model import ActionPlan, Observation
from podkit.observations import Record, Source
from podkit.pipeline import score_records
from podkit.report import Renderer, render_html, render_markdown
from podkit.results import REDACTED, LevelAt

D = dt.date


@pytest.fixture(scope="module")
def a():
    return load_kit(Project.find(KITS / "scoring")).assessment("worked-example")


def obs(date, pod, **answers):
    return Observation.model_validate(dict(
        assessment="worked-example", assessment_version="1.0.0", pod=pod, date=date,
        session={"type": "review", "duration_minutes": 15}, observers=["obs-a"],
        responses={item: {"obs-a": ans} for item, ans in answers.items()},
    ))


# Levels by session, worked out from the kit's rules (top level 3):
#   2 Mar: done-demonstrated 0, dod-checked 0 (fail), swarming 0 (no SW/NX)
#  16 Mar: done-demonstrated not observed, dod-checked 3 (pass), swarming not observed
#  30 Mar: done-demonstrated 3, dod-checked 0 (fail), swarming 3
def sessions(pod="pod-x"):
    return [
        obs(D(2026, 3, 2), pod, **{"done-demonstrated": {"level": 0}, "dod-checked": {"check": False}, "blockers-unowned": {"count": 0}, "swarming": {"intervals": [["RS"]]}}),
        obs(D(2026, 3, 16), pod, **{"done-demonstrated": {"not_observed": True}, "dod-checked": {"check": True}, "blockers-unowned": {"count": 0}}),
        obs(D(2026, 3, 30), pod, **{"done-demonstrated": {"level": 3}, "dod-checked": {"check": False}, "blockers-unowned": {"count": 0}, "swarming": {"intervals": [["SW"]]}}),
    ]


def plan(pod="pod-x", **extra) -> ActionPlan:
    acts = [
        dict(id="a1", assessment="worked-example", item="done-demonstrated", intervention="show-don-t-tell", owner="pod",
             agreed="2026-03-02", due="2026-03-16", history=[{"status": "planned", "date": "2026-03-02"}, {"status": "in-progress", "date": "2026-03-10"}]),
        dict(id="a2", assessment="worked-example", item="dod-checked", intervention="read-the-list", owner="facilitator",
             agreed="2026-03-16", due="2026-04-30", history=[{"status": "planned", "date": "2026-03-16"}]),
        dict(id="a3", assessment="worked-example", item="swarming", custom="Swarm first", owner="other", owner_role="release-manager",
             agreed="2026-03-02", due="2026-03-16", history=[{"status": "planned", "date": "2026-03-02"}, {"status": "dropped", "date": "2026-03-05", "reason": "The pod chose a2 first."}]),
        dict(id="a4", assessment="worked-example", item="dod-checked", intervention="read-the-list", owner="pod",
             agreed="2026-04-01", due="2026-04-15", history=[{"status": "planned", "date": "2026-04-01"}]),
    ]
    return ActionPlan.model_validate({"pod": pod, "actions": acts, **extra})


def records(observations):
    return [Record(o, Source(None, f"{o.pod}-{i}.yaml", f"{i:064d}")) for i, o in enumerate(observations)]


def one_report(a, as_of, *, redact=False, with_plan=True, observations=None):
    kept = [o for o in (observations or sessions()) if o.date <= as_of]
    reports, _ = score_records(records(kept), [a], as_of=as_of, version="test", redact=redact, plans=[plan()] if with_plan else [])
    (r,) = reports
    return r


def test_the_plan_is_checked_against_the_kit(a):
    assert A.check_plan(plan(), {a.id: a}) == []


def test_before_and_after_levels_match_a_hand_computation(a):
    r = one_report(a, D(2026, 3, 30))
    by_id = {x.id: x for x in r.actions}
    assert list(by_id) == ["a1", "a2", "a3"]  # plan order; a4 is agreed after the report date
    a1 = by_id["a1"]
    # agreed 2 Mar: the 2 Mar session (level 0) is "before"; 16 Mar not observed, 30 Mar level 3
    assert a1.before == LevelAt(date=D(2026, 3, 2), level=0)
    assert a1.after == [LevelAt(date=D(2026, 3, 16), level=None), LevelAt(date=D(2026, 3, 30), level=3)]
    assert (a1.status, a1.status_date, a1.in_flight, a1.overdue, a1.verdict) == ("in-progress", D(2026, 3, 10), True, True, A.IMPROVED)
    assert a1.verdict_text == wording.VERDICT_SENTENCES[A.IMPROVED]
    assert (a1.title, a1.item_title, a1.owner) == ("Show, don't tell", "Done is shown, not asserted", "pod")
    a2 = by_id["a2"]
    # agreed 16 Mar: before is the 16 Mar pass (3); after, 30 Mar fail (0)
    assert a2.before == LevelAt(date=D(2026, 3, 16), level=3) and a2.after == [LevelAt(date=D(2026, 3, 30), level=0)]
    assert (a2.status, a2.in_flight, a2.overdue, a2.verdict) == ("planned", True, False, A.WORSE)
    a3 = by_id["a3"]
    assert (a3.status, a3.reason, a3.in_flight, a3.overdue, a3.intervention, a3.title, a3.owner) == (
        "dropped", "The pod chose a2 first.", False, False, None, "Swarm first", "release-manager")
    assert a3.before == LevelAt(date=D(2026, 3, 2), level=0) and a3.verdict == A.IMPROVED


def test_findings_and_open_ledger_rows_name_the_action_in_flight(a):
    r = one_report(a, D(2026, 3, 30))
    findings = {f.item: f.action for f in r.findings}
    assert findings == {"dod-checked": "a2"}  # done-demonstrated reached 3, swarming 3: no finding
    rows = {(e.item, e.status): e.action for e in r.execution_debt.ledger}
    assert rows[("dod-checked", "open")] == "a2"
    assert rows[("dod-checked", "closed")] is None  # history: never marked
    assert rows[("done-demonstrated", "closed")] is None
    # without a plan nothing is marked and there is nothing to review
    bare = one_report(a, D(2026, 3, 30), with_plan=False)
    assert bare.actions == [] and all(f.action is None for f in bare.findings)
    html = render_html(bare, Renderer.for_project(KITS / "scoring"))
    assert wording.NO_ACTION in html and "No action agreed for this assessment yet" in html


@pytest.mark.parametrize("as_of, status, overdue", [
    (D(2026, 3, 2), "planned", False),
    (D(2026, 3, 16), "in-progress", False),  # the due date itself: not overdue yet
    (D(2026, 3, 17), "in-progress", True),
])
def test_overdue_across_dates(a, as_of, status, overdue):
    a1 = next(x for x in one_report(a, as_of).actions if x.id == "a1")
    assert (a1.status, a1.overdue) == (status, overdue)


def test_an_action_seen_only_before_has_not_been_observed_since(a):
    a2 = next(x for x in one_report(a, D(2026, 3, 16)).actions if x.id == "a2")
    assert a2.after == [] and a2.verdict == A.NOT_OBSERVED_SINCE


def test_a_redacted_report_hides_the_reason(a):
    a3 = next(x for x in one_report(a, D(2026, 3, 30), redact=True).actions if x.id == "a3")
    assert a3.reason == REDACTED


def test_a_redacted_report_hides_a_custom_title_and_keeps_the_kits(a):
    shown = {x.id: x.title for x in one_report(a, D(2026, 3, 30)).actions}
    hidden = {x.id: x.title for x in one_report(a, D(2026, 3, 30), redact=True).actions}
    assert shown["a3"] == "Swarm first" and hidden["a3"] == REDACTED  # written by the pod
    assert hidden["a1"] == shown["a1"] and hidden["a1"] not in ("", REDACTED)  # the kit's own intervention


def test_reports_show_the_loop_in_html_and_markdown(a):
    r = one_report(a, D(2026, 3, 30))
    renderer = Renderer.for_project(KITS / "scoring")
    html = render_html(r, renderer)
    md = render_markdown(r, renderer)
    for text in (html, md):
        assert "Action review" in text and "overdue" in text and "release-manager" in text
        assert "podkit new-action pod-x dod-checked/read-the-list" in text
        assert "caused it" in text and "improved" in text
    assert 'id="action-a2"' in html and 'href="#action-a2"' in html
    for sentence in wording.VERDICT_SENTENCES.values():
        assert "caus" not in sentence


# --------------------------------------------------------------------------- portfolio


def portfolio(a, pods_plans, as_of=D(2026, 3, 30)):
    observations = [o for pod in pods_plans for o in sessions(pod)]
    return score_records(records(observations), [a], as_of=as_of, version="test", plans=[p for p in pods_plans.values() if p])[1]


def test_portfolio_counts_overdue_actions_and_critical_findings_without_action_without_ranking(a):
    # done-demonstrated (critical) is below target on 16 Mar only in pod-y's latest session as of 16 Mar
    pf = portfolio(a, {"pod-z": plan("pod-z"), "pod-y": None}, as_of=D(2026, 3, 17))
    pods = pf.assessments[0].pods
    assert [p.pod for p in pods] == ["pod-y", "pod-z"]  # name order, whatever the counts
    y, z = pods
    assert (z.overdue_actions, y.overdue_actions) == (1, 0)
    assert "1 overdue action" in z.needs_attention
    # the open critical finding (done-demonstrated) has a1 in flight in pod-z, nothing in pod-y
    assert (z.critical_without_action, y.critical_without_action) == (0, 1)
    assert "1 open critical finding, each with an action in flight" in z.needs_attention
    assert "1 open critical finding, no action in flight" in y.needs_attention


def _rollup_section(text: str) -> str:
    """The roll-up of one rendered portfolio: from its heading to the end of its section."""
    rest = text.split("Interventions that worked", 1)[1]
    ends = [rest.find(mark) for mark in ("</section>", "\n<a id=", "\n---\n") if mark in rest]
    return rest[: min(ends)]


def test_interventions_roll_up_only_over_enough_pods_with_the_caveat(a):
    two = portfolio(a, {"pod-a": plan("pod-a"), "pod-b": plan("pod-b")})
    worked = two.assessments[0].interventions_that_worked
    assert worked.rows == [] and worked.hidden == 2 and worked.min_pods == 3  # show-don-t-tell, read-the-list
    three = portfolio(a, {"pod-a": plan("pod-a"), "pod-b": plan("pod-b"), "pod-c": plan("pod-c")})
    worked = three.assessments[0].interventions_that_worked
    rows = {(w.item, w.intervention): w for w in worked.rows}
    assert set(rows) == {("done-demonstrated", "show-don-t-tell"), ("dod-checked", "read-the-list")}
    assert worked.hidden == 0  # the custom a3 is never rolled up
    w = rows[("done-demonstrated", "show-don-t-tell")]
    assert (w.pods, w.agreed, w.done, w.improved_next) == (3, 3, 0, 0)  # in progress, not done
    assert w.title == "Show, don't tell" and w.item_title == "Done is shown, not asserted"
    renderer = Renderer.for_project(KITS / "scoring")
    for pf in (two, three):
        for text in (render_html(pf, renderer), render_markdown(pf, renderer)):
            section = _rollup_section(text)
            assert A.ROLLUP_CAVEAT in section
            assert not any(pod in section for pod in ("pod-a", "pod-b", "pod-c"))  # the roll-up never names a pod
    # no plan anywhere: no roll-up
    assert portfolio(a, {"pod-a": None, "pod-b": None}).assessments[0].interventions_that_worked is None


def test_done_then_higher_at_the_next_observation_counts_as_improved_next(a):
    def done_plan(pod):
        return ActionPlan.model_validate({"pod": pod, "actions": [dict(
            id="a1", assessment="worked-example", item="done-demonstrated", intervention="show-don-t-tell", owner="pod",
            agreed="2026-03-02", due="2026-03-16", history=[{"status": "planned", "date": "2026-03-02"}, {"status": "done", "date": "2026-03-20"}])]})
    pf = portfolio(a, {p: done_plan(p) for p in ("pod-a", "pod-b", "pod-c")})
    (w,) = pf.assessments[0].interventions_that_worked.rows
    # before 0 (2 Mar); done 20 Mar; next session with a level: 30 Mar, level 3 > 0
    assert (w.pods, w.agreed, w.done, w.improved_next) == (3, 3, 3, 3)
