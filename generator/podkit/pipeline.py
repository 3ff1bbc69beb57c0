"""Each command's whole sequence, in one place: gather and validate everything, then write.

``podkit build``, ``print``, ``score`` and ``serve`` each call one function here. The order is the
same every time: load the kit (all problems in all files at once), read and check every other
input, and only then render and write, atomically. This is the only module that knows that order
and the only one that composes what the stages contribute to the site; :mod:`podkit.cli` only
parses options.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from .console import console
from .errors import PodkitError, Problem, format_key_path
from .kit import Kit, Project, load_kit


def load(project_dir: Path | None) -> Kit:
    """The kit in ``project_dir`` (default: the current folder), validated."""
    return load_kit(Project.find(project_dir))


# --------------------------------------------------------------------------- build


def build(kit: Kit, *, site_dir: Path | None = None, theme: Path | None = None, offline: bool = False, pdf: bool = True,
          papers: Sequence[str] = ("a4", "letter"), jobs: int | None = None, cache: bool = True, engine: str = "mkdocs") -> Path:
    """The documentation site, with the sample reports and (unless ``pdf`` is off) the PDFs.

    The site folder is checked first (podkit replaces only a folder it made), and the whole build
    holds the project's lock (one build or print per project at a time).
    """
    from .outputs import project_lock
    from .recorder import recorder_pages
    from .site import build_site, site_target

    target = site_target(kit.project, site_dir, theme, inputs=[kit.project.root / rel for rel in SAMPLE_INPUTS])
    with project_lock(kit.project.work_dir, on_wait=_waiting):
        extras = sample_reports(kit, theme=theme)
        extras.pages.update(recorder_pages(kit, theme=theme, offline=offline))
        if pdf:
            pdfs = pdf_downloads(kit, papers=list(papers), theme=theme, jobs=jobs, cache=cache)
            extras.files.update(pdfs.files)
            extras.downloads.extend(pdfs.downloads)
        return build_site(kit, site_dir=target, theme=theme, offline=offline, extras=extras, cache=cache, engine=engine)


def _waiting(pid: str) -> None:
    console.info(f"Waiting for another build of this project to finish (pid {pid}) …")


def pdf_downloads(kit: Kit, *, papers: list[str] | None = None, theme: Path | None = None, jobs: int | None = None, cache: bool = True):
    """Every PDF, rendered (or taken from the cache) into the project's work folder, as downloads.

    Cache entries this build did not use are removed.
    """
    from . import cache as cache_mod
    from .printing import write_pdfs
    from .site import SiteExtras

    out_dir = kit.project.work_dir / "pdf"
    used: set[str] = set()
    downloads = write_pdfs(kit, out_dir, papers=papers, theme=theme, workers=jobs, cache=cache, used=used)
    if cache_mod.enabled(cache):
        cache_mod.FileCache(kit.project.work_dir / "cache" / "pdf", ".pdf").prune(used)
    keep = {Path(d.path).name for d in downloads}
    for stale in out_dir.glob("*.pdf"):
        if stale.name not in keep:
            stale.unlink()
    return SiteExtras(files={d.path: out_dir / Path(d.path).name for d in downloads}, downloads=downloads)


#: Sample observations the site's Reports section is scored from.
SAMPLE_INPUTS = ("examples/observations",)
#: The site page of the one pod report shown in full (named so that it sorts after the portfolio).
SHOWCASE_PAGE = "sample-pod-report"


def _showcase(reports):
    """The sample pod report the site shows in full: the richest one (agreement, trend, debt)."""
    def richness(r):
        doubled = sum(1 for s in r.sessions if len(s.observers) > 1)
        return (-doubled, -len(r.sessions), -len(r.alerts), -(r.execution_debt.open + r.execution_debt.paid_down), r.pod, r.assessment.id)

    return sorted(reports, key=richness)[0]


def sample_reports(kit: Kit, inputs: Sequence[Path] | None = None, theme: Path | None = None, *, compiled=None):
    """Pages for the site's "Reports" section, scored from the sample observations.

    ``reports/index.md`` explains what a report is; ``reports/portfolio.md`` and one pod report are
    published as Markdown pages, and every sample report as a self-contained HTML file (plus the
    showcase's JSON) under ``reports/files/``. The report date is the latest sample session, so
    the site is reproducible.
    """
    from .followup import read_plans
    from .observations import find_inputs, load_observations
    from .report import Renderer, output_name, portfolio_links, render_html, render_json, render_markdown
    from .site import SiteExtras
    from . import __version__
    from .summary import render_summary_html, summaries_of, summary_name

    project = kit.project
    paths = [project.root / p for p in SAMPLE_INPUTS] if inputs is None else [Path(p) for p in inputs]
    paths = [p for p in paths if p.exists()]
    renderer = Renderer.for_project(project.root, theme, compiled=compiled)
    pages: dict[str, str] = {}
    scoring_page = (project.content_dir / "scoring.md").is_file()
    index = renderer.md.get_template("site-index.md.j2")
    if not paths:
        # A kit without samples gets the section's index only if its navigation asks for it.
        nav = project.mkdocs_yml.read_text(encoding="utf-8") if project.mkdocs_yml.is_file() else ""
        if "reports/index.md" in nav:
            pages["reports/index.md"] = index.render(portfolio=None, showcase=None, files={}, scoring_page=scoring_page)
        return SiteExtras(pages=pages)
    found = find_inputs(paths)  # one walk: observations, plans and self-check records
    loaded = load_observations(paths, kit.assessments, found=found)
    plans, sources, _ = read_plans(found.plans, {a.id: a for a in kit.assessments})
    as_of = max(rec.observation.date for rec in loaded.records)
    checks = _self_checks(found.self_checks, kit.assessments)
    reports, pf = score_records(loaded.records, kit.assessments, as_of=as_of, plans=plans, plan_sources=sources, self_checks=checks)
    showcase = _showcase(reports)
    files: dict[str, str] = {}
    for rep in reports:
        links = {"portfolio": "portfolio.html"} if pf is not None else {}
        files[f"{output_name(rep)}.html"] = render_html(rep, renderer, links={**links, "summary": f"{summary_name(rep.pod)}.html"})
    cards = summaries_of(reports, as_of=as_of, version=__version__)
    for card in cards:
        files[f"{summary_name(card.pod)}.html"] = render_summary_html(card, renderer)
    files[f"{output_name(showcase)}.json"] = render_json(showcase)
    if pf is not None:
        files["portfolio.html"] = render_html(pf, renderer, links=portfolio_links(pf, "html"))
        files["portfolio.json"] = render_json(pf)
        # every pod links to its full report: the showcase to its page, the others to their HTML file
        site_links = {key: f"files/{name}" for key, name in portfolio_links(pf, "html").items()}
        site_links[(showcase.pod, showcase.assessment.id)] = f"{SHOWCASE_PAGE}.md"
        pages["reports/portfolio.md"] = render_markdown(pf, renderer, links=site_links, charts=True)
    show_links = {"portfolio": "portfolio.md"} if pf is not None else {}
    show_links["summary"] = f"files/{summary_name(showcase.pod)}.html"
    pages[f"reports/{SHOWCASE_PAGE}.md"] = render_markdown(showcase, renderer, links=show_links, charts=True)
    for name, text in files.items():
        pages[f"reports/files/{name}"] = text
    pages["reports/index.md"] = index.render(portfolio=pf, showcase=showcase, show_name=SHOWCASE_PAGE, files=sorted(files), reports=reports, summaries=[f"{summary_name(c.pod)}.html" for c in cards], as_of=as_of, scoring_page=scoring_page)
    return SiteExtras(pages=pages)


# --------------------------------------------------------------------------- print


def print_pdfs(kit: Kit, out_dir: Path, *, papers: list[str], theme: Path | None = None, jobs: int | None = None,
               only: Sequence[str] | None = None, kinds: Sequence[str] | None = None, cache: bool = True) -> list:
    """The kit's PDFs (or some of them) into ``out_dir``; returns their downloads.

    ``out_dir`` receives PDFs (same-named ones are replaced, nothing else is touched); it is never
    the project, a folder above it or an input folder. Nothing is written before the assessments
    asked for are known.
    """
    from .outputs import guard_output_dir, mark_output_dir, project_lock
    from .printing import KINDS, write_pdfs

    for assessment_id in only or ():
        kit.assessment(assessment_id)  # an unknown id is a user error, before any folder is made
    p = kit.project
    inputs = [p.assessments_dir, p.content_dir, p.themes_dir, p.schemas_dir, *(p.root / rel for rel in SAMPLE_INPUTS)]
    if theme is not None:
        inputs.append(Path(theme))
    guard_output_dir(out_dir, p.root, inputs, replace=False, what="PDF folder")
    with project_lock(p.work_dir, on_wait=_waiting):
        mark_output_dir(out_dir)
        return write_pdfs(kit, out_dir, papers=papers, theme=theme, workers=jobs, only=only or None, kinds=kinds or KINDS, cache=cache)


# --------------------------------------------------------------------------- score


@dataclass(frozen=True)
class ReportLine:
    """One pod report as ``podkit score`` summarises it: the latest session's score and
    readiness level, or the items it had no observation for; open findings and current alerts."""

    pod: str
    assessment: str
    sessions: int
    date: _dt.date
    status: str
    score: float | None
    level: str | None
    level_title: str | None
    coverage: float
    unobserved: tuple[str, ...]  # items of the latest session with no observation: no record at all
    marked_not_observed: tuple[str, ...]  # … and those recorded as not observed (or not applicable)
    open_findings: int
    current_alerts: int
    files: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "pod": self.pod, "assessment": self.assessment, "sessions": self.sessions, "date": self.date.isoformat(),
            "status": self.status, "score": self.score, "level": self.level, "level_title": self.level_title,
            "coverage": self.coverage, "unobserved": list(self.unobserved),
            "marked_not_observed": list(self.marked_not_observed), "open_findings": self.open_findings,
            "current_alerts": self.current_alerts, "files": list(self.files),
        }


def report_line(report, files: Sequence[str] = ()) -> ReportLine:
    """The summary line of one pod report (taken from the report, nothing recomputed)."""
    latest = report.sessions[-1]
    return ReportLine(
        pod=report.pod,
        assessment=report.assessment.id,
        sessions=len(report.sessions),
        date=report.overall.date,
        status=report.overall.status,
        score=report.overall.score,
        level=report.overall.level,
        level_title=report.overall.level_title,
        coverage=report.overall.coverage,
        unobserved=tuple(it.id for it in latest.items if not it.observed and not it.responses),
        marked_not_observed=tuple(it.id for it in latest.items if not it.observed and it.responses),
        open_findings=report.execution_debt.open_findings,
        current_alerts=sum(1 for al in report.alerts if al.current),
        files=tuple(files),
    )


@dataclass
class Scored:
    """What ``podkit score`` wrote, a summary line per report (and of the portfolio), and the
    warnings found in its inputs."""

    written: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    reports: list[ReportLine] = field(default_factory=list)
    #: ``None`` without a portfolio (fewer than two pods); else pods, reports and its files
    portfolio: dict | None = None


def _report_warning(source_name: str | None, problem: Problem):
    from .results import ReportWarning

    message = problem.message
    if problem.key:
        message = f"{format_key_path(problem.key)}: {message}"
    return ReportWarning(source=source_name, line=problem.line, message=message)


def _self_checks(paths, assessments, today: _dt.date | None = None) -> dict:
    """The pod self-check records of ``paths`` (found by :func:`podkit.observations.find_inputs`),
    by pod (see :mod:`podkit.selfcheck`); raises with every problem when one is invalid."""
    from .errors import SourceErrors
    from .selfcheck import gather

    checks, problems = gather(paths, {a.id: a for a in assessments}, today)
    if any(p.severity == "error" for p in problems):
        raise SourceErrors(problems)
    return checks


def score_pod_records(a, records, *, as_of: _dt.date, redact: bool = False, version: str | None = None, plan=None, plan_source=None, self_checks=()):
    """The report of one pod for one assessment from all its records (``None`` when every session
    is dated after ``as_of``), with the ``(name, sha256)`` of the files it used. With the pod's
    action ``plan`` (read from ``plan_source``, a ``(name, sha256)`` counted among the inputs),
    the report reviews its actions (:mod:`podkit.followup`). ``self_checks`` are the pod's
    self-check records: shown in their own section, never scored (and left out of a redacted
    report)."""
    from . import __version__
    from .followup import follow_up
    from .observations import pod_sessions
    from .portfolio import inputs_digest, sorted_warnings
    from .results import ReportWarning
    from .scoring import score_pod

    sessions, found, files, later = pod_sessions(records, as_of)
    warnings = [_report_warning(rec.source.name, p) for rec, p in found]
    if later:
        pod = records[0].observation.pod
        warnings.append(ReportWarning(source=None, line=None, message=f"{later} session{'s' if later != 1 else ''} of pod {pod!r} dated after the report date {as_of.isoformat()} left out"))
    if not sessions:
        return None, warnings, files
    if plan is not None and plan_source is not None:
        files = set(files) | {plan_source}
    report = score_pod(a, records[0].observation.pod, sessions, as_of=as_of, version=version or __version__, inputs=inputs_digest(files), warnings=sorted_warnings(warnings), redact=redact)
    report = follow_up(report, a, plan)
    if self_checks and not redact:
        from .selfcheck import summarise

        report = report.model_copy(update={"self_check": summarise(a, self_checks, as_of)})
    return report, warnings, files


def score_records(records, assessments, *, as_of: _dt.date, redact: bool = False, version: str | None = None, plans=(), plan_sources=None, self_checks: dict | None = None):
    """Every pod report of ``records`` (held in memory) and their portfolio (``None`` with fewer
    than two pods). ``version`` is recorded as the podkit version (default: this one); ``plans``
    and ``plan_sources`` are the pods' action plans as :func:`podkit.followup.read_plans` gives
    them; ``self_checks`` maps a pod to its self-check records."""
    from . import __version__
    from .portfolio import build_portfolio, inputs_digest, pod_summary, sorted_warnings

    kit = {a.id: a for a in assessments}
    groups: dict[tuple[str, str], list] = {}
    for rec in records:
        groups.setdefault((rec.observation.assessment, rec.observation.pod), []).append(rec)
    reports, warnings, files = [], [], set()
    plan_of = {p.pod: p for p in plans}
    for key in sorted(groups):
        report, found, used = score_pod_records(kit[key[0]], groups[key], as_of=as_of, redact=redact, version=version, plan=plan_of.get(key[1]), plan_source=(plan_sources or {}).get(key[1]), self_checks=(self_checks or {}).get(key[1], ()))
        warnings += found
        if report is not None:
            reports.append(report)
            files |= used
    pf = build_portfolio([pod_summary(r) for r in reports], as_of=as_of, version=version or __version__, inputs=inputs_digest(files), warnings=sorted_warnings(warnings), redact=redact, plans=plan_of.values())
    return reports, pf


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while many small objects are built.

    Reading and scoring create no reference cycles worth collecting, but with a large heap each
    automatic collection walks every live object.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def score(kit: Kit, inputs: Sequence[Path], *, formats: Sequence[str], out_dir: Path, as_of: _dt.date, today: _dt.date,
          redact: bool = False, theme: Path | None = None, kit_templates: bool = False, jobs: int | None = None, progress=None, csv_delimiter: str = ",") -> Scored:
    """Read, check and score every input, then render and write one report per pod and
    assessment (and the portfolio, with two or more pods) in each format.

    Nothing is written unless every input is valid. The records wait in a temporary file between
    the two passes (see :mod:`podkit.store`), so memory does not grow with the inputs. Reports use
    podkit's own templates unless ``theme`` or ``kit_templates`` asks for others (a kit's
    templates are code: see SECURITY.md).
    """
    import pickle

    from . import __version__
    from .errors import SourceErrors
    from .followup import plans_without_observations, read_plans
    from .observations import PARALLEL_MIN_FILES, find_inputs
    from .portfolio import build_portfolio, inputs_digest, pod_summary, sorted_warnings
    from .report import Renderer, json_chunks, render
    from .outputs import atomic_write, guard_output_dir, mark_output_dir
    from .selfcheck import gather
    from .store import RecordStore
    from .summary import SUMMARY_FORMATS, assessment_card, pod_cards, render_summary
    from .workers import fork_map, plan_workers

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise PodkitError(f"{out_dir}: exists and is not a folder; choose another with -o")
    # Reports go INTO out_dir, which is never deleted: it may lie inside an input folder (reading
    # skips folders that carry podkit's output marker), but may not be one or contain one.
    guard_output_dir(out_dir, kit.project.root, [Path(i) for i in inputs if Path(i).is_dir()], replace=False, what="report folder")
    files, plan_paths, check_paths, problems = find_inputs(inputs)  # one walk finds all three kinds
    # the observation files' paths as text while they wait to be read: a Path object takes several
    # times the memory, tens of MB at 100,000 files (reading makes each a Path again)
    files = [(str(path), name, root) for path, name, root in files]
    checks, found = gather(check_paths, {a.id: a for a in kit.assessments}, today)
    problems += found
    if "pdf" in formats and out_dir.is_dir():
        _refuse_overwriting_inputs(files, out_dir)
    kit_by_id = {a.id: a for a in kit.assessments}
    with RecordStore() as store, _gc_paused():
        # Both passes are shared by worker processes on large inputs (see podkit.store).
        problems += store.read(files, kit_by_id, today, jobs=jobs, csv_delimiter=csv_delimiter)
        del files  # only the first pass needs the list (at 100,000 files tens of MB, inherited by every worker)
        problems += store.check_sessions()
        try:  # action plans: checked with everything else, before anything is written
            plans, plan_sources, found = read_plans(plan_paths, kit_by_id)
            problems += found + plans_without_observations(plan_paths, plans, {pod for _, pod in store.groups})
        except SourceErrors as exc:
            plans, plan_sources, problems = [], {}, problems + list(exc.problems)
        if any(p.severity == "error" for p in problems):
            raise SourceErrors(problems)
        plan_of = {p.pod: p for p in plans}
        result = Scored(warnings=sorted((p for p in problems if p.severity != "error"), key=Problem.sort_key))
        reported = [k for k in sorted(store.groups) if store.first_dates[k] <= as_of]
        if not reported:
            raise PodkitError(f"no session on or before the report date {as_of.isoformat()}; use --as-of with a later date")
        with_portfolio = len({pod for _, pod in reported}) >= 2
        renderer = Renderer.for_project(kit.project.root, theme, kit_templates=kit_templates) if set(formats) - {"json"} else None
        summary_formats = [fmt for fmt in formats if fmt in SUMMARY_FORMATS]
        total = (len(reported) + with_portfolio) * len(formats) + len({pod for _, pod in reported}) * len(summary_formats)
        summaries, warnings, used = [], [], set()

        mark_output_dir(out_dir)

        def write(rep) -> list[Path]:
            written = []
            for fmt in formats:
                name, content = render(rep, fmt, renderer, with_portfolio=with_portfolio, with_summary=True) if fmt != "json" else json_chunks(rep)
                written.append(atomic_write(out_dir / name, content))
            return written

        def score_group(key):
            """One pod and assessment: score, write its reports; what the portfolio and the
            summary need."""
            report, found, files_used = score_pod_records(kit_by_id[key[0]], store.records(store.groups[key]), as_of=as_of, redact=redact, plan=plan_of.get(key[1]), plan_source=plan_sources.get(key[1]), self_checks=checks.get(key[1], ()))
            if report is None:
                return None, found, files_used, [], None, None
            paths = write(report)
            card = assessment_card(report) if summary_formats else None  # only the one-page summaries use it
            return pod_summary(report), found, files_used, paths, report_line(report, [p.name for p in paths]), card

        done: dict[int, tuple] = {}
        finished = 0

        def report_progress(paths: list[Path]) -> None:
            nonlocal finished
            for path in paths:
                finished += 1
                if progress:
                    progress(finished, total, path.name)

        workers = plan_workers(jobs, len(store), min_items=PARALLEL_MIN_FILES)
        results = fork_map(score_group, reported, workers) if workers > 1 else ((i, score_group(k)) for i, k in enumerate(reported))
        for index, outcome in results:
            # kept pickled while the workers run (a pod's summary holds its trend series: as
            # objects, those of thousands of pods would sit in memory beside the workers')
            done[index] = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            report_progress(outcome[3])
        store.close()  # every pod is scored: nothing below needs a record
        cards, card_pods = [], []
        for index in range(len(reported)):  # in the order of the groups, whichever worker finished first
            summary, found, files_used, paths, line, card = pickle.loads(done.pop(index))
            warnings += found
            result.written += paths
            if summary is not None:
                used |= files_used
                summaries.append(summary)
                result.reports.append(line)
                if card is not None:
                    cards.append(card)
                    card_pods.append(summary.pod.pod)
        inputs_used = inputs_digest(used)
        del used
        pf = build_portfolio(summaries, as_of=as_of, version=__version__, inputs=inputs_used, warnings=sorted_warnings(warnings), redact=redact, plans=plans)
        del summaries, inputs_used  # the portfolio holds what it shows
        if pf is not None:
            paths = write(pf)
            result.written += paths
            report_progress(paths)
            result.portfolio = {
                "pods": len(pf.pods),
                "assessments": len(pf.assessments),
                "reports": sum(len(s.pods) for s in pf.assessments),
                "open_findings": sum(p.open_findings for s in pf.assessments for p in s.pods),
                "current_alerts": sum(p.current_alerts for s in pf.assessments for p in s.pods),
                "files": [p.name for p in paths],
            }
        del pf
        # last, one page per pod across its assessments (see podkit.summary)
        for pod_card in pod_cards(cards, pods=card_pods, as_of=as_of, version=__version__, redact=redact) if summary_formats else ():
            paths = [atomic_write(out_dir / name, content) for name, content in (render_summary(pod_card, fmt, renderer) for fmt in summary_formats)]
            result.written += paths
            report_progress(paths)
    return result


def _refuse_overwriting_inputs(files: list[tuple], out_dir: Path) -> None:
    """A filled sheet in the output folder named like a report (``POD--ASSESSMENT.pdf``,
    ``portfolio.pdf``, ``POD.summary.pdf``) would be overwritten by it: refuse before reading anything."""
    from .summary import SUMMARY_SUFFIX

    here = out_dir.resolve()
    for path, _, _ in files:
        path = Path(path)
        if path.suffix.lower() == ".pdf" and ("--" in path.stem or path.stem == "portfolio" or path.stem.endswith(SUMMARY_SUFFIX)) and path.parent.resolve() == here:
            raise PodkitError(f"{path}: an input in the output folder has the name of a report podkit writes there; choose another folder with -o")
