"""Observation files: read YAML, CSV and filled PDF sheets, and check them against the kit.

Every input becomes one or more :class:`Record` (a validated :class:`~podkit.model.Observation`
plus where it came from). Problems are collected across all files and raised together, located
as ``path:line:col: key: message`` for YAML, ``path:line: column 'name': message`` for CSV rows.

CSV contract (one row per item per observer; a header row; lines whose first cell starts with
``#`` are comments)::

    assessment,assessment_version,pod,date,session_type,duration_minutes,observer,item,
    level,check,count,intervals,not_observed,evidence

The first eight columns are required; the answer columns may be left out when unused. Rows with the
same assessment, pod, date and session type form one session. ``check`` and ``not_observed`` take
yes/no; ``intervals`` lists the codes ticked per interval: intervals separated by ``|``, codes in
an interval by ``+``, and ``-`` (or nothing) for an interval with no code ticked, e.g.
``MM+Q|Q|-|MM``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import difflib
import hashlib
import io
import math
import os
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .errors import PodkitError, Problem, SourceErrors
from .model import (
    SESSION_TYPES,
    AnchoredItem,
    Assessment,
    CheckItem,
    CodesItem,
    CountItem,
    Observation,
)
from .sources import MAX_PDF_BYTES, Document, check_file, load_yaml, read_text
from .validation import validate_document

#: File name endings read as observation files when a folder is given.
OBSERVATION_SUFFIXES = (".yaml", ".yml", ".csv", ".pdf")

CSV_REQUIRED = ("assessment", "assessment_version", "pod", "date", "session_type", "duration_minutes", "observer", "item")
CSV_OPTIONAL = ("level", "check", "count", "intervals", "not_observed", "evidence")
CSV_COLUMNS = CSV_REQUIRED + CSV_OPTIONAL

_KIND_ANSWER = {
    "anchored": ("level", "level: N (a level of the scale)"),
    "check": ("check", "check: yes or no"),
    "count": ("count", "count: a number"),
    "codes": ("intervals", "intervals: one list of ticked codes per interval"),
}

_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0"}

# Personal data in free text: e-mail addresses and phone numbers (international with "+",
# national starting with 0, and the North American 3-3-4 pattern). Dates and plain counts do not
# match, which keeps false alarms rare; a warning is all it produces.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_DIGITS = re.compile(r"\d")
_PHONE = re.compile(
    r"(?<![\w.])(?:\+\d[\d ()./-]{6,}\d|\(?0\d{1,4}\)?[ ./-]?\d[\d ./-]{4,}\d|\d{3}[-. ]\d{3}[-. ]\d{4})(?![\w])"
)


def personal_data(text: str) -> list[str]:
    """What kinds of personal data ``text`` seems to contain ("an e-mail address", …)."""
    found = []
    if "@" in text and _EMAIL.search(text):
        found.append("an e-mail address")
    if len(_DIGITS.findall(text)) >= 8:  # cheap test first: most notes hold few digits
        for m in _PHONE.finditer(text):
            if sum(ch.isdigit() for ch in m.group(0)) >= 8:
                found.append("a phone number")
                break
    return found


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Source:
    """One input file: where it is, a stable name for reports, and its SHA-256."""

    path: Path
    name: str
    sha256: str


@dataclass(frozen=True)
class Record:
    """One validated observation and where each response came from."""

    observation: Observation
    source: Source
    lines: dict = field(default_factory=dict)  # (item, observer) -> line in the source
    warnings: tuple = ()  # Problems of severity "warning" found in this record

    def where(self, item: str, observer: str) -> str:
        line = self.lines.get((item, observer))
        return f"{self.source.name}:{line}" if line else self.source.name


@dataclass
class ObservationSet:
    """Everything read from the inputs: records, their sources and the warnings found."""

    records: list[Record]
    sources: list[Source]
    warnings: list[Problem]


class CsvDocument(Document):
    """A CSV session shaped like an observation document; problems name row line and column."""

    def __init__(self, path: Path, data: dict, cells: dict[tuple, tuple[int, str]]):
        super().__init__(path, data, {})
        self.cells = cells

    def locate_cell(self, key: tuple) -> tuple[int | None, str | None]:
        key = tuple(key)
        while key:
            if key in self.cells:
                return self.cells[key]
            key = key[:-1]
        return self.cells.get((), (None, None))

    def locate(self, key: tuple):
        line, _ = self.locate_cell(key)
        return line, None

    def problem(self, message: str, key: tuple = (), severity="error", rule=None) -> Problem:
        line, column = self.locate_cell(key)
        if column:
            message = f"column {column!r}: {message}"
        return Problem(self.path, message, line, None, (), severity, rule)


# --------------------------------------------------------------------------- finding files


def collect_files(inputs: Iterable[Path]) -> tuple[list[tuple[Path, str, Path | None]], list[Problem]]:
    """Expand files and folders into ``(path, stable name, root for link checks)``, sorted.

    The stable name is the path relative to the folder given, prefixed with that folder's name,
    so reports do not depend on the working directory.
    """
    found: dict[Path, tuple[Path, str, Path | None]] = {}
    problems: list[Problem] = []
    for raw in inputs:
        p = Path(raw)
        if not p.exists():
            problems.append(Problem(p, "no such file or folder"))
            continue
        if p.is_dir():
            base = p.resolve()
            label = base.name or "inputs"
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                real_dir = Path(dirpath).resolve()  # once per folder, not once per file
                for name in sorted(filenames):
                    if name.startswith(".") or not name.lower().endswith(OBSERVATION_SUFFIXES):
                        continue
                    fp = Path(dirpath) / name
                    rel = fp.relative_to(p).as_posix()
                    found.setdefault(real_dir / name, (fp, f"{label}/{rel}", base))
            continue
        if not p.name.lower().endswith(OBSERVATION_SUFFIXES):
            problems.append(Problem(p, "not an observation file: expected .yaml, .yml, .csv or .pdf"))
            continue
        found.setdefault(p.resolve(), (p, p.name, None))
    files = sorted(found.values(), key=lambda t: t[1])
    return files, problems


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- parsing


def _yaml_documents(path: Path, root: Path | None) -> list[Document]:
    return [load_yaml(path, root=root)]


def _cell_int(value: str):
    v = value.strip()
    if v == "":
        return None
    if re.fullmatch(r"[+-]?\d+", v):
        return int(v)
    if re.fullmatch(r"[+-]?\d+\.0*", v):
        return int(float(v))
    return v


def _cell_float(value: str):
    v = value.strip()
    if v == "":
        return None
    try:
        f = float(v)
    except ValueError:
        return v
    return f if math.isfinite(f) else v


def _cell_bool(value: str, *, empty=None):
    v = value.strip().lower()
    if v == "":
        return empty
    if v in _YES:
        return True
    if v in _NO:
        return False
    return value.strip()


def _cell_intervals(value: str):
    v = value.strip()
    if v == "":
        return None
    out = []
    for part in v.split("|"):
        part = part.strip()
        if part in ("", "-"):
            out.append([])
        else:
            out.append([c.strip() for c in part.split("+")])
    return out


def _csv_documents(path: Path, root: Path | None) -> list[Document]:
    text = read_text(path, root=root)
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    sessions: dict[tuple, dict] = {}
    order: list[tuple] = []
    prev_line = 0
    try:
        for row in reader:
            line = prev_line + 1
            prev_line = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            if row[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = [c.strip().lower() for c in row]
                problems += _check_header(path, line, header)
                if problems:
                    raise SourceErrors(problems)
                continue
            if len(row) != len(header):
                problems.append(Problem(path, f"row has {len(row)} fields but the header has {len(header)}; quote fields that contain commas", line))
                continue
            cells = dict(zip(header, row))
            _add_csv_row(path, line, cells, sessions, order, problems)
    except csv.Error as exc:
        problems.append(Problem(path, f"CSV syntax error: {exc}", reader.line_num))
    if header is None:
        problems.append(Problem(path, "no header row: the first row must name the columns (" + ",".join(CSV_COLUMNS) + ")"))
    elif not order and not problems:
        problems.append(Problem(path, "no data rows after the header"))
    if problems:
        raise SourceErrors(problems)
    return [CsvDocument(path, sessions[k]["data"], sessions[k]["cells"]) for k in order]


def _check_header(path: Path, line: int, header: list[str]) -> list[Problem]:
    problems = []
    seen = set()
    for name in header:
        if name in seen:
            problems.append(Problem(path, f"column {name!r} appears twice in the header", line))
        seen.add(name)
        if name not in CSV_COLUMNS:
            msg = f"unknown column {name!r}"
            close = difflib.get_close_matches(name, CSV_COLUMNS, n=1)
            if close:
                msg += f" (did you mean {close[0]!r}?)"
            problems.append(Problem(path, msg + "; columns: " + ", ".join(CSV_COLUMNS), line))
    missing = [c for c in CSV_REQUIRED if c not in seen]
    if missing:
        problems.append(Problem(path, "missing required column" + ("s " if len(missing) > 1 else " ") + ", ".join(repr(m) for m in missing), line))
    return problems


def _add_csv_row(path, line, cells, sessions, order, problems) -> None:
    get = lambda k: cells.get(k, "").strip()  # noqa: E731
    key = (get("assessment"), get("pod"), get("date"), get("session_type"))
    first = sessions.get(key)
    if first is None:
        data = {
            "assessment": get("assessment"),
            "assessment_version": get("assessment_version"),
            "pod": get("pod"),
            "date": get("date"),
            "session": {"type": get("session_type"), "duration_minutes": _cell_int(cells.get("duration_minutes", ""))},
            "observers": [],
            "responses": {},
        }
        cmap = {
            (): (line, None),
            ("assessment",): (line, "assessment"),
            ("assessment_version",): (line, "assessment_version"),
            ("pod",): (line, "pod"),
            ("date",): (line, "date"),
            ("session",): (line, "session_type"),
            ("session", "type"): (line, "session_type"),
            ("session", "duration_minutes"): (line, "duration_minutes"),
            ("observers",): (line, "observer"),
        }
        first = sessions[key] = {"data": data, "cells": cmap, "line": line, "seen": {}}
        order.append(key)
    else:
        data = first["data"]
        for col, have in (("assessment_version", data["assessment_version"]), ("duration_minutes", data["session"]["duration_minutes"])):
            value = get(col) if col == "assessment_version" else _cell_int(cells.get(col, ""))
            if value != have:
                problems.append(Problem(path, f"column {col!r}: {value!r} differs from {have!r} on line {first['line']}, a row of the same session (same assessment, pod, date and session type)", line))
    data, cmap = first["data"], first["cells"]
    observer, item = get("observer"), get("item")
    if observer not in data["observers"]:
        data["observers"].append(observer)
        cmap[("observers", len(data["observers"]) - 1)] = (line, "observer")
    seen = first["seen"]
    if (item, observer) in seen:
        problems.append(Problem(path, f"duplicate response: observer {observer!r} already answered item {item!r} for this session on line {seen[(item, observer)]}", line))
        return
    seen[(item, observer)] = line
    response: dict = {}
    for col, conv in (("level", _cell_int), ("check", _cell_bool), ("count", _cell_float), ("intervals", _cell_intervals)):
        value = conv(cells.get(col, ""))
        if value is not None:
            response[col] = value
    not_observed = _cell_bool(cells.get("not_observed", ""), empty=False)
    if not_observed is not False:
        response["not_observed"] = not_observed
    evidence = cells.get("evidence", "")
    if evidence.strip():
        response["evidence"] = evidence.strip()
    data["responses"].setdefault(item, {})[observer] = response
    cmap.setdefault(("responses", item), (line, "item"))
    cmap[("responses", item, observer)] = (line, "observer")
    for col in CSV_OPTIONAL:
        cmap[("responses", item, observer, col)] = (line, col)


def _pdf_documents(path: Path, root: Path | None) -> list[Document]:
    check_file(path, limit=MAX_PDF_BYTES, root=root)
    try:
        from .sheets import read_sheet  # the printing stage owns the sheet layout
    except ImportError:
        raise SourceErrors([Problem(path, "reading filled PDF sheets needs podkit.sheets, which this installation lacks; export the sheet to YAML or CSV instead")]) from None
    try:
        data = read_sheet(path)
    except SourceErrors:
        raise
    except PodkitError as exc:
        raise SourceErrors([Problem(path, exc.format_message())]) from None
    except (OSError, ValueError, KeyError) as exc:
        raise SourceErrors([Problem(path, f"cannot read this PDF as a filled observation sheet: {exc}")]) from None
    except Exception as exc:  # pypdf raises its own error types for damaged files
        if type(exc).__module__.startswith("pypdf"):
            raise SourceErrors([Problem(path, f"cannot read this PDF: {exc}")]) from None
        raise
    return [Document(path, data, {(): (None, None)})]


_READERS = {".yaml": _yaml_documents, ".yml": _yaml_documents, ".csv": _csv_documents, ".pdf": _pdf_documents}


# --------------------------------------------------------------------------- checks


def _levels_text(a: Assessment) -> str:
    lv = a.levels
    return f"{lv[0]}–{lv[-1]}"


def check_observation(obs: Observation, kit_assessments: dict[str, Assessment], today: _dt.date) -> list[tuple[tuple, str, str]]:
    """Cross-checks against the kit: ``(key path, message, severity)`` triples."""
    found: list[tuple[tuple, str, str]] = []

    def err(key, msg):
        found.append((key, msg, "error"))

    def warn(key, msg):
        found.append((key, msg, "warning"))

    a = kit_assessments.get(obs.assessment)
    if a is None:
        known = ", ".join(sorted(kit_assessments)) or "none"
        msg = f"unknown assessment {obs.assessment!r}"
        close = difflib.get_close_matches(obs.assessment, list(kit_assessments), n=1)
        if close:
            msg += f" (did you mean {close[0]!r}?)"
        err(("assessment",), f"{msg}; the kit has: {known}")
        return found
    if obs.assessment_version != a.version:
        warn(("assessment_version",), f"recorded with version {obs.assessment_version} of {a.id!r}, but the kit has {a.version}; scored against {a.version}")
    if obs.date > today:
        err(("date",), f"date {obs.date.isoformat()} is in the future (today is {today.isoformat()})")
    if obs.session.type not in a.setting.sessions:
        warn(("session", "type"), f"{a.id!r} is meant for {', '.join(a.setting.sessions)} sessions, not {obs.session.type}")
    seen_obs = set()
    for i, o in enumerate(obs.observers):
        if o in seen_obs:
            err(("observers", i), f"observer {o!r} is listed twice")
        seen_obs.add(o)
    items = {it.id: it for it in a.items}
    for item_id, by_observer in obs.responses.items():
        it = items.get(item_id)
        if it is None:
            msg = f"unknown item {item_id!r}"
            close = difflib.get_close_matches(item_id, list(items), n=1)
            if close:
                msg += f" (did you mean {close[0]!r}?)"
            err(("responses", item_id), f"{msg}; items of {a.id!r}: {', '.join(items)}")
            continue
        for observer, r in by_observer.items():
            key = ("responses", item_id, observer)
            if observer not in seen_obs:
                err(key, f"observer {observer!r} is not listed in observers ({', '.join(obs.observers)})")
            found += _check_response(key, it, r, a, obs)
    if personal_data(obs.notes):
        warn(("notes",), f"session notes seem to contain {' and '.join(personal_data(obs.notes))}; describe the pod, never identify a person")
    return found


def _check_response(key, it, r, a: Assessment, obs: Observation) -> list[tuple[tuple, str, str]]:
    out: list[tuple[tuple, str, str]] = []
    keys = r.value_keys
    want, how = _KIND_ANSWER[it.kind]
    if r.not_observed and keys:
        out.append((key, f"not_observed: true and {keys[0]}: give an answer or mark the item not observed, not both", "error"))
    elif not r.not_observed and not keys:
        out.append((key, f"no answer: give {how}, or not_observed: true", "error"))
    elif len(keys) > 1:
        out.append((key, f"give one answer, not {' and '.join(keys)} (item {it.id!r} is a {it.kind} item: answer with {how})", "error"))
    elif keys and keys[0] != want:
        out.append((key + (keys[0],), f"item {it.id!r} is a{'n' if it.kind == 'anchored' else ''} {it.kind} item: answer with {how}, not {keys[0]}", "error"))
    elif keys:
        if want == "level" and r.level not in a.levels:
            out.append((key + ("level",), f"level {r.level} is outside the scale ({_levels_text(a)})", "error"))
        if want == "intervals":
            out += _check_intervals(key, it, r.intervals, obs)
    if r.evidence:
        kinds = personal_data(r.evidence)
        if kinds:
            out.append((key + ("evidence",), f"evidence note seems to contain {' and '.join(kinds)}; describe the pod, never identify a person", "warning"))
    return out


def _check_intervals(key, it: CodesItem, intervals: list[list[str]], obs: Observation):
    out = []
    codes = [c.id for c in it.codes]
    if not intervals:
        out.append((key + ("intervals",), "no intervals recorded: give one list of codes per interval, or not_observed: true", "error"))
        return out
    allowed = math.ceil(obs.session.duration_minutes / it.interval_minutes)
    if len(intervals) > allowed:
        out.append((key + ("intervals",), f"{len(intervals)} intervals recorded, but a {obs.session.duration_minutes}-minute session has at most {allowed} intervals of {it.interval_minutes} minutes", "error"))
    for i, interval in enumerate(intervals):
        seen = set()
        for j, code in enumerate(interval):
            if code not in codes:
                out.append((key + ("intervals", i, j), f"unknown code {code!r} in interval {i + 1}; this item's codes: {', '.join(codes)}", "error"))
            elif code in seen:
                out.append((key + ("intervals", i, j), f"code {code!r} is ticked twice in interval {i + 1}", "error"))
            seen.add(code)
    return out


# --------------------------------------------------------------------------- loading


def load_observations(inputs: Iterable[Path], assessments: Iterable[Assessment], *, today: _dt.date | None = None) -> ObservationSet:
    """Read and check every observation file under ``inputs``; raise all problems at once."""
    today = today or _dt.date.today()
    kit = {a.id: a for a in assessments}
    files, problems = collect_files(inputs)
    records: list[Record] = []
    sources: list[Source] = []
    if not files and not problems:
        problems.append(Problem(None, "no observation files (*.yaml, *.yml, *.csv, *.pdf) in the inputs given"))
    for path, name, root in files:
        reader = _READERS[path.suffix.lower()]
        try:
            docs = reader(path, root)
        except SourceErrors as exc:
            problems += exc.problems
            continue
        source = Source(path, name, _digest(path))
        sources.append(source)
        for doc in docs:
            obs, probs = validate_document(doc, Observation)
            problems += probs
            if obs is None:
                continue
            found = [doc.problem(msg, key, severity=severity) for key, msg, severity in check_observation(obs, kit, today)]
            problems += found
            if not any(p.severity == "error" for p in found):
                warned = tuple(p for p in found if p.severity != "error")
                records.append(Record(obs, source, _response_lines(doc, obs), warned))
    problems += _check_sessions(records)
    errors = [p for p in problems if p.severity == "error"]
    warnings = sorted((p for p in problems if p.severity != "error"), key=Problem.sort_key)
    if errors:
        raise SourceErrors(problems)
    return ObservationSet(records, sources, warnings)


def _response_lines(doc: Document, obs: Observation) -> dict:
    out = {}
    for item, by_observer in obs.responses.items():
        for observer in by_observer:
            line, _ = doc.locate(("responses", item, observer))
            if line:
                out[(item, observer)] = line
    return out


def session_key(obs: Observation) -> tuple:
    """Records with the same key are one session (several observers, several files)."""
    return (obs.assessment, obs.pod, obs.date, obs.session.type)


def _check_sessions(records: list[Record]) -> list[Problem]:
    """Records of one session from several files must fit together."""
    problems = []
    first: dict[tuple, Record] = {}
    answered: dict[tuple, Record] = {}
    for rec in records:
        o = rec.observation
        key = session_key(o)
        f = first.setdefault(key, rec)
        if f is not rec and f.observation.session.duration_minutes != o.session.duration_minutes:
            problems.append(Problem(rec.source.path, f"this session (pod {o.pod!r}, {o.date.isoformat()}, {o.session.type}) is also recorded in {f.source.name} with a duration of {f.observation.session.duration_minutes} minutes, not {o.session.duration_minutes}", None))
        for item, by_observer in o.responses.items():
            for observer in by_observer:
                k = key + (item, observer)
                other = answered.get(k)
                if other is not None and other is not rec:
                    problems.append(Problem(rec.source.path, f"duplicate response: observer {observer!r} already answered item {item!r} for this session (pod {o.pod!r}, {o.date.isoformat()}, {o.session.type}) in {other.where(item, observer)}", rec.lines.get((item, observer))))
                answered[k] = rec
    return problems


def merge_session(records: list[Record]) -> tuple[Observation, dict]:
    """Combine the records of one session into one observation and an evidence-location map."""
    if len(records) == 1:
        r = records[0]
        return r.observation, {k: r.where(*k) for k in _keys(r.observation)}
    base = records[0].observation
    observers: list[str] = []
    responses: dict[str, dict] = {}
    notes = []
    where = {}
    for r in records:
        o = r.observation
        for ob in o.observers:
            if ob not in observers:
                observers.append(ob)
        for item, by_observer in o.responses.items():
            responses.setdefault(item, {}).update(by_observer)
            for ob in by_observer:
                where[(item, ob)] = r.where(item, ob)
        if o.notes and o.notes not in notes:
            notes.append(o.notes)
    merged = base.model_copy(update={"observers": observers, "responses": responses, "notes": "\n\n".join(notes)})
    return merged, where


def _keys(obs: Observation):
    for item, by_observer in obs.responses.items():
        for ob in by_observer:
            yield (item, ob)


# --------------------------------------------------------------------------- blank files


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
    from .site import threshold_bands  # the same wording as the site's rubric pages

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


def write_new(path: Path, text: str) -> Path:
    """Write ``text`` to a new file atomically; refuse to replace an existing one."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        raise PodkitError(f"{path}: already exists; podkit never overwrites an observation record. Choose another name with -o.")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)  # fails if the name appeared meanwhile: never clobbers
    except FileExistsError:
        raise PodkitError(f"{path}: already exists; podkit never overwrites an observation record. Choose another name with -o.") from None
    except OSError:
        if path.exists():
            raise PodkitError(f"{path}: already exists; podkit never overwrites an observation record.") from None
        os.replace(tmp, path)  # file systems without hard links
        return path
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
