"""printing.py and sheets.py: print HTML (golden), PDFs (pages, outline, tags, text, fields),
determinism, themes, and the fillable sheet's round trip (the URL fetcher is in test_pdf.py,
the sheet reader's own cases in test_sheets.py).

Uses the sample kit in tests/kits/sample (two trimmed assessments covering every item kind, and
the three content pages of the HR guide), so that content changes elsewhere do not move these
tests. PDFs are rendered once per session; everything else is fast.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from podkit import __version__, kit as kit_mod, pdf, printing
from podkit.cli import main
from podkit.errors import PodkitError, SourceErrors
from podkit.kit import Project, load_kit
from podkit.model import AnchoredItem, CheckItem, CodesItem, CountItem, Observation
from podkit.sheets import read_sheet
from podkit.text import html_inline

from conftest import fill_sheet, first_page_gray, outline_titles

SAMPLE = Path(__file__).resolve().parent / "kits" / "sample"
DATE = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.timezone.utc)
IDS = ["alignment-sample", "voice-sample"]


@pytest.fixture(scope="module")
def kit():
    return load_kit(Project.find(SAMPLE))


@pytest.fixture(scope="module")
def ctx(kit):
    return printing.make_context(kit.project, date=DATE)


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


class _Fields(HTMLParser):
    """Form controls of an HTML document: (tag, attributes)."""

    def __init__(self):
        super().__init__()
        self.controls: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "textarea", "select"):
            self.controls.append((tag, dict(attrs)))


def _controls(html: str) -> list[tuple[str, dict]]:
    p = _Fields()
    p.feed(html)
    return p.controls


# --------------------------------------------------------------------------- print HTML (fast)


def _unversioned(html: str) -> str:
    """Golden files should not change with each release of podkit."""
    return html.replace(f'content="podkit {__version__}"', 'content="podkit VERSION"')


@pytest.mark.parametrize("assessment_id", IDS)
def test_toolkit_html_matches_golden(ctx, kit, golden, assessment_id):
    golden(f"print/{assessment_id}-toolkit.html", _unversioned(printing.render_toolkit_html(ctx, kit.assessment(assessment_id))))


def test_toolkit_carries_the_weekly_self_check_to_fill_in():
    """The shipped kit's toolkits end with the pod's weekly self-check: every question, the item it
    mirrors, four weeks to circle yes, no or the dash; named in the contents. A kit without
    questions prints no such section (the sample kit's golden toolkits)."""
    shipped = load_kit(Project.find(Path(__file__).resolve().parent.parent))
    context = printing.make_context(shipped.project, date=DATE)
    with_questions = [a for a in shipped.assessments if a.self_check]
    assert with_questions
    for a in with_questions:
        html = printing.render_toolkit_html(context, a)
        section = html.split(f'id="{a.id}--self-check"', 1)[1].split("</section>", 1)[0]
        assert f'href="#{a.id}--self-check"' in html
        for q in a.self_check:
            assert _norm(str(html_inline(q.question))) in _norm(section), q.id  # as the templates' inline filter prints it
        assert section.count("<tr>") == len(a.self_check) + 1  # a header row and a row per question
        assert section.count('class="fill answer"') == 4 * len(a.self_check)
        assert "never one per person" in section


def test_sheet_html_matches_golden(ctx, kit, golden):
    golden("print/voice-sample-sheet.html", _unversioned(printing.render_sheet_html(ctx, kit.assessment("voice-sample"))))


def test_complete_kit_and_hr_guide_html_match_golden(ctx, kit, golden):
    golden("print/complete-kit.html", _unversioned(printing.render_complete_kit_html(ctx, kit.assessments)))
    golden("print/hr-guide.html", _unversioned(printing.render_hr_guide_html(ctx, printing.load_guide_chapters(ctx))))


def test_css_differs_only_in_page_size(ctx):
    a4, letter = printing.render_css(ctx, "a4", "toolkit"), printing.render_css(ctx, "letter", "toolkit")
    assert "size: A4;" in a4 and "size: letter;" in letter

    def common(css, paper):
        return css.replace(f"size: {printing.PAPERS[paper][0]};", "").replace(f"stylesheet: {paper},", "")

    assert common(a4, "a4") == common(letter, "letter")
    assert "#00695c" in a4  # the default theme's primary colour


def test_toolkit_html_has_every_part(ctx, kit):
    a = kit.assessment("voice-sample")
    html = printing.render_toolkit_html(ctx, a)
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert "<title>Participation and voice (sample): observation toolkit</title>" in html
    assert '<meta name="dcterms.created" content="2026-10-01T12:00:00Z">' in html
    for part in ("guide", "sheet", "scoring", "readiness", "interventions"):
        assert f'id="voice-sample--{part}"' in html and f'href="#voice-sample--{part}"' in html
    assert "Consent script: read aloud" in html and "Nobody gets an individual score" in html
    assert "You can ask us to pause at any time" in html
    codes = next(it for it in a.items if isinstance(it, CodesItem))
    rows = printing.intervals(codes, a.setting.duration_minutes)
    assert len(rows) == a.setting.duration_minutes // codes.interval_minutes == 10
    assert rows[-1] == (10, 18, 20)
    for it in a.items:
        assert _norm(str(printing.html_inline(it.prompt))) in _norm(html)


def test_scale_meaning_column_only_when_a_level_has_a_description(ctx, kit):
    a = kit.assessment("alignment-sample")
    assert not any(s.description for s in a.scale)
    assert ">Meaning</th>" not in printing.render_toolkit_html(ctx, a).split('class="scale"')[1].split("</table>")[0]
    described = a.model_copy(update={"scale": [s.model_copy(update={"description": f"what level {s.level} looks like"}) for s in a.scale]})
    table = printing.render_toolkit_html(ctx, described).split('class="scale"')[1].split("</table>")[0]
    assert ">Meaning</th>" in table and "what level 3 looks like" in table


def test_critical_items_name_the_gates_that_depend_on_them(ctx, kit):
    a = kit.assessment("alignment-sample")
    html = printing.render_sheet_html(ctx, a)
    for it in a.items:
        gates = [(r, g) for r in a.readiness for g in r.gates if getattr(g, "item", None) == it.id]
        if it.critical and gates:
            words = ", ".join(f"{printing.plain(r.title)} (level {g.min_level} or above)" for r, g in gates)
            assert f"critical: gate of {words}" in html, it.id
    assert "critical: gate of Aligned (level 2 or above), Self-steering (level 2 or above)" in html


def test_user_text_is_escaped_in_print_html(ctx, kit):
    html = printing.render_toolkit_html(ctx, kit.assessment("voice-sample"))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html  # template syntax in data is never evaluated
    assert "[a link](http://example.com)" in html  # links in user text are not links
    assert "<strong>bold</strong> stays bold" in html


def test_sheet_fields_encode_item_ids(ctx, kit):
    a = kit.assessment("voice-sample")
    controls = _controls(printing.render_sheet_html(ctx, a))
    names = [attrs["name"] for _, attrs in controls]
    assert all("." not in n and n.startswith("pk__") for n in names)
    radios = {}
    for tag, attrs in controls:
        assert attrs.get("value", "x") != "", f"empty value on {attrs['name']} breaks PyMuPDF"
        if attrs.get("type") == "radio":
            radios.setdefault(attrs["name"], []).append(attrs["value"])
    singles = [n for n in names if n not in radios]
    assert len(singles) == len(set(singles)), "field names must be unique"
    for it in a.items:
        own = [n for n in names if n.startswith(f"pk__{it.id}__")]
        assert f"pk__{it.id}__evidence" in own
        if isinstance(it, AnchoredItem):
            assert radios[f"pk__{it.id}__level"] == [str(s.level) for s in a.scale] + ["not-observed"]
        elif isinstance(it, CheckItem):
            assert radios[f"pk__{it.id}__check"] == ["yes", "no", "not-observed"]
        elif isinstance(it, CountItem):
            assert {f"pk__{it.id}__count", f"pk__{it.id}__not-observed"} <= set(own)
        elif isinstance(it, CodesItem):
            grid = [n for n in own if re.fullmatch(rf"pk__{it.id}__i\d\d__[A-Za-z][A-Za-z0-9-]*", n)]
            assert len(grid) == 10 * len(it.codes)
            assert f"pk__{it.id}__i10__{it.codes[-1].id}" in grid
    for meta in ("assessment", "version", "pod", "date", "observer", "duration", "notes"):
        assert f"pk__meta__{meta}" in names
    assert radios["pk__meta__session"] == list(a.setting.sessions)


def test_file_names_and_papers():
    assert printing.file_name("toolkit", "a4", "alignment") == "alignment-toolkit-a4.pdf"
    assert printing.file_name("sheet", "letter", "alignment") == "alignment-sheet-fillable-letter.pdf"
    assert printing.file_name("complete-kit", "a4") == "podkit-complete-kit-a4.pdf"
    assert printing.file_name("hr-guide", "letter") == "podkit-hr-guide-letter.pdf"
    assert printing.paper_choices("both") == ["a4", "letter"]
    assert printing.paper_choices("Letter") == ["letter"]
    with pytest.raises(PodkitError, match="a4, letter or both"):
        printing.paper_choices("a3")


def test_hr_guide_links_stay_inside_the_pdf(ctx):
    chapters = printing.load_guide_chapters(ctx)
    assert [c.slug for c in chapters] == ["concepts", "hr-teams", "faq"]
    html = "".join(c.html for c in chapters)
    ids = set(re.findall(r'id="([^"]+)"', html)) | {c.slug for c in chapters}
    internal = re.findall(r'href="#([^"]+)"', html)
    assert internal and all(i in ids for i in internal), "every internal link has a target"
    assert 'href="#hr-teams--pod-level-only"' in html  # page.md#anchor → anchor in the PDF
    assert 'href="https://example.org/framework"' in html  # the web stays a link
    assert "scoring.md" not in html  # a page that is not in the guide: words only
    assert "example.org/diagram.png" not in html  # remote images are never fetched
    assert '<abbr title="Human Machine Intelligence">HMI</abbr>' in html


# --------------------------------------------------------------------------- dates


def test_source_date_prefers_source_date_epoch(monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    assert kit_mod.source_date(tmp_path) == dt.datetime.fromtimestamp(1790000000, dt.timezone.utc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(PodkitError, match="SOURCE_DATE_EPOCH"):
        kit_mod.source_date(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert kit_mod.source_date(tmp_path).timestamp() == kit_mod.FALLBACK_EPOCH  # not a git repository


# --------------------------------------------------------------------------- themes (fast)


def _theme(tmp_path, text: str | None = None, files: dict | None = None) -> Path:
    theme = tmp_path / "mytheme"
    (theme / "print").mkdir(parents=True)
    if text is not None:
        (theme / "print" / "theme.yml").write_text(text)
    for name, content in (files or {}).items():
        (theme / "print" / name).write_text(content)
    return theme


def test_theme_sets_organisation_and_colours(kit, tmp_path):
    theme = _theme(tmp_path, 'organisation:\n  name: Acme People & Culture\ncolours:\n  primary: "#123456"\n')
    ctx = printing.make_context(kit.project, theme, date=DATE)
    assert ctx.theme.organisation == "Acme People & Culture"
    assert ctx.theme.colours["primary"] == "#123456" and ctx.theme.colours["accent"] == "#d84315"
    assert ctx.theme.logo == "logo.svg"  # kept from the default theme
    html = printing.render_toolkit_html(ctx, kit.assessment("alignment-sample"))
    assert "Acme People &amp; Culture" in html
    assert "color: #123456" in printing.render_css(ctx, "a4", "toolkit")


def test_theme_overrides_templates_by_name(kit, tmp_path):
    theme = _theme(tmp_path, None, {"cover.html.j2": "<section class=\"cover\"><h1 class=\"doc-title\">{{ title }}</h1><p>Acme cover</p></section>\n"})
    html = printing.render_toolkit_html(printing.make_context(kit.project, theme, date=DATE), kit.assessment("alignment-sample"))
    assert "Acme cover" in html and "Consent script" in html


def test_broken_theme_template_is_a_located_user_error(kit, tmp_path):
    theme = _theme(tmp_path, None, {"cover.html.j2": "<section>\n{% if title %}\n</section>\n"})
    ctx = printing.make_context(kit.project, theme, date=DATE)
    with pytest.raises(PodkitError, match=r"cover\.html\.j2:3: template syntax error"):
        printing.render_toolkit_html(ctx, kit.assessment("alignment-sample"))


@pytest.mark.parametrize("text, key, message", [
    ('colours:\n  primary: "red; } body { display: none"\n', "colours.primary", 'expected a colour like "#00695c"'),
    ("organisation:\n  logo: ../../../etc/passwd\n", "organisation.logo", "inside this theme folder"),
    ("organisation:\n  logo: missing.png\n", "organisation.logo", "no such file"),
    ("organisation:\n  logo: theme.yml\n", "organisation.logo", "SVG, PNG or JPEG"),
    ("organisation:\n  nmae: Acme\n", "organisation.nmae", ""),
])
def test_bad_theme_file_is_a_located_error(kit, tmp_path, text, key, message):
    theme = _theme(tmp_path, text)
    with pytest.raises(SourceErrors) as err:
        printing.make_context(kit.project, theme)
    line = err.value.problems[0].format()
    assert "theme.yml:2:" in line and key in line and message in line


# --------------------------------------------------------------------------- PDFs (slow, once)


@pytest.fixture(scope="module")
def rendered(kit, tmp_path_factory):
    """Every PDF of the sample kit in both paper sizes, rendered once with a pool of 2 workers."""
    out = tmp_path_factory.mktemp("pdfs")
    ctx = printing.make_context(kit.project, date=DATE)
    downloads = printing.write_pdfs(kit, out, ctx=ctx, workers=2, cache=False)  # the kit is tests/kits: no cache there
    return out, {Path(d.path).name: d for d in downloads}, ctx


def _reader(path):
    from pypdf import PdfReader

    return PdfReader(path)


@pytest.mark.slow
def test_every_pdf_is_there_with_pages_and_size(rendered):
    out, downloads, _ = rendered
    expected = {printing.file_name(k, p, a) for p in ("a4", "letter") for a in IDS for k in ("toolkit", "sheet")}
    expected |= {printing.file_name(k, p) for p in ("a4", "letter") for k in ("complete-kit", "hr-guide")}
    assert set(downloads) == expected
    for name, d in downloads.items():
        path = out / name
        assert d.size == path.stat().st_size and d.pages == len(_reader(path).pages)
        box = _reader(path).pages[0].mediabox
        want = (595, 842) if name.endswith("-a4.pdf") else (612, 792)
        assert (round(float(box.width)), round(float(box.height))) == want, name
        assert d.path == f"downloads/{name}" and d.paper in ("A4", "US Letter")
    assert downloads["voice-sample-toolkit-a4.pdf"].assessment == "voice-sample"


@pytest.mark.slow
@pytest.mark.parametrize("assessment_id", IDS)
def test_toolkit_is_tagged_with_outline_and_every_prompt(rendered, kit, assessment_id):
    out, downloads, _ = rendered
    a = kit.assessment(assessment_id)
    reader = _reader(out / f"{assessment_id}-toolkit-a4.pdf")
    assert len(reader.pages) >= 4
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    assert reader.metadata.title == f"{a.title}: observation toolkit"
    titles = outline_titles(reader)
    for section in ("Contents", "Facilitator guide", "Observation sheet", "Scoring worksheet", "Readiness levels and gates", "Interventions"):
        assert section in titles
    assert all(it.title in titles for it in a.items)
    text = _norm(" ".join(p.extract_text() for p in reader.pages))
    for it in a.items:
        assert _norm(it.prompt) in text, f"prompt of {it.id} missing from the PDF text"
    assert "Page 2 of" in text
    links = [a.get_object() for page in reader.pages[:2] for a in page.get("/Annots", [])]
    assert links and all(str(a["/Contents"]).startswith("Go to ") for a in links if a["/Subtype"] == "/Link")


@pytest.mark.slow
def test_complete_kit_and_hr_guide(rendered, kit):
    out, downloads, _ = rendered
    complete = _reader(out / "podkit-complete-kit-a4.pdf")
    assert len(complete.pages) > max(downloads[f"{a}-toolkit-a4.pdf"].pages for a in IDS)
    titles = outline_titles(complete)
    assert all(a.title in titles for a in kit.assessments)
    assert "/StructTreeRoot" in complete.trailer["/Root"]
    guide = _reader(out / "podkit-hr-guide-letter.pdf")
    titles = outline_titles(guide)
    assert {"Concepts", "Guidance for HR teams", "Frequently asked questions", "Pod level only"} <= set(titles)
    text = _norm(" ".join(p.extract_text() for p in guide.pages))
    assert "Every item describes what the pod does as a whole." in text


@pytest.mark.slow
def test_first_page_of_every_pdf_is_not_blank(rendered):
    out, downloads, _ = rendered
    for name in downloads:
        _, _, pixels = first_page_gray(out / name, dpi=30)
        inked = sum(1 for p in pixels if p < 160) / len(pixels)
        assert inked > 0.005, f"{name}: page 1 looks blank ({inked:.2%} inked)"


@pytest.mark.slow
def test_fillable_sheet_has_fields_for_every_item(rendered, kit):
    out, _, _ = rendered
    a = kit.assessment("voice-sample")
    reader = _reader(out / "voice-sample-sheet-fillable-a4.pdf")
    fields = reader.get_fields()
    assert not [n for n in fields if "." in n], "no dotted pseudo-fields"
    for it in a.items:
        assert any(n.startswith(f"pk__{it.id}__") for n in fields), it.id
    assert fields["pk__meta__assessment"]["/V"] == "voice-sample"
    assert int(fields["pk__meta__assessment"].get("/Ff", 0)) & 1, "identity fields are read-only"
    assert reader.metadata["/podkitassessmentversion"] == a.version
    assert outline_titles(reader), "the sheet has bookmarks too"
    # tagged like the toolkits: every field widget is part of the structure tree
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    widgets = [w.get_object() for page in reader.pages for w in page.get("/Annots", []) if w.get_object().get("/Subtype") == "/Widget"]
    assert widgets and all("/StructParent" in w for w in widgets)
    # ... as a Form element of its own, which points at the widget (what a screen reader announces)
    forms, stack = [], [root["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        kids = node.get("/K", [])
        for kid in (kids if isinstance(kids, list) else [kids]):
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict):
                if kid.get("/S") == "/Form":
                    forms.append(kid)
                stack.append(kid)
    widget_refs = {w.idnum for page in reader.pages for w in page.get("/Annots", []) if w.get_object().get("/Subtype") == "/Widget"}
    pointed = {k.get_object().raw_get("/Obj").idnum for f in forms for k in (f["/K"] if isinstance(f["/K"], list) else [f["/K"]])}
    assert len(forms) == len(widgets) and pointed == widget_refs


@pytest.mark.slow
def test_same_inputs_give_identical_pdfs(rendered, kit, tmp_path):
    out, _, ctx = rendered
    res = ctx.resources()
    again = printing.make_context(kit.project, date=DATE)  # a fresh environment and theme
    for job in printing.plan_jobs(again, kit, ["a4"], kinds=["toolkit", "sheet"], only=["voice-sample"]):
        pdf.write_pdf(job.html, job.css, tmp_path / job.name, resources=res, forms=job.forms)
        first = hashlib.sha256((out / job.name).read_bytes()).hexdigest()
        assert hashlib.sha256((tmp_path / job.name).read_bytes()).hexdigest() == first, job.name
    data = (tmp_path / "voice-sample-toolkit-a4.pdf").read_bytes()
    assert str(SAMPLE).encode() not in data and str(tmp_path).encode() not in data


@pytest.mark.slow
@pytest.mark.parametrize("src", ["http://127.0.0.1:9/x.png", "file:///etc/passwd"])
def test_weasyprint_fetches_nothing_outside(ctx, tmp_path, src):
    html = f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><h1>t</h1><img src="{src}" alt="x"></body></html>'
    target = tmp_path / "x.pdf"
    with pytest.raises(pdf.ResourceRefused) as err:
        pdf.write_pdf(html, "", target, resources=ctx.resources())
    assert src in str(err.value.format_message()) and "x.pdf" in err.value.format_message()
    assert not target.exists()


# --------------------------------------------------------------------------- round trip (slow)


@pytest.mark.slow
def test_fillable_sheet_round_trip(rendered, kit, tmp_path):
    out, _, _ = rendered
    a = kit.assessment("voice-sample")
    filled = tmp_path / "filled.pdf"
    fill_sheet(out / "voice-sample-sheet-fillable-letter.pdf", filled, {
        "pk__meta__pod": "pod-atlas",
        "pk__meta__date": "2026-10-01",
        "pk__meta__observer": "obs-a",
        "pk__meta__session": "retrospective",
        "pk__meta__duration": "7",
        "pk__meta__notes": "Ran short.\nFire alarm at minute 7.",
        "pk__interaction-pattern__i01__LT": True,
        "pk__interaction-pattern__i02__MM": True,
        "pk__interaction-pattern__i02__Q": True,
        "pk__interaction-pattern__i04__MM": True,
        "pk__interaction-pattern__evidence": "B to C: “what if we split it?” (MM)",
        "pk__silent-members__count": "2",
        "pk__quiet-members-invited__level": "3",
        "pk__quiet-members-invited__evidence": "Round before the vote.\nEveryone spoke.",
        "pk__dissent-answered__level": "not-observed",
        "pk__objections-invited__check": "no",
    })
    observation = read_sheet(filled)
    assert observation == {
        "assessment": "voice-sample",
        "assessment_version": a.version,
        "pod": "pod-atlas",
        "date": "2026-10-01",
        "session": {"type": "retrospective", "duration_minutes": 7},
        "observers": ["obs-a"],
        "responses": {
            "interaction-pattern": {"obs-a": {"intervals": [["LT"], ["MM", "Q"], [], ["MM"]], "evidence": "B to C: “what if we split it?” (MM)"}},
            "silent-members": {"obs-a": {"count": 2}},
            "quiet-members-invited": {"obs-a": {"level": 3, "evidence": "Round before the vote.\nEveryone spoke."}},
            "dissent-answered": {"obs-a": {"not_observed": True}},
            "objections-invited": {"obs-a": {"check": False}},
        },
        "notes": "Ran short.\nFire alarm at minute 7.",
    }
    Observation.model_validate(observation)  # the shape of an observation file


@pytest.mark.slow
def test_read_sheet_reports_every_problem_at_once(rendered, tmp_path):
    out, _, _ = rendered
    filled = tmp_path / "half.pdf"
    fill_sheet(out / "voice-sample-sheet-fillable-a4.pdf", filled, {
        "pk__meta__date": "01/10/2026",
        "pk__meta__duration": "an hour",
        "pk__silent-members__count": "two",
        "pk__interaction-pattern__not-observed": True,
        "pk__interaction-pattern__i01__MM": True,
        "pk__quiet-members-invited__evidence": "Nobody asked.",
    })
    with pytest.raises(SourceErrors) as err:
        read_sheet(filled)
    text = "\n".join(p.format() for p in err.value.problems)
    for expected in (
        "pod: fill in the field “Pod”",
        "observers[0]: fill in the field “Observer id”",
        "session.type: tick the session type",
        "date: “01/10/2026” is not a date like 2026-10-01",
        "session.duration_minutes: “an hour” is not a number of minutes",
        "responses.silent-members.observer.count: “two” is not a number",
        "responses.interaction-pattern.observer: both interval codes and not observed",
        "responses.quiet-members-invited.observer.evidence: evidence is written but no level",
    ):
        assert expected in text, f"missing {expected!r} in:\n{text}"
    assert all(p.path == filled for p in err.value.problems)


# --------------------------------------------------------------------------- CLI and site (slow)


@pytest.mark.slow
def test_print_command_renders_one_sheet(runner, kit_copy, tmp_path):
    kit_dir = kit_copy("sample")
    out = tmp_path / "out"
    result = runner.invoke(main, ["print", "-p", str(kit_dir), "-o", str(out), "--paper", "a4", "--only", "sheet", "-j", "1", "voice-sample"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir() if p.name != ".podkit-output"] == ["voice-sample-sheet-fillable-a4.pdf"]
    assert "[1/1] voice-sample-sheet-fillable-a4.pdf" in result.output
    assert "Wrote 1 PDF to" in result.output


def test_print_command_user_errors(runner, kit_copy):
    kit_dir = kit_copy("sample")
    result = runner.invoke(main, ["print", "-p", str(kit_dir), "--paper", "a3"])
    assert result.exit_code == 2 and "a3" in result.output
    result = runner.invoke(main, ["print", "-p", str(kit_dir), "no-such-assessment"])
    assert result.exit_code == 1 and "unknown assessment 'no-such-assessment'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_site_lists_and_links_the_downloads(rendered, kit_copy):
    from podkit.site import SiteExtras, build_site

    out, downloads, _ = rendered
    kit = load_kit(Project.find(kit_copy("sample")))
    extras = SiteExtras(files={d.path: out / name for name, d in downloads.items()}, downloads=list(downloads.values()))
    site = build_site(kit, extras=extras)
    assert sorted(p.name for p in (site / "downloads").iterdir()) == sorted(downloads)
    page = (kit.project.stage_dir / "toolkits.md").read_text()
    d = downloads["voice-sample-toolkit-a4.pdf"]
    first, last = d.sheet_pages
    assert 1 < first <= last < d.pages
    assert f"toolkit (A4)](downloads/voice-sample-toolkit-a4.pdf) | A4 | {d.pages} | pages {first}–{last} | " in page
    # the range is the sheet's: its first page carries the sheet's heading, the next one does not
    reader = _reader(out / "voice-sample-toolkit-a4.pdf")
    assert "Observation sheet" in reader.pages[first - 1].extract_text()
    assert "Scoring worksheet" in reader.pages[last].extract_text()
    assert "(Letter)" in page or "(US Letter)" in page
    assessment = (kit.project.stage_dir / "assessments" / "voice-sample.md").read_text()
    assert "](../downloads/voice-sample-sheet-fillable-letter.pdf)" in assessment
    html = (site / "toolkits" / "index.html").read_text()
    assert 'href="../downloads/podkit-hr-guide-a4.pdf"' in html


# --------------------------------------------------------------------------- page budget of the sheets


#: Rows of a time-sample grid that fit on one page of an observation sheet.
GRID_ROWS_PER_PAGE = 25


def sheet_page_budget(a) -> int:
    """Pages an observation sheet may take, printed (inside a toolkit) or fillable, A4 or Letter.

    The rule, from what the content needs at a legible size: an item (its cues, a level table or
    a count box with its bands, and its "Write down" box) takes up to half a page, so two items
    share a page, and the session box on page 1 counts as one item; a time-sample item adds one
    page for its codes table, bands and writing lines, and one per 25 rows of its grid.
    """
    import math

    grids = [it for it in a.items if isinstance(it, CodesItem)]
    budget = math.ceil((len(a.items) - len(grids) + 1) / 2)
    for it in grids:
        rows = math.ceil(a.setting.duration_minutes / it.interval_minutes)
        budget += 1 + math.ceil(rows / GRID_ROWS_PER_PAGE)
    return budget


def test_page_budget_rule_on_worked_examples(kit):
    """The rule by hand, on the sample kit and two shipped assessments."""
    # 4 items, no grid: ceil((4 + 1) / 2) = 3
    assert sheet_page_budget(kit.assessment("alignment-sample")) == 3
    # 4 items and a 20-minute session sampled every 2 minutes (10 rows): ceil(5 / 2) + 1 + 1 = 5
    assert sheet_page_budget(kit.assessment("voice-sample")) == 5
    shipped = load_kit(Project.find(Path(__file__).resolve().parent.parent))
    # the promise for the alignment sheet (9 items today: ceil(10 / 2) = 5)
    assert sheet_page_budget(shipped.assessment("alignment")) <= 5


@pytest.fixture(scope="module")
def shipped_pdfs(tmp_path_factory):
    """The shipped kit's toolkits and fillable sheets, A4 and Letter."""
    shipped = load_kit(Project.find(Path(__file__).resolve().parent.parent))
    out = tmp_path_factory.mktemp("shipped-pdfs")
    ctx = printing.make_context(shipped.project, date=DATE)
    printing.write_pdfs(shipped, out, kinds=["toolkit", "sheet"], ctx=ctx, workers=2, cache=False)
    return shipped, out


@pytest.mark.slow
def test_observation_sheets_keep_to_their_page_budget(shipped_pdfs):
    shipped, out = shipped_pdfs
    over = []
    for a in shipped.assessments:
        budget = sheet_page_budget(a)
        for paper in ("a4", "letter"):
            fillable = len(_reader(out / printing.file_name("sheet", paper, a.id)).pages)
            first, last = printing.sheet_page_range(out / printing.file_name("toolkit", paper, a.id))
            printed = last - first + 1
            over += [f"{a.id} {kind} sheet ({paper}): {n} pages, budget {budget}"
                     for kind, n in (("fillable", fillable), ("printed", printed)) if n > budget]
    assert not over, "\n".join(over)
    # the check: the alignment observation sheet is at most 5 pages, every way it is printed
    for paper in ("a4", "letter"):
        first, last = printing.sheet_page_range(out / printing.file_name("toolkit", paper, "alignment"))
        assert last - first + 1 <= 5
        assert len(_reader(out / printing.file_name("sheet", paper, "alignment")).pages) <= 5


@pytest.mark.slow
def test_no_widow_tables_or_lone_scraps(shipped_pdfs):
    """The scoring worksheet (its tables and the coverage rule) is one page, and no page of the
    observation sheet carries only a scrap such as a lone "Write down" box: its content spans more
    than a seventh of the page (a whole item is a fifth or more, a "Write down" box a tenth)."""
    shipped, out = shipped_pdfs
    problems = []
    for a in shipped.assessments:
        for paper in ("a4", "letter"):
            path = out / printing.file_name("toolkit", paper, a.id)
            reader = _reader(path)
            starts = {str(e.title): reader.get_destination_page_number(e) + 1 for e in reader.outline if not isinstance(e, list)}
            if starts["Readiness levels and gates"] - starts["Scoring worksheet"] != 1:
                problems.append(f"{path.name}: the scoring worksheet runs over more than one page")
            problems += [f"{path.name} page {page}: almost nothing on it" for page in range(starts["Observation sheet"], starts["Scoring worksheet"])
                         if _content_height(path, page) < 1 / 7]
    assert not problems, "\n".join(problems)


def _content_height(path: Path, page: int) -> float:
    """Share of the page's body (between running head and footer) from its first to its last
    inked row, from pdftoppm's grey PGM output of that page."""
    import subprocess

    proc = subprocess.run(["pdftoppm", "-gray", "-r", "20", "-f", str(page), "-l", str(page), str(path)], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", proc.stdout)
    assert m, f"no PGM image of page {page} of {path.name}"
    width, height = int(m.group(1)), int(m.group(2))
    pixels = proc.stdout[m.end():m.end() + width * height]
    rows = [min(pixels[r * width:(r + 1) * width]) < 200 for r in range(height)]
    body = rows[int(height * 0.05):int(height * 0.95)]
    inked = [i for i, r in enumerate(body) if r]
    return (inked[-1] - inked[0] + 1) / len(body) if inked else 0.0
