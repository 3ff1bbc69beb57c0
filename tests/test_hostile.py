"""Hostile content is shown, never run; rendering reaches nothing outside the project.

Every text field of one assessment and of its observation records carries HTML, scripts,
``javascript:`` links, Markdown tricks or template syntax (``PAYLOADS``). The site, the reports
(HTML, Markdown, JSON, PDF) and the print PDFs must show each string as text: no element, attribute,
link, image, comment or template result may come from it. Only the inline subset of ``text.py``
(``**strong**``, ``*em*``, ```code```) is interpreted.

Then: no network request and no file outside the project and theme folders, for a remote image
and a ``file:///etc/passwd`` reference in a content page of the HR guide, a theme's logo and
templates, and an assessment field. What WeasyPrint asks for is recorded through the printing
module's URL fetcher; an audit hook records sockets and every opening of /etc/passwd.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import copy_kit, invoke
AS_OF = "2026-04-01"

#: One string per trick; each carries a marker ``pkNN`` to find it (or its remains) in the output.
PAYLOADS = {
    "script": '<script>alert("pk01")</script>',
    "img-onerror": '<img src=x onerror=alert("pk02")>',
    "js-link": "[click pk03](javascript:alert(3))",
    "remote-image": "![pk04](http://evil.example/pk04.png)",
    "attr-list": 'pk05 text {: onclick="alert(5)" }',
    "comment": "<!-- pk06 --> after a comment",
    "html-block": '<div onclick="alert(7)">pk07</div>',
    "jinja": "{{ 7*7 }} {% raw %}pk08{% endraw %} {# c #}",
    "a-href": '<a href="javascript:alert(9)">pk09</a>',
    "autolinks": "<javascript:alert(10)> pk10 <http://evil.example/pk10>",
    "entities": "&lt;b&gt; &amp; &#60;i&#62; pk11",
    "snippet": '--8<-- "/etc/passwd" pk12',
    "md-extensions": "[^1] *[HTML]: x :smile: ~~s~~ ==m== ^^i^^ pk13",
    "heading-table": "# pk14 heading | pipe | cell",
    "svg": "<svg onload=alert(15)>pk15</svg>",
    "iframe": '<iframe src="http://evil.example/pk16"></iframe>',
    "style": "<style>body{display:none}</style>pk17",
    "quotes": "\"pk18\" 'single' </title></textarea><title>",
    "file-url": '![pk19](file:///etc/passwd) <img src="file:///etc/passwd">',
    "ref-definition": "[pk20]: javascript:alert(20)",
    "underscores": "__pk21__ and _pk21b_ stay as typed",
    "admonition": '!!! danger "pk22" and ??? note, then --- and ***',
    "data-url": "[pk23](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "template-js": "${alert(24)} pk24 `${x}`",
}
MARKER = re.compile(r"pk\d\d")
#: The inline subset: shown formatted, and nothing else is.
SUBSET = "pk30 **bold30** and *em30* and `code30` ok"
SUBSET_TEXT = "pk30 bold30 and em30 and code30 ok"


def norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def expected(payload: str) -> str:
    """What a reader sees: the payload itself; code spans lose their backticks (the subset)."""
    return norm(re.sub(r"`([^`]+)`", r"\1", payload))


# --------------------------------------------------------------------------- the hostile kit


def write_hostile_kit(root: Path) -> None:
    """The assessment and three observation records; every text field carries a payload."""
    texts = iter(list(PAYLOADS.values()) * 10)
    t = lambda: next(texts)  # noqa: E731
    assessment = {
        "id": "hostile", "title": t(), "version": "1.0.0", "summary": t(), "purpose": SUBSET,
        "setting": {"sessions": ["stand-up"], "duration_minutes": 15, "observers": 2, "participants": t(),
                    "preparation": [t(), t()], "notes": t()},
        "scale": [{"level": i, "label": t(), "description": t()} for i in range(4)],
        "dimensions": [{"id": "dim-a", "title": t(), "description": t(), "weight": 2},
                       {"id": "dim-b", "title": t(), "description": t()}],
        "items": [
            {"id": "item-a", "dimension": "dim-a", "kind": "anchored", "title": t(), "prompt": t(), "look_for": [t(), t()],
             "evidence": t(), "critical": True, "anchors": {i: t() for i in range(4)}, "notes": t(),
             "interventions": [{"title": t(), "action": t()}]},
            {"id": "item-b", "dimension": "dim-a", "kind": "check", "title": t(), "prompt": t(), "look_for": [t()], "evidence": t()},
            {"id": "item-c", "dimension": "dim-b", "kind": "count", "title": t(), "prompt": t(), "look_for": [t()], "evidence": t(),
             "unit": t(), "thresholds": {1: 2, 2: 4, 3: 6}},
            {"id": "item-d", "dimension": "dim-b", "kind": "codes", "title": t(), "prompt": t(), "look_for": [t()], "evidence": t(),
             "interval_minutes": 5, "codes": [{"id": "AA", "label": t(), "description": t()}, {"id": "BB", "label": t(), "description": t()}],
             "score_codes": ["AA"], "thresholds": {1: 0.2, 2: 0.4, 3: 0.6}},
        ],
        "readiness": [{"id": "low", "title": t(), "description": t(), "min_score": 0},
                      {"id": "high", "title": t(), "description": t(), "min_score": 60, "gates": [{"item": "item-a", "min_level": 2}]}],
        "references": ["smith-2013"],
    }
    (root / "assessments").mkdir(parents=True, exist_ok=True)
    # JSON is YAML: every string arrives exactly as written, whatever it contains
    (root / "assessments" / "hostile.yaml").write_text(json.dumps(assessment, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    every = " ¶ ".join([SUBSET, *PAYLOADS.values()])
    folder = root / "examples" / "observations"
    folder.mkdir(parents=True, exist_ok=True)
    for pod, day in (("pod-one", "2026-03-02"), ("pod-one", "2026-03-16"), ("pod-two", "2026-03-03")):
        record = {
            "assessment": "hostile", "assessment_version": "1.0.0", "pod": pod, "date": day,
            "session": {"type": "stand-up", "duration_minutes": 15}, "observers": ["obs-a", "obs-b"], "notes": every,
            "responses": {
                "item-a": {"obs-a": {"level": 1, "evidence": every}, "obs-b": {"level": 3, "evidence": t()}},
                "item-b": {"obs-a": {"check": False, "evidence": every}},
                "item-c": {"obs-a": {"count": 3, "evidence": t()}},
                "item-d": {"obs-a": {"intervals": [["AA"], [], ["BB"]], "evidence": t()}},
            },
        }
        (folder / f"{pod}--{day}.yaml").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- recording what is reached

_AUDIT = {"on": False, "events": []}


def _audit(event: str, args) -> None:
    if not _AUDIT["on"]:
        return
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto", "urllib.Request"):
        _AUDIT["events"].append((event, repr(args)[:200]))
    elif event == "open" and args and "passwd" in str(args[0]):
        _AUDIT["events"].append((event, str(args[0])))


sys.addaudithook(_audit)  # hooks cannot be removed; this one does nothing unless switched on


class Reach:
    """Switch on the audit hook and record every URL WeasyPrint asks podkit's fetcher for."""

    def __init__(self, monkeypatch):
        from podkit import pdf

        self.urls: list[str] = []
        self.refused: list[str] = []
        original = pdf.make_url_fetcher
        reach = self

        def recording_fetcher(resources):
            fetcher = original(resources)
            inner = fetcher.fetch

            def fetch(url, *args, **kwargs):
                reach.urls.append(url)
                try:
                    return inner(url, *args, **kwargs)
                except pdf.ResourceRefused:
                    reach.refused.append(url)
                    raise

            fetcher.fetch = fetch
            return fetcher

        monkeypatch.setattr(pdf, "make_url_fetcher", recording_fetcher)
        if hasattr(pdf, "_WORKER_CACHE"):  # resources cached by earlier renders are not fetched again
            monkeypatch.setattr(pdf, "_WORKER_CACHE", {})

    def __enter__(self):
        _AUDIT["events"].clear()
        _AUDIT["on"] = True
        return self

    def __exit__(self, *exc):
        _AUDIT["on"] = False

    @property
    def events(self) -> list:
        return list(_AUDIT["events"])

    def outside(self) -> list[str]:
        """Requested URLs that are not the project's or theme's own files or inline data."""
        return [u for u in self.urls if not u.startswith(("podkit:theme/", "podkit:content/", "data:"))]


# --------------------------------------------------------------------------- auditing output


class Audit(HTMLParser):
    """Finds anything user text could have turned into markup; collects the visible text."""

    URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "srcset", "background", "cite"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in self.URL_ATTRS:
                flat = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if flat.startswith(("javascript:", "vbscript:", "data:text/html")) or "evil.example" in flat or "/etc/passwd" in flat:
                    self.problems.append(f"<{tag} {name}={value[:60]}>")
            if name == "style" and MARKER.search(value):
                self.problems.append(f"<{tag} style=…> from user text")
        if tag in ("iframe", "object", "embed", "frame", "frameset", "base"):
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and any(n == "http-equiv" for n, _ in attrs):
            self.problems.append("<meta http-equiv>")
        if tag == "script" and dict(attrs).get("type") == "application/json":
            self.stack.append("json-data")  # data, not code: checked in handle_data
        elif tag not in ("img", "br", "hr", "input", "meta", "link", "source", "wbr", "col", "area", "path", "circle", "line", "rect", "polyline", "use"):
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag == "script" and self.stack and self.stack[-1] == "json-data":
            self.stack.pop()
            return
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "json-data":
            # user text may sit in a JSON data block (the recorder's instrument) only as JSON that
            # parses and cannot end the element or open a comment
            try:
                json.loads(data)
            except ValueError:
                self.problems.append(f"a JSON data block that is not JSON: {data[:60]!r}")
            if "</" in data or "<!--" in data:
                self.problems.append(f"a JSON data block that could end early: {data[:60]!r}")
            return
        raw = {"script", "style", "svg", "textarea", "title"} & set(self.stack)
        if raw and MARKER.search(data) and raw != {"title"}:
            self.problems.append(f"user text inside <{'/'.join(sorted(raw))}>: {data[:60]!r}")
        if not ({"script", "style"} & set(self.stack)):
            self.text.append(data)

    def handle_comment(self, data):
        if MARKER.search(data):
            self.problems.append(f"user text hidden in a comment: {data[:60]!r}")


def audit(markup: str) -> tuple[list[str], str]:
    a = Audit()
    a.feed(markup)
    a.close()
    return a.problems, norm(" ".join(a.text))


def assert_shown_as_text(markup: str, where: str, payloads=PAYLOADS) -> str:
    problems, text = audit(markup)
    assert not problems, f"{where}: {problems}"
    missing = [k for k, p in payloads.items() if expected(p) not in text]
    assert not missing, f"{where}: not shown literally: {missing}"
    return text


def assert_markers_literal(text: str, where: str) -> None:
    """Every payload whose marker shows up in ``text`` shows up whole."""
    for key, p in PAYLOADS.items():
        marker = MARKER.search(p).group(0)
        if marker in text:
            assert expected(p) in text, f"{where}: {key} is shown changed"


# --------------------------------------------------------------------------- fixtures


def _invoke(*args):
    result = invoke(*args, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """The hostile kit, built (site without PDFs) and scored (every report format)."""
    kit = tmp_path_factory.mktemp("hostile") / "kit"
    copy_kit("hostile", kit)
    write_hostile_kit(kit)
    result = _invoke("build", "--no-pdf", "-q", "-p", kit)
    assert result.exit_code == 0, result.output
    result = _invoke("score", kit / "examples" / "observations", "-p", kit, "-o", kit / "reports", "-f", "html,md,json,pdf", "--as-of", AS_OF, "-q")
    assert result.exit_code == 0, result.output
    return kit


@pytest.fixture(scope="module")
def hostile_pdfs(hostile, tmp_path_factory) -> tuple[Path, list[str], list]:
    """The toolkit, sheet and complete kit (A4), rendered in-process with every URL recorded."""
    mp = pytest.MonkeyPatch()
    out = tmp_path_factory.mktemp("hostile-pdf")
    try:
        with Reach(mp) as reach:
            result = _invoke("print", "-p", hostile, "-o", out, "--paper", "a4", "-j", "1", "--only", "toolkit", "--only", "sheet", "--only", "complete-kit", "-q")
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output
    return out, reach.urls, reach.events


# --------------------------------------------------------------------------- the site


def test_site_pages_show_every_string_as_text(hostile):
    site = hostile / "site"
    text = assert_shown_as_text((site / "assessments" / "hostile" / "index.html").read_text(encoding="utf-8"), "assessment page")
    assert norm(SUBSET_TEXT) in text
    for page in sorted(site.rglob("*.html")):
        problems, text = audit(page.read_text(encoding="utf-8"))
        assert not problems, f"{page.relative_to(site)}: {problems}"
        assert_markers_literal(text, str(page.relative_to(site)))
    index = site / "assessments" / "index.html"
    assert expected(PAYLOADS["script"]) in audit(index.read_text(encoding="utf-8"))[1]  # the title, in the list


def test_site_keeps_only_the_inline_subset(hostile):
    page = (hostile / "site" / "assessments" / "hostile" / "index.html").read_text(encoding="utf-8")
    assert "<strong>bold30</strong>" in page and "<em>em30</em>" in page and "<code>code30</code>" in page
    assert "<strong>pk21</strong>" not in page and "<em>pk21b</em>" not in page  # underscores are literal
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert htmllib.unescape(title).startswith(PAYLOADS["script"])  # shown as typed, not double-escaped


def test_search_index_holds_text_not_markup(hostile):
    """Material renders search titles and teasers as HTML: they must be escaped there too."""
    index = json.loads((hostile / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    texts = []
    for doc in index["docs"]:
        for field in ("title", "text"):
            problems, text = audit(doc[field])
            assert not problems, (doc["location"], field, problems)
            texts.append(text)
    joined = "".join(texts)
    missing = [k for k, p in PAYLOADS.items() if expected(p) not in joined]
    assert not missing


def test_site_reports_show_evidence_as_text(hostile):
    site = hostile / "site" / "reports"
    assert_shown_as_text((site / "sample-pod-report" / "index.html").read_text(encoding="utf-8"), "site report page")
    for name in ("pod-one--hostile.html", "pod-two--hostile.html"):
        assert_shown_as_text((site / "files" / name).read_text(encoding="utf-8"), name)


# --------------------------------------------------------------------------- reports


@pytest.mark.parametrize("name", ["pod-one--hostile", "pod-two--hostile"])
def test_html_report(hostile, name):
    html = (hostile / "reports" / f"{name}.html").read_text(encoding="utf-8")
    text = assert_shown_as_text(html, f"{name}.html")
    assert "<strong>bold30</strong>" in html and norm(SUBSET_TEXT) in text
    assert "<script" not in html.lower() or all(MARKER.search(s) is None for s in re.findall(r"<script.*?</script>", html, re.S | re.I))


def test_portfolio_reports(hostile):
    for suffix in ("html", "md"):
        page = (hostile / "reports" / f"portfolio.{suffix}").read_text(encoding="utf-8")
        if suffix == "md":
            page = _markdown_to_html(page)
        problems, text = audit(page)
        assert not problems
        assert_markers_literal(text, f"portfolio.{suffix}")
        assert expected(PAYLOADS["script"]) in text  # the assessment's title


def _markdown_to_html(text: str) -> str:
    """Render a Markdown report the way a site or a Markdown viewer would (with raw HTML on)."""
    import markdown

    body = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)  # front matter
    return markdown.markdown(body, extensions=["abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc"])


@pytest.mark.parametrize("name", ["pod-one--hostile", "pod-two--hostile"])
def test_markdown_report(hostile, name):
    md = (hostile / "reports" / f"{name}.md").read_text(encoding="utf-8")
    html = _markdown_to_html(md)
    assert_shown_as_text(html, f"{name}.md")
    assert "<strong>bold30</strong>" in html
    front = re.match(r"\A---\n(.*?)\n---\n", md, re.S).group(1)
    import yaml

    meta = yaml.safe_load(front)
    assert set(meta) <= {"title", "description", "hide", "search"}, meta  # no key injected
    assert PAYLOADS["script"] in htmllib.unescape(meta["title"])


def test_json_report_keeps_strings_exactly(hostile):
    data = json.loads((hostile / "reports" / "pod-one--hostile.json").read_text(encoding="utf-8"))
    every = " ¶ ".join([SUBSET, *PAYLOADS.values()])
    strings = []

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str):
            strings.append(v)

    walk(data)
    assert every in strings  # evidence and notes, byte for byte
    assert PAYLOADS["script"] in strings  # the assessment's title


@pytest.mark.parametrize("name", ["pod-one--hostile", "pod-two--hostile"])
def test_pdf_report(hostile, name):
    text = _pdf_text(hostile / "reports" / f"{name}.pdf")
    missing = [k for k, p in PAYLOADS.items() if expected(p) not in text]
    assert not missing
    assert norm(SUBSET_TEXT) in text
    _assert_no_active_content(hostile / "reports" / f"{name}.pdf")


# --------------------------------------------------------------------------- print PDFs


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return norm("".join(page.extract_text() or "" for page in PdfReader(path).pages))


def _assert_no_active_content(path: Path, *, web_links: bool = False) -> None:
    """No JavaScript, launch actions, or links to anything user text named (a content page's
    own web links are allowed with ``web_links``)."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    assert "/OpenAction" not in root or "/JS" not in str(root["/OpenAction"].get_object())
    names = root.get("/Names")
    assert names is None or "/JavaScript" not in names.get_object()
    for page in reader.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            action = annot.get("/A")
            if action is None:
                continue
            action = action.get_object()
            assert action.get("/S") not in ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData"), action
            uri = str(action.get("/URI", ""))
            assert "javascript" not in uri.lower() and "passwd" not in uri and "file:" not in uri, uri
            assert web_links or "evil.example" not in uri, uri


@pytest.mark.parametrize("name", ["hostile-toolkit-a4.pdf", "podkit-complete-kit-a4.pdf"])
def test_print_pdfs_show_every_string_as_text(hostile_pdfs, name):
    out, _, _ = hostile_pdfs
    text = _pdf_text(out / name)
    missing = [k for k, p in PAYLOADS.items() if expected(p) not in text]
    assert not missing  # "jinja" among them: {{ 7*7 }} is shown, not evaluated
    assert norm(SUBSET_TEXT) in text
    _assert_no_active_content(out / name)


def test_fillable_sheet_shows_strings_as_text(hostile_pdfs):
    out, _, _ = hostile_pdfs
    sheet = out / "hostile-sheet-fillable-a4.pdf"
    text = _pdf_text(sheet)
    assert expected(PAYLOADS["script"]) in text  # the title
    assert_markers_literal(text, sheet.name)
    assert len(set(MARKER.findall(text))) >= 10
    _assert_no_active_content(sheet)


def test_assessment_text_reaches_nothing_when_printed(hostile_pdfs):
    """Image and file references in assessment fields are text: never requested, never read."""
    _, urls, events = hostile_pdfs
    assert urls, "the recorder saw no request at all"
    outside = [u for u in urls if not u.startswith(("podkit:theme/", "podkit:content/", "data:"))]
    assert outside == []
    assert events == []


def test_building_and_scoring_reach_nothing(hostile, tmp_path, monkeypatch):
    with Reach(monkeypatch) as reach:
        assert _invoke("build", "--no-pdf", "-q", "-p", hostile).exit_code == 0
        result = _invoke("score", hostile / "examples" / "observations", "-p", hostile, "-o", tmp_path / "r", "-f", "pdf,html", "--as-of", AS_OF, "-q")
        assert result.exit_code == 0
    assert reach.events == []
    assert reach.outside() == []


# --------------------------------------------------------------------------- no reach outside


GUIDE_PAGE = """\
# Concepts

A remote picture: ![remote](http://evil.example/remote.png)

A local secret: ![secret](file:///etc/passwd)

A link to [a site](http://evil.example/page) keeps its words; [the passwd file](file:///etc/passwd) too.

Reference-style: ![ref][r]

Raw, relative: <img src="../../../../../../../etc/passwd" alt="up">

[r]: https://evil.example/ref.png
"""


def _sample_kit(tmp_path: Path) -> Path:
    return copy_kit("sample", tmp_path / "kit")


def test_guide_page_images_are_never_fetched(tmp_path, monkeypatch):
    """(a) Markdown images in a content page of the HR guide: replaced by their description."""
    kit = _sample_kit(tmp_path)
    (kit / "content" / "concepts.md").write_text(GUIDE_PAGE, encoding="utf-8")
    out = tmp_path / "pdf"
    with Reach(monkeypatch) as reach:
        result = _invoke("print", "-p", kit, "-o", out, "--only", "hr-guide", "--paper", "a4", "-j", "1")
    assert result.exit_code == 0, result.output
    assert reach.outside() == [] and reach.events == []
    assert not any("evil.example" in u or "passwd" in u for u in reach.urls)
    assert "Relative URI reference without a base URI" in result.output  # said, not fetched
    text = _pdf_text(out / "podkit-hr-guide-a4.pdf")
    assert "remote" in text and "secret" in text and "root:x" not in text
    _assert_no_active_content(out / "podkit-hr-guide-a4.pdf", web_links=True)


@pytest.mark.parametrize(
    "html, url",
    [
        ('<img src="http://evil.example/raw.png" alt="raw">', "http://evil.example/raw.png"),
        ('<img src="file:///etc/passwd" alt="raw">', "file:///etc/passwd"),
        ('<link rel="stylesheet" href="https://evil.example/x.css">', "https://evil.example/x.css"),
        ('<style>@import url("file:///etc/passwd");</style>', "file:///etc/passwd"),
        ('<object data="file:///etc/passwd"></object>', "file:///etc/passwd"),
        ('<img src="podkit:content/../../../../../etc/passwd" alt="up">', "podkit:content/../"),
    ],
    ids=["remote-img", "file-img", "remote-css", "css-import", "object", "podkit-escape"],
)
def test_guide_page_raw_html_is_refused(html, url, tmp_path, monkeypatch):
    """(a) Raw HTML in a content page asks for a remote or outside file: refused, named, exit 1."""
    kit = _sample_kit(tmp_path)
    (kit / "content" / "concepts.md").write_text(f"# Concepts\n\n{html}\n\nText.\n", encoding="utf-8")
    out = tmp_path / "pdf"
    with Reach(monkeypatch) as reach:
        result = invoke("print", "-p", kit, "-o", out, "--only", "hr-guide", "--paper", "a4", "-j", "1")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "podkit-hr-guide-a4.pdf" in result.output
    assert reach.refused and all(u in reach.urls for u in reach.refused)
    assert any(url in u for u in reach.refused), reach.refused
    assert reach.events == []  # no socket, and /etc/passwd never opened
    assert not (out / "podkit-hr-guide-a4.pdf").exists()


@pytest.mark.parametrize(
    "logo, message",
    [
        ("http://evil.example/logo.png", "no such file"),
        ("file:///etc/passwd", "the logo must be"),
        ("/etc/passwd", "the logo must be a file inside this theme folder"),
        ("../../../../../../../etc/passwd", "the logo must be a file inside this theme folder"),
        ("linked.svg", "the logo must be a file inside this theme folder"),
    ],
    ids=["remote", "file-url", "absolute", "parent", "link-out"],
)
def test_theme_logo_outside_is_refused(logo, message, tmp_path, monkeypatch):
    """(b) A theme's logo: only a file inside the theme folder; nothing else is read."""
    kit = _sample_kit(tmp_path)
    theme = tmp_path / "theme"
    (theme / "print").mkdir(parents=True)
    (theme / "print" / "linked.svg").symlink_to("/etc/passwd")
    (theme / "print" / "theme.yml").write_text(f"organisation:\n  name: Evil Corp\n  logo: {json.dumps(logo)}\n", encoding="utf-8")
    with Reach(monkeypatch) as reach:
        result = invoke("print", "-p", kit, "-o", tmp_path / "pdf", "--theme", theme, "--only", "sheet", "--paper", "a4", "-j", "1")
    assert result.exit_code == 1, result.output
    assert "theme.yml:3:" in result.output and message in result.output
    assert reach.urls == [] and reach.events == []


@pytest.mark.parametrize(
    "template",
    [
        '<section class="cover"><img src="http://evil.example/c.png" alt="c"></section>',
        '<section class="cover"><img src="file:///etc/passwd" alt="c"></section>',
        '<section class="cover" style="background: url(\'https://evil.example/bg.png\')">x</section>',
    ],
    ids=["remote-img", "file-img", "css-url"],
)
def test_theme_templates_cannot_reach_outside(template, tmp_path, monkeypatch):
    """(b) A theme template asks for the web or /etc/passwd: refused by the fetcher, exit 1."""
    kit = _sample_kit(tmp_path)
    theme = tmp_path / "theme"
    (theme / "print").mkdir(parents=True)
    (theme / "print" / "cover.html.j2").write_text(template, encoding="utf-8")
    out = tmp_path / "pdf"
    with Reach(monkeypatch) as reach:
        result = invoke("print", "-p", kit, "-o", out, "--theme", theme, "--only", "complete-kit", "--paper", "a4", "-j", "1")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output, result.output
    assert "podkit-complete-kit-a4.pdf" in result.output and ("are not fetched" in result.output or "outside the project" in result.output), result.output
    assert reach.refused and reach.events == []
    assert not list(out.glob("*.pdf"))


def test_theme_logo_inside_the_theme_is_served(tmp_path, monkeypatch):
    """The allowed case, for contrast: the logo is requested as podkit:theme/… and served."""
    kit = _sample_kit(tmp_path)
    theme = tmp_path / "theme"
    (theme / "print").mkdir(parents=True)
    shutil.copyfile(Path(__file__).resolve().parent.parent / "themes" / "default" / "print" / "logo.svg", theme / "print" / "mark.svg")
    (theme / "print" / "theme.yml").write_text("organisation:\n  name: Good Corp\n  logo: mark.svg\n", encoding="utf-8")
    with Reach(monkeypatch) as reach:
        result = _invoke("print", "-p", kit, "-o", tmp_path / "pdf", "--theme", theme, "--only", "sheet", "--paper", "a4", "-j", "1", "voice-sample", "-q")
    assert result.exit_code == 0, result.output
    assert "podkit:theme/mark.svg" in reach.urls
    assert reach.outside() == [] and reach.refused == [] and reach.events == []
