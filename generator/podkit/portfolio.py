"""Several pods side by side: the portfolio, built from the pod reports' summaries.

Pure functions, like :mod:`podkit.scoring`: nothing here reads or writes files.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections import defaultdict
from typing import Sequence

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
)


def report_name(pod: str, assessment_id: str) -> str:
    """File name stem of a pod report: ``<pod>--<assessment>``."""
    return f"{pod}--{assessment_id}"


def pod_summary(r: Report) -> PodSummary:
    """What the portfolio needs from one pod report."""
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


def build_portfolio(summaries: Sequence[PodSummary], *, as_of: _dt.date, version: str, inputs: Inputs, warnings: Sequence[ReportWarning] = (), redact: bool = False) -> Portfolio | None:
    """The portfolio of the pods' reports, per assessment; ``None`` with fewer than two pods."""
    if len({s.pod.pod for s in summaries}) < 2:
        return None
    by_assessment: dict[str, list[PodSummary]] = defaultdict(list)
    for s in summaries:
        by_assessment[s.assessment.id].append(s)
    sections = []
    for aid in sorted(by_assessment):
        group = sorted(by_assessment[aid], key=lambda s: s.pod.pod)
        first = group[0]
        pods = [s.pod for s in group]
        # Open debt first (it is still growing), then the total incurred (closed findings too).
        ranking = [p.pod for p in sorted(pods, key=lambda p: (-p.execution_debt_open, -p.execution_debt_total, p.pod))]
        sections.append(PortfolioAssessment(assessment=first.assessment, dimensions=first.dimensions, pods=pods, debt_ranking=ranking))
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
