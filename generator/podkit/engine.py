"""Site engines: turn the staged Markdown pages into a site, with MkDocs or with Zensical.

Everything that depends on the engine lives here; the rest of podkit stages real Markdown files
(``.podkit/stage``) and calls :func:`build`.

- ``mkdocs`` (the default) runs MkDocs 1.x with Material in-process, as podkit always has.
- ``zensical`` runs Zensical (by Material's authors, its successor) as a subprocess on the same
  staged pages and the project's mkdocs.yml. Zensical reads a configuration file, so podkit
  writes one into ``.podkit/zensical.yml`` (mkdocs.yml with the generated sections of the nav
  expanded, exactly as for MkDocs, and its paths made absolute), and has Zensical write the site
  into ``.podkit/zensical-site`` (Zensical keeps its docs and site folders below the
  configuration file's folder), then moves the site where it was asked for.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import PodkitError
from .kit import Project
from .markdown_guard import check_pages
from .templates import theme_search_path

#: The site engines ``podkit build --engine`` accepts; the first is the default.
ENGINES = ("mkdocs", "zensical")

#: Installed distributions that decide each engine's output (part of the site cache key).
ENGINE_PACKAGES = {
    "mkdocs": ("mkdocs", "mkdocs-material", "pymdown-extensions", "markdown", "pygments", "jinja2"),
    "zensical": ("zensical", "pymdown-extensions", "markdown", "pygments", "jinja2"),
}

#: Sections of the site whose pages are generated; a nav entry ``Title: <section>/index.md`` in
#: mkdocs.yml is expanded into the section's pages.
GENERATED_SECTIONS = ("assessments", "reports")

#: The configuration written for Zensical and the folder it builds into, in ``.podkit/``.
ZENSICAL_CONFIG = "zensical.yml"
ZENSICAL_SITE = "zensical-site"


def check(engine: str, *, offline: bool = False) -> None:
    """Refuse an unknown engine, or a combination that engine cannot build, in one line."""
    if engine not in ENGINES:
        raise PodkitError(f"unknown site engine {engine!r}; expected one of: {', '.join(ENGINES)}")
    if engine == "zensical" and offline:
        raise PodkitError("--offline works only with --engine mkdocs: podkit's offline copy is built by Material for MkDocs' offline plugin")
    if engine == "zensical" and zensical_version() is None:
        raise PodkitError("--engine zensical needs Zensical: pip install 'podkit[zensical]'")


def build(engine: str, project: Project, stage: Path, site_dir: Path, *, strict: bool = True, offline: bool = False, checked: dict | None = None, compiled=None) -> None:
    """Build the staged pages in ``stage`` into ``site_dir`` with ``engine`` and the project's
    mkdocs.yml. With ``strict`` any warning fails the build (a :class:`PodkitError`).
    ``checked``: the pages that passed the Markdown check before (``passed`` of
    :func:`~podkit.markdown_guard.check_pages`) and ``compiled`` (a
    :class:`~podkit.templates.CompiledTemplates`) are kept by a long-running caller."""
    check(engine, offline=offline)
    if engine == "zensical":
        zensical_build(project, stage, site_dir, strict=strict)
    else:
        mkdocs_build(project, stage, site_dir, strict=strict, offline=offline, checked=checked, compiled=compiled)


def expand_nav(nav, stage: Path):
    """Replace ``Title: section/index.md`` entries with the whole generated section."""
    if not isinstance(nav, list):
        return nav
    out = []
    for entry in nav:
        if isinstance(entry, dict) and len(entry) == 1:
            (title, value), = entry.items()
            if isinstance(value, str) and value.endswith("/index.md") and value.split("/")[0] in GENERATED_SECTIONS:
                section = value.split("/")[0]
                pages = sorted(p for p in (stage / section).glob("*.md") if p.name != "index.md")
                if pages:
                    children = [value] + [{_page_title(p): f"{section}/{p.name}"} for p in pages]
                    out.append({title: children})
                    continue
            if isinstance(value, list):
                out.append({title: expand_nav(value, stage)})
                continue
        out.append(entry)
    return out


def _page_title(path: Path) -> str:
    """The page's title as MkDocs will show it: front matter first, then the first heading."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if lines and lines[0] == "---":
        for line in lines[1:]:
            if line == "---":
                break
            if line.startswith("title:"):
                value = line[len("title:"):].strip()
                return json.loads(value) if value.startswith('"') else value
    for line in lines:
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem.replace("-", " ").title()


def _source_date_epoch(project: Project) -> str:
    """``SOURCE_DATE_EPOCH`` for the engines, which date the sitemap by it (else by the clock)."""
    return str(int(project.source_date().timestamp()))


# --------------------------------------------------------------------------- mkdocs


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record):
        self.records.append(record.getMessage())


def mkdocs_build(project: Project, stage: Path, site_dir: Path, *, strict: bool = True, offline: bool = False, dirty: bool = False, checked: dict | None = None, compiled=None) -> None:
    """Build ``stage`` into ``site_dir`` with the project's mkdocs.yml, in-process."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs import exceptions as mk_exc
    from mkdocs.commands import build as mk_build
    from mkdocs.config import load_config

    if not project.mkdocs_yml.is_file():
        raise PodkitError(f"{project.mkdocs_yml}: no mkdocs.yml in the project")
    try:
        from pymdownx.snippets import SnippetMissingError
    except ImportError:  # pragma: no cover - pymdownx ships with mkdocs-material
        SnippetMissingError = LookupError  # noqa: N806

    # MkDocs dates pages (sitemap lastmod, sitemap.xml.gz) by SOURCE_DATE_EPOCH, else by the clock;
    # give it the date the PDFs carry (SOURCE_DATE_EPOCH, else the last commit), so builds repeat.
    epoch = _source_date_epoch(project)
    handler = _Collect()
    log = logging.getLogger("mkdocs")
    log.addHandler(handler)
    saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        cfg = load_config(str(project.mkdocs_yml), docs_dir=str(stage), site_dir=str(site_dir), strict=strict)
        cfg["nav"] = expand_nav(cfg["nav"], stage)
        if compiled is not None:  # the theme's templates as compiled in this process's last builds
            theme_env = cfg.theme.get_env
            cfg.theme.get_env = lambda: compiled.attach(theme_env())
        snippets = cfg["mdx_configs"].get("pymdownx.snippets")
        if snippets is not None:  # resolve snippet paths against the staged pages
            snippets["base_path"] = [str(stage)]
        # pages nested past the limits, or too costly to convert, are refused with their file named
        check_pages(project.content_dir, stage, cfg["markdown_extensions"], cfg["mdx_configs"], passed=checked)
        if offline:
            _configure_offline(cfg, project.mkdocs_yml)
        cfg.plugins.on_startup(command="build", dirty=dirty)
        try:
            mk_build.build(cfg, dirty=dirty)
        finally:
            cfg.plugins.on_shutdown()
    except mk_exc.MkDocsException as exc:
        details = "\n".join(f"  {r}" for r in handler.records)
        raise PodkitError(f"site build failed: {exc}\n{details}".rstrip()) from None
    except (OSError, ValueError, LookupError, SnippetMissingError) as exc:
        # Markdown extensions raise these for content problems (a missing snippet, say); MkDocs has
        # logged which page it was reading.
        details = "\n".join(f"  {r}" for r in handler.records)
        raise PodkitError(f"site build failed: {type(exc).__name__}: {exc}\n{details}".rstrip()) from None
    finally:
        log.removeHandler(handler)
        if saved_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved_epoch
    if handler.records and strict:
        details = "\n".join(f"  {r}" for r in handler.records)
        raise PodkitError(f"site build produced warnings (strict mode):\n{details}")
    if offline:
        _add_offline_shim(project, site_dir)


# --------------------------------------------------------------------------- offline copy
# `podkit build --offline`: a site that works when opened from file:// with no network (HR teams
# often get the kit as a zip). Material's offline plugin links pages as ``page.html`` and inlines
# the search index as a script; by default it also loads the iframe-worker shim from a CDN, so we
# ship that shim (MIT, vendored in the theme) and name it in ``extra.polyfills`` ourselves.

#: Site-relative path of the vendored iframe-worker shim (also its path inside a theme's site/ folder).
OFFLINE_SHIM = "assets/javascripts/iframe-worker-shim.js"
#: Site-relative path of the zip holding the whole offline site (unpacks into ``podkit-site/``).
OFFLINE_ZIP = "downloads/podkit-site-offline.zip"
OFFLINE_ZIP_FOLDER = "podkit-site"
#: Instant navigation fetches pages with XHR, which browsers refuse for file:// URLs.
_INSTANT_FEATURES = ("navigation.instant", "navigation.instant.prefetch", "navigation.instant.progress", "navigation.instant.preview")


def _configure_offline(cfg, config_file: Path) -> None:
    """Switch a loaded MkDocs config to the offline build, in-process: mkdocs.yml stays as it is."""
    from material.plugins.offline.plugin import OfflinePlugin

    extra = cfg["extra"]
    polyfills = [p for p in (extra.get("polyfills") or []) if "iframe-worker" not in str(p)]
    extra["polyfills"] = [*polyfills, OFFLINE_SHIM]  # the plugin adds its CDN copy only when none is named
    if "features" in cfg.theme:
        cfg.theme["features"] = [f for f in cfg.theme["features"] if f not in _INSTANT_FEATURES]
    plugins = [p for p in cfg.plugins.values() if isinstance(p, OfflinePlugin)]
    if plugins:  # mkdocs.yml lists it already (perhaps disabled): enable it
        for plugin in plugins:
            plugin.config.enabled = True
        return
    plugin = OfflinePlugin()
    errors, _ = plugin.load_config({"enabled": True}, config_file_path=str(config_file))
    if errors:
        raise PodkitError(f"offline build: {errors}")
    cfg.plugins["material/offline"] = plugin


def _add_offline_shim(project: Project, site_dir: Path) -> None:
    """Copy the vendored shim into the site unless the MkDocs theme folder already brought it."""
    dest = site_dir / OFFLINE_SHIM
    if dest.is_file():
        return
    for folder in theme_search_path(project.root, "site"):
        if (folder / OFFLINE_SHIM).is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / OFFLINE_SHIM, dest)
            return
    raise PodkitError(f"offline build: {OFFLINE_SHIM} is missing from the theme folders")


def write_offline_zip(site_dir: Path, zip_path: Path) -> Path:
    """Zip every file of ``site_dir`` (except the zip itself) under one folder, reproducibly."""
    import zipfile

    from .outputs import MARKER, atomic_file

    files = sorted(p for p in site_dir.rglob("*") if p.is_file() and p != zip_path and p.name != MARKER)
    with atomic_file(zip_path) as fh, zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            info = zipfile.ZipInfo(f"{OFFLINE_ZIP_FOLDER}/{f.relative_to(site_dir).as_posix()}", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with f.open("rb") as src, zf.open(info, "w") as dst:
                shutil.copyfileobj(src, dst)
    return zip_path


# --------------------------------------------------------------------------- zensical


def zensical_version() -> str | None:
    """The installed Zensical's version, or None when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version("zensical")
    except metadata.PackageNotFoundError:
        return None


def zensical_config(project: Project, stage: Path) -> dict:
    """mkdocs.yml as Zensical must read it from ``.podkit/``: the generated sections of the nav
    expanded (as for MkDocs), the staged pages as docs, and every path absolute or below
    ``.podkit/`` (Zensical resolves paths against its configuration file's folder)."""
    import yaml

    path = project.mkdocs_yml
    if not path.is_file():
        raise PodkitError(f"{path}: no mkdocs.yml in the project")
    try:
        with path.open(encoding="utf-8") as fh:  # a file, so that YAML's messages name it
            cfg = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        # safe_load refuses MkDocs' !ENV and !!python tags, which the generated file cannot carry.
        raise PodkitError(f"{path}: cannot be read for --engine zensical: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PodkitError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(cfg, dict):
        raise PodkitError(f"{path}: expected a mapping of settings")
    root = path.parent.resolve()
    work = project.work_dir.resolve()
    cfg["docs_dir"] = os.path.relpath(stage.resolve(), work)
    cfg["site_dir"] = ZENSICAL_SITE
    cfg["nav"] = expand_nav(cfg.get("nav"), stage)
    if "INHERIT" in cfg:
        cfg["INHERIT"] = str(root / cfg["INHERIT"])
    theme = cfg.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir"):
        theme["custom_dir"] = str(root / theme["custom_dir"])
    for ext in cfg.get("markdown_extensions") or []:
        if isinstance(ext, dict) and isinstance(ext.get("pymdownx.snippets"), dict):
            ext["pymdownx.snippets"]["base_path"] = [str(stage.resolve())]  # as for MkDocs
    if "nav" in cfg and cfg["nav"] is None:
        del cfg["nav"]
    return cfg


def write_zensical_config(project: Project, cfg: dict) -> Path:
    """Write a configuration made by :func:`zensical_config` to ``.podkit/zensical.yml``."""
    import yaml

    from .outputs import atomic_write

    target = project.work_dir / ZENSICAL_CONFIG
    text = "# Written by podkit for `podkit build --engine zensical`; edit mkdocs.yml instead.\n"
    text += yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True)
    atomic_write(target, text)
    return target


def _nav_pages(nav) -> list[str]:
    """Every page path the nav names (external links left out)."""
    if isinstance(nav, str):
        return [] if "://" in nav or nav.startswith(("/", "mailto:", "#")) else [nav]
    if isinstance(nav, list):
        return [p for entry in nav for p in _nav_pages(entry)]
    if isinstance(nav, dict):
        return [p for value in nav.values() for p in _nav_pages(value)]
    return []


def missing_nav_pages(nav, stage: Path) -> list[str]:
    """Nav entries naming no staged page. MkDocs warns of these; Zensical 0.0.73 does not check
    the nav, so podkit does, with MkDocs' words."""
    return [
        f"A reference to '{page}' is included in the 'nav' configuration, which is not found in the documentation files."
        for page in _nav_pages(nav)
        if not (stage / page).is_file()
    ]


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_DIAGNOSTIC = re.compile(r"^(Warning|Error): (.+)$")
_LOCATION = re.compile(r"╭─\[\s*(.+?)\s*\]")
_LOG_LINE = re.compile(r"^(WARNING|ERROR)\s+-\s+(.+)$")
_EXCEPTION = re.compile(r"^(?:[A-Za-z_][\w.]*(?:Error|Exception)|Error): (.+)$")
_SUMMARY = re.compile(r"^(\d+) issues? found$")


def zensical_problems(output: str) -> tuple[list[str], str | None, int]:
    """Read what Zensical printed: its warnings (``file:line:col: message``, the file relative to
    the staged pages), the error that stopped it (or None), and the number of issues its summary
    line counts."""
    lines = [_ANSI.sub("", line).rstrip() for line in output.splitlines()]
    warnings: list[str] = []
    error = None
    counted = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        diag = _DIAGNOSTIC.match(line)
        where = _LOCATION.search(lines[i + 1]) if diag and i + 1 < len(lines) else None
        if diag and where:
            warnings.append(f"{where.group(1)}: {diag.group(2)}")
            i += 2
            continue
        if m := _LOG_LINE.match(line):
            warnings.append(m.group(2).strip())
        elif m := _SUMMARY.match(line):
            counted = int(m.group(1))
        elif error is None and (m := _EXCEPTION.match(line)):
            error = re.sub(r"^(?:RuntimeError: )?(?:Python error: )?", "", line.removeprefix("Error: "))
        i += 1
    return warnings, error, counted


def zensical_build(project: Project, stage: Path, site_dir: Path, *, strict: bool = True) -> None:
    """Build ``stage`` into ``site_dir`` with Zensical, in a subprocess."""
    from .console import console

    check("zensical")
    cfg = zensical_config(project, stage)
    config = write_zensical_config(project, cfg)
    out = project.work_dir / ZENSICAL_SITE
    if out.exists():
        shutil.rmtree(out)
    env = {**os.environ, "SOURCE_DATE_EPOCH": _source_date_epoch(project)}
    # Zensical decides strictness itself only by aborting with a traceback; podkit reads the
    # warnings instead and fails the build with them listed, as for MkDocs.
    run = subprocess.run([sys.executable, "-m", "zensical", "build", "-f", str(config)], cwd=project.work_dir, env=env, capture_output=True, text=True, encoding="utf-8", errors="replace")
    warnings, error, counted = zensical_problems(run.stderr + "\n" + run.stdout)
    if counted and not warnings:  # a kind of diagnostic podkit cannot read: still never silent
        warnings.append(f"{counted} issue{'s' if counted != 1 else ''} found (run `zensical build -f {config}` to see them)")
    warnings = missing_nav_pages(cfg.get("nav"), stage) + warnings
    details = "\n".join(f"  {w}" for w in warnings)
    if run.returncode != 0 or error is not None:
        if error is None:
            tail = [line for line in _ANSI.sub("", run.stderr).splitlines() if line.strip()]
            error = tail[-1].strip() if tail else f"exit status {run.returncode}"
        shutil.rmtree(out, ignore_errors=True)
        raise PodkitError(f"site build failed (zensical): {error}\n{details}".rstrip())
    if warnings and strict:
        shutil.rmtree(out, ignore_errors=True)
        raise PodkitError(f"site build produced warnings (strict mode, zensical):\n{details}")
    for w in warnings:
        console.warn(f"zensical: warning: {w}")
    if not out.is_dir():
        raise PodkitError(f"site build failed (zensical): no site was written to {out}")
    site_dir = Path(site_dir)
    if site_dir.exists():
        if any(site_dir.iterdir()):
            raise PodkitError(f"site build (zensical): {site_dir} is not empty")
        site_dir.rmdir()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(out), str(site_dir))
