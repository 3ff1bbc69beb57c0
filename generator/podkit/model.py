"""Pydantic models for assessments and observation files.

Items always describe the behaviour of the pod as a whole. Nothing in these models can hold a
score for an individual person: observers are pseudonymous recorders, not subjects.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Annotated, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
)

# --------------------------------------------------------------------------- named limits
# One source for every limit of the files people write: the models below, the validation
# messages, the CLI's help and checks, and the README's "Limits" all read these names.

#: Ids of assessments, items, dimensions, pods: kebab-case, at most this long.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_ID_LENGTH = 64
SEMVER_PATTERN = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$"
#: Codes of time-sampled items: a letter first, then letters, digits and hyphens.
CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9-]{0,15}$"
#: Letters of the Execution Debt rating.
RATING_PATTERN = r"^[A-Z]$"
#: Observer ids are pseudonyms (``obs-a``), never names: letters, digits, ``-`` and ``_``.
OBSERVER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"
MAX_OBSERVER_ID_LENGTH = 32
#: The key beside the observer ids that holds the value the observers agreed after comparing notes.
CONSENSUS = "consensus"
#: Observers of one session (the design case is one or two).
MAX_OBSERVERS = 4
#: Free text (prompts, anchors, evidence, notes) and short text (titles, labels).
MAX_TEXT_LENGTH = 4000
MAX_SHORT_TEXT_LENGTH = 200
#: Highest level a scale may have.
MAX_LEVEL = 10
#: Longest observed session, in minutes.
MAX_SESSION_MINUTES = 720
#: Largest count an observer may record.
MAX_COUNT = 1_000_000
#: Most items one assessment may have: the PDF stage's cost grows faster than linearly (measured:
#: 100 items, 27 s and 290 MB for one toolkit and sheet; 200 items, 84 s and 480 MB).
MAX_ITEMS = 100

#: C0 and C1 control characters (tab, line feed and carriage return apart) and DEL: never part
#: of what a person writes, and able to rewrite a terminal or a report when echoed.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _no_control(value: str) -> str:
    found = CONTROL.search(value)
    if found:
        raise ValueError(f"contains the control character U+{ord(found.group()):04X}, which text may not hold; delete it")
    return value


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=MAX_ID_LENGTH)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_LENGTH, strip_whitespace=True), AfterValidator(_no_control)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_SHORT_TEXT_LENGTH, strip_whitespace=True), AfterValidator(_no_control)]
#: Optional free text (evidence, notes): may be empty.
Note = Annotated[str, StringConstraints(max_length=MAX_TEXT_LENGTH), AfterValidator(_no_control)]
Version = Annotated[str, StringConstraints(pattern=SEMVER_PATTERN)]
CodeId = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
Weight = Annotated[float, Field(gt=0, le=100)]
#: A level on a scale: a whole number written as one (``level: yes`` or ``2.0`` is refused).
Level = Annotated[int, Field(strict=True, ge=0, le=MAX_LEVEL)]

#: Kinds of session an assessment can be run in.
SessionType = Literal[
    "planning",
    "stand-up",
    "review",
    "retrospective",
    "refinement",
    "artefact-review",
    "working-session",
    "hand-off",
    "incident-review",
    "board-walk",
]
SESSION_TYPES: tuple[str, ...] = SessionType.__args__  # type: ignore[attr-defined]

ItemKind = Literal["anchored", "check", "count", "codes"]
ITEM_KINDS: tuple[str, ...] = ItemKind.__args__  # type: ignore[attr-defined]


class Strict(BaseModel):
    """Base for every model: unknown keys are errors, which catches typos."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --------------------------------------------------------------------------- assessment


class ScaleLevel(Strict):
    """One level of the assessment's ordinal scale (shared by every item)."""

    level: Level
    label: ShortText
    description: Text | None = None


class Setting(Strict):
    """Where and how the assessment is observed."""

    sessions: Annotated[list[SessionType], Field(min_length=1)]
    duration_minutes: Annotated[int, Field(ge=5, le=480)]
    observers: Annotated[int, Field(ge=1, le=MAX_OBSERVERS)] = 1
    participants: ShortText | None = None
    preparation: list[Text] = []
    notes: Text | None = None


class Dimension(Strict):
    id: Slug
    title: ShortText
    description: Text
    weight: Weight = 1.0


class Intervention(Strict):
    """A concrete action a pod can take next week to move the item up."""

    title: ShortText
    action: Text
    effort: Literal["small", "medium", "large"] = "small"


class _ItemBase(Strict):
    id: Slug
    dimension: Slug
    title: ShortText
    prompt: Text
    look_for: Annotated[list[Text], Field(min_length=1)]
    evidence: Text
    weight: Weight = 1.0
    critical: bool = False
    target: Level = 2
    #: When the item may be recorded as not applicable, e.g. "No work item was blocked during
    #: the session." Without it, every response must be an answer or "not observed".
    not_applicable: Text | None = None
    interventions: list[Intervention] = []
    notes: Text | None = None


class DecisionStep(Strict):
    """One row of an anchored item's decision rule: record ``level`` when ``when`` holds."""

    level: Level
    when: Text


class AnchoredItem(_ItemBase):
    """Ordinal item: the observer picks the level whose behavioural anchor matches.

    ``decision_rule`` maps any observation to exactly one level: its rows are checked top-down
    (highest level first) and the first that holds gives the level; the last row reads
    "otherwise" and gives the lowest level.
    """

    kind: Literal["anchored"]
    anchors: dict[int, Text]
    decision_rule: list[DecisionStep] | None = None


class CheckItem(_ItemBase):
    """Yes / no item: was the behaviour observed? A pass scores the top level."""

    kind: Literal["check"]
    pass_when: Literal["yes", "no"] = "yes"


class CountItem(_ItemBase):
    """A number (e.g. distinct speakers) mapped to levels by thresholds.

    ``thresholds`` maps a level to the boundary value that reaches it. With ``better: higher``
    a value >= thresholds[L] reaches L; with ``better: lower`` a value <= thresholds[L] does.
    Level 0 is everything else.
    """

    kind: Literal["count"]
    unit: ShortText
    better: Literal["higher", "lower"] = "higher"
    thresholds: dict[int, Annotated[float, Field(ge=0)]]
    #: A ratio item: the response also records ``out_of``, the number of these (e.g. "blocked
    #: items"); the value is count ÷ out_of and the thresholds are shares from 0 to 1. With
    #: ``out_of: 0`` the item is not applicable in that session.
    denominator: ShortText | None = None
    #: ``hour``: a rate; the count is divided by the session's length in hours before the
    #: thresholds apply.
    per: Literal["session", "hour"] = "session"


class Code(Strict):
    id: CodeId
    label: ShortText
    description: Text


class CodesItem(_ItemBase):
    """Time-sampled item, COPUS-style.

    The session is split into intervals of ``interval_minutes``; in each interval the observer
    ticks every code that occurred (under the stated recording ``rule``). The proportion of
    observed intervals in which any of ``score_codes`` was ticked maps to a level through
    ``thresholds`` (proportions 0-1, same direction rules as count items).
    """

    kind: Literal["codes"]
    interval_minutes: Annotated[int, Field(ge=1, le=30)]
    rule: Literal["partial-interval", "whole-interval", "momentary"] = "partial-interval"
    codes: Annotated[list[Code], Field(min_length=1)]
    score_codes: Annotated[list[CodeId], Field(min_length=1)]
    #: Only intervals in which one of these codes was ticked count in the denominator (e.g.
    #: intervals with AI output on screen); with none such, the item is not applicable.
    #: Without it, every recorded interval counts.
    denominator_codes: list[CodeId] | None = None
    better: Literal["higher", "lower"] = "higher"
    thresholds: dict[int, Annotated[float, Field(ge=0, le=1)]]


Item = Annotated[
    Union[AnchoredItem, CheckItem, CountItem, CodesItem], Field(discriminator="kind")
]


class ItemGate(Strict):
    """Gate: an item must be observed at or above a level."""

    item: Slug
    min_level: Level


class DimensionGate(Strict):
    """Gate: a dimension's score (0-100) must reach a minimum."""

    dimension: Slug
    min_score: Annotated[float, Field(ge=0, le=100)]


def _gate_tag(value):
    if isinstance(value, dict):
        return "dimension-gate" if "dimension" in value and "item" not in value else "item-gate"
    return "dimension-gate" if isinstance(value, DimensionGate) else "item-gate"


Gate = Annotated[
    Union[Annotated[ItemGate, Tag("item-gate")], Annotated[DimensionGate, Tag("dimension-gate")]],
    Discriminator(_gate_tag),
]


class ReadinessLevel(Strict):
    id: Slug
    title: ShortText
    description: Text
    min_score: Annotated[float, Field(ge=0, le=100)]
    gates: list[Gate] = []


class DebtGrade(Strict):
    """Upper bounds (inclusive) of open debt for a rating letter; a bound left out always holds."""

    rating: Annotated[str, StringConstraints(pattern=RATING_PATTERN)]
    #: open point-days (findings still open on the report date)
    max_point_days: Annotated[float, Field(ge=0)] | None = None
    #: open findings
    max_open_findings: Annotated[int, Field(ge=0)] | None = None
    #: open findings on critical items
    max_open_critical: Annotated[int, Field(ge=0)] | None = None


def _default_debt_grid() -> list[DebtGrade]:
    # A reads "little open debt": a few young findings, none critical. A new pod with five open
    # findings, two critical, gets C on its first day, before any point-day has accrued.
    return [
        DebtGrade(rating="A", max_point_days=30, max_open_findings=2, max_open_critical=0),
        DebtGrade(rating="B", max_point_days=90, max_open_findings=4, max_open_critical=1),
        DebtGrade(rating="C", max_point_days=180, max_open_findings=6, max_open_critical=2),
        DebtGrade(rating="D", max_point_days=360),
        DebtGrade(rating="E"),
    ]


#: The fewest pods a figure across pods (a mean, a count) may cover: fewer could single one out.
MIN_ROLL_UP_PODS = 3


class ScoringConfig(Strict):
    """How observations of this assessment are turned into a readiness report."""

    min_coverage: Annotated[float, Field(ge=0, le=1)] = 0.6
    degradation_drop: Annotated[float, Field(gt=0, le=100)] = 10.0
    baseline_sessions: Annotated[int, Field(ge=1, le=20)] = 3
    disagreement_spread: Annotated[int, Field(ge=1, le=10)] = 2
    debt_grid: Annotated[list[DebtGrade], Field(min_length=1)] = Field(default_factory=_default_debt_grid)
    #: Interest on long-lived findings: days beyond this age of a finding count
    #: ``interest_factor`` times. Off (``None``) by default.
    interest_after_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    interest_factor: Annotated[float, Field(ge=1, le=10)] = 1.5
    #: A pod with no observation for longer than this many days needs attention in a portfolio.
    cadence_days: Annotated[int, Field(ge=1, le=366)] = 28
    #: The fewest pods a roll-up across pods may cover (never fewer than MIN_ROLL_UP_PODS).
    roll_up_min_pods: Annotated[int, Field(ge=MIN_ROLL_UP_PODS, le=1000)] = MIN_ROLL_UP_PODS


def _default_scale() -> list[ScaleLevel]:
    return [
        ScaleLevel(level=0, label="Absent"),
        ScaleLevel(level=1, label="Emerging"),
        ScaleLevel(level=2, label="Established"),
        ScaleLevel(level=3, label="Embedded"),
    ]


#: Questions of one assessment's weekly pod self-check (eight across the kit is plenty).
MAX_SELF_CHECK_QUESTIONS = 12


class SelfCheckQuestion(Strict):
    """One question of the weekly pod self-check (:mod:`podkit.selfcheck`): about the pod's work,
    answered once for the pod, together, by looking at the board or an artefact. ``item`` is the
    observed item it mirrors; the question belongs to that item's dimension."""

    id: Slug
    item: Slug
    question: ShortText


class Assessment(Strict):
    id: Slug
    title: ShortText
    version: Version
    summary: Text
    purpose: Text
    setting: Setting
    scale: Annotated[list[ScaleLevel], Field(min_length=2)] = Field(default_factory=_default_scale)
    dimensions: Annotated[list[Dimension], Field(min_length=1)]
    items: Annotated[list[Item], Field(min_length=1, max_length=MAX_ITEMS)]
    readiness: Annotated[list[ReadinessLevel], Field(min_length=1)]
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    #: Ids of entries in the kit's bibliography (``content/references.md``), like ``sull-2015``;
    #: ``podkit lint`` warns about an id the bibliography does not define.
    references: list[Slug] = []
    tags: list[Slug] = []
    #: The pod's own weekly questions for this assessment, never mixed with observed scores.
    self_check: Annotated[list[SelfCheckQuestion], Field(max_length=MAX_SELF_CHECK_QUESTIONS)] = []

    @property
    def max_level(self) -> int:
        return max(s.level for s in self.scale)

    @property
    def levels(self) -> list[int]:
        return sorted(s.level for s in self.scale)

    def item(self, item_id: str):
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def dimension(self, dim_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(dim_id)

    def items_in(self, dim_id: str) -> list:
        return [it for it in self.items if it.dimension == dim_id]


# --------------------------------------------------------------------------- observation


class Response(Strict):
    """One observer's record for one item: exactly one answer, ``not_observed: true``, or
    ``not_applicable: true`` with a ``reason`` (where the item allows it)."""

    level: Level | None = None
    check: Annotated[bool, Field(strict=True)] | None = None
    count: Annotated[float, Field(strict=True, ge=0, le=MAX_COUNT)] | None = None
    #: The denominator of a ratio count item (see ``CountItem.denominator``).
    out_of: Annotated[float, Field(strict=True, ge=0, le=MAX_COUNT)] | None = None
    intervals: list[list[CodeId]] | None = None
    not_observed: Annotated[bool, Field(strict=True)] = False
    not_applicable: Annotated[bool, Field(strict=True)] = False
    #: Why the item did not apply in this session (required with ``not_applicable``).
    reason: Note = ""
    evidence: Note = ""

    @property
    def value_keys(self) -> list[str]:
        return [k for k in ("level", "check", "count", "intervals") if getattr(self, k) is not None]


class SessionInfo(Strict):
    type: SessionType
    duration_minutes: Annotated[int, Field(strict=True, ge=1, le=MAX_SESSION_MINUTES)]


ObserverId = Annotated[str, StringConstraints(pattern=OBSERVER_ID_PATTERN)]
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_value(v):
    """A date written YYYY-MM-DD (or parsed as a date by YAML); anything else is refused.

    pydantic would read a number, or digits in text, as seconds since 1970; and a date written any
    other way than YYYY-MM-DD is ambiguous (is 03/04 March or April?).
    """
    if isinstance(v, _dt.datetime):
        raise ValueError("expected a date like 2026-10-01, not a date and time")
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, str) and _DATE_TEXT.match(v.strip()):
        return v.strip()
    raise ValueError("expected a date like 2026-10-01 (written YYYY-MM-DD)")


class Observation(Strict):
    """One observed session of one pod, recorded by one or more observers.

    ``responses`` maps an item to the observers' records; beside the observer ids, the reserved
    key ``consensus`` holds the value the observers agreed after comparing notes.
    """

    assessment: Slug
    assessment_version: Version
    pod: Slug
    date: _dt.date
    session: SessionInfo
    observers: Annotated[list[ObserverId], Field(min_length=1, max_length=MAX_OBSERVERS)]
    responses: dict[Slug, dict[ObserverId, Response]]
    #: The pod's own rating of each dimension (dimension id -> a level of the scale), agreed by
    #: the pod in a two-minute check at the end of the session: one rating for the pod, never one
    #: per person. Reports show it beside the observed score and never mix the two.
    felt: dict[Slug, Level] = {}
    notes: Note = ""

    @field_validator("date", mode="before")
    @classmethod
    def _date_only(cls, v):
        return _date_value(v)

    @field_validator("observers")
    @classmethod
    def _not_reserved(cls, v):
        if CONSENSUS in v:
            raise ValueError(f"{CONSENSUS!r} is reserved for the observers' agreed value; give observers pseudonymous ids like 'obs-a'")
        return v


# --------------------------------------------------------------------------- action plan
# An action plan (``actions/<pod>.yaml``) records what a pod agreed to do about a finding: which
# item, which intervention, which role takes it, by when, and how it went. The cross-checks the
# schema cannot express (the item and intervention exist, dates in order, unique ids) live in
# :mod:`podkit.actions`.

from pydantic import BeforeValidator  # noqa: E402  (kept with the section that uses them)

#: Actions one plan may hold.
MAX_ACTIONS = 200
#: Status changes one action may record.
MAX_STATUS_CHANGES = 20
#: Roles that may own an action. Roles, never people: the plan records the pod's process, not
#: who in it did or did not deliver, so nothing in it can rank or single out a person.
OWNER_ROLES: tuple[str, ...] = (
    "pod",
    "pod-lead",
    "product-owner",
    "facilitator",
    "hr-partner",
    "engineering-manager",
    "agile-coach",
    "sponsor",
    "other",
)
#: The owner that needs ``owner_role``, a short role name of the organisation's own.
OTHER_ROLE = "other"
#: A role written out with ``owner: other``: lowercase kebab-case like ``release-manager``, in the
#: style of observer ids (no spaces, no ``@``, no dots), so a full name or an address cannot fit.
ROLE_PATTERN = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
MAX_ROLE_LENGTH = MAX_OBSERVER_ID_LENGTH
#: What an action can be: planned, being done, done, or dropped (with a reason).
ActionStatus = Literal["planned", "in-progress", "done", "dropped"]
ACTION_STATUSES: tuple[str, ...] = ActionStatus.__args__  # type: ignore[attr-defined]

_ROLE = re.compile(ROLE_PATTERN)


def _owner(value: str) -> str:
    if value not in OWNER_ROLES:
        raise ValueError(
            f"expected a role, one of: {', '.join(OWNER_ROLES)} (with 'other', write the role in owner_role); "
            "an action is owned by a role, never by a named person"
        )
    return value


def _role_text(value: str) -> str:
    if len(value) > MAX_ROLE_LENGTH or not _ROLE.match(value):
        raise ValueError(
            f"expected a role like 'release-manager' (lowercase letters, digits, single hyphens; up to {MAX_ROLE_LENGTH}), "
            "never a person's name or address"
        )
    return value


ActionDate = Annotated[_dt.date, BeforeValidator(_date_value)]
OwnerRole = Annotated[str, AfterValidator(_owner), Field(json_schema_extra={"enum": list(OWNER_ROLES)})]
RoleText = Annotated[str, AfterValidator(_role_text), Field(json_schema_extra={"pattern": ROLE_PATTERN, "maxLength": MAX_ROLE_LENGTH})]


class StatusChange(Strict):
    """One change of an action's status, on the day it happened. ``reason`` says why an action
    was dropped (required then, and only then: :mod:`podkit.actions` checks it)."""

    # the same rule for editors, in the published JSON Schema
    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"status": {"const": "dropped"}}, "required": ["status"]},
        "then": {"required": ["reason"]},
        "else": {"not": {"required": ["reason"]}},
    })

    status: ActionStatus
    date: ActionDate
    reason: ShortText | None = None


class Action(Strict):
    """One agreed action of a pod: the item it addresses and the intervention it applies.

    ``intervention`` names one of the item's interventions by its id (the slug of its title, see
    :func:`podkit.actions.intervention_id`); ``custom`` gives the title of an intervention the
    kit does not list. Exactly one of the two (checked, with the other rules the schema cannot
    express, by :mod:`podkit.actions`). ``owner`` is a role (``owner: other`` names it in
    ``owner_role``); ``history`` lists every status change with its date, oldest first, and its
    last entry is the current status.

    Why a role and never a name: like observer ids, the owner keeps the record about the pod's
    process. A named owner would turn the plan into a record of who did or did not deliver, which
    a report could then single out; a role says who in the pod's way of working picks it up.
    """

    # the rules a JSON Schema can state too, for editors
    model_config = ConfigDict(json_schema_extra={"allOf": [
        {"oneOf": [{"required": ["intervention"]}, {"required": ["custom"]}]},
        {
            "if": {"properties": {"owner": {"const": OTHER_ROLE}}, "required": ["owner"]},
            "then": {"required": ["owner_role"]},
            "else": {"not": {"required": ["owner_role"]}},
        },
    ]})

    id: Slug
    assessment: Slug
    item: Slug
    intervention: Slug | None = None
    custom: ShortText | None = None
    owner: OwnerRole
    owner_role: RoleText | None = None
    agreed: ActionDate
    due: ActionDate
    history: Annotated[list[StatusChange], Field(min_length=1, max_length=MAX_STATUS_CHANGES)]
    notes: Note = ""

    @property
    def status(self) -> str:
        return self.history[-1].status


class ActionPlan(Strict):
    """The actions one pod agreed, in the order they were written (``actions/<pod>.yaml``)."""

    pod: Slug
    actions: Annotated[list[Action], Field(max_length=MAX_ACTIONS)] = []
