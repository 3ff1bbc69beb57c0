"""Blank observation records for ``podkit new-observation``: every item listed, ready to fill."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import textwrap

from .model import SESSION_TYPES, AnchoredItem, Assessment, CheckItem, CodesItem, CountItem
from .wording import threshold_bands



#: The formats ``podkit new-observation --format`` writes.
BLANK_FORMATS = ("yaml", "csv")


def default_file_name(assessment_id: str, pod: str, date: _dt.date, fmt: str = "yaml") -> str:
    return f"{pod}--{assessment_id}--{date.isoformat()}.{fmt}"


def _plain(text: str) -> str:
    return " ".join(str(text).split())


def answer_guidance(it, a: Assessment, duration: int) -> str:
    """How to answer one item, in one paragraph: which column or key, and what each value means."""
    top = a.max_level
    if isinstance(it, AnchoredItem):
        anchors = "; ".join(f"{lv} = {_plain(it.anchors.get(lv, ''))}" for lv in a.levels)
        return f"Answer with level: {a.levels[0]}–{top} ({anchors})."
    if isinstance(it, CheckItem):
        return f"Answer with check: yes or no (passes when {_plain(it.pass_when)}; a pass scores level {top})."
    if isinstance(it, CountItem):
        bands = "; ".join(f"level {lv}: {text}" for lv, text in threshold_bands(it, a.levels))
        ratio = f", and out_of: the number of {it.denominator}" if it.denominator is not None else ""
        return f"Answer with count: the number of {_plain(it.unit)}{ratio} ({it.better} is better; {bands})."
    assert isinstance(it, CodesItem)
    n = math.ceil(duration / it.interval_minutes)
    codes = "; ".join(f"{c.id} = {_plain(c.label)}{' (scored)' if c.id in it.score_codes else ''}" for c in it.codes)
    bands = "; ".join(f"level {lv}: {text}" for lv, text in threshold_bands(it, a.levels))
    return (f"Answer with intervals: the codes ticked in each {it.interval_minutes}-minute interval, at most {n}; "
            f"intervals separated by |, codes in one interval by +, - for none, e.g. {it.codes[0].id}+{it.codes[-1].id}|-|{it.codes[0].id} "
            f"({codes}). The share of intervals with a scored code gives the level ({it.better} is better; {bands}).")


def blank_csv(a: Assessment, *, pod: str, date: _dt.date, observers: list[str], session_type: str, duration: int) -> str:
    """A CSV observation template: the header, then one row per item per observer, every row
    marked not observed until filled (with a byte-order mark, so that spreadsheets read it as
    UTF-8). The ``prompt`` column (ignored when read) holds the item's
    question and how to answer it, so that the file can be filled in a spreadsheet."""
    from .csvfiles import CSV_COLUMNS

    columns = list(CSV_COLUMNS)
    columns.remove("prompt")
    columns.insert(columns.index("item") + 1, "prompt")
    buf = io.StringIO(newline="")
    buf.write("\ufeff")  # a byte-order mark: spreadsheets then read the file as UTF-8
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for it in a.items:
        prompt = (f"{_plain(it.title)}: {_plain(it.prompt)} {answer_guidance(it, a, duration)} "
                  "Clear not_observed when you answer; write what the pod did under evidence, never who.")
        for ob in observers:
            row = dict.fromkeys(columns, "")
            row.update(assessment=a.id, assessment_version=a.version, pod=pod, date=date.isoformat(), session_type=session_type,
                       duration_minutes=str(duration), observer=ob, item=it.id, prompt=prompt, not_observed="yes")
            w.writerow([row[c] for c in columns])
    return buf.getvalue()


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
