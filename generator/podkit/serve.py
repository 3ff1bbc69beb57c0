"""Live preview: rebuild on every change to the kit's sources and reload the browser."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import click

from .errors import PodkitError
from .kit import Project


def serve(project: Project, *, host: str, port: int, theme: Path | None = None, engine: str = "mkdocs") -> None:
    """Serve a preview of the site; a broken edit shows its error and keeps the last good build."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.livereload import LiveReloadServer

    from .kit import load_kit
    from .site import build_site

    site_dir = Path(tempfile.mkdtemp(prefix="podkit-serve-"))

    def rebuild() -> None:
        try:
            kit = load_kit(project)
            build_site(kit, site_dir=site_dir, theme=theme, strict=False, engine=engine)
            click.echo("Rebuilt the site.", err=True)
        except PodkitError as exc:  # keep serving the last good build
            exc.show()

    rebuild()
    server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(site_dir))
    for folder in (project.content_dir, project.assessments_dir, project.themes_dir, project.mkdocs_yml, theme):
        if folder is not None and Path(folder).exists():
            server.watch(str(folder))
    try:
        click.echo(f"Serving on http://{host}:{port}/ (Ctrl+C to stop)", err=True)
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
