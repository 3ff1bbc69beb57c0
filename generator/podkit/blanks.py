"""Blank observation records for ``podkit new-observation``: every item listed, ready to fill."""

from __future__ import annotations

import datetime as _dt
import math
import textwrap

from .model import SESSION_TYPES, AnchoredItem, Assessment, CheckItem, CodesItem, CountItem
from .wording import threshold_bands



def default_file_name(assessment_id: str, pod: str, date: _dt.date) -> str:
    return f"{pod}--{assessment_id}--{date.isoformat()}.yaml"


def _comment(text: str, indent: int, prefix: str = "") -> list[str]:
    """Wrap free text into YAML comment lines (newlines in the source cannot escape the '#')."""
    words = " ".join(str(text).split())
    pad = " " * indent + "# "
    lines = textwrap.wrap(prefix + words, width=100 - len(pad), subsequent_indent=" " * len(prefix) if len(prefix) < 12 else "    ", break_on_hyphens=False) or [prefix.rstrip()]
    return [pad + ln for ln in lines]


def blank_observation(a: Assessment, *, pod: str, date: _dt.date, observers: list[str], session_type: str, duration: int, schema_ref: str) -> str:
    """A YAML observation record listing every item, all marked not observed, ready to fill."""
    out = [
        f"# yaml-language-server: $schema={schema_ref}",
        f"# Observation record: {' '.join(a.title.split())} ({a.id} {a.version}).",
        "# For each item and observer, replace `not_observed: true` with the answer (the comment above",
        "# each item says which key to use) and write what you saw under `evidence`. Leave",
        "# `not_observed: true` where the session gave no chance to see the behaviour.",
        "# Describe what the pod did; never name or identify a person.",
        f"assessment: {a.id}",
        f"assessment_version: {a.version}",
        f"pod: {pod}",
        f"date: {date.isoformat()}",
        "session:",
        f"  type: {session_type}  # one of: {', '.join(SESSION_TYPES)}",
        f"  duration_minutes: {duration}",
        f"observers: [{', '.join(observers)}]",
        'notes: ""',
        "responses:",
    ]
    top = a.max_level
    for d in a.dimensions:
        out.append("")
        out.append(f"  # ── {' '.join(d.title.split())} " + "─" * max(3, 70 - len(d.title)))
        for it in a.items_in(d.id):
            out.append("")
            out += _comment(f"{it.title} ({it.kind}, weight {it.weight:g}, target {it.target})", 2, f"{it.id}: ")
            out += _comment(it.prompt, 2, "  ")
            if isinstance(it, AnchoredItem):
                out += _comment(f"Answer with level: {a.levels[0]}–{top}", 2, "  ")
                for lv in a.levels:
                    out += _comment(it.anchors.get(lv, ""), 2, f"    {lv} = ")
            elif isinstance(it, CheckItem):
                out += _comment(f"Answer with check: yes or no (passes when {it.pass_when}; a pass scores level {top})", 2, "  ")
            elif isinstance(it, CountItem):
                out += _comment(f"Answer with count: the number of {it.unit} ({it.better} is better)", 2, "  ")
                for lv, text in threshold_bands(it, a.levels):
                    out += _comment(text, 2, f"    level {lv}: ")
            elif isinstance(it, CodesItem):
                n = math.ceil(duration / it.interval_minutes)
                out += _comment(f"Answer with intervals: one list of the codes ticked in each {it.interval_minutes}-minute interval ({it.rule}), at most {n}, e.g. [[{it.codes[0].id}], [], [{it.codes[-1].id}]]", 2, "  ")
                for c in it.codes:
                    mark = " (scored)" if c.id in it.score_codes else ""
                    out += _comment(f"{c.label}{mark}: {c.description}", 2, f"    {c.id} = ")
                out += _comment(f"The share of intervals with a scored code gives the level ({it.better} is better):", 2, "  ")
                for lv, text in threshold_bands(it, a.levels):
                    out += _comment(text, 2, f"    level {lv}: ")
            out.append(f"  {it.id}:")
            for ob in observers:
                out.append(f"    {ob}:")
                out.append("      not_observed: true")
                out.append('      evidence: ""')
    return "\n".join(out) + "\n"
