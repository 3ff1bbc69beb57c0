"""How free text from YAML, CSV and PDF fields reaches Markdown and HTML.

Text fields (titles, prompts, anchors, evidence notes, ids) allow a small inline subset:
``**strong**``, ``*emphasis*`` and ```code```. Everything else is shown literally: raw HTML,
links, images, headings, lists, attribute lists and template syntax are never interpreted.

Marks are found in one left-to-right pass (:func:`_marked`), without recursion, and never nest
deeper than emphasis inside strong. A mark's stars touch no other star and enclose text that
starts and ends with a visible character, so ``***x***`` or a run of thousands of ``*`` is shown
as it is. In Markdown output every ``*`` that is not part of a mark is escaped, so the Markdown
parser that builds the site cannot nest (and recurse) either.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

_MD_SPECIAL = re.compile(r"([\\\[\]()!#{}|<>&~^=$:_])")
_WS = re.compile(r"\s+")
_STRONG = re.compile(r"(?<!\*)\*\*(?=[^\s*])(.+?)(?<=[^\s*])\*\*(?!\*)")
_EM = re.compile(r"(?<![*\w])\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?![*\w])")
_CODE_SPLIT = re.compile(r"`([^`]+)`")


def md_inline(text: object) -> str:
    """Escape ``text`` for one line of Markdown, keeping the inline subset."""
    s = _WS.sub(" ", str(text)).strip()
    out = []
    for i, part in enumerate(re.split(r"(`[^`]*`)", s)):
        if i % 2 == 1:  # a code span: Markdown shows it literally already
            out.append(part.replace("|", "\\|"))
            continue
        part = _MD_SPECIAL.sub(lambda m: _escape_char(m.group(1)), part)
        out.append(_md_marks(part))
    s = "".join(out)
    # Neutralise block syntax at the very start (lists, quotes, numbered lists, rules).
    s = re.sub(r"^([-+*])(\s)", r"\\\1\2", s)
    s = re.sub(r"^(\d+)\.(\s)", r"\1\\.\2", s)
    s = re.sub(r"^([-*_])(?=\s*\1\s*\1)", r"\\\1", s)  # a thematic break: ---, ***, _ _ _
    return s


def _marked(s: str):
    """Split ``s`` (no code spans in it) into ``(strong, [(text, em), …])`` runs, in order."""
    pos = 0
    for m in _STRONG.finditer(s):
        if m.start() > pos:
            yield False, _em_pieces(s[pos:m.start()])
        yield True, _em_pieces(m.group(1))
        pos = m.end()
    if pos < len(s):
        yield False, _em_pieces(s[pos:])


def _em_pieces(s: str) -> list[tuple[str, bool]]:
    pieces = []
    pos = 0
    for m in _EM.finditer(s):
        if m.start() > pos:
            pieces.append((s[pos:m.start()], False))
        pieces.append((m.group(1), True))
        pos = m.end()
    if pos < len(s):
        pieces.append((s[pos:], False))
    return pieces


def _md_marks(part: str) -> str:
    """Markdown for ``part``: the marks :func:`_marked` finds, every other ``*`` escaped."""
    if "*" not in part:
        return part
    out = []
    for strong, pieces in _marked(part):
        inner = "".join(f"*{_star(t)}*" if em else _star(t) for t, em in pieces)
        out.append(f"**{inner}**" if strong else inner)
    return "".join(out)


def _star(text: str) -> str:
    return text.replace("*", "\\*")


def _escape_char(ch: str) -> str:
    if ch == "<":
        return "&lt;"
    if ch == ">":
        return "&gt;"
    if ch == "&":
        return "&amp;"
    if ch in "~^=$:":
        return "&#%d;" % ord(ch)
    return "\\" + ch


def html_inline(text: object) -> Markup:
    """Render ``text`` as safe HTML with the inline subset (for print templates and reports)."""
    s = _WS.sub(" ", str(text)).strip()
    out = []
    for i, part in enumerate(_CODE_SPLIT.split(s)):
        if i % 2 == 1:
            out.append(f"<code>{html.escape(part, quote=True)}</code>")
            continue
        for strong, pieces in _marked(part):
            inner = "".join(f"<em>{html.escape(t, quote=True)}</em>" if em else html.escape(t, quote=True) for t, em in pieces)
            out.append(f"<strong>{inner}</strong>" if strong else inner)
    return Markup("".join(out))


def plain(text: object) -> str:
    """Text with the inline markers removed (for PDF outlines, titles, JSON)."""
    s = _WS.sub(" ", str(text)).strip()
    out = []
    for i, part in enumerate(_CODE_SPLIT.split(s)):
        if i % 2 == 1:
            out.append(part)
            continue
        out.extend(t for _strong, pieces in _marked(part) for t, _em in pieces)
    return "".join(out)


def front_matter(text: object) -> str:
    """A YAML scalar for page front matter (title, description).

    MkDocs themes insert these values into HTML without escaping, so the text is HTML-escaped
    here and then JSON-quoted (JSON is valid YAML), which also stops key injection.
    """
    import json

    return json.dumps(html.escape(plain(text), quote=True), ensure_ascii=False)
