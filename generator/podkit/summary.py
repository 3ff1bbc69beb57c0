"""The one-page pod summary: every assessment a pod was observed with, on one page.

``podkit score`` writes one summary per pod (``<pod>.summary.html``, ``.pdf``, ``.md``) beside
its full reports. It is the card a pod reads at a glance and the view of one pod across
assessments: for each assessment, the latest readiness level (or "not enough evidence", and
why), a strip of the dimension scores with each dimension's direction, the trend arrow of the
overall score, the two first recommendations and the open Execution Debt; then the actions the
pod has in flight. Nothing is scored here: every figure is taken from the pod's reports.

The trend arrow of the overall score follows the trend rule of the dimensions (rule 11 of
:mod:`podkit.scoring`), applied to the overall score: the least-squares slope of the scored
sessions' overall scores (as the report gives them, to two decimals) against session number;
improving (↗) at or above +1 point per session, declining (↘) at or below −1, otherwise steady
(→); with fewer than two scored sessions there is no arrow yet. In the worked example of
"Scoring explained" the overall scores 25.93, 55.56 and 72.22 have a slope of +23.14 per
session (46.29 ÷ 2, rounded half to even): improving.

The file name cannot collide with a report's: pod and assessment ids are slugs (lower-case
letters, digits and single hyphens), so ``<pod>--<assessment>`` never contains a dot, and
``<pod>.summary`` always does.

A summary is pod-level only, like the reports: it names no observer and no person (an action's
owner is a role), and it never ranks pods.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from typing import Literal, Optional, Sequence

from .portfolio import SUMMARY_SUFFIX, report_name, summary_name  # noqa: F401  (names of the files it writes)
from .report import SUFFIX as REPORT_SUFFIX
from .results import SCORED, AssessmentRef, Report, Status, _Out
from .scoring import direction, exact, slope

SUMMARY_FORMAT = "podkit-pod-summary/1"
#: How many recommendations of each assessment the summary shows (the report's first ones).
TOP_RECOMMENDATIONS = 2
#: How many actions in flight the page lists (the rest are counted, and listed in the full reports).
MAX_ACTIONS = 5
#: Arrows of the trend directions.
ARROWS = {"improving": "↗", "steady": "→", "declining": "↘"}
SUFFIX = {fmt: suffix for fmt, suffix in REPORT_SUFFIX.items() if fmt != "json"}
#: The formats a summary is written in (``podkit score -f``); JSON reports get none.
SUMMARY_FORMATS = tuple(SUFFIX)


# --------------------------------------------------------------------------- models


class StripCell(_Out):
    """One dimension of the latest session, as the strip shows it."""

    id: str
    title: str
    score: Optional[float]
    status: Status
    direction: Optional[Literal["improving", "steady", "declining"]]
    #: a degradation alert on this dimension in the latest session
    alert: bool


class TopRecommendation(_Out):
    item: str
    title: str
    #: the first intervention the assessment suggests for it, if any
    intervention: Optional[str]


class InFlight(_Out):
    """An action the pod agreed and has not finished (planned or in progress)."""

    assessment: str
    id: str
    title: str
    item_title: str
    owner: str
    status: str
    due: _dt.date
    overdue: bool


class AssessmentCard(_Out):
    """One assessment of the pod, from its report."""

    assessment: AssessmentRef
    #: file name stem of the full report
    report: str
    sessions: int
    latest: _dt.date
    status: Status
    score: Optional[float]
    level: Optional[str]
    level_title: Optional[str]
    #: why there is no level: the latest session's coverage against the minimum (empty when scored)
    why_not: str
    direction: Optional[Literal["improving", "steady", "declining"]]
    dimensions: list[StripCell]
    recommendations: list[TopRecommendation]
    debt_rating: str
    debt_open: float
    open_findings: int
    open_critical: int
    actions: list[InFlight]


class PodCard(_Out):
    """The one-page summary of a pod: its assessments in id order, then its actions in flight."""

    format: Literal["podkit-pod-summary/1"]
    podkit_version: str
    pod: str
    as_of: _dt.date
    redacted: bool
    assessments: list[AssessmentCard]


# --------------------------------------------------------------------------- building


def overall_direction(report: Report) -> Optional[str]:
    """The trend of the overall score: rule 11 applied to the scored sessions' overall scores."""
    points = [(p.session, exact(p.score)) for p in report.overall.series if p.score is not None]
    return direction(slope(points))


def _in_flight(report: Report) -> list[InFlight]:
    return [
        InFlight(assessment=report.assessment.id, id=a.id, title=a.title, item_title=a.item_title, owner=a.owner,
                 status=a.status, due=a.due, overdue=a.overdue)
        for a in report.actions if a.in_flight
    ]


def assessment_card(report: Report) -> AssessmentCard:
    """What the summary needs from one pod report (nothing recomputed but the overall arrow)."""
    o = report.overall
    latest = report.sessions[-1]
    alerted = {al.dimension for al in report.alerts if al.current}
    why_not = ""
    if o.status != SCORED:
        pct = round(o.coverage * 100)
        why_not = f"coverage {pct}% in the latest session, below the minimum of {round(report.settings.min_coverage * 100)}%"
        missing = [it.title for it in latest.items if not it.observed and not it.not_applicable]
        if missing:
            why_not += f"; not observed: {len(missing)} item{'s' if len(missing) != 1 else ''}"
    xd = report.execution_debt
    return AssessmentCard(
        assessment=report.assessment,
        report=report_name(report.pod, report.assessment.id),
        sessions=len(report.sessions),
        latest=o.date,
        status=o.status,
        score=o.score,
        level=o.level,
        level_title=o.level_title,
        why_not=why_not,
        direction=overall_direction(report),
        dimensions=[StripCell(id=d.id, title=d.title, score=d.score, status=d.status, direction=d.direction, alert=d.id in alerted) for d in report.dimensions],
        recommendations=[TopRecommendation(item=rec.item, title=rec.title, intervention=rec.interventions[0].title if rec.interventions else None)
                         for rec in report.recommendations[:TOP_RECOMMENDATIONS]],
        debt_rating=xd.rating,
        debt_open=xd.open,
        open_findings=xd.open_findings,
        open_critical=xd.open_critical,
        actions=_in_flight(report),
    )


def pod_cards(cards: Sequence[AssessmentCard], *, pods: Sequence[str], as_of: _dt.date, version: str, redact: bool = False) -> list[PodCard]:
    """One summary per pod, from the cards of its reports (``pods[i]`` is the pod of ``cards[i]``);
    pods in name order, assessments in id order."""
    by_pod: dict[str, list[AssessmentCard]] = defaultdict(list)
    for pod, card in zip(pods, cards, strict=True):
        by_pod[pod].append(card)
    return [
        PodCard(format=SUMMARY_FORMAT, podkit_version=version, pod=pod, as_of=as_of, redacted=redact,
                assessments=sorted(by_pod[pod], key=lambda c: c.assessment.id))
        for pod in sorted(by_pod)
    ]


def summaries_of(reports: Sequence[Report], *, as_of: _dt.date, version: str, redact: bool = False) -> list[PodCard]:
    """The summaries of reports held in memory."""
    return pod_cards([assessment_card(r) for r in reports], pods=[r.pod for r in reports], as_of=as_of, version=version, redact=redact)


# --------------------------------------------------------------------------- rendering


def _links(card: PodCard, fmt: str) -> dict:
    """Links from the summary to each full report, in the same format."""
    return {a.assessment.id: a.report + SUFFIX[fmt] for a in card.assessments}


def _context(card: PodCard, fmt: str, links: dict | None) -> dict:
    return {"c": card, "links": _links(card, fmt) if links is None else links, "for_pdf": fmt == "pdf", "arrows": ARROWS, "max_actions": MAX_ACTIONS,
            "in_flight": [a for ac in card.assessments for a in ac.actions]}


def render_summary_html(card: PodCard, renderer, *, links: dict | None = None, for_pdf: bool = False) -> str:
    return renderer.html.get_template("summary.html.j2").render(**_context(card, "pdf" if for_pdf else "html", links))


def render_summary_markdown(card: PodCard, renderer, *, links: dict | None = None) -> str:
    return renderer.md.get_template("summary.md.j2").render(**_context(card, "md", links))


def render_summary_pdf(card: PodCard, renderer, *, links: dict | None = None) -> bytes:
    """PDF/A-3b, one page, with the summary's data attached as ``summary.json``."""
    from .pdf import report_pdf

    html = render_summary_html(card, renderer, links=links, for_pdf=True)
    stamp = _dt.datetime.combine(card.as_of, _dt.time(0, 0), tzinfo=_dt.timezone.utc)
    return report_pdf(html, attachment=card.model_dump_json(indent=2) + "\n", attachment_name="summary.json", stamp=stamp)


def render_summary(card: PodCard, fmt: str, renderer) -> tuple[str, str | bytes]:
    """``(file name, content)`` of a pod's summary in one of :data:`SUMMARY_FORMATS`."""
    name = summary_name(card.pod) + SUFFIX[fmt]
    if fmt == "html":
        return name, render_summary_html(card, renderer)
    if fmt == "md":
        return name, render_summary_markdown(card, renderer)
    return name, render_summary_pdf(card, renderer)
