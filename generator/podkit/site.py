"""Render the documentation site: stage real Markdown files, then build them with a site engine.

Generated pages are ordinary Markdown files on disk (``.podkit/stage``), so the same tree builds
with plain ``mkdocs build`` and with MkDocs' successors, which run no plugins or hooks; engine.py
runs MkDocs or Zensical on them.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import engine as engines
from .console import console
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


def _env(project: Project, theme: Path | None):
    env = environment(theme_search_path(project.root, "pages", theme), autoescape=False)
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


def stage_pages(kit: Kit, extras: SiteExtras | None = None, theme: Path | None = None) -> Path:
    """Write every page of the site as Markdown into the staging folder; return it."""
    project = kit.project
    extras = extras or SiteExtras()
    stage = project.stage_dir
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for path, rel in check_content(project):
        dest = stage / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
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
    from .sources import atomic_write

    for name, schema in all_schemas().items():
        text = json.dumps(schema, indent=2, sort_keys=True) + "\n"
        for d in (project.schemas_dir, *dirs):
            target = d / f"{name}.schema.json"
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                atomic_write(target, text)


# --------------------------------------------------------------------------- output swap


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux); return False where unsupported."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    rc = fn(AT_FDCWD, os.fsencode(str(a)), AT_FDCWD, os.fsencode(str(b)), RENAME_EXCHANGE)
    return rc == 0


def swap_in(new_dir: Path, target: Path) -> None:
    """Put ``new_dir`` in place of ``target`` so that ``target`` is never missing or partial."""
    if target.exists() and _renameat2_exchange(new_dir, target):
        shutil.rmtree(new_dir, ignore_errors=True)  # now holds the previous build
        return
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        os.replace(target, old)
        os.replace(new_dir, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new_dir, target)


def scratch_dir(target: Path) -> Path:
    """A fresh sibling folder of ``target`` to assemble a new build in."""
    for stale in target.parent.glob(f".{target.name}-new-*"):
        # Left behind by a build that was killed; the process that owned it is gone.
        pid = stale.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not _pid_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    for stale in target.parent.glob(f".{target.name}-old-*"):
        # The previous build, moved aside by a swap without renameat2 that was killed half-way.
        pid = stale.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not _pid_alive(int(pid)):
            if not target.exists():
                os.replace(stale, target)
            else:
                shutil.rmtree(stale, ignore_errors=True)
    path = target.with_name(f".{target.name}-new-{os.getpid()}")
    if path.exists():
        shutil.rmtree(path)
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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


def build_site(kit: Kit, *, site_dir: Path | None = None, extras: SiteExtras | None = None, theme: Path | None = None, strict: bool = True, offline: bool = False, cache: bool = True, engine: str = "mkdocs") -> Path:
    """Stage the pages and build the site into ``site_dir`` (default ``site/``), atomically.

    ``engine`` names the site engine (one of :data:`podkit.engine.ENGINES`).
    With ``offline`` the site works from file:// and a zip of it is added at ``OFFLINE_ZIP``.
    With ``cache``, when the staged pages, the configuration, the themes and the tools are the
    same as for the site already in ``site_dir`` (and nothing touched that since), the engine does
    not run again: the site is kept as it is.
    """
    from . import cache as cache_mod

    engines.check(engine, offline=offline)  # before any work: an impossible combination fails at once
    project = kit.project
    # absolute: MkDocs would resolve a relative site_dir against mkdocs.yml, not the working directory
    target = Path(site_dir).absolute() if site_dir else project.site_dir
    extras = extras or SiteExtras()
    check_config(project)
    stage = stage_pages(kit, extras, theme)
    state = project.work_dir / "cache" / "site.json"
    key = site_key(project, stage, extras, target, strict=strict, offline=offline, engine=engine) if cache_mod.enabled(cache) else None
    if key is not None and _site_unchanged(state, key, target):
        console.info(f"Site unchanged since the last build: kept {target}")
        return target
    new = scratch_dir(target)
    try:
        console.info(f"Building site from {len(kit.assessments)} assessments …")
        engines.build(engine, project, stage, new, strict=strict, offline=offline)
        for rel, src in sorted(extras.files.items()):
            dest = new / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        if offline:
            write_offline_zip(new, new / OFFLINE_ZIP)
            console.info(f"Offline copy: {target / OFFLINE_ZIP} (unzip it and open {OFFLINE_ZIP_FOLDER}/index.html)")
        swap_in(new, target)
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
    from .sources import atomic_write

    try:
        atomic_write(state, json.dumps({"key": key, "target": str(target), "tree": tree_fingerprint(target)}, indent=2) + "\n")
    except OSError:
        pass
