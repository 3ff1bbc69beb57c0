"""WeasyPrint, and only WeasyPrint: the restricted URL fetcher, writing one PDF, the finishers
that tidy forms and links, the process pool that renders many PDFs, and their cache keys.

Print HTML and CSS come ready-made from :mod:`podkit.printing` (toolkits, sheets, kit, HR guide)
and :mod:`podkit.report` (PDF reports); nothing here knows about assessments.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__, fields
from .console import console
from .errors import PodkitError
from .outputs import atomic_write

#: URL scheme for the theme's and the content's own files inside print HTML.
RESOURCE_SCHEME = "podkit:"


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
    def for_folders(cls, search_path, content_dir: Path | None, project_root: Path | None) -> "Resources":
        """What the print templates on ``search_path`` may fetch."""
        # A theme folder is the parent of its print/ folder (``--theme DIR`` → DIR/print).
        roots = [Path(p).resolve().parent for p in search_path]
        if project_root is not None:
            roots.insert(0, Path(project_root).resolve())
        return cls(tuple(Path(p).resolve() for p in search_path), Path(content_dir).resolve() if content_dir else None, tuple(roots))

    @classmethod
    def nothing(cls) -> "Resources":
        """No file at all: only ``data:`` URIs (reports never fetch anything)."""
        return cls(theme_dirs=(), content_dir=None, roots=())


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
        if isinstance(name, pydyf.String) and fields.is_read_only(str(name.string)):
            obj["Ff"] = int(obj.get("Ff", 0)) | 1


# --------------------------------------------------------------------------- the pool


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


def _init_worker() -> None:
    """Import WeasyPrint once per worker process, before its first job, and keep what the
    imports built out of later garbage collections (it lives as long as the worker).

    Workers ignore Ctrl-C (the parent stops them, see :mod:`podkit.interrupts`)."""
    import gc

    from .interrupts import exit_when_terminated, worker_signals

    worker_signals()
    with exit_when_terminated():
        import weasyprint  # noqa: F401

    gc.freeze()


def _run_job(job: PrintJob, out_dir: Path, resources: Resources) -> tuple[str, object]:
    """Render one job; return ``("ok", PdfResult)`` or ``("error", message)`` (picklable)."""
    import gc

    from .interrupts import exit_when_terminated

    # WeasyPrint's layout keeps a large graph of boxes alive while it works, and the cyclic
    # collector walked it again and again: pausing it for the render makes a toolkit 20% and the
    # complete kit 30% faster, for a few MB more. Everything the render made is in the youngest
    # generation then, so collecting that one frees its garbage without walking the whole heap.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with exit_when_terminated():  # a stopped pool: the writer removes its temporary file, then the worker ends
            result = write_pdf(job.html, job.css, out_dir / job.name, resources=resources, forms=job.forms)
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

        from .interrupts import sigint_held, stop_pool

        # "spawn": a fresh interpreter per worker, safe whatever threads the parent runs. No
        # ``with`` block: its shutdown(wait=True) would wait forever on workers an interrupt killed.
        pool = cf.ProcessPoolExecutor(max_workers=min(workers, total), mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker)
        try:
            with sigint_held():  # submit starts the workers: they begin with Ctrl-C held back
                futures = {pool.submit(_run_job, job, out_dir, resources): job for job in ordered}
            for fut in cf.as_completed(futures):
                status, payload = fut.result()
                done(futures[fut], status, payload)
        except BaseException:
            stop_pool(pool)  # Ctrl-C or a broken worker: cancel, terminate, join nothing blocking
            raise
        pool.shutdown(wait=True)
    if errors:
        raise PodkitError("cannot render PDFs:\n" + "\n".join(f"  {e}" for e in errors))
    console.info(f"Rendered {total} PDF{'s' if total != 1 else ''} in {time.monotonic() - start:.1f} s")
    return [results[j.name] for j in jobs]


#: Resources a print document may fetch: the files behind these URLs are part of its cache key.
RESOURCE_URL = re.compile(r"""(?:podkit:(?:theme|content)/|file:)[^"'()\s<>]+""")


def cache_environment() -> str:
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
    for url in sorted(set(RESOURCE_URL.findall(job.html)) | set(RESOURCE_URL.findall(job.css))):
        try:
            path = resolve_resource(html_mod.unescape(url), resources)
        except PodkitError:
            return None
        h.text(url)
        if path is not None:
            h.file(path)
    return h.hexdigest()


def report_pdf(html: str, *, attachment: str, attachment_name: str, stamp) -> bytes:
    """A PDF/A-3b report with ``attachment`` (the report's JSON) attached under ``attachment_name``."""
    from weasyprint import HTML, Attachment

    attached = Attachment(string=attachment, name=attachment_name, description="The report as JSON (podkit schema)", created=stamp, modified=stamp, relationship="Data")
    return HTML(string=html, url_fetcher=make_url_fetcher(Resources.nothing()), base_url=None).write_pdf(pdf_variant="pdf/a-3b", attachments=[attached], uncompressed_pdf=False)


def read_attachment(pdf_path: Path) -> dict:
    """Read the report JSON back from a PDF report (for checks and round trips)."""
    import json

    from pypdf import PdfReader

    reader = PdfReader(str(pdf_path))
    for name, contents in reader.attachments.items():
        if name in ("report.json", "portfolio.json"):
            return json.loads(contents[0])
    raise KeyError("no report.json attached")
