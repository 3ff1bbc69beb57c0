"""engine.py: the site engines (MkDocs, Zensical) behind one adapter.

The search indexes of the two engines differ in format only: Material writes
``search/search_index.json`` with ``{"docs": [{location, title, text}]}``, Zensical writes
``search.json`` with ``{"items": [{location, level, title, text, path, tags}]}``. The comparison
reads ``location``, ``title`` and ``text`` from each, in order; the fields only Zensical has
(heading level, breadcrumb path, tags) are left out. No value needed rewriting: both write
locations relative to the site root (``assessments/alignment/#setting``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from podkit import engine
from podkit.cli import main
from podkit.errors import PodkitError
from podkit.kit import Project, load_kit
from podkit.site import SiteExtras, site_key, stage_pages


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def _search_entries(site: Path) -> list[tuple[str, str, str]]:
    """(location, title, text) of every search index entry, in the engine's order."""
    material = site / "search" / "search_index.json"
    if material.is_file():
        docs = json.loads(material.read_text(encoding="utf-8"))["docs"]
    else:
        docs = json.loads((site / "search.json").read_text(encoding="utf-8"))["items"]
    return [(d["location"], d["title"], d["text"]) for d in docs]


# --------------------------------------------------------------------------- nav expansion


def test_expand_nav_lists_each_generated_section_page_by_its_title(tmp_path):
    stage = tmp_path / "stage"
    _write(stage / "assessments" / "index.md", "# Assessments\n")
    _write(stage / "assessments" / "beta.md", '---\ntitle: "Beta: with a colon"\n---\n# Not this\n')
    _write(stage / "assessments" / "alpha.md", "Intro line\n\n# Alpha heading\n")
    _write(stage / "assessments" / "no-heading-here.md", "just text\n")
    _write(stage / "reports" / "index.md", "# Reports\n")  # a section with no pages of its own
    nav = [
        {"Home": "index.md"},
        {"Assessments": "assessments/index.md"},
        {"Group": [{"Inner": "assessments/index.md"}, "page.md"]},
        {"Reports": "reports/index.md"},
        {"Other": "other/index.md"},  # not a generated section: kept as written
        "bare.md",
    ]
    children = [
        "assessments/index.md",
        {"Alpha heading": "assessments/alpha.md"},
        {"Beta: with a colon": "assessments/beta.md"},
        {"No Heading Here": "assessments/no-heading-here.md"},
    ]
    expanded = engine.expand_nav(nav, stage)
    assert expanded == [
        {"Home": "index.md"},
        {"Assessments": children},
        {"Group": [{"Inner": children}, "page.md"]},
        {"Reports": "reports/index.md"},
        {"Other": "other/index.md"},
        "bare.md",
    ]
    assert engine.expand_nav(None, stage) is None  # no nav: the engine builds its own


def test_nav_entries_naming_no_page_are_found_as_mkdocs_words_them(tmp_path):
    stage = tmp_path / "stage"
    _write(stage / "index.md", "# Home\n")
    _write(stage / "guide" / "one.md", "# One\n")
    nav = [{"Home": "index.md"}, {"Guide": ["guide/one.md", {"Two": "guide/two.md"}]}, {"Site": "https://example.org/"}, "gone.md"]
    assert engine.missing_nav_pages(nav, stage) == [
        "A reference to 'guide/two.md' is included in the 'nav' configuration, which is not found in the documentation files.",
        "A reference to 'gone.md' is included in the 'nav' configuration, which is not found in the documentation files.",
    ]
    assert engine.missing_nav_pages(None, stage) == []


@pytest.mark.slow
def test_a_nav_entry_naming_no_page_fails_a_strict_build_under_both_engines(kit_copy):
    kit_dir = kit_copy("minimal")
    cfg = kit_dir / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "  - Missing: missing.md\n", encoding="utf-8")
    kit = load_kit(Project.find(kit_dir))
    from podkit.site import build_site

    for name in engine.ENGINES:
        with pytest.raises(PodkitError, match="A reference to 'missing.md' is included in the 'nav' configuration"):
            build_site(kit, site_dir=kit_dir / "site", engine=name)


# --------------------------------------------------------------------------- refusals


def test_unknown_engine_and_zensical_offline_are_refused():
    with pytest.raises(PodkitError, match="unknown site engine 'hugo'; expected one of: mkdocs, zensical"):
        engine.check("hugo")
    with pytest.raises(PodkitError, match="--offline works only with --engine mkdocs"):
        engine.check("zensical", offline=True)
    engine.check("mkdocs", offline=True)
    engine.check("zensical")


def test_cli_refuses_offline_with_zensical_in_one_line_before_any_work(runner, kit_copy):
    kit = kit_copy("minimal")
    result = runner.invoke(main, ["build", "-p", str(kit), "--engine", "zensical", "--offline"])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == ["Error: --offline works only with --engine mkdocs: podkit's offline copy is built by Material for MkDocs' offline plugin"]
    assert not (kit / "site").exists() and not (kit / ".podkit" / "stage").exists()


def test_cli_rejects_an_unknown_engine_as_a_usage_error(runner, kit_copy):
    result = runner.invoke(main, ["build", "-p", str(kit_copy("minimal")), "--engine", "hugo"])
    assert result.exit_code == 2
    assert "'hugo' is not one of 'mkdocs', 'zensical'" in result.output
    assert ["mkdocs", "zensical"] == list(engine.ENGINES)  # the CLI's choices are these names
    for command in ("build", "serve"):
        assert "--engine [mkdocs|zensical]" in runner.invoke(main, [command, "--help"]).output


# --------------------------------------------------------------------------- generated config


def test_zensical_config_is_mkdocs_yml_with_the_nav_expanded_and_paths_made_absolute(kit_copy):
    kit_dir = kit_copy(".")
    project = Project.find(kit_dir)
    original = (kit_dir / "mkdocs.yml").read_text(encoding="utf-8")
    stage = stage_pages(load_kit(project))
    path = engine.write_zensical_config(project, engine.zensical_config(project, stage))
    assert path == kit_dir / ".podkit" / "zensical.yml"
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = yaml.safe_load(original)
    assert written["docs_dir"] == "stage" and written["site_dir"] == engine.ZENSICAL_SITE
    assert written["nav"] == engine.expand_nav(source["nav"], stage)
    assert written["nav"] != source["nav"]  # the shipped kit has generated sections
    assert written["theme"]["custom_dir"] == str(kit_dir.resolve() / "themes" / "default" / "site")
    snippets = next(e["pymdownx.snippets"] for e in written["markdown_extensions"] if isinstance(e, dict) and "pymdownx.snippets" in e)
    assert snippets["base_path"] == [str(stage.resolve())]
    # everything else is mkdocs.yml as written
    for key in set(source) - {"docs_dir", "site_dir", "nav", "theme", "markdown_extensions"}:
        assert written[key] == source[key], key
    assert {k: v for k, v in written["theme"].items() if k != "custom_dir"} == {k: v for k, v in source["theme"].items() if k != "custom_dir"}
    assert (kit_dir / "mkdocs.yml").read_text(encoding="utf-8") == original  # never modified


def test_zensical_config_names_mkdocs_yml_when_it_cannot_be_carried_over(kit_copy):
    kit_dir = kit_copy("minimal")
    cfg = kit_dir / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "extra:\n  token: !ENV [PODKIT_TOKEN, none]\n", encoding="utf-8")
    project = Project.find(kit_dir)
    with pytest.raises(PodkitError, match=r"mkdocs\.yml: cannot be read for --engine zensical: .*!ENV"):
        engine.zensical_config(project, project.stage_dir)


def test_site_cache_key_names_the_engine_and_its_version(kit_copy, monkeypatch):
    kit_dir = kit_copy("minimal")
    project = Project.find(kit_dir)
    stage = stage_pages(load_kit(project))
    target = kit_dir / "site"
    keys = {name: site_key(project, stage, SiteExtras(), target, strict=True, offline=False, engine=name) for name in engine.ENGINES}
    assert keys["mkdocs"] != keys["zensical"]
    assert "zensical" in engine.ENGINE_PACKAGES["zensical"]
    from podkit import cache

    real = cache.versions
    monkeypatch.setattr(cache, "versions", lambda *d: real(*d).replace("zensical==", "zensical==9"))
    assert site_key(project, stage, SiteExtras(), target, strict=True, offline=False, engine="zensical") != keys["zensical"]


# --------------------------------------------------------------------------- zensical diagnostics


@pytest.mark.slow
def test_zensical_warnings_fail_a_strict_build_naming_file_line_and_column(kit_copy):
    kit_dir = kit_copy("minimal")
    page = kit_dir / "content" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [the missing page](nowhere.md).\n", encoding="utf-8")
    kit = load_kit(Project.find(kit_dir))
    from podkit.site import build_site

    with pytest.raises(PodkitError) as err:
        build_site(kit, site_dir=kit_dir / "site", engine="zensical")
    message = str(err.value)
    assert message.startswith("site build produced warnings (strict mode, zensical):")
    line = len(page.read_text(encoding="utf-8").splitlines())
    assert f"index.md:{line}:" in message and "page does not exist" in message
    assert "\x1b[" not in message  # Zensical's colours are removed
    assert not (kit_dir / "site").exists()
    # not strict (podkit serve): the site is built and the warning shown
    out = build_site(kit, site_dir=kit_dir / "site", engine="zensical", strict=False)
    assert (out / "index.html").is_file()


@pytest.mark.slow
def test_zensical_error_names_what_failed(kit_copy):
    kit_dir = kit_copy("minimal")
    page = kit_dir / "content" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n--8<-- "includes/not-there.md"\n', encoding="utf-8")
    kit = load_kit(Project.find(kit_dir))
    from podkit.site import build_site

    with pytest.raises(PodkitError, match=r"^site build failed \(zensical\): SnippetMissingError: Snippet at path 'includes/not-there.md' could not be found"):
        build_site(kit, site_dir=kit_dir / "site", engine="zensical")
    assert not (kit_dir / "site").exists()


def test_zensical_output_is_read_into_located_warnings():
    """The shape Zensical 0.0.73 prints (colours included), as captured from a real build."""
    esc = "\x1b"
    output = (
        "Build started\n"
        f"{esc}[33mWarning:{esc}[0m anchor does not exist\n"
        f"     {esc}[38;5;246m╭{esc}[0m{esc}[38;5;246m─{esc}[0m{esc}[38;5;246m[{esc}[0m faq.md:12:7 {esc}[38;5;246m]{esc}[0m\n"
        "     │\n"
        " 12 │ [x](scoring.md#nope)\n"
        "─────╯\n"
        "WARNING -  The 'site_url' option is not set.\n"
        "1 issue found\n"
    )
    warnings, error, counted = engine.zensical_problems(output)
    assert warnings == ["faq.md:12:7: anchor does not exist", "The 'site_url' option is not set."]
    assert error is None and counted == 1
    failed = "Traceback (most recent call last):\n  File \"x\", line 1\nRuntimeError: Python error: ValueError: bad\nTraceback (most recent call last):\nValueError: bad\n"
    assert engine.zensical_problems(failed) == ([], "ValueError: bad", 0)
    assert engine.zensical_problems("Error: Docs directory does not exist: /x\n")[1] == "Docs directory does not exist: /x"


# --------------------------------------------------------------------------- both engines, whole kit


@pytest.mark.slow
def test_both_engines_build_the_same_pages_and_search_entries(runner, kit_copy, tmp_path):
    kit = kit_copy(".")
    sites = {}
    for name in engine.ENGINES:
        sites[name] = tmp_path / f"site-{name}"
        result = runner.invoke(main, ["build", "-p", str(kit), "--no-pdf", "--engine", name, "--site-dir", str(sites[name])], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    mk, zs = sites["mkdocs"], sites["zensical"]
    pages = _html_pages(mk)
    assert len(pages) >= 20 and "assessments/alignment/index.html" in pages
    assert _html_pages(zs) == pages
    entries = _search_entries(mk)
    assert len(entries) > len(pages)  # pages and their sections
    assert _search_entries(zs) == entries
    # the theme: podkit's stylesheet and script and the custom primary colour under both, and each
    # engine's own search markup (podkit overrides no template)
    for site in (mk, zs):
        home = (site / "index.html").read_text(encoding="utf-8")
        assert 'data-md-color-primary="custom"' in home
        assert "assets/stylesheets/podkit.css" in home and "assets/javascripts/podkit.js" in home
        assert (site / "assets" / "stylesheets" / "podkit.css").is_file()
    assert "md-search__input" in (mk / "index.html").read_text(encoding="utf-8")
    zhome = (zs / "index.html").read_text(encoding="utf-8")
    assert "md-search__button" in zhome and "md-search__input" not in zhome
    assert "stylesheets/classic/main." in zhome  # mkdocs.yml's theme.variant: Material's look
    # the site cache tells the engines apart: the same pages into the same folder with the other
    # engine are built again, not kept
    for name in ("mkdocs", "zensical"):
        result = runner.invoke(main, ["build", "-p", str(kit), "--no-pdf", "--engine", name, "--site-dir", str(mk)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    assert "unchanged" not in result.output
    assert (mk / "search.json").is_file() and not (mk / "search").exists()
