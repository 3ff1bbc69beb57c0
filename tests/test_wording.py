"""wording.py: every rubric sentence (threshold bands, gates, answers) comes from here."""

from __future__ import annotations

import pytest

from conftest import KITS
from podkit import wording
from podkit.kit import Project, load_kit
from podkit.model import CodesItem, CountItem, DimensionGate, ItemGate
from podkit.wording import whole_counts, gate_text, threshold, threshold_bands


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
    # moved from test_site.py; whole counts read as ranges since the first-hour wording (issue 14)
    from podkit.model import CountItem

    item = CountItem.model_validate(
        dict(
            id="x", dimension="d", title="t", prompt="p", look_for=["c"], evidence="e", kind="count",
            unit="items", better="lower", thresholds={1: 4, 2: 2, 3: 0},
        )
    )
    assert threshold_bands(item, [0, 1, 2, 3]) == [
        (0, "5 or more"),
        (1, "3–4"),
        (2, "1–2"),
        (3, "0"),
    ]


def test_threshold_bands_for_higher_is_better():
    item = _count(thresholds={1: 2, 2: 4, 3: 6})
    assert threshold_bands(item, [0, 1, 2, 3]) == [
        (0, "0–1"),
        (1, "2–3"),
        (2, "4–5"),
        (3, "6 or more"),
    ]


def test_threshold_bands_for_shares_of_intervals():
    assert threshold_bands(_codes(thresholds={1: 0.2, 2: 0.4, 3: 0.6}), [0, 1, 2, 3]) == [
        (0, "below 20%"),
        (1, "from 20% to under 40%"),
        (2, "from 40% to under 60%"),
        (3, "60% or more"),
    ]
    assert threshold_bands(_codes(better="lower", thresholds={1: 0.5, 2: 0.25, 3: 0.1}), [0, 1, 2, 3]) == [
        (0, "above 50%"),
        (1, "over 25%, up to 50%"),
        (2, "over 10%, up to 25%"),
        (3, "10% or less"),
    ]


def test_threshold_bands_follow_the_scale():
    item = _count(thresholds={1: 1, 2: 3})
    assert threshold_bands(item, [0, 1, 2]) == [(0, "0"), (1, "1–2"), (2, "3 or more")]


def test_worked_example_bands(worked):
    assert threshold_bands(worked.item("blockers-unowned"), worked.levels) == [
        (0, "4 or more"), (1, "2–3"), (2, "1"), (3, "0"),
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


# --------------------------------------------------------------------------- as a first-time reader reads them

BASE = dict(id="x", dimension="d", title="t", prompt="p", look_for=["c"], evidence="e")


def _count_item(**kw) -> CountItem:
    return CountItem.model_validate(dict(BASE, kind="count", **kw))


def test_whole_number_counts_read_as_ranges():
    higher = _count_item(unit="goal references that settle a choice", thresholds={1: 1, 2: 2, 3: 4})
    assert whole_counts(higher)
    assert threshold_bands(higher, [0, 1, 2, 3]) == [(0, "0"), (1, "1"), (2, "2–3"), (3, "4 or more")]
    lower = _count_item(unit="re-argued decisions", better="lower", thresholds={1: 3, 2: 1, 3: 0})
    assert threshold_bands(lower, [0, 1, 2, 3]) == [(0, "4 or more"), (1, "2–3"), (2, "1"), (3, "0")]
    days = _count_item(unit="days from signal to board change", better="lower", thresholds={1: 15, 2: 7, 3: 2})
    assert threshold_bands(days, [0, 1, 2, 3]) == [(0, "16 or more"), (1, "8–15"), (2, "3–7"), (3, "2 or fewer")]
    per_session = _count_item(unit="member questions per session", thresholds={1: 3, 2: 6, 3: 10})
    assert whole_counts(per_session)
    assert threshold_bands(per_session, [0, 1, 2, 3]) == [(0, "0–2"), (1, "3–5"), (2, "6–9"), (3, "10 or more")]


@pytest.mark.parametrize(
    "kw",
    [
        dict(unit="percent of cards in progress linked to the goal", thresholds={1: 50, 2: 75, 3: 90}),
        dict(unit="meeting hours per member per week (team average)", better="lower", thresholds={1: 15, 2: 10, 3: 6}),
        dict(unit="top speaker's share divided by the equal share", better="lower", thresholds={1: 3.0, 2: 2.0, 3: 1.5}),
        dict(unit="blocked items", thresholds={1: 0.25, 2: 0.5, 3: 0.75}, denominator="blocked items in progress"),
        dict(unit="questions", thresholds={1: 2, 2: 4, 3: 6}, per="hour"),
    ],
)
def test_percentages_averages_ratios_and_rates_are_not_whole(kw):
    assert not whole_counts(_count_item(**kw))


def test_other_values_read_without_down_to_above():
    higher = _count_item(unit="percent of committed items verifiably done", thresholds={1: 50, 2: 70, 3: 85})
    assert threshold_bands(higher, [0, 1, 2, 3]) == [(0, "below 50"), (1, "from 50 to under 70"), (2, "from 70 to under 85"), (3, "85 or more")]
    lower = _count_item(unit="top speaker's share divided by the equal share", better="lower", thresholds={1: 3.0, 2: 2.0, 3: 1.5})
    assert threshold_bands(lower, [0, 1, 2, 3]) == [(0, "above 3"), (1, "over 2, up to 3"), (2, "over 1.5, up to 2"), (3, "1.5 or less")]
    for _, text in threshold_bands(lower, [0, 1, 2, 3]) + threshold_bands(higher, [0, 1, 2, 3]):
        assert "down to above" not in text and "or fewer" not in text


def test_shares_of_intervals_are_percentages():
    codes = CodesItem.model_validate(dict(
        BASE, kind="codes", interval_minutes=2, codes=[dict(id="A", label="a", description="d"), dict(id="B", label="b", description="d")],
        score_codes=["A"], better="lower", thresholds={1: 0.25, 2: 0.1, 3: 0},
    ))
    assert threshold_bands(codes, [0, 1, 2, 3]) == [(0, "above 25%"), (1, "over 10%, up to 25%"), (2, "over 0%, up to 10%"), (3, "0%")]
