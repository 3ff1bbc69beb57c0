"""wording.py: thresholds as a first-time reader reads them."""

from __future__ import annotations

import pytest

from podkit.model import CodesItem, CountItem
from podkit.wording import threshold_bands, whole_counts

BASE = dict(id="x", dimension="d", title="t", prompt="p", look_for=["c"], evidence="e")


def _count(**kw) -> CountItem:
    return CountItem.model_validate(dict(BASE, kind="count", **kw))


def test_whole_number_counts_read_as_ranges():
    higher = _count(unit="goal references that settle a choice", thresholds={1: 1, 2: 2, 3: 4})
    assert whole_counts(higher)
    assert threshold_bands(higher, [0, 1, 2, 3]) == [(0, "0"), (1, "1"), (2, "2–3"), (3, "4 or more")]
    lower = _count(unit="re-argued decisions", better="lower", thresholds={1: 3, 2: 1, 3: 0})
    assert threshold_bands(lower, [0, 1, 2, 3]) == [(0, "4 or more"), (1, "2–3"), (2, "1"), (3, "0")]
    days = _count(unit="days from signal to board change", better="lower", thresholds={1: 15, 2: 7, 3: 2})
    assert threshold_bands(days, [0, 1, 2, 3]) == [(0, "16 or more"), (1, "8–15"), (2, "3–7"), (3, "2 or fewer")]
    per_session = _count(unit="member questions per session", thresholds={1: 3, 2: 6, 3: 10})
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
    assert not whole_counts(_count(**kw))


def test_other_values_read_without_down_to_above():
    higher = _count(unit="percent of committed items verifiably done", thresholds={1: 50, 2: 70, 3: 85})
    assert threshold_bands(higher, [0, 1, 2, 3]) == [(0, "below 50"), (1, "from 50 to under 70"), (2, "from 70 to under 85"), (3, "85 or more")]
    lower = _count(unit="top speaker's share divided by the equal share", better="lower", thresholds={1: 3.0, 2: 2.0, 3: 1.5})
    assert threshold_bands(lower, [0, 1, 2, 3]) == [(0, "above 3"), (1, "over 2, up to 3"), (2, "over 1.5, up to 2"), (3, "1.5 or less")]
    for _, text in threshold_bands(lower, [0, 1, 2, 3]) + threshold_bands(higher, [0, 1, 2, 3]):
        assert "down to above" not in text and "or fewer" not in text


def test_shares_of_intervals_are_percentages():
    codes = CodesItem.model_validate(dict(
        BASE, kind="codes", interval_minutes=2, codes=[dict(id="A", label="a", description="d"), dict(id="B", label="b", description="d")],
        score_codes=["A"], better="lower", thresholds={1: 0.25, 2: 0.1, 3: 0},
    ))
    assert threshold_bands(codes, [0, 1, 2, 3]) == [(0, "above 25%"), (1, "over 10%, up to 25%"), (2, "over 0%, up to 10%"), (3, "0%")]
