"""validation.py: pydantic errors become located, plain-English problems."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from conftest import KITS, validate_data
from podkit.model import Assessment, Observation
from podkit.sources import load_yaml, yaml_document
from podkit.validation import problems_from, validate_document

ASSESSMENT = load_yaml(KITS / "scoring" / "assessments" / "worked-example.yaml").data


def _assessment(edit) -> list[str]:
    data = copy.deepcopy(ASSESSMENT)
    edit(data)
    return validate_data(data, Assessment)


# --------------------------------------------------------------------------- one message per error type


def test_unknown_key_suggests_the_closest_and_lists_allowed_keys():
    msgs = _assessment(lambda d: d["items"][0].update(titel="x"))
    assert msgs == [
        "items[0].titel: unknown key 'titel' (did you mean 'title'?); allowed keys: anchors, critical, "
        "decision_rule, dimension, evidence, id, interventions, kind, look_for, not_applicable, notes, "
        "prompt, target, title, weight"
    ]


def test_unknown_key_allowed_keys_follow_the_item_kind():
    # a count item's allowed keys, not an anchored item's
    [msg] = _assessment(lambda d: d["items"][2].update(thresholdz={}))
    assert msg.startswith("items[2].thresholdz: unknown key 'thresholdz' (did you mean 'thresholds'?)")
    assert "unit" in msg and "denominator" in msg and "anchors" not in msg


def test_unknown_key_inside_a_gate_lists_that_gates_keys():
    assert _assessment(lambda d: d["readiness"][1]["gates"][0].update(min_scor=10)) == [
        "readiness[1].gates[0].min_scor: unknown key 'min_scor' (did you mean 'min_score'?); allowed keys: dimension, min_score"
    ]


def test_unknown_key_without_a_close_match_has_no_suggestion():
    [msg] = _assessment(lambda d: d.update(zzzz=1))
    assert msg.startswith("zzzz: unknown key 'zzzz'; allowed keys: dimensions, id, items,")


def test_missing_key_names_the_parent():
    assert _assessment(lambda d: d["items"][2].pop("unit")) == ["items[2]: missing required key 'unit'"]
    assert _assessment(lambda d: d.pop("title")) == ["missing required key 'title'"]


def test_unknown_item_kind_lists_the_kinds():
    assert _assessment(lambda d: d["items"][0].update(kind="ranked")) == [
        "items[0].kind: expected one of: anchored, check, count, codes — got 'ranked'"
    ]


def test_missing_item_kind_lists_the_kinds():
    # BUG (notes/tests.md): the message reads "(one of: )" because pydantic's
    # union_tag_not_found error carries no expected_tags; it should list the kinds.
    assert _assessment(lambda d: d["items"][0].pop("kind")) == [
        "items[0].kind: missing required key 'kind' (one of: anchored, check, count, codes)"
    ]


def test_literal_lists_the_choices():
    assert _assessment(lambda d: d["items"][2].update(better="more")) == ["items[2].better: expected one of: higher, lower — got 'more'"]


@pytest.mark.parametrize("key, value, words", [
    ("id", "Bad_Id", "an id in kebab-case, like 'goal-clarity' (lowercase letters, digits, single hyphens; up to 64)"),
    ("version", "1.0", "a version like 1.0.0"),
])
def test_patterns_are_described_in_words(key, value, words):
    assert _assessment(lambda d: d.update({key: value})) == [f"{key}: expected {words} — got {value!r}"]


def test_code_pattern_in_words():
    assert _assessment(lambda d: d["items"][3]["codes"][0].update(id="1x")) == [
        "items[3].codes[0].id: expected a short code like 'MM' or 'Q-ask' (letter first, up to 16 letters, digits, hyphens) — got '1x'"
    ]


def test_rating_pattern_in_words():
    assert _assessment(lambda d: d.update(scoring={"debt_grid": [{"rating": "aa", "max_point_days": 3}]})) == [
        "scoring.debt_grid[0].rating: expected one capital letter — got 'aa'"
    ]


def test_yes_no_where_text_is_expected_explains_quoting():
    assert _assessment(lambda d: d.update(title=True)) == [
        "title: expected text — got true: YAML reads unquoted yes/no/on/off/true/false as a yes/no value; put the text in quotes"
    ]


@pytest.mark.parametrize("edit, expected", [
    (lambda d: d.update(setting="x"), "setting: expected a mapping (key: value pairs) — got 'x'"),
    (lambda d: d.update(dimensions="x"), "dimensions: expected a list — got 'x'"),
    (lambda d: d["items"][0].update(weight="heavy"), "items[0].weight: expected a number — got 'heavy'"),
    (lambda d: d["items"][0].update(critical="maybe"), "items[0].critical: expected yes/no (true or false) — got 'maybe'"),
    (lambda d: d["setting"].update(duration_minutes=1.5), "setting.duration_minutes: expected a whole number — got 1.5"),
    (lambda d: d.update(summary=5), "summary: expected text — got 5: YAML reads it as a number; put it in quotes"),
])
def test_types_in_words(edit, expected):
    assert _assessment(edit) == [expected]


def test_lengths_and_bounds_in_words():
    assert _assessment(lambda d: d.update(dimensions=[])) == ["dimensions: needs at least 1 entry"]
    assert _assessment(lambda d: d.update(scale=[{"level": 0, "label": "x"}])) == ["scale: needs at least 2 entries"]
    assert _assessment(lambda d: d.update(summary="")) == ["summary: must not be empty"]
    assert _assessment(lambda d: d.update(summary="   ")) == ["summary: must not be empty"]
    assert _assessment(lambda d: d["setting"].update(duration_minutes=4)) == ["setting.duration_minutes: must be at least 5 — got 4"]
    [msg] = _assessment(lambda d: d["items"][0].update(weight=0))
    assert msg.startswith("items[0].weight: must be greater than 0") and msg.endswith("— got 0")


def test_value_errors_lose_pydantics_prefix():
    [msg] = validate_data({**load_yaml(KITS / "scoring" / "observations" / "s1.yaml").data, "observers": ["consensus"]}, Observation)
    assert "Value error" not in msg
    assert msg.startswith("observers: 'consensus' is reserved")


def test_long_values_are_shortened():
    [msg] = _assessment(lambda d: d.update(version="9" * 200))
    shown = msg.split("— got ")[1]
    assert len(shown) == 60 and shown.endswith("...")


# --------------------------------------------------------------------------- key paths


def test_key_paths_drop_union_tags():
    data = copy.deepcopy(ASSESSMENT)
    data["items"][3]["thresholds"] = {1: 2.0}  # above 1: codes thresholds are shares
    data["readiness"][2]["gates"][0]["min_level"] = -1
    doc = yaml_document("x: 1\n", Path("a.yaml"))
    doc.data = data
    _, problems = validate_document(doc, Assessment)
    assert [p.key for p in problems] == [("items", 3, "thresholds", 1), ("readiness", 2, "gates", 0, "min_level")]
    assert all(not set(p.key) & {"codes", "item-gate", "dimension-gate"} for p in problems)


def test_a_key_named_like_its_union_tag_is_kept():
    # a codes item has a key "codes" and pydantic's tag "codes": only the tag is dropped
    assert _assessment(lambda d: d["items"][3]["codes"][1].update(label="")) == ["items[3].codes[1].label: must not be empty"]


def test_mapping_keys_that_are_numbers_are_shown_as_indexes():
    msgs = _assessment(lambda d: d["items"][0]["anchors"].update({2: ""}))
    assert msgs == ["items[0].anchors[2]: must not be empty"]


def test_problems_carry_line_and_column():
    text = (KITS / "scoring" / "assessments" / "worked-example.yaml").read_text()
    assert text.count("    better: lower\n") == 1
    text = text.replace("    better: lower\n", "    better: more\n")
    doc = yaml_document(text, Path("worked-example.yaml"))
    _, [problem] = validate_document(doc, Assessment)
    line = text.splitlines().index("    better: more") + 1
    assert problem.format() == f"worked-example.yaml:{line}:5: items[2].better: expected one of: higher, lower — got 'more'"


def test_every_problem_of_a_file_at_once_without_duplicates():
    data = copy.deepcopy(ASSESSMENT)
    data["title"] = ""
    data["version"] = "one"
    data["items"][1]["kind"] = "checkbox"
    msgs = validate_data(data, Assessment)
    assert len(msgs) == len(set(msgs)) == 3


@pytest.mark.parametrize("text, got", [("null\n", "nothing"), ("- 1\n- 2\n", "list"), ("just words\n", "str")])
def test_top_level_must_be_a_mapping(text, got):
    doc = yaml_document(text, Path("a.yaml"))
    instance, [problem] = validate_document(doc, Assessment)
    assert instance is None
    assert problem.format() == f"a.yaml:1:1: expected a mapping of keys (like 'id: ...') at the top level, got {got}"


def test_valid_document_gives_the_instance_and_no_problems():
    doc = load_yaml(KITS / "scoring" / "assessments" / "worked-example.yaml")
    instance, problems = validate_document(doc, Assessment)
    assert problems == [] and instance.id == "worked-example"


def test_problems_from_locates_cross_check_findings():
    doc = load_yaml(KITS / "scoring" / "assessments" / "worked-example.yaml")
    [p] = problems_from(doc, [(("items", 1, "title"), "is repeated")])
    text = doc.path.read_text().splitlines()
    assert text[p.line - 1].strip() == "title: Definition of Done checked item by item"
    assert p.format().endswith("items[1].title: is repeated")
