"""Render pod reports and portfolios: JSON, Markdown, self-contained HTML and PDF/A-3b.

One renderer per format, all with the same shape: a pure ``render_<format>(report, renderer)``
returning text (bytes for the PDF, rendered by WeasyPrint through :mod:`podkit.pdf`). Templates
live in ``themes/default/report/`` (a ``--theme`` folder overrides them by name). The output
depends only on the report, which records ``as_of``: no wall-clock time reaches a report.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from . import figures, wording
from .portfolio import report_name, summary_name
from .results import Portfolio, Report
from .templates import BUILTIN_THEMES, environment, theme_search_path
from .text import front_matter, html_inline, md_inline, plain

FORMATS = ("html", "pdf", "json", "md")
SUFFIX = {"html": ".html", "pdf": ".pdf", "json": ".json", "md": ".md"}


# --------------------------------------------------------------------------- environments


@dataclass
class Renderer:
    """The report templates, found through the theme search path."""

    html: object
    md: object

    @classmethod
    def for_project(cls, project_root: Path, theme: Path | None = None, *, kit_templates: bool = True, compiled=None) -> "Renderer":
        """The report templates: ``theme`` first, then (with ``kit_templates``) the kit's own
        ``themes/default/report``, then podkit's built-in ones."""
        path = theme_search_path(project_root, "report", theme)
        if not kit_templates:
            kit_folder = (Path(project_root) / "themes").resolve()
            builtin = BUILTIN_THEMES.resolve()
            path = [p for p in path if not p.resolve().is_relative_to(kit_folder) or p.resolve().is_relative_to(builtin)]
        html_env = environment(path, autoescape=True, compiled=compiled)
        md_env = environment(path, autoescape=False, compiled=compiled)
        f = figures
        common = dict(score=f.fmt_score, pct=f.fmt_pct, num=f.fmt_num, signed=f.fmt_signed, alpha=f.fmt_alpha, plain=plain)
        html_env.filters.update(common, inline=html_inline)
        md_env.filters.update(common, md=md_inline, code=f.md_code, front_matter=front_matter, inline=html_inline)
        charts = dict(sparkline=f.sparkline, bar=f.bar, trend_chart=f.trend_chart, report_trend=f.report_trend, swatch=f.swatch, heat_class=f.heat_class)
        html_env.globals.update(charts, css=_css(html_env), not_validated=wording.NOT_VALIDATED, no_action=wording.NO_ACTION)
        md_env.globals.update(charts, not_validated=wording.NOT_VALIDATED, no_action=wording.NO_ACTION)
        return cls(html_env, md_env)


def _css(env) -> Markup:
    source, _, _ = env.loader.get_source(env, "report.css")
    return Markup(source.replace("</", "<\\/"))


def _is_portfolio(report) -> bool:
    return isinstance(report, Portfolio)


def _context(report, links: dict | None, for_pdf: bool, charts: bool = False) -> dict:
    return {"r": report, "links": links or {}, "for_pdf": for_pdf, "charts": charts}


def json_chunks(report: Report | Portfolio) -> tuple[str, tuple[bytes, bytes]]:
    """``(file name, content)`` of the report as JSON, valid against its published schema: the
    serializer's UTF-8 bytes and a final newline, as two chunks for the file writer, so that a
    large portfolio is never copied to add the newline or to decode it.

    Keys come in the models' field order (fixed, so the output is deterministic) with a two-space
    indent.
    """
    return output_name(report) + SUFFIX["json"], (report.__pydantic_serializer__.to_json(report, indent=2), b"\n")


def render_json(report: Report | Portfolio) -> str:
    """The report as JSON text: :func:`json_chunks`, decoded."""
    body, end = json_chunks(report)[1]
    text = body.decode("utf-8")
    del body  # the bytes go before the newline is added (the text is then extended in place)
    text += end.decode("ascii")
    return text


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


def render_pdf(report: Report | Portfolio, renderer: Renderer, *, links: dict | None = None) -> bytes:
    """PDF/A-3b bytes with the report JSON attached as ``report.json`` (or ``portfolio.json``)."""
    from .pdf import report_pdf

    html = render_html(report, renderer, links=links, for_pdf=True)
    stamp = _dt.datetime.combine(report.as_of, _dt.time(0, 0), tzinfo=_dt.timezone.utc)
    name = "portfolio.json" if _is_portfolio(report) else "report.json"
    return report_pdf(html, attachment=render_json(report), attachment_name=name, stamp=stamp)


# --------------------------------------------------------------------------- one file per format


def output_name(report: Report | Portfolio) -> str:
    """File name stem: ``portfolio`` or ``<pod>--<assessment>``."""
    return "portfolio" if _is_portfolio(report) else report_name(report.pod, report.assessment.id)


def portfolio_links(pf: Portfolio, fmt: str) -> dict:
    """Links from the portfolio to each pod report in the same format."""
    if fmt == "json":
        return {}
    return {(p.pod, s.assessment.id): p.report + SUFFIX[fmt] for s in pf.assessments for p in s.pods}


def render(report: Report | Portfolio, fmt: str, renderer: Renderer | None, *, with_portfolio: bool = False, with_summary: bool = False) -> tuple[str, str | bytes]:
    """``(file name, content)`` of one report in one format, linked to the portfolio if there is
    one and to the pod's one-page summary if one is written beside it."""
    if _is_portfolio(report):
        links = portfolio_links(report, fmt)
    else:
        links = {"portfolio": "portfolio" + SUFFIX[fmt]} if with_portfolio and fmt != "json" else {}
        if with_summary and fmt != "json":
            links["summary"] = summary_name(report.pod) + SUFFIX[fmt]
    name = output_name(report) + SUFFIX[fmt]
    if fmt == "json":
        return name, render_json(report)
    if fmt == "md":
        return name, render_markdown(report, renderer, links=links)
    if fmt == "html":
        return name, render_html(report, renderer, links=links)
    return name, render_pdf(report, renderer, links=links)


def render_all(reports, portfolio: Portfolio | None, formats, renderer: Renderer | None) -> dict[str, str | bytes]:
    """Every report (and the portfolio) in every format, in memory: ``file name -> content``."""
    out = {}
    for rep in [*reports, *([portfolio] if portfolio is not None else [])]:
        for fmt in formats:
            name, content = render(rep, fmt, renderer, with_portfolio=portfolio is not None)
            out[name] = content
    return out
