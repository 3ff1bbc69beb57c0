"""Action plans: what a pod agreed to do about a finding, and what was seen after.

An action plan is a YAML file, ``actions/<pod>.yaml`` beside the pod's observations, holding
the pod's id and a list of actions (the fields are :class:`podkit.model.Action`). This module
reads plans (one loader: :func:`podkit.sources.load_yaml` and
:func:`podkit.validation.validate_document`), checks them against the kit, appends new actions
for ``podkit new-action``, and answers the follow-up questions with pure functions. The rules
below, to the end of this docstring, are on the site's "Scoring explained" page word for word.

Rules for agreed actions
------------------------

**Ids.** An intervention's id is the slug of its title: lowercase ASCII letters and digits, every
other run of characters one hyphen, at most 64 characters (cut at a hyphen). When two
interventions of one item give the same slug, the second gets `-2`, the third `-3`. A
recommendation's id is `<item id>/<intervention id>`: the id reports print beside each
recommended intervention and `podkit new-action POD ITEM/INTERVENTION` accepts.

**Checks.** Action ids are unique within a plan. The assessment, the item and the intervention
must exist in the kit (unknown ones get a "did you mean"). An action names exactly one of
`intervention` (an id) or `custom` (the title of an intervention the kit does not list).
The owner is a role, never a person: pod, pod-lead, product-owner, facilitator, hr-partner,
engineering-manager, agile-coach or sponsor; with `other` the role is written in `owner_role`,
in the style of observer ids (lowercase words joined by hyphens), so a name cannot fit. The due
date is on or after the agreed date. `history` starts with `planned`; each later entry is an
allowed change: planned → in-progress, done or dropped; in-progress → done or dropped; done and
dropped are final. Every change has a date, on or after the agreed date and on or after the
change before it (several on one day are fine). `dropped` needs a `reason`, and only `dropped`
may have one. Notes, reasons and custom titles that seem to hold an e-mail address or a phone
number get a warning.

**Status on a day.** The status of an action on a day is the last history entry dated on or
before that day; before its first entry the action has no status yet.

**Overdue.** An action is overdue as of a day when its status on that day is planned or
in-progress and the day is after the due date. On the due date itself it is not overdue yet.
A done or dropped action is never overdue, even if it was done late.

**Before and after.** The sessions are the pod's sessions of the action's assessment, each with
the item's level (the combined level of rule 4), "not observed" or "not applicable", and only
those up to the report date. *Before* is the last session on or before the agreed date in which
the item had a level. A session on the agreed day counts as before: it is usually the session
whose findings led to the action. *After* is every session later than the agreed date, with
whatever it recorded.

**Verdict.** Compare the before level with the level of the latest session after that had one:
higher is "improved", equal is "no change yet", lower is "worse". With no level after, the
verdict is "not observed since"; with no level before, "no level before". The verdict describes
what was seen *after the action was agreed*; it never says that the action caused it.

**In reports.** A pod report reviews every action of the pod's plan for its assessment that has
a status on the report date (`as_of`), in plan order. An action is in flight when its status on
that day is planned or in-progress; each finding and each row of the debt ledger names the first
action in flight for its item, or says "no action agreed". In the portfolio a pod also needs
attention for its overdue actions and for open critical findings with no action in flight
(counts, which never order the pods).

**Interventions that worked.** Across pods, per intervention of the kit (custom ones are not
comparable and are left out): how many actions agreed it, how many were done (as of the report
date), and how many of those done were followed by an improvement at the next observation: the
first session after the day it was marked done in which the item had a level, above the before
level. An intervention is shown only when at least `k` different pods agreed it (k is
`roll_up_min_pods`, the floor of the other roll-ups: 3 or more); the others are counted, not
named. This is not causal evidence, and the roll-up always says so.

Worked example: one action
--------------------------

Action `a1` of an invented pod: item `blockers-visible`, agreed 2026-09-14, due 2026-09-28,
history planned 2026-09-14, in-progress 2026-09-16, done 2026-10-05. The item's levels by
session: 2026-08-31 → 1, 2026-09-14 → 1, 2026-09-28 → not observed, 2026-10-12 → 2,
2026-10-26 → 3.

- Status on 2026-09-15: planned; on 2026-09-30: in-progress, and overdue (after the due date);
  on 2026-10-05: done, not overdue.
- Before: 2026-09-14 (level 1; same day as agreed, so before). After: 2026-09-28 not observed,
  2026-10-12 level 2, 2026-10-26 level 3.
- Verdict as of 2026-10-28: latest level after is 3 > 1, "improved". As of 2026-10-01 (only the
  2026-09-28 session after): "not observed since".
- In a report as of 2026-10-01, a finding on `blockers-visible` names `a1` (in-progress, in
  flight); as of 2026-10-28 `a1` is done, no longer in flight, and the finding, if the item is
  still below target, says "no action agreed".
- Next observation after done (2026-10-05): 2026-10-12, level 2 > 1: followed by an improvement.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence, Union

from .errors import PodkitError, Problem, SourceErrors
from .model import MAX_ID_LENGTH, MIN_ROLL_UP_PODS, OTHER_ROLE, Action, ActionPlan, Assessment
from .outputs import atomic_write
from .sources import Document, in_named_folder, load_yaml, yaml_document
from .validation import validate_document
from .wording import ROLLUP_CAVEAT, VERDICT_SENTENCES  # noqa: F401  (the sentences live with the others)

#: The folder that holds action plans, beside the observations (``actions/<pod>.yaml``).
ACTIONS_FOLDER = "actions"
#: Separator of a recommendation id: ``<item id>/<intervention id>``.
RECOMMENDATION_SEPARATOR = "/"
#: Days from the agreed date to the due date when ``podkit new-action`` is given no ``--due``
#: (two weeks: the cadence of the sample observations).
DEFAULT_DUE_DAYS = 14
#: Pods that must have agreed an intervention before the roll-up shows it (the floor of every roll-up).
ROLLUP_MIN_PODS = MIN_ROLL_UP_PODS

#: The "not applicable" marker in a session's ``(date, level)`` pair (None means not observed).
NA = "not-applicable"

IMPROVED = "improved"
NO_CHANGE = "no change yet"
WORSE = "worse"
NOT_OBSERVED_SINCE = "not observed since"
NO_LEVEL_BEFORE = "no level before"
VERDICTS = (IMPROVED, NO_CHANGE, WORSE, NOT_OBSERVED_SINCE, NO_LEVEL_BEFORE)

#: Allowed status changes: from (None: the first entry) to the statuses that may follow.
TRANSITIONS: dict[str | None, tuple[str, ...]] = {
    None: ("planned",), "planned": ("in-progress", "done", "dropped"), "in-progress": ("done", "dropped"), "done": (), "dropped": (),
}
OPEN_STATUSES = ("planned", "in-progress")

Level = Union[int, float, None, str]
Session = tuple[_dt.date, Level]


# --------------------------------------------------------------------------- ids


def intervention_id(title: str) -> str:
    """The id of an intervention: the slug of its title (see the module docstring)."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > MAX_ID_LENGTH:
        slug = slug[:MAX_ID_LENGTH]
        slug = slug.rsplit("-", 1)[0] if "-" in slug else slug
    return slug or "intervention"


def intervention_ids(item) -> list[str]:
    """The ids of an item's interventions, in order; a repeated slug gets ``-2``, ``-3``, …"""
    out: list[str] = []
    for iv in item.interventions:
        base = intervention_id(iv.title)
        slug, n = base, 1
        while slug in out:
            n += 1
            suffix = f"-{n}"
            slug = base[: MAX_ID_LENGTH - len(suffix)].rstrip("-") + suffix
        out.append(slug)
    return out


def recommendation_id(item_id: str, intervention: str) -> str:
    """The id reports print for one recommended intervention: ``<item id>/<intervention id>``."""
    return f"{item_id}{RECOMMENDATION_SEPARATOR}{intervention}"


def parse_recommendation_id(text: str) -> tuple[str, str | None]:
    """``item/intervention`` → ``(item, intervention)``; a bare item id → ``(item, None)``."""
    item, sep, rest = text.strip().partition(RECOMMENDATION_SEPARATOR)
    return item, (rest if sep else None)


# --------------------------------------------------------------------------- finding plans


def is_action_file(path: Path | str) -> bool:
    """Whether ``path`` is an action plan by where it lives: in a folder named ``actions`` (the
    inputs are walked by :func:`podkit.observations.find_inputs`)."""
    return in_named_folder(path, ACTIONS_FOLDER)


# --------------------------------------------------------------------------- checks


def _did_you_mean(value: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_plan(plan: ActionPlan, assessments: dict[str, Assessment]) -> list[tuple[tuple, str]]:
    """The checks the schema cannot express: ``(key path, message)`` pairs (module docstring)."""
    found: list[tuple[tuple, str]] = []
    first_index: dict[str, int] = {}
    for i, act in enumerate(plan.actions):
        at = ("actions", i)
        if act.id in first_index:
            found.append((at + ("id",), f"duplicate action id {act.id!r}: action {first_index[act.id] + 1} has it already; give each action its own id"))
        else:
            first_index[act.id] = i
        if (act.intervention is None) == (act.custom is None):
            found.append((at, "give exactly one of 'intervention' (an id from the item's interventions) or 'custom' (the title of an intervention of your own)"))
        found += [(at + (field,), message) for field, message in owner_role_problems(act.owner, act.owner_role)]
        found += _check_target(act, at, assessments)
        if act.due < act.agreed:
            found.append((at + ("due",), f"the due date {act.due.isoformat()} is before the agreed date {act.agreed.isoformat()}"))
        found += _check_history(act, at)
    return found


def _check_target(act: Action, at: tuple, assessments: dict[str, Assessment]) -> list[tuple[tuple, str]]:
    a = assessments.get(act.assessment)
    if a is None:
        return [(at + ("assessment",), f"unknown assessment {act.assessment!r}{_did_you_mean(act.assessment, sorted(assessments))}; the kit has: {', '.join(sorted(assessments)) or 'none'}")]
    item_ids = [it.id for it in a.items]
    if act.item not in item_ids:
        elsewhere = [b.id for b in assessments.values() if act.item in {it.id for it in b.items}]
        hint = f"; it is an item of {', '.join(repr(x) for x in elsewhere)}" if elsewhere else _did_you_mean(act.item, item_ids)
        return [(at + ("item",), f"unknown item {act.item!r} in assessment {a.id!r}{hint}")]
    ids = intervention_ids(a.item(act.item))
    if act.intervention is None or act.intervention in ids:
        return []
    if not ids:
        return [(at + ("intervention",), f"item {act.item!r} lists no interventions; describe yours with 'custom: <title>' instead")]
    return [(at + ("intervention",), f"unknown intervention {act.intervention!r} for item {act.item!r}{_did_you_mean(act.intervention, ids)}; its interventions: {', '.join(ids)} (or write 'custom: <title>')")]


def _check_history(act: Action, at: tuple) -> list[tuple[tuple, str]]:
    found, prev_status, prev_date = [], None, act.agreed
    for j, change in enumerate(act.history):
        key = at + ("history", j)
        allowed = TRANSITIONS[prev_status]
        if change.status not in allowed:
            if prev_status is None:
                found.append((key + ("status",), f"the first status is 'planned' (on the agreed date or later), not {change.status!r}"))
            elif not allowed:
                found.append((key + ("status",), f"the action is already {prev_status}, which is final; agree a new action instead"))
            elif change.status == prev_status:
                found.append((key + ("status",), f"the action is already {prev_status}; list a status only when it changes"))
            else:
                found.append((key + ("status",), f"{'an' if prev_status[0] in 'aeiou' else 'a'} {prev_status} action can become {' or '.join(allowed)}, not {change.status}"))
        if change.date < act.agreed:
            found.append((key + ("date",), f"{change.date.isoformat()} is before the agreed date {act.agreed.isoformat()}"))
        elif change.date < prev_date:
            found.append((key + ("date",), f"{change.date.isoformat()} is before the previous status change ({prev_date.isoformat()}); list changes oldest first"))
        if change.status == "dropped" and not change.reason:
            found.append((key, "a dropped action needs a 'reason': why the pod stopped"))
        if change.status != "dropped" and change.reason:
            found.append((key + ("reason",), f"'reason' belongs to a 'dropped' status only; put remarks on a {change.status!r} action in its notes"))
        prev_status = change.status
        prev_date = max(prev_date, change.date)
    return found


def personal_data_warnings(plan: ActionPlan) -> list[tuple[tuple, str]]:
    """Free text of a plan (notes, reasons, custom titles) that seems to hold an e-mail address
    or a phone number: warnings, as for observation notes."""
    from .privacy import personal_data

    found = []
    for i, act in enumerate(plan.actions):
        texts = [(("notes",), act.notes), (("custom",), act.custom or "")]
        texts += [(("history", j, "reason"), c.reason or "") for j, c in enumerate(act.history)]
        for key, text in texts:
            kinds = personal_data(text)
            if kinds:
                found.append((("actions", i) + key, f"seems to contain {' and '.join(kinds)}; an action plan describes the pod's process, never identify a person"))
    return found


def read_plan(doc: Document, assessments: dict[str, Assessment]) -> tuple[ActionPlan | None, list[Problem]]:
    """Validate one parsed plan and cross-check it against the kit (errors and warnings)."""
    plan, problems = validate_document(doc, ActionPlan)
    if plan is None:
        return None, problems
    problems = [doc.problem(msg, key) for key, msg in check_plan(plan, assessments)]
    problems += [doc.problem(msg, key, severity="warning") for key, msg in personal_data_warnings(plan)]
    stem = Path(doc.path).stem
    if Path(doc.path).parent.name == ACTIONS_FOLDER and stem != plan.pod:
        problems.append(doc.problem(f"this plan is for {plan.pod!r} but the file is named {Path(doc.path).name!r}; name it {plan.pod}.yaml", ("pod",), severity="warning"))
    return (None if any(p.severity == "error" for p in problems) else plan), problems


def load_plan(path: Path, assessments: dict[str, Assessment], *, root: Path | None = None) -> tuple[ActionPlan | None, list[Problem]]:
    """Read, validate and check one action plan file; problems are located."""
    try:
        doc = load_yaml(Path(path), root=root)
    except SourceErrors as exc:
        return None, list(exc.problems)
    return read_plan(doc, assessments)


def owner_role_problems(owner: str | None, owner_role: str | None) -> list[tuple[str, str]]:
    """``(field, message)`` when ``owner`` and ``owner_role`` do not go together (in an action, and
    in a self-check record's next step)."""
    if owner == OTHER_ROLE and owner_role is None:
        return [("owner", "with 'owner: other', name the role in 'owner_role', e.g. release-manager")]
    if owner != OTHER_ROLE and owner_role is not None:
        return [("owner_role", "'owner_role' goes with 'owner: other' only")]
    return []


def load_plans(paths: Iterable[Path], assessments: dict[str, Assessment]) -> tuple[list[ActionPlan], list[Problem]]:
    """Every plan of ``paths``; raises :class:`SourceErrors` with all errors if any has one.
    Returns the plans and the warnings. Two plans of one pod are an error (merge them)."""
    plans: list[ActionPlan] = []
    problems: list[Problem] = []
    owner: dict[str, Path] = {}
    for path in paths:
        plan, found = load_plan(path, assessments)
        problems += found
        if plan is None:
            continue
        if plan.pod in owner:
            problems.append(Problem(path, f"a second action plan for {plan.pod!r} (the first is {owner[plan.pod]}); keep one plan per pod"))
            continue
        owner[plan.pod] = Path(path)
        plans.append(plan)
    if any(p.severity == "error" for p in problems):
        raise SourceErrors(problems)
    return plans, problems


# --------------------------------------------------------------------------- review (pure)


def status_on(action: Action, day: _dt.date) -> str | None:
    """The action's status on ``day``: the last history entry dated on or before it (history is
    checked to be in date order)."""
    return next((c.status for c in reversed(action.history) if c.date <= day), None)


def done_on(action: Action) -> _dt.date | None:
    """The day the action was marked done, if it was."""
    return next((c.date for c in action.history if c.status == "done"), None)


def overdue(action: Action, as_of: _dt.date) -> bool:
    """Planned or in progress on ``as_of``, and ``as_of`` is after the due date."""
    return status_on(action, as_of) in OPEN_STATUSES and as_of > action.due


def _has_level(level: Level) -> bool:
    return level is not None and level != NA and not isinstance(level, bool) and isinstance(level, (int, float))


@dataclass(frozen=True)
class BeforeAfter:
    """The item's level at the last session before the action was agreed, and every session since."""

    before: Session | None
    after: tuple[Session, ...]


def before_after(action: Action, sessions: Iterable[Session]) -> BeforeAfter:
    """Before: the last session on or before the agreed date with a level. After: every later
    session, in date order, with what it recorded (a level, None or :data:`NA`)."""
    ordered = sorted(sessions, key=lambda s: s[0])
    earlier = [(day, level) for day, level in ordered if day <= action.agreed and _has_level(level)]
    return BeforeAfter(earlier[-1] if earlier else None, tuple((day, level) for day, level in ordered if day > action.agreed))


def verdict(seen: BeforeAfter) -> str:
    """What was seen after the action was agreed (module docstring); never a claim of cause."""
    if seen.before is None:
        return NO_LEVEL_BEFORE
    levels = [level for _, level in seen.after if _has_level(level)]
    if not levels:
        return NOT_OBSERVED_SINCE
    latest, base = levels[-1], seen.before[1]
    return IMPROVED if latest > base else WORSE if latest < base else NO_CHANGE


@dataclass(frozen=True)
class ActionReview:
    """One action as a report's action review shows it, as of a day."""

    action: Action
    status: str | None
    overdue: bool
    seen: BeforeAfter
    verdict: str


def review(action: Action, sessions: Iterable[Session], as_of: _dt.date) -> ActionReview:
    """Status, overdue flag, before/after levels and verdict as of ``as_of`` (sessions after
    ``as_of`` are left out)."""
    seen = before_after(action, [s for s in sessions if s[0] <= as_of])
    return ActionReview(action, status_on(action, as_of), overdue(action, as_of), seen, verdict(seen))


def next_observation_improved(action: Action, sessions: Iterable[Session]) -> bool | None:
    """For a done action: was the first session after the day it was marked done in which the
    item had a level above the before level? None when not done, no before level or no such
    session."""
    day = done_on(action)
    seen = before_after(action, sessions)
    if day is None or seen.before is None:
        return None
    for when, level in seen.after:
        if when > day and _has_level(level):
            return level > seen.before[1]
    return None


# --------------------------------------------------------------------------- roll-up (pure)


@dataclass(frozen=True)
class InterventionOutcome:
    """One intervention of the kit across pods: counts of actions, never pods' names."""

    assessment: str
    item: str
    intervention: str
    pods: int
    agreed: int
    done: int
    improved_next: int


@dataclass(frozen=True)
class RollUp:
    rows: tuple[InterventionOutcome, ...]
    hidden: int  # interventions agreed by fewer than k pods
    min_pods: int
    caveat: str = ROLLUP_CAVEAT


def interventions_that_worked(entries: Iterable[tuple[str, Action, Sequence[Session]]], as_of: _dt.date, k: int = ROLLUP_MIN_PODS) -> RollUp:
    """Per intervention: actions agreed, done by ``as_of``, and done then followed by an
    improvement at the next observation. ``entries`` are ``(pod, action, sessions of the
    action's item)``; an intervention is shown only when at least ``k`` pods agreed it."""
    pods: dict[tuple, set] = defaultdict(set)
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for pod, action, sessions in entries:
        if action.intervention is None or action.agreed > as_of:
            continue
        key = (action.assessment, action.item, action.intervention)
        pods[key].add(pod)
        done = status_on(action, as_of) == "done"
        improved = done and next_observation_improved(action, [s for s in sessions if s[0] <= as_of]) is True
        counts[key] = [counts[key][0] + 1, counts[key][1] + done, counts[key][2] + improved]
    rows = tuple(InterventionOutcome(*key, pods=len(pods[key]), agreed=c[0], done=c[1], improved_next=c[2])
                 for key, c in sorted(counts.items()) if len(pods[key]) >= k)
    return RollUp(rows, hidden=len(counts) - len(rows), min_pods=k)


# --------------------------------------------------------------------------- appending


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=False)


def action_entry(action: Action, indent: str = "  ") -> str:
    """The YAML text of one action as a block-list entry (what ``podkit new-action`` appends)."""
    pad = indent + "  "
    lines = [f"{indent}- id: {action.id}", f"{pad}assessment: {action.assessment}", f"{pad}item: {action.item}"]
    if action.intervention is not None:
        lines.append(f"{pad}intervention: {action.intervention}")
    if action.custom is not None:
        lines.append(f"{pad}custom: {_quoted(action.custom)}")
    lines.append(f"{pad}owner: {action.owner}")
    if action.owner_role is not None:
        lines.append(f"{pad}owner_role: {action.owner_role}")
    lines += [f"{pad}agreed: {action.agreed.isoformat()}", f"{pad}due: {action.due.isoformat()}", f"{pad}history:"]
    for change in action.history:
        reason = f", reason: {_quoted(change.reason)}" if change.reason else ""
        lines.append(f"{pad}  - {{status: {change.status}, date: {change.date.isoformat()}{reason}}}")
    lines.append(f"{pad}notes: {_quoted(action.notes)}")
    return "\n".join(lines) + "\n"


def new_plan_header(pod: str, schema_ref: str) -> str:
    """The first lines of a new plan: the editor's ``$schema`` line, a reminder, the pod."""
    return (
        f"# yaml-language-server: $schema={schema_ref}\n"
        f"# Action plan of {pod}: what the pod agreed to do about its findings (podkit new-action appends here).\n"
        "# Owners are roles (pod, pod-lead, product-owner, …), never a person's name.\n"
        f"pod: {pod}\n"
        "actions:\n"
    )


def next_action_id(plan: ActionPlan | None) -> str:
    """``a1``, ``a2``, …: one more than the highest ``aN`` in the plan."""
    numbers = [int(m.group(1)) for act in (plan.actions if plan else []) if (m := re.fullmatch(r"a(\d+)", act.id))]
    return f"a{max(numbers, default=0) + 1}"


def _entry_indent(text: str, doc: Document, plan: ActionPlan) -> str:
    """The indentation of the plan's first entry (the ``-``), so that a new one lines up."""
    line = doc.locate(("actions", 0))[0] if plan.actions else None
    row = text.splitlines()[line - 1] if line else ""
    dash = row.find("-")
    return row[:dash] if dash >= 0 and not row[:dash].strip() else "  "


#: The ``podkit new-action`` option that gives each field, for messages about a new action.
_OPTION_OF = {"assessment": "--assessment", "item": "ITEM", "intervention": "--intervention", "custom": "--title",
              "owner": "--owner", "owner_role": "--owner", "agreed": "--agreed", "due": "--due"}


def _option_problems(found: list[tuple[tuple, str]]) -> PodkitError:
    lines = []
    for key, msg in found:
        field = next((k for k in key if isinstance(k, str) and k in _OPTION_OF), None)
        lines.append(f"{_OPTION_OF[field]}: {msg}" if field else msg)
    return PodkitError("the new action is not valid:\n  " + "\n  ".join(dict.fromkeys(lines)))


def new_action(fields: dict, assessments: dict[str, Assessment], plan: ActionPlan | None) -> Action:
    """Validate the fields of a new action (as ``podkit new-action`` gathers them) and check it
    against the kit; the first status is ``planned`` on the agreed date, and the id is the next
    free ``aN`` of ``plan``. Problems name the command's options."""
    data = {"id": next_action_id(plan), **fields}
    data.setdefault("history", [{"status": "planned", "date": data.get("agreed")}])
    data.setdefault("notes", "")
    doc = Document(Path("new action"), data, {})
    action, problems = validate_document(doc, Action)
    if action is None:
        raise _option_problems([(p.key, p.message) for p in problems])
    found = check_plan(ActionPlan(pod=plan.pod if plan else "pod", actions=[action]), assessments)
    if found:
        raise _option_problems([(key[2:], msg) for key, msg in found])
    return action


def _fix_first(problems: list[Problem]) -> SourceErrors:
    exc = SourceErrors(problems)
    exc.message += "; fix the action plan before adding to it (nothing was written)"
    return exc


@dataclass(frozen=True)
class Appended:
    path: Path
    line: int  # first line of the new entry
    action: Action
    text: str  # the entry's text


def append_action(path: Path, fields: dict, assessments: dict[str, Assessment], *, pod: str, schema_ref: str) -> Appended:
    """Append one action to the plan at ``path`` (created when missing) without rewriting any
    other entry: the existing plan must be valid; the new text goes at the end, the whole result
    is validated and checked, the old actions must read back unchanged, and only then is the
    file replaced atomically. ``fields`` are those of :func:`new_action`."""
    path = Path(path)
    if path.exists():
        try:
            doc = load_yaml(path)
        except SourceErrors as exc:
            raise _fix_first(list(exc.problems)) from None
        old, problems = read_plan(doc, assessments)
        if old is None:
            raise _fix_first([p for p in problems if p.severity == "error"])
        if old.pod != pod:
            raise PodkitError(f"{path}: this is the action plan of {old.pod!r}, not {pod!r}")
        text = path.read_bytes().decode("utf-8")  # as it is: line endings and all (load_yaml checked it)
        indent = _entry_indent(text, doc, old)
        eol = "\r\n" if "\r\n" in text else "\n"
        if not text.endswith("\n"):
            text += eol
    else:
        old, text, indent, eol = None, new_plan_header(pod, schema_ref), "  ", "\n"
    action = new_action(fields, assessments, old)
    entry = action_entry(action, indent).replace("\n", eol)
    new_text = text + entry
    try:
        plan, problems = read_plan(yaml_document(new_text, path), assessments)
    except SourceErrors:
        plan = None
    expected = (list(old.actions) if old else []) + [action]
    if plan is None or list(plan.actions) != expected:
        raise PodkitError(
            f"{path}: cannot add an action at the end of this file without changing its other entries; "
            "keep 'actions:' as the last key, written as a list of '- id: …' entries"
        )
    atomic_write(path, new_text)
    return Appended(path, text.count("\n") + 1, action, entry)
