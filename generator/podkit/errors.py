"""One error hierarchy for everything a user can get wrong.

User errors derive from :class:`PodkitError` (a ``click.ClickException``), so the CLI prints them
without a traceback and exits with code 1. Internal bugs stay ordinary exceptions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click

#: Exit codes, documented in the README and ``podkit --help``.
EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


def format_key_path(parts) -> str:
    """Render ``("items", 2, "anchors", 3)`` as ``items[2].anchors.3``."""
    out = ""
    for part in parts:
        if isinstance(part, int) and out:
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = str(part)
    return out


def display_path(path: Path | str | None) -> str:
    """Show a path relative to the working directory when it lies inside it."""
    if path is None:
        return "<input>"
    p = Path(path)
    try:
        # abspath, not resolve: a path through a symbolic link is shown as the link, which is
        # what the user wrote and what a message about that link must name.
        return str(Path(os.path.abspath(p)).relative_to(os.getcwd()))
    except (ValueError, OSError):
        return str(p)


@dataclass(frozen=True)
class Problem:
    """One located problem in a source file: ``path:line:col: key.path: message``."""

    path: Path | str | None
    message: str
    line: int | None = None
    col: int | None = None
    key: tuple = ()
    severity: str = "error"  # "error" or "warning"
    rule: str | None = None

    def format(self) -> str:
        loc = display_path(self.path)
        if self.line is not None:
            loc += f":{self.line}"
            if self.col is not None:
                loc += f":{self.col}"
        head = f"{loc}: "
        if self.severity == "warning":
            head += "warning: "
        if self.key:
            head += f"{format_key_path(self.key)}: "
        tail = f" [{self.rule}]" if self.rule else ""
        return head + self.message + tail

    def sort_key(self):
        return (str(self.path), self.line or 0, self.col or 0, self.message)


class PodkitError(click.ClickException):
    """A user-facing error: printed without traceback, exit code 1."""

    exit_code = EXIT_INVALID

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True, file=file)


class SourceErrors(PodkitError):
    """All problems found in one or more source files, reported together."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        errors = [p for p in self.problems if p.severity == "error"]
        files = {str(p.path) for p in errors}
        summary = f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in {len(files)} file{'s' if len(files) != 1 else ''}"
        super().__init__(summary)

    def show(self, file=None) -> None:
        for p in self.problems:
            click.echo(p.format(), err=True, file=file)
        click.echo(f"Error: {self.message}", err=True, file=file)


def source_error(path, message, line=None, col=None, key=()) -> SourceErrors:
    """Shortcut for a single located problem."""
    return SourceErrors([Problem(path, message, line, col, tuple(key))])
