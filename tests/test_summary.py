"""summary.py: the one-page pod summary across assessments (HTML, PDF, Markdown).

The worked example of "Scoring explained" gives the figures of one card; a synthetic pod observed
with every shipped assessment (benchmarks/synth.py, written into a temporary folder) checks that
the summary stays one A4 page, one Letter page and one 1280×800 screen.
"""

from __future__ import annotations

import dataclasses

import datetime as dt
import re
import sys

import pytest

from conftest import KITS, ROOT, score_files
from podkit.kit import Project, load_kit
from podkit.model import SLUG_PATTERN
from podkit.pipeline import sample_reports, score
from podkit.portfolio import report_name
from podkit.report import Renderer
from podkit.summary import (
    SUMMARY_SUFFIX,
    TOP_RECOMMENDATIONS,
    assessment_card,
    overall_direction,
    render_summary_html,
    render_summary_markdown,
    render_summary_pdf,
    summaries_of,
    summary_name,
)

SCORING = KITS / "scoring"


@pytest.fixture(scope="module")
def worked():
    """The worked example's report on 30 March 2026 (three sessions)."""
    kit = load_kit(Project.find(SCORING))
    (r,), _ = score_files(kit, [SCORING / "observations", SCORING / "observations-consensus"], dt.date(2026, 3, 30), version="test")
    return r


@pytest.fixture(scope="module")
def shipped():
    return load_kit(Project.find(ROOT))


@pytest.fixture(scope="module")
def every_assessment(tmp_path_factory, shipped):
    """The reports of one synthetic pod observed four times with each of the 7 shipped assessments."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import synth
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    folder = tmp_path_factory.mktemp("every-assessment") / "obs"
    n = len(shipped.assessments)
    info = synth.make_observations(folder, 4 * n, sessions_per_pod=4)
    assert info == {"files": 4 * n, "pods": 1, "reports": n, "as_of": info["as_of"]}
    reports, _ = score_files(shipped, [folder], dt.date.fromisoformat(info["as_of"]), version="test")
    assert len(reports) == n == 7
    return reports


@pytest.fixture(scope="module")
def renderer():
    return Renderer.for_project(ROOT)


def _crowded(reports):
    """The summary of a pod observed with every assessment, at its fullest: the longest pod id,
    and two actions in flight with long titles on every assessment."""
    from podkit.model import MAX_ID_LENGTH
    from podkit.summary import InFlight

    (card,) = summaries_of(reports, as_of=reports[0].as_of, version="test")
    long = "Run the next five stand-ups by walking the board from right to left, card by card, with everyone"
    cards = []
    for n, a in enumerate(card.assessments):
        actions = [InFlight(assessment=a.assessment.id, id=f"act-{n}-{k}", title=f"{long} ({k})", item_title=long, owner="delivery lead",
                            status="in-progress" if k else "planned", due=dt.date(2026, 1, 1 + n), overdue=bool(k)) for k in range(2)]
        cards.append(a.model_copy(update={"actions": actions}))
    return card.model_copy(update={"pod": "p" * MAX_ID_LENGTH, "assessments": cards})


# --------------------------------------------------------------------------- what a card says


def test_worked_example_card(worked):
    card = assessment_card(worked)
    assert (card.status, card.score, card.level_title, card.why_not) == ("scored", 72.22, "Verifying", "")
    # overall 25.93, 55.56, 72.22 over sessions 1-3: least-squares slope +23.14 points per session, improving
    assert card.direction == overall_direction(worked) == "improving"
    from podkit.scoring import exact, rounded, slope

    assert rounded(slope([(p.session, exact(p.score)) for p in worked.overall.series])) == 23.14  # as "Scoring explained" says
    assert "slope of +23.14 per session (46.29 ÷ 2, rounded half to even): improving" in (ROOT / "content" / "scoring.md").read_text(encoding="utf-8")
    assert (card.debt_rating, card.debt_open, card.open_findings, card.open_critical) == ("B", 56, 1, 1)
    assert [(c.id, c.score, c.direction) for c in card.dimensions] == [("verification", 66.67, "improving"), ("flow", 83.33, "improving")]
    assert [c.alert for c in card.dimensions] == [False, False]
    assert [rec.item for rec in card.recommendations] == [rec.item for rec in worked.recommendations[:TOP_RECOMMENDATIONS]]
    assert card.report == "pod-demo--worked-example" and card.sessions == 3


def test_trend_arrow_boundaries_follow_rule_11(worked):
    def with_scores(*scores):
        series = [dataclasses.replace(p, score=s) for p, s in zip(worked.overall.series, scores)]  # a trend point is a frozen dataclass
        return worked.model_copy(update={"overall": worked.overall.model_copy(update={"series": series})})

    assert overall_direction(with_scores(50, 51, 52)) == "improving"  # slope exactly +1
    assert overall_direction(with_scores(52, 51, 50)) == "declining"  # exactly -1
    assert overall_direction(with_scores(50, 50.99, 51.98)) == "steady"  # +0.99
    assert overall_direction(with_scores(None, None, 60)) is None  # one scored session: no arrow yet
    assert overall_direction(with_scores(40, None, 60)) == "improving"  # gaps are skipped, x is the session number


def test_not_enough_evidence_says_why(worked):
    latest = worked.sessions[-1]
    blank = [it.model_copy(update={"observed": False, "level": None, "score": None, "responses": []}) for it in latest.items]
    sessions = [*worked.sessions[:-1], latest.model_copy(update={"items": blank})]
    overall = worked.overall.model_copy(update={"status": "insufficient-evidence", "score": None, "level": None, "level_title": None, "coverage": 0.0})
    card = assessment_card(worked.model_copy(update={"overall": overall, "sessions": sessions}))
    assert card.status == "insufficient-evidence" and card.score is None
    # blockers-unowned did not apply in session 3: it is not counted as missing
    assert card.why_not == "coverage 0% in the latest session, below the minimum of 60%; not observed: 3 items"


def test_in_flight_actions_are_the_reports_planned_or_in_progress_ones(shipped, renderer):
    """The sample action plans: every action in flight in a pod's reports is on its summary, and
    no done or dropped one."""
    from podkit.pipeline import SAMPLE_INPUTS, score_records
    from podkit.followup import read_plans
    from podkit.observations import find_inputs, load_observations

    paths = [ROOT / p for p in SAMPLE_INPUTS]
    found = find_inputs(paths)
    loaded = load_observations(paths, shipped.assessments, found=found)
    plans, sources, _ = read_plans(found.plans, {a.id: a for a in shipped.assessments})
    as_of = max(rec.observation.date for rec in loaded.records)
    reports, _ = score_records(loaded.records, shipped.assessments, as_of=as_of, plans=plans, plan_sources=sources, version="test")
    cards = summaries_of(reports, as_of=as_of, version="test")
    flying = {(r.pod, r.assessment.id, a.id) for r in reports for a in r.actions if a.in_flight}
    finished = {(r.pod, r.assessment.id, a.id) for r in reports for a in r.actions if not a.in_flight}
    assert flying, "the sample plans should have an action in flight"
    shown = {(c.pod, ac.assessment, ac.id) for c in cards for a in c.assessments for ac in a.actions}
    assert shown == flying and not shown & finished
    for card in cards:
        html = render_summary_html(card, renderer)
        for a in card.assessments:
            for ac in a.actions:
                assert ac.title[:30] in html and ac.due.isoformat() in html and ac.owner in html


def test_summary_name_never_collides_with_a_report_name():
    # "summary" is a valid assessment id, so "<pod>--summary" could be a report; a slug never holds a dot
    assert re.match(SLUG_PATTERN, "summary") and not re.match(SLUG_PATTERN, "pod-a.summary")
    assert summary_name("pod-a") == "pod-a.summary" and SUMMARY_SUFFIX == ".summary"
    assert summary_name("pod-a") != report_name("pod-a", "summary")


# --------------------------------------------------------------------------- one page, one screen


def test_every_assessment_fits_one_a4_and_one_letter_page(every_assessment, renderer, tmp_path):
    from pypdf import PdfReader

    card = _crowded(every_assessment)
    assert len(card.assessments) == 7
    pdf = render_summary_pdf(card, renderer)
    path = tmp_path / "a4.pdf"
    path.write_bytes(pdf)
    reader = PdfReader(str(path))
    assert len(reader.pages) == 1
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]  # A4
    html = render_summary_html(card, renderer, for_pdf=True)
    from podkit.pdf import report_pdf

    letter = report_pdf(html.replace("</style>", "@page { size: letter; }\n</style>", 1), attachment="{}", attachment_name="summary.json", stamp=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    (tmp_path / "letter.pdf").write_bytes(letter)
    reader = PdfReader(str(tmp_path / "letter.pdf"))
    assert len(reader.pages) == 1
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [612, 792]  # Letter
    text = reader.pages[0].extract_text()
    for r in every_assessment:
        assert r.assessment.title[:20] in text
    assert "and 9 more: see the full reports." in text  # 14 actions in flight, 5 listed


@pytest.mark.browser
def test_every_assessment_fits_one_screen(every_assessment, renderer, tmp_path, browser):
    card = _crowded(every_assessment)
    page_file = tmp_path / f"{summary_name(card.pod)}.html"
    page_file.write_text(render_summary_html(card, renderer), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        width, client_width, height, client_height = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth, document.documentElement.scrollHeight, document.documentElement.clientHeight]")
        assert width <= client_width and height <= client_height, f"{width}×{height} in a {client_width}×{client_height} window"
        # every card, the actions card and the footer are on the screen, none cut off at the bottom
        bottoms = page.evaluate("[...document.querySelectorAll('.sum-card, .sum-foot')].map(e => e.getBoundingClientRect().bottom)")
        assert len(bottoms) == 9 and max(bottoms) <= 800
        page.screenshot(path=str(tmp_path / "summary.png"))
    finally:
        context.close()


# --------------------------------------------------------------------------- formats and links


def test_html_and_markdown_link_every_full_report(worked, renderer):
    (card,) = summaries_of([worked], as_of=worked.as_of, version="test")
    html = render_summary_html(card, renderer)
    md = render_summary_markdown(card, renderer)
    assert 'href="pod-demo--worked-example.html"' in html and "(pod-demo--worked-example.md)" in md
    assert "Verifying" in html and "72.2" in html and "56 point-days" in html
    assert "↗ improving" in md and "No agreed action is planned or in progress." in md
    for rec in worked.recommendations[:TOP_RECOMMENDATIONS]:
        assert rec.title in md
    for rec in worked.recommendations[TOP_RECOMMENDATIONS:]:
        assert rec.title not in md


def test_pdf_is_pdf_a_with_the_summary_attached(worked, renderer, tmp_path):
    from pypdf import PdfReader

    (card,) = summaries_of([worked], as_of=worked.as_of, version="test")
    path = tmp_path / "s.pdf"
    path.write_bytes(render_summary_pdf(card, renderer))
    reader = PdfReader(str(path))
    assert len(reader.pages) == 1
    attached = reader.attachments["summary.json"][0]
    assert card.model_validate_json(attached) == card


def test_podkit_score_writes_one_summary_per_pod_linked_from_its_reports(shipped, tmp_path):
    out = tmp_path / "out"
    result = score(shipped, [ROOT / "examples" / "observations"], formats=["html", "md", "json"], out_dir=out, as_of=dt.date(2026, 11, 30), today=dt.date(2026, 11, 30), jobs=1)
    names = sorted(p.name for p in result.written)
    summaries = [n for n in names if SUMMARY_SUFFIX in n]
    pods = sorted({line.pod for line in result.reports})
    assert summaries == sorted(f"{summary_name(p)}{s}" for p in pods for s in (".html", ".md"))  # no JSON summary
    for pod in pods:
        text = (out / f"{summary_name(pod)}.html").read_text(encoding="utf-8")
        for line in result.reports:
            if line.pod == pod:
                assert f'href="{report_name(pod, line.assessment)}.html"' in text
    for line in result.reports:  # ... and every full report links back to its pod's summary
        stem = report_name(line.pod, line.assessment)
        assert f'<a href="{summary_name(line.pod)}.html">pod summary</a>' in (out / f"{stem}.html").read_text(encoding="utf-8")
        assert f"[pod summary]({summary_name(line.pod)}.md)" in (out / f"{stem}.md").read_text(encoding="utf-8")


def test_a_filled_sheet_named_like_a_summary_is_never_overwritten(shipped, tmp_path):
    from podkit.errors import PodkitError

    out = tmp_path / "out"
    out.mkdir()
    (out / "pod-aurora.summary.pdf").write_bytes(b"%PDF-1.7 a filled sheet")
    with pytest.raises(PodkitError, match="has the name of a report"):
        score(shipped, [ROOT / "examples" / "observations", out / "pod-aurora.summary.pdf"], formats=["pdf"], out_dir=out, as_of=dt.date(2026, 11, 30), today=dt.date(2026, 11, 30), jobs=1)
    assert (out / "pod-aurora.summary.pdf").read_bytes() == b"%PDF-1.7 a filled sheet"


def test_site_publishes_every_summary_and_reports_link_them(kit_copy):
    kit = load_kit(Project.find(kit_copy(".")))
    extras = sample_reports(kit)
    pods = sorted({name.split("/")[-1].split("--")[0] for name in extras.pages if "--" in name and name.endswith(".html")})
    assert len(pods) >= 3
    for pod in pods:
        assert f"reports/files/{summary_name(pod)}.html" in extras.pages
        assert f"(files/{summary_name(pod)}.html)" in extras.pages["reports/index.md"]
        report_page = next(text for name, text in extras.pages.items() if name.startswith(f"reports/files/{pod}--"))
        assert f'href="{summary_name(pod)}.html">pod summary</a>' in report_page
    showcase = extras.pages["reports/sample-pod-report.md"]
    assert re.search(r"\[pod summary\]\(files/pod-[a-z]+\.summary\.html\)", showcase)


# --------------------------------------------------------------------------- the full report's PDF layout


@pytest.mark.slow
def test_report_pdf_keeps_the_headline_on_one_row_and_the_footer_with_content(shipped, renderer):
    """The sample reports as PDFs: the four headline cards (score, level, debt, agreement) share one
    row on page 1, and the last page carries more than the provenance footer."""
    import pymupdf

    from podkit.report import render_pdf

    reports, _ = score_files(shipped, [ROOT / "examples" / "observations"], dt.date(2026, 10, 28), version="test")
    checked = 0
    for r in reports:
        if r.pod != "pod-borealis" and r is not reports[0]:
            continue  # pod-borealis' alignment report used to end on a page holding only the footer
        doc = pymupdf.open(stream=render_pdf(r, renderer), filetype="pdf")
        first = doc[0]
        tops = {label: first.search_for(label)[0].y0 for label in ("Overall score", "Readiness level", "Open Execution Debt", "Agreement (Krippendorff")}
        assert max(tops.values()) - min(tops.values()) < 2, f"{r.pod}/{r.assessment.id}: headline cards on several rows: {tops}"
        last = doc[-1].get_text()
        footer = f"podkit test · assessment {r.assessment.id}"
        before = last.split(footer)[0]
        assert footer in last and len(before.strip()) > 40, f"{r.pod}/{r.assessment.id}: the last page holds only the footer:\n{last}"
        checked += 1
    assert checked >= 3
