"""recorder.py: one recorder page per assessment, built from the model, the field contract and the
blank observation file."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from podkit import fields, model
from podkit.blanks import blank_observation
from podkit.csvfiles import CSV_COLUMNS, csv_documents
from podkit.kit import Project, load_kit
from podkit.model import AnchoredItem, CodesItem, CountItem
from podkit.csvfiles import CODE_SEP as CSV_CODE_SEP, EMPTY_INTERVAL as CSV_EMPTY_INTERVAL, INTERVAL_SEP as CSV_INTERVAL_SEP
from podkit.recorder import (INDEX_PAGE, SCRIPT, STYLE, config, page_path,
                             recorder_pages, yaml_skeleton)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def kit():
    return load_kit(Project.find(ROOT))


@pytest.fixture(scope="module")
def pages(kit):
    return recorder_pages(kit)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[str] = []
        self.names: set[str] = set()
        self.urls: list[str] = []
        self.config = None
        self._in_config = False
        self.buttons: list[str] = []
        self._in_button = False

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if "data-item" in d:
            self.items.append(d["data-item"])
        if d.get("name"):
            self.names.add(d["name"])
        for key in ("href", "src"):
            if d.get(key):
                self.urls.append(d[key])
        self._in_config = tag == "script" and d.get("id") == "recorder-config"
        self._in_button = tag == "button"

    def handle_data(self, data):
        if self._in_config:
            self.config = json.loads(data)
        if self._in_button and data.strip():
            self.buttons.append(data.strip())

    def handle_endtag(self, tag):
        self._in_config = False
        self._in_button = False


def _parse(html: str) -> _Page:
    p = _Page()
    p.feed(html)
    return p


def test_a_page_per_assessment_and_the_shared_files(kit, pages):
    assert {page_path(a.id) for a in kit.assessments} | {f"record/{SCRIPT}", f"record/{STYLE}", INDEX_PAGE} == set(pages)
    index = pages[INDEX_PAGE]
    for a in kit.assessments:
        assert f"]({a.id}/index.html)" in index


def test_every_item_has_a_control_group_and_sheet_field_names(kit, pages):
    for a in kit.assessments:
        page = _parse(pages[page_path(a.id)])
        assert page.items == [it.id for it in a.items], a.id
        assert "Download observation file" in page.buttons
        for it in a.items:
            assert fields.field_name(it.id, "evidence") in page.names
            if isinstance(it, AnchoredItem):
                assert fields.field_name(it.id, "level") in page.names
            if isinstance(it, CountItem):
                assert fields.field_name(it.id, "count") in page.names
                assert (fields.field_name(it.id, fields.OUT_OF) in page.names) == (it.denominator is not None)
            if it.not_applicable:
                assert fields.field_name(it.id, fields.REASON) in page.names
        for key in ("pod", "date", "session", "duration", "observer", "notes"):
            assert fields.field_name("meta", key) in page.names


def test_limits_and_patterns_come_from_the_model(kit, pages):
    a = kit.assessments[0]
    page = _parse(pages[page_path(a.id)])
    limits = page.config["limits"]
    assert limits["slug_pattern"] == model.SLUG_PATTERN
    assert limits["observer_pattern"] == model.OBSERVER_ID_PATTERN
    assert limits["max_observer_length"] == model.MAX_OBSERVER_ID_LENGTH
    assert limits["max_id_length"] == model.MAX_ID_LENGTH
    assert limits["max_session_minutes"] == model.MAX_SESSION_MINUTES
    assert limits["max_count"] == model.MAX_COUNT
    assert limits["max_text_length"] == model.MAX_TEXT_LENGTH
    assert limits["consensus"] == model.CONSENSUS
    html = pages[page_path(a.id)]
    assert f'maxlength="{model.MAX_OBSERVER_ID_LENGTH}"' in html and f'max="{model.MAX_SESSION_MINUTES}"' in html
    assert page.config["csv"]["columns"] == list(CSV_COLUMNS)
    assert page.config["sessions"] == list(a.setting.sessions)
    # the script retypes none of them
    script = pages[f"record/{SCRIPT}"]
    for literal in (model.SLUG_PATTERN, model.OBSERVER_ID_PATTERN, str(model.MAX_COUNT), str(model.MAX_SESSION_MINUTES), "obs-", "pk__"):
        assert literal not in script


def test_no_external_url(pages):
    external = re.compile(r"(?i)\b(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}")
    for rel, text in pages.items():
        if rel.endswith(".md"):
            continue
        assert not external.search(text), f"{rel}: {external.search(text).group(0)}"
        if rel.endswith(".html"):
            for url in _parse(text).urls:
                assert not re.match(r"(?i)^[a-z][a-z0-9+.-]*:|^//", url), f"{rel}: {url}"
    script = pages[f"record/{SCRIPT}"]
    for api in ("fetch(", "XMLHttpRequest", "import(", "WebSocket", "sendBeacon", "EventSource"):
        assert api not in script


def test_decision_rule_is_shown_when_present(kit):
    from podkit.recorder import _env, render_page

    a = next(a for a in kit.assessments if any(isinstance(it, AnchoredItem) for it in a.items))
    it = next(it for it in a.items if isinstance(it, AnchoredItem))
    top, bottom = max(a.levels), min(a.levels)
    rule = [model.DecisionStep(level=top, when="every claim is *shown*"), model.DecisionStep(level=bottom, when="otherwise")]
    ruled = a.model_copy(update={"items": [it.model_copy(update={"decision_rule": rule}) if x is it else x for x in a.items]})
    html = render_page(_env(ROOT, None), ruled)
    assert f"<strong>Level {top}</strong> when every claim is <em>shown</em>" in html
    assert "Decision rule" not in render_page(_env(ROOT, None), a.model_copy(update={"items": [x.model_copy(update={"decision_rule": None}) if isinstance(x, AnchoredItem) else x for x in a.items]}))


def _fill(skeleton: str, a, *, pod: str, date: str, session: str, duration: int, observer: str, responses: dict[str, list[str]]) -> str:
    """What the script does with the skeleton (kept to plain string replacement there too)."""
    values = {"schema": "S", "pod": pod, "date": date, "session": session, "duration": str(duration), "observer": observer, "notes": '""'}

    def sub(m):
        key, ident = m.group(1), m.group(2)
        if key == "response":
            return "\n".join([f"    {observer}:", *responses.get(ident, ["      not_observed: true", '      evidence: ""'])])
        if key == "max":
            return str(-(-duration // a.item(ident).interval_minutes))
        return values[key]

    return re.sub(r"\u27e6([a-z]+)(?::([a-z0-9-]+))?\u27e7", sub, skeleton)


def test_an_empty_session_downloads_as_the_blank_file(kit):
    for a in kit.assessments:
        skeleton = yaml_skeleton(a)
        for session, duration in ((a.setting.sessions[-1], a.setting.duration_minutes), (a.setting.sessions[0], 7)):
            blank = blank_observation(a, pod="pod-x", date=dt.date(2026, 10, 1), observers=["obs-b"], session_type=session, duration=duration, schema_ref="S")
            filled = _fill(skeleton, a, pod="pod-x", date="2026-10-01", session=session, duration=duration, observer="obs-b", responses={})
            if duration == a.setting.duration_minutes:
                assert filled == blank, a.id
            else:  # only the wrapping of the "at most N" comment may differ
                assert [ln for ln in filled.splitlines() if not ln.lstrip().startswith("#")] == [ln for ln in blank.splitlines() if not ln.lstrip().startswith("#")]
                for it in a.items:
                    if isinstance(it, CodesItem):
                        assert f"at most {-(-7 // it.interval_minutes)}," in " ".join(filled.replace("#", " ").split())


def test_the_csv_interval_notation_is_what_the_reader_reads(tmp_path, kit):
    a = next(a for a in kit.assessments if any(isinstance(it, CodesItem) for it in a.items))
    it = next(it for it in a.items if isinstance(it, CodesItem))
    c1, c2 = it.codes[0].id, it.codes[-1].id
    cell = CSV_INTERVAL_SEP.join([c1 + CSV_CODE_SEP + c2, CSV_EMPTY_INTERVAL, c2])
    row = {"assessment": a.id, "assessment_version": a.version, "pod": "pod-x", "date": "2026-10-01", "session_type": a.setting.sessions[0],
           "duration_minutes": "30", "observer": "obs-a", "item": it.id, "intervals": cell}
    path = tmp_path / "x.csv"
    path.write_text(",".join(CSV_COLUMNS) + "\n" + ",".join(row.get(c, "") for c in CSV_COLUMNS) + "\n", encoding="utf-8")
    (doc,) = csv_documents(path, None)
    assert doc.data["responses"][it.id]["obs-a"]["intervals"] == [[c1, c2], [], [c2]]


def test_config_names_every_item(kit):
    for a in kit.assessments:
        cfg = config(a)
        assert [i["id"] for i in cfg["items"]] == [it.id for it in a.items]
        assert cfg["fields"]["not_applicable"] == fields.NOT_APPLICABLE
        assert cfg["yaml"].count("\u27e6response:") == len(a.items)


def test_assessment_and_toolkits_pages_link_the_recorders_when_the_site_has_them(kit, pages):
    """The pages link a recorder only when it is staged (``extra_pages``: the staged extra pages)."""
    from podkit.site import _env, render_assessment_page, render_toolkits_page

    env = _env(kit.project, None)
    env.globals["content_pages"] = set()
    a = kit.assessments[0]
    assert "record/" not in render_assessment_page(env, a, []) and "record/" not in render_toolkits_page(env, [])
    env.globals["extra_pages"] = set(pages)
    assert f"](../record/{a.id}/index.html)" in render_assessment_page(env, a, [])
    assert "](record/index.md)" in render_toolkits_page(env, [])


def test_every_report_field_the_recorder_reads_is_in_the_report_schema():
    """recorder.js reads the pod's last report JSON by the names of its published schema; a field
    renamed in results.py must fail here, not silently hide every level and action in the page."""
    from podkit.schema import json_schema

    schema = json_schema("report")
    defs = schema["$defs"]
    script = (Path(__file__).resolve().parents[1] / "themes/default/recorder/recorder.js").read_text(encoding="utf-8")
    read = {
        "report": set(re.findall(r"\bdoc\.([a-z_]+)", script.split("function readReport")[1].split("function lastLevels")[0])),
        "SessionScore": set(re.findall(r"\b[sy]\.(date|index|items)\b", script)) & {"date", "index", "items"},
        "ItemScore": set(re.findall(r"\bx\.(not_applicable|observed|level|id)\b", script)),
        "ActionReviewed": set(re.findall(r"\bx\.(in_flight|item|title|owner|due|overdue)\b", script)),
    }
    assert read["report"] >= {"format", "pod", "sessions", "assessment", "as_of", "actions"}
    assert read["ItemScore"] == {"not_applicable", "observed", "level", "id"}
    assert read["ActionReviewed"] == {"in_flight", "item", "title", "owner", "due", "overdue"}
    assert read["report"] <= set(schema["properties"]), read["report"] - set(schema["properties"])
    for name in ("SessionScore", "ItemScore", "ActionReviewed"):
        assert read[name] <= set(defs[name]["properties"]), (name, read[name] - set(defs[name]["properties"]))
