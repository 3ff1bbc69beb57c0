"""site.py: staged Markdown pages and a strict MkDocs build of a small kit."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from podkit.cli import main
from podkit.errors import PodkitError
from podkit.kit import Project, load_kit
from podkit.site import build_site, stage_pages


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.scripts = [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)


def _page_text(path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(" ".join(parser.text).split())


def test_build_writes_a_page_per_assessment(runner, kit_copy):
    kit = kit_copy("minimal")
    result = runner.invoke(main, ["build", "-p", str(kit)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    site = kit / "site"
    assert (site / "index.html").is_file()
    page = site / "assessments" / "demo-standup" / "index.html"
    text = _page_text(page)
    assert "When a member reports work as done, what evidence is shown?" in text
    assert "Every claim is shown, and members ask to see it when it is not." in text
    assert "from 2 to below 4" in text  # count thresholds as readable bands
    assert "Member to member" in text
    assert "dimension “Voice” scores 40 or more" in text  # a gate, in words
    index = _page_text(site / "assessments" / "index.html")
    assert "Demo stand-up" in index
    # staged pages are real Markdown files on disk
    assert (kit / ".podkit" / "stage" / "assessments" / "demo-standup.md").is_file()
    # editors get a current schema
    assert (kit / "schemas" / "assessment.schema.json").is_file()


def test_strict_warning_fails_and_keeps_previous_site(kit_copy):
    kit_dir = kit_copy("minimal")
    kit = load_kit(Project.find(kit_dir))
    build_site(kit)
    marker = kit_dir / "site" / "index.html"
    before = marker.read_bytes()
    (kit_dir / "content" / "index.md").write_text("# Home\n\nA [broken link](nowhere.md).\n")
    with pytest.raises(PodkitError, match="nowhere.md"):
        build_site(kit)
    assert marker.read_bytes() == before
    assert not list(kit_dir.glob(".site-new-*"))


def test_hostile_text_is_shown_not_run(kit_copy):
    kit_dir = kit_copy("minimal")
    f = kit_dir / "assessments" / "demo-standup.yaml"
    hostile = '<script>alert(1)</script> [click](javascript:alert(2)) {{ 7*7 }} ![x](http://example.com/x.png) "quote" template: x' 
    f.write_text(f.read_text().replace("summary: A tiny assessment used by the test suite.", "summary: " + json.dumps(hostile)).replace("title: Demo stand-up", "title: " + json.dumps("</title><script>t()</script>")))
    kit = load_kit(Project.find(kit_dir))
    build_site(kit)
    html = (kit_dir / "site" / "assessments" / "demo-standup" / "index.html").read_text()
    assert "<script>alert(1)" not in html and "<script>t()" not in html
    assert 'template: x" ' not in html
    assert 'href="javascript:' not in html
    assert "http://example.com/x.png" not in html.split("<img")[-1] if "<img" in html else True
    text = _page_text(kit_dir / "site" / "assessments" / "demo-standup" / "index.html")
    assert "<script>alert(1)</script>" in text  # shown as text
    assert "{{ 7*7 }}" in text and "49" not in text


def test_stage_is_rebuilt_from_scratch(kit_copy):
    kit_dir = kit_copy("minimal")
    kit = load_kit(Project.find(kit_dir))
    stage = stage_pages(kit)
    (stage / "stale.md").write_text("# stale")
    stage = stage_pages(kit)
    assert not (stage / "stale.md").exists()


# --------------------------------------------------------------------------- golden pages


def test_staged_pages_match_the_golden_files(kit_copy, golden):
    """The generated Markdown of the sample kit, page by page (pytest --update-golden to accept)."""
    kit = load_kit(Project.find(kit_copy("sample")))
    stage = stage_pages(kit)
    pages = ["assessments/index.md", *(f"assessments/{a.id}.md" for a in kit.assessments), "toolkits.md"]
    assert pages == ["assessments/index.md", "assessments/alignment-sample.md", "assessments/voice-sample.md", "toolkits.md"]
    for page in pages:
        text = (stage / page).read_text(encoding="utf-8")
        assert str(kit.project.root) not in text  # nothing of this machine in a page
        golden(f"site/{page}", text)


def test_staged_pages_with_downloads_match_the_golden_files(kit_copy, golden):
    """The toolkits page and an assessment page listing PDFs (planned, not rendered: the pages
    only need each PDF's name, title, paper, page count and size)."""
    import datetime as dt

    from podkit import printing
    from podkit.site import SiteExtras

    kit = load_kit(Project.find(kit_copy("sample")))
    ctx = printing.make_context(kit.project, date=dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.timezone.utc))
    jobs = printing.plan_jobs(ctx, kit, ["a4", "letter"])
    downloads = [
        printing.Download(path=f"downloads/{j.name}", title=j.title, kind=j.kind, paper=printing.PAPERS[j.paper][1],
                          assessment=j.assessment, pages=3 + i, size=150_000 + 1000 * i)
        for i, j in enumerate(jobs)
    ]
    stage = stage_pages(kit, SiteExtras(downloads=downloads))
    toolkits = (stage / "toolkits.md").read_text(encoding="utf-8")
    assert all(f"]({d.path})" in toolkits for d in downloads)
    golden("site/with-downloads/toolkits.md", toolkits)
    golden("site/with-downloads/voice-sample.md", (stage / "assessments" / "voice-sample.md").read_text(encoding="utf-8"))
