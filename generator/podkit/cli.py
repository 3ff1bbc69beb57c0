"""The ``podkit`` command line. Commands parse options and call one function each.

Heavy modules (pydantic models, MkDocs, WeasyPrint) are imported inside the commands that use
them, so ``podkit --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__

EXIT_CODES_HELP = """\b
Exit codes:
  0  success
  1  invalid input, or a check failed (messages name file:line:col)
  2  usage error (unknown option, missing argument)
  3  internal error: a bug in podkit (rerun with --debug for the traceback)
"""


class PodkitGroup(click.Group):
    """Turns unexpected exceptions into a short message unless ``--debug`` is given."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:  # an internal error: a bug, not the user's fault
            if (ctx.obj or {}).get("debug"):
                raise
            click.echo(
                f"Internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in podkit. Rerun with --debug to see the traceback, and report it.",
                err=True,
            )
            ctx.exit(3)


project_option = click.option(
    "--project",
    "-p",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The kit's folder (default: the current directory).",
)
quiet_option = click.option("--quiet", "-q", is_flag=True, help="Print only errors and the result.")


def _project(project_dir: Path | None):
    from .kit import Project

    return Project.find(project_dir)


def _load(project_dir: Path | None):
    from .kit import load_kit

    return load_kit(_project(project_dir))


@click.group(cls=PodkitGroup, epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="podkit")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """podkit: observation checklists and scoring rubrics for execution pods.

    Compiles the assessments in assessments/ into a documentation site and printable
    toolkits, and scores filled-in observation files into pod readiness reports.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@main.command()
@project_option
@quiet_option
def validate(project_dir: Path | None, quiet: bool) -> None:
    """Check every assessment; print all problems as file:line:col: key: message."""
    kit = _load(project_dir)
    for w in kit.warnings:
        click.echo(w.format(), err=True)
    if not quiet:
        n_items = sum(len(a.items) for a in kit.assessments)
        click.echo(f"OK: {len(kit.assessments)} assessments, {n_items} items are valid.")


@main.command()
@project_option
@quiet_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors: exit 1 if there is any.")
@click.option("--rule", "rules", multiple=True, metavar="ID", help="Run only this rule (repeat, or separate ids with commas).")
@click.option("--list-rules", is_flag=True, help="List the rules with a one-line description and exit.")
def lint(project_dir: Path | None, quiet: bool, strict: bool, rules: tuple[str, ...], list_rules: bool) -> None:
    """Check assessments for rubric problems (unobservable wording, double-barrelled prompts, …).

    Prints file:line:col: warning: key: message [rule-id]. Silence a rule for one place with a
    comment '# podkit: ignore[rule-id]' on the line the warning names or on the item's '- id:' line.
    """
    from .errors import PodkitError
    from .lint import RULE_IDS, RULES, lint_kit, summary

    if list_rules:
        width = max(len(r.id) for r in RULES)
        for r in RULES:
            click.echo(f"{r.id:<{width}}  {r.summary}")
        return
    wanted = [x.strip() for value in rules for x in value.split(",") if x.strip()]
    unknown = [r for r in wanted if r not in RULE_IDS]
    if unknown:
        raise click.BadParameter(f"unknown rule {unknown[0]!r}; 'podkit lint --list-rules' shows them", param_hint="--rule")
    kit = _load(project_dir)
    problems = lint_kit(kit, wanted)
    for p in problems:
        click.echo(p.format())
    result = summary(problems, len(kit.assessments))
    if strict and problems:
        raise PodkitError(f"{result} (--strict treats warnings as errors)")
    if problems or not quiet:
        click.echo(result)


@main.command()
@project_option
@quiet_option
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Where to write the site (default: PROJECT/site).")
@click.option("--theme", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None, help="A theme folder whose templates override the default theme by name.")
@click.option("--offline", is_flag=True, help="Build a site that works from file:// with no network, plus a zip of it (downloads/podkit-site-offline.zip).")
def build(project_dir: Path | None, quiet: bool, site_dir: Path | None, theme: Path | None, offline: bool) -> None:
    """Build the documentation site into site/."""
    from .console import configure
    from .site import build_site

    configure(quiet)
    kit = _load(project_dir)
    out = build_site(kit, site_dir=site_dir, theme=theme, offline=offline)
    if not quiet:
        click.echo(f"Built site: {out}")


@main.command()
@project_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--theme", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None, help="A theme folder overriding the default theme.")
def serve(project_dir: Path | None, host: str, port: int, theme: Path | None) -> None:
    """Preview the site; edits to content/, assessments/ or themes/ rebuild and reload it."""
    from .serve import serve as run_server

    run_server(_project(project_dir), host=host, port=port, theme=theme)


@main.command()
@click.argument("kind", type=click.Choice(["assessment", "observation", "report"]))
def schema(kind: str) -> None:
    """Print the JSON Schema of an assessment, observation or report file."""
    import json

    from .schema import MODELS, json_schema

    if kind not in MODELS:
        raise click.UsageError(f"no schema for {kind!r} yet")
    click.echo(json.dumps(json_schema(kind), indent=2, sort_keys=True))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
