"""``podkit serve``: the live preview of the site ``podkit build`` makes.

Each rebuild runs the same build as :func:`podkit.pipeline.build` (pages, sample reports, recorder
pages, downloads); what the preview keeps between rebuilds is keyed by a digest of its inputs, so
an edit is never hidden by a stale copy: the sample reports and the recorder pages
(:class:`podkit.cache.LastResult`), the Markdown safety check of pages whose text did not change,
and compiled templates. PDFs render in the background and the Toolkits page says so meanwhile.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from .console import console
from .errors import PodkitError
from .kit import Kit, Project, load_kit
from .pipeline import SAMPLE_INPUTS, pdf_downloads, sample_reports


def serve(project: Project, *, host: str, port: int, theme: Path | None = None, pdf: bool = True, engine: str = "mkdocs") -> None:
    """Serve a preview of the site ``podkit build`` makes: the same pages, sample reports and PDF
    downloads. PDFs come from the cache when their inputs are unchanged; the others are rendered
    in the background (the Toolkits page says so meanwhile) and the site is rebuilt when they are
    ready. A broken edit shows its error and keeps the last good build."""
    import os
    import shutil
    import signal
    import tempfile
    import threading

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.livereload import LiveReloadServer

    from .cache import LastResult
    from .recorder import recorder_pages
    from .site import SiteExtras, build_site
    from .templates import CompiledTemplates

    site_dir = Path(tempfile.mkdtemp(prefix="podkit-serve-"))
    signal_dir = Path(tempfile.mkdtemp(prefix="podkit-serve-pdfs-"))  # touched when PDFs are ready
    rendering = threading.Lock()
    state = {"stop": False, "checked": {}, "compiled": CompiledTemplates()}  # checked, compiled: kept between rebuilds

    def render_pdfs_in_background(kit: Kit, pending: frozenset) -> None:
        if pending == state.get("rendered_for") or not rendering.acquire(blocking=False):
            # one run at a time, and none again for PDFs a run has just made (with the cache
            # off they can never come from it); the next rebuild starts one if still needed
            return
        state["rendered_for"] = pending

        def run() -> None:
            try:
                state["pdfs"] = pdf_downloads(kit, theme=theme)
            except PodkitError as exc:
                exc.show()
            except Exception as exc:  # the preview keeps serving without the PDFs
                console.warn(f"warning: rendering the PDFs for the preview failed: {type(exc).__name__}: {exc}")
            finally:
                rendering.release()
            if not state["stop"]:
                (signal_dir / "ready").write_text(_dt.datetime.now().isoformat(), encoding="utf-8")

        threading.Thread(target=run, name="podkit-serve-pdfs", daemon=True).start()

    samples, recorder = LastResult(), LastResult()

    def rebuild() -> None:
        try:
            kit = load_kit(project)
            # the sample reports and recorder pages are made again only when their inputs changed
            # (an edited content page or site template changes neither)
            extras = SiteExtras(pages=dict(samples.get(_sample_reports_key(kit, theme), lambda: sample_reports(kit, theme=theme, compiled=state["compiled"]).pages)))
            extras.pages.update(recorder.get(_recorder_key(kit, theme), lambda: recorder_pages(kit, theme=theme, compiled=state["compiled"])))
            if pdf:
                pdfs = _cached_pdf_downloads(kit, theme=theme)
                pending = frozenset(d.path for d in pdfs.downloads if d.pending)
                last = state.get("pdfs")
                if pending and pending == state.get("rendered_for") and last is not None and not rendering.locked():
                    pdfs, pending = last, frozenset()  # rendered, but not kept in a cache
                if pending:
                    console.info(f"{len(pending)} PDFs are being rendered in the background")
                    render_pdfs_in_background(kit, pending)
                extras.files.update(pdfs.files)
                extras.downloads.extend(pdfs.downloads)
            build_site(kit, site_dir=site_dir, theme=theme, extras=extras, strict=False, cache=False, engine=engine, checked=state["checked"], compiled=state["compiled"])
            console.info("Rebuilt the site.")
        except PodkitError as exc:  # keep serving the last good build
            exc.show()

    def stop(signum, frame):  # a service manager's (or a test's) SIGTERM ends it like Ctrl+C
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    rebuild()
    # a short polling interval: an edit is seen within a tenth of a second (the kit is a few
    # dozen files, so each look costs little)
    server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(site_dir), polling_interval=SERVE_POLL_SECONDS)
    for folder in (project.content_dir, project.assessments_dir, project.themes_dir, project.mkdocs_yml, theme, project.root / "examples", signal_dir):
        if folder is not None and Path(folder).exists():
            server.watch(str(folder))
    try:
        console.info(f"Serving on http://{host}:{port}/ (Ctrl+C to stop)")
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        state["stop"] = True
        server.shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
        shutil.rmtree(signal_dir, ignore_errors=True)


#: How often ``podkit serve`` looks for edited files.
SERVE_POLL_SECONDS = 0.1


def _kit_digest(kit: Kit, theme: Path | None, kind: str):
    """A :class:`~podkit.cache.Hasher` over the validated assessments (so a comment or a layout
    change in their files does not count) and the template folders of ``kind`` (the theme's
    first)."""
    from .cache import Hasher
    from .templates import theme_search_path

    h = Hasher(kind)
    for a in kit.assessments:
        h.text(a.model_dump_json())
    for folder in theme_search_path(kit.project.root, kind, theme):
        h.text(folder).tree(folder)
    return h


def _sample_reports_key(kit: Kit, theme: Path | None) -> str:
    """Everything :func:`sample_reports` reads: the assessments, the report templates, the
    sample observations, whether the kit has a scoring page, its navigation (for a kit without
    samples) and today's date (a sample dated in the future is refused)."""
    p = kit.project
    h = _kit_digest(kit, theme, "report")
    for rel in SAMPLE_INPUTS:
        h.tree(p.root / rel)
    h.text(f"scoring page: {(p.content_dir / 'scoring.md').is_file()}").file(p.mkdocs_yml).text(_dt.date.today().isoformat())
    return h.hexdigest()


def _recorder_key(kit: Kit, theme: Path | None) -> str:
    """Everything the recorder pages are made from: the assessments and the recorder templates
    and assets."""
    return _kit_digest(kit, theme, "recorder").hexdigest()


def _cached_pdf_downloads(kit: Kit, *, theme: Path | None = None):
    """The PDF downloads the cache already holds (copied into the work folder), and the others
    marked pending; nothing is rendered."""
    from .printing import write_pdfs
    from .site import SiteExtras

    out_dir = kit.project.work_dir / "pdf"
    downloads = write_pdfs(kit, out_dir, theme=theme, cache=True, render=False)
    return SiteExtras(files={d.path: out_dir / Path(d.path).name for d in downloads if not d.pending}, downloads=downloads)
