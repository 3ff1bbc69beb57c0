"""markdown_guard.py: content pages that would blow up the site build are refused, located.

(Moved from the cross-cutting tests/test_safety.py, assertions unchanged.)
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest


@pytest.mark.parametrize("text, message, line", [
    ("# x\n\n" + "[" * 20_000 + "\n", "'[' are open at once", 3),
    ("# x\n\n" + "".join("    " * i + "- x\n" for i in range(300)), "levels of lists", 24),
    ("# x\n\n" + "".join("\t" * i + "- x\n" for i in range(300)), "levels of lists", 24),
    ("# x\n\n" + ">" * 300 + " x\n", "quotes nest 300 levels", 3),
    ("# x\n\n" + "> " * 21 + "x\n", "quotes nest 21 levels", 3),
    ("# x\n\n" + "*" * 1990 + "a" + "*" * 1990 + "\n", "nests so deeply", None),
    ("# x\n\n" + "_" * 1990 + "a" + "_" * 1990 + "\n", "nests so deeply", None),
])
def test_markdown_guard_refuses_with_the_file_and_line(text, message, line):
    from podkit.errors import SourceErrors
    from podkit.markdown_guard import check_markdown

    with pytest.raises(SourceErrors) as err:
        check_markdown(Path("content/page.md"), text, extensions=["abbr", "admonition", "attr_list", {"toc": {"permalink": True}}, "pymdownx.superfences"])
    problem = err.value.problems[0]
    assert message in problem.message and str(problem.path) == "content/page.md" and problem.line == line


def test_markdown_guard_accepts_real_pages_and_fenced_code():
    from podkit.markdown_guard import MAX_BRACKETS, MAX_NESTING, check_markdown

    root = Path(__file__).resolve().parent.parent
    for page in sorted((root / "content").rglob("*.md")):
        check_markdown(page, page.read_text(encoding="utf-8"), extensions=["abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc", "pymdownx.details", "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.snippets"])
    fenced = "```\n" + "[" * 5000 + "\n" + " " * 400 + "x\n```\n"
    check_markdown(Path("f.md"), fenced)
    check_markdown(Path("ok.md"), "".join("    " * i + "- x\n" for i in range(MAX_NESTING)) + "\n" + "[" * MAX_BRACKETS + "\n\n" + "\\[" * 500 + "\n")


def test_markdown_guard_stops_a_conversion_past_its_budget(monkeypatch):
    import markdown

    from podkit.errors import SourceErrors
    from podkit.markdown_guard import check_markdown

    def slow(self, text):
        while True:
            time.sleep(0.01)

    monkeypatch.setattr(markdown.Markdown, "convert", slow)
    with pytest.raises(SourceErrors) as err:
        check_markdown(Path("slow.md"), "# fine\n", budget=0.3)
    assert "longer than 0.3 s" in err.value.problems[0].message
