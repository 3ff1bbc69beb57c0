"""The ``podkit`` command line. Each command parses its options and calls one function of
:mod:`podkit.pipeline` (or, for the small ones, of the module that owns the answer).

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
        except OSError as exc:  # the environment's, not a bug: a read-only folder, a full disk
            if (ctx.obj or {}).get("debug"):
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"Error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(1)
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
paper_option = click.option("--paper", type=click.Choice(["a4", "letter", "both"], case_sensitive=False), default="both", show_default=True, help="Paper size of the PDFs.")
jobs_option = click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="PDFs rendered in parallel (default: one per CPU core).")
csv_delimiter_option = click.option("--csv-delimiter", "csv_delimiter", default=",", show_default=True, metavar="CHAR", help="The character between columns in CSV observation files, e.g. ';' for a spreadsheet saved with semicolons.")
cache_option = click.option("--no-cache", "no_cache", is_flag=True, help="Render every PDF (and rebuild the site) even when nothing changed since the last build.")
# The names are podkit.engine.ENGINES, written out so that --help needs no import of the engines.
engine_option = click.option("--engine", type=click.Choice(["mkdocs", "zensical"]), default="mkdocs", show_default=True, help="Site engine: MkDocs with Material, or Zensical (pip install 'podkit[zensical]'; no --offline).")


def _load(project_dir: Path | None):
    from .pipeline import load

    return load(project_dir)


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
@click.option("--pdf/--no-pdf", "pdf", default=True, show_default=True, help="Render the PDF toolkits, fillable sheets, complete kit and HR guide into site/downloads/.")
@paper_option
@jobs_option
@cache_option
@engine_option
def build(project_dir: Path | None, quiet: bool, site_dir: Path | None, theme: Path | None, offline: bool, pdf: bool, paper: str, jobs: int, no_cache: bool, engine: str) -> None:
    """Build the documentation site (and its PDF downloads) into site/."""
    from .console import configure
    from .engine import check
    from .pipeline import build as build_kit
    from .printing import paper_choices

    configure(quiet)
    check(engine, offline=offline)  # refuse an impossible combination before rendering any PDF
    kit = _load(project_dir)
    out = build_kit(kit, site_dir=site_dir, theme=theme, offline=offline, pdf=pdf, papers=paper_choices(paper), jobs=jobs or None, cache=not no_cache, engine=engine)
    if not quiet:
        click.echo(f"Built site: {out}")


@main.command("print")
@project_option
@quiet_option
@click.argument("assessment_ids", metavar="[ASSESSMENT]...", nargs=-1)
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None, help="Folder for the PDFs (default: PROJECT/build/pdf).")
@click.option("--theme", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None, help="A theme folder whose print templates and theme.yml override the default theme.")
@click.option("--only", "kinds", multiple=True, type=click.Choice(["toolkit", "sheet", "complete-kit", "hr-guide"]), help="Render only this kind of PDF (repeat for several).")
@paper_option
@jobs_option
@click.option("--no-cache", "no_cache", is_flag=True, help="Render every PDF, even those whose inputs did not change since they were last rendered.")
def print_pdfs(project_dir: Path | None, quiet: bool, assessment_ids: tuple[str, ...], output: Path | None, theme: Path | None, kinds: tuple[str, ...], paper: str, jobs: int, no_cache: bool) -> None:
    """Render PDFs only: toolkits, fillable sheets, the complete kit and the HR guide.

    Give assessment ids to render only their toolkits and sheets.
    """
    from .console import configure
    from .pipeline import print_pdfs as render_pdfs
    from .printing import paper_choices

    configure(quiet)
    kit = _load(project_dir)
    out = output or kit.project.root / "build" / "pdf"
    downloads = render_pdfs(kit, out, papers=paper_choices(paper), theme=theme, jobs=jobs or None, only=assessment_ids, kinds=kinds, cache=not no_cache)
    if not quiet:
        click.echo(f"Wrote {len(downloads)} PDF{'s' if len(downloads) != 1 else ''} to {out}")


@main.command()
@project_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--theme", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None, help="A theme folder overriding the default theme.")
@click.option("--pdf/--no-pdf", "pdf", default=True, show_default=True, help="Offer the PDF downloads: those in the cache at once, the others once rendered in the background.")
@engine_option
def serve(project_dir: Path | None, host: str, port: int, theme: Path | None, pdf: bool, engine: str) -> None:
    """Preview the site podkit build makes (pages, sample reports, PDF downloads); edits to
    content/, assessments/, themes/ or examples/ rebuild and reload it.

    PDFs whose inputs did not change since the last build come from the cache; the others are
    rendered in the background, and the Toolkits page says so until they are ready.
    """
    from .kit import Project
    from .preview import serve as run_server

    run_server(Project.find(project_dir), host=host, port=port, theme=theme, pdf=pdf, engine=engine)


@main.command("list")
@project_option
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON, for scripts.")
def list_assessments(project_dir: Path | None, as_json: bool) -> None:
    """List the kit's assessments: id, title, version, item count and session types."""
    kit = _load(project_dir)
    rows = [{"id": a.id, "title": " ".join(a.title.split()), "version": a.version, "items": len(a.items), "sessions": list(a.setting.sessions)} for a in kit.assessments]
    if as_json:
        import json

        click.echo(json.dumps(rows, indent=2))
        return
    table = [("ID", "TITLE", "VERSION", "ITEMS", "SESSION TYPES")] + [(r["id"], r["title"], r["version"], str(r["items"]), ", ".join(r["sessions"])) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        click.echo("  ".join(cell.rjust(w) if i == 3 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))) + "  " + row[4])


@main.command()
@click.argument("kind", type=click.Choice(["assessment", "observation", "actions", "self-check", "report", "portfolio"]))
def schema(kind: str) -> None:
    """Print the JSON Schema of an assessment, observation, action plan, self-check, report or portfolio file."""
    import json

    from .schema import MODELS, json_schema

    if kind not in MODELS:
        raise click.UsageError(f"no schema for {kind!r} yet")
    click.echo(json.dumps(json_schema(kind), indent=2, sort_keys=True))


def _iso_date(value: str | None, param: str):
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date like 2026-11-20, got {value!r}", param_hint=param) from None


@main.command("new-observation")
@click.argument("assessment")
@click.option("--pod", required=True, help="The pod's id, e.g. pod-aurora (lowercase, digits, hyphens).")
@click.option("--date", "date_text", default=None, metavar="YYYY-MM-DD", help="Date of the session (default: today).")
@click.option("--observers", default=None, metavar="A,B", help="Pseudonymous observer ids, comma-separated, at most 4 (default: obs-1, … as many as the assessment suggests).")
@click.option("--session", "session_type", default=None, metavar="TYPE", help="Session type, e.g. planning or stand-up (default: the assessment's first).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "csv"], case_sensitive=False), default="yaml", show_default=True, help="yaml: a commented record; csv: a spreadsheet template, one row per item per observer, with a 'prompt' column that says how to answer.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="File to write (default: POD--ASSESSMENT--DATE.yaml or .csv here). Never overwritten.")
@project_option
@quiet_option
def new_observation(assessment: str, pod: str, date_text: str | None, observers: str | None, session_type: str | None, fmt: str, output: Path | None, project_dir: Path | None, quiet: bool) -> None:
    """Write a blank observation record for ASSESSMENT, every item listed, ready to fill.

    With --format csv, a template to fill in a spreadsheet: the header, then a row per item per
    observer; read the 'prompt' column, write the answer in its column, clear 'not_observed'.
    Save it as CSV (comma delimited) and score it with podkit score.
    """
    import datetime as dt
    import re

    from .blanks import blank_csv, blank_observation, default_file_name
    from .model import CONSENSUS, MAX_OBSERVERS, OBSERVER_ID_PATTERN, SESSION_TYPES
    from .outputs import write_new

    kit = _load(project_dir)
    a = kit.assessment(assessment)
    _check_pod(pod, "--pod")
    date = _iso_date(date_text, "--date") or dt.date.today()
    if observers is None:
        names = [f"obs-{i}" for i in range(1, a.setting.observers + 1)]
    else:
        names = [x.strip() for x in observers.split(",") if x.strip()]
        bad = [x for x in names if not re.match(OBSERVER_ID_PATTERN, x) or x == CONSENSUS]
        if bad or not names or len(names) > MAX_OBSERVERS or len(set(names)) != len(names):
            raise click.BadParameter(f"give 1 to {MAX_OBSERVERS} different pseudonymous ids like 'obs-a,obs-b' (letters, digits, '-', '_'), never a person's name", param_hint="--observers")
    stype = session_type or a.setting.sessions[0]
    if stype not in SESSION_TYPES:
        raise click.BadParameter(f"expected one of: {', '.join(SESSION_TYPES)}; got {stype!r}", param_hint="--session")
    fmt = fmt.lower()
    target = Path(output) if output is not None else Path(default_file_name(a.id, pod, date, fmt))
    if target.is_dir():
        target = target / default_file_name(a.id, pod, date, fmt)
    ref = _schema_ref(kit, "observation", target)
    if fmt == "csv":
        text = blank_csv(a, pod=pod, date=date, observers=names, session_type=stype, duration=a.setting.duration_minutes)
    else:
        text = blank_observation(a, pod=pod, date=date, observers=names, session_type=stype, duration=a.setting.duration_minutes, schema_ref=ref)
    write_new(target, text)
    if stype not in a.setting.sessions:
        click.echo(f"note: {a.id!r} is meant for {', '.join(a.setting.sessions)} sessions, not {stype}", err=True)
    if date > dt.date.today():
        click.echo(f"note: {date.isoformat()} is in the future; podkit score accepts the record from that day on", err=True)
    if not quiet:
        marked = "'not_observed' yes" if fmt == "csv" else "'not_observed: true'"
        click.echo(f"Wrote {target}: {len(a.items)} items for {', '.join(names)}, all {marked} until filled.")


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-f", "--format", "formats", multiple=True, default=["html,json"], show_default=True, metavar="LIST", help="Comma-separated: html, pdf, json, md (may also be repeated: -f html -f json).")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"), show_default=True, help="Folder for the reports.")
@click.option("--as-of", "as_of_text", default=None, metavar="YYYY-MM-DD", help="Report date: debt ages up to this day, later sessions are left out (default: today). Recorded in the report.")
@click.option("--redact-evidence", is_flag=True, help="For reports shared beyond the pod: replace every evidence note, session note, reason for dropping an action and custom action title with [redacted], and leave the pod's self-check out.")
@click.option("--theme", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None, help="A theme folder whose report templates override the default ones.")
@click.option("--kit-templates", is_flag=True, help="Also use the kit's own report templates (themes/default/report in the project); by default reports use podkit's built-in templates.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Processes that read and score the files (default: one per CPU core; a few hundred files use one).")
@click.option("--summary", "summary_format", type=click.Choice(["text", "json"], case_sensitive=False), default="text", show_default=True, help="How the summary is printed: a line per report and one for the portfolio (text), or one JSON object for scripts (json).")
@csv_delimiter_option
@project_option
@quiet_option
def score(inputs: tuple[Path, ...], formats: tuple[str, ...], out_dir: Path, as_of_text: str | None, redact_evidence: bool, theme: Path | None, kit_templates: bool, jobs: int, summary_format: str, csv_delimiter: str, project_dir: Path | None, quiet: bool) -> None:
    """Score observation files (YAML, CSV, filled PDF sheets; files or folders) into reports.

    Writes one report per pod and assessment (POD--ASSESSMENT.html, .json, …) and, when several
    pods are present, a portfolio (portfolio.*). Every input is checked before anything is written.
    Then prints a summary: per report the pod, the assessment, the latest score and readiness
    level (or the items that had no observation), open findings and current alerts; then the
    portfolio. --summary json prints the same as one JSON object; -q prints only errors.
    """
    import datetime as dt

    from .console import configure, console
    from .pipeline import score as score_inputs
    from .report import FORMATS

    configure(quiet)
    given = ",".join(formats)  # -f html,json and -f html -f json mean the same
    wanted = [f.strip().lower() for f in given.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise click.BadParameter(f"expected a comma-separated list of {', '.join(FORMATS)}; got {given!r}", param_hint="--format")
    wanted = list(dict.fromkeys(wanted))
    csv_delimiter = _delimiter(csv_delimiter)
    today = dt.date.today()
    as_of = _iso_date(as_of_text, "--as-of") or today
    kit = _load(project_dir)
    result = score_inputs(kit, list(inputs), formats=wanted, out_dir=out_dir, as_of=as_of, today=today, redact=redact_evidence, theme=theme, kit_templates=kit_templates, progress=console.progress, jobs=jobs or None, csv_delimiter=csv_delimiter)
    for w in result.warnings:
        console.warn(w.format())
    if quiet:
        return
    if summary_format.lower() == "json":
        import json

        click.echo(json.dumps({
            "as_of": as_of.isoformat(),
            "output": str(out_dir),
            "reports": [line.as_dict() for line in result.reports],
            "portfolio": result.portfolio,
            "files": [str(p) for p in result.written],
            "warnings": len(result.warnings),
        }, indent=2))
        return
    for line in result.reports:
        click.echo(_summary_line(line))
    if result.portfolio is not None:
        click.echo(_portfolio_line(result.portfolio))
    click.echo(f"Wrote {len(result.written)} report file{'s' if len(result.written) != 1 else ''} to {out_dir} (as of {as_of.isoformat()}).")


def _delimiter(value: str) -> str:
    from .csvfiles import CSV_DELIMITERS

    d = {"tab": "\t", "\\t": "\t"}.get(value.strip().lower(), value)
    if d not in CSV_DELIMITERS:
        shown = ", ".join("tab" if c == "\t" else repr(c) for c in CSV_DELIMITERS)
        raise click.BadParameter(f"expected one of {shown}; got {value!r}", param_hint="--csv-delimiter")
    return d


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _summary_line(line) -> str:
    """One report in a line: pod, assessment, latest session, score and level (or what is
    missing), open findings, current alerts, and the report's files."""
    from .figures import fmt_pct, fmt_score

    head = f"{line.pod} · {line.assessment} · {_plural(line.sessions, 'session')}, latest {line.date.isoformat()}: "
    if line.status == "scored":
        level = f"readiness level: {line.level_title or line.level}" if line.level else "no readiness level reached"
        body = f"score {fmt_score(line.score)}, {level}"
    else:
        missing = [f"no record for item{'s' if len(ids) != 1 else ''} {_some(ids)}" if i == 0 else f"marked not observed: {_some(ids)}"
                   for i, ids in enumerate((line.unobserved, line.marked_not_observed)) if ids]
        body = f"insufficient evidence ({fmt_pct(line.coverage)} of the item weight observed)" + (": " + "; ".join(missing) if missing else "")
    tail = f"; {_plural(line.open_findings, 'open finding')}; {_plural(line.current_alerts, 'current alert')}"
    files = f" → {', '.join(line.files)}" if line.files else ""
    return head + body + tail + files


def _some(ids, limit: int = 6) -> str:
    return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _portfolio_line(pf: dict) -> str:
    return (f"Portfolio: {_plural(pf['pods'], 'pod')}, {_plural(pf['reports'], 'report')}; "
            f"{_plural(pf['open_findings'], 'open finding')}; {_plural(pf['current_alerts'], 'current alert')}"
            + (f" → {', '.join(pf['files'])}" if pf.get("files") else ""))


@main.command("new-action")
@click.argument("pod")
@click.argument("item", metavar="ITEM[/INTERVENTION]")
@click.option("--assessment", "assessment_id", default=None, metavar="ID", help="The item's assessment (needed only when several assessments have an item of that id).")
@click.option("--intervention", default=None, metavar="ID|N", help="One of the item's interventions: its id (the slug of its title) or its number (1 = the first listed).")
@click.option("--title", default=None, metavar="TEXT", help="The title of an intervention of your own, instead of --intervention.")
@click.option("--owner", default="pod", show_default=True, metavar="ROLE", help="The role that takes the action: pod, pod-lead, product-owner, facilitator, hr-partner, … or a role of your own like release-manager. Never a person's name.")
@click.option("--agreed", "agreed_text", default=None, metavar="YYYY-MM-DD", help="The day the pod agreed the action (default: today).")
@click.option("--due", "due_text", default=None, metavar="YYYY-MM-DD", help="When it is due (default: two weeks after --agreed).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The action plan to add to (default: actions/POD.yaml here; created when missing).")
@project_option
@quiet_option
def new_action(pod: str, item: str, assessment_id: str | None, intervention: str | None, title: str | None, owner: str, agreed_text: str | None, due_text: str | None, output: Path | None, project_dir: Path | None, quiet: bool) -> None:
    """Add an agreed action to POD's action plan, for ITEM, never rewriting other entries.

    ITEM is an item id, or a recommendation id as reports print it (ITEM/INTERVENTION), e.g.
    'podkit new-action pod-aurora goal-visible/pin-the-goal-to-the-board'.
    """
    import datetime as dt
    import difflib

    from . import actions
    from .model import OTHER_ROLE, OWNER_ROLES

    _check_pod(pod, "POD")
    item_id, from_id = actions.parse_recommendation_id(item)
    if from_id is not None and intervention is not None and from_id != intervention:
        raise click.BadParameter(f"ITEM names the intervention {from_id!r} and --intervention {intervention!r}; give one", param_hint="--intervention")
    intervention = from_id if from_id is not None else intervention
    if intervention is not None and title is not None:
        raise click.BadParameter("give --intervention (one of the item's) or --title (your own), not both", param_hint="--title")
    kit = _load(project_dir)
    assessments = {a.id: a for a in kit.assessments}
    if assessment_id is not None:
        a = kit.assessment(assessment_id)
        if item_id not in {it.id for it in a.items}:
            close = difflib.get_close_matches(item_id, [it.id for it in a.items], n=1)
            raise click.BadParameter(f"{a.id!r} has no item {item_id!r}" + (f" (did you mean {close[0]!r}?)" if close else ""), param_hint="ITEM")
    else:
        having = [a for a in kit.assessments if item_id in {it.id for it in a.items}]
        if not having:
            close = difflib.get_close_matches(item_id, sorted({it.id for a in kit.assessments for it in a.items}), n=1)
            raise click.BadParameter(f"no assessment has an item {item_id!r}" + (f" (did you mean {close[0]!r}?)" if close else ""), param_hint="ITEM")
        if len(having) > 1:
            raise click.BadParameter(f"several assessments have an item {item_id!r} ({', '.join(a.id for a in having)}); choose one with --assessment", param_hint="ITEM")
        a = having[0]
    ids = actions.intervention_ids(a.item(item_id))
    if intervention is not None and intervention.isdigit():
        n = int(intervention)
        if not 1 <= n <= len(ids):
            raise click.BadParameter(f"item {item_id!r} has {len(ids)} intervention{'s' if len(ids) != 1 else ''}" + (f": {', '.join(ids)}" if ids else "; use --title for your own"), param_hint="--intervention")
        intervention = ids[n - 1]
    if intervention is None and title is None:
        listed = f"one of: {', '.join(ids)}" if ids else "this item lists none"
        raise click.UsageError(f"name the intervention: --intervention ID ({listed}) or --title TEXT for one of your own")
    agreed = _iso_date(agreed_text, "--agreed") or dt.date.today()
    due = _iso_date(due_text, "--due") or agreed + dt.timedelta(days=actions.DEFAULT_DUE_DAYS)
    if owner == OTHER_ROLE:
        raise click.BadParameter("write the role itself, e.g. --owner release-manager", param_hint="--owner")
    fields = {"assessment": a.id, "item": item_id, "owner": owner, "agreed": agreed, "due": due}
    if owner not in OWNER_ROLES:
        fields.update(owner=OTHER_ROLE, owner_role=owner)
    fields.update({"intervention": intervention} if intervention is not None else {"custom": title})
    target = Path(output) if output is not None else Path(actions.ACTIONS_FOLDER) / f"{pod}.yaml"
    ref = _schema_ref(kit, "actions", target)
    added = actions.append_action(target, fields, assessments, pod=pod, schema_ref=ref)
    if not quiet:
        what = added.action.intervention or added.action.custom
        role = added.action.owner_role or added.action.owner
        click.echo(f"{target}:{added.line}: added action {added.action.id}: {added.action.item} → {what}; owner {role}; agreed {agreed.isoformat()}, due {due.isoformat()}")


@main.command("new-self-check")
@click.argument("pod")
@click.option("--assessment", "assessment_ids", multiple=True, metavar="ID", help="Ask only this assessment's questions (repeat for several; default: every assessment that has self-check questions).")
@click.option("--date", "date_text", default=None, metavar="YYYY-MM-DD", help="The day of the self-check (default: today).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="File to write (default: self-check/POD-DATE.yaml here). Never overwritten.")
@project_option
@quiet_option
def new_self_check(pod: str, assessment_ids: tuple[str, ...], date_text: str | None, output: Path | None, project_dir: Path | None, quiet: bool) -> None:
    """Write a blank weekly self-check record for POD: the pod's own answers, agreed together,
    scored apart from what observers record (see "Weekly pod self-check" on the site)."""
    import datetime as dt

    from . import selfcheck
    from .outputs import write_new

    _check_pod(pod, "POD")
    kit = _load(project_dir)
    chosen = [kit.assessment(x) for x in assessment_ids] if assessment_ids else kit.assessments
    asked = [a for a in chosen if a.self_check]
    if not asked:
        raise click.UsageError(f"{', '.join(a.id for a in chosen)}: no self-check questions; add a 'self_check' list to the assessment")
    date = _iso_date(date_text, "--date") or dt.date.today()
    name = selfcheck.default_file_name(pod, date)
    target = Path(output) if output is not None else Path(selfcheck.SELF_CHECK_FOLDER) / name
    if target.is_dir():
        target = target / name
    ref = _schema_ref(kit, "self-check", target)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_new(target, selfcheck.blank_self_check(asked, pod=pod, date=date, schema_ref=ref))
    if not quiet:
        n = sum(len(a.self_check) for a in asked)
        click.echo(f"Wrote {target}: {n} question{'s' if n != 1 else ''} of {', '.join(a.id for a in asked)}, all empty (not asked) until the pod answers them together.")


def _check_pod(pod: str, hint: str) -> None:
    """Refuse a pod id that is not a slug (the model's rule), naming the option ``hint``."""
    import re

    from .model import MAX_ID_LENGTH, SLUG_PATTERN

    if not re.match(SLUG_PATTERN, pod) or len(pod) > MAX_ID_LENGTH:
        raise click.BadParameter(f"expected an id like 'pod-aurora' (lowercase letters, digits, single hyphens, at most {MAX_ID_LENGTH}), got {pod!r}", param_hint=hint)


def _schema_ref(kit, kind: str, target: Path) -> str:
    """The ``$schema`` reference a new file at ``target`` gives to the kit's ``<kind>.schema.json``:
    relative to the file's folder, or a file URI on another drive."""
    import os

    schema_file = kit.project.schemas_dir / f"{kind}.schema.json"
    try:
        return Path(os.path.relpath(schema_file, target.resolve().parent)).as_posix()
    except ValueError:  # another drive (Windows)
        return schema_file.as_uri()


def run() -> None:
    """The console entry point: ``podkit`` with output that cannot be written (a full disk, a
    closed pipe) reported in one line, not a traceback."""
    try:
        main(prog_name="podkit")
    except OSError as exc:
        try:
            sys.stderr.write(f"Error: cannot write the output: {exc.strerror or exc}\n")
        except OSError:
            pass
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    run()
