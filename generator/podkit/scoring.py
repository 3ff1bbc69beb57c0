"""Scoring: validated observations → session scores, agreement, trend, alerts and Execution Debt.

Pure functions: nothing here reads or writes files or talks to the terminal, and nothing is kept
between calls. The results are the models of :mod:`podkit.results`; agreement is computed in
:mod:`podkit.agreement`, the portfolio in :mod:`podkit.portfolio`.

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
from typing import Sequence

from . import wording
from .agreement import agreement
from .model import (
    AnchoredItem,
    Assessment,
    CheckItem,
    CodesItem,
    CountItem,
    ItemGate,
    Observation,
)
from .results import (
    INSUFFICIENT,
    REDACTED,
    REPORT_FORMAT,
    SCORED,
    Agreement,
    Alert,
    AssessmentRef,
    DebtGradeRef,
    DimensionSummary,
    ExecutionDebt,
    Finding,
    InterventionRef,
    Inputs,
    LedgerEntry,
    Overall,
    Recommendation,
    Report,
    ReportWarning,
    ScaleRef,
    SessionScore,
    Settings,
    TrendPoint,
)
from .text import plain

#: Slope (points per session) beyond which a dimension's direction is "improving"/"declining".
TREND_SLOPE = 1.0
#: How many of the weakest items of the latest session get a recommendation.
WEAKEST_ITEMS = 3


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
        return response.level, float(response.level), wording.level_answer(response.level)
    if isinstance(item, CheckItem):
        passed = check_passed(item, response.check)
        return (top if passed else 0), (1.0 if passed else 0.0), wording.check_answer(response.check)
    if isinstance(item, CountItem):
        return threshold_level(item, response.count), float(response.count), wording.count_answer(response.count, item.unit)
    assert isinstance(item, CodesItem)
    p = codes_proportion(item, response.intervals)
    hits = round(p * len(response.intervals))
    return threshold_level(item, p), p, wording.intervals_answer(hits, len(response.intervals), p)


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


# --------------------------------------------------------------------------- one session


def _interventions(item) -> list[InterventionRef]:
    return [InterventionRef(title=plain(i.title), action=i.action, effort=i.effort) for i in item.interventions]


def score_session(a: Assessment, obs: Observation, *, index: int = 1, where: dict | None = None, sources: Sequence[str] = (), redact: bool = False) -> SessionScore:
    """Score one session (all observers) against its assessment."""
    # The result is assembled as plain data and validated once at the end: one call into
    # pydantic's core per session is several times faster than building each nested model.
    where = where or {}
    top = a.max_level
    spread_limit = a.scoring.disagreement_spread
    items: list[dict] = []
    level_units: list[dict[str, float]] = []
    check_units: list[dict[str, float]] = []
    observed_weight = 0.0
    for it in a.items:
        recorded = obs.responses.get(it.id) or {}
        answers: list[dict] = []
        pairs: list[tuple[int, float]] = []
        unit: dict[str, float] = {}
        is_check = isinstance(it, CheckItem)
        for observer in obs.observers:
            r = recorded.get(observer)
            if r is None:
                continue
            evidence = REDACTED if redact and r.evidence else r.evidence
            source = where.get((it.id, observer))
            if r.not_observed:
                answers.append({"observer": observer, "not_observed": True, "answer": wording.NOT_OBSERVED, "level": None, "value": None, "intervals": None, "evidence": evidence, "source": source})
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
            "title": plain(it.title),
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
            "disagreement": spread is not None and spread >= spread_limit,
            "responses": answers,
        })

    by_id = {i["id"]: i for i in items}
    min_cov = a.scoring.min_coverage
    dims: list[dict] = []
    for d in a.dimensions:
        members = [by_id[it.id] for it in a.items_in(d.id)]
        total = sum(m["weight"] for m in members)
        seen = [m for m in members if m["observed"]]
        seen_w = sum(m["weight"] for m in seen)
        coverage = seen_w / total if total else 0.0
        ok = bool(seen) and coverage >= min_cov
        score = 100 * sum(m["weight"] * m["score"] for m in seen) / seen_w if ok else None
        dims.append({
            "id": d.id, "title": plain(d.title), "weight": d.weight, "score": score, "coverage": coverage,
            "status": SCORED if ok else INSUFFICIENT, "observed_weight": seen_w, "total_weight": total,
            "items": [m["id"] for m in members],
        })

    all_weight = sum(it.weight for it in a.items)
    coverage = observed_weight / all_weight if all_weight else 0.0
    scored = [d for d in dims if d["status"] == SCORED]
    overall = None
    if coverage >= min_cov and scored:
        overall = sum(d["weight"] * d["score"] for d in scored) / sum(d["weight"] for d in scored)

    dim_by_id = {d["id"]: d for d in dims}
    checks: list[dict] = []
    reached = None
    for r in a.readiness:
        results = []
        for g in r.gates:
            text = wording.gate_text(g, a)
            if isinstance(g, ItemGate):
                res = by_id.get(g.item)
                held = bool(res is not None and res["observed"] and res["level"] >= g.min_level)
                results.append({"kind": "item", "target": g.item, "text": text, "held": held})
            else:
                dres = dim_by_id.get(g.dimension)
                held = bool(dres is not None and dres["score"] is not None and dres["score"] >= g.min_score)
                results.append({"kind": "dimension", "target": g.dimension, "text": text, "held": held})
        met = overall is not None and overall >= r.min_score
        check = {"id": r.id, "title": plain(r.title), "min_score": r.min_score, "score_met": met, "gates": results, "reached": False}
        if met and all(g["held"] for g in results):
            reached = check
        checks.append(check)
    if reached is not None:
        reached["reached"] = True

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
        "level": reached["id"] if reached else None,
        "level_title": reached["title"] if reached else None,
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
            id=d.id, title=plain(d.title), weight=d.weight, score=cur.score, coverage=cur.coverage, status=cur.status,
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
                    alerts.append(Alert(session=s.index, date=s.date, dimension=d.id, title=plain(d.title), compared_with=kind, reference=ref, score=score, drop=drop, current=s.index == last))
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
        item=it.id, title=plain(it.title), dimension=it.dimension, weight=it.weight, target=it.target,
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
        out.append(Recommendation(item=item_id, title=plain(it.title), reasons=reasons[item_id], interventions=_interventions(it)))
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
