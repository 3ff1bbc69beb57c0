"""One Jinja environment factory: ordered search path, StrictUndefined, explicit escaping.

Every template (the kit's own, a project's themes, a ``--theme``) renders in Jinja's
:class:`~jinja2.sandbox.SandboxedEnvironment`: a template can read the values it is given but
cannot reach Python internals (``cycler.__init__.__globals__``, ``__class__.__mro__`` …) to run
commands. A template that tries is a :class:`~podkit.errors.PodkitError` naming the template.

A long-running process (``podkit serve``) keeps the templates it compiled in a
:class:`CompiledTemplates` and hands it to the environments it makes, so a rebuild does not
compile an unchanged template again.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import jinja2.bccache
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from .cache import Hasher, remember
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


class CompiledTemplates:
    """Compiled templates kept in memory between the builds of one process. Jinja reuses an
    entry only when the template's source is the same (a checksum of it is stored with the
    code), and entries are kept apart by the template's file and the compiling environment's
    settings, so a changed template or another environment always compiles afresh."""

    #: Most compiled templates kept (the oldest are dropped first).
    LIMIT = 1024

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def attach(self, env: jinja2.Environment) -> jinja2.Environment:
        """Have ``env`` load and store its compiled templates here; return it."""
        settings = repr((type(env).__module__, type(env).__qualname__, env.autoescape, env.trim_blocks, env.lstrip_blocks,
                         env.keep_trailing_newline, env.optimized, sorted(env.extensions), getattr(env, "newstyle_gettext", None),
                         env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
                         env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
                         env.newline_sequence))
        env.bytecode_cache = _Bytecode(self._code, settings, self.LIMIT)
        return env


class _Bytecode(jinja2.BytecodeCache):
    def __init__(self, code: dict[str, bytes], settings: str, limit: int) -> None:
        self._code, self._settings, self._limit = code, settings, limit

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return Hasher("jinja", self._settings, name, filename or "").hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._code.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # Jinja drops it if the source's checksum differs

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        remember(self._code, bucket.key, bucket.bytecode_to_string(), self._limit)


def environment(search_path: list[Path], *, autoescape: bool, compiled: CompiledTemplates | None = None) -> SandboxedEnvironment:
    """Build an environment; ``default/NAME`` always reaches the built-in template. With
    ``compiled``, templates compiled before by the same kind of environment are reused."""
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
    return compiled.attach(env) if compiled is not None else env
