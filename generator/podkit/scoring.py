"""Scoring: validated observations → session scores, agreement, trend, alerts and Execution Debt.

Pure functions: nothing here reads or writes files or talks to the terminal. The result types are
pydantic models; :class:`Report` and :class:`Portfolio` are the JSON reports (their JSON Schemas
are published with ``podkit schema report|portfolio``).

The formulas, also on the site's "Scoring explained" page:

* item level: anchored = the level recorded; check = the top level when passed, else 0; count =
  the highest level whose threshold the number reaches (``>=`` when higher is better, ``<=`` when
  lower is better), else 0; codes = the same, applied to the proportion of recorded intervals in
  which at least one scoring code was ticked. Item score = level / top level (0–1).
* several observers: checks by majority (a tie does not pass); every other kind by the median of
  the observers' values (levels, counts, proportions); with an even number of observers, the less
  favourable of the two middle values — the lower level, and for counts and proportions the one
  on the worse side given ``better``. The combined value is always one an observer recorded.
* dimension score = 100 × Σ(weight × item score) / Σ(weight) over observed items; dimension
  coverage = observed item weight / all item weight of the dimension; a dimension below
  ``min_coverage`` (or with nothing observed) is *insufficient evidence* and has no score.
* overall score = Σ(dimension weight × score) / Σ(dimension weight) over scored dimensions;
  overall coverage = observed item weight / all item weight; below ``min_coverage`` the session
  is *insufficient evidence*: no overall score and no readiness level.
* readiness = the highest level whose ``min_score`` is met and whose gates all hold (an item gate
  needs the item observed at or above ``min_level``; a dimension gate needs the dimension scored at
  or above ``min_score``).
* agreement: Krippendorff's alpha (``krippendorff`` package), ordinal over the levels of
  anchored, count and codes items, nominal over checks (pass / fail). A unit is one item in one
  session recorded by two or more observers. Undefined (no number) when no unit has two
  observers, or when every value in those units is the same. Read as ≥ .800 reliable,
  ≥ .667 tentative, below: recalibrate. An item is flagged when its observers' levels spread by
  ``disagreement_spread`` or more.
* trend: change = latest dimension score − the previous scored one; direction from the
  least-squares slope of the dimension's scores against session number (≥ +1 point per session
  improving, ≤ −1 declining, otherwise steady). Degradation alert when a dimension's score is
  ``degradation_drop`` or more below the previous session's score for it, or below the mean of
  the previous ``baseline_sessions`` scores for it (only once that many exist).
* Execution Debt: a finding opens at the first session where an item is observed below target
  and closes at the first later session where it is observed at or above target (sessions where
  it is not observed change nothing; an item that falls below target again opens a new finding).
  point-days = item weight × gap × days, where gap = target − the item's level at the latest
  session in which it was observed while the finding was open, and days = from the opening
  session to the closing session, or to ``as_of`` while open. Total = the sum over open and
  closed findings; rating = the first ``debt_grid`` letter whose ``max_point_days`` the total
  does not exceed (the last letter has no bound). A portfolio ranks pods by open debt (the
  point-days of findings still open), then by the total.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Optional, Sequence

from pydantic import BaseModel, ConfigDict

from .model import (
    AnchoredItem,
    Assessment,
    CheckItem,
    CodesItem,
    CountItem,
    ItemGate,
    Observation,
)
from .text import plain

#: ``plain`` of titles that recur in every report (item, dimension, intervention titles).
_plain = lru_cache(maxsize=4096)(plain)

SCORED = "scored"
INSUFFICIENT = "insufficient-evidence"
Status = Literal["scored", "insufficient-evidence"]
Reading = Literal["reliable", "tentative", "recalibrate"]

#: Slope (points per session) beyond which a dimension's direction is "improving"/"declining".
TREND_SLOPE = 1.0
#: How many of the weakest items of the latest session get a recommendation.
WEAKEST_ITEMS = 3
REDACTED = "[redacted]"
REPORT_FORMAT = "podkit-report/1"
PORTFOLIO_FORMAT = "podkit-portfolio/1"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- result types


class ObserverAnswer(_Out):
    """What one observer recorded for one item (the evidence behind the item's value)."""

    observer: str
    not_observed: bool
    answer: str
    level: Optional[int]
    value: Optional[float]
    intervals: Optional[list[list[str]]] = None
    evidence: str
    source: Optional[str]


class ItemScore(_Out):
    id: str
    title: str
    dimension: str
    kind: Literal["anchored", "check", "count", "codes"]
    weight: float
    target: int
    critical: bool
    observed: bool
    observers: int
    level: Optional[int]
    score: Optional[float]
    value: Optional[float]
    below_target: bool
    spread: Optional[int]
    disagreement: bool
    responses: list[ObserverAnswer]


class DimensionScore(_Out):
    id: str
    title: str
    weight: float
    score: Optional[float]
    coverage: float
    status: Status
    observed_weight: float
    total_weight: float
    items: list[str]


class GateCheck(_Out):
    kind: Literal["item", "dimension"]
    target: str
    text: str
    held: bool


class ReadinessCheck(_Out):
    id: str
    title: str
    min_score: float
    score_met: bool
    gates: list[GateCheck]
    reached: bool


class Agreement(_Out):
    krippendorff_alpha: Optional[float]
    reading: Optional[Reading]
    note: str
    units: int
    checks_alpha: Optional[float]
    checks_reading: Optional[Reading]
    checks_note: str
    check_units: int
    observers: int


class SessionScore(_Out):
    index: int
    date: _dt.date
    session_type: str
    duration_minutes: int
    observers: list[str]
    sources: list[str]
    notes: str
    status: Status
    score: Optional[float]
    level: Optional[str]
    level_title: Optional[str]
    coverage: float
    dimensions: list[DimensionScore]
    items: list[ItemScore]
    readiness: list[ReadinessCheck]
    findings: list[str]
    disagreements: list[str]
    agreement: Agreement


class TrendPoint(_Out):
    session: int
    date: _dt.date
    score: Optional[float]


class DimensionSummary(_Out):
    id: str
    title: str
    weight: float
    score: Optional[float]
    coverage: float
    status: Status
    previous: Optional[float]
    change: Optional[float]
    baseline: Optional[float]
    slope: Optional[float]
    direction: Optional[Literal["improving", "steady", "declining"]]
    series: list[TrendPoint]


class Overall(_Out):
    score: Optional[float]
    level: Optional[str]
    level_title: Optional[str]
    status: Status
    coverage: float
    session: int
    date: _dt.date
    series: list[TrendPoint]


class Alert(_Out):
    session: int
    date: _dt.date
    dimension: str
    title: str
    compared_with: Literal["previous-session", "baseline"]
    reference: float
    score: float
    drop: float
    current: bool


class InterventionRef(_Out):
    title: str
    action: str
    effort: str


class Finding(_Out):
    item: str
    title: str
    dimension: str
    level: int
    target: int
    gap: int
    weight: float
    critical: bool
    session: int
    opened: _dt.date
    interventions: list[InterventionRef]


class LedgerEntry(_Out):
    item: str
    title: str
    dimension: str
    weight: float
    target: int
    status: Literal["open", "closed"]
    opened: _dt.date
    opened_session: int
    closed: Optional[_dt.date]
    closed_session: Optional[int]
    level: int
    gap: int
    last_session: int
    days: int
    point_days: float
    interventions: list[InterventionRef]


class DebtGradeRef(_Out):
    rating: str
    max_point_days: Optional[float]


class ExecutionDebt(_Out):
    total: float
    rating: str
    open_findings: int
    closed_findings: int
    grid: list[DebtGradeRef]
    ledger: list[LedgerEntry]


class Recommendation(_Out):
    item: str
    title: str
    reasons: list[str]
    interventions: list[InterventionRef]


class ReportWarning(_Out):
    source: Optional[str]
    line: Optional[int]
    message: str


class InputFile(_Out):
    name: str
    sha256: str


class Inputs(_Out):
    sha256: str
    files: list[InputFile]


class AssessmentRef(_Out):
    id: str
    version: str
    title: str


class ScaleRef(_Out):
    level: int
    label: str


class Settings(_Out):
    """The assessment's scoring settings this report was computed with."""

    min_coverage: float
    degradation_drop: float
    baseline_sessions: int
    disagreement_spread: int
    max_level: int
    scale: list[ScaleRef]


class Report(_Out):
    """A pod readiness report: one pod, one assessment, every session up to ``as_of``."""

    format: Literal["podkit-report/1"]
    podkit_version: str
    pod: str
    assessment: AssessmentRef
    as_of: _dt.date
    redacted: bool
    settings: Settings
    overall: Overall
    dimensions: list[DimensionSummary]
    readiness: list[ReadinessCheck]
    findings: list[Finding]
    execution_debt: ExecutionDebt
    alerts: list[Alert]
    recommendations: list[Recommendation]
    agreement: Agreement
    sessions: list[SessionScore]
    warnings: list[ReportWarning]
    inputs: Inputs


class PortfolioDimension(_Out):
    id: str
    score: Optional[float]
    status: Status


class PortfolioPod(_Out):
    pod: str
    report: str
    sessions: int
    latest: _dt.date
    overall: Overall
    dimensions: list[PortfolioDimension]
    execution_debt_total: float
    #: point-days of the findings still open on ``as_of`` (part of the total, and still growing)
    execution_debt_open: float
    execution_debt_rating: str
    open_findings: int
    current_alerts: int
    krippendorff_alpha: Optional[float]


class PortfolioAssessment(_Out):
    assessment: AssessmentRef
    dimensions: list[AssessmentRef]
    pods: list[PortfolioPod]
    debt_ranking: list[str]


class Portfolio(_Out):
    """Several pods side by side: heatmap of dimension scores, trends and debt ranking."""

    format: Literal["podkit-portfolio/1"]
    podkit_version: str
    as_of: _dt.date
    redacted: bool
    pods: list[str]
    assessments: list[PortfolioAssessment]
    warnings: list[ReportWarning]
    inputs: Inputs


# --------------------------------------------------------------------------- items


def threshold_level(item: CountItem | CodesItem, value: float) -> int:
    """The highest level whose threshold ``value`` reaches; 0 when none is reached."""
    best = 0
    for lv, bound in item.thresholds.items():
        reached = value >= bound if item.better == "higher" else value <= bound
        if reached and lv > best:
            best = lv
    return best


def codes_proportion(item: CodesItem, intervals: list[list[str]]) -> float:
    """Share of recorded intervals in which at least one scoring code was ticked."""
    scoring = set(item.score_codes)
    hits = sum(1 for interval in intervals if scoring.intersection(interval))
    return hits / len(intervals)


def check_passed(item: CheckItem, answer: bool) -> bool:
    return answer == (item.pass_when == "yes")


def answer_value(item, response, top: int) -> tuple[int, float, str]:
    """``(level, value, readable answer)`` of one observer's response to one item."""
    if isinstance(item, AnchoredItem):
        return response.level, float(response.level), f"level {response.level}"
    if isinstance(item, CheckItem):
        passed = check_passed(item, response.check)
        return (top if passed else 0), (1.0 if passed else 0.0), ("yes" if response.check else "no")
    if isinstance(item, CountItem):
        return threshold_level(item, response.count), float(response.count), f"{response.count:g} {item.unit}"
    assert isinstance(item, CodesItem)
    p = codes_proportion(item, response.intervals)
    hits = round(p * len(response.intervals))
    return threshold_level(item, p), p, f"{hits} of {len(response.intervals)} intervals ({p * 100:.0f}%)"


def middle(values: list, prefer_low: bool):
    """The median; with an even count, the lower (``prefer_low``) or upper middle value."""
    s = sorted(values)
    n = len(s)
    if n % 2:
        return s[n // 2]
    return s[n // 2 - 1] if prefer_low else s[n // 2]


def combine(item, answers: list[tuple[int, float]], top: int) -> tuple[int, float] | None:
    """Combine the observers' ``(level, value)`` pairs into the item's ``(level, value)``."""
    if not answers:
        return None
    if isinstance(item, CheckItem):
        passes = sum(1 for _, v in answers if v == 1.0)
        passed = passes * 2 > len(answers)
        return (top if passed else 0), (1.0 if passed else 0.0)
    if isinstance(item, AnchoredItem):
        level = middle([lv for lv, _ in answers], prefer_low=True)
        return level, float(level)
    value = middle([v for _, v in answers], prefer_low=item.better == "higher")
    return threshold_level(item, value), value


def reading(alpha: float | None) -> Reading | None:
    if alpha is None:
        return None
    if alpha >= 0.8:
        return "reliable"
    if alpha >= 0.667:
        return "tentative"
    return "recalibrate"


def krippendorff_alpha(units: Sequence[dict[str, float]], level: Literal["ordinal", "nominal"]) -> tuple[float | None, str]:
    """Alpha over ``units`` (each: observer -> value) and a note when it is undefined."""
    pairable = [u for u in units if len(u) >= 2]
    if not pairable:
        return None, "no item was recorded by two or more observers in the same session"
    values = {v for u in pairable for v in u.values()}
    if len(values) < 2:
        return None, "every observer gave the same value on every item they shared, so agreement cannot be told apart from chance"
    coders = sorted({c for u in pairable for c in u})
    alpha = _alpha(level, tuple(tuple(u.get(c) for u in pairable) for c in coders))
    if not math.isfinite(alpha):
        return None, "the recorded values do not allow an estimate"
    return alpha, ""


@lru_cache(maxsize=4096)
def _alpha(level: str, rows: tuple[tuple[float | None, ...], ...]) -> float:
    """Krippendorff's alpha of a reliability matrix (coders × units, ``None`` where missing).

    Sessions and series often share a matrix (checks especially), hence the cache.
    """
    import krippendorff  # numpy-backed; imported only when there is something to compute
    import numpy as np

    data = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


_SOLO: list[Agreement] = []


def agreement(level_units: list[dict[str, float]], check_units: list[dict[str, float]]) -> Agreement:
    if not any(len(u) >= 2 for u in level_units) and not any(len(u) >= 2 for u in check_units):
        if not _SOLO:  # one observer throughout: the same (frozen) result every time
            _SOLO.append(_agreement(level_units, check_units))
        return _SOLO[0]
    return _agreement(level_units, check_units)


def _agreement(level_units: list[dict[str, float]], check_units: list[dict[str, float]]) -> Agreement:
    alpha, note = krippendorff_alpha(level_units, "ordinal")
    c_alpha, c_note = krippendorff_alpha(check_units, "nominal")
    observers = {o for u in level_units + check_units if len(u) >= 2 for o in u}
    return Agreement(
        krippendorff_alpha=alpha,
        reading=reading(alpha),
        note=note,
        units=sum(1 for u in level_units if len(u) >= 2),
        checks_alpha=c_alpha,
        checks_reading=reading(c_alpha),
        checks_note=c_note,
        check_units=sum(1 for u in check_units if len(u) >= 2),
        observers=len(observers),
    )


# --------------------------------------------------------------------------- one session


_INTERVENTIONS: dict[int, tuple] = {}


def _interventions(item) -> list[InterventionRef]:
    hit = _INTERVENTIONS.get(id(item))
    if hit is None or hit[0] is not item:  # the refs are frozen, so every report can share them
        hit = _INTERVENTIONS[id(item)] = (item, [InterventionRef(title=plain(i.title), action=i.action, effort=i.effort) for i in item.interventions])
    return list(hit[1])


def _gate_text(gate, a: Assessment) -> str:
    if isinstance(gate, ItemGate):
        return f"item {plain(a.item(gate.item).title)!r} at level {gate.min_level} or above"
    return f"dimension {plain(a.dimension(gate.dimension).title)!r} scores {gate.min_score:g} or more"


@dataclass(frozen=True)
class _Plan:
    """What scoring needs from an assessment, worked out once rather than once per session."""

    top: int
    items: tuple
    titles: tuple[str, ...]
    is_check: tuple[bool, ...]
    dims: tuple[tuple[str, str, float, tuple[int, ...], float], ...]  # id, title, weight, item indexes, item weight
    readiness: tuple[tuple[str, str, float, tuple], ...]  # id, title, min_score, gates (kind, target, minimum, text)
    min_coverage: float
    spread: int
    all_weight: float


_PLANS: dict[int, tuple[Assessment, _Plan]] = {}


def _plan(a: Assessment) -> _Plan:
    hit = _PLANS.get(id(a))
    if hit is not None and hit[0] is a:
        return hit[1]
    index = {it.id: i for i, it in enumerate(a.items)}
    dims = []
    for d in a.dimensions:
        members = tuple(index[it.id] for it in a.items_in(d.id))
        dims.append((d.id, plain(d.title), d.weight, members, sum(a.items[i].weight for i in members)))
    readiness = []
    for r in a.readiness:
        gates = tuple(
            ("item", g.item, float(g.min_level), _gate_text(g, a)) if isinstance(g, ItemGate) else ("dimension", g.dimension, g.min_score, _gate_text(g, a))
            for g in r.gates
        )
        readiness.append((r.id, plain(r.title), r.min_score, gates))
    plan = _Plan(
        top=a.max_level,
        items=tuple(a.items),
        titles=tuple(plain(it.title) for it in a.items),
        is_check=tuple(isinstance(it, CheckItem) for it in a.items),
        dims=tuple(dims),
        readiness=tuple(readiness),
        min_coverage=a.scoring.min_coverage,
        spread=a.scoring.disagreement_spread,
        all_weight=sum(it.weight for it in a.items),
    )
    _PLANS[id(a)] = (a, plan)
    return plan


def score_session(a: Assessment, obs: Observation, *, index: int = 1, where: dict | None = None, sources: Sequence[str] = (), redact: bool = False) -> SessionScore:
    """Score one session (all observers) against its assessment."""
    # The result is assembled as plain data and validated once at the end: one call into
    # pydantic's core per session is several times faster than building each nested model.
    where = where or {}
    plan = _plan(a)
    top = plan.top
    items: list[dict] = []
    level_units: list[dict[str, float]] = []
    check_units: list[dict[str, float]] = []
    observed_weight = 0.0
    for k, it in enumerate(plan.items):
        recorded = obs.responses.get(it.id) or {}
        answers: list[dict] = []
        pairs: list[tuple[int, float]] = []
        unit: dict[str, float] = {}
        is_check = plan.is_check[k]
        for observer in obs.observers:
            r = recorded.get(observer)
            if r is None:
                continue
            evidence = REDACTED if redact and r.evidence else r.evidence
            source = where.get((it.id, observer))
            if r.not_observed:
                answers.append({"observer": observer, "not_observed": True, "answer": "not observed", "level": None, "value": None, "intervals": None, "evidence": evidence, "source": source})
                continue
            level, value, text = answer_value(it, r, top)
            pairs.append((level, value))
            unit[observer] = value if is_check else float(level)
            answers.append({"observer": observer, "not_observed": False, "answer": text, "level": level, "value": value, "intervals": r.intervals, "evidence": evidence, "source": source})
        (check_units if is_check else level_units).append(unit)
        combined = combine(it, pairs, top)
        spread = None
        if len(pairs) >= 2:
            levels = [lv for lv, _ in pairs]
            spread = max(levels) - min(levels)
        if combined is not None:
            observed_weight += it.weight
        items.append({
            "id": it.id,
            "title": plan.titles[k],
            "dimension": it.dimension,
            "kind": it.kind,
            "weight": it.weight,
            "target": it.target,
            "critical": it.critical,
            "observed": combined is not None,
            "observers": len(pairs),
            "level": combined[0] if combined else None,
            "score": (combined[0] / top) if combined else None,
            "value": combined[1] if combined else None,
            "below_target": combined is not None and combined[0] < it.target,
            "spread": spread,
            "disagreement": spread is not None and spread >= plan.spread,
            "responses": answers,
        })

    min_cov = plan.min_coverage
    dims: list[dict] = []
    for dim_id, title, weight, members, total in plan.dims:
        seen = [items[i] for i in members if items[i]["observed"]]
        seen_w = sum(m["weight"] for m in seen)
        coverage = seen_w / total if total else 0.0
        ok = bool(seen) and coverage >= min_cov
        score = 100 * sum(m["weight"] * m["score"] for m in seen) / seen_w if ok else None
        dims.append({
            "id": dim_id, "title": title, "weight": weight, "score": score, "coverage": coverage,
            "status": SCORED if ok else INSUFFICIENT, "observed_weight": seen_w, "total_weight": total,
            "items": [items[i]["id"] for i in members],
        })

    coverage = observed_weight / plan.all_weight if plan.all_weight else 0.0
    scored = [d for d in dims if d["status"] == SCORED]
    overall = None
    if coverage >= min_cov and scored:
        overall = sum(d["weight"] * d["score"] for d in scored) / sum(d["weight"] for d in scored)

    by_id = {i["id"]: i for i in items}
    dim_by_id = {d["id"]: d for d in dims}
    checks: list[dict] = []
    reached_i = None
    for i, (rid, rtitle, min_score, gates) in enumerate(plan.readiness):
        results = []
        for kind, target, minimum, text in gates:
            if kind == "item":
                res = by_id.get(target)
                held = bool(res is not None and res["observed"] and res["level"] >= minimum)
            else:
                dres = dim_by_id.get(target)
                held = bool(dres is not None and dres["score"] is not None and dres["score"] >= minimum)
            results.append({"kind": kind, "target": target, "text": text, "held": held})
        met = overall is not None and overall >= min_score
        if met and all(g["held"] for g in results):
            reached_i = i
        checks.append({"id": rid, "title": rtitle, "min_score": min_score, "score_met": met, "gates": results, "reached": False})
    level = None
    if reached_i is not None:
        checks[reached_i]["reached"] = True
        level = plan.readiness[reached_i]

    return SessionScore.model_validate({
        "index": index,
        "date": obs.date,
        "session_type": obs.session.type,
        "duration_minutes": obs.session.duration_minutes,
        "observers": list(obs.observers),
        "sources": sorted(set(sources)),
        "notes": REDACTED if redact and obs.notes else obs.notes,
        "status": SCORED if overall is not None else INSUFFICIENT,
        "score": overall,
        "level": level[0] if level else None,
        "level_title": level[1] if level else None,
        "coverage": coverage,
        "dimensions": dims,
        "items": items,
        "readiness": checks,
        "findings": [i["id"] for i in items if i["below_target"]],
        "disagreements": [i["id"] for i in items if i["disagreement"]],
        "agreement": agreement(level_units, check_units),
    })


# --------------------------------------------------------------------------- over time


def _slope(points: list[tuple[int, float]]) -> float | None:
    if len(points) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else None


def dimension_trends(a: Assessment, sessions: Sequence[SessionScore]) -> list[DimensionSummary]:
    """Per dimension: latest score, change since the previous scored session, baseline, slope."""
    out = []
    n_base = a.scoring.baseline_sessions
    latest = sessions[-1]
    for k, d in enumerate(a.dimensions):
        series = [TrendPoint(session=s.index, date=s.date, score=s.dimensions[k].score) for s in sessions]
        scored = [(p.session, p.score) for p in series if p.score is not None]
        cur = latest.dimensions[k]
        earlier = [y for x, y in scored if x < latest.index]
        previous = earlier[-1] if earlier else None
        change = cur.score - previous if cur.score is not None and previous is not None else None
        baseline = sum(earlier[-n_base:]) / n_base if len(earlier) >= n_base else None
        slope = _slope(scored)
        direction = None
        if slope is not None:
            direction = "improving" if slope >= TREND_SLOPE else "declining" if slope <= -TREND_SLOPE else "steady"
        out.append(DimensionSummary(
            id=d.id, title=_plain(d.title), weight=d.weight, score=cur.score, coverage=cur.coverage, status=cur.status,
            previous=previous, change=change, baseline=baseline, slope=slope, direction=direction, series=series,
        ))
    return out


def degradation_alerts(a: Assessment, sessions: Sequence[SessionScore]) -> list[Alert]:
    """Drops of ``degradation_drop`` or more against the previous session or the baseline."""
    drop_limit = a.scoring.degradation_drop
    n_base = a.scoring.baseline_sessions
    alerts: list[Alert] = []
    last = sessions[-1].index if sessions else None
    for k, d in enumerate(a.dimensions):
        history: list[float] = []
        for s in sessions:
            score = s.dimensions[k].score
            if score is None:
                continue
            refs = []
            if history:
                refs.append(("previous-session", history[-1]))
            if len(history) >= n_base:
                refs.append(("baseline", sum(history[-n_base:]) / n_base))
            for kind, ref in refs:
                drop = round(ref - score, 9)
                if drop >= drop_limit:
                    alerts.append(Alert(session=s.index, date=s.date, dimension=d.id, title=_plain(d.title), compared_with=kind, reference=ref, score=score, drop=drop, current=s.index == last))
            history.append(score)
    alerts.sort(key=lambda al: (al.session, [x.id for x in a.dimensions].index(al.dimension), al.compared_with != "previous-session"))
    return alerts


def debt_ledger(a: Assessment, sessions: Sequence[SessionScore], as_of: _dt.date) -> list[LedgerEntry]:
    """Every finding of the series, open or closed, with its point-days as of ``as_of``."""
    entries: list[LedgerEntry] = []
    for k, it in enumerate(a.items):
        open_: dict | None = None
        for s in sessions:
            res = s.items[k]
            if not res.observed:
                continue
            if res.level < it.target:
                if open_ is None:
                    open_ = {"opened": s.date, "opened_session": s.index}
                open_.update(level=res.level, last_session=s.index)
            elif open_ is not None:
                entries.append(_entry(it, open_, s.date, s.index))
                open_ = None
        if open_ is not None:
            entries.append(_entry(it, open_, None, None, as_of))
    entries.sort(key=lambda e: (e.status != "open", -e.point_days, e.opened, e.item))
    return entries


def _entry(it, state: dict, closed: _dt.date | None, closed_session: int | None, as_of: _dt.date | None = None) -> LedgerEntry:
    end = closed if closed is not None else as_of
    days = max(0, (end - state["opened"]).days)
    gap = it.target - state["level"]
    return LedgerEntry(
        item=it.id, title=_plain(it.title), dimension=it.dimension, weight=it.weight, target=it.target,
        status="open" if closed is None else "closed", opened=state["opened"], opened_session=state["opened_session"],
        closed=closed, closed_session=closed_session, level=state["level"], gap=gap, last_session=state["last_session"],
        days=days, point_days=round(it.weight * gap * days, 6), interventions=_interventions(it),
    )


def debt_rating(a: Assessment, total: float) -> str:
    for g in a.scoring.debt_grid:
        if g.max_point_days is None or total <= g.max_point_days:
            return g.rating
    return a.scoring.debt_grid[-1].rating


def execution_debt(a: Assessment, ledger: list[LedgerEntry]) -> ExecutionDebt:
    total = round(sum(e.point_days for e in ledger), 6)
    return ExecutionDebt(
        total=total,
        rating=debt_rating(a, total),
        open_findings=sum(1 for e in ledger if e.status == "open"),
        closed_findings=sum(1 for e in ledger if e.status == "closed"),
        grid=[DebtGradeRef(rating=g.rating, max_point_days=g.max_point_days) for g in a.scoring.debt_grid],
        ledger=ledger,
    )


def recommendations(a: Assessment, latest: SessionScore, ledger: list[LedgerEntry]) -> list[Recommendation]:
    """Interventions for the open findings (largest debt first), then for the weakest items."""
    reasons: dict[str, list[str]] = {}
    order: list[str] = []
    for e in ledger:
        if e.status == "open":
            reasons.setdefault(e.item, []).append(f"open finding since {e.opened.isoformat()}: level {e.level} of target {e.target}, {e.point_days:g} point-days")
            if e.item not in order:
                order.append(e.item)
    position = {it.id: i for i, it in enumerate(a.items)}
    weak = sorted((i for i in latest.items if i.observed and i.score < 1), key=lambda i: (i.score, -i.weight, position[i.id]))
    for i in weak[:WEAKEST_ITEMS]:
        reasons.setdefault(i.id, []).append(f"among the weakest items of the latest session (level {i.level} of {a.max_level})")
        if i.id not in order:
            order.append(i.id)
    out = []
    for item_id in order:
        it = a.item(item_id)
        out.append(Recommendation(item=item_id, title=_plain(it.title), reasons=reasons[item_id], interventions=_interventions(it)))
    return out


def pooled_agreement(sessions: Sequence[SessionScore]) -> Agreement:
    """Alpha over every item recorded by two or more observers in any session of the series."""
    level_units, check_units = [], []
    for s in sessions:
        for it in s.items:
            unit = {r.observer: (r.value if it.kind == "check" else float(r.level)) for r in it.responses if not r.not_observed}
            (check_units if it.kind == "check" else level_units).append(unit)
    return agreement(level_units, check_units)


def _findings(a: Assessment, latest: SessionScore, ledger: list[LedgerEntry]) -> list[Finding]:
    opened = {e.item: e.opened for e in ledger if e.status == "open"}
    out = []
    for res in latest.items:
        if not res.below_target:
            continue
        it = a.item(res.id)
        out.append(Finding(
            item=res.id, title=res.title, dimension=res.dimension, level=res.level, target=res.target,
            gap=res.target - res.level, weight=res.weight, critical=res.critical, session=latest.index,
            opened=opened.get(res.id, latest.date), interventions=_interventions(it),
        ))
    return out


def score_pod(
    a: Assessment,
    pod: str,
    sessions_in: Sequence[tuple[Observation, dict, Sequence[str]]],
    *,
    as_of: _dt.date,
    version: str,
    inputs: Inputs,
    warnings: Sequence[ReportWarning] = (),
    redact: bool = False,
) -> Report:
    """The readiness report of one pod for one assessment, from its sessions up to ``as_of``.

    ``sessions_in`` holds ``(observation, where, source names)`` per session, where ``where``
    maps ``(item, observer)`` to the ``file:line`` of the response.
    """
    ordered = sorted(sessions_in, key=lambda t: (t[0].date, t[0].session.type))
    sessions = [score_session(a, obs, index=i, where=where, sources=srcs, redact=redact) for i, (obs, where, srcs) in enumerate(ordered, 1)]
    if not sessions:
        raise ValueError("score_pod needs at least one session")
    latest = sessions[-1]
    ledger = debt_ledger(a, sessions, as_of)
    overall = Overall(
        score=latest.score, level=latest.level, level_title=latest.level_title, status=latest.status,
        coverage=latest.coverage, session=latest.index, date=latest.date,
        series=[TrendPoint(session=s.index, date=s.date, score=s.score) for s in sessions],
    )
    return Report(
        format=REPORT_FORMAT,
        podkit_version=version,
        pod=pod,
        assessment=AssessmentRef(id=a.id, version=a.version, title=plain(a.title)),
        as_of=as_of,
        redacted=redact,
        settings=Settings(
            min_coverage=a.scoring.min_coverage, degradation_drop=a.scoring.degradation_drop,
            baseline_sessions=a.scoring.baseline_sessions, disagreement_spread=a.scoring.disagreement_spread,
            max_level=a.max_level, scale=[ScaleRef(level=x.level, label=plain(x.label)) for x in sorted(a.scale, key=lambda x: x.level)],
        ),
        overall=overall,
        dimensions=dimension_trends(a, sessions),
        readiness=latest.readiness,
        findings=_findings(a, latest, ledger),
        execution_debt=execution_debt(a, ledger),
        alerts=degradation_alerts(a, sessions),
        recommendations=recommendations(a, latest, ledger),
        agreement=pooled_agreement(sessions),
        sessions=sessions,
        warnings=list(warnings),
        inputs=inputs,
    )


class PodSummary(_Out):
    """What a portfolio needs from one pod report (kept, as JSON, instead of the whole report)."""

    assessment: AssessmentRef
    dimensions: list[AssessmentRef]
    pod: PortfolioPod


def pod_summary(r: Report) -> PodSummary:
    return PodSummary(
        assessment=r.assessment,
        dimensions=[AssessmentRef(id=d.id, version=r.assessment.version, title=d.title) for d in r.dimensions],
        pod=PortfolioPod(
            pod=r.pod,
            report=report_name(r.pod, r.assessment.id),
            sessions=len(r.sessions),
            latest=r.overall.date,
            overall=r.overall,
            dimensions=[PortfolioDimension(id=d.id, score=d.score, status=d.status) for d in r.dimensions],
            execution_debt_total=r.execution_debt.total,
            execution_debt_open=round(sum(e.point_days for e in r.execution_debt.ledger if e.status == "open"), 6),
            execution_debt_rating=r.execution_debt.rating,
            open_findings=r.execution_debt.open_findings,
            current_alerts=sum(1 for al in r.alerts if al.current),
            krippendorff_alpha=r.agreement.krippendorff_alpha,
        ),
    )


def portfolio(reports: Sequence[Report], *, as_of: _dt.date, version: str, inputs: Inputs, warnings: Sequence[ReportWarning] = (), redact: bool = False, names: dict | None = None) -> Portfolio:
    """Combine pod reports: per assessment a pods × dimensions grid and a debt ranking."""
    return portfolio_from([pod_summary(r) for r in reports], as_of=as_of, version=version, inputs=inputs, warnings=warnings, redact=redact, names=names)


def portfolio_from(summaries: Sequence[PodSummary], *, as_of: _dt.date, version: str, inputs: Inputs, warnings: Sequence[ReportWarning] = (), redact: bool = False, names: dict | None = None) -> Portfolio:
    """:func:`portfolio` from the summaries of the pod reports."""
    names = names or {}
    by_assessment: dict[str, list[PodSummary]] = defaultdict(list)
    for s in summaries:
        by_assessment[s.assessment.id].append(s)
    sections = []
    for aid in sorted(by_assessment):
        group = sorted(by_assessment[aid], key=lambda s: s.pod.pod)
        first = group[0]
        pods = [s.pod if (s.pod.pod, aid) not in names else s.pod.model_copy(update={"report": names[(s.pod.pod, aid)]}) for s in group]
        # Open debt first (it is still growing), then the total incurred (closed findings too).
        ranking = [p.pod for p in sorted(pods, key=lambda p: (-p.execution_debt_open, -p.execution_debt_total, p.pod))]
        sections.append(PortfolioAssessment(
            assessment=first.assessment,
            dimensions=first.dimensions,
            pods=pods,
            debt_ranking=ranking,
        ))
    return Portfolio(
        format=PORTFOLIO_FORMAT,
        podkit_version=version,
        as_of=as_of,
        redacted=redact,
        pods=sorted({s.pod.pod for s in summaries}),
        assessments=sections,
        warnings=list(warnings),
        inputs=inputs,
    )


def report_name(pod: str, assessment_id: str) -> str:
    """File name stem of a pod report: ``<pod>--<assessment>``."""
    return f"{pod}--{assessment_id}"


def inputs_digest(files: Sequence[tuple[str, str]], *, listed: bool = True) -> Inputs:
    """SHA-256 over the inputs: of the sorted lines ``<sha256>  <name>`` (as ``sha256sum`` prints).

    ``listed=False`` leaves the list of files empty (the digest is the same).
    """
    import hashlib
    import itertools

    # sorted, without duplicates (a list that already is needs no copy: 100,000 files are common)
    rows = files if isinstance(files, list) and all(a < b for a, b in itertools.pairwise(files)) else sorted(set(files))
    h = hashlib.sha256()
    for name, digest in rows:  # line by line: the same digest as of the joined text, in less memory
        h.update(f"{digest}  {name}\n".encode("utf-8"))
    return Inputs(sha256=h.hexdigest(), files=[InputFile(name=n, sha256=d) for n, d in rows] if listed else [])


# --------------------------------------------------------------------------- everything at once


def _report_warning(source_name: str, problem) -> ReportWarning:
    from .errors import format_key_path

    message = problem.message
    if problem.key:
        message = f"{format_key_path(problem.key)}: {message}"
    return ReportWarning(source=source_name, line=problem.line, message=message)


def _sorted_warnings(warnings) -> list[ReportWarning]:
    unique = {(w.source or "", w.line or 0, w.message): w for w in warnings}
    return [unique[k] for k in sorted(unique)]


def score_all(records: Sequence, assessments: Sequence[Assessment], *, as_of: _dt.date, version: str, redact: bool = False) -> tuple[list[Report], Portfolio | None]:
    """Group validated records by pod and assessment, score each group, and build a portfolio
    when two or more pods are present. Sessions dated after ``as_of`` are left out (with a warning).
    """
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for rec in records:
        o = rec.observation
        groups[(o.assessment, o.pod)].append(rec)
    run = ScoringRun(assessments, as_of=as_of, version=version, redact=redact)
    reports = [r for key in sorted(groups) if (r := run.score_group(groups[key])) is not None]
    return reports, run.portfolio()


def _without_series(s: PodSummary) -> PodSummary:
    """The summary without the pod's trend (see report._portfolio_json)."""
    overall = s.pod.overall.model_copy(update={"series": []})
    return s.model_copy(update={"pod": s.pod.model_copy(update={"overall": overall})})


class ScoringRun:
    """Scores one pod and assessment at a time (in sorted order), keeping only what the
    portfolio needs, so that reports can be rendered and dropped one by one."""

    def __init__(self, assessments: Sequence[Assessment], *, as_of: _dt.date, version: str, redact: bool = False):
        self.kit = {a.id: a for a in assessments}
        self.as_of, self.version, self.redact = as_of, version, redact
        #: (assessment, pod) -> PodSummary as JSON: a fraction of the objects' memory
        self.summaries: dict[tuple[str, str], str] = {}
        self.files: set[tuple[str, str]] = set()
        self.file_rows: list[tuple[str, str]] = []  # see portfolio(list_files=False)
        self.warnings: list[ReportWarning] = []

    def score_group(self, records: Sequence) -> Report | None:
        """The report of one pod for one assessment from all its records (in input order), or
        ``None`` when every session is dated after ``as_of``."""
        report, warnings, files = self.score_only(records)
        key = (records[0].observation.assessment, records[0].observation.pod)
        self.add(key, pod_summary(report).model_dump_json() if report is not None else None, warnings, files)
        return report

    def add(self, key: tuple[str, str], summary: str | None, warnings: list[ReportWarning], files: set[tuple[str, str]]) -> None:
        """Keep what the portfolio needs from one group (scored here or by a worker process):
        the :class:`PodSummary` of its report as JSON (``None``: no report), warnings and files."""
        self.warnings += warnings
        if summary is not None:
            self.files |= files
            self.summaries[key] = summary

    def score_only(self, records: Sequence) -> tuple[Report | None, list[ReportWarning], set[tuple[str, str]]]:
        """:meth:`score_group` without keeping anything: the report, its warnings and files."""
        from .observations import merge_session, session_key

        as_of = self.as_of
        first = records[0].observation
        aid, pod = first.assessment, first.pod
        a = self.kit[aid]
        by_session: dict[tuple, list] = defaultdict(list)
        for rec in records:
            by_session[session_key(rec.observation)].append(rec)
        sessions_in, warnings, files, later = [], [], set(), 0
        for key in sorted(by_session):
            recs = by_session[key]
            if key[2] > as_of:
                later += 1
                continue
            obs, where = merge_session(recs)
            sessions_in.append((obs, where, [r.source.name for r in recs]))
            for r in recs:
                files.add((r.source.name, r.source.sha256))
                warnings += [_report_warning(r.source.name, p) for p in r.warnings]
        if later:
            warnings.append(ReportWarning(source=None, line=None, message=f"{later} session{'s' if later != 1 else ''} of pod {pod!r} dated after the report date {as_of.isoformat()} left out"))
        if not sessions_in:
            return None, warnings, files
        report = score_pod(a, pod, sessions_in, as_of=as_of, version=self.version, inputs=inputs_digest(sorted(files)), warnings=_sorted_warnings(warnings), redact=self.redact)
        return report, warnings, files

    def portfolio(self, *, release: bool = False, list_files: bool = True, series: bool = True) -> Portfolio | None:
        """The portfolio of every report scored so far, when two or more pods are present.

        With ``release`` the run lets go of what it kept as soon as it is used (it has to be the
        last call then): the portfolio of 100,000 files is large enough for that to matter. With
        ``list_files=False`` its ``inputs.files`` is left empty and the sorted ``(name, sha256)``
        rows are kept in ``file_rows`` instead, for a caller that writes them a piece at a time;
        with ``series=False`` every pod's ``overall.series`` is left empty (the same kind of help).
        """
        if len({pod for _, pod in self.summaries}) < 2:
            return None
        summaries = [PodSummary.model_validate_json(s) if series else _without_series(PodSummary.model_validate_json(s)) for s in self.summaries.values()]
        rows = sorted(self.files)
        if release:
            self.summaries, self.files = {}, set()
        inputs = inputs_digest(rows, listed=list_files)
        self.file_rows = rows if not list_files else []
        del rows
        return portfolio_from(summaries, as_of=self.as_of, version=self.version, inputs=inputs, warnings=_sorted_warnings(self.warnings), redact=self.redact)
