"""report.py: every output format, the published schema, golden reports, PDF/A attachment, redaction."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import jsonschema
import pytest

from conftest import KITS, ROOT, score_files
from podkit.cli import main
from podkit.kit import Project, load_kit
from podkit.pdf import read_attachment
from podkit.pipeline import sample_reports
from podkit.report import Renderer, render_all, render_html, render_json, render_markdown, render_pdf
from podkit.schema import json_schema
from podkit.results import Portfolio, Report

AS_OF = dt.date(2026, 4, 15)
KIT = KITS / "scoring"
INPUTS = [KIT / "observations", KIT / "observations-team"]


@pytest.fixture(scope="module")
def kit():
    return load_kit(Project.find(KIT))


@pytest.fixture(scope="module")
def renderer():
    return Renderer.for_project(KIT)


def _score(kit, redact=False, inputs=INPUTS):
    return score_files(kit, inputs, AS_OF, version="golden", redact=redact)  # observations and action plans


@pytest.fixture(scope="module")
def scored(kit):
    return _score(kit)


def _pod(reports, pod):
    return next(r for r in reports if r.pod == pod)


# --------------------------------------------------------------------------- JSON


def test_json_reports_validate_against_the_published_schemas(scored):
    reports, pf = scored
    for name, doc in [("report", r) for r in reports] + [("portfolio", pf)]:
        schema = json_schema(name)
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(json.loads(render_json(doc)))


def test_json_report_has_the_required_keys_in_range(scored):
    data = json.loads(render_json(_pod(scored[0], "pod-two")))
    assert data["pod"] == "pod-two" and data["assessment"] == {"id": "worked-example", "version": "1.0.0", "title": "Worked example"}
    assert data["as_of"] == "2026-04-15" and len(data["sessions"]) == 3
    assert 0 <= data["overall"]["score"] <= 100 and data["overall"]["level"] == "self-verifying"
    for d in data["dimensions"]:
        assert set(d) >= {"id", "score", "coverage", "status"} and 0 <= d["coverage"] <= 1
    assert -1 <= data["agreement"]["krippendorff_alpha"] <= 1
    # blockers (levels 2 and 1: 1.5) and the check (pass and fail: 1.5) each owed 0.5 for 14 days, then closed
    debt = data["execution_debt"]
    assert (debt["open"], debt["rating"], debt["open_findings"], debt["paid_down"], debt["closed_findings"]) == (0, "A", 0, 14, 2)
    assert isinstance(data["findings"], list) and isinstance(data["alerts"], list)
    assert data["podkit_version"] == "golden" and re.fullmatch(r"[0-9a-f]{64}", data["inputs"]["sha256"])
    assert Report.model_validate(data).pod == "pod-two"  # the JSON reads back into the model


def test_the_report_schema_is_served_by_the_cli(runner):
    result = runner.invoke(main, ["schema", "report"])
    assert result.exit_code == 0 and json.loads(result.output)["$id"].endswith("/report.schema.json")
    assert "execution_debt" in json.loads(result.output)["required"]


# --------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("fmt", ["json", "md", "html"])
def test_golden_pod_report(scored, renderer, golden, fmt):
    r = _pod(scored[0], "pod-two")
    text = {"json": lambda: render_json(r), "md": lambda: render_markdown(r, renderer, links={"portfolio": "portfolio.md"}), "html": lambda: render_html(r, renderer, links={"portfolio": "portfolio.html"})}[fmt]()
    golden(f"report/pod-two--worked-example.{fmt}", text)


@pytest.mark.parametrize("fmt", ["json", "md", "html"])
def test_golden_portfolio(scored, renderer, golden, fmt):
    files = render_all(scored[0], scored[1], [fmt], renderer)
    golden(f"report/portfolio.{fmt}", files[f"portfolio.{fmt}"])


def test_golden_worked_example_markdown(scored, renderer, golden):
    golden("report/pod-demo--worked-example.md", render_markdown(_pod(scored[0], "pod-demo"), renderer))


# --------------------------------------------------------------------------- HTML


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.srcs, self.tags = set(), [], [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if "href" in a:
            self.hrefs.append(a["href"])
        if "src" in a:
            self.srcs.append(a["src"])


def test_html_is_self_contained_and_every_link_resolves(scored, renderer):
    for rep in scored[0]:
        html = render_html(rep, renderer)
        p = _Links()
        p.feed(html)
        assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags and not p.srcs
        assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
        assert "url(" not in html
        internal = [h[1:] for h in p.hrefs if h.startswith("#")]
        assert internal and not [h for h in internal if h not in p.ids], "dangling in-page links"
        assert not [h for h in p.hrefs if not h.startswith("#")]
        # every item of every session has its evidence entry
        for s in rep.sessions:
            for it in s.items:
                assert f"ev-s{s.index}-{it.id}" in p.ids


def test_every_number_links_to_evidence(scored, renderer):
    rep = _pod(scored[0], "pod-two")
    html = render_html(rep, renderer)
    s2 = rep.sessions[1]
    assert f'<a href="#s2-dim-verification">{s2.dimensions[0].score:.1f}</a>' in html
    # observers at 1 and 3: the mean of their item scores, level 2 (and the check 1.5: a pass and a fail)
    assert '<a href="#ev-s2-done-demonstrated" title="evidence for done-demonstrated, session 2">2</a>' in html
    assert '<a href="#ev-s2-dod-checked" title="evidence for dod-checked, session 2">1.5</a>' in html
    entry = html.split('id="ev-s2-done-demonstrated"')[1].split("</div>\n<div class=\"evidence\"")[0]
    for text in ("obs-a", "obs-b", "Claims of done without links.", "Links were in the chat.", "observations-team/2026-03-18.yaml:14"):
        assert text in entry


def test_user_text_is_escaped(scored, renderer):
    rep = _pod(scored[0], "pod-two")
    html = render_html(rep, renderer)
    assert "<script>alert(1)</script>" not in html
    assert "Demo of the &lt;script&gt;alert(1)&lt;/script&gt; fix, <em>live</em>." in html
    assert "The <strong>demo</strong> room was booked." in html
    md = render_markdown(rep, renderer)
    assert "<script>" not in md and "&lt;script&gt;" in md


def test_charts_are_inline_svg(scored, renderer):
    html = render_html(_pod(scored[0], "pod-two"), renderer)
    assert html.count('<svg class="bar"') == 2 and html.count('<svg class="spark"') == 2 and '<svg class="trend"' in html
    pf_html = render_html(scored[1], renderer)
    assert pf_html.count('<svg class="spark"') == 2 and 'class="cell h' in pf_html


def test_site_markdown_has_the_charts_and_the_export_keeps_text(scored, renderer):
    rep = _pod(scored[0], "pod-two")
    exported, site = render_markdown(rep, renderer), render_markdown(rep, renderer, charts=True)
    assert "<svg" not in exported and " → " in exported
    assert site.count('<svg class="bar"') == 2 and site.count('<svg class="spark"') == 2 and site.count('<svg class="trend"') == 1
    for svg in re.findall(r"<svg [^>]*>", site):
        assert 'role="img" aria-label="' in svg or 'aria-hidden="true"' in svg, svg
    # the legend names the dimensions as escaped HTML: the raw block is not Markdown
    assert "<li>" in site and "<script" not in site
    pf_site = render_markdown(scored[1], renderer, charts=True)
    assert pf_site.count('<svg class="spark"') == 2 and '<span class="podkit-heat h' in pf_site
    assert "<svg" not in render_markdown(scored[1], renderer)


def test_trend_chart_keeps_every_date_label_inside():
    from podkit.figures import trend_chart

    for n in (2, 3, 9, 10, 16, 40):
        dates = [dt.date(2026, 1, 1) + dt.timedelta(days=7 * i) for i in range(n)]
        svg = trend_chart(dates, [[50.0] * n])
        labels = re.findall(r'<text x="([0-9.]+)" y="212" text-anchor="(\w+)"[^>]*>([^<]*)</text>', svg)
        assert labels[-1] == (f"{628:.1f}", "end", dates[-1].strftime("%d %b")), n
        xs = [float(x) - (40 if anchor == "end" else 20) for x, anchor, _ in labels]
        assert xs[0] >= 0 and all(b - a >= 40 for a, b in zip(xs, xs[1:])), (n, labels)  # no overlap


# --------------------------------------------------------------------------- PDF


@pytest.mark.slow
def test_pdf_is_pdfa3b_with_the_json_attached_and_deterministic(scored, renderer, tmp_path):
    from pypdf import PdfReader

    rep = _pod(scored[0], "pod-two")
    first = render_pdf(rep, renderer)
    assert render_pdf(rep, renderer) == first
    path = tmp_path / "r.pdf"
    path.write_bytes(first)
    assert read_attachment(path) == json.loads(render_json(rep))
    reader = PdfReader(str(path))
    assert list(reader.attachments) == ["report.json"]
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert reader.metadata["/CreationDate"].startswith("D:20260415")
    text = "".join(page.extract_text() for page in reader.pages)
    assert "pod-two" in text and "SHA-256" in text and rep.inputs.sha256[:16] in text.replace("\n", "")


# --------------------------------------------------------------------------- redaction and determinism


@pytest.mark.slow
def test_redaction_removes_every_evidence_note(kit, renderer, tmp_path):
    reports, pf = _score(kit, redact=True)
    files = render_all(reports, pf, ["json", "md", "html", "pdf"], renderer)
    notes = ["Two of three claims shown on screen", "Claims of done without links", "alert(1)", "room was booked", "Checklist read aloud"]
    for name, content in files.items():
        if name.endswith(".pdf"):
            (tmp_path / name).write_bytes(content)
            content = json.dumps(read_attachment(tmp_path / name))
        for note in notes:
            assert note not in content, (name, note)
    data = json.loads(files["pod-two--worked-example.json"])
    assert data["redacted"] is True and data["sessions"][1]["notes"] == "[redacted]"
    answers = [a for s in data["sessions"] for it in s["items"] for a in it["responses"]]
    assert {a["evidence"] for a in answers} == {"[redacted]", ""}
    assert data["overall"] == json.loads(render_json(_pod(_score(kit)[0], "pod-two")))["overall"]  # the numbers do not change


def test_output_is_deterministic_and_dated_only_by_as_of(kit, renderer):
    a = render_all(*_score(kit), ["json", "md", "html"], renderer)
    b = render_all(*_score(kit), ["json", "md", "html"], renderer)
    assert a == b
    today = dt.date.today().isoformat()
    if today != AS_OF.isoformat():
        assert not [n for n, c in a.items() if today in c]


# --------------------------------------------------------------------------- the command


def test_score_command_writes_reports_and_portfolio(runner, tmp_path):
    out = tmp_path / "out"
    args = ["score", *map(str, INPUTS), "-f", "json,md,html", "-o", str(out), "--as-of", "2026-04-15", "-p", str(KIT)]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summaries = [f"{pod}.summary.{f}" for pod in ("pod-demo", "pod-two") for f in ("md", "html")]  # no JSON summary
    assert sorted(p.name for p in out.iterdir() if p.name != ".podkit-output") == sorted([f"{n}.{f}" for n in ("pod-demo--worked-example", "pod-two--worked-example", "portfolio") for f in ("json", "md", "html")] + summaries)
    assert Portfolio.model_validate_json((out / "portfolio.json").read_text()).pods == ["pod-demo", "pod-two"]
    assert "Wrote 13 report files" in result.output  # 9 reports and 4 pod summaries


def test_score_one_pod_writes_no_portfolio_and_bad_formats_are_usage_errors(runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["score", str(INPUTS[0]), "-f", "json", "-o", str(out), "--as-of", "2026-03-30", "-p", str(KIT), "-q"])
    assert result.exit_code == 0 and [p.name for p in out.iterdir() if p.name != ".podkit-output"] == ["pod-demo--worked-example.json"]
    debt = json.loads((out / "pod-demo--worked-example.json").read_text())["execution_debt"]
    assert (debt["open"], debt["paid_down"], debt["rating"]) == (56, 56, "B")  # the worked example's ledger on 30 March
    result = runner.invoke(main, ["score", str(INPUTS[0]), "-f", "docx", "-o", str(out), "-p", str(KIT)])
    assert result.exit_code == 2 and "expected a comma-separated list of html, pdf, json, md" in result.output
    result = runner.invoke(main, ["score", str(INPUTS[0]), "--as-of", "2026-01-01", "-o", str(tmp_path / "none"), "-p", str(KIT)])
    assert result.exit_code == 1 and "no session on or before the report date 2026-01-01" in result.output


# --------------------------------------------------------------------------- the sample data and the site


def test_sample_observations_are_current():
    """examples/observations/ is what examples/make_observations.py writes for the current kit."""
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "make_observations.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_sample_observations_score(runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["score", str(ROOT / "examples" / "observations"), "-f", "json", "-o", str(out), "--as-of", "2026-10-28", "-p", str(ROOT)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    reports = [Report.model_validate_json(p.read_text()) for p in sorted(out.glob("*--*.json"))]
    pods = {r.pod for r in reports}
    assert len(pods) >= 3 and all(len(r.sessions) >= 4 for r in reports)
    assert any(len(s.observers) == 2 for r in reports for s in r.sessions)
    slopes = {r.pod: [d.direction for d in r.dimensions] for r in reports if r.assessment.id == "alignment"}
    assert "improving" in slopes["pod-aurora"] and "declining" in slopes["pod-borealis"]
    assert any(al.current for r in reports if r.pod == "pod-borealis" for al in r.alerts)
    assert (out / "portfolio.json").is_file()
    for r in reports:
        assert r.overall.score is None or 0 <= r.overall.score <= 100
        assert all(s.notes.startswith("SYNTHETIC") for s in r.sessions if s.sources[0].endswith(".yaml"))


def test_site_extras_publish_the_sample(kit_copy):
    kit = load_kit(Project.find(kit_copy(".")))
    extras = sample_reports(kit)
    assert {"reports/index.md", "reports/portfolio.md", "reports/files/portfolio.html"} <= set(extras.pages)
    pod_pages = [p for p in extras.pages if p.endswith(".md") and p not in ("reports/index.md", "reports/portfolio.md")]
    assert pod_pages == ["reports/sample-pod-report.md"]
    portfolio_page = extras.pages["reports/portfolio.md"]
    assert "(sample-pod-report.md)" in portfolio_page
    # "Pod names link to their full reports": every report that exists, not only the showcase's
    showcase = next(p for p in extras.pages if "--" in p and p.endswith(".json")).removeprefix("reports/").removesuffix(".json")
    published = {p.removeprefix("reports/") for p in extras.pages if "--" in p and p.endswith(".html")}
    assert len(published) >= 5
    for name in sorted(published - {showcase + ".html"}):
        assert f"]({name})" in portfolio_page, name
    assert "Synthetic sample data" in extras.pages["reports/index.md"]
    assert "[redacted]" not in extras.pages[pod_pages[0]]


def test_site_extras_without_samples(kit_copy):
    kit_dir = kit_copy("minimal")
    kit = load_kit(Project.find(kit_dir))
    assert sample_reports(kit).pages == {}  # the kit's navigation has no Reports section
    (kit_dir / "mkdocs.yml").write_text((kit_dir / "mkdocs.yml").read_text() + "  - Reports: reports/index.md\n")
    extras = sample_reports(kit)
    assert list(extras.pages) == ["reports/index.md"] and "no sample observations" in extras.pages["reports/index.md"]
    assert "../scoring.md" not in extras.pages["reports/index.md"]  # the minimal kit has no such page


@pytest.mark.slow
def test_build_publishes_the_reports_section(runner, tmp_path):
    from browser_util import copy_kit

    kit_dir = copy_kit(tmp_path / "kit")
    result = runner.invoke(main, ["build", "--no-pdf", "-q", "-p", str(kit_dir)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    site = kit_dir / "site"
    index = (site / "reports" / "index.html").read_text()
    assert "What a report looks like" in index and "portfolio/" in index
    assert (site / "reports" / "portfolio" / "index.html").is_file()
    assert (site / "reports" / "files" / "portfolio.html").is_file()
    assert (site / "schemas" / "report.schema.json").is_file()
    assert 'href="reports/"' in (site / "index.html").read_text() or "Reports" in (site / "index.html").read_text()


def test_file_names_cannot_break_out_of_markdown_code():
    from podkit.figures import md_code

    assert md_code("obs/a`<b>`|c.yaml:3") == "`obs/a'<b>'\\|c.yaml:3`"


def test_every_in_page_link_of_the_html_report_has_its_target(kit_copy):
    """The contents line and every number link to an id on the same page (the action review and
    the self-check too, when the report has them)."""
    import re

    kit = load_kit(Project.find(kit_copy(".")))
    extras = sample_reports(kit)
    pages = [text for name, text in extras.pages.items() if name.startswith("reports/files/") and "--" in name and name.endswith(".html")]
    assert pages
    for html in pages:
        ids = set(re.findall(r'\bid="([^"]+)"', html))
        targets = set(re.findall(r'href="#([^"]+)"', html))
        assert {"actions", "dimensions", "findings"} <= targets
        assert targets <= ids, targets - ids
