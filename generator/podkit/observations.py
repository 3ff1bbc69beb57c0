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
import marshal
import math
import os
import re
import textwrap
import zlib
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, NamedTuple

from .errors import PodkitError, Problem, SourceErrors
from .model import (
    SESSION_TYPES,
    AnchoredItem,
    Assessment,
    CheckItem,
    CodesItem,
    CountItem,
    CodeId,
    Observation,
    ObserverId,
    Slug,
    Version,
)
from .sources import MAX_PDF_BYTES, Document, check_file, decode_text, load_yaml, read_bytes, read_text, yaml_document
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


def _no_files(inputs) -> Problem:
    """The problem of inputs that hold no observation file, naming them."""
    given = [Path(p) for p in inputs] if isinstance(inputs, (list, tuple)) else []
    where = ", ".join(str(p) for p in given[:3]) + (", …" if len(given) > 3 else "")
    return Problem(given[0] if len(given) == 1 else None, "no observation files (*.yaml, *.yml, *.csv, *.pdf) " + (f"in {where}" if len(given) > 1 else "in the inputs given" if not given else "in this folder"))


def collect_files(inputs: Iterable[Path], *, as_text: bool = False) -> tuple[list[tuple[Path, str, Path | None]], list[Problem]]:
    """Expand files and folders into ``(path, stable name, root for link checks)``, sorted.

    The stable name is the path relative to the folder given, prefixed with that folder's name,
    so reports do not depend on the working directory. With ``as_text`` the paths are strings
    (100,000 ``Path`` objects take some 40 MB).
    """
    inputs = list(inputs)
    found: dict[str, tuple] = {}
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
                # once per folder, not once per file: thousands of files are common
                real_dir = str(Path(dirpath).resolve())
                rel_dir = Path(dirpath).relative_to(p).as_posix()
                prefix = f"{label}/" if rel_dir == "." else f"{label}/{rel_dir}/"
                for name in sorted(filenames):
                    if name.startswith(".") or not name.lower().endswith(OBSERVATION_SUFFIXES):
                        continue
                    fp = os.path.join(dirpath, name) if as_text else Path(dirpath) / name
                    found.setdefault(os.path.join(real_dir, name), (fp, prefix + name, base))
            continue
        if not p.name.lower().endswith(OBSERVATION_SUFFIXES):
            problems.append(Problem(p, "not an observation file: expected .yaml, .yml, .csv or .pdf"))
            continue
        found.setdefault(str(p.resolve()), (str(p) if as_text else p, p.name, None))
    files = sorted(found.values(), key=lambda t: t[1])
    if not files and not problems:
        problems.append(_no_files(inputs))
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
    # strict: a quote that is never closed is an error, not a field that swallows the rows after it
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
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
        hint = " (a quoted field is never closed: check the quotes from this line on)" if "end of data" in str(exc) else ""
        problems.append(Problem(path, f"CSV syntax error: {exc}{hint}", prev_line + 1))
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


_FACTS: dict[int, tuple] = {}


def _facts(a: Assessment) -> tuple[dict, frozenset]:
    """The assessment's items by id and its levels, worked out once per assessment, not per file."""
    hit = _FACTS.get(id(a))
    if hit is None or hit[0] is not a:
        hit = _FACTS[id(a)] = (a, {it.id: it for it in a.items}, frozenset(a.levels))
    return hit[1], hit[2]


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
    items, levels = _facts(a)
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
            found += _check_response(key, it, r, a, obs, levels)
    if personal_data(obs.notes):
        warn(("notes",), f"session notes seem to contain {' and '.join(personal_data(obs.notes))}; describe the pod, never identify a person")
    return found


def _check_response(key, it, r, a: Assessment, obs: Observation, levels: frozenset | None = None) -> list[tuple[tuple, str, str]]:
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
        if want == "level" and r.level not in (a.levels if levels is None else levels):
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


# --------------------------------------------------------------------------- fast path
# Thousands of files are read per run, and almost all of them are plainly valid. For those, a
# few exact type and pattern checks give the same values as the pydantic model at a fraction of
# its cost; anything unusual (a quoted number, a stray key, surrounding spaces, an error) goes
# through the model, which decides and words the problems exactly as before.


class LeanResponse(NamedTuple):
    """A response that passed the fast checks; reads like :class:`~podkit.model.Response`."""

    level: int | None
    check: bool | None
    count: float | None
    intervals: list | None
    not_observed: bool
    evidence: str

    @property
    def value_keys(self) -> list[str]:
        return [k for k, v in zip(_VALUE_KEYS, self) if v is not None]


class LeanSession(NamedTuple):
    type: str
    duration_minutes: int


class LeanObservation(NamedTuple):
    """An observation that passed the fast checks; reads like :class:`~podkit.model.Observation`."""

    assessment: str
    assessment_version: str
    pod: str
    date: _dt.date
    session: LeanSession
    observers: list
    responses: dict
    notes: str

    def model_copy(self, *, update: dict) -> "LeanObservation":
        return self._replace(**update)


_VALUE_KEYS = ("level", "check", "count", "intervals")
_RESPONSE_KEYS = frozenset(("level", "check", "count", "intervals", "not_observed", "evidence"))
_OBSERVATION_KEYS = frozenset(("assessment", "assessment_version", "pod", "date", "session", "observers", "responses", "notes"))
_REQUIRED_KEYS = _OBSERVATION_KEYS - {"notes"}
_SESSION_KEYS = frozenset(("type", "duration_minutes"))
_SESSION_TYPE_SET = frozenset(SESSION_TYPES)
_MAX_TEXT = 4000


def _pattern_check(pattern: str, max_length: int | None = None):
    """A cached exact test for ids: ``fullmatch`` is what pydantic's anchored pattern means."""
    regex = re.compile(pattern)
    good: set[str] = set()

    def ok(value) -> bool:
        if type(value) is not str:
            return False
        if value in good:
            return True
        if (max_length is not None and len(value) > max_length) or not regex.fullmatch(value):
            return False
        if len(good) < 100_000:
            good.add(value)
        return True

    return ok


def _id_check(annotated):
    """The fast test for an id type of the model, from its own pattern and length limit."""
    from typing import get_args

    c = next(m for m in get_args(annotated)[1:] if getattr(m, "pattern", None))
    return _pattern_check(c.pattern, c.max_length)


_slug_ok = _id_check(Slug)
_observer_ok = _id_check(ObserverId)
_code_ok = _id_check(CodeId)
_version_ok = _id_check(Version)


def _text_ok(value) -> bool:
    """Text the model keeps as it is: no surrounding white space to strip, within the limit."""
    return type(value) is str and (not value or not (value[0].isspace() or value[-1].isspace())) and len(value) <= _MAX_TEXT


def _lean_response(r) -> LeanResponse | None:
    if type(r) is not dict or not _RESPONSE_KEYS.issuperset(r):
        return None
    get = r.get
    level = get("level")
    if level is not None and (type(level) is not int or not 0 <= level <= 10):
        return None
    check = get("check")
    if check is not None and type(check) is not bool:
        return None
    count = get("count")
    if count is not None:
        kind = type(count)
        if (kind is not int and kind is not float) or not 0 <= count <= 1_000_000:
            return None
        count = float(count)
    intervals = get("intervals")
    if intervals is not None:
        if type(intervals) is not list:
            return None
        for interval in intervals:
            if type(interval) is not list:
                return None
            for code in interval:
                if not _code_ok(code):
                    return None
    not_observed = get("not_observed", False)
    evidence = get("evidence", "")
    if type(not_observed) is not bool or not _text_ok(evidence):
        return None
    return LeanResponse(level, check, count, intervals, not_observed, evidence)


def lean_observation(data) -> LeanObservation | None:
    """The observation in ``data`` if it is plainly valid, else ``None`` (then the model decides).

    Accepts a subset of what :class:`~podkit.model.Observation` accepts and gives the same values.
    """
    if type(data) is not dict or not _REQUIRED_KEYS.issubset(data) or not _OBSERVATION_KEYS.issuperset(data):
        return None
    session, observers, responses = data["session"], data["observers"], data["responses"]
    notes = data.get("notes", "")
    if not (_slug_ok(data["assessment"]) and _version_ok(data["assessment_version"]) and _slug_ok(data["pod"])
            and type(data["date"]) is _dt.date and _text_ok(notes)):
        return None
    if type(session) is not dict or session.keys() != _SESSION_KEYS:
        return None
    stype, duration = session["type"], session["duration_minutes"]
    if type(stype) is not str or stype not in _SESSION_TYPE_SET or type(duration) is not int or not 1 <= duration <= 720:
        return None
    if type(observers) is not list or not 1 <= len(observers) <= 4 or not all(_observer_ok(o) for o in observers):
        return None
    if type(responses) is not dict:
        return None
    lean: dict[str, dict] = {}
    for item, by_observer in responses.items():
        if not _slug_ok(item) or type(by_observer) is not dict:
            return None
        per = {}
        for observer, r in by_observer.items():
            resp = _lean_response(r) if _observer_ok(observer) else None
            if resp is None:
                return None
            per[observer] = resp
        lean[item] = per
    return LeanObservation(data["assessment"], data["assessment_version"], data["pod"], data["date"],
                           LeanSession(stype, duration), observers, lean, notes)


def read_records(path: Path, name: str, root: Path | None, kit: dict[str, Assessment], today: _dt.date) -> tuple[Source | None, list[Record], list[Problem]]:
    """Read, validate and check one input file: its source, its records and every problem found."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            raw = read_bytes(path, root=root)
            docs = [yaml_document(decode_text(raw, path), path)]
            digest = hashlib.sha256(raw).hexdigest()
        else:
            docs = _READERS[suffix](path, root)
            digest = _digest(path)
    except SourceErrors as exc:
        return None, [], list(exc.problems)
    source = Source(path, name, digest)
    records: list[Record] = []
    problems: list[Problem] = []
    for doc in docs:
        obs = lean_observation(doc.data)
        if obs is None:
            obs, probs = validate_document(doc, Observation)
            problems += probs
            if obs is None:
                continue
        found = [doc.problem(msg, key, severity=severity) for key, msg, severity in check_observation(obs, kit, today)]
        problems += found
        if not any(p.severity == "error" for p in found):
            warned = tuple(p for p in found if p.severity != "error")
            records.append(Record(obs, source, _response_lines(doc, obs), warned))
    return source, records, problems


# --------------------------------------------------------------------------- loading


def load_observations(inputs: Iterable[Path], assessments: Iterable[Assessment], *, today: _dt.date | None = None) -> ObservationSet:
    """Read and check every observation file under ``inputs``; raise all problems at once."""
    today = today or _dt.date.today()
    kit = {a.id: a for a in assessments}
    files, problems = collect_files(inputs)
    records: list[Record] = []
    sources: list[Source] = []
    if not files and not problems:
        problems.append(_no_files(inputs))
    for path, name, root in files:
        source, recs, probs = read_records(path, name, root, kit, today)
        problems += probs
        if source is not None:
            sources.append(source)
            records += recs
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


# --------------------------------------------------------------------------- streaming
# ``podkit score`` over tens of thousands of files: every input is read and checked first (as
# above), but the records wait in temporary files rather than in memory, and are read back one
# pod at a time for scoring. What stays in memory per file is a few dozen bytes (where its
# records are), so memory hardly grows with the number of files. With several workers, each
# reads a run of the (sorted) files into a spill file of its own; the runs are joined in order.

#: Below this many files, reading them in parallel does not pay for starting the workers.
PARALLEL_MIN_FILES = 400


@dataclass
class ObservationScan:
    """Every input read and checked; the records stay on disk until they are scored."""

    warnings: list[Problem]
    #: (assessment, pod) -> record numbers, in input order
    groups: dict[tuple[str, str], array]
    #: (assessment, pod) -> the date of its earliest session
    first_dates: dict[tuple[str, str], _dt.date]
    _spill_dir: str = field(default="", repr=False)
    _fds: list[int] = field(default_factory=list, repr=False)
    # where each record is (spill file, offset, size; its source file is stored with it), and
    # the warnings of the records that have any
    _spill: array = field(default_factory=lambda: array("H"), repr=False)
    _offset: array = field(default_factory=lambda: array("Q"), repr=False)
    _size: array = field(default_factory=lambda: array("I"), repr=False)
    _warnings: dict[int, tuple] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        """The number of records."""
        return len(self._offset)

    def records(self, numbers: Iterable[int]) -> list[Record]:
        """The records with these numbers, read back from the spill files."""
        out = []
        for n in numbers:
            blob = os.pread(self._fds[self._spill[n]], self._size[n], self._offset[n])
            out.append(_decode_record(blob, self._warnings.get(n, ())))
        return out

    def close(self) -> None:
        import shutil

        for fd in self._fds:
            os.close(fd)
        self._fds = []
        shutil.rmtree(self._spill_dir, ignore_errors=True)

    def __enter__(self) -> "ObservationScan":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _encode_record(rec: Record) -> bytes:
    o = rec.observation
    lines = rec.lines
    responses = tuple(
        (item, tuple((ob, lines.get((item, ob)), (r.level, r.check, r.count, r.intervals, r.not_observed, r.evidence)) for ob, r in per.items()))
        for item, per in o.responses.items()
    )
    src = rec.source
    return marshal.dumps((str(src.path), src.name, bytes.fromhex(src.sha256), o.assessment, o.assessment_version, o.pod,
                          o.date.toordinal(), o.session.type, o.session.duration_minutes, tuple(o.observers), o.notes, responses))


def _decode_record(blob: bytes, warnings: tuple) -> Record:
    path, name, digest, aid, version, pod, day, stype, duration, observers, notes, encoded = marshal.loads(blob)
    new = tuple.__new__
    lines = {}
    responses = {}
    for item, per in encoded:
        answers = responses[item] = {}
        for ob, line, values in per:
            answers[ob] = new(LeanResponse, values)
            if line:
                lines[(item, ob)] = line
    obs = LeanObservation(aid, version, pod, _dt.date.fromordinal(day), LeanSession(stype, duration), list(observers), responses, notes)
    return Record(obs, Source(Path(path), name, digest.hex()), lines, warnings)


def _session_hash(o) -> int:
    """A stable 32-bit hash of a record's session key (equal keys, equal hashes)."""
    return zlib.crc32(f"{o.assessment}\0{o.pod}\0{o.date.toordinal()}\0{o.session.type}".encode())


#: What forked workers read from their parent: (kit by id, today, spill folder, runs of files).
_SCAN: tuple = ()


def _scan_run(index: int) -> tuple:
    """Read run number ``index`` of the files into spill file number ``index``.

    Returns, for the run: per record (offset, size, session hash) as arrays, the warnings of
    records that have any, per group (record numbers, earliest date), and the problems found.
    """
    kit, today, spill_dir, runs = _SCAN
    files = runs[index]
    offsets, sizes, hashes = array("Q"), array("I"), array("I")
    warnings: dict[int, tuple] = {}
    groups: dict[tuple[str, str], list] = {}
    problems: list[Problem] = []
    offset = 0
    with open(os.path.join(spill_dir, str(index)), "wb") as spill:
        for path, name, root in files:
            source, recs, probs = read_records(Path(path), name, root, kit, today)
            if probs:
                problems += probs
            if source is None:
                continue
            for rec in recs:
                blob = _encode_record(rec)
                spill.write(blob)
                o = rec.observation
                n = len(offsets)
                offsets.append(offset)
                sizes.append(len(blob))
                hashes.append(_session_hash(o))
                if rec.warnings:
                    warnings[n] = rec.warnings
                group = groups.get((o.assessment, o.pod))
                if group is None:
                    groups[(o.assessment, o.pod)] = [array("I", [n]), o.date]
                else:
                    group[0].append(n)
                    if o.date < group[1]:
                        group[1] = o.date
                offset += len(blob)
    return offsets, sizes, hashes, warnings, groups, problems


def scan_observations(inputs: Iterable[Path], assessments: Iterable[Assessment], *, today: _dt.date | None = None, jobs: int | None = 1) -> ObservationScan:
    """Read and check every observation file like :func:`load_observations`, keeping the records
    in temporary files; raise all problems at once. Close the result when done.

    ``jobs`` workers read the files (0 or ``None``: one per core; small inputs use one).
    """
    import tempfile
    from collections import Counter

    from .workers import fork_pool, plan_workers

    global _SCAN
    today = today or _dt.date.today()
    kit = {a.id: a for a in assessments}
    files, problems = collect_files(inputs, as_text=True)
    scan = ObservationScan([], {}, {}, _spill_dir=tempfile.mkdtemp(prefix="podkit-records-"))
    try:
        workers = plan_workers(jobs, len(files), min_items=PARALLEL_MIN_FILES)
        runs = max(1, min(len(files), workers * 8)) if workers > 1 else 1  # several runs per worker even out their speed
        step = max(1, -(-len(files) // runs))
        _SCAN = (kit, today, scan._spill_dir, [files[start:start + step] for start in range(0, max(len(files), 1), step)])
        del files
        try:
            if workers > 1:
                with fork_pool(workers) as pool:
                    hashes = _join_runs(scan, pool.imap(_scan_run, range(len(_SCAN[3]))), problems)
            else:
                hashes = _join_runs(scan, map(_scan_run, range(len(_SCAN[3]))), problems)
        finally:
            _SCAN = ()
        # Only sessions recorded in several files can conflict: read just those back, one
        # session (or the few sharing its hash) at a time.
        counts = Counter(hashes)
        shared: dict[int, list[int]] = {}
        for n, h in enumerate(hashes):
            if counts[h] > 1:
                shared.setdefault(h, []).append(n)
        del counts, hashes
        for numbers in shared.values():
            problems += _check_sessions(scan.records(numbers))
        if any(p.severity == "error" for p in problems):
            raise SourceErrors(problems)
    except BaseException:
        scan.close()
        raise
    scan.warnings = sorted((p for p in problems if p.severity != "error"), key=Problem.sort_key)
    return scan


def _join_runs(scan: ObservationScan, results, problems: list[Problem]) -> array:
    """Append the runs' results to ``scan`` in order; return every record's session hash."""
    hashes = array("I")
    for spill, (offsets, sizes, run_hashes, warnings, groups, run_problems) in enumerate(results):
        scan._fds.append(os.open(os.path.join(scan._spill_dir, str(spill)), os.O_RDONLY))
        problems += run_problems
        base = len(scan)
        scan._spill.extend([spill] * len(offsets))
        scan._offset.extend(offsets)
        scan._size.extend(sizes)
        hashes.extend(run_hashes)
        for n, w in warnings.items():
            scan._warnings[base + n] = w
        for group, (numbers, first) in groups.items():
            have = scan.groups.get(group)
            if have is None:
                have = scan.groups[group] = array("I")
            have.extend(n + base for n in numbers)
            if first < scan.first_dates.get(group, _dt.date.max):
                scan.first_dates[group] = first
    return hashes


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
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException as exc:  # nothing half-written is left behind
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise PodkitError(f"{path}: cannot write the file: {exc.strerror or exc}") from None
        raise
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
