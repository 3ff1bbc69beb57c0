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


_EXTENSIONS = ["abbr", "admonition", "attr_list", {"toc": {"permalink": True}}, "pymdownx.superfences"]


def _stage(tmp_path: Path, pages: dict[str, str]) -> tuple[Path, Path]:
    content, stage = tmp_path / "content", tmp_path / "stage"
    for rel, text in pages.items():
        for folder in (content, stage):
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text, encoding="utf-8")
    return content, stage


def _count_conversions(monkeypatch) -> list[str]:
    import markdown

    seen: list[str] = []
    convert = markdown.Markdown.convert

    def counting(self, text):
        seen.append(text)
        return convert(self, text)

    monkeypatch.setattr(markdown.Markdown, "convert", counting)
    return seen


def test_check_pages_remembers_passed_pages_and_checks_edited_ones_again(tmp_path, monkeypatch):
    from podkit.errors import SourceErrors
    from podkit.markdown_guard import check_pages

    content, stage = _stage(tmp_path, {"a.md": "# A\n\ntext\n", "sub/b.md": "# B\n\n- one\n- two\n"})
    seen = _count_conversions(monkeypatch)
    passed: dict = {}
    check_pages(content, stage, _EXTENSIONS, {}, passed=passed)
    assert len(seen) == 2 and len(passed) == 2
    check_pages(content, stage, _EXTENSIONS, {}, passed=passed)
    assert len(seen) == 2  # unchanged pages, unchanged configuration: not converted again

    bad = "# B\n\n" + "*" * 1990 + "a" + "*" * 1990 + "\n"
    for folder in (content, stage):
        (folder / "sub" / "b.md").write_text(bad, encoding="utf-8")
    with pytest.raises(SourceErrors) as err:
        check_pages(content, stage, _EXTENSIONS, {}, passed=passed)
    assert [(p.path, "nests so deeply" in p.message) for p in err.value.problems] == [(content / "sub" / "b.md", True)]
    assert len(seen) == 3  # only the edited page was converted
    with pytest.raises(SourceErrors):  # a refused page is never remembered: refused again
        check_pages(content, stage, _EXTENSIONS, {}, passed=passed)
    assert len(seen) == 4

    # another Markdown configuration is another check: every page is converted again
    for folder in (content, stage):
        (folder / "sub" / "b.md").write_text("# B\n", encoding="utf-8")
    check_pages(content, stage, _EXTENSIONS + ["tables"], {}, passed=passed)
    assert len(seen) == 6


def test_check_pages_reports_every_bad_page_with_one_markdown_instance(tmp_path):
    from podkit.errors import SourceErrors
    from podkit.markdown_guard import check_pages

    deep = "# x\n\n" + "_" * 1990 + "a" + "_" * 1990 + "\n"
    pages = {"1.md": "# One\n\n[^1]\n\n[^1]: a note\n", "2.md": deep, "3.md": "# Three\n\n*fine*\n", "4.md": "# x\n\n" + "> " * 21 + "x\n", "5.md": deep}
    content, stage = _stage(tmp_path, pages)
    for passed in (None, {}):
        with pytest.raises(SourceErrors) as err:
            check_pages(content, stage, _EXTENSIONS + ["footnotes"], {}, passed=passed)
        assert [(p.path.name, p.line) for p in err.value.problems] == [("2.md", None), ("4.md", 3), ("5.md", None)]
        assert passed is None or len(passed) == 2  # the two good pages


def test_check_pages_keeps_a_bounded_memory(tmp_path, monkeypatch):
    from podkit import markdown_guard

    content, stage = _stage(tmp_path, {f"{i}.md": f"# Page {i}\n" for i in range(5)})
    monkeypatch.setattr(markdown_guard, "PASSED_LIMIT", 3)
    passed: dict = {}
    markdown_guard.check_pages(content, stage, _EXTENSIONS, {}, passed=passed)
    assert len(passed) == 3


def test_pages_podkit_made_get_the_nesting_pass_and_no_second_conversion(tmp_path, monkeypatch):
    """Only the kit's own content pages are converted on trial; a page that exists only in the
    stage (an assessment or report page podkit made from escaped data) is checked by the nesting
    pass, which still refuses it when it nests too deeply."""
    from podkit.errors import SourceErrors
    from podkit.markdown_guard import check_pages

    content, stage = _stage(tmp_path, {"guide.md": "# Guide\n\ntext\n"})
    (stage / "assessments").mkdir()
    (stage / "assessments" / "made.md").write_text("# Made\n\n- one\n    - two\n", encoding="utf-8")
    seen = _count_conversions(monkeypatch)
    check_pages(content, stage, _EXTENSIONS, {})
    assert seen == ["# Guide\n\ntext\n"]
    (stage / "assessments" / "made.md").write_text("# Made\n\n" + "> " * 21 + "x\n", encoding="utf-8")
    with pytest.raises(SourceErrors) as err:
        check_pages(content, stage, _EXTENSIONS, {})
    assert [(p.path, p.line) for p in err.value.problems] == [(stage / "assessments" / "made.md", 3)]
