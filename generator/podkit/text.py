"""How free text from YAML, CSV and PDF fields reaches Markdown and HTML.

Text fields (titles, prompts, anchors, evidence notes, ids) allow a small inline subset:
``**strong**``, ``*emphasis*`` and ```code```. Everything else is shown literally: raw HTML,
links, images, headings, lists, attribute lists and template syntax are never interpreted.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

_MD_SPECIAL = re.compile(r"([\\\[\]()!#{}|<>&~^=$:_])")
_WS = re.compile(r"\s+")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EM = re.compile(r"(?<![*\w])\*(?=\S)([^*]+?)(?<=\S)\*(?![*\w])")
_CODE = re.compile(r"`([^`]+)`")


def md_inline(text: object) -> str:
    """Escape ``text`` for one line of Markdown, keeping the inline subset."""
    s = _WS.sub(" ", str(text)).strip()
    out = []
    for i, part in enumerate(re.split(r"(`[^`]*`)", s)):
        if i % 2 == 1:  # a code span: Markdown shows it literally already
            out.append(part.replace("|", "\\|"))
            continue
        part = _MD_SPECIAL.sub(lambda m: _escape_char(m.group(1)), part)
        out.append(part)
    s = "".join(out)
    # Neutralise block syntax at the very start (lists, quotes, numbered lists, rules).
    s = re.sub(r"^([-+*])(\s)", r"\\\1\2", s)
    s = re.sub(r"^(\d+)\.(\s)", r"\1\\.\2", s)
    return s


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
    s = html.escape(_WS.sub(" ", str(text)).strip(), quote=True)
    codes: list[str] = []

    def keep(m):
        codes.append(m.group(1))
        return f"\x00{len(codes) - 1}\x00"

    s = _CODE.sub(keep, s)
    s = _STRONG.sub(r"<strong>\1</strong>", s)
    s = _EM.sub(r"<em>\1</em>", s)
    s = re.sub(r"\x00(\d+)\x00", lambda m: f"<code>{codes[int(m.group(1))]}</code>", s)
    return Markup(s)


def plain(text: object) -> str:
    """Text with the inline markers removed (for PDF outlines, titles, JSON)."""
    s = _WS.sub(" ", str(text)).strip()
    s = _STRONG.sub(r"\1", s)
    s = _EM.sub(r"\1", s)
    return _CODE.sub(r"\1", s)


def front_matter(text: object) -> str:
    """A YAML scalar for page front matter (title, description).

    MkDocs themes insert these values into HTML without escaping, so the text is HTML-escaped
    here and then JSON-quoted (JSON is valid YAML), which also stops key injection.
    """
    import json

    return json.dumps(html.escape(plain(text), quote=True), ensure_ascii=False)
