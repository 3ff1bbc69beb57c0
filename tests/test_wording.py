"""wording.py: every rubric sentence (threshold bands, gates, answers) comes from here."""

from __future__ import annotations

import pytest

from conftest import KITS
from podkit import wording
from podkit.kit import Project, load_kit
from podkit.model import CodesItem, CountItem, DimensionGate, ItemGate
from podkit.wording import gate_text, threshold, threshold_bands


def _count(**kw) -> CountItem:
    base = dict(id="x", dimension="d", title="t", prompt="p", look_for=["c"], evidence="e", kind="count", unit="items")
    return CountItem.model_validate({**base, **kw})


def _codes(**kw) -> CodesItem:
    base = dict(
        id="x", dimension="d", title="t", prompt="p", look_for=["c"], evidence="e", kind="codes",
        interval_minutes=2, codes=[{"id": "MM", "label": "m", "description": "d"}], score_codes=["MM"],
    )
    return CodesItem.model_validate({**base, **kw})


@pytest.fixture(scope="module")
def worked():
    return load_kit(Project.find(KITS / "scoring")).assessment("worked-example")


# --------------------------------------------------------------------------- thresholds


def test_threshold_numbers_and_percentages():
    assert threshold(4, False) == "4"
    assert threshold(2.5, False) == "2.5"
    assert threshold(0.6, True) == "60%"
    assert threshold(0.125, True) == "12.5%"


def test_threshold_bands_for_lower_is_better():
    # moved from test_site.py
    from podkit.model import CountItem

    item = CountItem.model_validate(
        dict(
            id="x", dimension="d", title="t", prompt="p", look_for=["c"], evidence="e", kind="count",
            unit="items", better="lower", thresholds={1: 4, 2: 2, 3: 0},
        )
    )
    assert threshold_bands(item, [0, 1, 2, 3]) == [
        (0, "above 4"),
        (1, "from 4 down to above 2"),
        (2, "from 2 down to above 0"),
        (3, "0 or fewer"),
    ]


def test_threshold_bands_for_higher_is_better():
    item = _count(thresholds={1: 2, 2: 4, 3: 6})
    assert threshold_bands(item, [0, 1, 2, 3]) == [
        (0, "below 2"),
        (1, "from 2 to below 4"),
        (2, "from 4 to below 6"),
        (3, "6 or more"),
    ]


def test_threshold_bands_for_shares_of_intervals():
    assert threshold_bands(_codes(thresholds={1: 0.2, 2: 0.4, 3: 0.6}), [0, 1, 2, 3]) == [
        (0, "below 20%"),
        (1, "from 20% to below 40%"),
        (2, "from 40% to below 60%"),
        (3, "60% or more"),
    ]
    assert threshold_bands(_codes(better="lower", thresholds={1: 0.5, 2: 0.25, 3: 0.1}), [0, 1, 2, 3]) == [
        (0, "above 50%"),
        (1, "from 50% down to above 25%"),
        (2, "from 25% down to above 10%"),
        (3, "10% or less"),
    ]


def test_threshold_bands_follow_the_scale():
    item = _count(thresholds={1: 1, 2: 3})
    assert threshold_bands(item, [0, 1, 2]) == [(0, "below 1"), (1, "from 1 to below 3"), (2, "3 or more")]


def test_worked_example_bands(worked):
    assert threshold_bands(worked.item("blockers-unowned"), worked.levels) == [
        (0, "above 3"), (1, "from 3 down to above 1"), (2, "from 1 down to above 0"), (3, "0 or fewer"),
    ]


# --------------------------------------------------------------------------- gates


def test_gate_text_for_item_and_dimension_gates(worked):
    gates = [g for r in worked.readiness for g in r.gates]
    assert [gate_text(g, worked) for g in gates] == [
        "dimension “Verification” scores 50 or more",
        "item “Done is shown, not asserted” at level 2 or above",
    ]


def test_gate_text_strips_inline_markers(worked):
    data = worked.model_dump()
    data["items"][0]["title"] = "**Done** is `shown`"
    a = type(worked).model_validate(data)
    assert gate_text(ItemGate(item="done-demonstrated", min_level=3), a) == "item “Done is shown” at level 3 or above"


def test_gate_text_for_unknown_ids_names_the_id(worked):
    assert gate_text(ItemGate(item="no-such-item", min_level=1), worked) == "item “no-such-item” at level 1 or above"
    assert gate_text(DimensionGate(dimension="no-such-dim", min_score=62.5), worked) == "dimension “no-such-dim” scores 62.5 or more"


# --------------------------------------------------------------------------- answers


def test_answers():
    assert wording.level_answer(2) == "level 2"
    assert wording.check_answer(True) == "yes" and wording.check_answer(False) == "no"
    assert wording.count_answer(3.0, "speakers") == "3 speakers"
    assert wording.count_answer(0.5, "items") == "0.5 items"
    assert wording.intervals_answer(2, 5, 0.4) == "2 of 5 intervals (40%)"
    assert wording.NOT_OBSERVED == "not observed"
