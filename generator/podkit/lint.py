"""Rubric linter: warnings about assessments that are valid but hard to observe or score.

The schema (``model.py``) and ``kit.cross_check`` decide whether an assessment can be *used*;
this module judges whether it is *good*: whether two observers who have never met would score
the same session the same way, and whether every item can move the pod's readiness. Each rule
returns located warnings (``path:line:col: warning: key.path: message [rule-id]``) whose message
ends with a fix.

Rules
-----
``unobservable-wording``
    An anchor, look-for cue, code description or prompt names an inner state (feels, believes,
    thinks, knows, understands, wants, cares, trusts, seems, appears to, is aware / happy /
    comfortable / motivated / engaged / committed, attitude, morale…). Matching is by whole word
    with the usual inflections. Not flagged: words inside quotes (``says "I think"`` records an
    utterance), reported speech (``says they feel rushed``, ``asks whether members know the
    goal``: a speech verb at most four words before, with no ``who``/``which``/``because`` in
    between), "think aloud", and "check/test/confirm understanding".
``double-barrelled-prompt``
    A prompt asks two things: two question marks (outside quotes), ``and/or``, "and"/"as well as"
    followed by an auxiliary or question word (``… and does``, ``… and who``), "or" followed by a
    question word, "and then", "and" followed by a clause-leading verb (``… and ask for``), or two
    past participles as the predicate (``are blockers raised and resolved?``). Noun phrases such as
    "owner and date", "a demo and test output" or "blocked and unowned items" pass.
``near-identical-anchors``
    Adjacent levels' anchors are at least 85 % alike (``difflib`` ratio, or Jaccard overlap of
    their word sets); the message names the words that differ.
``missing-evidence``
    The evidence prompt has fewer than five words, too little to tell an observer what to write.
``missing-intervention``
    The item has no intervention, or an intervention whose action has fewer than five words.
``inert-item``
    The item carries less than 5 % of its dimension's item weight (or its dimension carries less
    than 5 % of the assessment's dimension weight) and no item gate names it, so nothing it
    records can change a score or a readiness level noticeably.
``critical-not-gated``
    The item is marked critical but no readiness gate names it, so being critical changes nothing.
``level-wording-not-increasing``
    Anchors do not escalate. Quantity words are ranked *few/some/sometimes/only one* (1) <
    *most/several/many/often/usually* (2) < *all/every/each/always/everyone* (3); a level is
    flagged when a lower level's quantity ranks above the strongest quantity the higher level uses
    for the same thing (the two content words after each quantity word — plus, for frequency
    adverbs, the word before — match; one is enough when only one is there: "every claim is
    shown" vs "some claims are shown"). Quantity words in a negative clause
    (no, not, never, nobody, without, blank, missing, fails…) are skipped, since "most cards are
    blank" describes failure; so are none/no/never themselves, "at most", "the most", "at all",
    "how many", "each other". Also flagged: a level less than half as long as the level below
    that only reuses its words. A level that starts "As level N" builds on level N and is not
    compared for quantity.
``thin-dimension``
    A dimension has fewer than three items, too few for a stable dimension score.
``id-not-kebab-case``
    What the slug pattern lets through: ids over 40 characters, words run together without
    hyphens (a segment over 20 letters), ids that say nothing (``item-3``, ``q1``, ``123``);
    code ids over 6 characters or mixing upper- and lower-case styles within one item.
``target-zero``
    Target level 0: the item can never be below target, so it never becomes a finding.
``look-for-too-few``
    Fewer than two look-for cues.
``anchor-too-long``
    An anchor over 60 words: too long to hold in mind while scoring live.
``evaluative-wording``
    An anchor judges instead of describing (good, poor, adequate, appropriate, effective,
    sufficient, proper, reasonable, significant, timely, well…; "as well as" is fine).
``prompt-not-a-question``
    The prompt does not end with a question mark; a question tells the observer what to answer.
``decision-rule-missing``
    An anchored item has no ``decision_rule``, so an observation that matches no anchor exactly
    (some conditions of a level met, others not) has no level. Write a short table, checked
    top-down from the highest level, whose last row reads "otherwise".
``level-unreachable``
    A level of the scale that no decision-rule row gives, or a row that can never be reached
    because an earlier row says everything it says (every word of the earlier row's condition,
    articles and a leading "if" aside, is in the later one: whenever the later row holds, the
    earlier one already did). A heuristic: reword the later row so it names what is different.
``multi-condition-level``
    A decision-rule row joins three or more conditions (two or more "and" or ";"), so an
    observation that meets some of them falls through to a lower level. Keep each row to one or
    two conditions and split a many-sided behaviour into separate items.
``reference-not-in-bibliography``
    An assessment's ``references`` names an id that is not an entry of the project's bibliography,
    ``content/references.md`` (entries are written ``Term {: #id }``). A project without that file
    gets one warning, since no reference can be checked.
``self-check-question``
    A weekly self-check question lacks a question mark, asks two things, points at one person
    ("who", "his", "I") or asks about an inner state: the pod answers it once, yes or no, by looking.
``bad-suppression``
    A ``# podkit: ignore[...]`` comment names an unknown rule.

Suppressing a warning
---------------------
The schema forbids unknown keys, so suppression lives in YAML comments. Put
``# podkit: ignore[rule-id]`` (several ids separated by commas; bare ``# podkit: ignore`` for every
rule) at the end of the line a warning points to, or of any line that opens one of its enclosing
keys — on an item's ``- id:`` line it covers the whole item, on ``anchors:`` all anchors::

    - id: mood-check  # podkit: ignore[unobservable-wording]
      2: >-  # podkit: ignore[anchor-too-long]
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from .phrasing import (
    observable_texts,
    id_problems,
    BUILDS_ON,
    joined_conditions,
    shadows,
    EVALUATIVE,
    RANK_WORDS,
    content_words,
    quantity_clash,
    quote,
    word_diff,
    double_barrel,
    inner_state_words,
    quantities,
    similarity,
    unquoted,
    words,
)
from . import bibliography as bib
from .errors import Problem
from .model import AnchoredItem, Assessment, CodesItem, ItemGate
from .selfcheck import question_problems
from .sources import Document

Finding = tuple[tuple, str]

#: Thresholds, named so that the docs and the tests can quote them.
MIN_EVIDENCE_WORDS = 5
MIN_ACTION_WORDS = 5
MIN_DIMENSION_ITEMS = 3
MIN_LOOK_FOR = 2
MAX_ANCHOR_WORDS = 60
SIMILARITY = 0.85
NEGLIGIBLE_SHARE = 0.05
MAX_CODE_LENGTH = 6


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    check: Callable[["_Context"], Iterable[Finding]]


#: A decision-rule row may join at most this many conditions.
MAX_ROW_CONDITIONS = 2
#: The bibliography every assessment's ``references`` point into, and how its ids are written.


@dataclass
class _Context:
    assessment: Assessment
    document: Document
    #: Ids of the project's bibliography; ``None`` when there is none to check against.
    bibliography: frozenset[str] | None = None

    @property
    def gated_items(self) -> set[str]:
        return {g.item for r in self.assessment.readiness for g in r.gates if isinstance(g, ItemGate)}


# --------------------------------------------------------------------------- text helpers


# --------------------------------------------------------------------------- unobservable wording


#: (pattern, hint). Patterns are matched on lower-case, unquoted text with word boundaries.


def _rule_unobservable(ctx: _Context) -> Iterator[Finding]:
    for key, what, text in observable_texts(ctx.assessment):
        hits = inner_state_words(text)
        if hits:
            listed = "; ".join(f"{quote(w)} → {hint}" for w, hint in hits)
            yield key, (
                f"{what} names an inner state an observer cannot see or hear: {listed}. "
                'Quoted speech is fine (says "I think…")'
            )


# --------------------------------------------------------------------------- double-barrelled prompt

#: Verbs that are hardly ever nouns: "and ask…" starts a second clause whatever follows.
#: Verbs that are also nouns ("test output", "a review"): a clause only when a determiner or
#: preposition follows ("and review the…", "and check whether…").
#: "raised and resolved?": two predicates, each a past participle, at the end of a clause.


def _rule_double_barrelled(ctx: _Context) -> Iterator[Finding]:
    for i, it in enumerate(ctx.assessment.items):
        why = double_barrel(it.prompt)
        if why:
            yield ("items", i, "prompt"), (
                f"prompt asks two things at once ({why}); an observer who sees one but not the other "
                "cannot answer it. Split it into two items, or keep the part the item scores"
            )


def _rule_prompt_question(ctx: _Context) -> Iterator[Finding]:
    for i, it in enumerate(ctx.assessment.items):
        if not it.prompt.rstrip().rstrip("\"'”’)").endswith("?"):
            yield ("items", i, "prompt"), (
                "prompt is not a question; phrase it as the question the observer answers "
                '("How many…?", "Does the pod…?")'
            )


# --------------------------------------------------------------------------- anchors


def _rule_near_identical(ctx: _Context) -> Iterator[Finding]:
    for i, it in enumerate(ctx.assessment.items):
        if not isinstance(it, AnchoredItem):
            continue
        levels = sorted(it.anchors)
        for lo, hi in zip(levels, levels[1:]):
            s = similarity(it.anchors[lo], it.anchors[hi])
            if s >= SIMILARITY:
                yield ("items", i, "anchors", hi), (
                    f"anchors of levels {lo} and {hi} are {s:.0%} alike (they differ only in: "
                    f"{word_diff(it.anchors[lo], it.anchors[hi])}); observers will split between "
                    "them. Name something seen at one level and not at the other"
                )


def _rule_level_wording(ctx: _Context) -> Iterator[Finding]:
    for i, it in enumerate(ctx.assessment.items):
        if not isinstance(it, AnchoredItem):
            continue
        levels = sorted(it.anchors)
        found = {lv: quantities(it.anchors[lv]) for lv in levels}
        for j, hi in enumerate(levels[1:], 1):
            text_hi = it.anchors[hi]
            if BUILDS_ON.search(text_hi):
                continue
            clash = next(
                ((lo, c) for lo in reversed(levels[:j]) if (c := quantity_clash(found[lo], found[hi]))),
                None,
            )
            if clash:
                lo, ((r_lo, w_lo), (r_hi, w_hi)) = clash
                yield ("items", i, "anchors", hi), (
                    f"level {hi} says {quote(w_hi)} ({RANK_WORDS[r_hi]}) where level {lo} already says "
                    f"{quote(w_lo)} ({RANK_WORDS[r_lo]}) about the same thing; a higher level should describe "
                    "more of the behaviour, not less. Reorder or reword the anchors"
                )
                continue
            lo = levels[j - 1]
            w_lo, w_hi = content_words(it.anchors[lo]), content_words(text_hi)
            if w_hi and len(words(text_hi)) < 0.5 * len(words(it.anchors[lo])):
                reused = sum(1 for w in w_hi if w in set(w_lo)) / len(w_hi)
                if reused >= 0.8:
                    yield ("items", i, "anchors", hi), (
                        f"level {hi} is less than half as long as level {lo} and only reuses its words, so it "
                        f"describes less, not more. Say what is added at level {hi}, or start with \"As level {lo}, and …\""
                    )


def _rule_evaluative(ctx: _Context) -> Iterator[Finding]:
    for i, it in enumerate(ctx.assessment.items):
        if not isinstance(it, AnchoredItem):
            continue
        for level in sorted(it.anchors):
            found = list(dict.fromkeys(m.group(0) for m in EVALUATIVE.finditer(unquoted(it.anchors[level]).lower())))
            if found:
                yield ("items", i, "anchors", level), (
                    f"level {level} anchor judges instead of describing ({', '.join(map(quote, found))}); "
                    "two observers will read it differently. Say what makes it so: a count, a time, an artefact, words said"
                )


def _rule_anchor_length(ctx: _Context) -> Iterator[Finding]:
    for i, it in enumerate(ctx.assessment.items):
        if isinstance(it, AnchoredItem):
            for level in sorted(it.anchors):
                n = len(words(it.anchors[level]))
                if n > MAX_ANCHOR_WORDS:
                    yield ("items", i, "anchors", level), (
                        f"level {level} anchor has {n} words, too many to hold in mind while scoring live "
                        f"(at most {MAX_ANCHOR_WORDS}); move detail to notes or look_for"
                    )


# --------------------------------------------------------------------------- decision rules


def _rule_decision_missing(ctx: _Context) -> Iterator[Finding]:
    for i, it in enumerate(ctx.assessment.items):
        if isinstance(it, AnchoredItem) and it.decision_rule is None:
            yield ("items", i, "anchors"), (
                "anchored item has no decision_rule, so an observation that fits no anchor exactly has no level; "
                "add rows [{level, when}] checked top-down from the highest level, the last reading 'otherwise'"
            )


def _rule_level_unreachable(ctx: _Context) -> Iterator[Finding]:
    levels = ctx.assessment.levels
    for i, it in enumerate(ctx.assessment.items):
        if not isinstance(it, AnchoredItem) or it.decision_rule is None:
            continue
        given = {step.level for step in it.decision_rule}
        for lv in levels:
            if lv not in given:
                yield ("items", i, "decision_rule"), (
                    f"no row of the decision rule gives level {lv}, so no observation can score it; "
                    "add a row for it or remove the level from the scale"
                )
        rows = it.decision_rule
        for j, step in enumerate(rows):
            if step.when.strip().rstrip(".").lower() == "otherwise":
                continue
            earlier = next((k for k in range(j) if shadows(rows[k].when, step.when)), None)
            if earlier is not None:
                yield ("items", i, "decision_rule", j, "when"), (
                    f"row for level {step.level} can never be reached: the earlier row for level "
                    f"{rows[earlier].level} already holds whenever it does (it says nothing this row does not). "
                    "Say what tells the two levels apart"
                )


def _rule_multi_condition(ctx: _Context) -> Iterator[Finding]:
    for i, it in enumerate(ctx.assessment.items):
        if not isinstance(it, AnchoredItem) or it.decision_rule is None:
            continue
        for j, step in enumerate(it.decision_rule):
            n = joined_conditions(step.when)
            if n > MAX_ROW_CONDITIONS:
                yield ("items", i, "decision_rule", j, "when"), (
                    f"row for level {step.level} needs {n} conditions at once (joined by 'and' or ';'), so an "
                    "observation that meets some of them drops to a lower level; keep a row to "
                    f"{MAX_ROW_CONDITIONS} conditions and split the behaviour into separate items"
                )


def _rule_reference_missing(ctx: _Context) -> Iterator[Finding]:
    if ctx.bibliography is None:
        return
    for j, ref in enumerate(ctx.assessment.references):
        if ref not in ctx.bibliography:
            close = difflib.get_close_matches(ref, sorted(ctx.bibliography), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            yield ("references", j), (
                f"reference {ref!r} is not an entry of the bibliography ({'/'.join(bib.PAGE)}){hint}; "
                "add the entry there, written 'Authors (year) {: #" + ref + " }', or use an id it defines"
            )


# --------------------------------------------------------------------------- item completeness

def _rule_missing_evidence(ctx: _Context) -> Iterator[Finding]:
    for i, it in enumerate(ctx.assessment.items):
        n = len(words(it.evidence))
        if n < MIN_EVIDENCE_WORDS:
            yield ("items", i, "evidence"), (
                f"evidence prompt has {n} word{'s' if n != 1 else ''}, too few to guide an observer; say what "
                "to write down (counts, quotes without names, times, links to artefacts)"
            )


def _rule_missing_intervention(ctx: _Context) -> Iterator[Finding]:
    for i, it in enumerate(ctx.assessment.items):
        if not it.interventions:
            yield ("items", i), (
                "item has no interventions; add at least one concrete action the pod can take next week "
                "(interventions: [{title, action, effort}])"
            )
        for j, iv in enumerate(it.interventions):
            n = len(words(iv.action))
            if n < MIN_ACTION_WORDS:
                yield ("items", i, "interventions", j, "action"), (
                    f"intervention action has {n} word{'s' if n != 1 else ''}; say who does what, when and for "
                    "how long, so the pod can act on it"
                )


def _rule_look_for(ctx: _Context) -> Iterator[Finding]:
    for i, it in enumerate(ctx.assessment.items):
        if len(it.look_for) < MIN_LOOK_FOR:
            yield ("items", i, "look_for"), (
                f"only {len(it.look_for)} look-for cue; give at least {MIN_LOOK_FOR}, including what failure "
                "looks like, so observers know what to watch"
            )


def _rule_target_zero(ctx: _Context) -> Iterator[Finding]:
    for i, it in enumerate(ctx.assessment.items):
        if it.target == 0:
            yield ("items", i, "target"), (
                "target level 0 means the item is never below target, so it never becomes a finding or "
                "adds Execution Debt; set the level the pod should reach"
            )


# --------------------------------------------------------------------------- structure

def _rule_thin_dimension(ctx: _Context) -> Iterator[Finding]:
    a = ctx.assessment
    for d_i, d in enumerate(a.dimensions):
        n = len(a.items_in(d.id))
        if n < MIN_DIMENSION_ITEMS:
            yield ("dimensions", d_i), (
                f"dimension {d.id!r} has {n} item{'s' if n != 1 else ''}; a dimension score from fewer than "
                f"{MIN_DIMENSION_ITEMS} items swings with one observation. Add items or merge it into another dimension"
            )


def _rule_inert(ctx: _Context) -> Iterator[Finding]:
    a = ctx.assessment
    gated = ctx.gated_items
    dim_total = sum(d.weight for d in a.dimensions)
    for i, it in enumerate(a.items):
        if it.id in gated:
            continue
        try:
            dim = a.dimension(it.dimension)
        except KeyError:  # pragma: no cover - cross_check refuses such files
            continue
        items_total = sum(x.weight for x in a.items_in(dim.id))
        share = it.weight / items_total if items_total else 0.0
        dim_share = dim.weight / dim_total if dim_total else 0.0
        key = ("items", i, "weight") if "weight" in it.model_fields_set else ("items", i)
        if share < NEGLIGIBLE_SHARE:
            yield key, (
                f"item carries {share:.1%} of dimension {dim.id!r} and no readiness gate names it, so nothing "
                "it records can move a score or a level; raise its weight, gate on it, or drop it"
            )
        elif dim_share < NEGLIGIBLE_SHARE:
            yield key, (
                f"item's dimension {dim.id!r} carries {dim_share:.1%} of the overall score and no readiness gate "
                "names this item, so it cannot move the readiness level; raise the dimension's weight or gate on it"
            )


def _rule_critical_not_gated(ctx: _Context) -> Iterator[Finding]:
    gated = ctx.gated_items
    for i, it in enumerate(ctx.assessment.items):
        if it.critical and it.id not in gated:
            yield ("items", i, "critical"), (
                "item is critical but no readiness gate names it, so being critical changes nothing; add "
                f"'- item: {it.id}' with a min_level to a readiness level's gates, or remove critical"
            )


def _rule_ids(ctx: _Context) -> Iterator[Finding]:
    a = ctx.assessment
    targets: list[tuple[tuple, str]] = [(("id",), a.id)]
    targets += [(("dimensions", i, "id"), d.id) for i, d in enumerate(a.dimensions)]
    targets += [(("items", i, "id"), it.id) for i, it in enumerate(a.items)]
    targets += [(("readiness", i, "id"), r.id) for i, r in enumerate(a.readiness)]
    for key, value in targets:
        for msg in id_problems(value):
            yield key, msg
    for i, it in enumerate(a.items):
        if not isinstance(it, CodesItem):
            continue
        for j, code in enumerate(it.codes):
            if len(code.id) > MAX_CODE_LENGTH:
                yield ("items", i, "codes", j, "id"), (
                    f"code id {code.id!r} has {len(code.id)} characters; observers write codes in every interval, "
                    f"keep them to {MAX_CODE_LENGTH} (like 'MM', 'DIS')"
                )
        styles = {("upper" if c.id.upper() == c.id else "mixed") for c in it.codes}
        if len(styles) > 1:
            odd = [c.id for c in it.codes if c.id.upper() != c.id]
            yield ("items", i, "codes"), (
                f"code ids mix styles ({', '.join(odd)} next to upper-case codes); write them all in capitals "
                "so observers do not have to remember which is which"
            )


# --------------------------------------------------------------------------- registry and driver

RULES: tuple[Rule, ...] = (
    Rule("unobservable-wording", "An anchor, look-for cue, code or prompt names an inner state an observer cannot see or hear.", _rule_unobservable),
    Rule("double-barrelled-prompt", "A prompt asks two things at once.", _rule_double_barrelled),
    Rule("near-identical-anchors", f"Anchors of adjacent levels are at least {SIMILARITY:.0%} alike.", _rule_near_identical),
    Rule("missing-evidence", f"The evidence prompt has fewer than {MIN_EVIDENCE_WORDS} words.", _rule_missing_evidence),
    Rule("missing-intervention", "The item has no intervention, or one too short to act on.", _rule_missing_intervention),
    Rule("inert-item", "No score or readiness gate can be moved by the item (negligible weight, ungated).", _rule_inert),
    Rule("critical-not-gated", "A critical item is named by no readiness gate.", _rule_critical_not_gated),
    Rule("level-wording-not-increasing", "Anchor wording does not escalate from level to level.", _rule_level_wording),
    Rule("thin-dimension", f"A dimension has fewer than {MIN_DIMENSION_ITEMS} items.", _rule_thin_dimension),
    Rule("id-not-kebab-case", "An id the schema accepts but people will trip over (too long, words run together, generic, code style).", _rule_ids),
    Rule("target-zero", "Target level 0: the item never becomes a finding.", _rule_target_zero),
    Rule("look-for-too-few", f"Fewer than {MIN_LOOK_FOR} look-for cues.", _rule_look_for),
    Rule("anchor-too-long", f"An anchor has more than {MAX_ANCHOR_WORDS} words.", _rule_anchor_length),
    Rule("evaluative-wording", "An anchor judges (good, adequate, effective…) instead of describing.", _rule_evaluative),
    Rule("prompt-not-a-question", "The prompt does not end with a question mark.", _rule_prompt_question),
    Rule("decision-rule-missing", "An anchored item has no decision rule mapping every observation to one level.", _rule_decision_missing),
    Rule("level-unreachable", "A level no decision-rule row gives, or a row an earlier row shadows (heuristic).", _rule_level_unreachable),
    Rule("multi-condition-level", f"A decision-rule row joins more than {MAX_ROW_CONDITIONS} conditions: split the item.", _rule_multi_condition),
    Rule("reference-not-in-bibliography", "A reference id is not an entry of content/references.md.", _rule_reference_missing),
    Rule("self-check-question", "A self-check question is not one yes/no question about the pod's work.", lambda ctx: question_problems(ctx.assessment)),
    # checked by lint_assessment itself: it reads the comments, not the assessment
    Rule("bad-suppression", "A '# podkit: ignore[...]' comment names an unknown rule.", lambda ctx: ()),
)
RULE_IDS: tuple[str, ...] = tuple(r.id for r in RULES)

_IGNORE = re.compile(r"(?:^|\s)#.*?\bpodkit:\s*ignore\b(?:\[([^\]]*)\])?")


def _suppressions(document: Document) -> dict[int, tuple[set[str] | None, int]]:
    """Line → (rule ids, column) of ``# podkit: ignore[...]`` comments; ``None`` means every rule."""
    try:
        text = document.path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, AttributeError, TypeError):
        return {}
    out: dict[int, tuple[set[str] | None, int]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        m = _IGNORE.search(line)
        if m:
            ids = None if m.group(1) is None else {x.strip() for x in m.group(1).split(",") if x.strip()}
            out[n] = (ids, line.index("#", m.start()) + 1)
    return out


def _is_suppressed(key: tuple, rule: str, document: Document, ignores: dict) -> bool:
    lines = set()
    for n in range(1, len(key) + 1):
        pos = document.positions.get(tuple(key[:n]))
        if pos:
            lines.add(pos[0])
    for ln in lines:
        if ln in ignores:
            ids = ignores[ln][0]
            if ids is None or rule in ids:
                return True
    return False


def select_rules(rule_ids: Iterable[str] | None = None) -> tuple[Rule, ...]:
    """The rules named by ``rule_ids`` (all when empty); raises ``KeyError`` for an unknown id."""
    wanted = list(rule_ids or [])
    if not wanted:
        return RULES
    unknown = [r for r in wanted if r not in RULE_IDS]
    if unknown:
        raise KeyError(unknown[0])
    return tuple(r for r in RULES if r.id in wanted)


def lint_assessment(
    assessment: Assessment,
    document: Document,
    rules: Iterable[str] | None = None,
    bibliography: frozenset[str] | None = None,
) -> list[Problem]:
    """Warnings for one assessment, sorted by position; each has a ``rule`` id.

    ``bibliography`` holds the ids references may name; ``None`` skips that check.
    """
    selected = select_rules(rules)
    ctx = _Context(assessment, document, bibliography)
    ignores = _suppressions(document)
    problems: list[Problem] = []
    for rule in selected:
        for key, message in rule.check(ctx):
            if not _is_suppressed(key, rule.id, document, ignores):
                problems.append(document.problem(message, key, severity="warning", rule=rule.id))
    if any(r.id == "bad-suppression" for r in selected):
        for line, (ids, col) in sorted(ignores.items()):
            for bad in sorted((ids or set()) - set(RULE_IDS)):
                close = difflib.get_close_matches(bad, RULE_IDS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else "; podkit lint --list-rules shows them"
                problems.append(Problem(document.path, f"unknown rule {bad!r} in ignore comment{hint}", line, col, (), "warning", "bad-suppression"))
    return sorted(problems, key=lambda p: (p.line or 0, p.col or 0, p.rule or "", p.message))


def lint_kit(kit, rules: Iterable[str] | None = None) -> list[Problem]:
    """Warnings for every assessment of ``kit``, sorted by file and position."""
    selected = select_rules(rules)  # fail early on an unknown id
    problems: list[Problem] = []
    bibliography = None
    if any(r.id == "reference-not-in-bibliography" for r in selected):
        bibliography, problem = bib.load_ids(kit)
        if problem is not None:
            problems.append(problem)
    for a in kit.assessments:
        problems += lint_assessment(a, kit.documents[a.id], rules, bibliography)
    return sorted(problems, key=lambda p: (str(p.path), p.line or 0, p.col or 0, p.rule or "", p.message))


def summary(problems: list[Problem], n_files: int) -> str:
    """``N warnings in M files`` (M counts files with warnings; all linted files when none)."""
    files = {str(p.path) for p in problems}
    n = len(problems)
    m = len(files) if problems else n_files
    return f"{n} warning{'s' if n != 1 else ''} in {m} file{'s' if m != 1 else ''}"
