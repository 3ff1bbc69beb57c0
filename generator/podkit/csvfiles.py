"""CSV observation files: one row per item per observer, for people who record in a spreadsheet.

Contract (a header row; lines whose first cell starts with ``#`` are comments)::

    assessment,assessment_version,pod,date,session_type,duration_minutes,observer,item,
    level,check,count,out_of,intervals,not_observed,not_applicable,reason,evidence

The first eight columns are required; the answer columns may be left out when unused. Rows with
the same assessment, pod, date and session type form one session; the observer ``consensus``
holds the value the observers agreed. ``check``, ``not_observed`` and ``not_applicable`` take
yes/no; ``intervals`` lists the codes ticked per interval: intervals separated by ``|``, codes in
an interval by ``+``, and ``-`` (or nothing) for an interval with no code ticked, e.g.
``MM+Q|Q|-|MM``. Problems name the row's line and the column.

Columns are separated by commas unless another delimiter is given (``--csv-delimiter ';'`` for a
spreadsheet that saves with semicolons); a file whose header row is separated by semicolons while
commas are expected gets a message saying so. ``podkit new-observation --format csv`` writes a
template: a ``prompt`` column (ignored when read) carries each item's question and how to answer.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from pathlib import Path

from .errors import Problem, SourceErrors
from .model import CONSENSUS
from .sources import Document, read_text

#: The interval notation of the ``intervals`` column: ``MM+Q|Q|-|MM``.
INTERVAL_SEP, CODE_SEP, EMPTY_INTERVAL = "|", "+", "-"
CSV_REQUIRED = ("assessment", "assessment_version", "pod", "date", "session_type", "duration_minutes", "observer", "item")
CSV_OPTIONAL = ("level", "check", "count", "out_of", "intervals", "not_observed", "not_applicable", "reason", "evidence")
#: Columns for people, ignored when read: the template's question and answer guidance per row.
CSV_GUIDANCE = ("prompt",)
CSV_COLUMNS = CSV_REQUIRED + CSV_OPTIONAL + CSV_GUIDANCE
#: Delimiters ``--csv-delimiter`` accepts (the spreadsheet exports people meet).
CSV_DELIMITERS = (",", ";", "\t", "|")

_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0"}


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
    for part in v.split(INTERVAL_SEP):
        part = part.strip()
        if part in ("", EMPTY_INTERVAL):
            out.append([])
        else:
            out.append([c.strip() for c in part.split(CODE_SEP)])
    return out


def _other_delimiter(row: list[str], delimiter: str) -> str | None:
    """The delimiter a header row read with ``delimiter`` seems to use instead, if any."""
    if len(row) != 1 and not (len(row) > 1 and all(not c.strip() for c in row[1:])):
        return None
    for other in CSV_DELIMITERS:
        if other != delimiter and other in row[0]:
            names = [c.strip().lower() for c in row[0].split(other)]
            if sum(1 for n in names if n in CSV_REQUIRED) >= 3:
                return other
    return None


def _delimiter_name(d: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}.get(d, repr(d))


def csv_documents(path: Path, root: Path | None, delimiter: str = ",") -> list[Document]:
    text = read_text(path, root=root)
    problems: list[Problem] = []
    # strict: a quote that is never closed is an error, not a field that swallows the rows after it
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
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
                other = _other_delimiter(row, delimiter)
                if other is not None:
                    raise SourceErrors([Problem(path, (
                        f"this file uses {_delimiter_name(other)} between columns; podkit reads {_delimiter_name(delimiter)}"
                        + (" — save as CSV (comma delimited), or pass" if delimiter == "," else "; pass")
                        + f" --csv-delimiter '{other}'"), line)])
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
    if observer not in data["observers"] and observer != CONSENSUS:
        data["observers"].append(observer)
        cmap[("observers", len(data["observers"]) - 1)] = (line, "observer")
    seen = first["seen"]
    if (item, observer) in seen:
        problems.append(Problem(path, f"duplicate response: observer {observer!r} already answered item {item!r} for this session on line {seen[(item, observer)]}", line))
        return
    seen[(item, observer)] = line
    response: dict = {}
    for col, conv in (("level", _cell_int), ("check", _cell_bool), ("count", _cell_float), ("out_of", _cell_float), ("intervals", _cell_intervals)):
        value = conv(cells.get(col, ""))
        if value is not None:
            response[col] = value
    for col in ("not_observed", "not_applicable"):
        flag = _cell_bool(cells.get(col, ""), empty=False)
        if flag is not False:
            response[col] = flag
    reason = cells.get("reason", "")
    if reason.strip():
        response["reason"] = reason.strip()
    evidence = cells.get("evidence", "")
    if evidence.strip():
        response["evidence"] = evidence.strip()
    data["responses"].setdefault(item, {})[observer] = response
    cmap.setdefault(("responses", item), (line, "item"))
    cmap[("responses", item, observer)] = (line, "observer")
    for col in CSV_OPTIONAL:
        cmap[("responses", item, observer, col)] = (line, col)
