"""Incremental builds: the content-hash caches for PDFs and for the site (``.podkit/cache``).

Most tests replace WeasyPrint and MkDocs by recorders, so they check *what* is rebuilt (and
that nothing stale is reused), not how; one test renders for real and one builds for real.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from podkit import pdf, pipeline, printing, site
from podkit.cli import main
from podkit.kit import Project, load_kit
from podkit.pdf import PdfResult


def _kit(kit_dir: Path):
    return load_kit(Project.find(kit_dir))


@pytest.fixture
def rendered(monkeypatch):
    """Record the PDFs rendered; each "PDF" is a small file naming its job's inputs."""
    calls: list[list[str]] = []

    def fake_render(jobs, out_dir, resources, *, workers=1):
        calls.append(sorted(j.name for j in jobs))
        out_dir.mkdir(parents=True, exist_ok=True)
        out = []
        for j in jobs:
            data = f"{j.name}\n{len(j.html)}\n{hash(j.html + j.css)}\n".encode()
            (out_dir / j.name).write_bytes(data)
            out.append(PdfResult(out_dir / j.name, 3, len(data), ("a warning",) if j.kind == "hr-guide" else ()))
        return out

    monkeypatch.setattr(printing, "render_jobs", fake_render)
    monkeypatch.delenv("PODKIT_NO_CACHE", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    return calls


def _build_pdfs(kit_dir: Path, **kw) -> list:
    return pipeline.pdf_downloads(_kit(kit_dir), jobs=1, **kw).downloads


ALL = 12  # sample kit: 2 assessments x (toolkit, sheet) + complete kit + HR guide, in A4 and Letter


def test_unchanged_kit_renders_nothing_and_gives_the_same_downloads(kit_copy, rendered):
    kit = kit_copy("sample")
    first = _build_pdfs(kit)
    assert len(rendered) == 1 and len(rendered[0]) == ALL
    before = {p.name: p.read_bytes() for p in (kit / ".podkit" / "pdf").glob("*.pdf")}
    second = _build_pdfs(kit)
    assert len(rendered) == 1, "a PDF was rendered again although nothing changed"
    assert second == first  # titles, pages and sizes come back from the cache
    assert {p.name: p.read_bytes() for p in (kit / ".podkit" / "pdf").glob("*.pdf")} == before


def test_one_character_in_an_assessment_renders_its_pdfs_and_the_complete_kit(kit_copy, rendered):
    kit = kit_copy("sample")
    _build_pdfs(kit)
    f = kit / "assessments" / "voice-sample.yaml"
    text = f.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    f.write_text(text.replace(title, title + "s", 1), encoding="utf-8")
    _build_pdfs(kit)
    assert rendered[-1] == sorted([
        "voice-sample-toolkit-a4.pdf", "voice-sample-toolkit-letter.pdf",
        "voice-sample-sheet-fillable-a4.pdf", "voice-sample-sheet-fillable-letter.pdf",
        "podkit-complete-kit-a4.pdf", "podkit-complete-kit-letter.pdf",
    ])


def test_a_comment_in_an_assessment_renders_nothing(kit_copy, rendered):
    kit = kit_copy("sample")
    _build_pdfs(kit)
    f = kit / "assessments" / "alignment-sample.yaml"
    f.write_text(f.read_text(encoding="utf-8") + "\n# a note for the authors\n", encoding="utf-8")
    _build_pdfs(kit)
    assert len(rendered) == 1  # the content hash is of what the PDFs show, not of the YAML text


@pytest.mark.parametrize("change", ["template", "stylesheet", "theme colour", "logo", "source date", "content page"])
def test_what_every_pdf_depends_on_renders_them_again(kit_copy, rendered, monkeypatch, change):
    kit = kit_copy("sample")
    builtin = printing.theme_search_path(kit, "print")[-1]
    override = kit / "themes" / "default" / "print"
    override.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(builtin / "logo.svg", override / "logo.svg")
    (override / "theme.yml").write_text("organisation:\n  name: Test org\n  logo: logo.svg\n", encoding="utf-8")
    _build_pdfs(kit)
    if change == "template":
        (override / "base.html.j2").write_text((builtin / "base.html.j2").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "stylesheet":
        (override / "print.css.j2").write_text((builtin / "print.css.j2").read_text(encoding="utf-8") + "\n/* x */\n", encoding="utf-8")
    elif change == "theme colour":
        (override / "theme.yml").write_text("organisation:\n  name: Test org\n  logo: logo.svg\ncolours:\n  primary: \"#123456\"\n", encoding="utf-8")
    elif change == "logo":
        (override / "logo.svg").write_text((override / "logo.svg").read_text(encoding="utf-8").replace("</svg>", "<!-- v2 --></svg>"), encoding="utf-8")
    elif change == "source date":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")
    elif change == "content page":
        hr = kit / "content" / "hr-teams.md"
        hr.write_text(hr.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    _build_pdfs(kit)
    assert len(rendered) == 2, f"{change}: nothing was rendered again"
    if change == "content page":  # only the HR guide is made of content pages
        assert rendered[-1] == ["podkit-hr-guide-a4.pdf", "podkit-hr-guide-letter.pdf"]
    else:  # base.html.j2, the stylesheet, the branding and the date are in every document
        assert len(rendered[-1]) == ALL, f"{change}: only {rendered[-1]}"


def test_paper_choice_and_no_cache(kit_copy, rendered, monkeypatch):
    kit = kit_copy("sample")
    _build_pdfs(kit, papers=["a4"])
    assert len(rendered[-1]) == ALL // 2
    _build_pdfs(kit)  # Letter is new, A4 is not
    assert len(rendered[-1]) == ALL // 2 and all(n.endswith("-letter.pdf") for n in rendered[-1])
    _build_pdfs(kit, cache=False)
    assert len(rendered[-1]) == ALL
    monkeypatch.setenv("PODKIT_NO_CACHE", "1")
    _build_pdfs(kit)
    assert len(rendered[-1]) == ALL
    assert len(rendered) == 4


def test_cached_pdf_warnings_are_shown_again(kit_copy, rendered, capsys):
    kit = kit_copy("sample")
    _build_pdfs(kit)
    capsys.readouterr()
    _build_pdfs(kit)
    err = capsys.readouterr().err
    assert "podkit-hr-guide-a4.pdf: WeasyPrint: a warning" in err


def test_damaged_cache_entry_is_rendered_again_and_unused_entries_are_pruned(kit_copy, rendered):
    kit = kit_copy("sample")
    _build_pdfs(kit)
    store = kit / ".podkit" / "cache" / "pdf"
    entries = sorted(store.glob("*.pdf"))
    assert len(entries) == ALL
    entries[0].write_bytes(b"truncated")
    (store / ("0" * 64 + ".pdf")).write_bytes(b"old")
    (store / ("0" * 64 + ".json")).write_text("{}")
    _build_pdfs(kit)
    assert len(rendered) == 2 and len(rendered[-1]) == 1
    assert not (store / ("0" * 64 + ".pdf")).exists() and not (store / ("0" * 64 + ".json")).exists()


def test_a_missing_resource_is_not_cached_but_reported(kit_copy, rendered):
    kit = kit_copy("sample")
    job = pdf.PrintJob("x.pdf", "toolkit", "a4", "X", None, '<img src="podkit:theme/nowhere.png">', "")
    ctx = printing.make_context(_kit(kit).project)
    assert pdf.pdf_key(job, ctx.resources(), "env") is None


@pytest.mark.slow
def test_a_real_pdf_from_the_cache_is_the_rendered_one(kit_copy, monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.delenv("PODKIT_NO_CACHE", raising=False)
    kit_dir = kit_copy("minimal")
    kit = _kit(kit_dir)
    printing.write_pdfs(kit, tmp_path / "a", papers=["a4"], kinds=["sheet"], workers=1)
    calls = []
    monkeypatch.setattr(printing, "render_jobs", lambda *a, **k: calls.append(a) or [])
    downloads = printing.write_pdfs(kit, tmp_path / "b", papers=["a4"], kinds=["sheet"], workers=1)
    assert not calls
    (pdf,) = (tmp_path / "b").glob("*.pdf")
    assert pdf.read_bytes() == (tmp_path / "a" / pdf.name).read_bytes()
    assert downloads[0].pages >= 1 and downloads[0].size == pdf.stat().st_size


# --------------------------------------------------------------------------- the site


@pytest.fixture
def mkdocs_runs(monkeypatch):
    """Count MkDocs builds; each writes a one-page site."""
    from podkit import engine

    runs = []

    def fake(engine_name, project, stage, site_dir, *, strict=True, offline=False, checked=None, compiled=None):
        runs.append(stage)
        site_dir.mkdir(parents=True, exist_ok=True)
        (site_dir / "index.html").write_text("<p>" + (stage / "index.md").read_text(encoding="utf-8") + "</p>", encoding="utf-8")

    monkeypatch.setattr(engine, "build", fake)
    monkeypatch.delenv("PODKIT_NO_CACHE", raising=False)
    return runs


def test_site_is_kept_when_nothing_changed_and_rebuilt_when_anything_did(kit_copy, mkdocs_runs):
    kit_dir = kit_copy("minimal")
    out = site.build_site(_kit(kit_dir))
    assert len(mkdocs_runs) == 1
    state = json.loads((kit_dir / ".podkit" / "cache" / "site.json").read_text())
    assert state["target"] == str(out)
    site.build_site(_kit(kit_dir))
    assert len(mkdocs_runs) == 1, "MkDocs ran again although nothing changed"

    page = kit_dir / "content" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nx\n", encoding="utf-8")
    site.build_site(_kit(kit_dir))
    assert len(mkdocs_runs) == 2
    assert "x" in (out / "index.html").read_text(encoding="utf-8")

    cfg = kit_dir / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    site.build_site(_kit(kit_dir))
    assert len(mkdocs_runs) == 3

    (out / "index.html").write_text("edited by hand", encoding="utf-8")  # the output was touched
    site.build_site(_kit(kit_dir))
    assert len(mkdocs_runs) == 4
    assert (out / "index.html").read_text(encoding="utf-8") != "edited by hand"

    site.build_site(_kit(kit_dir), cache=False)
    assert len(mkdocs_runs) == 5
    other = site.build_site(_kit(kit_dir), site_dir=kit_dir / "elsewhere")
    assert len(mkdocs_runs) == 6 and other.is_dir()


def test_site_cache_follows_extras_and_options(kit_copy, mkdocs_runs, tmp_path):
    kit_dir = kit_copy("minimal")
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"one")
    extras = lambda: site.SiteExtras(files={"downloads/x.pdf": pdf}, pages={"extra.md": "# Extra\n"})  # noqa: E731
    site.build_site(_kit(kit_dir), extras=extras())
    site.build_site(_kit(kit_dir), extras=extras())
    assert len(mkdocs_runs) == 1
    pdf.write_bytes(b"two")
    site.build_site(_kit(kit_dir), extras=extras())
    assert len(mkdocs_runs) == 2
    assert (kit_dir / "site" / "downloads" / "x.pdf").read_bytes() == b"two"
    site.build_site(_kit(kit_dir), extras=extras(), strict=False)
    assert len(mkdocs_runs) == 3


def test_no_change_build_command_reuses_everything(kit_copy, runner, monkeypatch):
    monkeypatch.delenv("PODKIT_NO_CACHE", raising=False)
    kit_dir = kit_copy("minimal")
    first = runner.invoke(main, ["build", "--no-pdf", "-p", str(kit_dir)], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    index = (kit_dir / "site" / "index.html").read_bytes()
    again = runner.invoke(main, ["build", "--no-pdf", "-p", str(kit_dir)], catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert "Site unchanged since the last build" in again.output
    assert (kit_dir / "site" / "index.html").read_bytes() == index
    forced = runner.invoke(main, ["build", "--no-pdf", "--no-cache", "-p", str(kit_dir)], catch_exceptions=False)
    assert forced.exit_code == 0 and "Site unchanged" not in forced.output


# --------------------------------------------------------------------------- podkit serve


def test_last_result_is_made_again_only_for_a_new_key():
    from podkit.cache import LastResult

    made = []
    last = LastResult()

    def make(value):
        def run():
            made.append(value)
            return value
        return run

    assert last.get("k1", make(1)) == 1
    assert last.get("k1", make(2)) == 1  # same key: kept
    assert last.get("k2", make(3)) == 3
    assert last.get("k1", make(4)) == 4  # one value only: the older key is made again
    assert made == [1, 3, 4]

    def fail():
        raise ValueError("broken edit")

    with pytest.raises(ValueError):
        last.get("k5", fail)
    assert last.get("k1", make(5)) == 5  # a failed make keeps nothing, not even the older value


def test_remember_keeps_the_most_recent_entries_up_to_the_limit():
    from podkit.cache import remember

    kept: dict = {}
    for key in "abc":
        remember(kept, key, key.upper(), 3)
    remember(kept, "a", "A2", 3)  # used again: now the most recent
    remember(kept, "d", "D", 3)  # over the limit: the oldest ("b") goes
    assert list(kept.items()) == [("c", "C"), ("a", "A2"), ("d", "D")]
