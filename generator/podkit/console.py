"""The one place below the CLI that talks to the terminal."""

from __future__ import annotations


import click


class Console:
    """Progress and notes on stderr; silent with ``quiet``."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet

    def info(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

    def warn(self, message: str) -> None:
        click.echo(message, err=True)

    def progress(self, done: int, total: int, label: str) -> None:
        if self.quiet:
            return
        width = len(str(total))
        click.echo(f"  [{done:>{width}}/{total}] {label}", err=True)


console = Console()


def configure(quiet: bool) -> None:
    console.quiet = quiet
