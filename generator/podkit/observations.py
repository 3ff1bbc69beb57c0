"""Observation files: find them, read YAML, CSV (see :mod:`podkit.csvfiles`) and filled PDF
sheets (see :mod:`podkit.sheets`), and check them against the kit.

The inputs of ``podkit score`` are walked once (:func:`find_inputs`), which also finds the pods'
action plans and self-check records, so that all three follow the same rules for symbolic
links, hidden names and report folders; :mod:`podkit.actions` and :mod:`podkit.selfcheck` read
them.

Every input becomes one or more :class:`Record` (a validated :class:`~podkit.model.Observation`
plus where it came from). Problems are collected across all files and raised together, located
as ``path:line:col: key: message`` for YAML, ``path:line: column 'name': message`` for CSV rows.
Records of one session (same assessment, pod, date and session type), from one file or several,
are merged into one observation for scoring.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from .actions import ACTIONS_FOLDER, is_action_file
from .selfcheck import SELF_CHECK_FOLDER, is_self_check_file
from .csvfiles import csv_documents
from .errors import PodkitError, Problem, SourceErrors
from .privacy import personal_data
from .outputs import is_output_dir
from .model import CONSENSUS, Assessment, CodesItem, CountItem, Observation
from .sources import MAX_PDF_BYTES, Document, check_file, decode_text, load_yaml, read_bytes, walk_inside, yaml_document
from .validation import validate_document

#: File name endings read as observation files when a folder is given.
OBSERVATION_SUFFIXES = (".yaml", ".yml", ".csv", ".pdf")

_KIND_ANSWER = {
    "anchored": ("level", "level: N (a level of the scale)"),
    "check": ("check", "check: yes or no"),
    "count": ("count", "count: a number"),
    "codes": ("intervals", "intervals: one list of ticked codes per interval"),
}

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


# --------------------------------------------------------------------------- finding files


def _no_files(inputs) -> Problem:
    """The problem of inputs that hold no observation file, naming them."""
    given = [Path(p) for p in inputs] if isinstance(inputs, (list, tuple)) else []
    where = ", ".join(str(p) for p in given[:3]) + (", …" if len(given) > 3 else "")
    return Problem(given[0] if len(given) == 1 else None, "no observation files (*.yaml, *.yml, *.csv, *.pdf) " + (f"in {where}" if len(given) > 1 else "in the inputs given" if not given else "in this folder"))


class Found(NamedTuple):
    """What one walk of ``podkit score``'s inputs finds (see :func:`find_inputs`)."""

    #: Observation files as ``(path, stable name, root for link checks)``, in name order.
    observations: list[tuple[Path, str, Path | None]]
    #: Action plans (``actions/<pod>.yaml``), in path order.
    plans: list[Path]
    #: Self-check records (``self-check/<pod>-<date>.yaml``), in path order.
    self_checks: list[Path]
    #: Every problem found, located: an input that is missing, a link leading out of the folder
    #: given, a file given by name that is none of the three, or no observation file at all.
    problems: list[Problem]


#: Folders whose YAML files are not observations: action plans and self-check records.
_KEPT_APART = (ACTIONS_FOLDER, SELF_CHECK_FOLDER)


def _kept_in(path: Path) -> str | None:
    """The folder (``actions`` or ``self-check``) that makes ``path`` a plan or a record, if any."""
    return ACTIONS_FOLDER if is_action_file(path) else SELF_CHECK_FOLDER if is_self_check_file(path) else None


def find_inputs(inputs: Iterable[Path]) -> Found:
    """The observation files, action plans and self-check records among ``inputs`` (files and
    folders, as given to ``podkit score``), in one walk so that all three follow the same rules.

    Inside a folder given, symbolic links are followed while the whole chain stays inside it; one
    that leads out of it, to nothing or in a loop is a problem naming it (never a silently missing
    session, plan or record). Hidden names and subfolders that carry podkit's output marker
    (reports written inside the inputs) are left out. A YAML file directly in a folder named
    ``actions`` is an action plan, one directly in a folder named ``self-check`` a self-check
    record (:func:`podkit.actions.is_action_file`, :func:`podkit.selfcheck.is_self_check_file`),
    whether the file, that folder or a folder above it is given; other files below such a folder
    are none of the three. The stable name of an observation file is its path relative to the
    folder given, prefixed with that folder's name, so reports do not depend on the working
    directory. Each file is found once. With no observation file and no other problem, that is
    the problem.
    """
    inputs = list(inputs)
    observations: dict[str, tuple] = {}
    kept: dict[str, dict[str, Path]] = {name: {} for name in _KEPT_APART}
    problems: list[Problem] = []
    real_dirs: dict[Path, str] = {}
    for raw in inputs:
        p = Path(raw)
        if not p.exists():
            problems.append(Problem(p, "no such file or folder"))
            continue
        if not p.is_dir():
            if (folder := _kept_in(p)) is not None:
                kept[folder].setdefault(str(p.resolve()), p)
            elif not p.name.lower().endswith(OBSERVATION_SUFFIXES):
                problems.append(Problem(p, "not an observation file: expected .yaml, .yml, .csv or .pdf"))
            else:
                observations.setdefault(str(p.resolve()), (p, p.name, None))
            continue
        base = p.resolve()
        label = base.name or "inputs"
        report_dirs: dict[str, bool] = {}
        files, probs = walk_inside(p, p, f"the folder {p}")
        problems += probs
        for path, rel in files:
            folders = [p.name, *rel.split("/")[:-1]]  # the folder given down to the file's own
            folder = _kept_in(path) if folders[-1] in _KEPT_APART else None
            if folder is None and (not path.name.lower().endswith(OBSERVATION_SUFFIXES) or any(f in _KEPT_APART for f in folders)):
                continue  # not an observation file, or another file below actions/ or self-check/
            if _in_report_folder(p, rel, report_dirs):
                continue  # reports podkit wrote (``score -o`` inside the inputs) are not inputs
            if folder is not None:
                kept[folder].setdefault(str(path.resolve()), path)
                continue
            real_dir = real_dirs.get(path.parent)
            if real_dir is None:  # once per folder, not once per file: thousands of files are common
                real_dir = real_dirs[path.parent] = str(path.parent.resolve())
            observations.setdefault(os.path.join(real_dir, path.name), (path, f"{label}/{rel}", base))
    files = sorted(observations.values(), key=lambda t: t[1])
    if not files and not problems:
        problems.append(_no_files(inputs))
    plans, self_checks = (sorted(kept[name].values(), key=lambda q: q.as_posix()) for name in _KEPT_APART)
    return Found(files, plans, self_checks, problems)


def collect_files(inputs: Iterable[Path]) -> tuple[list[tuple[Path, str, Path | None]], list[Problem]]:
    """The observation files among ``inputs`` and the problems of :func:`find_inputs`."""
    found = find_inputs(inputs)
    return found.observations, found.problems


def _in_report_folder(folder: Path, rel: str, cache: dict[str, bool]) -> bool:
    """Whether ``folder/rel`` lies in a subfolder that carries podkit's output marker."""
    parts = rel.split("/")[:-1]
    for i in range(1, len(parts) + 1):
        sub = "/".join(parts[:i])
        if sub not in cache:
            cache[sub] = is_output_dir(folder / sub)
        if cache[sub]:
            return True
    return False


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- parsing


def _yaml_documents(path: Path, root: Path | None, **_) -> list[Document]:
    return [load_yaml(path, root=root)]


def _pdf_documents(path: Path, root: Path | None, **_) -> list[Document]:
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


_READERS = {".yaml": _yaml_documents, ".yml": _yaml_documents, ".csv": csv_documents, ".pdf": _pdf_documents}


# --------------------------------------------------------------------------- checks


def _a(word: str) -> str:
    """``word`` with its indefinite article: "an anchored", "a check"."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


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
    items, levels = {it.id: it for it in a.items}, frozenset(a.levels)
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
            if observer not in seen_obs and observer != CONSENSUS:
                err(key, f"observer {observer!r} is not listed in observers ({', '.join(obs.observers)}); the agreed value goes under '{CONSENSUS}'")
            found += _check_response(key, it, r, a, obs, levels)
    dimension_ids = [d.id for d in a.dimensions]
    for dim, level in obs.felt.items():
        if dim not in dimension_ids:
            err(("felt", dim), f"unknown dimension {dim!r}; the pod rates the dimensions of {a.id!r}: {', '.join(dimension_ids)}")
        elif level not in levels:
            err(("felt", dim), f"level {level} is outside the scale ({_levels_text(a)})")
    found += _missing_data(obs, a)
    if personal_data(obs.notes):
        warn(("notes",), f"session notes seem to contain {' and '.join(personal_data(obs.notes))}; describe the pod, never identify a person")
    return found


def _missing_data(obs: Observation, a: Assessment) -> list[tuple[tuple, str, str]]:
    """Warnings about what a file leaves out: items with no record at all (a file covering under
    half of the assessment says so), and observers listed with no response."""
    out = []
    missing = [it.id for it in a.items if it.id not in obs.responses]
    if missing:
        total = len(a.items)
        named = f"no record for item{'s' if len(missing) != 1 else ''} {', '.join(missing)}"
        if (total - len(missing)) * 2 < total:
            out.append((("responses",), f"this file covers only {total - len(missing)} of the {total} items of {a.id!r} ({named}); "
                        "if the other items are in another file, score both together; mark an item nobody saw as not observed", "warning"))
        else:
            out.append((("responses",), f"{named}: mark an item nobody saw as not observed, so that a forgotten item is not mistaken for one", "warning"))
    answered = {ob for by_observer in obs.responses.values() for ob in by_observer}
    for i, o in enumerate(obs.observers):
        if o not in answered and CONSENSUS not in answered:  # a consensus-only record lists who agreed
            out.append((("observers", i), f"observer {o!r} is listed but has no responses in this file: add their responses, or remove them from observers", "warning"))
    return out


def _check_response(key, it, r, a: Assessment, obs: Observation, levels: frozenset | None = None) -> list[tuple[tuple, str, str]]:
    out: list[tuple[tuple, str, str]] = []
    keys = r.value_keys
    want, how = _KIND_ANSWER[it.kind]
    ratio = isinstance(it, CountItem) and it.denominator is not None
    if r.not_applicable:
        if it.not_applicable is None:
            out.append((key + ("not_applicable",), f"item {it.id!r} cannot be not applicable: the behaviour can always be observed; record an answer or not_observed: true", "error"))
        elif not r.reason.strip():
            out.append((key + ("not_applicable",), f"not_applicable: true needs a reason, e.g. reason: \"{' '.join(it.not_applicable.split())}\"", "error"))
        if r.not_observed or keys or r.out_of is not None:
            out.append((key, "not_applicable: true with an answer or not_observed: keep one", "error"))
        return out
    if r.reason.strip():
        out.append((key + ("reason",), "a reason goes with not_applicable: true; write what you saw under evidence", "error"))
    if r.out_of is not None and not ratio:
        out.append((key + ("out_of",), f"item {it.id!r} is not a ratio item: out_of is not used", "error"))
    elif ratio and r.count is not None and r.out_of is None:
        out.append((key, f"item {it.id!r} is a ratio: give out_of, the number of {it.denominator} (the count is a part of it)", "error"))
    elif ratio and r.count is not None and r.out_of is not None and r.count > r.out_of:
        out.append((key + ("count",), f"count {r.count:g} is more than out_of {r.out_of:g}: the count is a part of the {it.denominator}", "error"))
    if r.not_observed and keys:
        out.append((key, f"not_observed: true and {keys[0]}: give an answer or mark the item not observed, not both", "error"))
    elif not r.not_observed and not keys:
        na = ", or not_applicable: true with a reason" if it.not_applicable else ""
        out.append((key, f"no answer: give {how}, or not_observed: true{na}", "error"))
    elif len(keys) > 1:
        out.append((key, f"give one answer, not {' and '.join(keys)} (item {it.id!r} is {_a(it.kind)} item: answer with {how})", "error"))
    elif keys and keys[0] != want:
        out.append((key + (keys[0],), f"item {it.id!r} is {_a(it.kind)} item: answer with {how}, not {keys[0]}", "error"))
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


def read_records(path: Path, name: str, root: Path | None, kit: dict[str, Assessment], today: _dt.date, csv_delimiter: str = ",") -> tuple[Source | None, list[Record], list[Problem]]:
    """Read, validate and check one input file: its source, its records and every problem found.

    ``csv_delimiter`` is the character between the columns of a CSV file (``,`` unless given)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            raw = read_bytes(path, root=root)
            docs = [yaml_document(decode_text(raw, path), path)]
            digest = hashlib.sha256(raw).hexdigest()
        else:
            docs = _READERS[suffix](path, root, delimiter=csv_delimiter)
            digest = _digest(path)
    except SourceErrors as exc:
        return None, [], list(exc.problems)
    source = Source(path, name, digest)
    records: list[Record] = []
    problems: list[Problem] = []
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
    return source, records, problems


# --------------------------------------------------------------------------- loading


def load_observations(inputs: Iterable[Path], assessments: Iterable[Assessment], *, today: _dt.date | None = None,
                      found: Found | None = None) -> ObservationSet:
    """Read and check every observation file under ``inputs`` (``found``: what :func:`find_inputs`
    found there, when the caller has walked them already); raise all problems at once."""
    today = today or _dt.date.today()
    files, problems = (found.observations, list(found.problems)) if found is not None else collect_files(inputs)
    records: list[Record] = []
    sources: list[Source] = []
    for source, recs, probs in read_files(files, {a.id: a for a in assessments}, today):
        problems += probs
        if source is not None:
            sources.append(source)
            records += recs
    problems += check_sessions(records)
    if any(p.severity == "error" for p in problems):
        raise SourceErrors(problems)
    warnings = sorted((p for p in problems if p.severity != "error"), key=Problem.sort_key)
    return ObservationSet(records, sources, warnings)


#: Below this many files, reading them in parallel does not pay for starting the workers.
PARALLEL_MIN_FILES = 400


def read_files(files: list[tuple], kit: dict[str, Assessment], today: _dt.date, *, csv_delimiter: str = ",") -> Iterator[tuple[Source | None, list[Record], list[Problem]]]:
    """:func:`read_records` of each of ``files`` (as :func:`collect_files` lists them), in order, in
    this process (``podkit score`` shares large inputs among workers: :meth:`podkit.store.RecordStore.read`)."""
    for path, name, root in files:
        yield read_records(Path(path), name, root, kit, today, csv_delimiter)


def pod_sessions(records: list[Record], as_of: _dt.date) -> tuple[list[tuple[Observation, dict, list[str]]], list[tuple[Record, Problem]], set[tuple[str, str]], int]:
    """The sessions of one pod and assessment up to ``as_of``, merged, in order (rule 10 of
    :mod:`podkit.scoring`): by date, then by the position of the session's first record in
    ``records`` (files in the order of their names), then by session type.

    Returns ``(observation, where, source names)`` per session, the warnings of the records used
    (with their record), the ``(name, sha256)`` of the files used, and how many sessions were
    dated after ``as_of`` (left out).
    """
    by_session: dict[tuple, list[Record]] = {}
    for rec in records:
        by_session.setdefault(session_key(rec.observation), []).append(rec)
    sessions, warnings, files, later = [], [], set(), 0
    first = {key: i for i, key in reversed(list(enumerate(session_key(r.observation) for r in records)))}
    for key in sorted(by_session, key=lambda k: (k[2], first[k], k[3])):
        recs = by_session[key]
        if key[2] > as_of:
            later += 1
            continue
        obs, where = merge_session(recs)
        sessions.append((obs, where, [r.source.name for r in recs]))
        for r in recs:
            files.add((r.source.name, r.source.sha256))
            warnings += [(r, p) for p in r.warnings]
    return sessions, warnings, files, later


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


def check_sessions(records: list[Record]) -> list[Problem]:
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
        if f is not rec:
            for dim, level in o.felt.items():
                if f.observation.felt.get(dim, level) != level:
                    problems.append(Problem(rec.source.path, f"the pod's own rating of {dim!r} is {level} here but {f.observation.felt[dim]} in {f.source.name}, a file of the same session: the pod gives one rating", None, None, ("felt", dim)))
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
    felt: dict[str, int] = {}
    for r in records:
        o = r.observation
        for dim, level in o.felt.items():
            felt.setdefault(dim, level)  # check_sessions refuses files that disagree
        for ob in o.observers:
            if ob not in observers:
                observers.append(ob)
        for item, by_observer in o.responses.items():
            responses.setdefault(item, {}).update(by_observer)
            for ob in by_observer:
                where[(item, ob)] = r.where(item, ob)
        if o.notes and o.notes not in notes:
            notes.append(o.notes)
    merged = base.model_copy(update={"observers": observers, "responses": responses, "felt": felt, "notes": "\n\n".join(notes)})
    return merged, where


def _keys(obs: Observation):
    for item, by_observer in obs.responses.items():
        for ob in by_observer:
            yield (item, ob)
