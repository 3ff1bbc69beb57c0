"""One Jinja environment factory: ordered search path, StrictUndefined, explicit escaping.

Every template (the kit's own, a project's themes, a ``--theme``) renders in Jinja's
:class:`~jinja2.sandbox.SandboxedEnvironment`: a template can read the values it is given but
cannot reach Python internals (``cycler.__init__.__globals__``, ``__class__.__mro__`` …) to run
commands. A template that tries is a :class:`~podkit.errors.PodkitError` naming the template.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from .errors import PodkitError

#: The themes shipped with podkit (the repository's themes/ folder, next to generator/).
BUILTIN_THEMES = Path(__file__).resolve().parent.parent.parent / "themes"


def theme_search_path(project_root: Path, kind: str, theme: Path | None = None) -> list[Path]:
    """Folders searched for templates of ``kind`` (site, print, report): user theme first."""
    paths = []
    if theme is not None:
        paths.append(Path(theme) / kind)
    paths.append(Path(project_root) / "themes" / "default" / kind)
    paths.append(BUILTIN_THEMES / "default" / kind)
    unique: list[Path] = []
    for p in paths:
        if p.is_dir() and p.resolve() not in [u.resolve() for u in unique]:
            unique.append(p)
    return unique


class _Template(jinja2.Template):
    """A template whose attempts to leave the sandbox are user errors naming the template."""

    def render(self, *args, **kwargs) -> str:
        try:
            return super().render(*args, **kwargs)
        except SecurityError as exc:
            where = self.filename or self.name or "a template"
            raise PodkitError(
                f"{where} (or a template it includes): refused: {str(exc).rstrip('.')}; templates may use only the values "
                "podkit gives them, not Python internals"
            ) from None


def environment(search_path: list[Path], *, autoescape: bool) -> SandboxedEnvironment:
    """Build an environment; ``default/NAME`` always reaches the built-in template."""
    if not search_path:
        raise FileNotFoundError(f"no template folders found (looked for themes/default in the project and in {BUILTIN_THEMES})")
    loader = jinja2.ChoiceLoader(
        [
            jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(search_path[-1]))}, delimiter="/"),
            jinja2.FileSystemLoader([str(p) for p in search_path]),
        ]
    )
    env = SandboxedEnvironment(
        loader=loader,
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.template_class = _Template
    return env
