"""Several pods side by side: the portfolio, built from the pod reports' summaries.

Pure functions, like :mod:`podkit.scoring`: nothing here reads or writes files. Pods appear in
name order and are never ranked; a figure across pods needs at least ``roll_up_min_pods`` of them
(rule 15 of :mod:`podkit.scoring`).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections import defaultdict
from fractions import Fraction
from typing import Iterable, Sequence

from .followup import critical_without_action, interventions_rollup, overdue_actions
from .model import MIN_ROLL_UP_PODS, ActionPlan

from .results import (
    PORTFOLIO_FORMAT,
    AssessmentRef,
    InputFile,
    Inputs,
    PodSummary,
    Portfolio,
    PortfolioAssessment,
    PortfolioDimension,
    PortfolioPod,
    Report,
    ReportWarning,
    SCORED,
)
from .scoring import exact, rounded


def report_name(pod: str, assessment_id: str) -> str:
    """File name stem of a pod report: ``<pod>--<assessment>``."""
    return f"{pod}--{assessment_id}"


#: File name stem suffix of a pod summary: ``<pod>.summary`` (a dot never occurs in a report's stem).
SUMMARY_SUFFIX = ".summary"


def summary_name(pod: str) -> str:
    """File name stem of a pod's one-page summary: ``<pod>.summary``."""
    return pod + SUMMARY_SUFFIX


def needs_attention(r: Report) -> list[str]:
    """Rule 15: why a pod deserves a conversation; empty when nothing is flagged."""
    out = []
    critical = r.execution_debt.open_critical
    if critical:
        bare = critical_without_action(r)
        flight = "each with an action in flight" if not bare else "no action in flight" if bare == critical else f"{bare} with no action in flight"
        out.append(f"{critical} open critical finding{'s' if critical != 1 else ''}, {flight}")
    late = overdue_actions(r)
    if late:
        out.append(f"{late} overdue action{'s' if late != 1 else ''}")
    alerts = sorted({al.title for al in r.alerts if al.current})
    if alerts:
        out.append("current alert: " + ", ".join(alerts))
    if r.overall.status != SCORED:
        out.append("insufficient evidence in the latest session")
    quiet = (r.as_of - r.overall.date).days
    if quiet > r.settings.cadence_days:
        out.append(f"no observation for {quiet} days (cadence {r.settings.cadence_days})")
    return out


def pod_summary(r: Report) -> PodSummary:
    """What the portfolio needs from one pod report."""
    return PodSummary(
        assessment=r.assessment,
        dimensions=[AssessmentRef(id=d.id, version=r.assessment.version, title=d.title) for d in r.dimensions],
        roll_up_min_pods=r.settings.roll_up_min_pods,
        pod=PortfolioPod(
            pod=r.pod,
            report=report_name(r.pod, r.assessment.id),
            sessions=len(r.sessions),
            latest=r.overall.date,
            overall=r.overall,
            dimensions=[PortfolioDimension(id=d.id, score=d.score, status=d.status) for d in r.dimensions],
            execution_debt_open=r.execution_debt.open,
            execution_debt_rating=r.execution_debt.rating,
            execution_debt_paid_down=r.execution_debt.paid_down,
            open_findings=r.execution_debt.open_findings,
            open_critical=r.execution_debt.open_critical,
            current_alerts=sum(1 for al in r.alerts if al.current),
            krippendorff_alpha=r.agreement.krippendorff_alpha,
            agreement_note=r.agreement.note,
            needs_attention=needs_attention(r),
            overdue_actions=overdue_actions(r),
            critical_without_action=critical_without_action(r),
        ),
        actions=r.actions,
    )


def roll_up(pods: Sequence[PortfolioPod], minimum: int) -> tuple[Fraction | None, str]:
    """The mean overall score across pods, only when at least ``minimum`` pods have one."""
    scores = [exact(p.overall.score) for p in pods if p.overall.score is not None]
    if len(scores) < minimum:
        return None, f"no figure across pods: {len(scores)} pod{'s' if len(scores) != 1 else ''} with a score, fewer than the {minimum} a roll-up needs so that it cannot single out a pod"
    return sum(scores) / len(scores), f"mean of the {len(scores)} pods with an overall score"


def build_portfolio(summaries: Sequence[PodSummary], *, as_of: _dt.date, version: str, inputs: Inputs, warnings: Sequence[ReportWarning] = (), redact: bool = False,
                    plans: Iterable[ActionPlan] = ()) -> Portfolio | None:
    """The portfolio of the pods' reports, per assessment, pods in name order; ``None`` with fewer
    than two pods. With the pods' action ``plans``, each assessment gets the roll-up of
    interventions that worked."""
    plans = list(plans)
    if len({s.pod.pod for s in summaries}) < 2:
        return None
    by_assessment: dict[str, list[PodSummary]] = defaultdict(list)
    for s in summaries:
        by_assessment[s.assessment.id].append(s)
    sections = []
    for aid in sorted(by_assessment):
        group = sorted(by_assessment[aid], key=lambda s: s.pod.pod)
        pods = [s.pod for s in group]
        minimum = max(MIN_ROLL_UP_PODS, group[0].roll_up_min_pods)
        mean, note = roll_up(pods, minimum)
        sections.append(PortfolioAssessment(
            assessment=group[0].assessment, dimensions=group[0].dimensions, pods=pods,
            roll_up_min_pods=minimum, mean_overall=rounded(mean), roll_up_note=note,
            interventions_that_worked=interventions_rollup(group, plans, as_of, minimum),
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


def inputs_digest(files: Sequence[tuple[str, str]]) -> Inputs:
    """SHA-256 over the inputs: of the sorted lines ``<sha256>  <name>`` (as ``sha256sum`` prints)."""
    rows = sorted(set(files))
    h = hashlib.sha256()
    for name, digest in rows:
        h.update(f"{digest}  {name}\n".encode("utf-8"))
    return Inputs(sha256=h.hexdigest(), files=[InputFile(name=n, sha256=d) for n, d in rows])


def sorted_warnings(warnings: Sequence[ReportWarning]) -> list[ReportWarning]:
    """Warnings without repeats, by source, line and message."""
    unique = {(w.source or "", w.line or 0, w.message): w for w in warnings}
    return [unique[k] for k in sorted(unique)]
