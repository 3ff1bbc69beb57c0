"""scoring.py: every formula against numbers worked out by hand.

The kit in tests/kits/scoring is the worked example of content/scoring.md ("Scoring explained"),
so the first tests check the published example number by number.
"""

from __future__ import annotations

import datetime as dt
import random

import krippendorff
import numpy as np
import pytest

from conftest import KITS
from podkit.kit import Project, load_kit
from podkit.model import Assessment, Observation
from podkit.agreement import krippendorff_alpha, reading
from podkit.pipeline import score_records
from podkit.portfolio import inputs_digest
from podkit.results import DimensionScore, SessionScore
from podkit.scoring import (
    combine,
    degradation_alerts,
    debt_rating,
    middle,
    pooled_agreement,
    score_pod,
    score_session,
    threshold_level,
)

D = dt.date


@pytest.fixture(scope="module")
def a() -> Assessment:
    return load_kit(Project.find(KITS / "scoring")).assessment("worked-example")


def obs(date, responses, observers=("obs-a",), pod="pod-x", stype="stand-up", duration=15, notes="") -> Observation:
    return Observation.model_validate(dict(
        assessment="worked-example", assessment_version="1.0.0", pod=pod, date=date,
        session={"type": stype, "duration_minutes": duration}, observers=list(observers),
        responses=responses, notes=notes,
    ))


def one(**answers):
    """Responses of a single observer 'obs-a': item -> answer dict."""
    return {item: {"obs-a": ans} for item, ans in answers.items()}


NO = {"not_observed": True}
S1 = one(**{"done-demonstrated": {"level": 1}, "dod-checked": {"check": False}, "blockers-unowned": {"count": 4},
            "swarming": {"intervals": [["SW"], ["RS"], ["RS"], ["NX", "RS"], ["RS"]]}})
S2 = one(**{"done-demonstrated": {"level": 1}, "dod-checked": {"check": True}, "blockers-unowned": {"count": 0}, "swarming": NO})


def report(a, sessions, as_of, pod="pod-x"):
    return score_pod(a, pod, [(o, {}, ["x.yaml"]) for o in sessions], as_of=as_of, version="test", inputs=inputs_digest([("x.yaml", "0" * 64)]))


# --------------------------------------------------------------------------- the worked example


def test_worked_example_session_1(a):
    s = score_session(a, obs(D(2026, 3, 2), S1))
    levels = {i.id: i.level for i in s.items}
    assert levels == {"done-demonstrated": 1, "dod-checked": 0, "blockers-unowned": 0, "swarming": 2}
    assert [i.value for i in s.items][3] == pytest.approx(0.4)  # 2 of 5 intervals hold SW or NX
    ver, flow = s.dimensions
    assert ver.score == pytest.approx(100 * (2 * 1 / 3 + 1 * 0) / 3)  # 22.2
    assert flow.score == pytest.approx(100 * (0 + 2 / 3) / 2)  # 33.3
    assert ver.coverage == flow.coverage == 1.0
    assert s.score == pytest.approx((2 * 200 / 9 + 100 / 3) / 3)  # 25.9
    assert round(s.score, 1) == 25.9
    assert s.level == "forming" and s.status == "scored"
    assert s.findings == ["done-demonstrated", "dod-checked", "blockers-unowned"]


def test_worked_example_session_2_insufficient_dimension(a):
    s = score_session(a, obs(D(2026, 3, 16), S2))
    ver, flow = s.dimensions
    assert ver.score == pytest.approx(100 * (2 * 1 / 3 + 1) / 3)  # 55.6
    assert flow.coverage == 0.5 and flow.status == "insufficient-evidence" and flow.score is None
    assert s.coverage == pytest.approx(4 / 5)
    assert s.score == pytest.approx(ver.score)  # Flow is left out of the mean
    assert s.level == "verifying"
    gates = {r.id: [g.held for g in r.gates] for r in s.readiness}
    assert gates == {"forming": [], "verifying": [True], "self-verifying": [False]}
    assert [r.id for r in s.readiness if r.reached] == ["verifying"]


def test_worked_example_ledger_and_its_ageing(a):
    sessions = [obs(D(2026, 3, 2), S1), obs(D(2026, 3, 16), S2)]
    r = report(a, sessions, D(2026, 3, 30))
    ledger = {(e.item, e.status): (e.weight, e.gap, e.days, e.point_days) for e in r.execution_debt.ledger}
    assert ledger == {
        ("done-demonstrated", "open"): (2, 1, 28, 56),
        ("dod-checked", "closed"): (1, 2, 14, 28),
        ("blockers-unowned", "closed"): (1, 2, 14, 28),
    }
    assert (r.execution_debt.total, r.execution_debt.rating) == (112, "C")
    assert r.execution_debt.open_findings == 1 and r.execution_debt.closed_findings == 2
    # "on 3 May … 180, still C. The next day, 4 May, it reaches 182 and the rating tips into D."
    assert (report(a, sessions, D(2026, 5, 3)).execution_debt.total, report(a, sessions, D(2026, 5, 3)).execution_debt.rating) == (180, "C")
    assert (report(a, sessions, D(2026, 5, 4)).execution_debt.total, report(a, sessions, D(2026, 5, 4)).execution_debt.rating) == (182, "D")
    assert [f.item for f in r.findings] == ["done-demonstrated"] and r.findings[0].opened == D(2026, 3, 2)


# --------------------------------------------------------------------------- items


@pytest.mark.parametrize("value, level", [(5, 0), (3.5, 0), (3, 1), (2, 1), (1, 2), (0.5, 2), (0, 3)])
def test_count_lower_is_better_thresholds_are_inclusive(a, value, level):
    assert threshold_level(a.item("blockers-unowned"), value) == level


@pytest.mark.parametrize("value, level", [(0.0, 0), (0.19, 0), (0.2, 1), (0.4, 2), (0.59, 2), (0.6, 3), (1.0, 3)])
def test_codes_higher_is_better_thresholds(a, value, level):
    assert threshold_level(a.item("swarming"), value) == level


def test_codes_proportion_uses_only_scoring_codes(a):
    s = score_session(a, obs(D(2026, 3, 2), one(swarming={"intervals": [["RS"], ["RS"], [], ["NX"], ["RS", "SW"], ["RS"], [], [], [], []]})))
    sw = s.items[3]
    assert sw.value == pytest.approx(0.2) and sw.level == 1 and sw.score == pytest.approx(1 / 3)


def test_check_pass_when_no(a):
    item = a.item("dod-checked").model_copy(update={"pass_when": "no"})
    assert combine(item, [(0, 0.0)], 3) == (0, 0.0)
    from podkit.scoring import answer_value
    from podkit.model import Response

    assert answer_value(item, Response(check=False), 3)[:2] == (3, 1.0)
    assert answer_value(item, Response(check=True), 3)[:2] == (0, 0.0)


# --------------------------------------------------------------------------- several observers


@pytest.mark.parametrize("levels, expected", [([1, 3], 1), ([1, 2, 2], 2), ([1, 2, 2, 3], 2), ([3, 0], 0), ([2], 2), ([0, 1, 2, 3], 1)])
def test_anchored_median_takes_lower_middle(a, levels, expected):
    assert combine(a.item("done-demonstrated"), [(lv, float(lv)) for lv in levels], 3) == (expected, float(expected))


@pytest.mark.parametrize("votes, passed", [([1.0], True), ([0.0], False), ([1.0, 0.0], False), ([1.0, 1.0, 0.0], True), ([1.0, 0.0, 1.0, 0.0], False), ([1.0, 1.0, 1.0, 0.0], True)])
def test_checks_by_majority_tie_fails(a, votes, passed):
    assert combine(a.item("dod-checked"), [(3 if v else 0, v) for v in votes], 3) == ((3, 1.0) if passed else (0, 0.0))


def test_counts_and_proportions_take_the_less_favourable_middle(a):
    # lower is better: of 1 and 2 blocked items the combined value is 2 (level 1), not 1.5
    assert combine(a.item("blockers-unowned"), [(2, 1.0), (1, 2.0)], 3) == (1, 2.0)
    # higher is better: of 0.4 and 0.6 the combined proportion is 0.4 (level 2)
    assert combine(a.item("swarming"), [(2, 0.4), (3, 0.6)], 3) == (2, 0.4)
    assert combine(a.item("blockers-unowned"), [(3, 0.0), (1, 2.0), (2, 1.0)], 3) == (2, 1.0)
    assert middle([4, 1, 3, 2], prefer_low=True) == 2 and middle([4, 1, 3, 2], prefer_low=False) == 3


def test_two_observers_hand_computed(a):
    s = score_session(a, obs(D(2026, 3, 4), {
        "done-demonstrated": {"obs-a": {"level": 2}, "obs-b": {"level": 3}},
        "dod-checked": {"obs-a": {"check": True}, "obs-b": {"check": True}},
        "blockers-unowned": {"obs-a": {"count": 1}, "obs-b": {"count": 2}},
        "swarming": {"obs-a": {"intervals": [["SW"], ["NX"], ["RS"], ["RS"], []]}, "obs-b": {"intervals": [["SW"], ["NX"], ["SW"], ["RS"], []]}},
    }, observers=("obs-a", "obs-b")))
    assert [i.level for i in s.items] == [2, 3, 1, 2]
    assert s.dimensions[0].score == pytest.approx(100 * (2 * 2 / 3 + 1) / 3)
    assert s.dimensions[1].score == pytest.approx(100 * (1 / 3 + 2 / 3) / 2)
    assert s.score == pytest.approx((2 * s.dimensions[0].score + s.dimensions[1].score) / 3)
    assert [i.spread for i in s.items] == [1, 0, 1, 1] and s.disagreements == []
    # the session's alpha is the package's, over the observers' levels per item
    data = np.array([[2, 2, 2], [3, 1, 3]], dtype=float)
    assert s.agreement.krippendorff_alpha == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal"))


def test_disagreement_flag_at_spread(a):
    s = score_session(a, obs(D(2026, 3, 4), {
        "done-demonstrated": {"obs-a": {"level": 1}, "obs-b": {"level": 3}},
        "dod-checked": {"obs-a": {"check": True}, "obs-b": {"check": False}},
        "blockers-unowned": {"obs-a": {"count": 1}, "obs-b": {"count": 2}},
    }, observers=("obs-a", "obs-b")))
    flagged = {i.id: (i.spread, i.disagreement) for i in s.items}
    assert flagged["done-demonstrated"] == (2, True)  # 1 and 3: spread 2 = disagreement_spread
    assert flagged["dod-checked"] == (3, True)  # a pass scores 3, a fail 0
    assert flagged["blockers-unowned"] == (1, False)
    assert flagged["swarming"] == (None, False)
    assert s.items[0].level == 1  # lower middle
    assert s.items[1].level == 0  # 1 of 2 is not a majority


# --------------------------------------------------------------------------- Krippendorff's alpha


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers, 12
# units, missing values. Published: nominal .743, ordinal .815 (interval .849, ratio .797).
KRIPP_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def _units(rows):
    units = []
    for j in range(len(rows[0])):
        units.append({f"o{i}": float(r[j]) for i, r in enumerate(rows) if r[j] is not None})
    return units


def test_alpha_matches_krippendorffs_published_example():
    alpha, note = krippendorff_alpha(_units(KRIPP_2011), "nominal")
    assert round(alpha, 3) == 0.743 and note == ""
    alpha, _ = krippendorff_alpha(_units(KRIPP_2011), "ordinal")
    assert round(alpha, 3) == 0.815


def test_alpha_binary_example():
    # Krippendorff (2011), section A: two observers, binary data, nominal alpha .095
    rows = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
    assert round(krippendorff_alpha(_units(rows), "nominal")[0], 3) == 0.095


@pytest.mark.parametrize("seed", range(5))
def test_alpha_equals_the_package_on_random_data(seed):
    rng = random.Random(seed)
    coders, n_units = rng.randint(2, 4), rng.randint(3, 30)
    rows = [[rng.choice([0, 1, 2, 3, None]) for _ in range(n_units)] for _ in range(coders)]
    data = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
    for level in ("ordinal", "nominal"):
        mine, _ = krippendorff_alpha(_units(rows), level)
        pairable = [u for u in _units(rows) if len(u) >= 2]
        if len({v for u in pairable for v in u.values()}) < 2:
            assert mine is None
            continue
        assert mine == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


def test_alpha_undefined_cases_say_so():
    alpha, note = krippendorff_alpha([{"a": 1.0}, {"a": 2.0}], "ordinal")
    assert alpha is None and "two or more observers" in note
    alpha, note = krippendorff_alpha([{"a": 2.0, "b": 2.0}, {"a": 2.0, "b": 2.0}], "ordinal")
    assert alpha is None and "same value" in note
    assert reading(None) is None


@pytest.mark.parametrize("alpha, text", [(0.95, "reliable"), (0.8, "reliable"), (0.7999, "tentative"), (0.667, "tentative"), (0.6669, "recalibrate"), (-0.2, "recalibrate")])
def test_alpha_reading(alpha, text):
    assert reading(alpha) == text


def test_pooled_alpha_over_a_series_is_the_package_value(a):
    s1 = obs(D(2026, 3, 4), {
        "done-demonstrated": {"obs-a": {"level": 2}, "obs-b": {"level": 3}},
        "dod-checked": {"obs-a": {"check": True}, "obs-b": {"check": True}},
        "blockers-unowned": {"obs-a": {"count": 1}, "obs-b": {"count": 2}},
    }, observers=("obs-a", "obs-b"))
    s2 = obs(D(2026, 3, 18), {
        "done-demonstrated": {"obs-b": {"level": 1}, "obs-c": {"level": 3}},
        "dod-checked": {"obs-b": {"check": True}, "obs-c": {"check": False}},
        "swarming": {"obs-b": {"intervals": [["SW"], ["SW"], [], []]}, "obs-c": {"not_observed": True}},
    }, observers=("obs-b", "obs-c"))
    r = report(a, [s1, s2], D(2026, 4, 1))
    nan = np.nan
    # coders obs-a, obs-b, obs-c; units: (s1 done), (s1 blockers), (s2 done); swarming has one observer in s2
    levels = np.array([[2, 2, nan], [3, 1, 1], [nan, nan, 3]], dtype=float)
    assert r.agreement.krippendorff_alpha == pytest.approx(krippendorff.alpha(reliability_data=levels, level_of_measurement="ordinal"))
    assert r.agreement.units == 3
    checks = np.array([[1, nan], [1, 1], [nan, 0]], dtype=float)
    assert r.agreement.checks_alpha == pytest.approx(krippendorff.alpha(reliability_data=checks, level_of_measurement="nominal"))
    assert pooled_agreement(r.sessions) == r.agreement


def test_single_observer_has_no_alpha(a):
    r = report(a, [obs(D(2026, 3, 2), S1)], D(2026, 3, 2))
    assert r.agreement.krippendorff_alpha is None and r.agreement.reading is None and r.agreement.note


# --------------------------------------------------------------------------- coverage, gates


def test_nothing_observed_is_insufficient_evidence(a):
    s = score_session(a, obs(D(2026, 3, 2), {it.id: {"obs-a": NO} for it in a.items}))
    assert s.status == "insufficient-evidence" and s.score is None and s.level is None and s.coverage == 0
    assert all(d.status == "insufficient-evidence" and d.score is None for d in s.dimensions)
    assert not any(r.reached for r in s.readiness)
    assert s.findings == []


def test_overall_coverage_below_minimum_gives_no_number(a):
    # done-demonstrated (weight 2) alone: coverage 2/5 = 0.4 < 0.6, although Verification has 2/3
    s = score_session(a, obs(D(2026, 3, 2), one(**{"done-demonstrated": {"level": 3}})))
    assert s.coverage == pytest.approx(0.4)
    assert s.dimensions[0].coverage == pytest.approx(2 / 3) and s.dimensions[0].status == "scored"
    assert s.status == "insufficient-evidence" and s.score is None and s.level is None


def test_missing_responses_count_as_not_observed(a):
    s = score_session(a, obs(D(2026, 3, 2), one(**{"done-demonstrated": {"level": 3}, "dod-checked": {"check": True}})))
    assert s.dimensions[1].coverage == 0 and s.coverage == pytest.approx(3 / 5)
    assert s.score == pytest.approx(100.0)


def test_gates_hold_back_a_high_score(a):
    # lower the top level's minimum to 60 so that the score alone would reach it
    top = a.readiness[2].model_copy(update={"min_score": 60.0})
    low_bar = a.model_copy(update={"readiness": [a.readiness[0], a.readiness[1], top]})
    answers = {"dod-checked": {"check": True}, "blockers-unowned": {"count": 0}, "swarming": {"intervals": [["SW"]]}}
    s = score_session(low_bar, obs(D(2026, 3, 2), one(**{"done-demonstrated": {"level": 1}}, **answers)))
    assert s.score == pytest.approx((2 * 100 * (2 / 3 + 1) / 3 + 100) / 3)  # 70.4
    assert s.readiness[2].score_met and not s.readiness[2].gates[0].held
    assert s.level == "verifying"
    s = score_session(low_bar, obs(D(2026, 3, 2), one(**{"done-demonstrated": {"level": 2}}, **answers)))
    assert s.level == "self-verifying"


def test_gate_on_an_unobserved_item_or_unscored_dimension_fails(a):
    s = score_session(a, obs(D(2026, 3, 2), one(**{"done-demonstrated": NO, "dod-checked": {"check": True}, "blockers-unowned": {"count": 0}, "swarming": {"intervals": [["SW"]]}})))
    # Verification coverage 1/3 < 0.6: no score, so its dimension gate fails; the overall score is Flow's 100
    assert s.dimensions[0].status == "insufficient-evidence" and s.score == pytest.approx(100.0)
    assert s.level == "forming"
    assert [g.held for g in s.readiness[2].gates] == [False]


# --------------------------------------------------------------------------- over time


def _fake_sessions(scores):
    return [SessionScore.model_construct(index=i, date=D(2026, 1, 1) + dt.timedelta(days=7 * i), dimensions=[DimensionScore.model_construct(score=s), DimensionScore.model_construct(score=50.0)]) for i, s in enumerate(scores, 1)]


def test_degradation_against_baseline_not_previous(a):
    alerts = degradation_alerts(a, _fake_sessions([70.0, 72.0, 68.0, 59.0]))
    assert [(al.session, al.compared_with, round(al.drop, 6)) for al in alerts] == [(4, "baseline", 11.0)]
    assert alerts[0].reference == pytest.approx(70.0) and alerts[0].current


def test_degradation_against_previous_session_and_gaps(a):
    alerts = degradation_alerts(a, _fake_sessions([80.0, None, 70.0, 75.0, 40.0]))
    got = [(al.session, al.compared_with, round(al.drop, 6)) for al in alerts]
    # session 3 is compared with session 1 (session 2 had no score): a drop of exactly 10 alerts
    assert (3, "previous-session", 10.0) in got
    assert (5, "previous-session", 35.0) in got and (5, "baseline", round(75 - 40, 6)) in got


def test_trend_and_debt_over_a_series(a):
    lv = lambda n: one(**{"done-demonstrated": {"level": n}, "dod-checked": {"check": n >= 2}, "blockers-unowned": {"count": 3 - n}, "swarming": {"intervals": [["SW"]] * n + [["RS"]] * (3 - n)}})
    sessions = [obs(D(2026, 1, 5), lv(3)), obs(D(2026, 1, 19), lv(1)), obs(D(2026, 2, 2), lv(1)), obs(D(2026, 2, 16), lv(2))]
    r = report(a, sessions, D(2026, 3, 1))
    ver = r.dimensions[0]
    assert [round(p.score, 1) for p in ver.series] == [100.0, 22.2, 22.2, 77.8]
    assert ver.previous == pytest.approx(200 / 9) and ver.change == pytest.approx(700 / 9 - 200 / 9)
    assert ver.baseline == pytest.approx((100 + 200 / 9 + 200 / 9) / 3)
    assert [(al.session, al.dimension, al.compared_with) for al in r.alerts if al.dimension == "verification"] == [(2, "verification", "previous-session")]
    # each item opens on 19 Jan at level 1 (gap 1; checks at 0, gap 2) and closes on 16 Feb: 28 days
    ledger = {e.item: (e.gap, e.days, e.point_days, e.status) for e in r.execution_debt.ledger}
    assert ledger == {
        "done-demonstrated": (1, 28, 2 * 1 * 28, "closed"),
        "dod-checked": (2, 28, 1 * 2 * 28, "closed"),
        "blockers-unowned": (1, 28, 28, "closed"),  # count 2 → level 1
        "swarming": (1, 28, 28, "closed"),  # 1 of 3 → 0.33 → level 1
    }
    assert r.execution_debt.total == 56 + 56 + 28 + 28 and r.execution_debt.rating == "C"
    # last session: Verification 77.8, Flow 83.3 (count 1 → level 2, 2 of 3 intervals → level 3)
    assert r.overall.score == pytest.approx((2 * 700 / 9 + 250 / 3) / 3)
    assert r.findings == [] and r.overall.level == "self-verifying"


def test_debt_gap_is_the_latest_observation_and_unobserved_sessions_change_nothing(a):
    sessions = [
        obs(D(2026, 1, 1), one(**{"done-demonstrated": {"level": 0}})),
        obs(D(2026, 1, 11), one(**{"done-demonstrated": NO})),
        obs(D(2026, 1, 21), one(**{"done-demonstrated": {"level": 1}})),
    ]
    r = report(a, sessions, D(2026, 1, 31))
    (e,) = r.execution_debt.ledger
    assert (e.opened, e.closed, e.level, e.gap, e.last_session, e.days) == (D(2026, 1, 1), None, 1, 1, 3, 30)
    assert e.point_days == 2 * 1 * 30


def test_a_finding_that_returns_opens_again(a):
    sessions = [
        obs(D(2026, 1, 1), one(**{"dod-checked": {"check": False}})),
        obs(D(2026, 1, 8), one(**{"dod-checked": {"check": True}})),
        obs(D(2026, 1, 15), one(**{"dod-checked": {"check": False}})),
    ]
    r = report(a, sessions, D(2026, 1, 20))
    entries = sorted((e.opened, e.closed, e.days, e.point_days) for e in r.execution_debt.ledger)
    assert entries == [(D(2026, 1, 1), D(2026, 1, 8), 7, 14), (D(2026, 1, 15), None, 5, 10)]
    assert r.execution_debt.total == 24 and r.execution_debt.open_findings == 1


@pytest.mark.parametrize("total, rating", [(0, "A"), (30, "A"), (30.5, "B"), (90, "B"), (180, "C"), (180.01, "D"), (360, "D"), (361, "E"), (10**6, "E")])
def test_debt_grid_bounds_are_inclusive(a, total, rating):
    assert debt_rating(a, total) == rating


def test_recommendations_cover_open_findings_then_weakest(a):
    r = report(a, [obs(D(2026, 3, 2), S1), obs(D(2026, 3, 16), S2)], D(2026, 3, 30))
    assert r.recommendations[0].item == "done-demonstrated"
    assert any("open finding since 2026-03-02" in why for why in r.recommendations[0].reasons)
    assert r.recommendations[0].interventions[0].title == "Show, don't tell"


def test_sessions_after_as_of_are_left_out_with_a_warning(a):
    from podkit.observations import Record, Source

    recs = [Record(o, Source(None, f"s{i}.yaml", "0" * 64)) for i, o in enumerate([obs(D(2026, 3, 2), S1), obs(D(2026, 3, 16), S2)])]
    (r,), pf = score_records(recs, [a], as_of=D(2026, 3, 10), version="test")
    assert [s.date for s in r.sessions] == [D(2026, 3, 2)] and pf is None
    assert any("after the report date 2026-03-10" in w.message for w in r.warnings)
    assert [f.name for f in r.inputs.files] == ["s0.yaml"]


def test_records_of_one_session_from_two_files_are_merged(a):
    from podkit.observations import Record, Source

    o1 = obs(D(2026, 3, 4), {"done-demonstrated": {"obs-a": {"level": 1}}}, observers=("obs-a",))
    o2 = obs(D(2026, 3, 4), {"done-demonstrated": {"obs-b": {"level": 3}}}, observers=("obs-b",))
    recs = [Record(o1, Source(None, "a.yaml", "1" * 64), {("done-demonstrated", "obs-a"): 9}), Record(o2, Source(None, "b.yaml", "2" * 64))]
    (r,), _ = score_records(recs, [a], as_of=D(2026, 3, 4), version="test")
    (s,) = r.sessions
    assert s.observers == ["obs-a", "obs-b"] and s.sources == ["a.yaml", "b.yaml"]
    assert s.items[0].level == 1 and s.items[0].spread == 2 and s.items[0].disagreement
    assert [x.source for x in s.items[0].responses] == ["a.yaml:9", "b.yaml"]


def test_portfolio_only_with_two_pods(a):
    from podkit.observations import Record, Source

    recs = [Record(obs(D(2026, 3, 2), S1, pod=p), Source(None, f"{p}.yaml", "0" * 64)) for p in ("pod-b", "pod-a")]
    reports, pf = score_records(recs, [a], as_of=D(2026, 3, 30), version="test")
    assert [r.pod for r in reports] == ["pod-a", "pod-b"]
    assert pf is not None and pf.pods == ["pod-a", "pod-b"]
    (sec,) = pf.assessments
    assert [p.pod for p in sec.pods] == ["pod-a", "pod-b"] and sec.debt_ranking == ["pod-a", "pod-b"]
    assert sec.pods[0].report == "pod-a--worked-example"
    reports, pf = score_records(recs[:1], [a], as_of=D(2026, 3, 30), version="test")
    assert pf is None


def test_portfolio_ranks_open_debt_before_debt_already_paid(a):
    """A pod that closed all its findings keeps its (larger) total but ranks below one with open debt."""
    from podkit.observations import Record, Source

    fixed = one(**{"done-demonstrated": {"level": 3}, "dod-checked": {"check": True}, "blockers-unowned": {"count": 0}, "swarming": NO})
    paid = [obs(D(2026, 3, 2), S1, pod="pod-a"), obs(D(2026, 3, 16), fixed, pod="pod-a")]  # 14 days × 6 = 84, all closed
    owing = [obs(D(2026, 3, 23), S1, pod="pod-b")]  # 7 days × 6 = 42, all open
    recs = [Record(o, Source(None, f"{o.pod}-{i}.yaml", str(i) * 64)) for i, o in enumerate(paid + owing)]
    _, pf = score_records(recs, [a], as_of=D(2026, 3, 30), version="test")
    (sec,) = pf.assessments
    debt = {p.pod: (p.execution_debt_open, p.execution_debt_total, p.open_findings) for p in sec.pods}
    assert debt == {"pod-a": (0, 84, 0), "pod-b": (42, 42, 3)}
    assert sec.debt_ranking == ["pod-b", "pod-a"]


def test_inputs_digest_is_sha256sum_of_sorted_lines():
    import hashlib

    d = inputs_digest([("b.yaml", "b" * 64), ("a.yaml", "a" * 64)])
    assert d.sha256 == hashlib.sha256(f"{'a' * 64}  a.yaml\n{'b' * 64}  b.yaml\n".encode()).hexdigest()
    assert [f.name for f in d.files] == ["a.yaml", "b.yaml"]


def test_scoring_is_pure(a, monkeypatch):
    """No file access and no clock: the same inputs give the same report."""
    import builtins

    sessions = [obs(D(2026, 3, 2), S1), obs(D(2026, 3, 16), S2)]
    first = report(a, sessions, D(2026, 3, 30))
    monkeypatch.setattr(builtins, "open", lambda *a, **k: (_ for _ in ()).throw(AssertionError("scoring opened a file")))
    assert report(a, sessions, D(2026, 3, 30)) == first
