"""agreement.py: Krippendorff's alpha equals the ``krippendorff`` package and the published
examples, and the report says why there is no number when there is none."""

from __future__ import annotations

import datetime as dt
import random

import krippendorff
import numpy as np
import pytest

from conftest import KITS
from podkit.agreement import ALL_IDENTICAL, ONE_OBSERVER, krippendorff_alpha, reading
from podkit.figures import fmt_alpha
from podkit.kit import Project, load_kit
from podkit.model import Observation
from podkit.portfolio import inputs_digest
from podkit.scoring import score_pod

D = dt.date

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers, 12
# units, missing values. Published: nominal .743, ordinal .815 (interval .849, ratio .797).
KRIPP_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def _units(rows):
    return [{f"o{i}": float(r[j]) for i, r in enumerate(rows) if r[j] is not None} for j in range(len(rows[0]))]


def test_alpha_matches_krippendorffs_published_example():
    alpha, note = krippendorff_alpha(_units(KRIPP_2011), "nominal")
    assert round(alpha, 3) == 0.743 and note == ""
    alpha, _ = krippendorff_alpha(_units(KRIPP_2011), "ordinal")
    assert round(alpha, 3) == 0.815


def test_alpha_binary_example():
    # Krippendorff (2011), section A: two observers, binary data, nominal alpha .095
    rows = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
    assert round(krippendorff_alpha(_units(rows), "nominal")[0], 3) == 0.095


@pytest.mark.parametrize("seed", range(5))
def test_alpha_equals_the_package_on_random_data(seed):
    rng = random.Random(seed)
    coders, n_units = rng.randint(2, 4), rng.randint(3, 30)
    rows = [[rng.choice([0, 1, 2, 3, None]) for _ in range(n_units)] for _ in range(coders)]
    data = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
    for level in ("ordinal", "nominal"):
        mine, note = krippendorff_alpha(_units(rows), level)
        pairable = [u for u in _units(rows) if len(u) >= 2]
        if len({v for u in pairable for v in u.values()}) < 2:
            assert mine is None and note == ALL_IDENTICAL
            continue
        assert mine == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


def test_no_alpha_says_which_case():
    assert krippendorff_alpha([{"a": 1.0}, {"a": 2.0}], "ordinal") == (None, "one observer: agreement needs two")
    assert krippendorff_alpha([{"a": 2.0, "b": 2.0}, {"a": 2.0, "b": 2.0}], "ordinal") == (None, ALL_IDENTICAL)
    assert ALL_IDENTICAL.startswith("every value identical")
    assert (fmt_alpha(None, ONE_OBSERVER), fmt_alpha(None, ALL_IDENTICAL), fmt_alpha(0.8154)) == ("one observer", "every value identical", "0.815")
    assert reading(None) is None


@pytest.mark.parametrize("alpha, text", [(0.95, "reliable"), (0.8, "reliable"), (0.7999, "tentative"), (0.667, "tentative"), (0.6669, "recalibrate"), (-0.2, "recalibrate")])
def test_alpha_reading(alpha, text):
    assert reading(alpha) == text


def _obs(date, responses, observers):
    return Observation.model_validate(dict(assessment="worked-example", assessment_version="1.0.0", pod="pod-x", date=date,
                                           session={"type": "review", "duration_minutes": 15}, observers=list(observers), responses=responses))


def test_pooled_alpha_uses_the_observers_values_never_the_consensus():
    a = load_kit(Project.find(KITS / "scoring")).assessment("worked-example")
    s1 = _obs(D(2026, 3, 4), {
        "done-demonstrated": {"obs-a": {"level": 2}, "obs-b": {"level": 3}, "consensus": {"level": 3}},
        "dod-checked": {"obs-a": {"check": True}, "obs-b": {"check": True}},
        "blockers-unowned": {"obs-a": {"count": 1}, "obs-b": {"count": 2}},
    }, ("obs-a", "obs-b"))
    s2 = _obs(D(2026, 3, 18), {
        "done-demonstrated": {"obs-b": {"level": 1}, "obs-c": {"level": 3}},
        "dod-checked": {"obs-b": {"check": True}, "obs-c": {"check": False}, "consensus": {"check": True}},
        "blockers-unowned": {"obs-b": {"not_applicable": True, "reason": "Nothing blocked."}, "obs-c": {"count": 0}},
        "swarming": {"obs-b": {"intervals": [["SW"], ["SW"], [], []]}, "obs-c": {"not_observed": True}},
    }, ("obs-b", "obs-c"))
    r = score_pod(a, "pod-x", [(o, {}, ["x.yaml"]) for o in (s1, s2)], as_of=D(2026, 4, 1), version="t", inputs=inputs_digest([("x.yaml", "0" * 64)]))
    nan = np.nan
    # coders obs-a, obs-b, obs-c; units: (s1 done), (s1 blockers), (s2 done); the not-applicable and
    # not-observed answers and every consensus are left out
    levels = np.array([[2, 2, nan], [3, 1, 1], [nan, nan, 3]], dtype=float)
    assert r.agreement.krippendorff_alpha == pytest.approx(krippendorff.alpha(reliability_data=levels, level_of_measurement="ordinal"))
    assert r.agreement.units == 3 and r.agreement.observers == 3
    checks = np.array([[1, nan], [1, 1], [nan, 0]], dtype=float)
    assert r.agreement.checks_alpha == pytest.approx(krippendorff.alpha(reliability_data=checks, level_of_measurement="nominal"))
