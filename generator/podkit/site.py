"""Render the documentation site: stage real Markdown files, then build them with a site engine.

Generated pages are ordinary Markdown files on disk (``.podkit/stage``), so the same tree builds
with plain ``mkdocs build`` and with MkDocs' successors, which run no plugins or hooks; engine.py
runs MkDocs or Zensical on them.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import engine as engines
from .console import console
from .errors import PodkitError
from .engine import OFFLINE_ZIP, OFFLINE_ZIP_FOLDER, write_offline_zip
from .kit import Kit, Project
from .templates import environment, theme_search_path
from .text import front_matter, md_inline, plain
from .wording import rubric_globals

@dataclass
class SiteExtras:
    """What other stages contribute to the site: files to copy in and pages to add."""

    files: dict[str, Path] = field(default_factory=dict)  # site-relative path -> source file
    pages: dict[str, str] = field(default_factory=dict)  # docs-relative path -> Markdown
    downloads: list = field(default_factory=list)  # printing.Download: the PDFs the pages list


# --------------------------------------------------------------------------- rendering


def _env(project: Project, theme: Path | None, compiled=None):
    env = environment(theme_search_path(project.root, "pages", theme), autoescape=False, compiled=compiled)
    env.filters["md"] = md_inline
    env.filters["plain"] = plain
    env.filters["front_matter"] = front_matter
    env.globals.update(rubric_globals())
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


def stage_pages(kit: Kit, extras: SiteExtras | None = None, theme: Path | None = None, *, compiled=None) -> Path:
    """Write every page of the site as Markdown into the staging folder; return it. ``compiled``:
    a :class:`~podkit.templates.CompiledTemplates` kept by a long-running process."""
    try:
        return _stage_pages(kit, extras, theme, compiled)
    except OSError as exc:  # a full disk, a read-only project: the user's to fix, not a bug
        where = exc.filename or kit.project.stage_dir
        raise PodkitError(f"{where}: cannot write the site's staged pages: {exc.strerror or exc}") from None


def _stage_pages(kit: Kit, extras: SiteExtras | None, theme: Path | None, compiled=None) -> Path:
    project = kit.project
    extras = extras or SiteExtras()
    stage = project.stage_dir
    for folder in (project.work_dir, stage):
        if folder.is_symlink():
            raise PodkitError(f"{folder}: is a symbolic link; podkit's work folder must be a real folder inside the project (remove the link)")
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for path, rel in check_content(project):
        dest = stage / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    env = _env(project, theme, compiled)
    env.globals["extra_pages"] = set(extras.pages)
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


def check_content(project: Project) -> list[tuple[Path, str]]:
    """The content files to publish, as ``(path, relative name)``; refuses content that would
    publish files from outside the project (through any chain of symbolic links) and pages that
    are not UTF-8 text, with every problem named."""
    from .errors import Problem, SourceErrors
    from .sources import read_text, walk_inside

    if not project.content_dir.exists() and not project.content_dir.is_symlink():
        return []
    files, problems = walk_inside(project.content_dir, project.root)
    if (project.content_dir / "templates").is_dir():
        # MkDocs leaves a docs folder named templates/ out of every build, silently
        problems.append(Problem(project.content_dir / "templates", "the site engines leave a content folder named 'templates' out of the site without a word; rename it (for example 'hr-templates')"))
    for path, rel in files:
        if rel.endswith(".md"):
            try:
                read_text(path)
            except SourceErrors as exc:
                problems += exc.problems
    if problems:
        raise SourceErrors(problems)
    return files


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


def check_config(project: Project) -> None:
    """Refuse a ``mkdocs.yml`` that would run code the kit brings (``hooks:``): podkit builds with
    engines that must run none (see SECURITY.md)."""
    import re

    from .errors import Problem, SourceErrors
    from .sources import read_text

    if not project.mkdocs_yml.is_file():
        return
    text = read_text(project.mkdocs_yml, root=project.root)
    found = re.search(r"(?m)^hooks\s*:", text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise SourceErrors([Problem(project.mkdocs_yml, "hooks run Python code from the kit; podkit's site engines run none: remove the hooks entry (see SECURITY.md)", line, 1, ("hooks",))])


def build_site(kit: Kit, *, site_dir: Path | None = None, extras: SiteExtras | None = None, theme: Path | None = None, strict: bool = True, offline: bool = False, cache: bool = True, engine: str = "mkdocs", checked: dict | None = None, compiled=None) -> Path:
    """Stage the pages and build the site into ``site_dir`` (default ``site/``), atomically.

    ``engine`` names the site engine (one of :data:`podkit.engine.ENGINES`).
    With ``offline`` the site works from file:// and a zip of it is added at ``OFFLINE_ZIP``.
    With ``cache``, when the staged pages, the configuration, the themes and the tools are the
    same as for the site already in ``site_dir`` (and nothing touched that since), the engine does
    not run again: the site is kept as it is. ``checked``: the pages that passed the Markdown
    check in earlier builds of this process, not checked again, and ``compiled`` (a
    :class:`~podkit.templates.CompiledTemplates`), the templates compiled in them (``podkit serve``
    keeps both).
    """
    from . import cache as cache_mod
    from .outputs import copy_file, scratch_dir_for, swap_dir

    engines.check(engine, offline=offline)  # before any work: an impossible combination fails at once
    project = kit.project
    target = site_target(project, site_dir, theme)
    extras = extras or SiteExtras()
    check_config(project)
    stage = stage_pages(kit, extras, theme, compiled=compiled)
    state = project.work_dir / "cache" / "site.json"
    key = site_key(project, stage, extras, target, strict=strict, offline=offline, engine=engine) if cache_mod.enabled(cache) else None
    if key is not None and _site_unchanged(state, key, target):
        console.info(f"Site unchanged since the last build: kept {target}")
        return target
    new = scratch_dir_for(target, mark=False)  # empty: an engine may insist on that
    try:
        console.info(f"Building site from {len(kit.assessments)} assessments …")
        engines.build(engine, project, stage, new, strict=strict, offline=offline, checked=checked, compiled=compiled)
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


def site_key(project: Project, stage: Path, extras: SiteExtras, target: Path, *, strict: bool, offline: bool, engine: str = "mkdocs") -> str:
    """Everything a build of ``stage`` depends on: the staged pages, the files copied in,
    mkdocs.yml, the theme folders, the engine and its tools' versions and podkit's own code and
    options.

    Files that mkdocs.yml names outside the staged pages and the theme folders (hooks, say) are
    not followed: after changing one, build with ``--no-cache``.
    """
    import sys

    from . import __version__
    from .cache import Hasher, source_of, versions

    # The source date dates the sitemap: a new SOURCE_DATE_EPOCH or commit must rebuild.
    date = int(project.source_date().timestamp())
    h = Hasher(__version__, source_of(sys.modules[__name__], engines), f"strict={strict} offline={offline} target={target} date={date} engine={engine}")
    h.text(versions(*engines.ENGINE_PACKAGES[engine]))
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
