"""Agreement between observers: Krippendorff's alpha over the units two or more observers recorded.

Ordinal alpha over the levels of anchored, count and codes items; nominal alpha over checks
(pass / fail). A unit is one item in one session scored by two or more observers (their own values;
a consensus is never a unit's value). There is no number when no unit has two observers ("one
observer: agreement needs two") or when every value in those units is the same ("every value
identical"); the note says which. Read as ≥ .800 reliable, ≥ .667 tentative, below: recalibrate.
"""

from __future__ import annotations

import math
from typing import Literal, Sequence

from .results import Agreement, Reading

#: Why there is no alpha: the two cases, as the reports print them.
ONE_OBSERVER = "one observer: agreement needs two"
ALL_IDENTICAL = "every value identical: agreement cannot be told apart from chance"

#: Krippendorff (2004): .800 is the customary minimum; .667 the lowest for tentative conclusions.
RELIABLE = 0.8
TENTATIVE = 0.667


def reading(alpha: float | None) -> Reading | None:
    """How to read an alpha: reliable, tentative or recalibrate (``None`` without an alpha)."""
    if alpha is None:
        return None
    if alpha >= RELIABLE:
        return "reliable"
    if alpha >= TENTATIVE:
        return "tentative"
    return "recalibrate"


def krippendorff_alpha(units: Sequence[dict[str, float]], level: Literal["ordinal", "nominal"]) -> tuple[float | None, str]:
    """Alpha over ``units`` (each: observer -> value) and a note when it is undefined."""
    pairable = [u for u in units if len(u) >= 2]
    if not pairable:
        return None, ONE_OBSERVER
    values = {v for u in pairable for v in u.values()}
    if len(values) < 2:
        return None, ALL_IDENTICAL
    coders = sorted({c for u in pairable for c in u})
    alpha = _alpha(level, [[u.get(c) for u in pairable] for c in coders])
    if not math.isfinite(alpha):
        return None, "the recorded values do not allow an estimate"
    return alpha, ""


def _alpha(level: str, rows: list[list[float | None]]) -> float:
    """Krippendorff's alpha of a reliability matrix (coders × units, ``None`` where missing)."""
    import krippendorff  # numpy-backed; imported only when there is something to compute
    import numpy as np

    data = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


def agreement(level_units: list[dict[str, float]], check_units: list[dict[str, float]]) -> Agreement:
    """Alpha over the item levels (ordinal) and over the checks (nominal)."""
    alpha, note = krippendorff_alpha(level_units, "ordinal")
    c_alpha, c_note = krippendorff_alpha(check_units, "nominal")
    observers = {o for u in level_units + check_units if len(u) >= 2 for o in u}
    return Agreement(
        krippendorff_alpha=alpha,
        reading=reading(alpha),
        note=note,
        units=sum(1 for u in level_units if len(u) >= 2),
        checks_alpha=c_alpha,
        checks_reading=reading(c_alpha),
        checks_note=c_note,
        check_units=sum(1 for u in check_units if len(u) >= 2),
        observers=len(observers),
    )
