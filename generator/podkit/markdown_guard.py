"""Check a content Markdown page before the site build converts it.

Content pages are the kit's own Markdown, converted by Python-Markdown (through MkDocs, and for
the HR guide PDF). Some shapes of text make that conversion recurse past Python's limit or run
for minutes: hundreds of nested list levels or quotes, thousands of unclosed ``[``, a run of
thousands of ``*``. :func:`check_markdown` refuses them with the file and line named, in two steps:

1. one linear pass over the lines (fenced code blocks are skipped) refuses nesting deeper than
   :data:`MAX_NESTING` levels (lists and indented blocks by their indentation, quotes by their
   ``>`` marks) and more than :data:`MAX_BRACKETS` ``[`` open at once within a block;
2. the page is converted once with the project's Markdown extensions, within
   :data:`BUDGET_SECONDS` (measured by a timer where the process allows it: in the main thread),
   and a conversion that recurses too deeply is refused too.

:func:`check_pages` applies both steps to the staged pages that are copies of the kit's content
pages, converting them with one Markdown instance (reset between pages, made again after a page
that failed). Pages podkit makes itself (assessments, reports, indexes) are built by its templates
from validated data whose text is escaped, so only the first step, which costs little, is applied
to them; a second conversion of every page would double the site's Markdown work. A long-running
process (``podkit serve``) may pass it a dict
of the pages that passed: a page is skipped only when the digest of everything the check reads
(its text, the extensions and their configuration, the limits above) is in it, so an edited
page, or a changed configuration, is checked again.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import threading
from pathlib import Path

from .cache import Hasher, remember
from .errors import Problem, SourceErrors

#: Deepest nesting of lists, quotes or indented blocks accepted in a content page (real pages
#: nest three or four levels).
MAX_NESTING = 20
#: Most ``[`` open at once within one block of text (a real page has one or two).
MAX_BRACKETS = 20
#: Longest a content page may take to convert to HTML (real pages take well under 0.1 s).
BUDGET_SECONDS = 5.0
#: Spaces one nesting level is indented by (Python-Markdown's tab length).
TAB = 4
#: Most digests of passed pages a long-running process keeps (the oldest are dropped first).
PASSED_LIMIT = 4096
#: Extensions left out of the trial conversion: they read other files, which are checked on their own.
_SKIP_EXTENSIONS = ("pymdownx.snippets",)

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_QUOTES = re.compile(r"^[ \t]*(?:>[ \t]?)+")


class _OverBudget(Exception):
    pass


def check_markdown(path: Path | str, text: str, *, extensions=(), extension_configs: dict | None = None, budget: float = BUDGET_SECONDS) -> None:
    """Raise :class:`SourceErrors` naming ``path`` (and the line) if the page is too deeply nested
    or too costly to convert; ``extensions`` / ``extension_configs`` as in mkdocs.yml."""
    problem = _check(Path(path), text, _markdown(extensions, extension_configs), budget)
    if problem is not None:
        raise SourceErrors([problem])


def check_pages(content_dir: Path, stage: Path, extensions=(), extension_configs: dict | None = None, *, passed: dict | None = None) -> None:
    """:func:`check_markdown` for every staged page copied from ``content_dir`` (named by its file
    there), the nesting pass alone for the pages podkit made; all problems at once. ``passed`` (kept by the caller between calls)
    holds the digests of pages that passed: such a page is not converted again, and pages that
    pass now are added (at most :data:`PASSED_LIMIT`)."""
    problems: list[Problem] = []
    config = _config_digest(extensions, extension_configs) if passed is not None else ""
    md = None
    for page in sorted(Path(stage).rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        source = Path(content_dir) / page.relative_to(stage)
        if not source.is_file():  # made by podkit from escaped, validated data: the nesting pass only
            problem = _structure(page, _without_front_matter(text))
            if problem is not None:
                problems.append(problem)
            continue
        key = None
        if passed is not None:
            key = Hasher("markdown-check", config, text).hexdigest()
            if key in passed:
                remember(passed, key, True, PASSED_LIMIT)  # recently used: dropped last
                continue
        if md is None:
            md = _markdown(extensions, extension_configs)
        else:
            md.reset()
        problem = _check(source, text, md, BUDGET_SECONDS)
        if problem is not None:
            problems.append(problem)
            md = None  # a conversion cut short may leave state behind: a fresh instance for the next page
        elif key is not None:
            remember(passed, key, True, PASSED_LIMIT)
    if problems:
        raise SourceErrors(problems)


def _check(path: Path, text: str, md, budget: float) -> Problem | None:
    text = _without_front_matter(text)
    problem = _structure(path, text)
    if problem is None:
        problem = _convert(path, text, md, budget)
    return problem


def _extensions(extensions, configs: dict | None) -> tuple[list[str], dict]:
    """The extension names and configurations of the trial conversion."""
    names = []
    for ext in extensions:
        name = ext if isinstance(ext, str) else next(iter(ext))
        if name not in _SKIP_EXTENSIONS:
            names.append(name)
    return names, {k: v for k, v in (configs or {}).items() if k in names}


def _markdown(extensions, configs: dict | None):
    import markdown

    names, configs = _extensions(extensions, configs)
    return markdown.Markdown(extensions=names, extension_configs=configs)


def _config_digest(extensions, configs: dict | None) -> str:
    """Everything besides the page text that decides the check's outcome. Values without a JSON
    form (a function named in mkdocs.yml) count by their ``repr``: at worst a page is checked
    again."""
    names, configs = _extensions(extensions, configs)
    return Hasher(json.dumps([names, configs], sort_keys=True, default=repr), MAX_NESTING, MAX_BRACKETS, TAB, BUDGET_SECONDS).hexdigest()


def _without_front_matter(text: str) -> str:
    """The page as MkDocs converts it: a leading ``---`` YAML block (its metadata) blanked out,
    so that line numbers still match the file."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return text
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            return "\n" * (end + 1) + "\n".join(lines[end + 1:])
    return text


def _structure(path: Path, text: str) -> Problem | None:
    fence: str | None = None
    brackets = 0
    for number, line in enumerate(text.splitlines(), start=1):
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        if not line.strip():
            brackets = 0  # inline parsing does not cross a blank line
            continue
        quotes = _QUOTES.match(line)
        depth = quotes.group(0).count(">") if quotes else 0
        if depth > MAX_NESTING:
            return Problem(path, f"quotes nest {depth} levels deep; podkit accepts up to {MAX_NESTING}", number, 1)
        indent = len(line.expandtabs(TAB)) - len(line.expandtabs(TAB).lstrip(" "))
        if indent // TAB > MAX_NESTING:
            return Problem(path, f"this line is indented {indent} spaces ({indent // TAB} levels of lists or indented blocks); "
                                 f"podkit accepts up to {MAX_NESTING} levels", number, 1)
        escaped = False
        for col, ch in enumerate(line, start=1):
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == "[":
                brackets += 1
                if brackets > MAX_BRACKETS:
                    return Problem(path, f"more than {MAX_BRACKETS} '[' are open at once here; close them, or write \\[ for a literal bracket", number, col)
            elif ch == "]" and brackets:
                brackets -= 1
    return None


def _convert(path: Path, text: str, md, budget: float) -> Problem | None:
    try:
        with _deadline(budget):
            md.convert(text)
    except RecursionError:
        return Problem(path, "the page nests so deeply (emphasis marks, lists or quotes) that converting it fails; simplify it")
    except _OverBudget:
        return Problem(path, f"converting the page takes longer than {budget:g} s (a real page takes well under a second); "
                             "look for long runs of '[', '*', '_' or '<'")
    return None


@contextlib.contextmanager
def _deadline(seconds: float):
    """Raise :class:`_OverBudget` in this thread after ``seconds`` (main thread only, else no limit)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer") or seconds <= 0:
        yield
        return

    def expire(signum, frame):
        raise _OverBudget

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
