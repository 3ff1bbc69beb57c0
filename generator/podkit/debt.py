"""Execution Debt: rules 13 and 14 of :mod:`podkit.scoring` (the ledger of findings, their
point-days interval by interval, and the debt rating), from a pod's scored sessions.

Pure functions, like the rest of scoring: the rules are written, word for word, in
:mod:`podkit.scoring`'s docstring and on the site's "Scoring explained" page.
"""

from __future__ import annotations

import datetime as _dt
from fractions import Fraction
from typing import Sequence

from .actions import intervention_ids
from .exactmath import exact, rounded
from .model import Assessment
from .results import DebtGradeRef, DebtInterval, ExecutionDebt, InterventionRef, LedgerEntry, SessionScore
from .text import plain


def intervention_refs(item) -> list[InterventionRef]:
    """The item's interventions as a report names them (with their recommendation ids)."""
    return [InterventionRef(id=iid, title=plain(i.title), action=i.action, effort=i.effort) for iid, i in zip(intervention_ids(item), item.interventions)]


def _interval(weight: Fraction, cfg, opened: _dt.date, start: _dt.date, end: _dt.date, gap: Fraction) -> tuple[DebtInterval, Fraction]:
    """One stretch of an open finding: ``weight`` × ``gap`` × its days (beyond ``interest_after_days``, ``interest_factor`` times)."""
    days = max(0, (end - start).days)
    interest = 0
    if cfg.interest_after_days is not None:
        age_start, age_end = (start - opened).days, (end - opened).days
        interest = max(0, age_end - max(age_start, cfg.interest_after_days))
    pd = weight * gap * (days - interest + exact(cfg.interest_factor) * interest if interest else days)
    return DebtInterval(start=start, end=end, gap=rounded(gap), days=days, interest_days=interest, point_days=rounded(pd)), pd


def debt_ledger(a: Assessment, sessions: Sequence[SessionScore], levels: Sequence[Sequence[Fraction | None]], as_of: _dt.date,
                interventions: dict[str, list[InterventionRef]] | None = None) -> tuple[list[LedgerEntry], dict[int, Fraction]]:
    """Rule 13: every finding of the series with its point-days, interval by interval, as of ``as_of``.

    ``levels`` holds, per session, each item's exact combined level (``None`` when not scored);
    ``interventions``, each item's :func:`intervention_refs` when the caller has them already.
    Also returns the exact point-days of each entry (by position) for the rating.
    """
    cfg = a.scoring
    refs = interventions if interventions is not None else {it.id: intervention_refs(it) for it in a.items}
    found: list[tuple[LedgerEntry, Fraction]] = []
    for k, it in enumerate(a.items):
        state: dict | None = None
        weight, target = exact(it.weight), it.target
        for s, session_levels in zip(sessions, levels):
            level = session_levels[k]
            if level is None:
                continue
            if state is not None:
                row, pd = _interval(weight, cfg, state["opened"], state["since"], s.date, state["gap"])
                state["intervals"].append(row)
                state["pd"] += pd
                if level >= target:
                    found.append(_entry(it, state, refs[it.id], s))
                    state = None
                    continue
            elif level >= target:
                continue
            if state is None:
                state = {"opened": s.date, "opened_session": s.index, "intervals": [], "pd": Fraction(0)}
            state.update(level=level, gap=target - level, since=s.date, last_session=s.index)
        if state is not None:
            row, pd = _interval(weight, cfg, state["opened"], state["since"], as_of, state["gap"])
            state["intervals"].append(row)
            state["pd"] += pd
            found.append(_entry(it, state, refs[it.id], None, as_of))
    found.sort(key=lambda t: (t[0].status != "open", -t[1], t[0].opened, t[0].item))
    return [f for f, _ in found], {i: pd for i, (_, pd) in enumerate(found)}


def _entry(it, state: dict, refs: list[InterventionRef], closing: SessionScore | None, as_of: _dt.date | None = None) -> tuple[LedgerEntry, Fraction]:
    end = closing.date if closing is not None else as_of
    entry = LedgerEntry(
        item=it.id, title=plain(it.title), dimension=it.dimension, weight=it.weight, target=it.target, critical=it.critical,
        status="open" if closing is None else "closed", opened=state["opened"], opened_session=state["opened_session"],
        closed=closing.date if closing else None, closed_session=closing.index if closing else None,
        level=rounded(state["level"]), gap=rounded(state["gap"]), last_session=state["last_session"],
        days=max(0, (end - state["opened"]).days), point_days=rounded(state["pd"]), intervals=state["intervals"],
        interventions=refs,
    )
    return entry, state["pd"]


def debt_rating(a: Assessment, open_point_days, open_findings: int = 0, open_critical: int = 0) -> str:
    """Rule 14: the first grid letter whose bounds all hold (a bound left out always holds)."""
    pd = exact(open_point_days)
    for g in a.scoring.debt_grid:
        if ((g.max_point_days is None or pd <= exact(g.max_point_days))
                and (g.max_open_findings is None or open_findings <= g.max_open_findings)
                and (g.max_open_critical is None or open_critical <= g.max_open_critical)):
            return g.rating
    return a.scoring.debt_grid[-1].rating


def execution_debt(a: Assessment, ledger: list[LedgerEntry], exact_pd: dict[int, Fraction]) -> ExecutionDebt:
    opened = [i for i, e in enumerate(ledger) if e.status == "open"]
    open_pd = sum((exact_pd[i] for i in opened), Fraction(0))
    paid = sum((exact_pd[i] for i, e in enumerate(ledger) if e.status == "closed"), Fraction(0))
    critical = sum(1 for i in opened if ledger[i].critical)
    cfg = a.scoring
    return ExecutionDebt(
        open=rounded(open_pd), rating=debt_rating(a, open_pd, len(opened), critical), open_findings=len(opened),
        open_critical=critical, paid_down=rounded(paid), closed_findings=len(ledger) - len(opened), total=rounded(open_pd + paid),
        interest_after_days=cfg.interest_after_days, interest_factor=cfg.interest_factor,
        grid=[DebtGradeRef(rating=g.rating, max_point_days=g.max_point_days, max_open_findings=g.max_open_findings, max_open_critical=g.max_open_critical) for g in cfg.debt_grid],
        ledger=ledger,
    )
