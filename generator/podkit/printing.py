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
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Iterable

from pydantic import AfterValidator, Field, StringConstraints

from . import __version__, bibliography, fields
from .console import console
from .errors import PodkitError, Problem, SourceErrors
from .kit import Kit, Project
from .model import Assessment, CodesItem, Strict
from .pdf import RESOURCE_SCHEME, PdfResult, PrintJob, Resources, cache_environment, pdf_key, render_jobs
from .outputs import copy_file
from .sources import load_yaml, read_text
from .templates import theme_search_path
from .text import html_inline, plain
from .wording import rubric_globals
from .workers import cores

#: Paper sizes: the option value, the CSS ``@page`` size and the label shown to readers.
PAPERS: dict[str, tuple[str, str]] = {"a4": ("A4", "A4"), "letter": ("letter", "US Letter")}

#: Document kinds and their titles on the site.
KINDS = ("toolkit", "sheet", "complete-kit", "hr-guide")

#: Content pages the HR guide is made of, in order (missing ones are left out).
HR_GUIDE_PAGES = (
    "concepts.md",
    "hr-teams.md",
    "responsible-observation.md",
    "hr-templates/legitimate-interests-assessment.md",
    "hr-templates/privacy-notice.md",
    "hr-templates/dpia.md",
    "hr-templates/observation-charter.md",
    "hr-templates/opt-out.md",
    "faq.md",
    "references.md",
)



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

    def resources(self) -> Resources:
        """What the print templates may fetch: their theme folders and the content pages."""
        return Resources.for_folders(self.search_path, self.content_dir, self.project_root)


def make_context(project: Project, theme: Path | None = None, *, date: _dt.datetime | None = None) -> PrintContext:
    """Build the print context for a project (templates, branding, date)."""
    search = theme_search_path(project.root, "print", theme)
    env = _environment(search)
    env.globals["bibliography"] = bibliography.project_entries(project)
    return PrintContext(
        env=env,
        theme=load_print_theme(project, theme),
        date=date or project.source_date(),
        search_path=tuple(search),
        content_dir=project.content_dir,
        project_root=project.root,
    )


def _environment(search: list[Path]):
    from .templates import environment

    env = environment(search, autoescape=True)
    env.filters["inline"] = html_inline
    env.filters["plain"] = plain
    env.globals.update(rubric_globals())
    env.globals.update(
        intervals=intervals,
        field=fields.field_name,
        interval_field=fields.interval_field,
        NOT_OBSERVED=fields.NOT_OBSERVED,
        fmt=lambda v: f"{v:g}",
        podkit_version=__version__,
    )
    return env


def intervals(item: CodesItem, duration_minutes: int) -> list[tuple[int, int, int]]:
    """The rows of a time-sample grid: ``(number, start minute, end minute)``."""
    step = item.interval_minutes
    n = max(1, math.ceil(duration_minutes / step))
    return [(i + 1, i * step, min((i + 1) * step, duration_minutes)) for i in range(n)]


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

    slug = _anchor(name[:-3] if name.endswith(".md") else name)
    md = markdown.Markdown(
        extensions=["abbr", "admonition", "attr_list", "def_list", "footnotes", "tables", "toc", "sane_lists", "fenced_code",
                    _guide_links(slug, name, [p[:-3] if p.endswith(".md") else p for p in included])],
        extension_configs={"toc": {"permalink": False}, "footnotes": {"UNIQUE_IDS": True}},
        output_format="html",
    )
    body = md.convert(text.rstrip() + "\n\n" + abbreviations)
    title = Path(name).stem.replace("-", " ").title()
    sections = []
    for token in getattr(md, "toc_tokens", []):
        if token["level"] == 1:
            title = _unescape(token["name"])
            sections += [(f"{slug}--{c['id']}", _unescape(c["name"])) for c in token["children"] if c["level"] == 2]
        elif token["level"] == 2:
            sections.append((f"{slug}--{token['id']}", _unescape(token["name"])))
    return GuideChapter(slug=slug, title=title, html=body, sections=tuple(sections))


def _anchor(page: str) -> str:
    """The id prefix of a page in the guide: its path without ``.md``, ``/`` written ``--``."""
    return page.replace("/", "--")


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
                    el.set("href", f"#{_anchor(stem)}--{parts.fragment}" if parts.fragment else f"#{_anchor(stem)}")
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


# --------------------------------------------------------------------------- jobs


@dataclass
class Download:
    """One PDF offered on the site (a toolkit, a sheet, the complete kit, the HR guide)."""

    path: str  # relative to the site root, e.g. "downloads/alignment-toolkit-a4.pdf"
    title: str
    kind: str  # "toolkit", "sheet", "complete-kit", "hr-guide"
    paper: str | None = None
    assessment: str | None = None
    pages: int | None = None
    size: int | None = None
    #: first and last page of the observation sheet inside a toolkit (from the PDF's bookmarks)
    sheet_pages: tuple[int, int] | None = None
    #: not rendered yet (the live preview renders it in the background); no file to link to
    pending: bool = False


#: The bookmark (the ``<h2>`` of the observation sheet section in a toolkit) whose pages
#: :func:`sheet_page_range` finds.
SHEET_BOOKMARK = "Observation sheet"


def sheet_page_range(path: Path) -> tuple[int, int] | None:
    """First and last page (from 1) of the observation sheet inside a toolkit PDF: from its
    top-level bookmark to the page before the next top-level bookmark (or the last page)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(path)
        starts = []
        for entry in reader.outline:
            if isinstance(entry, list):
                continue
            starts.append((str(entry.title), reader.get_destination_page_number(entry) + 1))
        total = len(reader.pages)
    except Exception:  # an unreadable PDF has no range to show; the download itself still works
        return None
    for i, (title, first) in enumerate(starts):
        if title == SHEET_BOOKMARK:
            later = [page for _, page in starts[i + 1:] if page > first]
            return first, (later[0] - 1 if later else total)
    return None


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


def write_pdfs(kit: Kit, out_dir: Path, *, papers: list[str] | None = None, theme: Path | None = None,
               workers: int | None = None, only: Iterable[str] | None = None, kinds: Iterable[str] = KINDS,
               ctx: PrintContext | None = None, cache: bool = True, used: set[str] | None = None, render: bool = True) -> list[Download]:
    """Render the kit's PDFs into ``out_dir``; return them as downloads (for the site's pages).

    With ``cache`` a PDF whose inputs are unchanged is copied from ``.podkit/cache/pdf`` instead
    of rendered again (its key: :func:`pdf_key`); ``used`` collects the keys this call needed.
    With ``render`` off, only the cached PDFs are copied; the others come back ``pending``.
    """
    from . import cache as cache_mod

    papers = papers or list(PAPERS)
    ctx = ctx or make_context(kit.project, theme)
    jobs = plan_jobs(ctx, kit, papers, kinds=kinds, only=only)
    resources = ctx.resources()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    store = cache_mod.FileCache(kit.project.work_dir / "cache" / "pdf", ".pdf") if cache_mod.enabled(cache) else None
    keys: dict[str, str | None] = {}
    results: dict[str, PdfResult] = {}
    if store is not None:
        env = cache_environment()
        for job in jobs:
            keys[job.name] = key = pdf_key(job, resources, env)
            hit = store.get(key) if key else None
            if hit is not None:
                path, info = hit
                copy_file(path, out_dir / job.name)
                results[job.name] = PdfResult(out_dir / job.name, info["pages"], info["size"], tuple(info.get("warnings", ())))
        if used is not None:
            used.update(k for k in keys.values() if k)
    todo = [job for job in jobs if job.name not in results]
    if not render:
        return _downloads(jobs, results, out_dir)
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
        for job, res in zip(todo, render_jobs(todo, out_dir, resources, workers=workers or cores())):
            results[job.name] = res
            if store is not None and keys.get(job.name):
                store.put(keys[job.name], res.path, {"pages": res.pages, "warnings": list(res.warnings)})
    return _downloads(jobs, results, out_dir)


def _downloads(jobs: list[PrintJob], results: dict, out_dir: Path) -> list[Download]:
    """The downloads of ``jobs``: rendered ones with pages, size and (toolkits) the sheet's page
    range; the others marked pending."""
    downloads = []
    for job in jobs:
        res = results.get(job.name)
        common = dict(path=f"downloads/{job.name}", title=job.title, kind=job.kind, paper=PAPERS[job.paper][1], assessment=job.assessment)
        if res is None:
            downloads.append(Download(**common, pending=True))
            continue
        sheet = sheet_page_range(out_dir / job.name) if job.kind == "toolkit" else None
        downloads.append(Download(**common, pages=res.pages, size=res.size, sheet_pages=sheet))
    return downloads
