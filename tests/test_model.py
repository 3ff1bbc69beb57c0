"""model.py: the input models and the named limits every message reads.

Each refusal is checked through ``validate_document`` so that the test pins the message a person
sees, not only that pydantic raised.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from pydantic import ValidationError

from conftest import KITS, validate_data
from podkit import model
from podkit.model import Assessment, Observation, Response
from podkit.sources import load_yaml

ASSESSMENT = load_yaml(KITS / "scoring" / "assessments" / "worked-example.yaml").data
OBSERVATION = load_yaml(KITS / "scoring" / "observations" / "s1.yaml").data


def _obs(**changes) -> dict:
    data = copy.deepcopy(OBSERVATION)
    data.update(changes)
    return data


def _response(item: str, **fields) -> dict:
    data = copy.deepcopy(OBSERVATION)
    data["responses"][item]["obs-a"] = fields
    return data


def test_the_sample_files_are_valid():
    a = Assessment.model_validate(ASSESSMENT)
    o = Observation.model_validate(OBSERVATION)
    assert [it.kind for it in a.items] == ["anchored", "check", "count", "codes"]
    assert a.levels == [0, 1, 2, 3] and a.max_level == 3
    assert [it.id for it in a.items_in("flow")] == ["blockers-unowned", "swarming"]
    assert o.date == dt.date(2026, 3, 2) and o.observers == ["obs-a"]


def test_lookups_raise_key_error_for_unknown_ids():
    a = Assessment.model_validate(ASSESSMENT)
    assert a.item("dod-checked").title == "Definition of Done checked item by item"
    assert a.dimension("flow").title == "Flow"
    with pytest.raises(KeyError):
        a.item("nope")
    with pytest.raises(KeyError):
        a.dimension("nope")


def test_models_are_frozen():
    o = Observation.model_validate(OBSERVATION)
    with pytest.raises(ValidationError):
        o.pod = "other"


# --------------------------------------------------------------------------- named limits


def test_max_items_is_what_validation_reports():
    data = copy.deepcopy(ASSESSMENT)
    base = data["items"][0]
    data["items"] = [dict(base, id=f"item-{i}") for i in range(model.MAX_ITEMS + 1)]
    assert validate_data(data, Assessment) == [f"items: is too long: at most {model.MAX_ITEMS} allowed"]
    data["items"] = data["items"][: model.MAX_ITEMS]
    assert validate_data(data, Assessment) == []


def test_max_observers_is_what_validation_reports():
    ids = [f"obs-{c}" for c in "abcdefgh"[: model.MAX_OBSERVERS + 1]]
    assert validate_data(_obs(observers=ids), Observation) == [f"observers: is too long: at most {model.MAX_OBSERVERS} allowed"]
    assert validate_data(_obs(observers=[]), Observation) == ["observers: needs at least 1 entry"]


def test_text_lengths_are_what_validation_reports():
    data = copy.deepcopy(ASSESSMENT)
    data["title"] = "x" * (model.MAX_SHORT_TEXT_LENGTH + 1)
    data["summary"] = "x" * (model.MAX_TEXT_LENGTH + 1)
    # BUG (notes/tests.md): validation.py's string_too_long branch is never reached, so these
    # read "is too long: at most 200 allowed", the wording for lists, without saying "characters"
    assert validate_data(data, Assessment) == [
        f"title: text is too long: at most {model.MAX_SHORT_TEXT_LENGTH} characters",
        f"summary: text is too long: at most {model.MAX_TEXT_LENGTH} characters",
    ]
    data["title"] = "x" * model.MAX_SHORT_TEXT_LENGTH
    data["summary"] = "x" * model.MAX_TEXT_LENGTH
    assert validate_data(data, Assessment) == []


def test_level_session_and_count_limits():
    data = copy.deepcopy(ASSESSMENT)
    data["scale"] = [{"level": 0, "label": "None"}, {"level": model.MAX_LEVEL + 1, "label": "Too high"}]
    assert validate_data(data, Assessment) == [f"scale[1].level: must be at most {model.MAX_LEVEL} — got {model.MAX_LEVEL + 1}"]
    long = _obs(session={"type": "stand-up", "duration_minutes": model.MAX_SESSION_MINUTES + 1})
    assert validate_data(long, Observation) == [f"session.duration_minutes: must be at most {model.MAX_SESSION_MINUTES} — got {model.MAX_SESSION_MINUTES + 1}"]
    many = _response("blockers-unowned", count=model.MAX_COUNT + 1)
    [msg] = validate_data(many, Observation)
    assert msg.startswith("responses.blockers-unowned.obs-a.count: must be at most 1000000")
    assert msg.endswith(f"— got {model.MAX_COUNT + 1}")
    assert validate_data(_response("blockers-unowned", count=model.MAX_COUNT), Observation) == []


def test_id_length_limit():
    data = copy.deepcopy(ASSESSMENT)
    data["id"] = "a" * model.MAX_ID_LENGTH
    assert validate_data(data, Assessment) == []
    data["id"] = "a" * (model.MAX_ID_LENGTH + 1)
    # BUG (notes/tests.md): the message reads "is too long: at most 64 allowed" (64 what?)
    assert validate_data(data, Assessment) == [f"id: text is too long: at most {model.MAX_ID_LENGTH} characters"]


def test_observer_id_length_limit():
    ok = "o" * model.MAX_OBSERVER_ID_LENGTH
    too_long = ok + "o"
    data = _obs(observers=[ok])
    data["responses"] = {k: {ok: v["obs-a"]} for k, v in data["responses"].items()}
    assert validate_data(data, Observation) == []
    [msg] = validate_data(_obs(observers=[too_long]), Observation)
    assert msg.startswith(f"observers[0]: expected a pseudonymous id like 'obs-a' (letters, digits, '-', '_'; up to {model.MAX_OBSERVER_ID_LENGTH})")


# --------------------------------------------------------------------------- strict numbers


@pytest.mark.parametrize("value, shown", [(True, "True"), (1.0, "1.0"), ("1", "'1'")])
def test_levels_are_whole_numbers_written_as_numbers(value, shown):
    data = _response("done-demonstrated", level=value)
    assert validate_data(data, Observation) == [f"responses.done-demonstrated.obs-a.level: expected a whole number — got {shown}"]


@pytest.mark.parametrize("value, shown", [("4", "'4'"), (True, "True")])
def test_counts_are_numbers_not_text_or_yes_no(value, shown):
    data = _response("blockers-unowned", count=value)
    assert validate_data(data, Observation) == [f"responses.blockers-unowned.obs-a.count: expected a number — got {shown}"]


def test_check_is_a_real_yes_no():
    data = _response("dod-checked", check="yes")
    assert validate_data(data, Observation) == ["responses.dod-checked.obs-a.check: expected yes/no (true or false) — got 'yes'"]
    data = _response("dod-checked", check=1)
    assert validate_data(data, Observation) == ["responses.dod-checked.obs-a.check: expected yes/no (true or false) — got 1"]


def test_duration_written_as_text_is_refused():
    data = _obs(session={"type": "review", "duration_minutes": "15"})
    assert validate_data(data, Observation) == ["session.duration_minutes: expected a whole number — got '15'"]


def test_response_value_keys_lists_the_answers_given():
    assert Response(level=2).value_keys == ["level"]
    assert Response(check=False, count=3).value_keys == ["check", "count"]
    assert Response(not_observed=True).value_keys == []


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("value", ["0", "1772409600", "2026-1-2", 0, 1772409600])
def test_dates_only_as_yyyy_mm_dd(value):
    assert validate_data(_obs(date=value), Observation) == [f"date: expected a date like 2026-10-01 (written YYYY-MM-DD) — got {value!r}"]


def test_a_day_month_date_is_refused_with_the_date_to_write():
    assert validate_data(_obs(date="20/11/2026"), Observation) == ["date: expected a date as YYYY-MM-DD — got '20/11/2026'; write 2026-11-20"]


def test_date_and_time_is_refused():
    [msg] = validate_data(_obs(date=dt.datetime(2026, 3, 2, 9, 30)), Observation)
    assert msg.startswith("date: expected a date like 2026-10-01, not a date and time")


def test_dates_accepted_as_text_or_date():
    assert Observation.model_validate(_obs(date="2026-03-02")).date == dt.date(2026, 3, 2)
    assert Observation.model_validate(_obs(date=" 2026-03-02 ")).date == dt.date(2026, 3, 2)
    assert Observation.model_validate(_obs(date=dt.date(2026, 3, 2))).date == dt.date(2026, 3, 2)


# --------------------------------------------------------------------------- observers


def test_consensus_is_not_an_observer_id():
    assert validate_data(_obs(observers=[model.CONSENSUS]), Observation) == [
        "observers: 'consensus' is reserved for the observers' agreed value; give observers pseudonymous ids like 'obs-a' — got ['consensus']"
    ]


def test_consensus_is_allowed_as_a_response_key():
    data = copy.deepcopy(OBSERVATION)
    data["responses"]["done-demonstrated"]["consensus"] = {"level": 2}
    o = Observation.model_validate(data)
    assert o.responses["done-demonstrated"]["consensus"].level == 2


# --------------------------------------------------------------------------- control characters

#: Keys whose values are free text (Text, ShortText, Note): a control character is named.
_FREE_TEXT = {
    "title", "summary", "purpose", "description", "prompt", "look_for", "evidence", "label",
    "action", "anchors", "when", "notes", "reason", "unit", "references", "participants",
    "preparation",
}


def _string_leaves(data, path=()):
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _string_leaves(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _string_leaves(v, path + (i,))
    elif isinstance(data, str):
        yield path


def _set(data, path, value):
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _get(data, path):
    for part in path:
        data = data[part]
    return data


def _free(path) -> bool:
    return any(isinstance(p, str) and p in _FREE_TEXT for p in path)


_WITH_REASON = copy.deepcopy(OBSERVATION)
_WITH_REASON["responses"]["dod-checked"]["obs-a"]["reason"] = "No item was finished."


@pytest.mark.parametrize("base, cls", [(ASSESSMENT, Assessment), (_WITH_REASON, Observation)], ids=["assessment", "observation"])
def test_control_characters_refused_in_every_text_field(base, cls):
    from podkit.errors import format_key_path

    leaves = [p for p in _string_leaves(base) if _free(p)]
    assert len(leaves) >= 6
    for path in leaves:
        data = copy.deepcopy(base)
        _set(data, path, "seen \x1b[2J")
        messages = validate_data(data, cls)
        assert messages == [
            f"{format_key_path(path)}: contains the control character U+001B, which text may not hold; delete it — got 'seen \\x1b[2J'"
        ], path


@pytest.mark.parametrize("char", ["\x00", "\x7f", "\x85", "\x9f"])
def test_c1_controls_and_delete_are_named(char):
    [msg] = validate_data(_obs(notes=f"a{char}b"), Observation)
    assert f"contains the control character U+{ord(char):04X}" in msg


def test_tabs_and_line_breaks_are_text():
    o = Observation.model_validate(_obs(notes="line one\n\tline two\r\n"))
    assert "\tline two" in o.notes


def test_every_free_text_field_without_a_control_passes():
    # the control-character test above relies on the base files being valid
    assert validate_data(ASSESSMENT, Assessment) == [] and validate_data(OBSERVATION, Observation) == []


# --------------------------------------------------------------------------- gates and items


def test_gates_pick_their_kind_by_key():
    a = Assessment.model_validate(ASSESSMENT)
    gates = [g for r in a.readiness for g in r.gates]
    assert [type(g).__name__ for g in gates] == ["DimensionGate", "ItemGate"]


def test_default_scale_and_debt_grid():
    data = copy.deepcopy(ASSESSMENT)
    data.pop("scale", None)
    a = Assessment.model_validate(data)
    assert [s.label for s in a.scale] == ["Absent", "Emerging", "Established", "Embedded"]
    assert [(g.rating, g.max_point_days) for g in a.scoring.debt_grid] == [("A", 30), ("B", 90), ("C", 180), ("D", 360), ("E", None)]


def test_session_types_and_item_kinds_are_published():
    assert "stand-up" in model.SESSION_TYPES and "retrospective" in model.SESSION_TYPES
    assert model.ITEM_KINDS == ("anchored", "check", "count", "codes")
