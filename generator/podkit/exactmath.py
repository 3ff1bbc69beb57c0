"""Exact numbers and the one rounding for output (rule 9 of :mod:`podkit.scoring`).

A value is computed as an exact fraction, decimals read as written (0.6 is six tenths), and is
rounded only when a report carries it: half to even, to ``DECIMALS`` decimals, in :func:`rounded`.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

#: Decimals of every number a report carries (rule 9): rounded half to even, in :func:`rounded` only.
DECIMALS = 2
_SCALE = 10 ** DECIMALS


def exact(x) -> Fraction:
    """A number as written: an int exactly, a float by its shortest decimal (0.6 is 3/5)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    return _decimal(float(x))


@lru_cache(maxsize=4096, typed=True)
def _decimal(x: float) -> Fraction:
    """A float by its shortest decimal; cached: weights, thresholds and settings recur in every session."""
    return Fraction(repr(x))


def rounded(x) -> float | None:
    """The one place numbers are rounded for output: half to even, to ``DECIMALS`` decimals."""
    if x is None:
        return None
    if type(x) is not Fraction:
        if type(x) is int:
            return float(x)
        x = exact(x)
    n, d = x.numerator, x.denominator
    if d == 1:
        return float(n)  # a whole number needs no rounding (and n × 100 ÷ 100 is n)
    q, r = divmod(n * _SCALE, d)  # floor, 0 <= r < d
    q += 2 * r > d or (2 * r == d and q & 1)  # half to even
    return q / _SCALE  # int / int is correctly rounded, as float(Fraction) is


def shown(x) -> str:
    """A rounded number in a sentence: ``72.22``, ``1.5``, ``56``."""
    return f"{rounded(x):.{DECIMALS}f}".rstrip("0").rstrip(".")
