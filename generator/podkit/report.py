"""Render pod reports and portfolios: JSON, Markdown, self-contained HTML and PDF/A-3b.

One renderer per format, all with the same shape: a pure ``render_<format>(report, env)``
returning text, and :func:`write_pdf` for the PDF (WeasyPrint, imported inside). Templates live in
``themes/default/report/`` (a ``--theme`` folder overrides them by name). The output depends only
on the report, which records ``as_of``: no wall-clock time reaches a report.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import gc
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from markupsafe import Markup

from .scoring import Portfolio, Report, report_name
from .templates import environment, theme_search_path
from .text import front_matter, html_inline, md_inline, plain

FORMATS = ("html", "pdf", "json", "md")
_SUFFIX = {"html": ".html", "pdf": ".pdf", "json": ".json", "md": ".md"}

#: Line colours for dimensions in trend charts (colour-blind-safe, Okabe–Ito), with dash patterns
#: so that the lines stay apart in greyscale print.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4"]


# --------------------------------------------------------------------------- helpers for templates


def fmt_score(value: float | None, digits: int = 1) -> str:
    """A score as shown to people: one decimal, or an en dash when there is none."""
    if value is None:
        return "–"
    return f"{value:.{digits}f}"


def fmt_pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def fmt_num(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}".rstrip("0").rstrip(".") if not float(value).is_integer() else f"{int(value):,}"


def fmt_signed(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:+.1f}"


def md_code(text: object) -> str:
    """A Markdown code span for file names and ids: nothing in it is interpreted."""
    s = " ".join(str(text).split()).replace("`", "'").replace("|", "\\|")
    return f"`{s}`"


def fmt_alpha(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def _points(values: Sequence[float | None], width: float, height: float, pad: float, lo: float = 0, hi: float = 100):
    n = len(values)
    step = (width - 2 * pad) / (n - 1) if n > 1 else 0
    out = []
    for i, v in enumerate(values):
        x = pad + i * step if n > 1 else width / 2
        y = None if v is None else pad + (height - 2 * pad) * (1 - (max(lo, min(hi, v)) - lo) / (hi - lo))
        out.append((round(x, 2), None if y is None else round(y, 2)))
    return out


def _segments(pts):
    segs, cur = [], []
    for x, y in pts:
        if y is None:
            if cur:
                segs.append(cur)
            cur = []
        else:
            cur.append((x, y))
    if cur:
        segs.append(cur)
    return segs


def _label(values: Sequence[float | None]) -> str:
    return ", ".join(fmt_score(v) if v is not None else "no score" for v in values)


def sparkline(values: Sequence[float | None], *, width: int = 120, height: int = 28, color: str = PALETTE[0]) -> Markup:
    """A small inline SVG line of scores (0–100); gaps where a session had no score."""
    pts = _points(values, width, height, 3)
    parts = [f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="scores: {_label(values)}">']
    parts.append(f'<line x1="0" y1="{height - 1}" x2="{width}" y2="{height - 1}" stroke="#d0d7de" stroke-width="1"/>')
    for seg in _segments(pts):
        if len(seg) > 1:
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.6" points="{" ".join(f"{x},{y}" for x, y in seg)}"/>')
    for i, (x, y) in enumerate(pts):
        if y is not None:
            r = 2.6 if i == len(pts) - 1 else 1.6
            parts.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="{color}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar(score: float | None, *, width: int = 260, height: int = 16, marks: Iterable[float] = ()) -> Markup:
    """A horizontal bar for a 0–100 score, with ticks at the readiness thresholds."""
    parts = [f'<svg class="bar" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{"score " + fmt_score(score) if score is not None else "no score: insufficient evidence"}">']
    parts.append(f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#f6f8fa" stroke="#d0d7de"/>')
    if score is not None:
        w = round(width * max(0.0, min(100.0, score)) / 100, 2)
        parts.append(f'<rect x="0" y="0" width="{w}" height="{height}" fill="#00796b"/>')
    else:
        parts.append(f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#fdf2e3" stroke="#b35900" stroke-dasharray="3 2"/>')
    for m in marks:
        if 0 < m < 100:
            x = round(width * m / 100, 2)
            parts.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{height}" stroke="#1b1f23" stroke-width="1" stroke-dasharray="2 2"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


#: Room for a date label ("26 Oct") at font size 10, with a little to spare for wider fonts.
_DATE_LABEL_WIDTH = 40


def trend_chart(dates: Sequence[_dt.date], series: Sequence[Sequence[float | None]], *, width: int = 640, height: int = 220) -> Markup:
    """Dimension scores (0–100) across sessions: one line per series, dates along the bottom."""
    left, bottom, top, right = 34, 26, 8, 12
    inner_w, inner_h = width - left - right, height - top - bottom
    n = len(dates)

    def x_at(i):
        return round(left + (inner_w * i / (n - 1) if n > 1 else inner_w / 2), 2)

    def y_at(v):
        return round(top + inner_h * (1 - max(0.0, min(100.0, v)) / 100), 2)

    span = f", {dates[0].isoformat()} to {dates[-1].isoformat()}" if n > 1 else ""
    parts = [f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="trend of dimension scores over {n} sessions{span}">']
    for g in (0, 25, 50, 75, 100):
        y = y_at(g)
        parts.append(f'<line x1="{left}" y1="{y}" x2="{width - right}" y2="{y}" stroke="#d0d7de" stroke-width="1"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3}" text-anchor="end" font-size="10" fill="#57606a">{g}</text>')
    # At most about eight dates; the last one always, drawn to end at its point so that it stays
    # inside the chart (centred, "26 Oct" ran past the right edge), and the one before it dropped
    # when the two would touch. The first date is centred: the left padding leaves room for it.
    every = max(1, math.ceil(n / 8))
    shown = list(range(0, n, every))
    if shown and shown[-1] != n - 1:
        if x_at(n - 1) - x_at(shown[-1]) < 1.5 * _DATE_LABEL_WIDTH:
            shown.pop()
        shown.append(n - 1)
    for i in shown:
        anchor = "end" if n > 1 and i == n - 1 else "middle"
        parts.append(f'<text x="{x_at(i)}" y="{height - 8}" text-anchor="{anchor}" font-size="10" fill="#57606a">{dates[i].strftime("%d %b")}</text>')
    for k, values in enumerate(series):
        color, dash = PALETTE[k % len(PALETTE)], DASHES[k % len(DASHES)]
        pts = [(x_at(i), None if v is None else y_at(v)) for i, v in enumerate(values)]
        for seg in _segments(pts):
            if len(seg) > 1:
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash_attr} points="{" ".join(f"{x},{y}" for x, y in seg)}"/>')
        for x, y in pts:
            if y is not None:
                parts.append(f'<circle cx="{x}" cy="{y}" r="2.8" fill="{color}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def report_trend(report: Report) -> Markup:
    """The trend chart of a pod report: the overall score first, then each dimension."""
    dates = [s.date for s in report.sessions]
    series = [[p.score for p in report.overall.series]] + [[p.score for p in d.series] for d in report.dimensions]
    return trend_chart(dates, series)


def swatch(k: int) -> Markup:
    color, dash = PALETTE[k % len(PALETTE)], DASHES[k % len(DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return Markup(f'<svg class="swatch" xmlns="http://www.w3.org/2000/svg" width="26" height="10" viewBox="0 0 26 10" aria-hidden="true"><line x1="1" y1="5" x2="25" y2="5" stroke="{color}" stroke-width="2.4"{dash_attr}/></svg>')


def heat_class(score: float | None) -> str:
    """CSS class of a heatmap cell: five bands of 20 points, or ``h-na`` without a score."""
    if score is None:
        return "h-na"
    return f"h{min(4, int(score // 20))}"


# --------------------------------------------------------------------------- environments


@dataclass
class Renderer:
    """The report templates, found through the theme search path."""

    html: object
    md: object

    @classmethod
    def for_project(cls, project_root: Path, theme: Path | None = None) -> "Renderer":
        path = theme_search_path(project_root, "report", theme)
        html_env = environment(path, autoescape=True)
        md_env = environment(path, autoescape=False)
        common = dict(
            score=fmt_score, pct=fmt_pct, num=fmt_num, signed=fmt_signed, alpha=fmt_alpha, plain=plain,
        )
        html_env.filters.update(common, inline=html_inline)
        md_env.filters.update(common, md=md_inline, code=md_code, front_matter=front_matter, inline=html_inline)
        charts = dict(sparkline=sparkline, bar=bar, trend_chart=trend_chart, report_trend=report_trend, swatch=swatch, heat_class=heat_class)
        html_env.globals.update(charts, css=_css(html_env))
        md_env.globals.update(charts)
        return cls(html_env, md_env)


def _css(env) -> Markup:
    source, _, _ = env.loader.get_source(env, "report.css")
    return Markup(source.replace("</", "<\\/"))


def _is_portfolio(report) -> bool:
    return isinstance(report, Portfolio)


def _context(report, links: dict | None, for_pdf: bool, charts: bool = False) -> dict:
    return {"r": report, "links": links or {}, "for_pdf": for_pdf, "charts": charts}


def render_json(report: Report | Portfolio) -> str:
    """The report as JSON, valid against its published schema.

    Keys come in the models' field order (fixed, so the output is deterministic) with a two-space
    indent; pydantic's serializer is used because it is many times faster than ``json.dumps``
    with an indent, which matters for portfolios of thousands of sessions.
    """
    return report.model_dump_json(indent=2) + "\n"


def render_markdown(report: Report | Portfolio, renderer: Renderer, *, links: dict | None = None, charts: bool = False) -> str:
    """The report as Markdown.

    The exported file (``-f md``) shows trends as text, which reads the same everywhere it is
    published (GitHub and most wikis strip inline SVG). With ``charts`` (the pages of the site,
    built with Material, which keeps raw HTML) it shows the HTML report's inline SVG charts
    instead: score bars, sparklines, the trend chart and the tinted heatmap cells.
    """
    name = "portfolio.md.j2" if _is_portfolio(report) else "report.md.j2"
    return renderer.md.get_template(name).render(**_context(report, links, False, charts))


def render_html(report: Report | Portfolio, renderer: Renderer, *, links: dict | None = None, for_pdf: bool = False) -> str:
    name = "portfolio.html.j2" if _is_portfolio(report) else "report.html.j2"
    return renderer.html.get_template(name).render(**_context(report, links, for_pdf))


def _fetcher():
    """Refuse every resource except data: URIs: a report never fetches anything."""
    try:  # the printing stage's restricted fetcher, given nothing it may serve from disk
        from .printing import Resources, make_url_fetcher

        return make_url_fetcher(Resources(theme_dirs=(), content_dir=None, roots=()))
    except ImportError:  # pragma: no cover - printing ships with podkit
        from weasyprint.urls import URLFetcher

        return URLFetcher(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=True)


def render_pdf(report: Report | Portfolio, renderer: Renderer, *, links: dict | None = None) -> bytes:
    """PDF/A-3b bytes with the report JSON attached as ``report.json`` (or ``portfolio.json``)."""
    from weasyprint import HTML, Attachment

    html = render_html(report, renderer, links=links, for_pdf=True)
    stamp = _dt.datetime.combine(report.as_of, _dt.time(0, 0), tzinfo=_dt.timezone.utc)
    name = "portfolio.json" if _is_portfolio(report) else "report.json"
    attachment = Attachment(string=render_json(report), name=name, description="The report as JSON (podkit schema)", created=stamp, modified=stamp, relationship="Data")
    return HTML(string=html, url_fetcher=_fetcher(), base_url=None).write_pdf(pdf_variant="pdf/a-3b", attachments=[attachment], uncompressed_pdf=False)


def write_pdf(report: Report | Portfolio, path: Path, renderer: Renderer, *, links: dict | None = None) -> Path:
    """Render the PDF and write it atomically."""
    from .sources import atomic_write

    return atomic_write(Path(path), render_pdf(report, renderer, links=links))


def read_attachment(pdf_path: Path) -> dict:
    """Read the report JSON back from a PDF report (for checks and round trips)."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf_path))
    for name, contents in reader.attachments.items():
        if name in ("report.json", "portfolio.json"):
            return json.loads(contents[0])
    raise KeyError("no report.json attached")


# --------------------------------------------------------------------------- everything


def output_name(report: Report | Portfolio) -> str:
    return "portfolio" if _is_portfolio(report) else report_name(report.pod, report.assessment.id)


def iter_rendered(reports: Sequence[Report], portfolio: Portfolio | None, formats: Sequence[str], renderer: Renderer, progress=None):
    """Render every report in every format, one file at a time: ``(file name, content)``."""
    items: list[Report | Portfolio] = list(reports) + ([portfolio] if portfolio is not None else [])
    return _render_each(items, len(items), portfolio is not None, formats, renderer, progress)


def _render_each(items: Iterable[Report | Portfolio], count: int, with_portfolio: bool, formats: Sequence[str], renderer: Renderer | None, progress=None):
    """Render ``items`` (``count`` of them, a portfolio last if ``with_portfolio``) one by one."""
    total = count * len(formats)
    done = 0
    for rep in items:
        stem = output_name(rep)
        for fmt in formats:
            links = _links(rep, fmt) if _is_portfolio(rep) else ({"portfolio": "portfolio" + _SUFFIX[fmt]} if with_portfolio and fmt != "json" else {})
            if fmt == "json":
                content: str | bytes = render_json(rep)
            elif fmt == "md":
                content = render_markdown(rep, renderer, links=links)
            elif fmt == "html":
                content = render_html(rep, renderer, links=links)
            else:
                content = render_pdf(rep, renderer, links=links)
            done += 1
            if progress:
                progress(done, total, stem + _SUFFIX[fmt])
            yield stem + _SUFFIX[fmt], content


def render_all(reports: Sequence[Report], portfolio: Portfolio | None, formats: Sequence[str], renderer: Renderer, progress=None) -> dict[str, str | bytes]:
    """Render every report in every format into memory: ``file name -> content``."""
    return dict(iter_rendered(reports, portfolio, formats, renderer, progress))


def _links(pf: Portfolio, fmt: str) -> dict:
    if fmt == "json":
        return {}
    return {(p.pod, s.assessment.id): p.report + _SUFFIX[fmt] for s in pf.assessments for p in s.pods}


def write_all(files: dict[str, str | bytes], out_dir: Path) -> list[Path]:
    """Write rendered files atomically into ``out_dir``."""
    from .sources import atomic_write

    return [atomic_write(Path(out_dir) / name, content) for name, content in sorted(files.items())]


# --------------------------------------------------------------------------- the score command


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while thousands of small objects are built.

    Reading and scoring create no reference cycles worth collecting, but with a large heap each
    automatic collection walks every live object; pausing it roughly halves the time for
    thousands of observation files.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def score_files(kit, inputs: Sequence[Path], *, formats: Sequence[str], out_dir: Path, as_of: _dt.date, today: _dt.date, redact: bool = False, theme: Path | None = None, progress=None, jobs: int | None = 1) -> tuple[list[Path], list]:
    """Read, check and score every input, render every report, then write them all.

    Nothing is written unless every input is valid. Returns the written paths and the warnings
    (``Problem`` objects) found in the inputs. ``jobs`` worker processes share the work (0 or
    ``None``: one per core; small inputs use one).
    """
    from .errors import PodkitError

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise PodkitError(f"{out_dir}: exists and is not a folder; choose another with -o")
    if "pdf" in formats and out_dir.is_dir():
        _refuse_overwriting_inputs(inputs, out_dir)
    with ScoreJob(kit, inputs, as_of=as_of, today=today, redact=redact, jobs=jobs) as job:
        # Every input is valid by now; each file is written (atomically) as soon as it is
        # rendered, so that thousands of reports never sit in memory together.
        written = job.run(formats, out_dir=out_dir, theme=theme, progress=progress)
        return written, job.warnings


def _refuse_overwriting_inputs(inputs: Sequence[Path], out_dir: Path) -> None:
    """A filled sheet in the output folder named like a report (``POD--ASSESSMENT.pdf``,
    ``portfolio.pdf``) would be overwritten by it: refuse before reading anything."""
    from .errors import PodkitError
    from .observations import collect_files

    here = out_dir.resolve()
    files, _ = collect_files(inputs)
    for path, _, _ in files:
        if path.suffix.lower() == ".pdf" and ("--" in path.stem or path.stem == "portfolio") and path.parent.resolve() == here:
            raise PodkitError(f"{path}: an input in the output folder has the name of a report podkit writes there; choose another folder with -o")


class ScoreJob:
    """``podkit score`` in two passes, so that memory does not grow with the files' content.

    Creating the job reads and checks every input (raising all problems at once, before anything
    is written); :meth:`run` then scores and renders one pod and assessment at a time, reading
    its records back from temporary files, and the portfolio last. Both passes can be shared
    by ``jobs`` worker processes.
    """

    def __init__(self, kit, inputs: Sequence[Path], *, as_of: _dt.date, today: _dt.date, redact: bool = False, jobs: int | None = 1):
        from .errors import PodkitError
        from .observations import scan_observations

        self.kit, self.as_of, self.redact, self.jobs = kit, as_of, redact, jobs
        with _gc_paused():
            self.scan = scan_observations(inputs, kit.assessments, today=today, jobs=jobs)
        self.warnings = self.scan.warnings
        #: groups with a session on or before the report date, each giving one report
        self.reported = [k for k in sorted(self.scan.groups) if self.scan.first_dates[k] <= as_of]
        if not self.reported:
            self.close()
            raise PodkitError(f"no session on or before the report date {as_of.isoformat()}; use --as-of with a later date")
        self.with_portfolio = len({pod for _, pod in self.reported}) >= 2

    def _run(self):
        from . import __version__
        from .scoring import ScoringRun

        return ScoringRun(self.kit.assessments, as_of=self.as_of, version=__version__, redact=self.redact)

    def run(self, formats: Sequence[str], *, out_dir: Path | None = None, theme: Path | None = None, progress=None) -> list:
        """Score and render every report in every format. With ``out_dir`` each file is written
        there and the paths are returned; without, the files are only rendered (in memory) and
        ``(file name, size)`` pairs are returned."""
        from .observations import PARALLEL_MIN_FILES
        from .sources import atomic_write
        from .workers import fork_pool, plan_workers

        global _SCORE
        run = self._run()
        renderer = Renderer.for_project(self.kit.project.root, theme) if set(formats) - {"json"} else None
        keys = sorted(self.scan.groups)
        total = (len(self.reported) + self.with_portfolio) * len(formats)
        workers = plan_workers(self.jobs, len(self.scan), min_items=PARALLEL_MIN_FILES)
        out: list = []
        done = 0

        def emit(name, value):
            nonlocal done
            done += 1
            if progress:
                progress(done, total, name)
            out.append(value)

        _SCORE = (self, run, list(formats), out_dir, renderer)
        gc.collect()
        gc.freeze()  # what the first pass kept is long-lived: collections (and forks) skip it
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            if workers > 1:
                with fork_pool(workers) as pool:
                    for key, (summary, warnings, files, produced) in zip(keys, pool.imap(_score_task, keys, chunksize=max(1, len(keys) // (workers * 16)))):
                        run.add(key, summary, warnings, files)
                        for name, value in produced:
                            emit(name, value)
            else:
                for key in keys:
                    summary, warnings, files, produced = _score_task(key)
                    run.add(key, summary, warnings, files)
                    for name, value in produced:
                        emit(name, value)
            self.close()  # every record is scored: the portfolio may use that memory
            if list(formats) == ["json"]:
                content = _portfolio_json(run)
                if content is not None:
                    emit("portfolio.json", atomic_write(out_dir / "portfolio.json", content) if out_dir is not None else sum(map(len, content)))
            else:
                pf = run.portfolio(release=True, list_files=False)
                if pf is not None:
                    for name, value in _produce(pf, list(formats), renderer, True, out_dir, files=run.file_rows):
                        emit(name, value)
        finally:
            _SCORE = ()
            gc.unfreeze()
            if was_enabled:
                gc.enable()
        return out

    def close(self) -> None:
        self.scan.close()

    def __enter__(self) -> "ScoreJob":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


#: What :func:`_score_task` reads (in-process, or inherited by forked workers).
_SCORE: tuple = ()
_TASKS = 0


def _score_task(key: tuple[str, str]):
    """Score one pod and assessment and render (and write) its report: returns what the
    portfolio needs and ``(file name, path or size)`` of each output."""
    from .scoring import pod_summary

    job, run, formats, out_dir, renderer = _SCORE
    global _TASKS
    report, warnings, files = run.score_only(job.scan.records(job.scan.groups[key]))
    produced = [] if report is None else list(_produce(report, formats, renderer, job.with_portfolio, out_dir))
    summary = None if report is None else pod_summary(report).model_dump_json()
    del report
    _TASKS += 1
    if _TASKS % 64 == 0:
        # The cyclic collector is off in this pass (with it on, full collections over the
        # growing heap made 100,000 files take 1.6 times as long); collect here now and then,
        # and freeze what survives, so each collection only looks at what is new.
        gc.collect()
        gc.freeze()
    return summary, warnings, files, produced


#: Input files serialized per piece when a report lists more than this many.
_FILES_PER_PIECE = 2000


def _json_parts(rep, files: list[tuple[str, str]] | None = None) -> tuple:
    """The bytes of :func:`render_json` in pieces, so that the JSON of a portfolio over
    100,000 files (tens of MB) is never held as one string, let alone copied.

    The list of input files, the bulk of it, is serialized a piece at a time and put where the
    report itself, serialized with an empty list, has ``"files": []`` (at the same indent).
    ``files`` gives the ``(name, sha256)`` rows of a report whose own list was left empty.
    """
    ser = rep.__pydantic_serializer__
    if files is None:
        if len(rep.inputs.files) <= _FILES_PER_PIECE:
            return ser.to_json(rep, indent=2), b"\n"
        files = [(f.name, f.sha256) for f in rep.inputs.files]
        rep = rep.model_copy(update={"inputs": rep.inputs.model_copy(update={"files": []})})
    raw = ser.to_json(rep, indent=2)
    at = raw.rindex(b'"files": []')
    view = memoryview(raw)
    return (view[:at], *_files_json(files), view[at + len(b'"files": []'):], b"\n")


def _files_json(files: list[tuple[str, str]]):
    """``"files": [...]`` of a report's inputs, as it appears in the report's JSON, in pieces."""
    from pydantic import TypeAdapter

    from .scoring import InputFile

    if not files:
        yield b'"files": []'
        return
    adapter = TypeAdapter(list[InputFile])
    yield b'"files": [\n'
    for i in range(0, len(files), _FILES_PER_PIECE):
        piece = adapter.dump_json([InputFile(name=n, sha256=d) for n, d in files[i:i + _FILES_PER_PIECE]], indent=2)[2:-2]  # without "[\n" and "\n]"
        yield (b",\n" if i else b"") + _indent(piece, 4)
    yield b"\n    ]"


def _indent(text: bytes, n: int) -> bytes:
    pad = b" " * n
    return pad + text.replace(b"\n", b"\n" + pad)


def _portfolio_json(run):
    """The JSON of ``run``'s portfolio as a stream of pieces, holding only one pod's trend in
    memory at a time (the portfolio object of 100,000 files takes about 100 MB): the bytes of
    :func:`render_json` of :meth:`~podkit.scoring.ScoringRun.portfolio`. ``None``: no portfolio.

    A skeleton (every pod without its trend, every section without its pods, no input files)
    is serialized, and each section's ``"pods": []`` and the ``"files": []`` are filled in.
    """
    light = run.portfolio(list_files=False, series=False)
    return None if light is None else _portfolio_pieces(run, light)


def _portfolio_pieces(run, light):
    from .scoring import PodSummary

    skeleton = light.model_copy(update={"assessments": [a.model_copy(update={"pods": []}) for a in light.assessments]})
    raw = skeleton.__pydantic_serializer__.to_json(skeleton, indent=2)
    view = memoryview(raw)
    pos = 0
    for section in light.assessments:
        at = raw.index(b'"pods": []', pos)  # the sections' lists, in order (the top-level one is never empty)
        yield view[pos:at]
        yield b'"pods": [\n'
        for i, p in enumerate(section.pods):
            pod = PodSummary.model_validate_json(run.summaries[(section.assessment.id, p.pod)]).pod
            yield (b",\n" if i else b"") + _indent(pod.__pydantic_serializer__.to_json(pod, indent=2), 8)
        yield b"\n      ]"
        pos = at + len(b'"pods": []')
    at = raw.index(b'"files": []', pos)
    yield view[pos:at]
    yield from _files_json(run.file_rows)
    yield view[at + len(b'"files": []'):]
    yield b"\n"


def _produce(rep, formats: Sequence[str], renderer, with_portfolio: bool, out_dir: Path | None, files: list | None = None):
    """Render ``rep`` in each format: ``(file name, path written or size in memory)``.

    ``files``: the input rows of a report whose list of files was left empty (see
    :meth:`~podkit.scoring.ScoringRun.portfolio`).
    """
    from .scoring import inputs_digest
    from .sources import atomic_write

    full = rep
    for fmt in formats:
        if fmt == "json":
            name, content = output_name(rep) + _SUFFIX[fmt], _json_parts(rep, files)
        else:
            if files is not None and full is rep:  # the templates get the complete report
                full = rep.model_copy(update={"inputs": inputs_digest(files)})
            ((name, content),) = _render_each([full], 1, with_portfolio, [fmt], renderer)
        if out_dir is not None:
            yield name, atomic_write(out_dir / name, content)
        else:
            yield name, sum(map(len, content)) if isinstance(content, tuple) else len(content)
        del content


# --------------------------------------------------------------------------- the site's sample


SAMPLE_INPUTS = ("examples/observations",)
#: The site page of the one pod report shown in full (named so that it sorts after the portfolio).
SHOWCASE_PAGE = "sample-pod-report"


def _showcase(reports: Sequence[Report]) -> Report:
    """The sample pod report the site shows in full: the richest one (agreement, trend, debt)."""
    def richness(r: Report):
        doubled = sum(1 for s in r.sessions if len(s.observers) > 1)
        return (-doubled, -len(r.sessions), -len(r.alerts), -r.execution_debt.total, r.pod, r.assessment.id)

    return sorted(reports, key=richness)[0]


def report_site_extras(kit, inputs: Sequence[Path] | None = None, theme: Path | None = None):
    """Pages for the site's "Reports" section, scored from the sample observations.

    ``reports/index.md`` explains what a report is; ``reports/portfolio.md`` and one pod report are
    published as Markdown pages, and every sample report as a self-contained HTML file (plus the
    showcase's JSON) under ``reports/files/``. The report date is the latest sample session, so
    the site is reproducible.
    """
    from . import __version__
    from .observations import load_observations
    from .scoring import score_all
    from .site import SiteExtras

    project = kit.project
    paths = [project.root / p for p in SAMPLE_INPUTS] if inputs is None else [Path(p) for p in inputs]
    paths = [p for p in paths if p.exists()]
    renderer = Renderer.for_project(project.root, theme)
    pages: dict[str, str] = {}
    scoring_page = (project.content_dir / "scoring.md").is_file()
    if not paths:
        # A kit without samples gets the section's index only if its navigation asks for it.
        nav = project.mkdocs_yml.read_text(encoding="utf-8") if project.mkdocs_yml.is_file() else ""
        if "reports/index.md" in nav:
            pages["reports/index.md"] = renderer.md.get_template("site-index.md.j2").render(portfolio=None, showcase=None, files={}, scoring_page=scoring_page)
        return SiteExtras(pages=pages)
    loaded = load_observations(paths, kit.assessments)
    dates = [rec.observation.date for rec in loaded.records]
    as_of = max(dates)
    reports, pf = score_all(loaded.records, kit.assessments, as_of=as_of, version=__version__)
    showcase = _showcase(reports)
    show_name = output_name(showcase)
    files: dict[str, str] = {}
    for rep in reports:
        links = {"portfolio": "portfolio.html"} if pf is not None else {}
        files[f"{output_name(rep)}.html"] = render_html(rep, renderer, links=links)
    files[f"{show_name}.json"] = render_json(showcase)
    if pf is not None:
        files["portfolio.html"] = render_html(pf, renderer, links=_links(pf, "html"))
        files["portfolio.json"] = render_json(pf)
        pages["reports/portfolio.md"] = render_markdown(pf, renderer, links={(showcase.pod, showcase.assessment.id): f"{SHOWCASE_PAGE}.md"}, charts=True)
    pages[f"reports/{SHOWCASE_PAGE}.md"] = render_markdown(showcase, renderer, links={"portfolio": "portfolio.md"} if pf is not None else {}, charts=True)
    for name, text in files.items():
        pages[f"reports/files/{name}"] = text
    pages["reports/index.md"] = renderer.md.get_template("site-index.md.j2").render(portfolio=pf, showcase=showcase, show_name=SHOWCASE_PAGE, files=sorted(files), reports=reports, as_of=as_of, scoring_page=scoring_page)
    return SiteExtras(pages=pages)
