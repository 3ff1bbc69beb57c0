"""Language heuristics the rubric linter uses: inner-state words, double-barrelled prompts,
near-identical anchors, quantity words that must escalate with the level, evaluative words, and
decision-rule rows that join too many conditions or repeat an earlier row.

Pure functions over text; :mod:`podkit.lint` turns what they find into located warnings.
"""

from __future__ import annotations

import difflib
import re
from typing import Iterator

from .model import AnchoredItem, Assessment, CodesItem

_QUOTED = re.compile(
    r'"[^"\n]*"'  # "straight double"
    r"|“[^”\n]*”"  # “curly double”
    r"|‘[^’\n]*’(?![a-z])"  # ‘curly single’
    r"|(?<![\w'’])'[^'\n]*?'(?![\w])"  # 'single', but not the apostrophe in board's / members'
    r"|`[^`\n]*`"
)


_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?(?:-[a-z0-9]+)*")


def unquoted(text: str) -> str:
    """``text`` with every quoted span replaced by a neutral placeholder."""
    return _QUOTED.sub(" QUOTED ", text)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s", "ed", "ing"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def quote(word: str) -> str:
    return f'"{word}"'


_SPEECH = (
    r"say|says|said|saying|state|states|stated|stating|tell|tells|told|telling|write|writes|wrote|"
    r"written|writing|report|reports|reported|reporting|mention|mentions|mentioned|ask|asks|asked|"
    r"asking|answer|answers|answered|reply|replies|replied|raise|raises|raised|raising|explain|"
    r"explains|explained|describe|describes|described|admit|admits|admitted|announce|announces|"
    r"announced|note|notes|noted|record|records|recorded|name|names|named"
)


_SPEECH_BEFORE = re.compile(rf"\b(?:{_SPEECH})\b((?:\s+[\w'’-]+){{0,4}}?)\s*$")


_NOT_COMPLEMENT = {"who", "which", "whose", "because", "while", "although", "but", "since", "so"}


_COPULA = r"(?:is|are|was|were|be|been|being|become|becomes|feel|feels|seem|seems|look|looks|remain|remains|stay|stays|get|gets)"


_INTENSIFIER = r"(?:(?:not|very|more|less|really|fully|truly|genuinely|highly|deeply|clearly|visibly|obviously|actively|too)\s+)*"


_INNER_STATES: list[tuple[str, str]] = [
    (r"feel(?:s|ing|ings)?|felt", 'quote what is said, or name the behaviour that shows it'),
    (r"believ(?:e|es|ed|ing)|beliefs?", 'write what is said or written ("states that…")'),
    (r"think(?:s|ing)?(?!\s+(?:aloud|out\s+loud))|thought", 'write what is said ("says…", "proposes…")'),
    (r"seem(?:s|ed|ing|ingly)?|apparently", "describe what is seen that would make it seem so"),
    (
        r"appear(?:s|ed|ing)?\s+to(?!\s+(?:the|a|an|every|each|all|any|them|him|her|us|me|everyone|others?|observers?|members?)\b)",
        "describe what is seen, not how it appears",
    ),
    (r"understand(?:s|ing)?|understood|misunderstand(?:s|ing)?", 'write "can explain in their own words" or "asks about…"'),
    (r"knows|knew", 'write "can state", "can show" or "can find"'),
    (r"want(?:s|ed|ing)?", 'write "asks for" or "proposes"'),
    (r"cares|cared|caring|care\s+(?:about|for)", "name the action that shows it (follows up, fixes, asks)"),
    (r"(?:dis|mis)?trust(?:s|ed|ing|ful|worthy)?", 'name the action ("uses without checking", "checks before use")'),
    (r"(?:un)?aware(?:ness)?", 'write "names", "can point to" or "mentions"'),
    (r"reali[sz](?:e|es|ed|ing)", 'write "says", "notices aloud" or "names"'),
    (r"hop(?:e|es|ed|ing)(?!\s+(?:that\s+)?quoted\b)", "write what is said or planned"),
    (r"emotion(?:s|al|ally)?", "record words and actions, not emotions"),
    (r"attitudes?|morale|moods?|mindsets?|sentiments?|enthusias(?:m|tic)", "count the behaviour that would show it"),
    (r"psychological(?:ly)?\s+safe(?:ty)?", 'observe what shows it: mistakes raised, dissent voiced, questions asked'),
    (r"(?:de|un)?motivated|(?:dis)?engaged(?!\s+in\b)|disengagement", 'count contributions ("speaks", "asks", "volunteers")'),
    (
        rf"{_COPULA}\s+{_INTENSIFIER}(?:happy|unhappy|comfortable|uncomfortable|confident|satisfied|dissatisfied|"
        r"frustrated|anxious|afraid|scared|worried|nervous|eager|keen|passionate|proud|upset|angry|bored|"
        r"invested|willing|unwilling|reluctant|defensive|unsure|receptive|supportive|respectful|resistant|"
        r"hostile|interested|curious|attentive|open\s+to|bought\s+in|on\s+board|engaged\s+in)\b",
        'describe what is said or done ("raises…without being asked", "volunteers")',
    ),
    (
        r"(?:fully|really|deeply|genuinely|truly|highly|visibly)\s+committed"
        r"|committed\s+to\s+(?:the\s+|its\s+|their\s+|each\s+)?(?:goal|outcome|team|pod|mission|vision|purpose|success|process|practice|other|improv\w*|quality|learning|change)\b",
        'write what is done ("commits in writing", "follows through on…")',
    ),
]


_INNER_RE = [(re.compile(rf"(?<![\w-])(?:{pat})(?![\w-])"), hint) for pat, hint in _INNER_STATES]


_CHECKED_UNDERSTANDING = re.compile(r"\b(?:check|checks|checked|checking|test|tests|tested|testing|confirm|confirms|confirmed|verify|verifies|verified)\s+(?:(?:for|their|the|shared|common)\s+)*$")


def inner_state_words(text: str) -> list[tuple[str, str]]:
    """Inner-state words in ``text`` an observer cannot see, as ``(word, hint)`` pairs.

    Quoted spans, reported speech and "check understanding" are not counted (see the module
    docstring).
    """
    plain = unquoted(text)
    low = plain.lower()
    found: list[tuple[int, str, str]] = []
    for rx, hint in _INNER_RE:
        for m in rx.finditer(low):
            before = low[: m.start()]
            # reported speech: "says they feel…", "asks whether members know…"
            sm = _SPEECH_BEFORE.search(before)
            if sm and not (set(sm.group(1).split()) & _NOT_COMPLEMENT) and not re.search(r"[.;:,()]", sm.group(0)):
                continue
            if m.group(0).startswith(("understand", "understood")) and _CHECKED_UNDERSTANDING.search(before):
                continue
            found.append((m.start(), " ".join(m.group(0).split()), hint))
    found.sort(key=lambda f: (f[0], -len(f[1])))
    out, seen, end = [], set(), -1
    for start, word, hint in found:
        if start < end:
            continue  # "seems unsure" already covers "seems"
        end = start + len(word)
        if word not in seen:
            seen.add(word)
            out.append((word, hint))
    return out


_AUX = {"do", "does", "did", "is", "are", "was", "were", "has", "have", "had", "can", "could", "will", "would", "should", "may", "might", "must", "shall"}


_WH = {"how", "what", "why", "when", "where", "who", "whom", "whose", "which", "whether"}


_PURE_VERBS = {
    "ask", "asks", "raise", "raises", "explain", "explains", "discuss", "discusses", "escalate", "escalates",
    "decide", "decides", "agree", "agrees", "assign", "assigns", "invite", "invites", "respond", "responds",
    "verify", "verifies", "write", "writes", "tell", "tells", "say", "says", "give", "gives", "bring", "brings",
    "keep", "keeps", "take", "takes", "make", "makes", "follow", "follows", "identify", "identifies",
    "describe", "describes", "compare", "compares", "confirm", "confirms", "accept", "accepts", "reject",
    "rejects", "prioritise", "prioritises", "prioritize", "prioritizes", "show", "shows", "act", "acts",
}


_DUAL_VERBS = {
    "check", "checks", "review", "reviews", "record", "records", "update", "updates", "fix", "fixes",
    "test", "tests", "plan", "plans", "name", "names", "state", "states", "use", "uses", "share", "shares",
    "link", "links", "mark", "marks", "move", "moves", "change", "changes", "close", "closes", "open", "opens",
    "answer", "answers", "reply", "replies", "note", "notes", "track", "tracks", "demo", "demos", "own",
    "owns", "measure", "measures", "report", "reports", "merge", "merges", "commit", "commits", "start", "starts",
}


_CLAUSE_FOLLOW = {
    "the", "a", "an", "it", "them", "its", "their", "his", "her", "this", "that", "these", "those", "for",
    "to", "on", "with", "about", "up", "down", "back", "out", "each", "every", "all", "any", "whether",
    "who", "what", "how", "why", "when", "where", "which", "one",
}


_IRREGULAR_PARTICIPLES = (
    "made|done|seen|shown|known|written|taken|given|held|kept|heard|told|said|found|set|put|run|built|"
    "brought|sent|spent|met|read|understood|chosen|drawn|begun|broken"
)


_TWO_PARTICIPLES = re.compile(
    rf"\b([a-z]+ed|{_IRREGULAR_PARTICIPLES})\s+and\s+([a-z]+ed|{_IRREGULAR_PARTICIPLES})"
    r"(?=\s*(?:[?,;.]|$)|\s+(?:by|in|on|before|after|during|within|at|with|when|while|each|every|until|from|for|as)\b)"
)


_JOINER = re.compile(r"(?:^|[\s,;])(and/or|as well as|and|or)\s+([a-z]+)(?:\s+([a-z]+))?")


def double_barrel(prompt: str) -> str | None:
    """Why ``prompt`` asks two things at once, or ``None``."""
    text = unquoted(prompt)
    n = text.count("?")
    if n >= 2:
        return f"it has {n} question marks"
    low = text.lower()
    for m in _JOINER.finditer(low):
        joiner, nxt, after = m.group(1), m.group(2), m.group(3) or ""
        phrase = " ".join(x for x in (joiner, nxt) if x)
        if joiner == "and/or":
            return '"and/or" joins two questions'
        if nxt == "then":
            return f'"{phrase}" adds a second step'
        if joiner == "or":
            if nxt in _WH:
                return f'"{phrase}" starts a second question'
            continue
        if nxt in _AUX or nxt in _WH:
            return f'"{phrase}" starts a second question'
        if nxt in _PURE_VERBS or (nxt in _DUAL_VERBS and after in _CLAUSE_FOLLOW):
            return f'"{phrase}" starts a second clause with its own verb'
    m = _TWO_PARTICIPLES.search(low)
    if m:
        return f'"{m.group(0)}" asks about two actions'
    return None


def _norm(text: str) -> str:
    return " ".join(words(text))


def similarity(a: str, b: str) -> float:
    """Greater of the character-level ``difflib`` ratio and the Jaccard overlap of word sets."""
    na, nb = _norm(a), _norm(b)
    ratio = difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio()
    sa, sb = set(na.split()), set(nb.split())
    jaccard = len(sa & sb) / len(sa | sb) if sa | sb else 1.0
    return max(ratio, jaccard)


def word_diff(a: str, b: str) -> str:
    wa, wb = words(a), words(b)
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        left, right = " ".join(wa[i1:i2]), " ".join(wb[j1:j2])
        parts.append(f"{quote(left) if left else '(nothing)'} → {quote(right) if right else '(nothing)'}")
    return ", ".join(parts[:4]) or "word order only"


_QUANTITY: dict[str, int] = {
    **dict.fromkeys(["few", "some", "sometimes", "occasionally", "rarely", "seldom", "once"], 1),
    **dict.fromkeys(["most", "mostly", "several", "many", "often", "usually", "frequently", "regularly", "majority", "generally"], 2),
    **dict.fromkeys(["all", "every", "each", "always", "everyone", "everybody", "everything", "consistently"], 3),
}


_FREQUENCY_ADVERBS = {
    "always", "often", "usually", "sometimes", "rarely", "seldom", "occasionally", "frequently", "regularly",
    "consistently", "generally", "mostly",
}


_QUANTITY_PHRASES = [(re.compile(r"\b(?:only|just)\s+one\b|\ba\s+single\b"), 1)]


RANK_WORDS = {1: "few/some", 2: "most/several", 3: "all/every"}


_NEGATIVE = {
    "no", "not", "none", "nobody", "nothing", "never", "without", "neither", "nor", "cannot", "lack",
    "lacks", "lacking", "missing", "blank", "fail", "fails", "failed", "unanswered", "unowned",
    "unreviewed", "unmarked", "unplanned", "stale", "ignored", "ignore", "ignores", "too", "late",
}


_CLAUSE_SPLIT = re.compile(r"[.;:,()\[\]—–]|\b(?:but|while|whereas|although|though|yet|and|or|then)\b")


_STOP = {
    "the", "a", "an", "of", "to", "in", "on", "at", "by", "for", "with", "and", "or", "is", "are", "was",
    "were", "be", "been", "its", "their", "his", "her", "this", "that", "these", "those", "it", "they",
    "them", "quoted", "s", "time", "times", "pod", "pod's",
}


BUILDS_ON = re.compile(r"^\s*(?:as|same\s+as|like|all\s+of)\s+(?:in\s+|at\s+|for\s+)?levels?\s+\d+|^\s*levels?\s+\d+\s*(?:plus|,|and|\+)", re.I)


def _skip_quantity(tokens: list[str], k: int) -> bool:
    w = tokens[k]
    prev = tokens[k - 1] if k else ""
    nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
    if w == "most" and prev in {"at", "the", "its", "their", "his", "her", "our", "your"}:
        return True  # "at most", "the most frequent"
    if w == "all" and prev == "at":
        return True
    if w == "each" and nxt == "other":
        return True
    if w == "many" and prev in {"how", "too", "as"}:
        return True
    if w == "once" and prev in {"at"}:
        return True
    return False


def quantities(text: str) -> list[tuple[int, str, set[str]]]:
    """Quantity words in positive clauses: ``(rank, word, stems of what they count)``."""
    out = []
    for clause in _CLAUSE_SPLIT.split(unquoted(text).lower()):
        tokens = words(clause)
        if not tokens or set(tokens) & _NEGATIVE or any(t.endswith("n't") for t in tokens):
            continue
        hits: list[tuple[int, int, str]] = []
        for k, t in enumerate(tokens):
            if t in _QUANTITY and not _skip_quantity(tokens, k):
                hits.append((k, _QUANTITY[t], t))
        joined = " ".join(tokens)
        for rx, rank in _QUANTITY_PHRASES:
            for m in rx.finditer(joined):
                k = len(joined[: m.end()].split()) - 1
                hits.append((k, rank, m.group(0)))
        for k, rank, word in hits:
            context = [t for t in tokens[k + 1:] if t not in _STOP and t not in _QUANTITY][:2]
            if word in _FREQUENCY_ADVERBS:
                context += [t for t in tokens[:k] if t not in _STOP][-1:]  # "the lead always asks": the subject too
            stems = {_stem(t) for t in context}
            if stems:
                out.append((rank, word, stems))
    return out


def content_words(text: str) -> list[str]:
    return [w for w in words(unquoted(text)) if w not in _STOP]


def _same_thing(a: set[str], b: set[str]) -> bool:
    """Two quantity words count the same thing when what follows them shares two stems (or all)."""
    return len(a & b) >= min(2, len(a), len(b))


def quantity_clash(lower, higher):
    """``(lower (rank, word), higher (rank, word))`` where ``higher`` counts less of the same thing."""
    for r_lo, w_lo, st_lo in sorted(lower, key=lambda q: -q[0]):
        same = [(r, w) for r, w, st in higher if _same_thing(st_lo, st)]
        if same and max(same)[0] < r_lo:
            return (r_lo, w_lo), max(same)
    return None


EVALUATIVE = re.compile(
    r"(?<![\w-])(?:good|bad|poor(?:ly)?|adequate(?:ly)?|inadequate(?:ly)?|appropriate(?:ly)?|inappropriate(?:ly)?|"
    r"effective(?:ly)?|ineffective(?:ly)?|sufficient(?:ly)?|insufficient(?:ly)?|proper(?:ly)?|improper(?:ly)?|"
    r"reasonabl[ey]|satisfactor(?:y|ily)|excellent|great|significant(?:ly)?|meaningful(?:ly)?|timely|"
    r"high-quality|low-quality|(?<!as )well(?! as)(?:-\w+)?|nice|strong(?:ly)?|weak(?:ly)?|healthy|unhealthy)(?![\w-])"
)


# --------------------------------------------------------------------------- decision rules

#: "and" that joins two conditions, or a semicolon between them (outside quotes). "and" inside a
#: list of nouns ("owner, date and reason") counts once, like any other "and": a row with two
#: joins ("X and Y and Z", "X; Y and Z") asks for three things at once.
_CONDITION_JOIN = re.compile(r";|\band\b")
_ARTICLES = {"a", "an", "the"}


def joined_conditions(text: str) -> int:
    """How many conditions a decision-rule row joins with "and" or ";" (1 when it names one)."""
    return 1 + len(_CONDITION_JOIN.findall(unquoted(text).lower()))


def condition_words(text: str) -> set[str]:
    """The words of a decision-rule condition, articles and a leading "if" left out."""
    found = [w for w in words(unquoted(text)) if w not in _ARTICLES]
    if found and found[0] == "if":
        found = found[1:]
    return set(found)


def shadows(earlier: str, later: str) -> bool:
    """Whether the ``earlier`` row of a decision rule (checked first) says everything ``later``
    says, word for word: every word of ``earlier`` is in ``later``, so whenever ``later`` holds,
    ``earlier`` holds too and ``later`` is never reached."""
    a, b = condition_words(earlier), condition_words(later)
    return bool(a) and a <= b


# --------------------------------------------------------------------------- ids

#: Ids end up in file names, URLs and observation files: keep them short and readable.
MAX_ID_LENGTH = 40
MAX_ID_SEGMENT = 20
_GENERIC_ID = re.compile(r"^(?:\d+|(?:item|items|q|question|dim|dimension|level|lvl|readiness|code|test|todo|tmp|temp|new|untitled|x|foo|bar)(?:-?\d+)?)$")


def id_problems(value: str) -> list[str]:
    """What makes an id hard to read or keep: too long, words run together, says nothing."""
    found = []
    if len(value) > MAX_ID_LENGTH:
        found.append(
            f"id {value!r} has {len(value)} characters; ids end up in file names, URLs and observation "
            f"files, keep them to {MAX_ID_LENGTH}"
        )
    long_parts = [p for p in value.split("-") if len(p) > MAX_ID_SEGMENT]
    if long_parts:
        found.append(
            f"id {value!r} runs words together ({long_parts[0]!r}); separate words with hyphens, like 'goal-clarity'"
        )
    if _GENERIC_ID.match(value):
        found.append(
            f"id {value!r} says nothing about what it names, and numbered ids break when items move; "
            "name the behaviour, like 'dissent-answered'"
        )
    return found


# --------------------------------------------------------------------------- what an observer reads


def observable_texts(a: Assessment) -> Iterator[tuple[tuple, str, str]]:
    """Every text an observer scores by: ``(key, what, text)``."""
    for i, it in enumerate(a.items):
        yield ("items", i, "prompt"), "prompt", it.prompt
        for j, cue in enumerate(it.look_for):
            yield ("items", i, "look_for", j), "look-for cue", cue
        if isinstance(it, AnchoredItem):
            for level in sorted(it.anchors):
                yield ("items", i, "anchors", level), f"level {level} anchor", it.anchors[level]
        if isinstance(it, CodesItem):
            for j, code in enumerate(it.codes):
                yield ("items", i, "codes", j, "description"), f"code {code.id}", code.description
