"""Render the documentation site: stage real Markdown files, then run MkDocs in-process.

Generated pages are ordinary Markdown files on disk (``.podkit/stage``), so the same tree builds
with plain ``mkdocs build`` and with MkDocs' successors, which run no plugins or hooks.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .console import console
from .errors import PodkitError
from .kit import Kit, Project
from .model import AnchoredItem, CheckItem, CodesItem, CountItem
from .templates import environment, theme_search_path
from .text import front_matter, md_inline, plain
from .wording import gate_text, threshold_bands

#: Sections of the site whose pages are generated; a nav entry ``Title: <section>/index.md`` in
#: mkdocs.yml is expanded into the section's pages.
GENERATED_SECTIONS = ("assessments", "reports")


@dataclass
class SiteExtras:
    """What other stages contribute to the site: files to copy in and pages to add."""

    files: dict[str, Path] = field(default_factory=dict)  # site-relative path -> source file
    pages: dict[str, str] = field(default_factory=dict)  # docs-relative path -> Markdown
    downloads: list = field(default_factory=list)  # printing.Download: the PDFs the pages list


# --------------------------------------------------------------------------- rendering


def _env(project: Project, theme: Path | None):
    env = environment(theme_search_path(project.root, "pages", theme), autoescape=False)
    env.filters["md"] = md_inline
    env.filters["plain"] = plain
    env.filters["front_matter"] = front_matter
    env.globals.update(
        is_anchored=lambda it: isinstance(it, AnchoredItem),
        is_check=lambda it: isinstance(it, CheckItem),
        is_count=lambda it: isinstance(it, CountItem),
        is_codes=lambda it: isinstance(it, CodesItem),
        threshold_bands=threshold_bands,
        gate_text=gate_text,
    )
    return env


def render_assessment_page(env, assessment, downloads: list) -> str:
    """Markdown for one assessment's page."""
    return env.get_template("assessment.md.j2").render(
        a=assessment, downloads=[d for d in downloads if d.assessment == assessment.id]
    )


def render_toolkits_page(env, downloads: list) -> str:
    return env.get_template("toolkits.md.j2").render(downloads=downloads)


def render_assessments_index(env, kit: Kit) -> str:
    return env.get_template("assessments-index.md.j2").render(assessments=kit.assessments)


def stage_pages(kit: Kit, extras: SiteExtras | None = None, theme: Path | None = None) -> Path:
    """Write every page of the site as Markdown into the staging folder; return it."""
    try:
        return _stage_pages(kit, extras, theme)
    except OSError as exc:  # a full disk, a read-only project: the user's to fix, not a bug
        where = exc.filename or kit.project.stage_dir
        raise PodkitError(f"{where}: cannot write the site's staged pages: {exc.strerror or exc}") from None


def _stage_pages(kit: Kit, extras: SiteExtras | None, theme: Path | None) -> Path:
    project = kit.project
    extras = extras or SiteExtras()
    stage = project.stage_dir
    for folder in (project.work_dir, stage):
        if folder.is_symlink():
            raise PodkitError(f"{folder}: is a symbolic link; podkit's work folder must be a real folder inside the project (remove the link)")
    if stage.exists():
        shutil.rmtree(stage)
    if project.content_dir.is_dir():
        check_content(project)
        shutil.copytree(project.content_dir, stage, symlinks=False, ignore=shutil.ignore_patterns(".*"))
    else:
        stage.mkdir(parents=True)
    env = _env(project, theme)
    env.globals["content_pages"] = {p.relative_to(stage).as_posix() for p in stage.rglob("*.md")}
    adir = stage / "assessments"
    adir.mkdir(parents=True, exist_ok=True)
    (adir / "index.md").write_text(render_assessments_index(env, kit), encoding="utf-8")
    for a in kit.assessments:
        (adir / f"{a.id}.md").write_text(render_assessment_page(env, a, extras.downloads), encoding="utf-8")
    (stage / "toolkits.md").write_text(render_toolkits_page(env, extras.downloads), encoding="utf-8")
    for rel, text in extras.pages.items():
        dest = stage / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
    # Downloads are staged as well, so that MkDocs' strict link checks find what pages link to.
    for d in extras.downloads:
        if d.path in extras.files:
            dest = stage / d.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(extras.files[d.path], dest)
    write_schemas(project, stage / "schemas")
    return stage


def check_content(project: Project) -> None:
    """Refuse content that would publish files from outside the project, and pages that are not
    UTF-8 text, with every problem named (the copy into the stage follows symbolic links)."""
    from .errors import Problem, SourceErrors
    from .sources import read_text

    problems: list[Problem] = []
    root = project.root.resolve()
    for dirpath, dirnames, filenames in os.walk(project.content_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        folder = Path(dirpath)
        for name in [*dirnames, *sorted(f for f in filenames if not f.startswith("."))]:
            path = folder / name
            if path.is_symlink():
                try:
                    outside = not path.resolve(strict=True).is_relative_to(root)
                except (OSError, RuntimeError):
                    problems.append(Problem(path, "symbolic link to nothing (or a loop of links)"))
                    continue
                if outside:
                    problems.append(Problem(path, "symbolic link points outside the project; refusing to publish it"))
                    continue
            if name.endswith(".md") and path.is_file():
                try:
                    read_text(path, root=root)
                except SourceErrors as exc:
                    problems += exc.problems
    if problems:
        raise SourceErrors(problems)


def check_pages(project: Project, stage: Path, extensions, extension_configs) -> None:
    """Refuse staged pages nested too deeply or too costly to convert (see
    :mod:`podkit.markdown_guard`), naming the content file a page came from."""
    from .errors import Problem, SourceErrors
    from .markdown_guard import check_markdown

    problems: list[Problem] = []
    for page in sorted(stage.rglob("*.md")):
        rel = page.relative_to(stage)
        source = project.content_dir / rel
        try:
            check_markdown(source if source.is_file() else page, page.read_text(encoding="utf-8"), extensions=extensions, extension_configs=extension_configs)
        except SourceErrors as exc:
            problems += exc.problems
    if problems:
        raise SourceErrors(problems)


def write_schemas(project: Project, *dirs: Path) -> None:
    """Keep the JSON Schemas current in ``schemas/`` (for editors) and the given folders."""
    from .schema import all_schemas
    from .outputs import atomic_write

    for name, schema in all_schemas().items():
        text = json.dumps(schema, indent=2, sort_keys=True) + "\n"
        for d in (project.schemas_dir, *dirs):
            target = d / f"{name}.schema.json"
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                atomic_write(target, text)


# --------------------------------------------------------------------------- mkdocs


def _expand_nav(nav, stage: Path):
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
                out.append({title: _expand_nav(value, stage)})
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


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record):
        self.records.append(record.getMessage())


def mkdocs_build(project: Project, stage: Path, site_dir: Path, *, strict: bool = True, offline: bool = False, dirty: bool = False) -> None:
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
    epoch = str(int(project.source_date().timestamp()))
    handler = _Collect()
    log = logging.getLogger("mkdocs")
    log.addHandler(handler)
    saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        cfg = load_config(str(project.mkdocs_yml), docs_dir=str(stage), site_dir=str(site_dir), strict=strict)
        cfg["nav"] = _expand_nav(cfg["nav"], stage)
        snippets = cfg["mdx_configs"].get("pymdownx.snippets")
        if snippets is not None:  # resolve snippet paths against the staged pages
            snippets["base_path"] = [str(stage)]
        check_pages(project, stage, cfg["markdown_extensions"], cfg["mdx_configs"])
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


# --------------------------------------------------------------------------- output folder


def site_target(project: Project, site_dir: Path | None = None, theme: Path | None = None, inputs=()) -> Path:
    """Where the site goes, after checking that podkit may replace that folder (exit 1 if not):
    never the project, a folder above it, or one the kit is read from (``inputs`` adds more)."""
    from .outputs import guard_output_dir

    # absolute: MkDocs would resolve a relative site_dir against mkdocs.yml, not the working directory
    target = Path(site_dir).absolute() if site_dir else project.site_dir
    folders = [project.assessments_dir, project.content_dir, project.themes_dir, project.schemas_dir, *inputs]
    if theme is not None:
        folders.append(Path(theme))
    guard_output_dir(target, project.root, folders, what="site folder", made_by_podkit=lambda real: _built_before(project, target, real))
    return target


def _built_before(project: Project, target: Path, real: Path) -> bool:
    """Whether the work folder records a build into ``target`` and the folder is untouched since
    (a site built before podkit marked its folders)."""
    from .cache import tree_fingerprint

    try:
        recorded = json.loads((project.work_dir / "cache" / "site.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(recorded, dict) and recorded.get("target") in (str(target), str(real)) and recorded.get("tree") == tree_fingerprint(real)


def build_site(kit: Kit, *, site_dir: Path | None = None, extras: SiteExtras | None = None, theme: Path | None = None, strict: bool = True, offline: bool = False, cache: bool = True) -> Path:
    """Stage the pages and build the site into ``site_dir`` (default ``site/``), atomically.

    With ``offline`` the site works from file:// and a zip of it is added at ``OFFLINE_ZIP``.
    With ``cache``, when the staged pages, the configuration, the themes and the tools are the
    same as for the site already in ``site_dir`` (and nothing touched that since), MkDocs does
    not run again: the site is kept as it is.
    """
    from . import cache as cache_mod
    from .outputs import copy_file, scratch_dir_for, swap_dir

    project = kit.project
    target = site_target(project, site_dir, theme)
    extras = extras or SiteExtras()
    stage = stage_pages(kit, extras, theme)
    state = project.work_dir / "cache" / "site.json"
    key = site_key(project, stage, extras, target, strict=strict, offline=offline) if cache_mod.enabled(cache) else None
    if key is not None and _site_unchanged(state, key, target):
        console.info(f"Site unchanged since the last build: kept {target}")
        return target
    new = scratch_dir_for(target)
    try:
        console.info(f"Building site from {len(kit.assessments)} assessments …")
        mkdocs_build(project, stage, new, strict=strict, offline=offline)
        for rel, src in sorted(extras.files.items()):
            copy_file(src, new / rel)
        if offline:
            write_offline_zip(new, new / OFFLINE_ZIP)
            console.info(f"Offline copy: {target / OFFLINE_ZIP} (unzip it and open {OFFLINE_ZIP_FOLDER}/index.html)")
        swap_dir(new, target)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    if key is not None:
        _record_site(state, key, target)
    return target


def site_key(project: Project, stage: Path, extras: SiteExtras, target: Path, *, strict: bool, offline: bool) -> str:
    """Everything a MkDocs build of ``stage`` depends on: the staged pages, the files copied in,
    mkdocs.yml, the theme folders, the tools' versions and podkit's own code and options.

    Files that mkdocs.yml names outside the staged pages and the theme folders (hooks, say) are
    not followed: after changing one, build with ``--no-cache``.
    """
    import sys

    from . import __version__
    from .cache import Hasher, source_of, versions

    # The source date dates the sitemap: a new SOURCE_DATE_EPOCH or commit must rebuild.
    date = int(project.source_date().timestamp())
    h = Hasher(__version__, source_of(sys.modules[__name__]), f"strict={strict} offline={offline} target={target} date={date}")
    h.text(versions("mkdocs", "mkdocs-material", "pymdown-extensions", "markdown", "pygments", "jinja2"))
    h.file(project.mkdocs_yml).tree(stage).tree(project.themes_dir)
    for folder in theme_search_path(project.root, "site"):
        h.tree(folder)
    for rel, src in sorted(extras.files.items()):
        h.text(rel).file(src)
    return h.hexdigest()


def _site_unchanged(state: Path, key: str, target: Path) -> bool:
    from .cache import tree_fingerprint

    try:
        recorded = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return recorded.get("key") == key and recorded.get("target") == str(target) and recorded.get("tree") == tree_fingerprint(target)


def _record_site(state: Path, key: str, target: Path) -> None:
    """Remember what the site in ``target`` was built from (best effort)."""
    from .cache import tree_fingerprint
    from .outputs import atomic_write

    try:
        atomic_write(state, json.dumps({"key": key, "target": str(target), "tree": tree_fingerprint(target)}, indent=2) + "\n")
    except OSError:
        pass
