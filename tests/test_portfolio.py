"""portfolio.py: pods side by side in name order, never ranked; what needs attention; roll-ups
only over enough pods; the sample portfolio's debt grades read the right way round."""

from __future__ import annotations

import datetime as dt
import re

import pydantic
import pytest

from conftest import KITS, ROOT
from podkit.kit import Project, load_kit
from podkit.model import Observation, ScoringConfig
from podkit.observations import Record, Source, load_observations
from podkit.pipeline import score_records
from podkit.report import Renderer, render_html, render_json, render_markdown

D = dt.date


@pytest.fixture(scope="module")
def a():
    return load_kit(Project.find(KITS / "scoring")).assessment("worked-example")


@pytest.fixture(scope="module")
def sample():
    kit = load_kit(Project.find(ROOT))
    loaded = load_observations([ROOT / "examples" / "observations"], kit.assessments, today=D(2026, 11, 15))
    return score_records(loaded.records, kit.assessments, as_of=D(2026, 11, 1), version="test")


def obs(date, responses, pod, observers=("obs-a",)):
    return Observation.model_validate(dict(assessment="worked-example", assessment_version="1.0.0", pod=pod, date=date,
                                           session={"type": "review", "duration_minutes": 15}, observers=list(observers), responses=responses))


def one(**answers):
    return {item: {"obs-a": ans} for item, ans in answers.items()}


GOOD = one(**{"done-demonstrated": {"level": 3}, "dod-checked": {"check": True}, "blockers-unowned": {"count": 0}, "swarming": {"intervals": [["SW"]]}})
POOR = one(**{"done-demonstrated": {"level": 0}, "dod-checked": {"check": False}, "blockers-unowned": {"count": 4}, "swarming": {"intervals": [["RS"]]}})
THIN = one(**{"done-demonstrated": {"not_observed": True}, "dod-checked": {"check": True}})


def portfolio(a, observations, as_of):
    recs = [Record(o, Source(None, f"{o.pod}-{i}.yaml", f"{i:064d}")) for i, o in enumerate(observations)]
    return score_records(recs, [a], as_of=as_of, version="test")


def test_sample_portfolio_best_pod_gets_the_best_grade_not_the_worst(sample):
    reports, _ = sample
    for aid in {r.assessment.id for r in reports}:
        group = [r for r in reports if r.assessment.id == aid]
        best = max(group, key=lambda r: r.overall.score or 0)
        worst = max(group, key=lambda r: r.execution_debt.open)
        letters = [g.rating for g in best.execution_debt.grid]
        # The check: the best-scoring pod never carries the worst grade, and reads better
        # than the pod with the most open debt (A is little open debt).
        assert best.execution_debt.rating != letters[-1], (aid, best.pod)
        assert letters.index(best.execution_debt.rating) < letters.index(worst.execution_debt.rating), (aid, best.pod, worst.pod)
        assert worst.execution_debt.rating not in ("A", "B"), (aid, worst.pod)


def test_pods_in_name_order_and_no_ranking_in_any_format(sample):
    _, pf = sample
    renderer = Renderer.for_project(ROOT)
    names = sorted(pf.pods)
    texts = {"json": render_json(pf), "md": render_markdown(pf, renderer), "md-charts": render_markdown(pf, renderer, charts=True), "html": render_html(pf, renderer)}
    texts["pdf-html"] = render_html(pf, renderer, for_pdf=True)
    for fmt, text in texts.items():
        assert not re.search(r"rank|league|best pod|worst pod|top pod", text, flags=re.I), fmt
    for sec in pf.assessments:
        assert [p.pod for p in sec.pods] == names
    for fmt in ("md", "html"):
        # every table lists the pods in name order
        body = texts[fmt]
        for sec in pf.assessments:
            part = body.split(sec.assessment.title, 1)[1]
            for table in re.split(r"Needs attention and open debt", part)[:2]:
                seen = [n for n in sorted(names, key=lambda n: table.find(n)) if table.find(n) >= 0]
                assert seen == names, fmt


def test_needs_attention_names_its_reasons(a):
    crit = a.model_copy(update={"items": [it.model_copy(update={"critical": it.id == "dod-checked"}) for it in a.items]})
    sessions = [
        obs(D(2026, 1, 5), GOOD, "pod-calm"), obs(D(2026, 3, 2), GOOD, "pod-calm"),
        obs(D(2026, 3, 2), POOR, "pod-critical"),
        obs(D(2026, 2, 2), GOOD, "pod-drop"), obs(D(2026, 3, 2), one(**{**{k: v["obs-a"] for k, v in GOOD.items()}, "swarming": {"intervals": [["RS"]]}}), "pod-drop"),
        obs(D(2026, 3, 2), THIN, "pod-thin"),
        obs(D(2026, 1, 2), GOOD, "pod-quiet"),
    ]
    recs = [Record(o, Source(None, f"{o.pod}-{i}.yaml", f"{i:064d}")) for i, o in enumerate(sessions)]
    _, pf = score_records(recs, [crit], as_of=D(2026, 3, 2), version="test")
    why = {p.pod: p.needs_attention for p in pf.assessments[0].pods}
    assert why["pod-calm"] == []
    assert why["pod-critical"] == ["1 open critical finding, no action in flight"]
    assert why["pod-drop"] == ["current alert: Flow"]
    assert why["pod-thin"] == ["insufficient evidence in the latest session"]
    assert why["pod-quiet"] == ["no observation for 59 days (cadence 28)"]
    assert list(why) == sorted(why)


def test_roll_up_only_over_enough_pods(a):
    two = [obs(D(2026, 3, 2), GOOD, "pod-a"), obs(D(2026, 3, 2), POOR, "pod-b")]
    _, pf = portfolio(a, two, D(2026, 3, 2))
    (sec,) = pf.assessments
    assert sec.mean_overall is None and sec.roll_up_min_pods == 3 and "fewer than the 3" in sec.roll_up_note
    _, pf = portfolio(a, two + [obs(D(2026, 3, 2), GOOD, "pod-c")], D(2026, 3, 2))
    (sec,) = pf.assessments
    assert sec.mean_overall == round((100 + 0 + 100) / 3, 2) and "3 pods" in sec.roll_up_note
    # a pod without a score does not count towards the minimum
    _, pf = portfolio(a, two + [obs(D(2026, 3, 2), THIN, "pod-c")], D(2026, 3, 2))
    assert pf.assessments[0].mean_overall is None


def test_the_kit_can_raise_the_roll_up_minimum_but_not_lower_it():
    assert ScoringConfig(roll_up_min_pods=5).roll_up_min_pods == 5
    with pytest.raises(pydantic.ValidationError):
        ScoringConfig(roll_up_min_pods=2)
    assert ScoringConfig().cadence_days == 28 and ScoringConfig().interest_after_days is None


def test_open_debt_is_shown_per_pod_not_ranked(a):
    paid = [obs(D(2026, 3, 2), POOR, "pod-a"), obs(D(2026, 3, 16), GOOD, "pod-a")]
    owing = [obs(D(2026, 3, 23), POOR, "pod-b")]
    _, pf = portfolio(a, paid + owing, D(2026, 3, 30))
    (sec,) = pf.assessments
    debt = {p.pod: (p.execution_debt_open, p.execution_debt_paid_down, p.execution_debt_rating, p.open_findings) for p in sec.pods}
    # every item at level 0 against target 2: (2 × 2 + 1 × 2 + 1 × 2 + 1 × 2) = 10 point-days a day.
    # pod-a paid 10 × 14 = 140 down and owes nothing; pod-b owes 10 × 7 = 70 in 4 findings, one
    # critical: B (70 ≤ 90, 4 ≤ 4, 1 ≤ 1)
    assert debt == {"pod-a": (0, 140, "A", 0), "pod-b": (70, 0, "B", 4)}
    assert [p.pod for p in sec.pods] == ["pod-a", "pod-b"] and not hasattr(sec, "debt_ranking")
