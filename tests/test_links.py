"""Every internal link and #anchor of the built site resolves; external references are listed.

Checked on both builds of the shipped kit: the published one (``podkit build``) and the copy
that works from file:// (``podkit build --offline``), whose HTML must not name any CDN.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from browser_util import ARTEFACTS, CDN_HOSTS, LOAD_ATTRS, parse_page, shared_build

pytestmark = pytest.mark.slow

BASE = "http://site.invalid/"  # pages are resolved as if served from here
BUILDS = {"online": False, "offline": True}


@pytest.fixture(scope="module", params=list(BUILDS))
def build(request, tmp_path_factory):
    return request.param, shared_build(tmp_path_factory, offline=BUILDS[request.param]).site


def _target(site: Path, page_url: str, url: str) -> tuple[str, Path | None, str]:
    """Classify ``url`` found on ``page_url``: ("external"|"skip"|"bad"|"internal", file, fragment)."""
    parts = urlsplit(url)
    if parts.scheme in ("mailto", "tel", "data"):
        return "skip", None, ""
    if parts.scheme == "javascript":
        return "bad", None, ""
    absolute = urljoin(page_url, url)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(BASE).netloc:
        return "external", None, ""
    path = unquote(parts.path).lstrip("/")
    target = site / path
    if path == "" or path.endswith("/") or target.is_dir():
        target = target / "index.html"
    if not target.resolve().is_relative_to(site.resolve()):
        return "bad", None, ""
    return "internal", target, unquote(parts.fragment)


def _check(site: Path, page_url: str, url: str, where: str, problems: list[str]) -> str:
    kind, target, fragment = _target(site, page_url, url)
    if kind == "bad":
        problems.append(f"{where}: {url!r} is not a usable link")
    elif kind == "internal":
        if not target.is_file():
            problems.append(f"{where}: {url!r} → {target.relative_to(site)} does not exist")
        elif fragment and target.suffix == ".html" and fragment not in parse_page(target).anchors:
            problems.append(f"{where}: {url!r} → no id or name {fragment!r} in {target.relative_to(site)}")
    return kind


def _pages(site: Path) -> list[Path]:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 10, f"only {len(pages)} pages in {site}"
    return pages


def test_internal_links_and_anchors_resolve(build):
    name, site = build
    problems: list[str] = []
    checked = 0
    for page in _pages(site):
        rel = page.relative_to(site).as_posix()
        for tag, attr, url in parse_page(page).refs:
            if _check(site, urljoin(BASE, rel), url, f"{rel} <{tag} {attr}>", problems) == "internal":
                checked += 1
    assert checked > 200, f"only {checked} internal links found in the {name} build; is the site complete?"
    assert not problems, f"{len(problems)} broken links in the {name} build:\n" + "\n".join(problems)


def test_search_index_locations_resolve(build):
    """Search results link to a page and a heading; each must exist."""
    name, site = build
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    assert len(docs) > 50
    problems: list[str] = []
    for doc in docs:
        loc = doc["location"] or "./"
        _check(site, BASE, loc, f"search index entry {doc['title']!r}", problems)
    assert not problems, f"{len(problems)} search entries point nowhere ({name} build):\n" + "\n".join(problems)


def test_external_references_are_listed_and_none_loads_from_elsewhere(build):
    name, site = build
    external: dict[str, set[str]] = {}
    loads: list[str] = []
    cdn: list[str] = []
    for page in _pages(site):
        rel = page.relative_to(site).as_posix()
        for tag, attr, url in parse_page(page).refs:
            if _target(site, urljoin(BASE, rel), url)[0] != "external":
                continue
            external.setdefault(url, set()).add(rel)
            host = (urlsplit(urljoin(BASE, url)).hostname or "").lower()
            if (tag, attr) in LOAD_ATTRS or attr == "srcset":
                loads.append(f"{rel}: <{tag} {attr}={url!r}>")
            if any(host == h or host.endswith("." + h) for h in CDN_HOSTS):
                cdn.append(f"{rel}: <{tag} {attr}={url!r}>")
    ARTEFACTS.mkdir(exist_ok=True)
    listing = "\n".join(f"{url}  ({len(pages)} pages, e.g. {min(pages)})" for url, pages in sorted(external.items()))
    (ARTEFACTS / f"external-links-{name}.txt").write_text(listing + "\n", encoding="utf-8")
    print(f"\nexternal links in the {name} build:\n{listing}")
    assert not loads, f"the {name} build loads resources from other hosts:\n" + "\n".join(loads)
    assert not cdn, f"the {name} build refers to CDNs:\n" + "\n".join(cdn)


def test_offline_build_links_pages_as_files(tmp_path_factory):
    """From file:// a link to ``dir/`` shows a folder listing; the offline copy links ``page.html``."""
    site = shared_build(tmp_path_factory, offline=True).site
    problems, checked = [], 0
    for page in _pages(site):
        rel = page.relative_to(site).as_posix()
        for tag, attr, url in parse_page(page).refs:
            if tag == "a" and _target(site, urljoin(BASE, rel), url)[0] == "internal":
                checked += 1
                path = urlsplit(url).path  # "" is a link within the page
                if path.endswith("/") or path in (".", ".."):
                    problems.append(f"{rel}: {url!r}")
    assert checked > 200
    assert not problems, "links to folders in the offline build (they open a file listing):\n" + "\n".join(problems[:40])
