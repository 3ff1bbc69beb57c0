"""Pydantic models for assessments and observation files.

Items always describe the behaviour of the pod as a whole. Nothing in these models can hold a
score for an individual person: observers are pseudonymous recorders, not subjects.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
)

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SEMVER_PATTERN = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$"
CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9-]{0,15}$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Version = Annotated[str, StringConstraints(pattern=SEMVER_PATTERN)]
CodeId = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
Weight = Annotated[float, Field(gt=0, le=100)]

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

    level: Annotated[int, Field(ge=0, le=10)]
    label: ShortText
    description: Text | None = None


class Setting(Strict):
    """Where and how the assessment is observed."""

    sessions: Annotated[list[SessionType], Field(min_length=1)]
    duration_minutes: Annotated[int, Field(ge=5, le=480)]
    observers: Annotated[int, Field(ge=1, le=4)] = 1
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
    target: Annotated[int, Field(ge=0, le=10)] = 2
    interventions: list[Intervention] = []
    notes: Text | None = None


class AnchoredItem(_ItemBase):
    """Ordinal item: the observer picks the level whose behavioural anchor matches."""

    kind: Literal["anchored"]
    anchors: dict[int, Text]


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
    better: Literal["higher", "lower"] = "higher"
    thresholds: dict[int, Annotated[float, Field(ge=0, le=1)]]


Item = Annotated[
    Union[AnchoredItem, CheckItem, CountItem, CodesItem], Field(discriminator="kind")
]


class ItemGate(Strict):
    """Gate: an item must be observed at or above a level."""

    item: Slug
    min_level: Annotated[int, Field(ge=0, le=10)]


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
    """Upper bound (inclusive) of point-days for a rating letter."""

    rating: Annotated[str, StringConstraints(pattern=r"^[A-Z]$")]
    max_point_days: Annotated[float, Field(ge=0)] | None = None


def _default_debt_grid() -> list[DebtGrade]:
    return [
        DebtGrade(rating="A", max_point_days=30),
        DebtGrade(rating="B", max_point_days=90),
        DebtGrade(rating="C", max_point_days=180),
        DebtGrade(rating="D", max_point_days=360),
        DebtGrade(rating="E", max_point_days=None),
    ]


class ScoringConfig(Strict):
    """How observations of this assessment are turned into a readiness report."""

    min_coverage: Annotated[float, Field(ge=0, le=1)] = 0.6
    degradation_drop: Annotated[float, Field(gt=0, le=100)] = 10.0
    baseline_sessions: Annotated[int, Field(ge=1, le=20)] = 3
    disagreement_spread: Annotated[int, Field(ge=1, le=10)] = 2
    debt_grid: list[DebtGrade] = Field(default_factory=_default_debt_grid)


def _default_scale() -> list[ScaleLevel]:
    return [
        ScaleLevel(level=0, label="Absent"),
        ScaleLevel(level=1, label="Emerging"),
        ScaleLevel(level=2, label="Established"),
        ScaleLevel(level=3, label="Embedded"),
    ]


class Assessment(Strict):
    id: Slug
    title: ShortText
    version: Version
    summary: Text
    purpose: Text
    setting: Setting
    scale: Annotated[list[ScaleLevel], Field(min_length=2)] = Field(default_factory=_default_scale)
    dimensions: Annotated[list[Dimension], Field(min_length=1)]
    items: Annotated[list[Item], Field(min_length=1)]
    readiness: Annotated[list[ReadinessLevel], Field(min_length=1)]
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    references: list[Text] = []
    tags: list[Slug] = []

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
    """One observer's record for one item. Exactly one value key, or ``not_observed: true``."""

    level: Annotated[int, Field(ge=0, le=10)] | None = None
    check: bool | None = None
    count: Annotated[float, Field(ge=0, le=1_000_000)] | None = None
    intervals: list[list[CodeId]] | None = None
    not_observed: bool = False
    evidence: Annotated[str, StringConstraints(max_length=4000)] = ""

    @property
    def value_keys(self) -> list[str]:
        return [k for k in ("level", "check", "count", "intervals") if getattr(self, k) is not None]


class SessionInfo(Strict):
    type: SessionType
    duration_minutes: Annotated[int, Field(ge=1, le=720)]


ObserverId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]


class Observation(Strict):
    """One observed session of one pod, recorded by one or more observers."""

    assessment: Slug
    assessment_version: Version
    pod: Slug
    date: _dt.date
    session: SessionInfo
    observers: Annotated[list[ObserverId], Field(min_length=1, max_length=4)]
    responses: dict[Slug, dict[ObserverId, Response]]
    notes: Annotated[str, StringConstraints(max_length=4000)] = ""

    @field_validator("date", mode="before")
    @classmethod
    def _no_datetime(cls, v):
        if isinstance(v, _dt.datetime):
            raise ValueError("expected a date like 2026-10-01, not a date and time")
        if isinstance(v, (int, float)):  # pydantic would read a number as seconds since 1970
            raise ValueError("expected a date like 2026-10-01, not a number")
        return v
