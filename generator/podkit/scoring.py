"""Scoring: validated observations → session scores, agreement, trend, alerts and Execution Debt.

Pure functions: nothing here reads or writes files or talks to the terminal, and nothing is kept
between calls. The results are the models of :mod:`podkit.results`; agreement is computed in
:mod:`podkit.agreement`, the Execution Debt ledger (rules 13–14) in :mod:`podkit.debt`, the
portfolio in :mod:`podkit.portfolio`.

The rules, word for word the list on the site's "Scoring explained" page (a test keeps them equal):

1. Item value. anchored: the level recorded. check: 1 when passed, else 0. count: the number recorded; for a ratio item (`denominator`) the count divided by `out_of`; for a rate (`per: hour`) the count divided by the session's length in hours. codes: the share of denominator intervals in which at least one scoring code was ticked; the denominator intervals are the recorded intervals holding one of `denominator_codes`, or every recorded interval when the item declares none.
2. Item level of one observer. anchored: the level recorded; check: the top level when passed, else 0; count and codes: the highest level whose threshold the value meets (at or above when higher is better, at or below when lower is better), else 0. The observer's item score is level divided by the top level.
3. Not applicable. A response marked `not_applicable` (with its reason), a ratio item with `out_of: 0` and a codes item with no denominator interval are not applicable. An item is not applicable in a session when its consensus is, or when no observer scored it and at least one observer found it not applicable. A not-applicable item leaves both the score and the coverage denominator; a not-observed item stays in the coverage denominator.
4. Several observers. When the item has a `consensus` response with an answer or not applicable, that is the session's value. Otherwise the item score is the mean of the scores of the observers who scored it (for a check: the share of observers who recorded a pass). The combined level is the item score times the top level, and may be a fraction (1.5). Agreement is computed from the observers' own values only, never the consensus.
5. Dimension score = 100 × Σ(weight × item score) ÷ Σ(weight) over the items scored. Coverage = weight of items scored ÷ weight of items applicable. A dimension with coverage below `min_coverage`, or with nothing scored, is insufficient evidence and has no score.
6. Overall score = Σ(dimension weight × dimension score) ÷ Σ(dimension weight) over scored dimensions. Overall coverage = weight of items scored ÷ weight of items applicable, over the whole assessment. Below `min_coverage`, or with no scored dimension, the session is insufficient evidence: no overall score and no readiness level.
7. Gates. An item gate holds when the combined level is at or above its level, fails when the item was not observed or is below it, and is not applicable when the item is not applicable in the session. A dimension gate holds when the dimension is scored at or above its score and fails otherwise.
8. Readiness is cumulative. A level passes when the overall score is at or above its minimum and none of its gates fails; a gate that is not applicable does not block it, and the report says how many were not applicable. Level k is reached only when every level from the first to k passes; the report names the first level that did not pass and why.
9. Exact boundaries. Every value is computed as an exact fraction: decimals are read as written (0.6 is six tenths), and a value exactly on a threshold meets it, for thresholds, gates, coverage, readiness, the trend slope, alerts and the debt grid. Numbers are rounded only for output, in one place: half to even, to two decimals.
10. Order of sessions: by date; sessions on the same date by the position of their first record in the inputs (files in the order of their names), then by session type.
11. Trend: change = latest dimension score − the previous scored one; direction from the least-squares slope of the scores against session number: improving when the slope is at or above +1 point per session, declining at or below −1, otherwise steady.
12. Alerts: a dimension's score that is `degradation_drop` or more below its score in the previous scored session ("against the previous session"), or below the mean of its previous `baseline_sessions` scores once that many exist ("against the rolling baseline of N sessions"). Each alert gives both numbers. When the pod has a pooled ordinal alpha and the dimension at least two scores before the alerted session, MDC95 = 1.96 × √2 × SEM with SEM = SD × √(1 − α), SD the sample standard deviation of those earlier scores; the alert says whether the drop is at or above it. Without alpha, or with alpha below 0, it says the MDC cannot be computed. When an alert is current and the direction is not declining, the trend says why both are true.
13. Execution Debt: a finding opens at the first session where the item is scored below target and closes at the first later session where it is scored at or above it; sessions where it is not observed or not applicable change nothing. Point-days accrue interval by interval: from one scored session of the finding to the next (or to `as_of` while open), weight × the gap scored at the start of the interval × the days of the interval. With `interest_after_days` set, days beyond that age of the finding count `interest_factor` times (off by default).
14. Debt rating: open debt = the point-days of findings still open. The rating is the first `debt_grid` letter whose bounds all hold: open point-days at most `max_point_days`, open findings at most `max_open_findings`, open critical findings at most `max_open_critical` (a bound left out always holds). Closed findings are history, "paid down", with no grade.
15. Portfolio: pods in name order, never ranked. A pod needs attention for open critical findings (saying how many have no agreed action in flight), overdue agreed actions, current alerts, insufficient evidence, or no observation within `cadence_days` of the report date. A mean across pods is shown only when at least `roll_up_min_pods` pods (3 or more) have a score.
16. Observed and felt: a session may carry `felt`, the pod's own rating of each dimension on the scale, agreed by the pod in a two-minute check at the end (one rating for the pod, never one per person). The report shows it beside the dimension's score as 100 × level ÷ top level, with felt minus observed, for the latest session only; it never enters a score, a gate, an alert or the debt.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple, Sequence

from . import wording
from .actions import recommendation_id
from .agreement import agreement
from .debt import debt_ledger, debt_rating, execution_debt, intervention_refs  # noqa: F401 (debt_rating: part of this module's interface)
from .exactmath import DECIMALS, exact, rounded, shown  # noqa: F401 (DECIMALS: part of this module's interface)
from .model import CONSENSUS, AnchoredItem, Assessment, CheckItem, CodesItem, CountItem, ItemGate, Observation
from .results import (
    INSUFFICIENT, REDACTED, REPORT_FORMAT, SCORED, Agreement, Alert, AssessmentRef, DimensionSummary, Finding,
    InterventionRef, Inputs, LedgerEntry, Overall, Recommendation, Report, ReportWarning, ScaleRef, SessionScore, Settings,
    TrendPoint,
)
from .text import plain

#: Slope (points per session) at or beyond which a dimension's direction is improving / declining.
TREND_SLOPE = Fraction(1)
#: How many of the weakest items of the latest session get a recommendation.
WEAKEST_ITEMS = 3
#: z for a two-sided 95% interval, as used in MDC95 = 1.96 × √2 × SEM (rule 12).
Z95 = Fraction(196, 100)


# --------------------------------------------------------------------------- items

#: 0, 1, 2, … as fractions, made once: most values of anchored and check items are one of them.
_WHOLE = tuple(Fraction(n) for n in range(11))


def thresholds(item: CountItem | CodesItem) -> tuple[tuple[int, Fraction], ...]:
    """An item's thresholds exactly, highest level first (levels above 0 only: 0 is where every value lands)."""
    return tuple(sorted(((lv, exact(b)) for lv, b in item.thresholds.items() if lv > 0), reverse=True))


def threshold_level(item: CountItem | CodesItem, value, bounds: tuple[tuple[int, Fraction], ...] | None = None) -> int:
    """The highest level whose threshold ``value`` meets (exactly, boundary included); else 0.
    ``bounds``: the item's :func:`thresholds`, when the caller has them already."""
    v = exact(value)
    higher = item.better == "higher"
    for lv, b in thresholds(item) if bounds is None else bounds:
        if v >= b if higher else v <= b:
            return lv
    return 0


class Answer(NamedTuple):
    """One response read against its item: ``state`` is scored, not-observed or not-applicable."""

    state: str
    level: int | None = None
    value: Fraction | None = None
    text: str = ""


def read_answer(item, r, top: int, minutes: int, bounds: tuple | None = None) -> Answer:
    """Rules 1–3 for one response (an observer's or the consensus); ``bounds`` as for :func:`threshold_level`."""
    if r.not_observed:
        return Answer("not-observed", text=wording.NOT_OBSERVED)
    if r.not_applicable:
        return Answer("not-applicable", text=f"not applicable: {r.reason}")
    kind = type(item)
    if kind is AnchoredItem:
        return Answer("scored", r.level, _WHOLE[r.level] if 0 <= r.level < len(_WHOLE) else Fraction(r.level), wording.level_answer(r.level))
    if kind is CheckItem:
        passed = r.check == (item.pass_when == "yes")
        return Answer("scored", top if passed else 0, _WHOLE[passed], wording.check_answer(r.check))
    if isinstance(item, CountItem):
        count = exact(r.count)
        text = wording.count_answer(r.count, item.unit)
        if item.denominator is not None:
            out_of = exact(r.out_of)
            if out_of == 0:
                return Answer("not-applicable", text=f"not applicable: out of 0 {item.denominator}")
            value = count / out_of
            text += f" out of {r.out_of:g} {item.denominator}"
        elif item.per == "hour":
            value = count * 60 / minutes
            text += f" in {minutes} minutes ({shown(value)} per hour)"
        else:
            value = count
        return Answer("scored", threshold_level(item, value, bounds), value, text)
    assert isinstance(item, CodesItem)
    wanted = set(item.denominator_codes or ())
    base = [iv for iv in r.intervals if not wanted or wanted.intersection(iv)]
    if not base:
        return Answer("not-applicable", text="not applicable: no interval held " + ", ".join(sorted(wanted)))
    hits = sum(1 for iv in base if set(item.score_codes).intersection(iv))
    share = Fraction(hits, len(base))
    return Answer("scored", threshold_level(item, share, bounds), share, wording.intervals_answer(hits, len(base), float(share)))


def combine(answers: Sequence[Answer], consensus: Answer | None, top: int) -> tuple[str, Fraction | None, Fraction | None, bool]:
    """Rule 4: ``(state, item score, value, from consensus)`` of the observers' answers."""
    if consensus is not None and consensus.state != "not-observed":
        if consensus.state == "not-applicable":
            return "not-applicable", None, None, True
        return "scored", Fraction(consensus.level, top), consensus.value, True
    scored = [x for x in answers if x.state == "scored"]
    if len(scored) == 1:  # one observer: the mean of one value is that value
        return "scored", Fraction(scored[0].level, top), scored[0].value, False
    if scored:
        n = len(scored)
        return "scored", Fraction(sum(x.level for x in scored), top * n), sum(x.value for x in scored) / n, False
    if any(x.state == "not-applicable" for x in answers):
        return "not-applicable", None, None, False
    return "not-observed", None, None, False


# --------------------------------------------------------------------------- one session


@dataclass
class Exact:
    """The exact numbers of one scored session, kept beside its rounded :class:`SessionScore`."""

    score: Fraction | None
    dims: list[Fraction | None]
    #: per item: the combined level, ``None`` when not scored
    levels: list[Fraction | None]
    #: per item: the observers' own ``{observer: value}`` (the agreement units)
    units: list[dict[str, float]]


@dataclass(frozen=True)
class Prepared:
    """What every session of one assessment shares, worked out once by :func:`prepare`: item weights
    × ``denominator`` by item id (integers, so weights add up as integers), each dimension's items
    in order, the plain text of each title as written, and ``min_coverage`` exactly."""

    denominator: int
    weights: dict[str, int]
    members: list[list]
    titles: dict[str, str]
    min_coverage: Fraction
    #: each dimension's weight exactly, in order
    dimension_weights: list[Fraction]
    #: per readiness level: its minimum score exactly, and each gate with its words and its bound exactly
    levels: list[tuple[Fraction, list[tuple[object, str, Fraction]]]]
    #: each item's interventions as reports name them
    interventions: dict[str, list[InterventionRef]]
    #: the :func:`thresholds` of each count and codes item
    thresholds: dict[str, tuple]


def prepare(a: Assessment) -> Prepared:
    ws = {it.id: exact(it.weight) for it in a.items}
    den = math.lcm(*(w.denominator for w in ws.values()))
    titles = [*(x.title for x in a.items), *(d.title for d in a.dimensions), *(r.title for r in a.readiness)]
    levels = [(exact(r.min_score), [(g, wording.gate_text(g, a), exact(g.min_level if isinstance(g, ItemGate) else g.min_score)) for g in r.gates]) for r in a.readiness]
    return Prepared(den, {k: w.numerator * (den // w.denominator) for k, w in ws.items()}, [a.items_in(d.id) for d in a.dimensions],
                    {t: plain(t) for t in titles}, exact(a.scoring.min_coverage), [exact(d.weight) for d in a.dimensions], levels,
                    {it.id: intervention_refs(it) for it in a.items}, {it.id: thresholds(it) for it in a.items if isinstance(it, (CountItem, CodesItem))})


def _weighted_mean(pairs: list[tuple[int, Fraction]], total: int) -> Fraction:
    """Σ(w × s) ÷ ``total`` exactly, for integer weights ``w``: one common denominator, one Fraction."""
    den = math.lcm(*(s.denominator for _, s in pairs))
    return Fraction(sum(w * s.numerator * (den // s.denominator) for w, s in pairs), den * total)


def score_session(a: Assessment, obs: Observation, *, index: int = 1, where: dict | None = None, sources: Sequence[str] = (), redact: bool = False) -> SessionScore:
    """Score one session (all observers) against its assessment."""
    return session_scores(a, obs, index=index, where=where, sources=sources, redact=redact)[0]


def session_scores(a: Assessment, obs: Observation, *, index: int = 1, where: dict | None = None, sources: Sequence[str] = (), redact: bool = False,
                   prepared: Prepared | None = None) -> tuple[SessionScore, Exact]:
    """:func:`score_session` and its exact numbers (for the trend, alerts and the ledger)."""
    where = where or {}
    p = prepared or prepare(a)
    top = a.max_level
    minutes = obs.session.duration_minutes
    items: list[dict] = []
    ex_levels: list[Fraction | None] = []
    ex_scores: dict[str, Fraction] = {}
    units: list[dict[str, float]] = []
    level_units: list[dict[str, float]] = []
    check_units: list[dict[str, float]] = []
    for it in a.items:
        recorded = obs.responses.get(it.id) or {}
        is_check = isinstance(it, CheckItem)
        rows, answers, unit = [], [], {}
        consensus = None
        for observer in [*obs.observers, CONSENSUS]:
            r = recorded.get(observer)
            if r is None:
                continue
            ans = read_answer(it, r, top, minutes, p.thresholds.get(it.id))
            if observer == CONSENSUS:
                consensus = ans
            else:
                answers.append(ans)
                if ans.state == "scored":
                    unit[observer] = float(ans.value) if is_check else float(ans.level)
            evidence = REDACTED if redact and r.evidence else r.evidence
            rows.append({
                "observer": observer, "not_observed": ans.state == "not-observed", "not_applicable": ans.state == "not-applicable",
                "reason": r.reason, "answer": ans.text, "level": ans.level, "value": rounded(ans.value), "intervals": r.intervals,
                "evidence": evidence, "source": where.get((it.id, observer)),
            })
        units.append(unit)
        (check_units if is_check else level_units).append(unit)
        state, score, value, by_consensus = combine(answers, consensus, top)
        level = score * top if score is not None else None
        ex_levels.append(level)
        if score is not None:
            ex_scores[it.id] = score
        levels = [x.level for x in answers if x.state == "scored"]
        spread = max(levels) - min(levels) if len(levels) >= 2 else None
        items.append({
            "id": it.id, "title": p.titles[it.title], "dimension": it.dimension, "kind": it.kind, "weight": it.weight,
            "target": it.target, "critical": it.critical, "observed": state == "scored", "not_applicable": state == "not-applicable",
            "consensus": by_consensus, "observers": len(levels), "level": rounded(level), "score": rounded(score), "value": rounded(value),
            "below_target": level is not None and level < it.target, "spread": spread,
            "disagreement": spread is not None and spread >= a.scoring.disagreement_spread, "responses": rows,
        })

    by_id = {i["id"]: i for i in items}
    min_cov, w, den = p.min_coverage, p.weights, p.denominator
    dims, ex_dims = [], []
    seen_all = applicable_all = 0  # weights × den, as integers
    for d, members in zip(a.dimensions, p.members):
        total = sum(w[m.id] for m in members)
        applicable = sum(w[m.id] for m in members if not by_id[m.id]["not_applicable"])
        seen = [m for m in members if m.id in ex_scores]
        seen_w = sum(w[m.id] for m in seen)
        seen_all += seen_w
        applicable_all += applicable
        coverage = Fraction(seen_w, applicable) if applicable else Fraction(0)
        ok = bool(seen) and coverage >= min_cov
        score = 100 * _weighted_mean([(w[m.id], ex_scores[m.id]) for m in seen], seen_w) if ok else None
        ex_dims.append(score)
        dims.append({
            "id": d.id, "title": p.titles[d.title], "weight": d.weight, "score": rounded(score), "coverage": rounded(coverage),
            "status": SCORED if ok else INSUFFICIENT, "observed_weight": rounded(Fraction(seen_w, den)),
            "applicable_weight": rounded(Fraction(applicable, den)), "total_weight": rounded(Fraction(total, den)), "items": [m.id for m in members],
            "felt": rounded(Fraction(100 * obs.felt[d.id], top)) if d.id in obs.felt else None,
        })

    coverage = Fraction(seen_all, applicable_all) if applicable_all else Fraction(0)
    scored = [(w, s) for w, s in zip(p.dimension_weights, ex_dims) if s is not None]
    overall = None
    if coverage >= min_cov and scored:
        overall = sum(w * s for w, s in scored) / sum(w for w, _ in scored)

    checks = readiness(a, overall, dict(zip((d.id for d in a.dimensions), ex_dims)), dict(zip((it.id for it in a.items), ex_levels)), by_id, p)
    reached = [c for c in checks if c["reached"]]
    failed = next((c for c in checks if not c["passed"]), None)
    session = SessionScore.model_validate({
        "index": index, "date": obs.date, "session_type": obs.session.type, "duration_minutes": minutes,
        "observers": list(obs.observers), "sources": sorted(set(sources)),
        "notes": REDACTED if redact and obs.notes else obs.notes,
        "status": SCORED if overall is not None else INSUFFICIENT, "score": rounded(overall),
        "level": reached[-1]["id"] if reached else None, "level_title": reached[-1]["title"] if reached else None,
        "first_failed": failed["id"] if failed else None, "first_failed_title": failed["title"] if failed else None,
        "first_failed_reasons": failed["reasons"] if failed else [],
        "coverage": rounded(coverage), "dimensions": dims, "items": items, "readiness": checks,
        "findings": [i["id"] for i in items if i["below_target"]],
        "not_applicable": [i["id"] for i in items if i["not_applicable"]],
        "disagreements": [i["id"] for i in items if i["disagreement"]],
        "agreement": agreement(level_units, check_units),
    })
    return session, Exact(overall, ex_dims, ex_levels, units)


def readiness(a: Assessment, overall, dim_scores: dict, item_levels: dict, items: dict, prepared: Prepared | None = None) -> list[dict]:
    """Rules 7–8: each level's gates, whether it passes, and whether it is reached (cumulatively)."""
    p = prepared or prepare(a)
    out: list[dict] = []
    chain = True
    for r, (minimum, r_gates) in zip(a.readiness, p.levels):
        gates, reasons = [], []
        met = overall is not None and overall >= minimum
        if overall is None:
            reasons.append("no overall score: insufficient evidence")
        elif not met:
            reasons.append(f"overall score {shown(overall)} is below {shown(minimum)}")
        for g, text, bound in r_gates:
            if isinstance(g, ItemGate):
                res, level = items.get(g.item), item_levels.get(g.item)
                if res is not None and res["not_applicable"]:
                    status, found = "not-applicable", "gate not applicable this session"
                elif level is None:
                    status, found = "failed", "not observed"
                else:
                    status, found = ("held" if level >= bound else "failed"), f"level {shown(level)}"
                kind, target = "item", g.item
            else:
                score = dim_scores.get(g.dimension)
                if score is None:
                    status, found = "failed", "insufficient evidence"
                else:
                    status, found = ("held" if score >= bound else "failed"), f"score {shown(score)}"
                kind, target = "dimension", g.dimension
            if status == "failed":
                reasons.append(f"gate failed: {text} ({found})")
            gates.append({"kind": kind, "target": target, "text": text, "held": status == "held", "status": status, "found": found})
        passed = met and all(g["status"] != "failed" for g in gates)
        chain = chain and passed
        out.append({
            "id": r.id, "title": p.titles[r.title], "min_score": r.min_score, "score_met": met, "gates": gates, "passed": passed,
            "reached": chain, "gates_not_applicable": sum(1 for g in gates if g["status"] == "not-applicable"), "reasons": reasons,
        })
    return out


# --------------------------------------------------------------------------- over time


def slope(points: Sequence[tuple[int, Fraction]]) -> Fraction | None:
    """Exact least-squares slope of ``(x, y)`` points; ``None`` with fewer than two."""
    if len(points) < 2:
        return None
    # Σ(x − x̄)(y − ȳ) ÷ Σ(x − x̄)² = (nΣxy − ΣxΣy) ÷ (nΣx² − (Σx)²), with each y as an integer over one denominator
    n = len(points)
    ys = [exact(y) for _, y in points]
    den = math.lcm(*(y.denominator for y in ys))
    ints = [y.numerator * (den // y.denominator) for y in ys]
    sx = sum(x for x, _ in points)
    sxx = n * sum(x * x for x, _ in points) - sx * sx
    return Fraction(n * sum(x * y for (x, _), y in zip(points, ints)) - sx * sum(ints), den * sxx) if sxx else None


def direction(s: Fraction | None) -> str | None:
    if s is None:
        return None
    return "improving" if s >= TREND_SLOPE else "declining" if s <= -TREND_SLOPE else "steady"


def dimension_trends(a: Assessment, sessions: Sequence[SessionScore], exacts: Sequence[Exact], alerts: Sequence[Alert] = (), latest_obs: Observation | None = None) -> list[DimensionSummary]:
    """Rules 11 and 16 per dimension: latest score, change since the previous scored session,
    baseline, slope; the pod's own rating in the latest session beside it."""
    out = []
    n_base = a.scoring.baseline_sessions
    latest = sessions[-1]
    for k, d in enumerate(a.dimensions):
        series = [TrendPoint(session=s.index, date=s.date, score=s.dimensions[k].score) for s in sessions]
        scored = [(s.index, e.dims[k]) for s, e in zip(sessions, exacts) if e.dims[k] is not None]
        cur = exacts[-1].dims[k]
        earlier = [y for x, y in scored if x < latest.index]
        previous = earlier[-1] if earlier else None
        change = cur - previous if cur is not None and previous is not None else None
        baseline = sum(earlier[-n_base:]) / n_base if len(earlier) >= n_base else None
        sl = slope(scored)
        way = direction(sl)
        note = ""
        current = [al for al in alerts if al.current and al.dimension == d.id]
        if current and way != "declining":
            note = (f"{way or 'no direction yet'} over {len(scored)} scored sessions (slope {shown(sl) if sl is not None else '–'} points per session), "
                    f"yet the latest session dropped {shown(current[0].drop)} points {current[0].comparison}: the slope describes the whole series, the alert its last step")
        cs = latest.dimensions[k]
        felt = Fraction(100 * latest_obs.felt[d.id], a.max_level) if latest_obs is not None and d.id in latest_obs.felt else None
        out.append(DimensionSummary(
            id=d.id, title=plain(d.title), weight=d.weight, score=cs.score, coverage=cs.coverage, status=cs.status,
            previous=rounded(previous), change=rounded(change), baseline=rounded(baseline), slope=rounded(sl), direction=way,
            note=note, series=series, felt=rounded(felt), felt_gap=rounded(felt - cur) if felt is not None and cur is not None else None,
        ))
    return out


def _variance(n: int, total: Fraction, squares: Fraction) -> Fraction | None:
    """Sample variance of ``n`` values from their sum and sum of squares: Σ(v − m)² = Σv² − (Σv)²/n, exactly."""
    return (squares - total * total / n) / (n - 1) if n >= 2 else None


def _mdc(drop: Fraction, variance: Fraction | None, alpha: float | None) -> tuple[float | None, bool | None, str]:
    """Rule 12: MDC95 = 1.96 × √2 × SD × √(1 − α), compared with the drop without a square root."""
    if alpha is None:
        return None, None, "the minimal detectable change cannot be computed: agreement needs two observers on shared items"
    if alpha < 0:
        return None, None, "the minimal detectable change cannot be computed: observers agree less than chance (alpha below 0)"
    if variance is None:
        return None, None, "the minimal detectable change cannot be computed: the dimension needs two earlier scores"
    mdc_sq = Z95 ** 2 * 2 * variance * (1 - Fraction(alpha))
    beyond = drop * drop >= mdc_sq
    mdc = rounded(Fraction(float(mdc_sq) ** 0.5))
    if beyond:
        return mdc, True, f"the drop of {shown(drop)} is at or above the minimal detectable change of {mdc:g}: more than measurement error alone would produce"
    return mdc, False, f"the drop of {shown(drop)} is below the minimal detectable change of {mdc:g}: it may be measurement error"


def degradation_alerts(a: Assessment, sessions: Sequence[SessionScore], exacts: Sequence[Exact], alpha: float | None = None) -> list[Alert]:
    """Rule 12: drops of ``degradation_drop`` or more against the previous session or the baseline."""
    drop_limit = exact(a.scoring.degradation_drop)
    n_base = a.scoring.baseline_sessions
    alerts: list[Alert] = []
    last = sessions[-1].index if sessions else None
    for k, d in enumerate(a.dimensions):
        history: list[Fraction] = []
        total = squares = Fraction(0)  # of history, for its variance
        for s, e in zip(sessions, exacts):
            score = e.dims[k]
            if score is None:
                continue
            refs = []
            if history:
                refs.append(("previous-session", "against the previous session", history[-1]))
            if len(history) >= n_base:
                refs.append(("baseline", f"against the rolling baseline of {n_base} session{'s' if n_base != 1 else ''}", sum(history[-n_base:]) / n_base))
            for kind, comparison, ref in refs:
                drop = ref - score
                if drop >= drop_limit:
                    mdc, beyond, note = _mdc(drop, _variance(len(history), total, squares), alpha)
                    alerts.append(Alert(
                        session=s.index, date=s.date, dimension=d.id, title=plain(d.title), compared_with=kind, comparison=comparison,
                        reference=rounded(ref), score=rounded(score), drop=rounded(drop), current=s.index == last,
                        mdc=mdc, beyond_error=beyond, error_note=note,
                    ))
            history.append(score)
            total, squares = total + score, squares + score * score
    order = [x.id for x in a.dimensions]
    alerts.sort(key=lambda al: (al.session, order.index(al.dimension), al.compared_with != "previous-session"))
    return alerts


def recommendations(a: Assessment, latest: SessionScore, ledger: list[LedgerEntry], interventions: dict | None = None) -> list[Recommendation]:
    """Interventions for the open findings (largest debt first), then for the weakest items
    (``interventions``: each item's :func:`~podkit.debt.intervention_refs`, when already made)."""
    reasons: dict[str, list[str]] = {}
    order: list[str] = []
    for e in ledger:
        if e.status == "open":
            reasons.setdefault(e.item, []).append(f"open finding since {e.opened.isoformat()}: level {e.level:g} of target {e.target}, {e.point_days:g} point-days")
            if e.item not in order:
                order.append(e.item)
    position = {it.id: i for i, it in enumerate(a.items)}
    weak = sorted((i for i in latest.items if i.observed and i.score < 1), key=lambda i: (i.score, -i.weight, position[i.id]))
    for i in weak[:WEAKEST_ITEMS]:
        reasons.setdefault(i.id, []).append(f"among the weakest items of the latest session (level {i.level:g} of {a.max_level})")
        if i.id not in order:
            order.append(i.id)
    refs = {x: interventions[x] if interventions is not None else intervention_refs(a.item(x)) for x in order}
    return [Recommendation(item=x, title=plain(a.item(x).title), reasons=reasons[x], interventions=refs[x], ids=[recommendation_id(x, i.id) for i in refs[x]]) for x in order]


def pooled_agreement(a: Assessment, exacts: Sequence[Exact]) -> Agreement:
    """Alpha over every item two or more observers scored in any session (consensus never counts)."""
    level_units, check_units = [], []
    for e in exacts:
        for it, unit in zip(a.items, e.units):
            (check_units if isinstance(it, CheckItem) else level_units).append(unit)
    return agreement(level_units, check_units)


def _findings(a: Assessment, latest: SessionScore, levels: list, ledger: list[LedgerEntry], interventions: dict | None = None) -> list[Finding]:
    opened = {e.item: e.opened for e in ledger if e.status == "open"}
    return [
        Finding(
            item=res.id, title=res.title, dimension=res.dimension, level=res.level, target=res.target,
            gap=rounded(res.target - level), weight=res.weight, critical=res.critical, session=latest.index,
            opened=opened.get(res.id, latest.date), interventions=interventions[res.id] if interventions is not None else intervention_refs(a.item(res.id)),
        )
        for res, level in zip(latest.items, levels) if res.below_target
    ]


def score_pod(a: Assessment, pod: str, sessions_in: Sequence[tuple[Observation, dict, Sequence[str]]], *, as_of: _dt.date, version: str,
              inputs: Inputs, warnings: Sequence[ReportWarning] = (), redact: bool = False) -> Report:
    """The readiness report of one pod for one assessment, from its sessions up to ``as_of``.

    ``sessions_in`` holds ``(observation, where, source names)`` per session, in input order
    (rule 10: the sort by date below is stable, so same-date sessions keep that order), where
    ``where`` maps ``(item, observer)`` to the ``file:line`` of the response.
    """
    ordered = sorted(sessions_in, key=lambda t: t[0].date)
    if not ordered:
        raise ValueError("score_pod needs at least one session")
    prepared = prepare(a)
    pairs = [session_scores(a, obs, index=i, where=where, sources=srcs, redact=redact, prepared=prepared) for i, (obs, where, srcs) in enumerate(ordered, 1)]
    sessions = [s for s, _ in pairs]
    exacts = [e for _, e in pairs]
    latest = sessions[-1]
    ledger, exact_pd = debt_ledger(a, sessions, [e.levels for e in exacts], as_of, prepared.interventions)
    pooled = pooled_agreement(a, exacts)
    alerts = degradation_alerts(a, sessions, exacts, pooled.krippendorff_alpha)
    overall = Overall(
        score=latest.score, level=latest.level, level_title=latest.level_title, first_failed=latest.first_failed,
        first_failed_title=latest.first_failed_title, first_failed_reasons=latest.first_failed_reasons, status=latest.status,
        coverage=latest.coverage, session=latest.index, date=latest.date,
        series=[TrendPoint(session=s.index, date=s.date, score=s.score) for s in sessions],
    )
    cfg = a.scoring
    return Report(
        format=REPORT_FORMAT, podkit_version=version, pod=pod, as_of=as_of, redacted=redact,
        assessment=AssessmentRef(id=a.id, version=a.version, title=plain(a.title)),
        settings=Settings(
            min_coverage=cfg.min_coverage, degradation_drop=cfg.degradation_drop, baseline_sessions=cfg.baseline_sessions,
            disagreement_spread=cfg.disagreement_spread, cadence_days=cfg.cadence_days, roll_up_min_pods=cfg.roll_up_min_pods,
            max_level=a.max_level, scale=[ScaleRef(level=x.level, label=plain(x.label)) for x in sorted(a.scale, key=lambda x: x.level)],
        ),
        overall=overall,
        dimensions=dimension_trends(a, sessions, exacts, alerts, latest_obs=ordered[-1][0]),
        readiness=latest.readiness,
        findings=_findings(a, latest, exacts[-1].levels, ledger, prepared.interventions),
        execution_debt=execution_debt(a, ledger, exact_pd),
        alerts=alerts,
        recommendations=recommendations(a, latest, ledger, prepared.interventions),
        agreement=pooled, sessions=sessions, warnings=list(warnings), inputs=inputs,
    )
