"""The weekly pod self-check: the pod's own answers, kept apart from what observers record.

Between observer visits the pod answers a few questions about its own work once a week, together,
by looking at its board and artefacts. The questions live in each assessment's ``self_check``
list (:class:`podkit.model.SelfCheckQuestion`), each mirroring one observed item. The answers are
a YAML file per pod and week, ``self-check/<pod>-<date>.yaml`` beside the observations (the
fields are :class:`SelfCheck`). This module reads those files (found with the other inputs by
:func:`podkit.observations.find_inputs`; one loader: :func:`podkit.sources.load_yaml` and
:func:`podkit.validation.validate_document`), checks them against the kit, writes blank records
for ``podkit new-self-check``, and summarises a pod's answers for its report with pure functions.

The rules, in plain words
-------------------------

1. Record. A self-check record is one file, `self-check/<pod>-<date>.yaml`, holding the pod, the date and the pod's answers keyed by assessment and question id: one answer for the pod, agreed together, never one per person. An answer is yes, no or did-not-come-up; a question left out or left empty was not asked that week. Two records of one pod on one date are an error.
2. Weeks shown. A pod report shows the pod's records that answer a question of its assessment, dated on or before the report date: the latest `SHOWN_WEEKS` (8) of them, oldest first. Earlier records are counted, not shown. With no such record the report has no self-check section.
3. Per question. Over the weeks shown, a question's tally is its yes answers out of its yes and no answers, written "k of n"; did-not-come-up and not asked leave both numbers. With no yes or no answer the question has no answer yet.
4. Per dimension and week. A question belongs to the dimension of the item it mirrors. For each week shown, a dimension's tally is the yes answers of its questions out of their yes and no answers that week, written "k of n"; with none it has no answer. No percentage, average or score is computed from the answers.
5. Kept apart. Self-check answers never enter an observed score, a readiness level, a gate, an alert, the debt, the trend or the portfolio; the report shows them in their own section beside the observed scores. A report made with `--redact-evidence`, for sharing beyond the pod, leaves the self-check out.

Worked example
--------------

An assessment has three questions: `goal-on-board` mirrors an item of the dimension goal-clarity; `cards-match-work` and `wip-linked` mirror items of the dimension priority-fit. The pod's records: 2026-09-07 goal-on-board no, cards-match-work yes, wip-linked did-not-come-up; 2026-09-14 goal-on-board yes, cards-match-work no, wip-linked no; 2026-09-21 goal-on-board yes, cards-match-work yes, wip-linked not asked; 2026-09-28 every question yes.

- As of 2026-09-25 the weeks shown are 2026-09-07, 2026-09-14 and 2026-09-21; the record of 2026-09-28 is after the report date and left out.
- Per question: goal-on-board 2 of 3, cards-match-work 2 of 3, wip-linked 0 of 1.
- goal-clarity by week: 0 of 1, 1 of 1, 1 of 1. priority-fit by week: 1 of 1, 0 of 2, 1 of 1.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Iterable, Iterator, Literal, Optional

from pydantic import BeforeValidator, Field, WithJsonSchema, field_validator

from .errors import Problem, SourceErrors
from .actions import owner_role_problems
from .model import Assessment, Note, OwnerRole, RoleText, ShortText, Slug, Strict, _date_value
from .results import InputFile, SelfCheckDimension, SelfCheckQuestionRow, SelfCheckSummary, SelfCheckTally, SelfCheckWeek
from .sources import Document, in_named_folder, load_yaml
from .validation import validate_document

#: The folder that holds self-check records, beside the observations.
SELF_CHECK_FOLDER = "self-check"
#: What a pod may answer; ``yes``/``no`` may be written bare (YAML reads them as true/false).
ANSWERS = ("yes", "no", "did-not-come-up")
#: The most recent records a report shows (rule 2).
SHOWN_WEEKS = 8
#: Assessments one record may answer for.
MAX_ANSWERED_ASSESSMENTS = 20

#: Printed with every self-check section.
CAVEAT = (
    "The pod's own weekly answers, agreed together. Not observed, never mixed into the scores above, "
    "and not a readiness level. Where they and the observed scores disagree is the thing to talk about."
)


def _answer(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


Answer = Annotated[
    Optional[Literal["yes", "no", "did-not-come-up"]],
    BeforeValidator(_answer),
    WithJsonSchema({"enum": [*ANSWERS, True, False, None], "description": "yes, no or did-not-come-up; empty: not asked this week"}),
]


class SelfCheck(Strict):
    """One week's self-check of one pod: the pod's answers per assessment and question, one
    answer for the pod (never per person); optionally the one thing it will change next week and
    the role that takes it."""

    pod: Slug
    date: _dt.date
    answers: Annotated[dict[Slug, dict[Slug, Answer]], Field(min_length=1, max_length=MAX_ANSWERED_ASSESSMENTS)]
    next_step: ShortText | None = None
    owner: OwnerRole | None = None
    owner_role: RoleText | None = None
    notes: Note = ""

    @field_validator("date", mode="before")
    @classmethod
    def _date_only(cls, v):
        return _date_value(v)


# --------------------------------------------------------------------------- finding files


def is_self_check_file(path: Path | str) -> bool:
    """Whether ``path`` is a self-check record by where it lives: in a folder named ``self-check``
    (the inputs are walked by :func:`podkit.observations.find_inputs`)."""
    return in_named_folder(path, SELF_CHECK_FOLDER)


# --------------------------------------------------------------------------- checks


def check_record(rec: SelfCheck, assessments: dict[str, Assessment], today: _dt.date) -> list[tuple[tuple, str]]:
    """The checks the schema cannot express: ``(key path, message)`` pairs."""
    found: list[tuple[tuple, str]] = []
    if rec.date > today:
        found.append((("date",), f"date {rec.date.isoformat()} is in the future (today is {today.isoformat()})"))
    for a_id, answers in rec.answers.items():
        a = assessments.get(a_id)
        if a is None:
            close = difflib.get_close_matches(a_id, list(assessments), n=1)
            found.append((("answers", a_id), f"unknown assessment {a_id!r}" + (f" (did you mean {close[0]!r}?)" if close else f"; the kit has: {', '.join(sorted(assessments))}")))
            continue
        ids = [q.id for q in a.self_check]
        if not ids:
            found.append((("answers", a_id), f"{a_id!r} has no self-check questions"))
            continue
        for q_id in answers:
            if q_id not in ids:
                close = difflib.get_close_matches(q_id, ids, n=1)
                found.append((("answers", a_id, q_id), f"unknown self-check question {q_id!r} of {a_id!r}" + (f" (did you mean {close[0]!r}?)" if close else f"; its questions: {', '.join(ids)}")))
    found += [((field,), message) for field, message in owner_role_problems(rec.owner, rec.owner_role)]
    if rec.owner is not None and rec.next_step is None:
        found.append((("owner",), "an owner goes with a 'next_step': the one thing the pod will change"))
    return found


def personal_data_warnings(rec: SelfCheck) -> list[tuple[tuple, str]]:
    """Free text that seems to hold an e-mail address or a phone number: warnings."""
    from .privacy import personal_data

    found = []
    for key, text in ((("next_step",), rec.next_step or ""), (("notes",), rec.notes)):
        kinds = personal_data(text)
        if kinds:
            found.append((key, f"seems to contain {' and '.join(kinds)}; a self-check is about the pod's work, never identify a person"))
    return found


def read_record(doc: Document, assessments: dict[str, Assessment], today: _dt.date) -> tuple[SelfCheck | None, list[Problem]]:
    """Validate one parsed record and check it against the kit (errors and warnings)."""
    rec, problems = validate_document(doc, SelfCheck)
    if rec is None:
        return None, problems
    problems = [doc.problem(msg, key) for key, msg in check_record(rec, assessments, today)]
    problems += [doc.problem(msg, key, severity="warning") for key, msg in personal_data_warnings(rec)]
    return (None if any(p.severity == "error" for p in problems) else rec), problems


@dataclass(frozen=True)
class Loaded:
    """One valid record and the file it came from."""

    record: SelfCheck
    name: str
    sha256: str


def load_self_checks(paths: Iterable[Path], assessments: dict[str, Assessment], *, today: _dt.date | None = None) -> tuple[list[Loaded], list[Problem]]:
    """Every record of ``paths``; raises :class:`SourceErrors` with all errors if any has one.
    Returns the records and the warnings. Two records of one pod on one date are an error."""
    import hashlib

    today = today or _dt.date.today()
    loaded: list[Loaded] = []
    problems: list[Problem] = []
    first: dict[tuple[str, _dt.date], Path] = {}
    for path in paths:
        path = Path(path)
        try:
            doc = load_yaml(path)
        except SourceErrors as exc:
            problems += exc.problems
            continue
        rec, found = read_record(doc, assessments, today)
        problems += found
        if rec is None:
            continue
        key = (rec.pod, rec.date)
        if key in first:
            problems.append(doc.problem(f"a second self-check of {rec.pod!r} on {rec.date.isoformat()} (the first is {first[key]}); the pod gives one answer a week, so keep one record", ("date",)))
            continue
        first[key] = path
        loaded.append(Loaded(rec, f"{SELF_CHECK_FOLDER}/{path.name}", hashlib.sha256(path.read_bytes()).hexdigest()))
    if any(p.severity == "error" for p in problems):
        raise SourceErrors(problems)
    return loaded, problems


def by_pod(loaded: Iterable[Loaded]) -> dict[str, list[Loaded]]:
    """Records grouped by pod."""
    out: dict[str, list[Loaded]] = defaultdict(list)
    for entry in loaded:
        out[entry.record.pod].append(entry)
    return dict(out)


# --------------------------------------------------------------------------- summary (pure)


def _tally(answers: Iterable[str | None]) -> SelfCheckTally:
    given = [x for x in answers if x in ("yes", "no")]
    return SelfCheckTally(yes=sum(1 for x in given if x == "yes"), answered=len(given))


def summarise(a: Assessment, loaded: Iterable[Loaded], as_of: _dt.date, *, shown: int = SHOWN_WEEKS) -> SelfCheckSummary | None:
    """The self-check section of a report of ``a`` (rules 2–4 of the module docstring), or None."""
    ids = {q.id for q in a.self_check}
    relevant = sorted((e for e in loaded if e.record.date <= as_of and any(q in ids and v is not None for q, v in e.record.answers.get(a.id, {}).items())), key=lambda e: e.record.date)
    if not relevant:
        return None
    weeks = relevant[-shown:]
    rows = []
    for q in a.self_check:
        item = a.item(q.item)
        answers = [e.record.answers.get(a.id, {}).get(q.id) for e in weeks]
        t = _tally(answers)
        rows.append(SelfCheckQuestionRow(id=q.id, question=q.question, item=q.item, item_title=item.title, dimension=item.dimension, answers=answers, yes=t.yes, answered=t.answered))
    dims = []
    for d in a.dimensions:
        mine = [r for r in rows if r.dimension == d.id]
        if mine:
            dims.append(SelfCheckDimension(id=d.id, title=d.title, weeks=[_tally(r.answers[i] for r in mine) for i in range(len(weeks))]))
    return SelfCheckSummary(
        weeks=[SelfCheckWeek(date=e.record.date, next_step=e.record.next_step, owner=e.record.owner_role or e.record.owner) for e in weeks],
        earlier_weeks=len(relevant) - len(weeks),
        questions=rows,
        dimensions=dims,
        files=[InputFile(name=e.name, sha256=e.sha256) for e in weeks],
        caveat=CAVEAT,
    )


def tally_text(yes: int, answered: int, none: str = "no answer") -> str:
    """"k of n", or ``none`` when nothing was answered yes or no."""
    return f"{yes} of {answered}" if answered else none


# --------------------------------------------------------------------------- blank record


def default_file_name(pod: str, date: _dt.date) -> str:
    return f"{pod}-{date.isoformat()}.yaml"


def blank_self_check(assessments: Iterable[Assessment], *, pod: str, date: _dt.date, schema_ref: str) -> str:
    """The text of a blank record: every question of ``assessments`` left empty (not asked)."""
    lines = [
        f"# yaml-language-server: $schema={schema_ref}",
        f"# Weekly self-check of {pod}: answer together, once for the pod, by looking at the board and",
        "# the artefacts. Write yes, no or did-not-come-up after each question; leave it empty if not asked.",
        "# No names anywhere: the answers are about the pod's work, never about a person.",
        f"pod: {pod}",
        f"date: {date.isoformat()}",
        "answers:",
    ]
    for a in assessments:
        if not a.self_check:
            continue
        lines.append(f"  {a.id}:")
        for q in a.self_check:
            lines.append(f"    # {' '.join(q.question.split())}")
            lines.append(f"    {q.id}:")
    lines += [
        "# The one thing the pod will change before next week, and the role that takes it (pod, pod-lead, …).",
        "next_step:",
        "owner:",
        "",
    ]
    return "\n".join(lines)


def gather(paths: Iterable[Path], assessments: dict[str, Assessment], today: _dt.date | None = None) -> tuple[dict[str, list[Loaded]], list[Problem]]:
    """The self-check records of ``paths`` (as :func:`podkit.observations.find_inputs` finds them
    among the inputs), by pod, and every problem found (never raises for bad records: the caller
    reports them with the other inputs' problems)."""
    try:
        loaded, problems = load_self_checks(paths, assessments, today=today)
    except SourceErrors as exc:
        return {}, list(exc.problems)
    return by_pod(loaded), problems


# --------------------------------------------------------------------------- lint

#: Words that point at one person: a self-check asks about the pod's work ("we", "our"), never a member.
PERSON_WORDS = re.compile(r"\b(I|me|my|mine|he|she|him|her|his|hers|who|whose)\b", re.IGNORECASE)


def question_problems(a: Assessment) -> Iterator[tuple[tuple, str]]:
    """Lint rule ``self-check-question``: each question is one yes/no question about the pod's
    work: a question mark, one question, no word pointing at one person, no inner state."""
    from .phrasing import double_barrel, inner_state_words

    for i, q in enumerate(a.self_check):
        key, text = ("self_check", i, "question"), q.question
        if not text.rstrip().endswith("?"):
            yield key, "a self-check question is answered yes or no; phrase it as a question ending in '?'"
        why = double_barrel(text)
        if why:
            yield key, f"asks two things at once ({why}); the pod cannot answer yes to half of it: split it"
        person = PERSON_WORDS.search(text)
        if person:
            yield key, f"{person.group()!r} points at one person; ask about the pod's work ('we', 'our', 'every card'), never about a member"
        hits = inner_state_words(text)
        if hits:
            yield key, f"asks about an inner state ({', '.join(w for w, _ in hits)}); ask what the pod can open and look at"
