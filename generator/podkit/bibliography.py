"""The kit's bibliography, ``content/references.md``: the one list every reference points into.

Entries are definition-list terms with an id, written ``Authors (year) {: #id }``; assessments
name entries by id in their ``references``, the linter checks those ids, and the print toolkit
shows each entry's text.
"""

from __future__ import annotations

import re

from .errors import Problem, SourceErrors
from .sources import read_text

#: Where the bibliography lives in a project.
PAGE = ("content", "references.md")
#: How an entry's id is written: an attribute list at the end of the term.
ENTRY_ID = re.compile(r"\{: #([a-z0-9-]+) \}")
_ENTRY = re.compile(r"^(?P<term>\S.*?)\s*\{: #(?P<id>[a-z0-9-]+) \}\s*\n:\s+(?P<source>.+)$", re.M)
_LINK = re.compile(r"\s*<(https?://[^>\s]+)>")


def ids(text: str) -> frozenset[str]:
    """The entry ids a bibliography page defines."""
    return frozenset(ENTRY_ID.findall(text))


def entries(text: str) -> dict[str, str]:
    """``id -> the entry's source line`` (authors, title, venue; an autolink becomes its address)."""
    return {m.group("id"): _LINK.sub(r" \1", m.group("source")).strip() for m in _ENTRY.finditer(text)}


def project_entries(project) -> dict[str, str]:
    """``id -> entry`` of a project's bibliography (empty without one), for printed reference lists."""
    path = project.root.joinpath(*PAGE)
    if not path.is_file():
        return {}
    return entries(read_text(path, root=project.root))


def load_ids(kit) -> tuple[frozenset[str] | None, Problem | None]:
    """The project's bibliography ids, or ``None`` and one warning when it cannot be read."""
    path = kit.project.root.joinpath(*PAGE)
    if not any(a.references for a in kit.assessments):
        return None, None
    try:
        text = read_text(path, root=kit.project.root)
    except SourceErrors as exc:
        detail = exc.problems[0].message if exc.problems else "unreadable"
        why = "does not exist" if detail == "no such file" else f"cannot be read ({detail})"
        return None, Problem(
            path,
            f"the bibliography {why}, so no assessment reference can be checked; add it, with one entry "
            "'Authors (year) {: #id }' for each id the assessments' references name",
            None, None, (), "warning", "reference-not-in-bibliography",
        )
    return ids(text), None
