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


def threshold_bands(item, levels: list[int]) -> list[tuple[int, str]]:
    """Describe which values reach each level of a count or codes item, lowest level first."""
    percent = isinstance(item, CodesItem)
    t = item.thresholds
    bands = []
    for lv in levels:
        if lv == 0:
            first = t[min(t)]
            rel = "below" if item.better == "higher" else "above"
            bands.append((lv, f"{rel} {threshold(first, percent)}"))
            continue
        nxt = t.get(lv + 1)
        cur = t[lv]
        if item.better == "higher":
            text = f"{threshold(cur, percent)} or more" if nxt is None else f"from {threshold(cur, percent)} to below {threshold(nxt, percent)}"
        else:
            text = f"{threshold(cur, percent)} or fewer" if nxt is None else f"from {threshold(cur, percent)} down to above {threshold(nxt, percent)}"
            if percent and nxt is None:
                text = f"{threshold(cur, percent)} or less"
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
