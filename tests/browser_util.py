"""Helpers for the tests that check the outputs as users meet them (browser, links, PDFs).

The shipped kit is copied into a temporary folder and built with the real CLI, once per test
session and kind of build, however many test modules ask for it.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = ROOT / "test-artefacts"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHIM_NPM = ROOT / "node_modules" / "iframe-worker" / "shim" / "index.js"

#: Flags for Debian's chromium in a container: no sandbox, no GPU, and none of the background
#: traffic Chromium makes on its own (updates, sync, QUIC probes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]

#: Hosts that serve scripts, styles or fonts to web pages; an offline site must name none of them.
CDN_HOSTS = (
    "unpkg.com",
    "cdn.jsdelivr.net",
    "cdnjs.cloudflare.com",
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "ajax.googleapis.com",
    "code.jquery.com",
    "polyfill.io",
    "cdn.skypack.dev",
    "esm.sh",
)

# Top-level folders of the repository that are not part of the kit a user builds.
_NOT_KIT = {"site", ".podkit", ".venv", "node_modules", "tests", "test-artefacts", ".git", ".pytest_cache", "generator", "benchmarks"}


def copy_kit(dest: Path) -> Path:
    """Copy the shipped kit (the repository minus build output and tooling) to ``dest``."""

    def ignore(folder: str, names: list[str]) -> list[str]:
        if Path(folder).resolve() == ROOT:
            return [n for n in names if n in _NOT_KIT or n.startswith((".site-", ".pytest")) or n.endswith(".zip")]
        return [n for n in names if n == "__pycache__"]

    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


@dataclass
class Build:
    kit: Path
    site: Path
    output: str


_builds: dict[bool, Build] = {}


def shared_build(tmp_path_factory, *, offline: bool = False) -> Build:
    """Build the shipped kit with ``podkit build`` (``--offline`` if asked), once per session."""
    if offline not in _builds:
        base = tmp_path_factory.mktemp("offline-build" if offline else "build")
        kit = copy_kit(base / "kit")
        site = base / "site"
        # Run from the folder above the kit with relative paths, as a person types them.
        cmd = [sys.executable, "-m", "podkit", "build", "--project", "kit", "--site-dir", "site"]
        if offline:
            # Without PDFs: the offline copy is checked for how it opens, links and searches from
            # file://; the PDFs are checked on the main build, and rendering them twice costs ~45 s.
            cmd += ["--offline", "--no-pdf"]
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=base, timeout=900)
        if proc.returncode != 0:
            raise AssertionError(f"{' '.join(cmd[2:])} failed with exit code {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
        _builds[offline] = Build(kit, site, proc.stdout + proc.stderr)
    return _builds[offline]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output readable
        pass


@contextmanager
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 at a free port; yield the base URL (ending in ``/``)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def launch_chromium(playwright):
    """Debian's chromium, driven by Playwright (never Playwright's own browser download)."""
    executable = shutil.which("chromium")
    if executable is None:
        raise AssertionError("chromium is not installed: run `make test` (it installs Debian's chromium)")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)


# --------------------------------------------------------------------------- one browser tab


@dataclass
class Tab:
    """A browser context + page that blocks and records requests to anywhere but ``allowed``.

    ``allowed(url) -> bool`` decides which requests may go through; everything else is aborted
    before it leaves the machine and listed in ``blocked``. Console errors and uncaught page
    errors are listed in ``errors``.
    """

    context: object
    page: object
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, browser, allowed, **context_options) -> "Tab":
        context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
        page = context.new_page()
        tab = cls(context, page)

        def route(r):
            url = r.request.url
            if allowed(url):
                r.continue_()
            else:
                tab.blocked.append(url)
                r.abort("blockedbyclient")

        context.route("**/*", route)
        context.on("request", lambda req: tab.requests.append(req.url))
        page.on("console", lambda msg: tab.errors.append(f"console.{msg.type}: {msg.text} ({msg.location.get('url', '')})") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: tab.errors.append(f"uncaught: {exc}"))
        return tab

    def close(self) -> None:
        self.context.close()

    def assert_clean(self) -> None:
        assert not self.blocked, "requests tried to leave the machine:\n  " + "\n  ".join(self.blocked)
        assert not self.errors, "errors in the browser console:\n  " + "\n  ".join(self.errors)


def only_local_http(url: str) -> bool:
    """True for requests to 127.0.0.1 (and in-page data:/blob: URLs)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob"):
        return True
    return parts.scheme in ("http", "https") and parts.hostname == "127.0.0.1"


def only_files(url: str) -> bool:
    """True for file:// (and in-page data:/blob:/about:) URLs: the offline copy needs nothing else."""
    return urlsplit(url).scheme in ("file", "data", "blob", "about")


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# --------------------------------------------------------------------------- HTML parsing

#: (tag, attribute) pairs that refer to another resource; the "load" ones are fetched by the browser.
LINK_ATTRS = {("a", "href"), ("area", "href")}
LOAD_ATTRS = {("link", "href"), ("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"), ("image", "href")}


class PageParser(HTMLParser):
    """Collect a page's ids/names (fragment targets) and every URL it refers to."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.anchors: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, url)

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        for key in ("id", "name") if tag in ("a", "map") else ("id",):
            if d.get(key):
                self.anchors.add(d[key])
        if tag == "meta":
            return
        for attr in ("href", "src", "data"):
            value = d.get(attr)
            if value is None:
                continue
            if (tag, attr) in LINK_ATTRS or (tag, attr) in LOAD_ATTRS:
                self.refs.append((tag, attr, value.strip()))
        srcset = d.get("srcset")
        if srcset:
            for candidate in srcset.split(","):
                url = candidate.strip().split(" ")[0]
                if url:
                    self.refs.append((tag, "srcset", url))

    handle_startendtag = handle_starttag


@functools.lru_cache(maxsize=None)
def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser
