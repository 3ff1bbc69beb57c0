"""blanks.py: the blank observation file ``podkit new-observation`` writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import KITS
from podkit.blanks import blank_observation, default_file_name
from podkit.kit import Project, load_kit
from podkit.model import Observation
from podkit.observations import check_observation
from podkit.sources import yaml_document
from podkit.validation import validate_document
from podkit.wording import threshold_bands

DATE = dt.date(2026, 10, 1)


@pytest.fixture(scope="module")
def kits():
    return {name: load_kit(Project.find(KITS / name)) for name in ("scoring", "sample", "minimal")}


def _all_assessments(kits):
    return [a for kit in kits.values() for a in kit.assessments]


def _blank(a, observers=("obs-a",), duration=None, session=None) -> str:
    return blank_observation(
        a, pod="pod-demo", date=DATE, observers=list(observers), session_type=session or a.setting.sessions[0],
        duration=duration or a.setting.duration_minutes, schema_ref="../schemas/observation.schema.json",
    )


def test_default_file_name():
    assert default_file_name("worked-example", "pod-demo", DATE) == "pod-demo--worked-example--2026-10-01.yaml"


def test_every_blank_parses_validates_and_checks_against_its_kit(kits):
    for a in _all_assessments(kits):
        text = _blank(a, observers=("obs-a", "obs-b"))
        doc = yaml_document(text, Path("blank.yaml"))
        obs, problems = validate_document(doc, Observation)
        assert problems == [], (a.id, [p.format() for p in problems])
        assert [msg for _, msg, severity in check_observation(obs, {a.id: a}, DATE) if severity == "error"] == [], a.id
        assert obs.assessment == a.id and obs.assessment_version == a.version
        assert obs.pod == "pod-demo" and obs.date == DATE and obs.observers == ["obs-a", "obs-b"]


def test_every_item_is_listed_for_every_observer_as_not_observed(kits):
    for a in _all_assessments(kits):
        doc = yaml_document(_blank(a, observers=("obs-a", "obs-b")), Path("blank.yaml"))
        responses = doc.data["responses"]
        assert list(responses) == [it.id for d in a.dimensions for it in a.items_in(d.id)], a.id
        assert sorted(responses) == sorted(it.id for it in a.items)
        for item, by_observer in responses.items():
            assert by_observer == {"obs-a": {"not_observed": True, "evidence": ""}, "obs-b": {"not_observed": True, "evidence": ""}}, item


def test_comments_say_how_to_answer_each_kind(kits):
    a = kits["scoring"].assessment("worked-example")
    text = _blank(a)
    assert text.startswith("# yaml-language-server: $schema=../schemas/observation.schema.json\n")
    assert "# Observation record: Worked example (worked-example 1.0.0)." in text
    assert "never name or identify a person" in text
    assert "  # done-demonstrated: Done is shown, not asserted (anchored, weight 2, target 2)" in text
    assert "  #   Answer with level: 0–3" in text
    assert "  #     3 = Every claim is shown, and members ask to see it when it is not." in text
    assert "  #   Answer with check: yes or no (passes when yes; a pass scores level 3)" in text
    assert "  #   Answer with count: the number of items (lower is better)" in text
    for level, band in threshold_bands(a.item("blockers-unowned"), a.levels):
        assert f"  #     level {level}: {band}" in text  # the rubric's own words
    assert (
        "  #   Answer with intervals: one list of the codes ticked in each 3-minute interval\n"
        "  #   (partial-interval), at most 5, e.g. [[SW], [], [RS]]\n"
    ) in text
    assert "  #     SW = Swarm (scored): Someone joins work on an aged or blocked item." in text
    assert "  #     RS = Status recital: Members recite status without discussion." in text


def test_interval_count_follows_the_duration(kits):
    a = kits["scoring"].assessment("worked-example")
    assert "at most 10, e.g." in _blank(a, duration=30)
    assert "at most 4, e.g." in _blank(a, duration=10)  # 10 / 3, rounded up


def test_long_and_multi_line_text_stays_inside_comments(kits):
    a = kits["scoring"].assessment("worked-example")
    data = a.model_dump()
    data["items"][0]["prompt"] = "First line.\nresponses: {hijack: true}\n" + "word " * 60
    a2 = type(a).model_validate(data)
    text = _blank(a2)
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert all(len(line) <= 100 for line in comments[1:])  # wrapped (the schema line is one URL)
    assert "  #   First line. responses: {hijack: true} word word" in text
    doc = yaml_document(text, Path("blank.yaml"))
    assert "hijack" not in doc.data["responses"]
    assert validate_document(doc, Observation)[1] == []


def test_session_line_lists_the_session_types(kits):
    from podkit.model import SESSION_TYPES

    text = _blank(kits["scoring"].assessment("worked-example"), session="review")
    assert f"  type: review  # one of: {', '.join(SESSION_TYPES)}" in text
