"""scoring.py: every rule of "Scoring explained" (content/scoring.md) against numbers worked out
independently.

The kit in tests/kits/scoring is the page's worked example. ``page_session`` below recomputes a
session from the page's rules with fractions, written separately from podkit.scoring, so that
the tests compare two readings of the same published rules, not the code with itself.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from fractions import Fraction as F

import pytest

from conftest import KITS, ROOT
from podkit import scoring
from podkit.kit import Project, load_kit
from podkit.model import AnchoredItem, Assessment, CheckItem, CountItem, Observation
from podkit.pipeline import score_records
from podkit.portfolio import inputs_digest
from podkit.scoring import debt_rating, direction, exact, rounded, score_pod, score_session, slope, threshold_level

D = dt.date


@pytest.fixture(scope="module")
def a() -> Assessment:
    return load_kit(Project.find(KITS / "scoring")).assessment("worked-example")


@pytest.fixture(scope="module")
def shipped() -> dict[str, Assessment]:
    kit = load_kit(Project.find(ROOT))
    return {x.id: x for x in kit.assessments}


def obs(date, responses, observers=("obs-a",), pod="pod-x", stype="stand-up", duration=15, notes="", assessment="worked-example", version="1.0.0") -> Observation:
    return Observation.model_validate(dict(
        assessment=assessment, assessment_version=version, pod=pod, date=date,
        session={"type": stype, "duration_minutes": duration}, observers=list(observers), responses=responses, notes=notes,
    ))


def one(**answers):
    """Responses of a single observer 'obs-a': item -> answer dict."""
    return {item: {"obs-a": ans} for item, ans in answers.items()}


NO = {"not_observed": True}
NA = {"not_applicable": True, "reason": "No item was blocked."}
S1 = one(**{"done-demonstrated": {"level": 1}, "dod-checked": {"check": False}, "blockers-unowned": {"count": 4},
            "swarming": {"intervals": [["SW"], ["RS"], ["RS"], ["NX", "RS"], ["RS"]]}})
S2 = one(**{"done-demonstrated": {"level": 1}, "dod-checked": {"check": True}, "blockers-unowned": {"count": 0}, "swarming": NO})
S3 = {
    "done-demonstrated": {"obs-a": {"level": 1}, "obs-b": {"level": 2}},
    "dod-checked": {"obs-a": {"check": True}, "obs-b": {"check": False}, "consensus": {"check": True}},
    "blockers-unowned": {"obs-a": NA, "obs-b": NA},
    "swarming": {"obs-a": {"intervals": [["SW"], ["NX"], ["RS"], ["SW"], ["RS"]]}, "obs-b": {"intervals": [["SW"], ["RS"], ["RS"], ["SW"], ["RS"]]}},
}
AB = ("obs-a", "obs-b")


def report(a, sessions, as_of, pod="pod-x"):
    return score_pod(a, pod, [(o, {}, ["x.yaml"]) for o in sessions], as_of=as_of, version="test", inputs=inputs_digest([("x.yaml", "0" * 64)]))


# --------------------------------------------------------------------------- the page and the docstring


def _rules(text: str) -> list[str]:
    return re.findall(r"^(\d+\. .+)$", text, flags=re.M)


def test_rules_on_the_page_are_the_docstring_word_for_word():
    page = (ROOT / "content" / "scoring.md").read_text(encoding="utf-8")
    block = page.split("<!-- rules:", 1)[1].split("<!-- /rules -->", 1)[0]
    on_page = _rules(block)
    in_code = _rules(scoring.__doc__)
    assert len(on_page) == 16 and on_page == in_code
    # every setting the rules name is a real setting of the model
    from podkit.model import DebtGrade, ScoringConfig

    named = set(re.findall(r"`([a-z_]+)`", "\n".join(on_page)))
    fields = set(ScoringConfig.model_fields) | set(DebtGrade.model_fields)
    assert {"min_coverage", "degradation_drop", "baseline_sessions", "interest_after_days", "cadence_days", "roll_up_min_pods", "max_open_critical"} <= named
    assert not {n for n in named if n.startswith(("max_", "min_cov", "interest", "cadence", "roll_up"))} - fields


# --------------------------------------------------------------------------- the page's rules, recomputed


def page_level(item, answer, top, minutes):
    """Rules 1–3 for one answer, written from the page: (state, level, value)."""
    if answer.get("not_observed"):
        return "no", None, None
    if answer.get("not_applicable"):
        return "na", None, None
    if item.kind == "anchored":
        return "ok", answer["level"], F(answer["level"])
    if item.kind == "check":
        ok = answer["check"] == (item.pass_when == "yes")
        return "ok", top if ok else 0, F(int(ok))
    if item.kind == "count":
        v = F(str(answer["count"]))
        if item.denominator:
            if answer["out_of"] == 0:
                return "na", None, None
            v /= F(str(answer["out_of"]))
        elif item.per == "hour":
            v /= F(minutes, 60)
    else:
        base = [iv for iv in answer["intervals"] if not item.denominator_codes or set(item.denominator_codes) & set(iv)]
        if not base:
            return "na", None, None
        v = F(sum(1 for iv in base if set(item.score_codes) & set(iv)), len(base))
    met = [lv for lv, t in item.thresholds.items() if (v >= F(str(t)) if item.better == "higher" else v <= F(str(t)))]
    return "ok", max(met, default=0), v


def page_session(a: Assessment, o: Observation):
    """Rules 1–8 from the page: {item: (state, score)}, {dim: score}, overall, reached level id."""
    top = max(s.level for s in a.scale)
    items = {}
    for it in a.items:
        rec = {k: v.model_dump(exclude_defaults=True) | ({"not_observed": True} if v.not_observed else {}) for k, v in (o.responses.get(it.id) or {}).items()}
        cons = rec.pop("consensus", None)
        got = [page_level(it, x, top, o.session.duration_minutes) for x in rec.values()]
        if cons is not None and not cons.get("not_observed"):
            st, lv, _ = page_level(it, cons, top, o.session.duration_minutes)
            items[it.id] = ("na", None) if st == "na" else ("ok", F(lv, top))
        elif any(st == "ok" for st, _, _ in got):
            sc = [F(lv, top) for st, lv, _ in got if st == "ok"]
            items[it.id] = ("ok", sum(sc) / len(sc))
        else:
            items[it.id] = ("na" if any(st == "na" for st, _, _ in got) else "no", None)
    w = lambda x: F(str(x.weight))
    dims, seen_all, appl_all = {}, F(0), F(0)
    for d in a.dimensions:
        mem = [it for it in a.items if it.dimension == d.id]
        appl = sum((w(it) for it in mem if items[it.id][0] != "na"), F(0))
        seen = [it for it in mem if items[it.id][0] == "ok"]
        sw = sum((w(it) for it in seen), F(0))
        seen_all, appl_all = seen_all + sw, appl_all + appl
        cov = sw / appl if appl else F(0)
        dims[d.id] = 100 * sum(w(it) * items[it.id][1] for it in seen) / sw if seen and cov >= F(str(a.scoring.min_coverage)) else None
    cov = seen_all / appl_all if appl_all else F(0)
    scored = [(w(d), dims[d.id]) for d in a.dimensions if dims[d.id] is not None]
    overall = sum(x * y for x, y in scored) / sum(x for x, _ in scored) if scored and cov >= F(str(a.scoring.min_coverage)) else None
    reached = None
    for r in a.readiness:
        ok = overall is not None and overall >= F(str(r.min_score))
        for g in r.gates:
            if hasattr(g, "item"):
                st, sc = items[g.item]
                ok = ok and (st == "na" or (st == "ok" and sc * top >= g.min_level))
            else:
                ok = ok and dims[g.dimension] is not None and dims[g.dimension] >= F(str(g.min_score))
        if not ok:
            break
        reached = r.id
    return items, dims, overall, reached


def agrees(a, o):
    """podkit.scoring and the page's rules give the same numbers (rounded as the JSON carries them)."""
    s = score_session(a, o)
    items, dims, overall, reached = page_session(a, o)
    assert s.score == rounded(overall) and s.level == reached
    assert [d.score for d in s.dimensions] == [rounded(dims[d.id]) for d in a.dimensions]
    assert [i.score for i in s.items] == [rounded(items[i.id][1]) for i in s.items]
    assert [i.not_applicable for i in s.items] == [items[i.id][0] == "na" for i in s.items]
    return s


# --------------------------------------------------------------------------- the worked example


def test_worked_example_session_1(a):
    s = agrees(a, obs(D(2026, 3, 2), S1))
    assert {i.id: i.level for i in s.items} == {"done-demonstrated": 1, "dod-checked": 0, "blockers-unowned": 0, "swarming": 2}
    assert [d.score for d in s.dimensions] == [22.22, 33.33] and s.score == 25.93
    assert s.level == "forming" and s.first_failed == "verifying"
    assert s.first_failed_reasons == ["overall score 25.93 is below 50", "gate failed: " + s.readiness[1].gates[0].text + " (score 22.22)"]
    assert s.findings == ["done-demonstrated", "dod-checked", "blockers-unowned"]


def test_worked_example_session_2(a):
    s = agrees(a, obs(D(2026, 3, 16), S2))
    ver, flow = s.dimensions
    assert ver.score == 55.56 and flow.coverage == 0.5 and flow.status == "insufficient-evidence" and flow.score is None
    assert s.coverage == 0.8 and s.score == 55.56
    assert [(r.id, r.passed, r.reached) for r in s.readiness] == [("forming", True, True), ("verifying", True, True), ("self-verifying", False, False)]
    assert s.level == "verifying" and s.first_failed == "self-verifying"
    assert len(s.first_failed_reasons) == 2 and "level 1" in s.first_failed_reasons[1]


def test_worked_example_session_3_two_observers_consensus_not_applicable(a):
    s = agrees(a, obs(D(2026, 3, 30), S3, observers=AB, stype="review"))
    by = {i.id: i for i in s.items}
    assert (by["done-demonstrated"].score, by["done-demonstrated"].level) == (0.5, 1.5)
    assert by["dod-checked"].consensus and by["dod-checked"].level == 3
    assert by["blockers-unowned"].not_applicable and not by["blockers-unowned"].observed and s.not_applicable == ["blockers-unowned"]
    assert (by["swarming"].score, by["swarming"].level) == (0.83, 2.5)
    assert [r.level for r in by["swarming"].responses] == [3, 2]  # 3 of 5 is exactly 0.6: level 3
    ver, flow = s.dimensions
    assert (ver.score, ver.coverage, flow.score, flow.coverage, flow.applicable_weight) == (66.67, 1.0, 83.33, 1.0, 1.0)
    assert (s.coverage, s.score, s.level) == (1.0, 72.22, "verifying")
    # agreement from the observers' own values: the consensus is not a third observer
    assert s.agreement.units == 2 and s.agreement.check_units == 1 and s.agreement.observers == 2


def test_worked_example_ledger_trend_and_rating(a):
    sessions = [obs(D(2026, 3, 2), S1), obs(D(2026, 3, 16), S2), obs(D(2026, 3, 30), S3, observers=AB, stype="review")]
    r = report(a, sessions, D(2026, 3, 30))
    ledger = {(e.item, e.status): (e.point_days, [(iv.gap, iv.days) for iv in e.intervals]) for e in r.execution_debt.ledger}
    assert ledger == {
        ("done-demonstrated", "open"): (56, [(1, 14), (1, 14), (0.5, 0)]),
        ("dod-checked", "closed"): (28, [(2, 14)]),
        ("blockers-unowned", "closed"): (28, [(2, 14)]),
    }
    debt = r.execution_debt
    assert (debt.open, debt.open_findings, debt.open_critical, debt.paid_down, debt.rating) == (56, 1, 1, 56, "B")
    assert [(d.slope, d.direction) for d in r.dimensions] == [(22.22, "improving"), (25, "improving")]
    assert r.alerts == []
    # 3 May: 56 + 34 × (2 × 0.5) = 90, exactly B's bound; 4 May: 91, C
    assert (report(a, sessions, D(2026, 5, 3)).execution_debt.open, report(a, sessions, D(2026, 5, 3)).execution_debt.rating) == (90, "B")
    assert (report(a, sessions, D(2026, 5, 4)).execution_debt.open, report(a, sessions, D(2026, 5, 4)).execution_debt.rating) == (91, "C")


def test_worked_example_files_score_like_the_page(a):
    from podkit.observations import load_observations

    # sessions 1 and 2 are in observations/, session 3 (two observers, consensus) in observations-consensus/
    records = load_observations([KITS / "scoring" / "observations", KITS / "scoring" / "observations-consensus"], [a], today=D(2026, 4, 1)).records
    (r,), _ = score_records(records, [a], as_of=D(2026, 3, 30), version="test")
    assert [s.score for s in r.sessions] == [25.93, 55.56, 72.22]
    assert (r.execution_debt.open, r.execution_debt.rating) == (56, "B")


# --------------------------------------------------------------------------- items


@pytest.mark.parametrize("value, level", [(5, 0), (3.5, 0), (3, 1), (2, 1), (1, 2), (0.5, 2), (0, 3)])
def test_count_lower_is_better_thresholds_are_inclusive(a, value, level):
    assert threshold_level(a.item("blockers-unowned"), value) == level


@pytest.mark.parametrize("value, level", [(0.0, 0), (0.19, 0), (0.2, 1), (F(1, 5), 1), (0.4, 2), (F(2, 5), 2), (0.59, 2), (0.6, 3), (F(3, 5), 3), (1.0, 3)])
def test_codes_thresholds_are_exact(a, value, level):
    assert threshold_level(a.item("swarming"), value) == level


def test_lower_is_better_share_exactly_on_the_threshold(a):
    # 3/5 is six tenths exactly: it meets "at most 0.6" (a float comparison with 0.6 would not)
    item = a.item("swarming").model_copy(update={"better": "lower", "thresholds": {1: 0.6}})
    assert threshold_level(item, F(3, 5)) == 1 and F(3, 5) > F(0.6)


def _variant(a, item_id, **update):
    items = [it.model_copy(update=update) if it.id == item_id else it for it in a.items]
    return a.model_copy(update={"items": items})


def test_ratio_item_and_zero_denominator(a):
    ratio = _variant(a, "blockers-unowned", denominator="blocked items", thresholds={1: 0.5, 2: 0.25, 3: 0.0}, not_applicable="Nothing was blocked.")
    s = agrees(ratio, obs(D(2026, 3, 2), one(**{"blockers-unowned": {"count": 1, "out_of": 4}})))
    assert s.items[2].value == 0.25 and s.items[2].level == 2
    s = agrees(ratio, obs(D(2026, 3, 2), one(**{"blockers-unowned": {"count": 0, "out_of": 0}, "swarming": {"intervals": [["SW"]]}})))
    assert s.items[2].not_applicable and s.dimensions[1].applicable_weight == 1 and s.dimensions[1].coverage == 1


def test_rate_per_hour_uses_the_session_length(a):
    rate = _variant(a, "blockers-unowned", per="hour", thresholds={1: 6, 2: 4, 3: 2})
    # 3 in 30 minutes is 6 per hour (level 1); 3 in 90 minutes is 2 per hour (level 3)
    assert agrees(rate, obs(D(2026, 3, 2), one(**{"blockers-unowned": {"count": 3}}), duration=30)).items[2].level == 1
    assert agrees(rate, obs(D(2026, 3, 2), one(**{"blockers-unowned": {"count": 3}}), duration=90)).items[2].level == 3


def test_codes_denominator_codes(a):
    verify = _variant(a, "swarming", denominator_codes=["RS"], score_codes=["SW"])
    s = agrees(verify, obs(D(2026, 3, 2), one(swarming={"intervals": [["RS", "SW"], ["RS"], ["SW"], []]})))
    assert s.items[3].value == 0.5  # 1 of the 2 intervals holding RS
    s = agrees(verify, obs(D(2026, 3, 2), one(swarming={"intervals": [["SW"], ["NX"]]})))
    assert s.items[3].not_applicable


# --------------------------------------------------------------------------- observers


def test_a_second_observer_changes_precision_not_the_expected_score(a):
    """Two observers who each record a level with equal chance score, on average, like one."""
    single = [score_session(a, obs(D(2026, 3, 2), one(**{"done-demonstrated": {"level": n}}))).items[0].score for n in range(4)]
    pairs = [score_session(a, obs(D(2026, 3, 2), {"done-demonstrated": {"obs-a": {"level": x}, "obs-b": {"level": y}}}, observers=AB)).items[0].score
             for x, y in itertools.product(range(4), repeat=2)]
    assert F(str(sum(single))) / 4 == F(str(sum(pairs))) / 16


@pytest.mark.parametrize("votes, share", [([True], 1), ([False], 0), ([True, False], 0.5), ([True, True, False], 0.67), ([True, False, True, False], 0.5)])
def test_checks_score_the_share_that_passed(a, votes, share):
    ids = [f"obs-{c}" for c in "abcd"][: len(votes)]
    s = score_session(a, obs(D(2026, 3, 2), {"dod-checked": {o: {"check": v} for o, v in zip(ids, votes)}}, observers=ids))
    assert s.items[1].score == share


def test_consensus_overrides_and_not_observed_consensus_is_ignored(a):
    two = {"done-demonstrated": {"obs-a": {"level": 0}, "obs-b": {"level": 3}, "consensus": {"level": 2}}}
    assert agrees(a, obs(D(2026, 3, 2), two, observers=AB)).items[0].level == 2
    two["done-demonstrated"]["consensus"] = NO
    assert agrees(a, obs(D(2026, 3, 2), two, observers=AB)).items[0].level == 1.5


def test_not_applicable_only_when_nobody_scored_it(a):
    mixed = {"blockers-unowned": {"obs-a": NA, "obs-b": {"count": 0}}}
    s = agrees(a, obs(D(2026, 3, 2), mixed, observers=AB))
    assert s.items[2].observed and s.items[2].level == 3
    s = agrees(a, obs(D(2026, 3, 2), {"blockers-unowned": {"obs-a": NA, "obs-b": NO}}, observers=AB))
    assert s.items[2].not_applicable


def test_not_observed_counts_against_coverage_not_applicable_does_not(a):
    base = {"done-demonstrated": {"level": 3}, "dod-checked": {"check": True}, "swarming": {"intervals": [["SW"]]}}
    na = score_session(a, obs(D(2026, 3, 2), one(**base, **{"blockers-unowned": NA})))
    no = score_session(a, obs(D(2026, 3, 2), one(**base, **{"blockers-unowned": NO})))
    assert (na.dimensions[1].coverage, na.dimensions[1].status) == (1.0, "scored")
    assert (no.dimensions[1].coverage, no.dimensions[1].status) == (0.5, "insufficient-evidence")
    assert (na.coverage, no.coverage) == (1.0, 0.8)


@pytest.mark.parametrize("seed", range(40))
def test_random_sessions_agree_with_the_page(a, seed):
    rng = random.Random(seed)
    observers = ["obs-a", "obs-b", "obs-c"][: rng.randint(1, 3)]
    pick = {
        "done-demonstrated": lambda: {"level": rng.randint(0, 3)},
        "dod-checked": lambda: {"check": rng.random() < 0.5},
        "blockers-unowned": lambda: {"count": rng.randint(0, 5)},
        "swarming": lambda: {"intervals": [rng.choice([["SW"], ["RS"], ["NX"], []]) for _ in range(rng.randint(1, 5))]},
    }
    responses = {}
    for it in a.items:
        by = {}
        for o in observers:
            roll = rng.random()
            if roll < 0.15:
                by[o] = NO
            elif roll < 0.25 and it.not_applicable:
                by[o] = NA
            elif roll < 0.9:
                by[o] = pick[it.id]()
        if rng.random() < 0.2 and len(observers) > 1:
            by["consensus"] = pick[it.id]()
        if by:
            responses[it.id] = by
    agrees(a, obs(D(2026, 3, 2), responses, observers=observers))


# --------------------------------------------------------------------------- readiness


def test_readiness_is_cumulative(a):
    # the top level's score and gate hold, the middle level's gate (Verification ≥ 50) fails:
    # the pod is at the first level only, and the report says which level failed and why
    low = a.model_copy(update={"readiness": [a.readiness[0], a.readiness[1].model_copy(update={"min_score": 0.0}), a.readiness[2].model_copy(update={"min_score": 0.0})]})
    s = score_session(low, obs(D(2026, 3, 2), one(**{"done-demonstrated": {"level": 2}, "dod-checked": {"check": False}, "blockers-unowned": {"count": 0}, "swarming": {"intervals": [["SW"]]}})))
    assert s.dimensions[0].score == 44.44
    assert [(r.passed, r.reached) for r in s.readiness] == [(True, True), (False, False), (True, False)]
    assert s.level == "forming" and s.first_failed == "verifying"
    assert s.first_failed_reasons == ["gate failed: " + s.readiness[1].gates[0].text + " (score 44.44)"]


def test_a_gate_on_a_not_applicable_item_does_not_block(a):
    from podkit.model import ReadinessLevel

    level = ReadinessLevel.model_validate({"id": "verifying", "title": "Verifying", "description": "x", "min_score": 0, "gates": [{"item": "blockers-unowned", "min_level": 2}]})
    gated = a.model_copy(update={"readiness": [a.readiness[0], level]})
    s = score_session(gated, obs(D(2026, 3, 2), one(**{"done-demonstrated": {"level": 2}, "dod-checked": {"check": True}, "blockers-unowned": NA, "swarming": {"intervals": [["SW"]]}})))
    (g,) = s.readiness[1].gates
    assert (g.status, g.held, g.found) == ("not-applicable", False, "gate not applicable this session")
    assert s.readiness[1].reached and s.readiness[1].gates_not_applicable == 1 and s.level == "verifying"
    s = score_session(gated, obs(D(2026, 3, 2), one(**{"done-demonstrated": {"level": 2}, "dod-checked": {"check": True}, "blockers-unowned": NO, "swarming": {"intervals": [["SW"]]}})))
    assert s.readiness[1].gates[0].status == "failed" and s.level == "forming"


# --------------------------------------------------------------------------- exact boundaries on the shipped kit


def _answer_for(item, level, top):
    """A response giving ``level`` for ``item``, or None when no such response exists."""
    if isinstance(item, AnchoredItem):
        return {"level": level}
    if isinstance(item, CheckItem):
        return {"check": (item.pass_when == "yes") == (level == top)} if level in (0, top) else None
    if isinstance(item, CountItem) and item.denominator is None and item.per == "session":
        for v in sorted({0, *item.thresholds.values(), *(t + 1 for t in item.thresholds.values()), *(t + 0.5 for t in item.thresholds.values())}):
            if threshold_level(item, v) == level:
                return {"count": v}
    if isinstance(item, CountItem) and item.denominator is not None:  # a ratio: count out of out_of
        for out_of in range(1, 11):
            for count in range(out_of + 1):
                if threshold_level(item, F(count, out_of)) == level:
                    return {"count": count, "out_of": out_of}
    if isinstance(item, CountItem) and item.per == "hour":  # a rate over obs()'s 15 minutes
        for count in range(0, 200):
            if threshold_level(item, F(count * 60, 15)) == level:
                return {"count": count}
    return None


def _boundary_cases(a: Assessment, limit=4000, seed=1):
    """Sessions of one observer whose exact overall score or dimension score is exactly a threshold."""
    top = a.max_level
    rng = random.Random(seed)
    options = {it.id: [(lv, ans) for lv in range(top + 1) if (ans := _answer_for(it, lv, top)) is not None] for it in a.items}
    for _ in range(limit):
        responses = {}
        for it in a.items:
            if options[it.id] and rng.random() < 0.9:
                responses[it.id] = {"obs-a": rng.choice(options[it.id])[1]}
            else:
                responses[it.id] = {"obs-a": NO}
        yield obs(D(2026, 3, 2), responses, assessment=a.id, version=a.version)


def test_exact_thresholds_on_the_shipped_assessments(shipped):
    """Overall scores and dimension gates exactly on a threshold meet it, in every shipped assessment."""
    hits = {"overall": 0, "gate": 0}
    for a in shipped.values():
        minimums = {F(str(r.min_score)) for r in a.readiness}
        gates = {(g.dimension, F(str(g.min_score))) for r in a.readiness for g in r.gates if hasattr(g, "dimension")}
        for o in _boundary_cases(a, limit=500):
            _, dims, overall, reached = page_session(a, o)
            on_score = overall in minimums
            on_gate = [(d, m) for d, m in gates if dims[d] == m]
            if not (on_score or on_gate):
                continue
            s = score_session(a, o)
            assert s.level == reached
            if on_score:
                hits["overall"] += 1
                assert all(r.score_met for r in s.readiness if F(str(r.min_score)) == overall)
            for d, m in on_gate:
                hits["gate"] += 1
                for spec, res in zip(a.readiness, s.readiness):
                    for g, got in zip(spec.gates, res.gates):
                        if getattr(g, "dimension", None) == d and F(str(g.min_score)) == m:
                            assert got.status == "held", (a.id, d, m)
    assert hits["overall"] and hits["gate"], hits


def test_human_ai_collaboration_dimension_of_exactly_75_is_integrated(shipped):
    """The reported failure: ownership-and-visibility at exactly 75 must meet "at least 75"."""
    a = shipped["human-ai-collaboration"]
    top = a.max_level
    dim = next(g.dimension for g in a.readiness[-1].gates if hasattr(g, "dimension"))
    gated = {g.item: g.min_level for r in a.readiness for g in r.gates if hasattr(g, "item")}
    members = a.items_in(dim)
    found = 0
    # Since version 2.0.0 the dimension's weights (2, 1, 1, 1, 1, 1) reach exactly 75 only with an
    # item not applicable (it leaves the denominators), so "NA" is one of the choices.
    for combo in itertools.product(*[[None, *range(top + 1), *(["NA"] if it.not_applicable else [])] for it in members]):
        resp = {}
        for it, lv in zip(members, combo):
            if lv == "NA":
                resp[it.id] = {"obs-a": {"not_applicable": True, "reason": "did not arise"}}
                continue
            ans = None if lv is None else _answer_for(it, lv, top)
            if (lv is None and it.id in gated) or (lv is not None and (ans is None or lv < gated.get(it.id, 0))):
                break  # a gated item must be seen at its gate's level
            resp[it.id] = {"obs-a": ans or NO}
        else:
            for it in a.items:
                if it.id not in resp:
                    resp[it.id] = {"obs-a": _answer_for(it, top, top) or NO}
            o = obs(D(2026, 3, 2), resp, assessment=a.id, version=a.version)
            _, dims, overall, reached = page_session(a, o)
            if dims[dim] == 75:
                found += 1
                s = score_session(a, o)
                assert s.level == reached == a.readiness[-1].id, (combo, s.first_failed_reasons)
    assert found


def test_coverage_exactly_at_the_minimum_is_enough(shipped):
    for a in shipped.values():
        for d in a.dimensions:
            members = a.items_in(d.id)
            total = sum(F(str(it.weight)) for it in members)
            for k in range(1, len(members) + 1):
                for subset in itertools.combinations(members, k):
                    if sum(F(str(it.weight)) for it in subset) / total != F(3, 5):
                        continue
                    resp = {it.id: {"obs-a": _answer_for(it, 0, a.max_level) or {"level": 0}} for it in subset if _answer_for(it, 0, a.max_level)}
                    if len(resp) != len(subset):
                        continue
                    s = score_session(a, obs(D(2026, 3, 2), resp, assessment=a.id, version=a.version))
                    res = next(x for x in s.dimensions if x.id == d.id)
                    assert (res.coverage, res.status) == (0.6, "scored")
                    return
    raise AssertionError("no dimension of the shipped kit can be covered at exactly 0.6")


def test_slope_of_exactly_minus_one_is_declining():
    points = [(1, F(200, 3)), (2, F(197, 3)), (3, F(194, 3))]
    assert slope(points) == -1 and direction(slope(points)) == "declining"
    assert direction(F(-99, 100)) == "steady" and direction(F(1)) == "improving"


def test_rounding_is_half_to_even_in_one_place():
    assert (rounded(F(72225, 1000)), rounded(F(72235, 1000)), rounded(F(2, 3)), rounded(74.99999999999999)) == (72.22, 72.24, 0.67, 75.0)
    assert exact(0.6) == F(3, 5) and exact(2) == 2


def test_rounding_exactly_half_way_goes_to_the_even_hundredth():
    for k in range(-400, 401):  # (10k + 5) / 1000 lies exactly between k/100 and (k + 1)/100
        even = k if k % 2 == 0 else k + 1
        assert rounded(F(10 * k + 5, 1000)) == even / 100, k
    assert (rounded(0.125), rounded(0.135), rounded(2.675), rounded(F(1, 200))) == (0.12, 0.14, 2.68, 0.0)


def test_rounding_negative_values():
    assert (rounded(F(-72225, 1000)), rounded(F(-72235, 1000)), rounded(F(-2, 3)), rounded(-0.125)) == (-72.22, -72.24, -0.67, -0.12)
    assert (rounded(-1), rounded(-0.0049), rounded(F(-1, 200)), rounded(-7.5)) == (-1.0, 0.0, 0.0, -7.5)
    assert rounded(None) is None and rounded(True) == 1.0 and type(rounded(3)) is float


def test_rounding_agrees_with_fractions_own_round():
    rng = random.Random(20261202)
    values = [F(rng.randint(-10**7, 10**7), rng.choice([1, 2, 3, 7, 8, 40, 200, 400, 1000, 2000, 3 * 10**5, rng.randint(1, 10**9)])) for _ in range(20000)]
    values += [rng.randint(-10**6, 10**6) for _ in range(2000)] + [round(rng.uniform(-1000, 1000), rng.randint(0, 6)) for _ in range(5000)]
    for x in values:
        assert rounded(x) == float(round(exact(x), scoring.DECIMALS)), x


def test_weighted_mean_over_a_common_denominator_is_the_plain_fraction_sum():
    rng = random.Random(7)
    for _ in range(2000):
        pairs = [(rng.randint(1, 60), F(rng.randint(0, 40), rng.choice([1, 3, 4, 6, 8, 9, 12]))) for _ in range(rng.randint(1, 6))]
        total = sum(w for w, _ in pairs)
        assert scoring._weighted_mean(pairs, total) == sum(w * s for w, s in pairs) / total


def test_variance_from_running_sums_is_the_exact_sample_variance():
    import statistics

    rng = random.Random(11)
    for n in range(0, 30):
        values = [F(rng.randint(0, 10000), rng.choice([1, 3, 7, 9, 40])) for _ in range(n)]
        want = statistics.variance(values) if n >= 2 else None
        assert scoring._variance(n, sum(values, F(0)), sum((v * v for v in values), F(0))) == want


def test_prepared_weights_are_exact_integers_over_one_denominator(a):
    p = scoring.prepare(a)
    assert {it.id: F(p.weights[it.id], p.denominator) for it in a.items} == {it.id: exact(it.weight) for it in a.items}
    assert [[m.id for m in ms] for ms in p.members] == [[m.id for m in a.items_in(d.id)] for d in a.dimensions]


# --------------------------------------------------------------------------- over time


def _series(a, flow_scores):
    """Sessions whose Flow dimension scores the given multiples of 100/6 (blockers + swarming)."""
    out = []
    for i, n in enumerate(flow_scores):
        b, s = min(n, 3), n - min(n, 3)
        counts = {3: 0, 2: 1, 1: 3, 0: 4}
        share = {0: [["RS"]] * 5, 1: [["SW"]] + [["RS"]] * 4, 2: [["SW"]] * 2 + [["RS"]] * 3, 3: [["SW"]] * 3 + [["RS"]] * 2}
        out.append(obs(D(2026, 1, 5) + dt.timedelta(days=14 * i), one(**{"blockers-unowned": {"count": counts[b]}, "swarming": {"intervals": share[s]}, "done-demonstrated": {"level": 3}})))
    return out


def test_alerts_say_what_they_compare(a):
    # Flow: 6/6, 5/6, 5/6 → 100, 83.33, 83.33, then 4/6 = 66.67: 16.67 below the previous session
    r = report(a, _series(a, [6, 5, 5, 4]), D(2026, 3, 1))
    flow = [al for al in r.alerts if al.dimension == "flow"]
    assert [(al.session, al.comparison, al.reference, al.score, al.drop) for al in flow] == [
        (2, "against the previous session", 100.0, 83.33, 16.67),
        (4, "against the previous session", 83.33, 66.67, 16.67),
        (4, "against the rolling baseline of 3 sessions", 88.89, 66.67, 22.22),
    ]
    assert all(al.mdc is None and "cannot be computed" in al.error_note for al in flow)  # one observer: no alpha


def test_alert_of_exactly_the_drop_and_the_baseline():
    from podkit.scoring import Exact, degradation_alerts
    from podkit.results import SessionScore

    a = load_kit(Project.find(KITS / "scoring")).assessment("worked-example")
    scores = [F(70), F(72), F(68), F(60)]  # baseline 70: a drop of exactly 10
    sessions = [SessionScore.model_construct(index=i, date=D(2026, 1, i)) for i in range(1, 5)]
    exacts = [Exact(None, [s, None], [], []) for s in scores]
    (al,) = degradation_alerts(a, sessions, exacts)
    assert (al.compared_with, al.drop, al.current) == ("baseline", 10.0, True)


def test_mdc_from_the_pooled_alpha(a):
    from podkit.scoring import _mdc

    # SD² = 100, α = 0.75: MDC95² = 1.96² × 2 × 100 × 0.25 = 192.08, MDC = 13.86
    mdc, beyond, note = _mdc(F(14), F(100), 0.75)
    assert (mdc, beyond) == (13.86, True) and "at or above" in note
    assert _mdc(F(13), F(100), 0.75)[1] is False
    assert _mdc(F(13), F(100), None)[0] is None and _mdc(F(13), F(100), -0.1)[1] is None and _mdc(F(13), None, 0.9)[1] is None


def test_trend_and_a_current_alert_explain_each_other(a):
    # Flow rises 0 → 6/6 over five sessions, then drops: the slope still says improving
    r = report(a, _series(a, [0, 2, 4, 6, 6, 4]), D(2026, 4, 1))
    flow = r.dimensions[1]
    assert flow.direction == "improving" and any(al.current for al in r.alerts if al.dimension == "flow")
    assert "yet the latest session dropped" in flow.note


def test_sessions_on_the_same_date_follow_input_order(a):
    from podkit.observations import Record, Source

    review = obs(D(2026, 3, 2), S2, stype="review")
    standup = obs(D(2026, 3, 2), S1, stype="stand-up")
    recs = [Record(review, Source(None, "a.yaml", "1" * 64)), Record(standup, Source(None, "b.yaml", "2" * 64))]
    (r,), _ = score_records(recs, [a], as_of=D(2026, 3, 2), version="test")
    assert [s.session_type for s in r.sessions] == ["review", "stand-up"]
    (r,), _ = score_records(recs[::-1], [a], as_of=D(2026, 3, 2), version="test")
    assert [s.session_type for s in r.sessions] == ["stand-up", "review"]


# --------------------------------------------------------------------------- Execution Debt


def test_point_days_accrue_interval_by_interval(a):
    sessions = [
        obs(D(2026, 1, 1), one(**{"done-demonstrated": {"level": 0}})),   # gap 2
        obs(D(2026, 1, 11), one(**{"done-demonstrated": NO})),            # changes nothing
        obs(D(2026, 1, 15), one(**{"done-demonstrated": {"level": 1}})),  # gap 1 from here
    ]
    (e,) = report(a, sessions, D(2026, 1, 22)).execution_debt.ledger
    # 2 × 2 × 14 + 2 × 1 × 7 = 70; the old rule (current gap × all days) gave 2 × 1 × 21 = 42
    assert (e.point_days, e.gap, e.days, [(iv.gap, iv.days) for iv in e.intervals]) == (70, 1, 21, [(2, 14), (1, 7)])


def test_a_finding_that_returns_opens_again(a):
    sessions = [obs(D(2026, 1, 1), one(**{"dod-checked": {"check": False}})), obs(D(2026, 1, 8), one(**{"dod-checked": {"check": True}})), obs(D(2026, 1, 15), one(**{"dod-checked": {"check": False}}))]
    debt = report(a, sessions, D(2026, 1, 20)).execution_debt
    assert sorted((e.opened, e.closed, e.point_days) for e in debt.ledger) == [(D(2026, 1, 1), D(2026, 1, 8), 14), (D(2026, 1, 15), None, 10)]
    assert (debt.open, debt.paid_down, debt.open_findings, debt.closed_findings) == (10, 14, 1, 1)


def test_interest_is_off_by_default_and_counts_late_days(a):
    sessions = [obs(D(2026, 1, 1), one(**{"dod-checked": {"check": False}}))]
    assert report(a, sessions, D(2026, 1, 31)).execution_debt.open == 60
    cfg = a.scoring.model_copy(update={"interest_after_days": 20, "interest_factor": 1.5})
    (e,) = report(a.model_copy(update={"scoring": cfg}), sessions, D(2026, 1, 31)).execution_debt.ledger
    # 20 days at 2, then 10 days at 2 × 1.5
    assert (e.point_days, e.intervals[0].interest_days) == (2 * 20 + 3 * 10, 10)


@pytest.mark.parametrize("pd, n, crit, rating", [(0, 0, 0, "A"), (30, 2, 0, "A"), (30, 2, 1, "B"), (31, 0, 0, "B"), (90, 4, 1, "B"), (0, 5, 2, "C"), (180, 6, 2, "C"), (0, 7, 0, "D"), (360, 9, 5, "D"), (361, 0, 0, "E")])
def test_debt_grid_bounds_are_inclusive(a, pd, n, crit, rating):
    assert debt_rating(a, pd, n, crit) == rating


def test_a_new_pod_with_five_open_findings_two_critical_is_not_A(a):
    crit = [it.model_copy(update={"critical": True}) if it.id in ("done-demonstrated", "dod-checked") else it for it in a.items]
    fresh = a.model_copy(update={"items": crit})
    debt = report(fresh, [obs(D(2026, 3, 2), S1)], D(2026, 3, 2)).execution_debt
    assert (debt.open, debt.open_findings, debt.open_critical) == (0, 3, 2) and debt.rating == "C"
    assert debt_rating(a, 0, 5, 2) not in ("A", "B")


def test_closed_debt_is_history_and_carries_no_grade(a):
    fixed = one(**{"done-demonstrated": {"level": 3}, "dod-checked": {"check": True}, "blockers-unowned": {"count": 0}, "swarming": {"intervals": [["SW"]]}})
    debt = report(a, [obs(D(2026, 1, 1), S1), obs(D(2026, 6, 1), fixed)], D(2026, 12, 1)).execution_debt
    assert debt.open == 0 and debt.paid_down > 360 and debt.rating == "A"


def test_recommendations_cover_open_findings_then_weakest(a):
    r = report(a, [obs(D(2026, 3, 2), S1), obs(D(2026, 3, 16), S2)], D(2026, 3, 30))
    assert r.recommendations[0].item == "done-demonstrated"
    assert any("open finding since 2026-03-02" in why for why in r.recommendations[0].reasons)


def test_sessions_after_as_of_are_left_out_with_a_warning(a):
    from podkit.observations import Record, Source

    recs = [Record(o, Source(None, f"s{i}.yaml", "0" * 64)) for i, o in enumerate([obs(D(2026, 3, 2), S1), obs(D(2026, 3, 16), S2)])]
    (r,), pf = score_records(recs, [a], as_of=D(2026, 3, 10), version="test")
    assert [s.date for s in r.sessions] == [D(2026, 3, 2)] and pf is None
    assert any("after the report date 2026-03-10" in w.message for w in r.warnings)


def test_records_of_one_session_from_two_files_are_merged(a):
    from podkit.observations import Record, Source

    o1 = obs(D(2026, 3, 4), {"done-demonstrated": {"obs-a": {"level": 1}}}, observers=("obs-a",))
    o2 = obs(D(2026, 3, 4), {"done-demonstrated": {"obs-b": {"level": 3}}}, observers=("obs-b",))
    recs = [Record(o1, Source(None, "a.yaml", "1" * 64), {("done-demonstrated", "obs-a"): 9}), Record(o2, Source(None, "b.yaml", "2" * 64))]
    (r,), _ = score_records(recs, [a], as_of=D(2026, 3, 4), version="test")
    (s,) = r.sessions
    assert s.observers == ["obs-a", "obs-b"] and s.items[0].level == 2 and s.items[0].spread == 2 and s.items[0].disagreement
    assert [x.source for x in s.items[0].responses] == ["a.yaml:9", "b.yaml"]


def test_scoring_is_pure(a, monkeypatch):
    """No file access and no clock: the same inputs give the same report."""
    import builtins

    sessions = [obs(D(2026, 3, 2), S1), obs(D(2026, 3, 16), S2)]
    first = report(a, sessions, D(2026, 3, 30))
    monkeypatch.setattr(builtins, "open", lambda *a, **k: (_ for _ in ()).throw(AssertionError("scoring opened a file")))
    assert report(a, sessions, D(2026, 3, 30)) == first


def test_alert_compares_the_drop_with_the_mdc_from_the_pooled_alpha(a):
    import math

    import krippendorff
    import numpy as np

    sessions = _series(a, [6, 5, 5, 4])
    pairs = [(3, 3), (2, 3), (3, 1), (1, 1)]  # done-demonstrated by two observers: the agreement data
    two = []
    for o, (x, y) in zip(sessions, pairs):
        responses = {k: dict(v) for k, v in o.responses.items()}
        responses["done-demonstrated"] = {"obs-a": {"level": x}, "obs-b": {"level": y}}
        two.append(obs(o.date, {k: {ob: r if isinstance(r, dict) else r.model_dump(exclude_defaults=True) for ob, r in v.items()} for k, v in responses.items()}, observers=AB))
    r = report(a, two, D(2026, 3, 1))
    alpha = krippendorff.alpha(reliability_data=np.array([[x for x, _ in pairs], [y for _, y in pairs]], dtype=float), level_of_measurement="ordinal")
    assert r.agreement.krippendorff_alpha == pytest.approx(alpha)
    (al,) = [al for al in r.alerts if al.dimension == "flow" and al.session == 4 and al.compared_with == "previous-session"]
    earlier = [100, 250 / 3, 250 / 3]
    m = sum(earlier) / 3
    sd = math.sqrt(sum((v - m) ** 2 for v in earlier) / 2)
    mdc = 1.96 * math.sqrt(2) * sd * math.sqrt(1 - alpha)
    assert al.mdc == pytest.approx(mdc, abs=0.005)
    assert al.beyond_error == (al.drop >= mdc) and ("at or above" if al.beyond_error else "below") in al.error_note


def test_a_second_observer_adds_spread_not_a_downward_bias(a):
    """One observer records level 2 every time; later a second joins and records 3, 1, 3. The
    combined level moves around 2 in both directions (the old less-favourable-middle rule kept
    the lower value of each pair, 2 and 3 → 2 but 2 and 1 → 1, so disagreement could only pull the
    level down)."""
    fixed = {"dod-checked": {"check": True}, "blockers-unowned": {"count": 1}, "swarming": {"intervals": [["SW"], ["SW"], ["RS"], ["RS"], ["RS"]]}}
    sessions = [obs(D(2026, 1, 5), one(**{"done-demonstrated": {"level": 2}}, **fixed))]
    for i, other in enumerate([2, 2, 2]):
        resp = {k: {"obs-a": v} for k, v in fixed.items()} | {"done-demonstrated": {"obs-a": {"level": other}, "obs-b": {"level": 1 if i % 2 else 3}}}
        sessions.append(obs(D(2026, 1, 19) + dt.timedelta(days=14 * i), resp, observers=AB))
    r = report(a, sessions, D(2026, 3, 1))
    levels = [s.items[0].level for s in r.sessions]
    assert levels == [2, 2.5, 1.5, 2.5]
    one_only = report(a, [sessions[0]] + [obs(o.date, one(**{"done-demonstrated": {"level": 2}}, **fixed)) for o in sessions[1:]], D(2026, 3, 1))
    assert [s.score for s in one_only.sessions] == [r.sessions[0].score] * 4
    # the 1.5 session opens a finding for 14 days at gap 0.5 (2 × 0.5 × 14 = 14), closed by the next
    assert [(e.item, e.point_days, e.status) for e in r.execution_debt.ledger] == [("done-demonstrated", 14, "closed")]


def test_csv_with_consensus_and_not_applicable_scores_like_yaml(a, tmp_path):
    from podkit.observations import load_observations

    rows = [
        "assessment,assessment_version,pod,date,session_type,duration_minutes,observer,item,level,check,count,intervals,not_observed,not_applicable,reason,evidence",
        "worked-example,1.0.0,pod-demo,2026-03-30,review,15,obs-a,done-demonstrated,1,,,,,,,",
        "worked-example,1.0.0,pod-demo,2026-03-30,review,15,obs-b,done-demonstrated,2,,,,,,,",
        "worked-example,1.0.0,pod-demo,2026-03-30,review,15,obs-a,dod-checked,,yes,,,,,,",
        "worked-example,1.0.0,pod-demo,2026-03-30,review,15,obs-b,dod-checked,,no,,,,,,",
        "worked-example,1.0.0,pod-demo,2026-03-30,review,15,consensus,dod-checked,,yes,,,,,,agreed",
        "worked-example,1.0.0,pod-demo,2026-03-30,review,15,obs-a,blockers-unowned,,,,,,yes,No item was blocked.,",
        "worked-example,1.0.0,pod-demo,2026-03-30,review,15,obs-b,blockers-unowned,,,,,,yes,No item was blocked.,",
        "worked-example,1.0.0,pod-demo,2026-03-30,review,15,obs-a,swarming,,,,SW|NX|RS|SW|RS,,,,",
        "worked-example,1.0.0,pod-demo,2026-03-30,review,15,obs-b,swarming,,,,SW|RS|RS|SW|RS,,,,",
    ]
    (tmp_path / "s3.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (rec,) = load_observations([tmp_path / "s3.csv"], [a], today=D(2026, 4, 1)).records
    s = agrees(a, rec.observation)
    assert (s.score, s.level, s.not_applicable) == (72.22, "verifying", ["blockers-unowned"])


def test_shipped_ladders_are_cumulative(shipped):
    """The reported failure: a top level reached while an entry level's gate failed. For every item
    gate of every shipped assessment, a session at the top level everywhere except that item stops
    at the level below the first one gated on it."""
    checked = 0
    for a in shipped.values():
        top = a.max_level
        gated = []
        for k, r in enumerate(a.readiness):
            for g in r.gates:
                if hasattr(g, "item") and g.item not in [x for x, _ in gated]:
                    gated.append((g.item, k))
        for item_id, first in gated:
            responses = {}
            for it in a.items:
                ans = _answer_for(it, 0 if it.id == item_id else top, top)
                responses[it.id] = {"obs-a": ans or NO}
            if responses[item_id]["obs-a"] == NO:
                continue
            s = score_session(a, obs(D(2026, 3, 2), responses, assessment=a.id, version=a.version))
            _, _, _, reached = page_session(a, obs(D(2026, 3, 2), responses, assessment=a.id, version=a.version))
            assert s.level == reached
            assert s.first_failed == a.readiness[first].id, (a.id, item_id)
            assert s.level == (a.readiness[first - 1].id if first else None)
            assert not any(r.reached for r in s.readiness[first:])
            checked += 1
    assert checked >= len(shipped)


# --------------------------------------------------------------------------- rule 16: observed and felt


def test_the_pods_felt_rating_sits_beside_the_score_and_never_in_it(a):
    answers = one(**{"done-demonstrated": {"level": 2}, "dod-checked": {"check": True}, "blockers-unowned": {"count": 0}, "swarming": {"intervals": [["SW"], ["RS"]]}})
    plain = obs(D(2026, 3, 2), answers)
    felt = obs(D(2026, 3, 2), answers).model_copy(update={"felt": {"verification": 3, "flow": 1}})
    inputs = inputs_digest([])
    without = score_pod(a, "pod-x", [(plain, {}, ["s1"])], as_of=D(2026, 3, 9), version="t", inputs=inputs)
    with_felt = score_pod(a, "pod-x", [(felt, {}, ["s1"])], as_of=D(2026, 3, 9), version="t", inputs=inputs)
    # never in a score, a level, the debt or an alert
    assert with_felt.overall == without.overall
    assert with_felt.execution_debt == without.execution_debt and with_felt.alerts == without.alerts
    dims = {d.id: d for d in with_felt.dimensions}
    assert [d.score for d in with_felt.dimensions] == [d.score for d in without.dimensions]
    # beside it: 100 x level / top level, and felt minus observed
    top = a.max_level
    assert dims["verification"].felt == round(100 * 3 / top, 2)
    assert dims["verification"].felt_gap == round(dims["verification"].felt - dims["verification"].score, 2)
    assert dims["flow"].felt == round(100 * 1 / top, 2)
    assert all(d.felt is None and d.felt_gap is None for d in without.dimensions)


@pytest.fixture(scope="module")
def kit():
    return load_kit(Project.find(KITS / "scoring"))


def test_felt_ratings_are_checked_against_the_kit(kit, tmp_path):
    from podkit.errors import SourceErrors
    from podkit.observations import load_observations

    src = (KITS / "scoring" / "observations" / "s1.yaml").read_text(encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(src + "felt:\n  verification: 7\n  nonsense: 1\n", encoding="utf-8")
    with pytest.raises(SourceErrors) as err:
        load_observations([tmp_path / "bad.yaml"], kit.assessments, today=D(2026, 6, 1))
    text = "\n".join(p.format() for p in err.value.problems)
    assert "felt.verification: level 7 is outside the scale" in text
    assert "felt.nonsense: unknown dimension 'nonsense'" in text


def test_two_files_of_one_session_must_agree_on_the_felt_rating(kit, tmp_path):
    from podkit.errors import SourceErrors
    from podkit.observations import load_observations

    src = (KITS / "scoring" / "observations" / "s1.yaml").read_text(encoding="utf-8")
    first = src + "felt:\n  verification: 2\n"
    second = src.replace("obs-a", "obs-b") + "felt:\n  verification: 3\n"
    (tmp_path / "a.yaml").write_text(first, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(second, encoding="utf-8")
    with pytest.raises(SourceErrors) as err:
        load_observations([tmp_path], kit.assessments, today=D(2026, 6, 1))
    assert any("the pod gives one rating" in p.message for p in err.value.problems)
