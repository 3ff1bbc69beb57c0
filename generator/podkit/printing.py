"""Printable PDFs: assessments → print HTML (Jinja, themes/*/print/) → PDF (WeasyPrint).

Four kinds of document, each in A4 and US Letter:

* a **toolkit** per assessment (cover, contents, facilitator guide, observation sheet, scoring
  worksheet, readiness levels, interventions), tagged for screen readers (PDF/UA-1);
* a **fillable observation sheet** per assessment (a plain PDF form; `sheets.read_sheet` reads a
  filled one back into an observation);
* the **complete kit** (every assessment in one tagged PDF);
* the **HR guide**, built from the project's content pages (concepts, HR guidance, FAQ).

Every renderer has the same shape: a pure ``render_*_html(ctx, …) -> str`` (tested against golden
files) and the PDF step, :func:`write_pdf`, which runs WeasyPrint with a URL fetcher that serves
only the project's and the theme's own files. The same inputs give byte-identical PDFs: dates come
from ``SOURCE_DATE_EPOCH`` or the project's last commit, never from the clock, and no path of the
machine reaches the output (resources are addressed as ``podkit:theme/…`` and ``podkit:content/…``).
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Iterable

from pydantic import AfterValidator, Field, StringConstraints

from . import __version__
from .console import console
from .errors import PodkitError, Problem, SourceErrors
from .kit import Kit, Project
from .model import AnchoredItem, Assessment, CheckItem, CodesItem, CountItem, Strict
from .site import Download, SiteExtras, gate_text, threshold_bands
from .sources import atomic_write, load_yaml, read_text
from .templates import theme_search_path
from .text import html_inline, plain

#: Paper sizes: the option value, the CSS ``@page`` size and the label shown to readers.
PAPERS: dict[str, tuple[str, str]] = {"a4": ("A4", "A4"), "letter": ("letter", "US Letter")}

#: Document kinds and their titles on the site.
KINDS = ("toolkit", "sheet", "complete-kit", "hr-guide")

#: Content pages the HR guide is made of, in order (missing ones are left out).
HR_GUIDE_PAGES = ("concepts.md", "hr-teams.md", "faq.md")

#: Used for PDF dates when there is neither SOURCE_DATE_EPOCH nor a git history (2024-01-01).
FALLBACK_EPOCH = 1704067200

#: Prefix of every form field podkit writes into a fillable sheet. Field names never contain
#: dots (PDF readers use dots to join parent and child names).
FIELD_PREFIX = "pk"

#: URL scheme for the theme's and the content's own files inside print HTML.
RESOURCE_SCHEME = "podkit:"


# --------------------------------------------------------------------------- theme


def _hex_colour(value: str) -> str:
    if not re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", value):
        raise ValueError("expected a colour like \"#00695c\" (# and 3 or 6 hex digits, in quotes)")
    return value.lower()


HexColour = Annotated[str, AfterValidator(_hex_colour)]


class _Organisation(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)] | None = None
    logo: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None


class _Colours(Strict):
    primary: HexColour | None = None
    accent: HexColour | None = None
    ink: HexColour | None = None
    muted: HexColour | None = None
    rule: HexColour | None = None


class ThemeFile(Strict):
    """``print/theme.yml`` in a theme folder: organisation branding for the PDFs."""

    organisation: _Organisation = Field(default_factory=_Organisation)
    colours: _Colours = Field(default_factory=_Colours)


@dataclass(frozen=True)
class PrintTheme:
    """Branding resolved from every ``theme.yml`` on the search path (user theme wins)."""

    organisation: str = "podkit"
    logo: str | None = None  # a file name inside the print theme folders, e.g. "logo.svg"
    colours: dict[str, str] = field(default_factory=dict)

    @property
    def logo_url(self) -> str | None:
        return f"{RESOURCE_SCHEME}theme/{self.logo}" if self.logo else None


_DEFAULT_COLOURS = {"primary": "#00695c", "accent": "#d84315", "ink": "#1c2326", "muted": "#5b676d", "rule": "#b9c3c8"}
_LOGO_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")


def load_print_theme(project: Project, theme: Path | None = None) -> PrintTheme:
    """Merge the ``theme.yml`` files of the print search path, built-in first, user theme last."""
    from .validation import validate_document

    search = theme_search_path(project.root, "print", theme)
    organisation, logo, colours = "podkit", None, dict(_DEFAULT_COLOURS)
    problems: list[Problem] = []
    for folder in reversed(search):
        path = folder / "theme.yml"
        if not path.is_file():
            continue
        try:
            doc = load_yaml(path)
        except SourceErrors as exc:
            problems += exc.problems
            continue
        cfg, probs = validate_document(doc, ThemeFile)
        problems += probs
        if cfg is None:
            continue
        if cfg.organisation.name:
            organisation = cfg.organisation.name
        if cfg.organisation.logo:
            rel = cfg.organisation.logo
            target = (folder / rel).resolve()
            if Path(rel).is_absolute() or not target.is_relative_to(folder.resolve()):
                problems.append(doc.problem("the logo must be a file inside this theme folder", ("organisation", "logo")))
            elif target.suffix.lower() not in _LOGO_SUFFIXES:
                problems.append(doc.problem(f"the logo must be an SVG, PNG or JPEG file, got {target.suffix or 'no extension'}", ("organisation", "logo")))
            elif not target.is_file():
                problems.append(doc.problem(f"no such file: {rel} (next to theme.yml)", ("organisation", "logo")))
            else:
                logo = target.relative_to(folder.resolve()).as_posix()
        for key, value in cfg.colours.model_dump().items():
            if value:
                colours[key] = value
    if problems:
        raise SourceErrors(problems)
    return PrintTheme(organisation=organisation, logo=logo, colours=colours)


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class PrintContext:
    """Everything a print template needs besides the assessment: environment, branding, date."""

    env: object  # jinja2.Environment
    theme: PrintTheme
    date: _dt.datetime  # UTC; used only for PDF metadata
    search_path: tuple[Path, ...] = ()
    content_dir: Path | None = None
    project_root: Path | None = None


def source_date(project_root: Path | None = None) -> _dt.datetime:
    """The date stamped into PDFs: ``SOURCE_DATE_EPOCH``, else the last commit, else a fixed one."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        if not raw.isdigit():
            raise PodkitError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, got {raw!r}")
        epoch = int(raw)
    else:
        epoch = _git_epoch(project_root) or FALLBACK_EPOCH
    return _dt.datetime.fromtimestamp(epoch, tz=_dt.timezone.utc)


def _git_epoch(root: Path | None) -> int | None:
    if root is None:
        return None
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", "."],
            cwd=root, capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = out.stdout.strip()
    return int(value) if out.returncode == 0 and value.isdigit() else None


def make_context(project: Project, theme: Path | None = None, *, date: _dt.datetime | None = None) -> PrintContext:
    """Build the print context for a project (templates, branding, date)."""
    search = theme_search_path(project.root, "print", theme)
    env = _environment(search)
    return PrintContext(
        env=env,
        theme=load_print_theme(project, theme),
        date=date or source_date(project.root),
        search_path=tuple(search),
        content_dir=project.content_dir,
        project_root=project.root,
    )


def _environment(search: list[Path]):
    from .templates import environment

    env = environment(search, autoescape=True)
    env.filters["inline"] = html_inline
    env.filters["plain"] = plain
    env.globals.update(
        is_anchored=lambda it: isinstance(it, AnchoredItem),
        is_check=lambda it: isinstance(it, CheckItem),
        is_count=lambda it: isinstance(it, CountItem),
        is_codes=lambda it: isinstance(it, CodesItem),
        threshold_bands=threshold_bands,
        gate_text=gate_text,
        intervals=intervals,
        field=field_name,
        fmt=lambda v: f"{v:g}",
        podkit_version=__version__,
    )
    return env


def intervals(item: CodesItem, duration_minutes: int) -> list[tuple[int, int, int]]:
    """The rows of a time-sample grid: ``(number, start minute, end minute)``."""
    step = item.interval_minutes
    n = max(1, math.ceil(duration_minutes / step))
    return [(i + 1, i * step, min((i + 1) * step, duration_minutes)) for i in range(n)]


def field_name(*parts: object) -> str:
    """A form field name: ``pk__<part>__<part>``; parts are ids, which never contain ``__``."""
    out = "__".join([FIELD_PREFIX, *(str(p) for p in parts)])
    if "." in out:  # ids cannot contain dots (slugs and codes); keep it that way
        raise ValueError(f"field name {out!r} contains a dot")
    return out


def _meta(ctx: PrintContext, title: str, description: str, kind: str, extra: dict | None = None) -> dict:
    stamp = ctx.date.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "title": plain(title),
        "description": plain(description),
        "created": stamp,
        "modified": stamp,
        "organisation": ctx.theme.organisation,
        "kind": kind,
        "extra": extra or {},
    }


# --------------------------------------------------------------------------- render (pure)


def _render(ctx: PrintContext, name: str, **values) -> str:
    """Render one print template; mistakes in a theme's templates are user errors, located."""
    import jinja2

    try:
        return ctx.env.get_template(name).render(**values)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name}:{exc.lineno}" if exc.lineno else str(exc.filename or exc.name)
        raise PodkitError(f"{where}: template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        looked = ", ".join(str(p) for p in ctx.search_path) or "no folders"
        raise PodkitError(f"print template {exc.name!r} not found; looked in: {looked}") from None
    except jinja2.UndefinedError as exc:
        raise PodkitError(f"print template {name!r} (or one it includes): {exc.message}") from None


def render_toolkit_html(ctx: PrintContext, assessment: Assessment) -> str:
    """Print HTML of one assessment's toolkit."""
    return _render(
        ctx, "toolkit.html.j2",
        a=assessment, theme=ctx.theme,
        meta=_meta(ctx, f"{assessment.title}: observation toolkit", assessment.summary, "toolkit"),
    )


def render_sheet_html(ctx: PrintContext, assessment: Assessment) -> str:
    """Print HTML of one assessment's fillable observation sheet."""
    return _render(
        ctx, "sheet.html.j2",
        a=assessment, theme=ctx.theme,
        meta=_meta(ctx, f"{assessment.title}: observation sheet", assessment.summary, "sheet",
                   {"podkit-assessment": assessment.id, "podkit-assessment-version": assessment.version}),
    )


def render_complete_kit_html(ctx: PrintContext, assessments: list[Assessment]) -> str:
    """Print HTML of the complete kit: every assessment's toolkit in one document."""
    return _render(
        ctx, "complete-kit.html.j2",
        assessments=assessments, theme=ctx.theme,
        meta=_meta(ctx, "podkit: the complete kit", "Every observation toolkit, with facilitator guides, sheets and scoring worksheets.", "complete-kit"),
    )


@dataclass(frozen=True)
class GuideChapter:
    """One content page rendered for the HR guide."""

    slug: str
    title: str
    html: str  # trusted HTML made from the project's own Markdown
    sections: tuple[tuple[str, str], ...]  # (anchor id, title) of its level-2 headings


def render_hr_guide_html(ctx: PrintContext, chapters: list[GuideChapter]) -> str:
    """Print HTML of the HR guide from already converted content pages."""
    from markupsafe import Markup

    return _render(
        ctx, "hr-guide.html.j2",
        chapters=[(c, Markup(c.html)) for c in chapters], theme=ctx.theme,
        meta=_meta(ctx, "podkit: guide for HR teams", "Concepts, rollout, privacy guardrails and frequently asked questions.", "hr-guide"),
    )


def render_css(ctx: PrintContext, paper: str, kind: str) -> str:
    """The stylesheet for one paper size and document kind."""
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}")
    return _render(
        ctx, "print.css.j2",
        page_size=PAPERS[paper][0], paper=paper, kind=kind, colours=ctx.theme.colours,
    )


# --------------------------------------------------------------------------- HR guide content


def load_guide_chapters(ctx: PrintContext, pages: Iterable[str] = HR_GUIDE_PAGES) -> list[GuideChapter]:
    """Convert the content pages of the HR guide from Markdown (missing pages are skipped)."""
    content = ctx.content_dir
    if content is None or not content.is_dir():
        return []
    present = [p for p in pages if (content / p).is_file()]
    abbreviations = ""
    abbr_file = content / "includes" / "abbreviations.md"
    if abbr_file.is_file():
        abbreviations = read_text(abbr_file, root=ctx.project_root)
    chapters = []
    for name in present:
        text = read_text(content / name, root=ctx.project_root)
        chapters.append(markdown_chapter(name, text, present, abbreviations))
    return chapters


def markdown_chapter(name: str, text: str, included: list[str], abbreviations: str = "") -> GuideChapter:
    """Convert one content page; links to other included pages become links inside the PDF."""
    import markdown

    slug = Path(name).stem
    md = markdown.Markdown(
        extensions=["abbr", "admonition", "def_list", "footnotes", "tables", "toc", "sane_lists", "fenced_code",
                    _guide_links(slug, name, [Path(p).stem for p in included])],
        extension_configs={"toc": {"permalink": False}, "footnotes": {"UNIQUE_IDS": True}},
        output_format="html",
    )
    body = md.convert(text.rstrip() + "\n\n" + abbreviations)
    title = slug.replace("-", " ").title()
    sections = []
    for token in getattr(md, "toc_tokens", []):
        if token["level"] == 1:
            title = _unescape(token["name"])
            sections += [(f"{slug}--{c['id']}", _unescape(c["name"])) for c in token["children"] if c["level"] == 2]
        elif token["level"] == 2:
            sections.append((f"{slug}--{token['id']}", _unescape(token["name"])))
    return GuideChapter(slug=slug, title=title, html=body, sections=tuple(sections))


def _unescape(text: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _guide_links(slug: str, name: str, included: list[str]):
    """A Markdown extension that makes a page's ids and links work inside one PDF."""
    import posixpath
    from urllib.parse import urlsplit
    from xml.etree import ElementTree as ET

    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    page_dir = posixpath.dirname(name)

    class Rewrite(Treeprocessor):
        def run(self, root):
            for el in root.iter():
                if el.get("id"):
                    el.set("id", f"{slug}--{el.get('id')}")
            for parent in list(root.iter()):
                for i, el in enumerate(list(parent)):
                    if el.tag == "a" and el.get("href") is not None:
                        self._link(parent, i, el)
                    elif el.tag == "img":
                        self._image(parent, i, el)
            return None

        def _link(self, parent, index, el):
            href = el.get("href", "")
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto"):
                return
            if not parts.scheme and not parts.netloc:
                if not parts.path:  # "#anchor" on this page
                    el.set("href", f"#{slug}--{parts.fragment}" if parts.fragment else f"#{slug}")
                    return
                target = posixpath.normpath(posixpath.join(page_dir, parts.path))
                stem = target[:-3] if target.endswith(".md") else None
                if stem in included:
                    el.set("href", f"#{stem}--{parts.fragment}" if parts.fragment else f"#{stem}")
                    return
            # A page of the site that is not in this PDF, or an unusual scheme: keep the words only.
            el.tag = "span"
            el.attrib.pop("href", None)
            el.attrib.pop("title", None)

        def _image(self, parent, index, el):
            src = el.get("src", "")
            parts = urlsplit(src)
            if parts.scheme == "data":
                return
            if parts.scheme or parts.netloc or src.startswith("/"):
                # Remote images are never fetched into a PDF; show the description instead.
                alt = ET.Element("span", {"class": "missing-image"})
                alt.text = el.get("alt") or "(image)"
                alt.tail = el.tail
                parent.remove(el)
                parent.insert(index, alt)
                return
            el.set("src", f"{RESOURCE_SCHEME}content/{posixpath.normpath(posixpath.join(page_dir, parts.path))}")

    class Ext(Extension):
        def extendMarkdown(self, md):
            md.treeprocessors.register(Rewrite(md), "podkit-guide-links", 1)

    return Ext()


# --------------------------------------------------------------------------- resources (fetcher)


class ResourceRefused(PodkitError):
    """A print template or page asked for a resource podkit will not fetch."""


@dataclass(frozen=True)
class Resources:
    """What WeasyPrint may read: theme folders (in search order), content folder, allowed roots."""

    theme_dirs: tuple[Path, ...]
    content_dir: Path | None
    roots: tuple[Path, ...]

    @classmethod
    def for_context(cls, ctx: PrintContext) -> "Resources":
        # A theme folder is the parent of its print/ folder (``--theme DIR`` → DIR/print).
        roots = [p.resolve().parent for p in ctx.search_path]
        if ctx.project_root is not None:
            roots.insert(0, Path(ctx.project_root).resolve())
        return cls(tuple(p.resolve() for p in ctx.search_path), ctx.content_dir.resolve() if ctx.content_dir else None, tuple(roots))


def resolve_resource(url: str, resources: Resources) -> Path | None:
    """The file a URL may be served from, or ``None`` for inline ``data:`` URLs.

    Raises :class:`ResourceRefused` for anything else: the web (http, https, ftp …), files outside
    the project and the theme folders (symbolic links are followed before checking), and files
    that do not exist.
    """
    from urllib.parse import unquote, urlsplit
    from urllib.request import url2pathname

    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "data":
        return None
    if url.startswith(RESOURCE_SCHEME):
        rest = unquote(url[len(RESOURCE_SCHEME):].split("?", 1)[0].split("#", 1)[0])
        area, _, rel = rest.partition("/")
        if area == "theme":
            bases = list(resources.theme_dirs)
        elif area == "content" and resources.content_dir is not None:
            bases = [resources.content_dir]
        else:
            raise ResourceRefused(f"{url}: unknown resource area {area!r} (use podkit:theme/… or podkit:content/…)")
        if not rel or rel.startswith("/") or "\\" in rel:
            raise ResourceRefused(f"{url}: expected a relative file name after {RESOURCE_SCHEME}{area}/")
        for base in bases:
            candidate = (base / rel).resolve()
            if not candidate.is_relative_to(base):
                raise ResourceRefused(f"{url}: points outside the {area} folder; podkit only reads files inside it")
            if candidate.is_file():
                return candidate
        raise ResourceRefused(f"{url}: no such file in the {area} folder{'s' if len(bases) > 1 else ''}")
    if scheme == "file":
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"{url}: file URLs on other hosts are not allowed")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in resources.roots):
            raise ResourceRefused(f"{url}: outside the project and theme folders; podkit only reads files inside them")
        if not path.is_file():
            raise ResourceRefused(f"{url}: no such file")
        return path
    what = f"{scheme}: URLs" if scheme else "relative URLs without a base"
    raise ResourceRefused(f"{url}: {what} are not fetched; PDFs use only files from the project and the theme")


def make_url_fetcher(resources: Resources):
    """A WeasyPrint URL fetcher that serves only what :func:`resolve_resource` allows."""
    import mimetypes

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeFetcher(URLFetcher):
        def __init__(self):
            # Errors stop the render: a missing logo or a refused URL must not pass silently.
            super().__init__(allowed_protocols=("data",), fail_on_errors=True, allow_redirects=False)

        def fetch(self, url, headers=None):
            path = resolve_resource(url, resources)
            if path is None:
                return super().fetch(url, headers)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime})

    return SafeFetcher()


# --------------------------------------------------------------------------- write (PDF)


@dataclass(frozen=True)
class PdfResult:
    path: Path
    pages: int
    size: int
    warnings: tuple[str, ...] = ()


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        msg = record.getMessage()
        if msg not in self.messages:
            self.messages.append(msg)


def write_pdf(html: str, css: str, target: Path, *, resources: Resources, forms: bool = False, cache: dict | None = None) -> PdfResult:
    """Render print HTML to ``target`` (atomically).

    Documents with ``forms`` become plain fillable PDFs; all others are tagged PDF/UA-1.
    """
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    fetcher = make_url_fetcher(resources)
    handler = _Collect()
    wlog = logging.getLogger("weasyprint")
    wlog.addHandler(handler)
    # The same options go to layout and to PDF output: each step starts from WeasyPrint's defaults.
    options = {
        "stylesheets": [weasyprint.CSS(string=css, url_fetcher=fetcher)],
        "custom_metadata": True,
        "cache": cache if cache is not None else {},
    }
    if forms:
        options["pdf_forms"] = True
    else:
        options.update(pdf_variant="pdf/ua-1", pdf_tags=True)
    try:
        try:
            document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).render(**options)
            finisher = _finish_form if forms else _link_describer(html)
            data = document.write_pdf(finisher=finisher, **options)
        except (AssertionError, ValueError, KeyError, IndexError, TypeError) as exc:
            if forms:
                raise
            # WeasyPrint's PDF/UA support is experimental and has crashed on some tables; a PDF
            # without tags is far better than no toolkit at all, so retry plain and say so.
            handler.messages.append(f"PDF/UA-1 tagging failed ({type(exc).__name__}: {exc}); this PDF is not tagged")
            options.pop("pdf_variant")
            options["pdf_tags"] = False
            document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).render(**options)
            data = document.write_pdf(**options)
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        reason = str(cause) if isinstance(cause, PodkitError) else f"{type(cause).__name__}: {cause}"
        raise ResourceRefused(f"{target.name}: {reason}") from None
    finally:
        wlog.removeHandler(handler)
    atomic_write(target, data)
    return PdfResult(Path(target), len(document.pages), len(data), tuple(handler.messages))


def _link_describer(html: str):
    """A finisher that gives internal links the words they show, for screen readers.

    WeasyPrint describes a tagged link (``/Contents``) by its target, such as ``alignment--guide``;
    PDF/UA wants a description a person can understand.
    """
    from html.parser import HTMLParser

    import pydyf

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.labels: dict[str, str] = {}
            self._target: str | None = None
            self._text: list[str] = []

        def handle_starttag(self, tag, attrs):
            href = dict(attrs).get("href") or ""
            if tag == "a" and href.startswith("#"):
                self._target, self._text = href[1:], []

        def handle_endtag(self, tag):
            if tag == "a" and self._target is not None:
                text = " ".join("".join(self._text).split())
                if text:
                    self.labels.setdefault(self._target, text)
                self._target = None

        def handle_data(self, data):
            if self._target is not None:
                self._text.append(data)

    parser = Links()
    parser.feed(html)
    labels = parser.labels

    def finish(document, pdf) -> None:
        for obj in pdf.objects:
            if isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") == "/Link" and isinstance(obj.get("Dest"), pydyf.String):
                label = labels.get(str(obj["Dest"].string))
                if label:
                    obj["Contents"] = pydyf.String(f"Go to {label}")

    return finish


_READ_ONLY_SUFFIXES = ("__meta__assessment", "__meta__version", "__interval")


def _finish_form(document, pdf) -> None:
    """Tidy WeasyPrint's form fields so that viewers and readers agree on them.

    WeasyPrint names every radio button widget like its group; a named kid is a field of its own
    to PDF viewers (PyMuPDF then sets the kid, not the group) and readers list dotted
    pseudo-fields. Kids of a group must be bare widgets. Prefilled identity fields become
    read-only so the reader can trust them.
    """
    import pydyf

    def deref(value):
        if isinstance(value, bytes) and value.endswith(b" R"):
            return pdf.objects[int(value.split()[0])]
        return value

    # Form fillers that write their own appearance streams (PyMuPDF, some viewers) use the
    # standard /Helv font; declare it so that every reader can draw what they wrote.
    resources = deref(pdf.catalog["AcroForm"]["DR"]) if "AcroForm" in pdf.catalog else None
    fonts = deref(resources.get("Font")) if isinstance(resources, pydyf.Dictionary) else None
    if isinstance(fonts, pydyf.Dictionary) and "Helv" not in fonts:
        helv = pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/Helvetica", "Encoding": "/WinAnsiEncoding"})
        pdf.add_object(helv)
        fonts["Helv"] = helv.reference

    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or obj.get("Subtype") != "/Widget":
            continue
        if "Parent" in obj:
            obj.pop("T", None)
            continue
        name = obj.get("T")
        if isinstance(name, pydyf.String) and str(name.string).endswith(_READ_ONLY_SUFFIXES):
            obj["Ff"] = int(obj.get("Ff", 0)) | 1


# --------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class PrintJob:
    """One PDF to render: the HTML and CSS are ready, only WeasyPrint remains."""

    name: str  # file name, e.g. "alignment-toolkit-a4.pdf"
    kind: str
    paper: str
    title: str
    assessment: str | None
    html: str
    css: str
    forms: bool = False

    @property
    def weight(self) -> int:
        """A guess at the rendering time, to start the longest jobs first.

        Measured: tagged toolkits and the complete kit take about twice as long per character of
        HTML as the fillable sheets (mostly form fields) and the HR guide (mostly prose).
        """
        return len(self.html) * (1 if self.forms or self.kind == "hr-guide" else 2)


def file_name(kind: str, paper: str, assessment_id: str | None = None) -> str:
    """The predictable name of a PDF: ``<id>-toolkit-a4.pdf``, ``podkit-hr-guide-letter.pdf`` …"""
    if kind == "toolkit":
        return f"{assessment_id}-toolkit-{paper}.pdf"
    if kind == "sheet":
        return f"{assessment_id}-sheet-fillable-{paper}.pdf"
    if kind in ("complete-kit", "hr-guide"):
        return f"podkit-{kind}-{paper}.pdf"
    raise ValueError(f"unknown kind {kind!r}")


def paper_choices(value: str) -> list[str]:
    """``a4``, ``letter`` or ``both`` → the paper sizes to render."""
    value = value.lower()
    if value == "both":
        return list(PAPERS)
    if value not in PAPERS:
        raise PodkitError(f"unknown paper size {value!r}; use a4, letter or both")
    return [value]


def plan_jobs(ctx: PrintContext, kit: Kit, papers: list[str], *, kinds: Iterable[str] = KINDS, only: Iterable[str] | None = None) -> list[PrintJob]:
    """Render every print HTML (cheap) and return the PDF jobs (expensive) in a stable order."""
    kinds = list(kinds)
    wanted = set(only) if only else None
    assessments = [a for a in kit.assessments if wanted is None or a.id in wanted]
    if wanted:
        unknown = sorted(wanted - {a.id for a in kit.assessments})
        if unknown:
            known = ", ".join(a.id for a in kit.assessments)
            raise PodkitError(f"unknown assessment {unknown[0]!r}; the kit has: {known}")
    jobs: list[PrintJob] = []
    css = {(p, k): render_css(ctx, p, k) for p in papers for k in KINDS}
    for a in assessments:
        if "toolkit" in kinds:
            html = render_toolkit_html(ctx, a)
            for p in papers:
                jobs.append(PrintJob(file_name("toolkit", p, a.id), "toolkit", p, f"{plain(a.title)}: toolkit", a.id, html, css[p, "toolkit"]))
        if "sheet" in kinds:
            html = render_sheet_html(ctx, a)
            for p in papers:
                jobs.append(PrintJob(file_name("sheet", p, a.id), "sheet", p, f"{plain(a.title)}: fillable observation sheet", a.id, html, css[p, "sheet"], forms=True))
    if "complete-kit" in kinds and not wanted:
        html = render_complete_kit_html(ctx, kit.assessments)
        for p in papers:
            jobs.append(PrintJob(file_name("complete-kit", p), "complete-kit", p, "Complete kit: every assessment", None, html, css[p, "complete-kit"]))
    if "hr-guide" in kinds and not wanted:
        chapters = load_guide_chapters(ctx)
        if chapters:
            html = render_hr_guide_html(ctx, chapters)
            for p in papers:
                jobs.append(PrintJob(file_name("hr-guide", p), "hr-guide", p, "Guide for HR teams", None, html, css[p, "hr-guide"]))
        else:
            console.warn(f"warning: no HR guide: none of {', '.join(HR_GUIDE_PAGES)} is in {ctx.content_dir}")
    return jobs


# Per-process WeasyPrint cache (images, fonts' metrics) shared by the renders of one worker.
_WORKER_CACHE: dict = {}


def _init_worker() -> None:
    """Import WeasyPrint once per worker process, before its first job, and keep what the
    imports built out of later garbage collections (it lives as long as the worker)."""
    import gc

    import weasyprint  # noqa: F401

    gc.freeze()


def _run_job(job: PrintJob, out_dir: Path, resources: Resources) -> tuple[str, object]:
    """Render one job; return ``("ok", PdfResult)`` or ``("error", message)`` (picklable)."""
    import gc

    # WeasyPrint's layout keeps a large graph of boxes alive while it works, and the cyclic
    # collector walked it again and again: pausing it for the render makes a toolkit 20% and the
    # complete kit 30% faster, for a few MB more. Everything the render made is in the youngest
    # generation then, so collecting that one frees its garbage without walking the whole heap.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        result = write_pdf(job.html, job.css, out_dir / job.name, resources=resources, forms=job.forms, cache=_WORKER_CACHE)
    except PodkitError as exc:
        return "error", exc.format_message()
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(0)
    return "ok", result


def render_jobs(jobs: list[PrintJob], out_dir: Path, resources: Resources, *, workers: int = 1) -> list[PdfResult]:
    """Render the jobs into ``out_dir`` with a pool of ``workers`` processes; report progress."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ordered = sorted(jobs, key=lambda j: -j.weight)  # longest first keeps the pool busy to the end
    total = len(ordered)
    results: dict[str, PdfResult] = {}
    errors: list[str] = []
    warned: set[str] = set()
    start = time.monotonic()

    def done(job: PrintJob, status: str, payload) -> None:
        if status == "error":
            errors.append(str(payload))
            return
        results[job.name] = payload
        for w in payload.warnings:
            if w not in warned:
                warned.add(w)
                console.warn(f"warning: {job.name}: WeasyPrint: {w}")
        console.progress(len(results) + len(errors), total, f"{job.name} ({payload.pages} pages, {payload.size // 1024} KB)")

    if workers <= 1 or total <= 1:
        for job in ordered:
            status, payload = _run_job(job, out_dir, resources)
            done(job, status, payload)
    else:
        import concurrent.futures as cf
        import multiprocessing

        # "spawn": a fresh interpreter per worker, safe whatever threads the parent runs.
        with cf.ProcessPoolExecutor(max_workers=min(workers, total), mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker) as pool:
            futures = {pool.submit(_run_job, job, out_dir, resources): job for job in ordered}
            try:
                for fut in cf.as_completed(futures):
                    status, payload = fut.result()
                    done(futures[fut], status, payload)
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    if errors:
        raise PodkitError("cannot render PDFs:\n" + "\n".join(f"  {e}" for e in errors))
    console.info(f"Rendered {total} PDF{'s' if total != 1 else ''} in {time.monotonic() - start:.1f} s")
    return [results[j.name] for j in jobs]


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def write_pdfs(kit: Kit, out_dir: Path, *, papers: list[str] | None = None, theme: Path | None = None,
               workers: int | None = None, only: Iterable[str] | None = None, kinds: Iterable[str] = KINDS,
               ctx: PrintContext | None = None, cache: bool = True, used: set[str] | None = None) -> list[Download]:
    """Render the kit's PDFs into ``out_dir``; return them as site downloads.

    With ``cache`` a PDF whose inputs are unchanged is copied from ``.podkit/cache/pdf`` instead
    of rendered again (its key: :func:`pdf_key`); ``used`` collects the keys this call needed.
    """
    from . import cache as cache_mod

    papers = papers or list(PAPERS)
    ctx = ctx or make_context(kit.project, theme)
    jobs = plan_jobs(ctx, kit, papers, kinds=kinds, only=only)
    resources = Resources.for_context(ctx)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    store = cache_mod.FileCache(kit.project.work_dir / "cache" / "pdf", ".pdf") if cache_mod.enabled(cache) else None
    keys: dict[str, str | None] = {}
    results: dict[str, PdfResult] = {}
    if store is not None:
        env = _cache_environment()
        for job in jobs:
            keys[job.name] = key = pdf_key(job, resources, env)
            hit = store.get(key) if key else None
            if hit is not None:
                path, info = hit
                cache_mod.copy_atomic(path, out_dir / job.name)
                results[job.name] = PdfResult(out_dir / job.name, info["pages"], info["size"], tuple(info.get("warnings", ())))
        if used is not None:
            used.update(k for k in keys.values() if k)
    todo = [job for job in jobs if job.name not in results]
    if results:
        console.info(f"{len(results)} of {len(jobs)} PDFs unchanged since the last build (from {kit.project.work_dir.name}/cache)")
        warned: set[str] = set()
        for name, res in results.items():
            for w in res.warnings:
                if w not in warned:
                    warned.add(w)
                    console.warn(f"warning: {name}: WeasyPrint: {w}")
    if todo:
        console.info(f"Rendering {len(todo)} PDFs ({', '.join(PAPERS[p][1] for p in papers)}) …")
        for job, res in zip(todo, render_jobs(todo, out_dir, resources, workers=workers or default_workers())):
            results[job.name] = res
            if store is not None and keys.get(job.name):
                store.put(keys[job.name], res.path, {"pages": res.pages, "warnings": list(res.warnings)})
    downloads = []
    for job in jobs:
        res = results[job.name]
        downloads.append(Download(
            path=f"downloads/{job.name}", title=job.title, kind=job.kind, paper=PAPERS[job.paper][1],
            assessment=job.assessment, pages=res.pages, size=res.size,
        ))
    return downloads


#: Resources a print document may fetch: the files behind these URLs are part of its cache key.
_RESOURCE_URL = re.compile(r"""(?:podkit:(?:theme|content)/|file:)[^"'()\s<>]+""")


def _cache_environment() -> str:
    """What shapes every PDF besides its HTML and CSS: the renderer's code and versions, and
    the installed fonts (by the times of the font folders and of the system font cache, which
    fc-cache updates when font packages come or go)."""
    import sys

    from . import cache as cache_mod

    h = cache_mod.Hasher(__version__, cache_mod.source_of(sys.modules[__name__]))  # the options and finishers
    h.text(cache_mod.versions("weasyprint", "pydyf", "tinycss2", "tinyhtml5", "cssselect2", "fonttools", "pyphen"))
    home = Path.home()
    for folder in ("/etc/fonts", "/usr/share/fonts", "/usr/local/share/fonts", "/var/cache/fontconfig",
                   home / ".fonts", home / ".local/share/fonts"):
        try:
            h.text(f"{folder} {os.stat(folder).st_mtime_ns}")
        except OSError:
            h.text(f"{folder} -")
    return h.hexdigest()


def pdf_key(job: PrintJob, resources: Resources, environment: str) -> str | None:
    """The cache key of one PDF: its HTML, CSS and options, every file it fetches, and the
    renderer (``environment``). ``None`` when a resource cannot be resolved: the job is then
    rendered, and fails with the proper message."""
    import html as html_mod

    from .cache import Hasher

    h = Hasher(environment, job.name, job.forms, job.html, job.css)
    for url in sorted(set(_RESOURCE_URL.findall(job.html)) | set(_RESOURCE_URL.findall(job.css))):
        try:
            path = resolve_resource(html_mod.unescape(url), resources)
        except PodkitError:
            return None
        h.text(url)
        if path is not None:
            h.file(path)
    return h.hexdigest()


def pdf_site_extras(kit: Kit, *, papers: list[str] | None = None, theme: Path | None = None, workers: int | None = None, cache: bool = True) -> SiteExtras:
    """Render every PDF into the project's scratch folder and offer them as site downloads.

    PDFs whose inputs did not change come from the cache; entries this build did not use are
    removed from it.
    """
    from . import cache as cache_mod

    out_dir = kit.project.work_dir / "pdf"
    used: set[str] = set()
    downloads = write_pdfs(kit, out_dir, papers=papers, theme=theme, workers=workers, cache=cache, used=used)
    if cache_mod.enabled(cache):
        cache_mod.FileCache(kit.project.work_dir / "cache" / "pdf", ".pdf").prune(used)
    keep = {Path(d.path).name for d in downloads}
    for stale in out_dir.glob("*.pdf"):
        if stale.name not in keep:
            stale.unlink()
    files = {d.path: out_dir / Path(d.path).name for d in downloads}
    return SiteExtras(files=files, downloads=downloads)
