"""Result models: what scoring produces and ``podkit score`` writes as JSON.

:class:`Report` and :class:`Portfolio` are the JSON reports; their JSON Schemas are published with
``podkit schema report|portfolio``. These are plain data: nothing here computes a score.
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict
from pydantic.dataclasses import dataclass as pydantic_dataclass

SCORED = "scored"
INSUFFICIENT = "insufficient-evidence"
Status = Literal["scored", "insufficient-evidence"]
Reading = Literal["reliable", "tentative", "recalibrate"]
REDACTED = "[redacted]"
REPORT_FORMAT = "podkit-report/1"
PORTFOLIO_FORMAT = "podkit-portfolio/1"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: For the result types a report or portfolio holds by the thousand (trend points, input files):
#: a slotted, frozen dataclass validated like a model (same rules, same JSON, same schema) takes
#: about a sixth of a model's memory.
_small = pydantic_dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))


# --------------------------------------------------------------------------- result types


class ObserverAnswer(_Out):
    """What one observer recorded for one item (the evidence behind the item's value)."""

    #: an observer's pseudonym, or ``consensus`` for the value the observers agreed
    observer: str
    not_observed: bool
    not_applicable: bool = False
    #: why the item did not apply (with ``not_applicable``)
    reason: str = ""
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
    #: scored in this session (neither not observed nor not applicable)
    observed: bool
    not_applicable: bool = False
    #: the session's value is the observers' consensus, not the mean of their scores
    consensus: bool = False
    #: observers who scored the item (the consensus not counted)
    observers: int
    #: combined level = item score × top level; a fraction when observers differ (1.5)
    level: Optional[float]
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
    #: weight of the items that applied in the session (not-applicable items left out)
    applicable_weight: float
    total_weight: float
    items: list[str]
    #: the pod's own rating of the dimension in this session, on 0-100 (rule 16); never in the score
    felt: Optional[float] = None


class GateCheck(_Out):
    kind: Literal["item", "dimension"]
    target: str
    text: str
    held: bool
    status: Literal["held", "failed", "not-applicable"]
    #: what was found: "level 1.5", "not observed", "insufficient evidence", …
    found: str


class ReadinessCheck(_Out):
    id: str
    title: str
    min_score: float
    score_met: bool
    gates: list[GateCheck]
    #: this level's own conditions hold (minimum score met, no gate failed)
    passed: bool
    #: reached: this level and every level below it passed
    reached: bool
    gates_not_applicable: int
    #: why the level did not pass (empty when it passed)
    reasons: list[str]


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
    #: the first readiness level that did not pass, and why
    first_failed: Optional[str]
    first_failed_title: Optional[str]
    first_failed_reasons: list[str]
    coverage: float
    dimensions: list[DimensionScore]
    items: list[ItemScore]
    readiness: list[ReadinessCheck]
    findings: list[str]
    not_applicable: list[str]
    disagreements: list[str]
    agreement: Agreement


# One session's score in a series: a report holds a few dozen, a portfolio of thousands of pods
# a few dozen per pod. (No docstring: it would become a description in the published schemas.)
@_small
class TrendPoint:
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
    #: why the direction and a current alert can both be true, when they seem to disagree
    note: str = ""
    series: list[TrendPoint]
    #: the pod's own rating in the latest session (0-100) and felt minus observed (rule 16)
    felt: Optional[float] = None
    felt_gap: Optional[float] = None


class Overall(_Out):
    score: Optional[float]
    level: Optional[str]
    level_title: Optional[str]
    first_failed: Optional[str] = None
    first_failed_title: Optional[str] = None
    first_failed_reasons: list[str] = []
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
    #: "against the previous session" or "against the rolling baseline of N sessions"
    comparison: str
    reference: float
    score: float
    drop: float
    current: bool
    #: minimal detectable change (MDC95) of the dimension, when it can be computed
    mdc: Optional[float]
    #: the drop is at or above the MDC (``None`` when the MDC cannot be computed)
    beyond_error: Optional[bool]
    #: the MDC sentence: whether the drop exceeds measurement error, or why that cannot be said
    error_note: str


class InterventionRef(_Out):
    #: the intervention's id within its item (the slug of its title), as ``podkit new-action`` takes it
    id: str
    title: str
    action: str
    effort: str


class Finding(_Out):
    item: str
    title: str
    dimension: str
    level: float
    target: int
    gap: float
    weight: float
    critical: bool
    session: int
    opened: _dt.date
    interventions: list[InterventionRef]
    #: id of the first action in flight (planned or in progress on ``as_of``) for this item, else None
    action: Optional[str] = None


class DebtInterval(_Out):
    """One stretch between two observations of a finding (or the last one and ``as_of``)."""

    start: _dt.date
    end: _dt.date
    gap: float
    days: int
    #: days of the stretch beyond ``interest_after_days`` (0 without interest)
    interest_days: int
    point_days: float


class LedgerEntry(_Out):
    item: str
    title: str
    dimension: str
    weight: float
    target: int
    critical: bool
    status: Literal["open", "closed"]
    opened: _dt.date
    opened_session: int
    closed: Optional[_dt.date]
    closed_session: Optional[int]
    #: the level and gap last observed while the finding was open
    level: float
    gap: float
    last_session: int
    days: int
    point_days: float
    intervals: list[DebtInterval]
    interventions: list[InterventionRef]
    #: id of the first action in flight for this item on ``as_of`` (open findings only), else None
    action: Optional[str] = None


class DebtGradeRef(_Out):
    rating: str
    max_point_days: Optional[float]
    max_open_findings: Optional[int]
    max_open_critical: Optional[int]


class ExecutionDebt(_Out):
    """The headline is open debt, graded A–E; closed findings are history ("paid down")."""

    open: float
    rating: str
    open_findings: int
    open_critical: int
    paid_down: float
    closed_findings: int
    #: open + paid down: every point-day incurred so far (history; not graded)
    total: float
    interest_after_days: Optional[int]
    interest_factor: float
    grid: list[DebtGradeRef]
    ledger: list[LedgerEntry]


class Recommendation(_Out):
    item: str
    title: str
    reasons: list[str]
    interventions: list[InterventionRef]
    #: recommendation ids ``<item>/<intervention id>``, one per intervention, in the same order
    ids: list[str]


class LevelAt(_Out):
    """An item's level at one session, as an action review shows it."""

    date: _dt.date
    #: the combined level; None when not observed (or not applicable) in that session
    level: Optional[float]
    not_applicable: bool = False


class ActionReviewed(_Out):
    """One agreed action as of the report date: status, overdue, levels before and after, verdict
    (the rules of :mod:`podkit.actions`). Owners are roles, never people."""

    id: str
    item: str
    item_title: str
    #: the intervention's id from the assessment; None for an intervention of the pod's own
    intervention: Optional[str]
    title: str
    owner: str
    agreed: _dt.date
    due: _dt.date
    status: Literal["planned", "in-progress", "done", "dropped"]
    #: the date of the status above (the last change on or before ``as_of``)
    status_date: _dt.date
    #: why the action was dropped
    reason: Optional[str]
    in_flight: bool
    overdue: bool
    #: the last session on or before the agreed date in which the item had a level
    before: Optional[LevelAt]
    #: every session after the agreed date, up to ``as_of``
    after: list[LevelAt]
    verdict: Literal["improved", "no change yet", "worse", "not observed since", "no level before"]
    #: the verdict as a sentence: what was seen after, never a claim of cause
    verdict_text: str


class ReportWarning(_Out):
    source: Optional[str]
    line: Optional[int]
    message: str


# One input file and its SHA-256 (a portfolio lists every one).
@_small
class InputFile:
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
    cadence_days: int
    roll_up_min_pods: int
    max_level: int
    scale: list[ScaleRef]


class SelfCheckQuestionRow(_Out):
    """One self-check question over the weeks shown: the pod's answer each week (``None``: not
    asked that week) and its yes answers out of its yes and no answers (rule 3 of
    :mod:`podkit.selfcheck`)."""

    id: str
    question: str
    item: str
    item_title: str
    dimension: str
    answers: list[Optional[Literal["yes", "no", "did-not-come-up"]]]
    yes: int
    answered: int


class SelfCheckTally(_Out):
    """Yes answers out of yes and no answers; ``answered`` 0 means no answer."""

    yes: int
    answered: int


class SelfCheckDimension(_Out):
    id: str
    title: str
    weeks: list[SelfCheckTally]  # one per week shown, in the order of ``SelfCheckSummary.weeks``


class SelfCheckWeek(_Out):
    date: _dt.date
    next_step: Optional[str] = None  # the one thing the pod said it would change
    owner: Optional[str] = None  # a role, never a person


class SelfCheckSummary(_Out):
    """The pod's own weekly answers (:mod:`podkit.selfcheck`): shown beside the observed scores,
    never mixed into them."""

    weeks: list[SelfCheckWeek]  # the weeks shown, oldest first
    earlier_weeks: int  # records before the weeks shown: counted, not shown
    questions: list[SelfCheckQuestionRow]
    dimensions: list[SelfCheckDimension]
    files: list[InputFile]
    caveat: str


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
    #: the pod's agreed actions for this assessment, in plan order, reviewed as of ``as_of``
    actions: list[ActionReviewed] = []
    #: the pod's weekly self-check for this assessment, never mixed into any observed score
    self_check: Optional[SelfCheckSummary] = None


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
    #: point-days of the findings still open on ``as_of`` (still growing), and their rating
    execution_debt_open: float
    execution_debt_rating: str
    #: point-days of closed findings: history, not graded
    execution_debt_paid_down: float
    open_findings: int
    open_critical: int
    current_alerts: int
    krippendorff_alpha: Optional[float]
    agreement_note: str
    #: why the pod deserves a conversation (empty: nothing flagged)
    needs_attention: list[str]
    #: actions planned or in progress after their due date, as of ``as_of``
    overdue_actions: int = 0
    #: open critical findings with no action in flight
    critical_without_action: int = 0


class InterventionOutcome(_Out):
    """One intervention across pods: counts of actions, never the pods' names."""

    item: str
    item_title: str
    intervention: str
    title: str
    #: how many different pods agreed it (at least ``min_pods``)
    pods: int
    agreed: int
    done: int
    #: done, then higher than before at the next observation with a level
    improved_next: int


class InterventionsThatWorked(_Out):
    """The roll-up of agreed interventions across the portfolio's pods (never causal evidence)."""

    #: interventions agreed by at least ``min_pods`` pods
    rows: list[InterventionOutcome]
    #: interventions agreed by fewer pods: counted, not named
    hidden: int
    min_pods: int
    caveat: str


class PortfolioAssessment(_Out):
    assessment: AssessmentRef
    dimensions: list[AssessmentRef]
    #: in name order, never ranked
    pods: list[PortfolioPod]
    #: the fewest pods a figure across pods may cover
    roll_up_min_pods: int
    #: mean overall score across the pods that have one, only when at least ``roll_up_min_pods`` do
    mean_overall: Optional[float]
    #: how many pods the mean covers, or why there is none
    roll_up_note: str
    #: across the pods' action plans; None when no pod agreed an intervention of the assessment
    interventions_that_worked: Optional[InterventionsThatWorked] = None


class Portfolio(_Out):
    """Several pods side by side, in name order: dimension scores, trends, open debt and what needs attention."""

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
    roll_up_min_pods: int
    pod: PortfolioPod
    #: the pod's reviewed actions, for the roll-up of interventions across pods
    actions: list[ActionReviewed] = []

