"""Follow-up of agreed actions: a pod report with its action plan, and the portfolio's roll-up.

The rules are those of :mod:`podkit.actions` ("In reports", "Interventions that worked"); this
module only joins them to the result models. It takes a scored :class:`podkit.results.Report`
and the pod's :class:`podkit.model.ActionPlan` and returns a copy of the report with the action
review, and the action in flight named on each finding and each open row of the debt ledger.
Nothing here reads or writes files; nothing is recomputed that scoring already computed (an
item's level at a session is the report's own).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from pathlib import Path
from typing import Iterable, Sequence

from . import actions
from .errors import Problem
from .model import Action, ActionPlan, Assessment
from .results import REDACTED, ActionReviewed, InterventionOutcome, InterventionsThatWorked, LevelAt, PodSummary, Report
from .text import plain
from .wording import VERDICT_SENTENCES


def item_sessions(report: Report, item_id: str) -> list[actions.Session]:
    """The ``(date, level)`` pairs of one item over the report's sessions: the combined level,
    :data:`podkit.actions.NA` when not applicable, None when not observed."""
    out = []
    for s in report.sessions:
        it = next((i for i in s.items if i.id == item_id), None)
        if it is None:
            continue
        out.append((s.date, it.level if it.observed else actions.NA if it.not_applicable else None))
    return out


def _level_at(session: actions.Session) -> LevelAt:
    day, level = session
    if level == actions.NA:
        return LevelAt(date=day, level=None, not_applicable=True)
    return LevelAt(date=day, level=level)


def _titles(a: Assessment, action: Action) -> tuple[str, str]:
    """The item's title, and the intervention's title (or the custom one)."""
    item = a.item(action.item)
    if action.intervention is None:
        return plain(item.title), action.custom or ""
    ids = actions.intervention_ids(item)
    return plain(item.title), plain(item.interventions[ids.index(action.intervention)].title)


def review_action(report: Report, a: Assessment, action: Action) -> ActionReviewed | None:
    """One action as of the report date; None when it has no status yet on that day."""
    seen = actions.review(action, item_sessions(report, action.item), report.as_of)
    if seen.status is None:
        return None
    status_date = max(c.date for c in action.history if c.date <= report.as_of)
    reason = next((c.reason for c in reversed(action.history) if c.date <= report.as_of and c.reason), None)
    if reason and report.redacted:
        reason = REDACTED
    item_title, title = _titles(a, action)
    if report.redacted and action.intervention is None and title:
        title = REDACTED  # the pod's own words, like a reason: not for readers beyond the pod
    return ActionReviewed(
        id=action.id, item=action.item, item_title=item_title, intervention=action.intervention, title=title,
        owner=action.owner_role or action.owner, agreed=action.agreed, due=action.due, status=seen.status,
        status_date=status_date, reason=reason if seen.status == "dropped" else None,
        in_flight=seen.status in actions.OPEN_STATUSES, overdue=seen.overdue,
        before=_level_at(seen.seen.before) if seen.seen.before else None, after=[_level_at(s) for s in seen.seen.after],
        verdict=seen.verdict, verdict_text=VERDICT_SENTENCES[seen.verdict],
    )


def in_flight(reviewed: Iterable[ActionReviewed]) -> dict[str, str]:
    """Item id → the id of the first action in flight for it (plan order)."""
    out: dict[str, str] = {}
    for rev in reviewed:
        if rev.in_flight:
            out.setdefault(rev.item, rev.id)
    return out


def follow_up(report: Report, a: Assessment, plan: ActionPlan | None) -> Report:
    """The report with the pod's actions for its assessment reviewed, and the action in flight on
    each finding and each open ledger row (the report unchanged without a plan)."""
    if plan is None:
        return report
    reviewed = [r for act in plan.actions if act.assessment == a.id and (r := review_action(report, a, act)) is not None]
    flight = in_flight(reviewed)
    findings = [f.model_copy(update={"action": flight.get(f.item)}) for f in report.findings]
    ledger = [e.model_copy(update={"action": flight.get(e.item) if e.status == "open" else None}) for e in report.execution_debt.ledger]
    debt = report.execution_debt.model_copy(update={"ledger": ledger})
    return report.model_copy(update={"actions": reviewed, "findings": findings, "execution_debt": debt})


# --------------------------------------------------------------------------- portfolio


def overdue_actions(report: Report) -> int:
    """Actions planned or in progress after their due date, as of the report date."""
    return sum(1 for rev in report.actions if rev.overdue)


def critical_without_action(report: Report) -> int:
    """Open critical findings of the ledger with no action in flight."""
    return sum(1 for e in report.execution_debt.ledger if e.status == "open" and e.critical and e.action is None)


def _sessions_of(rev: ActionReviewed) -> list[actions.Session]:
    """The review's levels back as ``(date, level)`` pairs: the before session and all after."""
    back = [(x.date, actions.NA if x.not_applicable else x.level) for x in rev.after]
    return ([(rev.before.date, rev.before.level)] if rev.before else []) + back


def interventions_rollup(summaries: Sequence[PodSummary], plans: Iterable[ActionPlan], as_of: _dt.date, k: int) -> InterventionsThatWorked | None:
    """"Interventions that worked" across the pods of one assessment (module docstring of
    :mod:`podkit.actions`); None when no pod agreed one of the kit's interventions."""
    by_pod = {p.pod: {act.id: act for act in p.actions} for p in plans}
    entries, titles = [], {}
    for s in summaries:
        for rev in s.actions:
            act = by_pod.get(s.pod.pod, {}).get(rev.id)
            if act is None or act.intervention is None or act.assessment != s.assessment.id:
                continue
            entries.append((s.pod.pod, act, _sessions_of(rev)))
            titles[(act.item, act.intervention)] = (rev.item_title, rev.title)
    if not entries:
        return None
    found = actions.interventions_that_worked(entries, as_of, k=k)
    rows = [InterventionOutcome(item=r.item, item_title=titles[(r.item, r.intervention)][0], intervention=r.intervention,
                                title=titles[(r.item, r.intervention)][1], pods=r.pods, agreed=r.agreed, done=r.done,
                                improved_next=r.improved_next) for r in found.rows]
    return InterventionsThatWorked(rows=rows, hidden=found.hidden, min_pods=found.min_pods, caveat=found.caveat)


# --------------------------------------------------------------------------- inputs


def read_plans(paths: Sequence[Path], assessments: dict[str, Assessment]) -> tuple[list[ActionPlan], dict[str, tuple[str, str]], list[Problem]]:
    """The action plans in ``paths`` (the plan files :func:`podkit.observations.find_inputs` found;
    :func:`podkit.actions.load_plans`: raises :class:`podkit.errors.SourceErrors` with every
    located error), the ``(name, sha256)`` of each pod's plan file for the reports' inputs (the
    name ``actions/<file>``, whatever the working folder), and the warnings."""
    paths = list(paths)
    plans, problems = actions.load_plans(paths, assessments)
    sources = {plan.pod: (f"{actions.ACTIONS_FOLDER}/{Path(path).name}", hashlib.sha256(Path(path).read_bytes()).hexdigest())
               for path, plan in zip(paths, plans)}
    return plans, sources, problems


def plans_without_observations(paths: Sequence[Path], plans: Sequence[ActionPlan], pods: set[str]) -> list[Problem]:
    """A warning for each plan (read by :func:`read_plans` from ``paths``) whose pod has no
    observations."""
    return [Problem(path, f"action plan for {plan.pod}, which has no observations in the inputs", key=("pod",), severity="warning")
            for path, plan in zip(paths, plans) if plan.pod not in pods]
