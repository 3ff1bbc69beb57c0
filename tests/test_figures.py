"""figures.py: number formats and the inline SVG charts of reports."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from conftest import KITS, score_files
from podkit import figures
from podkit.figures import bar, fmt_alpha, fmt_num, fmt_pct, fmt_score, fmt_signed, heat_class, md_code, sparkline, swatch, trend_chart

SVG = "{http://www.w3.org/2000/svg}"


def _svg(markup) -> ET.Element:
    assert isinstance(markup, Markup)
    root = ET.fromstring(str(markup))  # well-formed XML
    assert root.tag == SVG + "svg"
    return root


# --------------------------------------------------------------------------- formats


def test_score_formats():
    assert fmt_score(62.5) == "62.5"
    assert fmt_score(62.46) == "62.5"
    assert fmt_score(70, digits=0) == "70"
    assert fmt_score(None) == "–"
    assert fmt_signed(4.26) == "+4.3"
    assert fmt_signed(-3) == "-3.0" and fmt_signed(0) == "+0.0" and fmt_signed(None) == "–"


def test_percent_number_and_alpha_formats():
    assert fmt_pct(0.6) == "60%" and fmt_pct(1) == "100%" and fmt_pct(None) == "–"
    assert fmt_num(12) == "12" and fmt_num(12.0) == "12" and fmt_num(1234567) == "1,234,567"
    assert fmt_num(2.5) == "2.5" and fmt_num(1234.56) == "1,234.6" and fmt_num(None) == "–"
    assert fmt_alpha(0.8123) == "0.812" and fmt_alpha(None) == "–"  # the report says why there is none (one observer / every value identical)


def test_md_code_is_one_literal_code_span():
    assert md_code("obs/a.yaml") == "`obs/a.yaml`"
    assert md_code("a`b|c\nd") == "`a'b\\|c d`"


@pytest.mark.parametrize("score, cls", [(None, "h-na"), (0, "h0"), (19.9, "h0"), (20, "h1"), (59.9, "h2"), (79.99, "h3"), (80, "h4"), (100, "h4")])
def test_heat_classes_are_bands_of_twenty(score, cls):
    assert heat_class(score) == cls


# --------------------------------------------------------------------------- charts


def test_bar_has_role_label_and_threshold_ticks():
    root = _svg(bar(62.5, marks=[0, 50, 75, 100]))
    assert root.get("role") == "img" and root.get("aria-label") == "score 62.5"
    rects = root.findall(SVG + "rect")
    assert rects[1].get("width") == str(round(260 * 0.625, 2))
    ticks = root.findall(SVG + "line")
    assert [t.get("x1") for t in ticks] == ["130.0", "195.0"]  # 0 and 100 are the bar's ends


def test_bar_without_a_score_says_so():
    root = _svg(bar(None))
    assert root.get("aria-label") == "no score: insufficient evidence"
    assert root.findall(SVG + "rect")[1].get("stroke-dasharray") == "3 2"


def test_bar_clamps_to_the_scale():
    assert _svg(bar(130)).findall(SVG + "rect")[1].get("width") == "260.0"
    assert _svg(bar(-5)).findall(SVG + "rect")[1].get("width") == "0.0"


def test_sparkline_leaves_gaps_for_missing_scores():
    root = _svg(sparkline([40, 55, None, 70, 80]))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "scores: 40.0, 55.0, no score, 70.0, 80.0"
    lines = root.findall(SVG + "polyline")
    assert [len(p.get("points").split()) for p in lines] == [2, 2]  # broken at the gap, not bridged
    circles = root.findall(SVG + "circle")
    scored = [c for c in circles if c.get("class") != "no-score"]
    assert len(scored) == 4 and scored[-1].get("r") == "2.6"  # the latest score stands out


def test_sparkline_marks_a_session_with_insufficient_evidence():
    root = _svg(sparkline([40, 55, None, 70, 80], width=120, height=28))
    (marker,) = [c for c in root.findall(SVG + "circle") if c.get("class") == "no-score"]
    # at the third session's x (pad 3, step (120 - 6) / 4 = 28.5), on the baseline, hollow and in the warning colour
    assert (marker.get("cx"), marker.get("cy"), marker.get("fill"), marker.get("stroke")) == ("60.0", "24", "#fff", "#b35900")


def test_sparkline_of_one_or_no_score():
    root = _svg(sparkline([None]))
    assert root.findall(SVG + "polyline") == []
    assert [c.get("class") for c in root.findall(SVG + "circle")] == ["no-score"]
    assert root.get("aria-label") == "scores: no score"
    assert len(_svg(sparkline([50])).findall(SVG + "circle")) == 1


def test_trend_chart_lines_labels_and_gaps():
    dates = [dt.date(2026, 3, 2) + dt.timedelta(days=7 * i) for i in range(4)]
    root = _svg(trend_chart(dates, [[50, 60, 70, 80], [10, None, 30, 40]]))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "trend of dimension scores over 4 sessions, 2026-03-02 to 2026-03-23"
    lines = root.findall(SVG + "polyline")
    assert [len(p.get("points").split()) for p in lines] == [4, 2]
    assert lines[0].get("stroke") == figures.PALETTE[0] and lines[0].get("stroke-dasharray") is None
    assert lines[1].get("stroke") == figures.PALETTE[1] and lines[1].get("stroke-dasharray") == figures.DASHES[1]
    labels = [t.text for t in root.findall(SVG + "text")]
    assert labels[:5] == ["0", "25", "50", "75", "100"]
    assert labels[5:] == ["02 Mar", "09 Mar", "16 Mar", "23 Mar"]
    last = root.findall(SVG + "text")[-1]
    assert last.get("text-anchor") == "end"  # stays inside the chart


def test_trend_chart_thins_date_labels_and_keeps_the_last():
    dates = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(30)]
    root = _svg(trend_chart(dates, [[50] * 30]))
    dated = [t.text for t in root.findall(SVG + "text")][5:]
    assert len(dated) <= 9 and dated[0] == "01 Jan" and dated[-1] == "30 Jan"


def test_trend_chart_of_one_session():
    root = _svg(trend_chart([dt.date(2026, 3, 2)], [[55]]))
    assert root.get("aria-label") == "trend of dimension scores over 1 sessions"
    assert root.findall(SVG + "polyline") == [] and len(root.findall(SVG + "circle")) == 1


def test_swatch_is_decorative():
    root = _svg(swatch(1))
    assert root.get("aria-hidden") == "true" and root.get("role") is None
    assert root.find(SVG + "line").get("stroke") == figures.PALETTE[1]
    assert _svg(swatch(len(figures.PALETTE))).find(SVG + "line").get("stroke") == figures.PALETTE[0]


def test_report_trend_draws_overall_then_each_dimension():
    from podkit.kit import Project, load_kit

    kit = load_kit(Project.find(KITS / "scoring"))
    (report,), _ = score_files(kit, [KITS / "scoring" / "observations-team"], dt.date(2026, 4, 15), version="t")
    root = _svg(figures.report_trend(report))
    assert root.get("aria-label") == f"trend of dimension scores over {len(report.sessions)} sessions, 2026-03-04 to 2026-04-01"
    strokes = {p.get("stroke") for p in root.findall(SVG + "polyline")} | {c.get("fill") for c in root.findall(SVG + "circle")}
    assert strokes <= set(figures.PALETTE[: 1 + len(report.dimensions)])
    assert figures.PALETTE[0] in strokes
