"""The built site in a real browser: headless Debian chromium driven by Playwright.

One build of the shipped kit (with the real CLI), one local web server on 127.0.0.1 and one
browser per session. Every request that would leave 127.0.0.1 is aborted and recorded, and every
test fails on console errors. Screenshots land in test-artefacts/.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections import defaultdict
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

from browser_util import AXE_JS, ROOT, SHIM_NPM, Tab, only_files, only_local_http, screenshot, serve, shared_build
from podkit.kit import Project, load_kit
from podkit.text import plain

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SERIOUS = ("serious", "critical")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    return shared_build(tmp_path_factory)


@pytest.fixture(scope="session")
def kit(built):
    return load_kit(Project.find(built.kit))


@pytest.fixture(scope="session")
def base_url(built):
    with serve(built.site) as url:
        yield url


@pytest.fixture
def tab(browser):
    t = Tab.open(browser, only_local_http, color_scheme="light")
    yield t
    t.close()


def _goto(tab: Tab, url: str):
    response = tab.page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response.status if response else 'no response'}"
    return response


def _search_pages(site: Path) -> dict[str, str]:
    """Text of every page in the search index, by page location (``assessments/x/``)."""
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    pages: dict[str, str] = defaultdict(str)
    for doc in docs:
        pages[doc["location"].split("#")[0]] += f" {doc['title']} {doc['text']}".lower()
    return pages


def _distinctive_word(kit, site: Path, page_of) -> tuple[str, str]:
    """An item-title word found on one assessment's page and on no other page: (word, assessment id).

    A word counts as found elsewhere when its first six letters occur anywhere in another page,
    so search's stemming and prefix matching cannot bring up other pages either.
    """
    pages = _search_pages(site)
    for a in kit.assessments:
        own = page_of(a.id)
        assert own in pages, f"{own} is not in the search index"
        for item in a.items:
            for word in re.findall(r"[a-z]{8,}", plain(item.title).lower()):
                if word in pages[own] and not any(word[:6] in text for loc, text in pages.items() if loc != own):
                    return word, a.id
    raise AssertionError("no item title in any assessment has a word that appears on its page only")


def _type_into_search(page, word: str) -> None:
    """Open the search box as a reader does (the magnifier on narrow screens) and type ``word``."""
    opener = page.locator("label.md-header__button[for='__search']")
    if opener.is_visible():
        opener.click()
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(word, delay=20)


def _report_pages(site: Path) -> list[str]:
    """Site-relative URLs of the sample report pages (everything under reports/ but its index and
    the one-page pod summaries, which have no charts: tests/test_summary.py checks those)."""
    folder = site / "reports"
    pages = sorted(p for p in folder.rglob("*.html") if p != folder / "index.html" and not p.name.endswith(".summary.html")) if folder.is_dir() else []
    assert pages, f"no sample report pages under {folder} (podkit build should publish the sample reports)"
    urls = []
    for p in pages:
        rel = p.relative_to(site).as_posix()
        urls.append(rel[: -len("index.html")] if rel.endswith("/index.html") else rel)
    return urls


def _first_anchored(kit):
    for a in kit.assessments:
        anchored = [it for it in a.items if getattr(it, "anchors", None)]
        if anchored:
            return a, anchored
    raise AssertionError("no assessment has anchored items")


# --------------------------------------------------------------------------- the published site


def _top_level_nav(kit_dir: Path) -> list[str]:
    """The titles of the top-level entries of the kit's mkdocs.yml ``nav``: one tab each."""
    nav = yaml.safe_load((kit_dir / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    return [next(iter(entry)) for entry in nav if isinstance(entry, dict)]


def test_home_renders_with_navigation(tab, base_url, built):
    _goto(tab, base_url)
    page = tab.page
    assert page.locator("article h1").first.is_visible()
    tabs = page.locator("nav.md-tabs a.md-tabs__link")
    labels = [t.strip() for t in tabs.all_inner_texts()]
    assert tabs.first.is_visible(), "navigation tabs are not visible"
    expected = _top_level_nav(built.kit)
    assert len(expected) >= 4
    assert labels == expected, f"tabs {labels}, mkdocs.yml's nav has {expected}"
    # every tab leads to a page that loads
    hrefs = [a.get_attribute("href") for a in tabs.all()]
    for href in hrefs:
        _goto(tab, urljoin(base_url, href))
    _goto(tab, base_url)
    screenshot(page, "home")
    tab.assert_clean()


def test_assessment_page_shows_items_and_anchor_tables(tab, base_url, kit):
    a, anchored = _first_anchored(kit)
    _goto(tab, f"{base_url}assessments/{a.id}/")
    page = tab.page
    h1 = page.locator("article h1").first.inner_text().removesuffix("¶").strip()  # ¶: the permalink
    assert h1 == plain(a.title)
    for item in a.items:
        heading = page.locator(f"article #item-{item.id}")
        assert heading.count() == 1, f"item {item.id} has no heading with id item-{item.id}"
        assert plain(item.title) in heading.inner_text(), f"heading of {item.id} does not show its title"
    for item in anchored:
        # the first table after the item's heading, before the next heading, is its anchor table
        rows = page.evaluate(
            """(id) => {
                let el = document.getElementById(id).nextElementSibling;
                while (el && !/^H[1-3]$/.test(el.tagName)) {
                    const table = el.tagName === "TABLE" ? el : el.querySelector("table");
                    if (table) {
                        const r = table.getBoundingClientRect();
                        return {w: r.width, h: r.height, rows: [...table.tBodies[0].rows].map(tr => [...tr.cells].map(td => td.innerText))};
                    }
                    el = el.nextElementSibling;
                }
                return null;
            }""",
            f"item-{item.id}",
        )
        assert rows is not None, f"item {item.id}: no anchor table under its heading"
        assert rows["w"] > 0 and rows["h"] > 0, f"item {item.id}: anchor table is not displayed"
        assert len(rows["rows"]) == len(a.scale), f"item {item.id}: {len(rows['rows'])} anchor rows for {len(a.scale)} levels"
        for (level_cell, text_cell), level in zip(rows["rows"], a.scale):
            assert level_cell.startswith(str(level.level)), f"item {item.id}: row {level_cell!r} for level {level.level}"
            assert plain(item.anchors[level.level]) in " ".join(text_cell.split()), f"item {item.id}: anchor of level {level.level} missing"
    screenshot(page, "assessment-top")
    page.evaluate(f"document.getElementById('item-{anchored[0].id}').scrollIntoView()")
    screenshot(page, "assessment-anchors")
    tab.assert_clean()


def test_search_finds_an_assessment_by_a_word_of_an_item(tab, base_url, built, kit):
    word, aid = _distinctive_word(kit, built.site, lambda i: f"assessments/{i}/")
    _goto(tab, base_url)
    page = tab.page
    _type_into_search(page, word)
    page.wait_for_selector(".md-search-result__item a.md-search-result__link", timeout=15_000)
    hrefs = page.eval_on_selector_all(".md-search-result__item a.md-search-result__link", "els => els.map(e => e.href)")
    assert any(f"/assessments/{aid}/" in h for h in hrefs), f"searching {word!r} did not list assessments/{aid}/; results: {hrefs}"
    screenshot(page, "search-results")
    tab.assert_clean()


def test_every_download_on_the_toolkits_page_is_a_pdf(tab, base_url, built):
    _goto(tab, f"{base_url}toolkits/")
    page = tab.page
    links = page.eval_on_selector_all("article table a[href]", "els => els.map(e => e.href)")
    pdfs_on_disk = sorted(p.name for p in (built.site / "downloads").glob("*.pdf")) if (built.site / "downloads").is_dir() else []
    assert links, f"the Toolkits page lists no downloads (PDFs in site/downloads: {pdfs_on_disk or 'none'})"
    screenshot(page, "toolkits")
    fetched = []
    for url in links:
        response = tab.context.request.get(url)
        body = response.body()
        assert response.status == 200, f"{url}: HTTP {response.status}"
        assert body[:5] == b"%PDF-", f"{url}: not a PDF (starts with {body[:16]!r})"
        assert b"%%EOF" in body[-1024:], f"{url}: PDF is truncated (no %%EOF at the end)"
        fetched.append(url.rsplit("/", 1)[-1])
    missing = sorted(set(pdfs_on_disk) - set(fetched))
    assert not missing, f"PDFs in site/downloads that the Toolkits page does not list: {missing}"
    tab.assert_clean()


def test_light_dark_toggle_flips_the_palette(tab, base_url):
    _goto(tab, base_url)
    page = tab.page
    scheme = lambda: page.evaluate("document.body.getAttribute('data-md-color-scheme')")  # noqa: E731
    assert scheme() == "default"
    toggle = page.locator("form[data-md-component='palette'] label.md-header__button:visible")
    assert toggle.count() == 1
    assert toggle.get_attribute("title") == "Switch to dark mode"
    toggle.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    screenshot(page, "home-dark")
    # the choice survives a reload (Material keeps it in local storage) ...
    page.reload()
    assert scheme() == "slate"
    # ... and the other toggle brings the light palette back
    page.locator("form[data-md-component='palette'] label.md-header__button:visible").click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'default'")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != background
    tab.assert_clean()


def test_sample_reports_render_their_charts(tab, base_url, built):
    """Each sample report, as a site page or a standalone HTML file, shows its charts as inline SVG."""
    problems = []
    for rel in _report_pages(built.site):
        _goto(tab, urljoin(base_url, rel))
        page = tab.page
        name = rel.strip("/").replace("/", "-").removesuffix(".html")
        screenshot(page, name)
        scope = "article" if page.locator("article").count() else "body"  # not Material's icons
        charts = page.locator(f"{scope} svg")
        sizes = []
        for i in range(charts.count()):
            svg = charts.nth(i)
            box = svg.bounding_box()
            if svg.is_visible() and box and box["width"] > 0 and box["height"] > 0:
                sizes.append((box["width"] * box["height"], i))
        if not sizes:
            problems.append(f"{rel}: no visible inline SVG chart ({charts.count()} svg elements in the {scope})")
            continue
        # Material's icons are 24 × 24 px at most; a sparkline is 120 × 28.
        area, biggest = max(sizes)
        if area <= 1000:
            problems.append(f"{rel}: the SVGs are icon-sized, not charts (largest {area:.0f} px²)")
            continue
        charts.nth(biggest).scroll_into_view_if_needed()
        screenshot(page, f"{name}-chart")
    assert not problems, "report pages without charts:\n" + "\n".join(problems)
    tab.assert_clean()


def test_no_page_logs_errors_or_reaches_another_host(tab, base_url, built):
    """Every page of the site loads with no console error and no request beyond 127.0.0.1."""
    pages = sorted(built.site.rglob("*.html"))
    assert len(pages) >= 10
    for p in pages:
        rel = p.relative_to(built.site).as_posix()
        if rel == "404.html":
            continue
        _goto(tab, urljoin(base_url, rel))
    assert len(tab.requests) > len(pages)
    tab.assert_clean()


#: What overflows horizontally on a page: the document itself, any element of the content reaching
#: past the window's right edge, and any scroll container whose content is wider than it (a table in
#: Material's scroll wrapper hides its last columns off-screen). Left out: form controls, code
#: blocks (they scroll by design, with a scrollbar) and text cut short on purpose with an ellipsis
#: (the summary's card lines, which carry the whole text in a title).
_OVERFLOW_JS = """() => {
  const de = document.documentElement, limit = de.clientWidth + 1, found = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  if (de.scrollWidth > limit) found.push(`the page is ${de.scrollWidth} px wide in a ${de.clientWidth} px window`);
  const content = document.querySelector('.md-content') || document.body;  // Material's header, search and sidebars are its own
  for (const el of content.querySelectorAll('*')) {
    if (['INPUT', 'TEXTAREA', 'SELECT', 'OPTION'].includes(el.tagName) || el.closest('pre')) continue;
    const st = getComputedStyle(el);
    if (st.display === 'none' || st.visibility === 'hidden' || st.textOverflow === 'ellipsis') continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > limit) found.push(`${name(el)} reaches x = ${Math.round(r.right)}`);
    else if (st.overflowX !== 'visible' && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
      found.push(`${name(el)}: ${el.scrollWidth} px of content in ${el.clientWidth} px`);
    if (found.length > 4) break;
  }
  return found;
}"""


def test_no_page_overflows_horizontally_at_1280_px(tab, base_url, built):
    """Every page of the site, the sample reports and summaries included, fits a 1280 px window:
    nothing sits off-screen to the right, no table hides columns in a scroll box."""
    pages = sorted(p.relative_to(built.site).as_posix() for p in built.site.rglob("*.html"))
    assert any(rel.endswith(".summary.html") for rel in pages) and "reports/sample-pod-report/index.html" in pages
    tab.page.set_viewport_size({"width": 1280, "height": 800})
    problems = []
    for rel in pages:
        _goto(tab, urljoin(base_url, rel))
        found = tab.page.evaluate(_OVERFLOW_JS)
        if found:
            problems.append(f"{rel}:\n    " + "\n    ".join(found))
            screenshot(tab.page, "overflow-" + rel.replace("/", "-").removesuffix(".html"), full_page=True)
    assert not problems, "horizontal overflow at 1280 px:\n" + "\n".join(problems)
    tab.assert_clean()


# --------------------------------------------------------------------------- accessibility


def _axe(tab: Tab) -> list[dict]:
    assert AXE_JS.is_file(), f"{AXE_JS} is missing: run `make test` (npm install)"
    tab.page.add_script_tag(path=str(AXE_JS))
    result = tab.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in SERIOUS]


def _describe(violations: list[dict]) -> str:
    out = []
    for v in violations:
        out.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            out.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                out.append(f"       {summary[:300]}")
        if len(v["nodes"]) > 8:
            out.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(out)


@pytest.mark.parametrize("which", ["home", "assessment", "assessment-dark", "report"])
def test_no_serious_accessibility_violations(tab, base_url, built, kit, which):
    if which == "home":
        urls = [base_url]
    elif which.startswith("assessment"):
        urls = [f"{base_url}assessments/{_first_anchored(kit)[0].id}/"]
    else:  # one report as a page of the site, one as the standalone HTML file the site offers
        pages = _report_pages(built.site)
        as_page = [rel for rel in pages if rel.endswith("/")]
        standalone = [rel for rel in pages if rel.endswith(".html")]
        urls = [urljoin(base_url, group[0]) for group in (as_page, standalone) if group]
    found = []
    for url in urls:
        _goto(tab, url)
        if which.endswith("-dark"):
            tab.page.locator("form[data-md-component='palette'] label.md-header__button:visible").click()
            tab.page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
        violations = _axe(tab)
        if violations:
            found.append(f"{url}\n{_describe(violations)}")
    assert not found, "serious or critical accessibility violations:\n" + "\n".join(found)
    tab.assert_clean()


def test_every_page_has_no_serious_accessibility_violations(tab, base_url, built):
    """axe-core on every HTML page of the site (light scheme, desktop width)."""
    found, checked = [], 0
    for p in sorted(built.site.rglob("*.html")):
        rel = p.relative_to(built.site).as_posix()
        if rel == "404.html":
            continue
        _goto(tab, urljoin(base_url, rel))
        checked += 1
        violations = _axe(tab)
        if violations:
            found.append(f"{rel}\n{_describe(violations)}")
    assert checked >= 10
    assert not found, f"serious or critical accessibility violations on {len(found)} of {checked} pages:\n" + "\n".join(found)
    tab.assert_clean()


# --------------------------------------------------------------------------- offline copy


@pytest.fixture(scope="session")
def offline(tmp_path_factory):
    return shared_build(tmp_path_factory, offline=True)


def test_vendored_shim_is_the_npm_package_file():
    vendored = (ROOT / "themes" / "default" / "site" / "assets" / "javascripts" / "iframe-worker-shim.js").read_text(encoding="utf-8")
    header, _, code = vendored.partition("*/\n")
    assert "iframe-worker 1.0.4" in header and "Permission is hereby granted" in header  # the MIT notice travels with it
    assert SHIM_NPM.is_file(), f"{SHIM_NPM} is missing: run `make test` (npm install)"
    assert code == SHIM_NPM.read_text(encoding="utf-8"), "the vendored shim differs from iframe-worker@1.0.4's shim/index.js"


def test_offline_zip_holds_the_whole_site(offline):
    zpath = offline.site / "downloads" / "podkit-site-offline.zip"
    assert zpath.is_file(), f"podkit build --offline wrote no {zpath.name}; output:\n{offline.output}"
    with zipfile.ZipFile(zpath) as zf:
        names = set(zf.namelist())
        assert zf.testzip() is None
    on_disk = {f"podkit-site/{p.relative_to(offline.site).as_posix()}" for p in offline.site.rglob("*") if p.is_file() and p != zpath and p.name != ".podkit-output"}  # the output marker is not part of the site
    assert names == on_disk
    for needed in ("index.html", "search/search_index.js", "assets/javascripts/iframe-worker-shim.js"):
        assert f"podkit-site/{needed}" in names


def test_offline_copy_searches_from_file_urls_with_no_network(browser, offline, tmp_path):
    with zipfile.ZipFile(offline.site / "downloads" / "podkit-site-offline.zip") as zf:
        zf.extractall(tmp_path)
    root = tmp_path / "podkit-site"
    kit = load_kit(Project.find(offline.kit))
    word, aid = _distinctive_word(kit, offline.site, lambda i: f"assessments/{i}.html")
    t = Tab.open(browser, only_files, color_scheme="light")
    try:
        page = t.page
        response = page.goto((root / "index.html").as_uri(), wait_until="load")
        assert response is None or response.ok
        assert page.locator("nav.md-tabs a.md-tabs__link").first.is_visible()
        _type_into_search(page, word)
        page.wait_for_selector(".md-search-result__item a.md-search-result__link", timeout=15_000)
        hrefs = page.eval_on_selector_all(".md-search-result__item a.md-search-result__link", "els => els.map(e => e.href)")
        target = (root / "assessments" / f"{aid}.html").as_uri()
        on_target = [h for h in hrefs if h.split("#")[0].split("?")[0] == target]  # ?h=word highlights it
        assert on_target, f"offline search for {word!r} did not list {target}; results: {hrefs}"
        screenshot(page, "offline-search")
        # following the result opens the page from disk
        page.goto(on_target[-1], wait_until="load")
        assert page.locator("article h1").first.is_visible()
        # a tab leads to another page, as a link to a file (not to a folder listing)
        href = page.locator("nav.md-tabs a.md-tabs__link").nth(1).get_attribute("href")
        assert href.endswith(".html"), href
        page.goto(urljoin(page.url, href), wait_until="load")
        assert page.locator("article h1").first.is_visible()
        outside = [u for u in t.requests if not only_files(u)]
        assert not outside, "the offline copy made requests beyond file://:\n  " + "\n  ".join(outside)
        t.assert_clean()
    finally:
        t.close()
