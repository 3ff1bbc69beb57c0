"""exactmath.py: numbers read as written and the one rounding for output (rule 9)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from podkit.exactmath import DECIMALS, exact, rounded, shown


def test_decimals_are_read_as_written():
    assert exact(0.6) == F(3, 5) and exact(0.1) + exact(0.2) == exact(0.3)
    assert exact(7) == F(7) and exact(F(1, 3)) == F(1, 3)
    assert exact(True) == 1


@pytest.mark.parametrize("value, expected", [
    (F(1, 8), 0.12),         # 0.125: half to even, down
    (F(3, 8), 0.38),         # 0.375: half to even, up
    (F(-1, 8), -0.12),
    (F(1, 200), 0.0),        # 0.005
    (F(3, 200), 0.02),       # 0.015
    (F(200, 3), 66.67),
    (F(2, 3), 0.67),
    (F(7), 7.0),
    (F(-4), -4.0),
    (0.6, 0.6),
    (3, 3.0),
    (None, None),
])
def test_rounding_is_half_to_even_at_two_decimals(value, expected):
    assert DECIMALS == 2
    assert rounded(value) == expected
    if expected is not None:
        assert type(rounded(value)) is float


def test_rounding_agrees_with_the_exact_rule_for_many_fractions():
    """Half to even on the exact value: compare with Python's round() of the exact decimal."""
    for den in range(1, 80):
        for num in range(-3 * den, 3 * den + 1):
            x = F(num, den)
            scaled = x * 100
            floor = scaled.numerator // scaled.denominator
            rest = scaled - floor
            expected = floor + (1 if rest > F(1, 2) or (rest == F(1, 2) and floor % 2) else 0)
            assert rounded(x) == expected / 100, x


def test_shown_drops_trailing_zeros():
    assert [shown(F(200, 3)), shown(F(3, 2)), shown(56), shown(F(1, 8))] == ["66.67", "1.5", "56", "0.12"]
