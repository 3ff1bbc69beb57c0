"""The ``podkit`` console entry point: answers ``--help`` and ``--version`` without Click.

Python starts in about 10 ms; importing Click and building the command group takes three times
that. ``podkit --version`` is a constant, and ``podkit --help`` is printed from a copy Click
wrote earlier, kept in the user's cache folder (``$XDG_CACHE_HOME/podkit``, else
``~/.cache/podkit``) under a name made of everything the text depends on: podkit's version,
the size and time of ``cli.py``, the program name and the terminal width; the copy also names
Click's own file, whose size and time must still match. Anything else, or any doubt, goes to
Click, which then refreshes the copy. Set ``PODKIT_NO_HELP_CACHE=1`` to bypass it.
"""

from __future__ import annotations

import os
import sys

from . import __version__

_HELP = ("--help", "-h")
_VERSION = ("--version", "-V")
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def main(prog_name: str | None = None):
    """Run ``podkit`` (``prog_name``: how usage lines name it; default: the script's name)."""
    args = sys.argv[1:]
    if len(args) == 1 and args[0] in _HELP + _VERSION and _fast_path_ok():
        if args[0] in _VERSION:
            _write(f"podkit, version {__version__}\n")  # what click.version_option prints
            return 0
        prog = prog_name or os.path.basename(sys.argv[0])
        path = _help_file(prog)
        if path is not None:
            text = _read_help(path)
            if text is not None:
                _write(text)
                return 0
            _store_help(path, prog)
    from .cli import main as cli

    return cli(prog_name=prog_name)


def _fast_path_ok() -> bool:
    return (
        "_PODKIT_COMPLETE" not in os.environ  # Click's shell completion
        and not os.environ.get("PODKIT_NO_HELP_CACHE")
        and (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "") == "utf8"
    )


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _columns() -> int:
    """Terminal columns as ``shutil.get_terminal_size()`` (and so Click) sees them."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "podkit")


def _help_file(prog: str) -> str | None:
    """The cache file for this help text, or ``None`` when it cannot be named safely."""
    if not prog or not set(prog) <= _SAFE:
        return None
    try:
        st = os.stat(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cli.py"))
    except OSError:
        return None
    name = f"help-{__version__}-{prog}-{_columns()}-{st.st_size}-{st.st_mtime_ns}.txt"
    if not set(name) <= _SAFE:
        return None
    return os.path.join(cache_dir(), name)


def _read_help(path: str) -> str | None:
    """The cached help text if it is there and Click's file is unchanged."""
    try:
        with open(path, encoding="utf-8") as fh:
            header, _, text = fh.read().partition("\n")
        click_file, size, mtime = header.rsplit(" ", 2)
        st = os.stat(click_file)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if st.st_size != int(size) or st.st_mtime_ns != int(mtime):
        return None
    return text


def help_text(prog: str) -> str:
    """``podkit --help`` exactly as Click prints it (the text and its final newline)."""
    import click

    from .cli import main as cli

    ctx = click.Context(cli, info_name=prog, **cli.context_settings)
    return ctx.get_help() + "\n"


def _store_help(path: str, prog: str) -> None:
    """Write the help text Click makes into the cache (best effort: it is only a cache)."""
    import shutil

    import click

    if shutil.get_terminal_size().columns != _columns():
        return  # the file name would not describe the text
    try:
        st = os.stat(click.__file__)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.tmp-{os.getpid()}"
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(f"{os.path.abspath(click.__file__)} {st.st_size} {st.st_mtime_ns}\n{help_text(prog)}")
        os.replace(tmp, path)
    except OSError:
        pass
