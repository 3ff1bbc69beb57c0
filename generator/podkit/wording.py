"""Every rubric sentence podkit prints: thresholds, gates and answers.

The site's assessment pages, the PDF toolkits and sheets, the reports and the blank observation
files all word these the same way because they all call these functions.
"""

from __future__ import annotations

from .model import AnchoredItem, CheckItem, CodesItem, CountItem, DimensionGate, ItemGate
from .text import plain


def threshold(value: float, percent: bool) -> str:
    """A threshold as written in a rubric: ``60%`` for shares of intervals, ``4`` for counts."""
    return f"{value * 100:g}%" if percent else f"{value:g}"


#: Words in a count item's unit that mean its values need not be whole numbers (a percentage,
#: an average, a share or a rate written in words).
_NOT_WHOLE_WORDS = ("percent", "%", "average", "share", " per ", "ratio", "divided")


def whole_counts(item) -> bool:
    """Whether a count item counts whole things (so "2–3" means 2 or 3): every threshold is a
    whole number, the item is neither a ratio (``denominator``) nor a rate (``per: hour``), and its
    unit names no percentage, average, share or rate."""
    if not isinstance(item, CountItem) or item.denominator is not None or item.per != "session":
        return False
    unit = f" {item.unit.lower()} ".replace(" per session ", " ")  # counted in one session: whole
    if any(w in unit for w in _NOT_WHOLE_WORDS):
        return False
    return all(float(v).is_integer() for v in item.thresholds.values())


def _span(lo: int, hi: int) -> str:
    """Whole numbers from ``lo`` to ``hi``: "2", "2–3"."""
    return f"{lo}" if lo == hi else f"{lo}–{hi}"


def threshold_bands(item, levels: list[int]) -> list[tuple[int, str]]:
    """Which values reach each level of a count or codes item, lowest level first.

    Whole-number counts (see :func:`whole_counts`) read as ranges: "0", "1", "2–3", "4 or more";
    other values as "below 50", "from 50 to under 75", "75 or more" (``better: higher``) or
    "above 50", "over 30, up to 50", "15 or less" (``better: lower``). Shares of intervals are
    percentages.
    """
    percent = isinstance(item, CodesItem)
    whole = whole_counts(item)
    t = item.thresholds
    higher = item.better == "higher"
    show = lambda v: threshold(v, percent)  # noqa: E731
    bands = []
    for lv in levels:
        cur = t.get(lv)
        if lv == 0:
            first = t[min(t)]
            if whole:
                if higher:
                    text = _span(0, int(first) - 1) if first >= 1 else "none (every count reaches a higher level)"
                else:
                    text = f"{int(first) + 1} or more"
            else:
                text = f"{'below' if higher else 'above'} {show(first)}"
            bands.append((lv, text))
            continue
        nxt = t.get(lv + 1)
        if whole:
            c = int(cur)
            if higher:
                text = f"{c} or more" if nxt is None else _span(c, int(nxt) - 1)
            else:
                text = (_span(0, c) if c <= 1 else f"{c} or fewer") if nxt is None else _span(int(nxt) + 1, c)
        elif higher:
            text = f"{show(cur)} or more" if nxt is None else f"from {show(cur)} to under {show(nxt)}"
        else:
            text = (f"{show(cur)}" if cur == 0 else f"{show(cur)} or less") if nxt is None else f"over {show(nxt)}, up to {show(cur)}"
        bands.append((lv, text))
    return bands


def gate_text(gate, assessment) -> str:
    """A readiness gate in words: ``item “Title” at level 2 or above``."""
    if isinstance(gate, ItemGate):
        try:
            title = assessment.item(gate.item).title
        except KeyError:
            title = gate.item
        return f"item “{plain(title)}” at level {gate.min_level} or above"
    assert isinstance(gate, DimensionGate)
    try:
        title = assessment.dimension(gate.dimension).title
    except KeyError:
        title = gate.dimension
    return f"dimension “{plain(title)}” scores {gate.min_score:g} or more"


def level_answer(level: int) -> str:
    return f"level {level}"


def check_answer(answer: bool) -> str:
    return "yes" if answer else "no"


def count_answer(count: float, unit: str) -> str:
    return f"{count:g} {unit}"


def intervals_answer(hits: int, total: int, share: float) -> str:
    return f"{hits} of {total} intervals ({share * 100:.0f}%)"


NOT_OBSERVED = "not observed"

#: What every report says of itself (issue: honest framing).
NOT_VALIDATED = ("These scores and readiness levels are for the pod's own improvement. They are not validated "
                 "and not norm-referenced: not for comparing pods, and never for judging people.")


def rubric_globals() -> dict:
    """What every template that prints a rubric (site pages, PDFs) needs: item kinds and the
    sentences above."""
    return {
        "is_anchored": lambda it: isinstance(it, AnchoredItem),
        "is_check": lambda it: isinstance(it, CheckItem),
        "is_count": lambda it: isinstance(it, CountItem),
        "is_codes": lambda it: isinstance(it, CodesItem),
        "threshold_bands": threshold_bands,
        "gate_text": gate_text,
    }


# --------------------------------------------------------------------------- agreed actions

#: Each verdict of an action review (:data:`podkit.actions.VERDICTS`) as reports word it: about
#: what followed the action, never about what caused it.
VERDICT_SENTENCES = {
    "improved": "the item's level is higher than before the action was agreed",
    "no change yet": "the item's level is the same as before the action was agreed",
    "worse": "the item's level is lower than before the action was agreed",
    "not observed since": "the item has not been observed since the action was agreed",
    "no level before": "the item had no level before the action was agreed, so there is nothing to compare",
}

#: The caveat printed with every "interventions that worked" roll-up.
ROLLUP_CAVEAT = (
    "These counts describe what was seen after pods agreed an intervention. They are not causal "
    "evidence: pods choose their actions, other things change at the same time, and levels move "
    "between sessions for many reasons."
)

#: What a finding shows when no action for its item is in flight on the report date.
NO_ACTION = "no action agreed"
