"""Result models: what scoring produces and ``podkit score`` writes as JSON.

:class:`Report` and :class:`Portfolio` are the JSON reports; their JSON Schemas are published with
``podkit schema report|portfolio``. These are plain data: nothing here computes a score.
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict

SCORED = "scored"
INSUFFICIENT = "insufficient-evidence"
Status = Literal["scored", "insufficient-evidence"]
Reading = Literal["reliable", "tentative", "recalibrate"]
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




class PodSummary(_Out):
    """What a portfolio needs from one pod report (kept, as JSON, instead of the whole report)."""

    assessment: AssessmentRef
    dimensions: list[AssessmentRef]
    pod: PortfolioPod

