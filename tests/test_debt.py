"""debt.py: rules 13 and 14 (the Execution Debt ledger and its rating), called directly with
exact item levels, against point-days worked out by hand.

The rules as the page states them are tested end to end in test_scoring.py (through
``score_pod``); these tests pin the module's own interface: levels in, ledger and exact
point-days out.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction as F
from types import SimpleNamespace

import pytest

from conftest import KITS
from podkit import debt
from podkit.kit import Project, load_kit

D = dt.date


@pytest.fixture(scope="module")
def a():
    return load_kit(Project.find(KITS / "scoring")).assessment("worked-example")


def _sessions(*dates):
    return [SimpleNamespace(index=i, date=d) for i, d in enumerate(dates, 1)]


def _levels(a, per_session: list[dict]) -> list[list]:
    """Each session's levels in item order (``None``: not scored)."""
    return [[F(row[it.id]) if it.id in row else None for it in a.items] for row in per_session]


def test_one_open_finding_accrues_weight_times_gap_times_days(a):
    item = a.item("done-demonstrated")  # target 2
    sessions = _sessions(D(2026, 1, 1), D(2026, 1, 15))
    ledger, exact_pd = debt.debt_ledger(a, sessions, _levels(a, [{item.id: 0}, {item.id: 1}]), D(2026, 1, 22))
    (entry,) = ledger
    w = F(str(item.weight))
    # gap 2 for 14 days, then gap 1 for 7 days (as of the 22nd)
    assert exact_pd[0] == w * 2 * 14 + w * 1 * 7
    assert (entry.status, entry.opened, entry.last_session, entry.gap, entry.days) == ("open", D(2026, 1, 1), 2, 1, 21)
    assert [(iv.start, iv.end, iv.gap, iv.days) for iv in entry.intervals] == [(D(2026, 1, 1), D(2026, 1, 15), 2, 14), (D(2026, 1, 15), D(2026, 1, 22), 1, 7)]


def test_a_finding_closes_at_the_first_session_at_or_above_target_and_not_scored_changes_nothing(a):
    item = a.item("done-demonstrated")
    sessions = _sessions(D(2026, 1, 1), D(2026, 1, 8), D(2026, 1, 15))
    levels = _levels(a, [{item.id: 1}, {}, {item.id: item.target}])  # the middle session did not score it
    (entry,), exact_pd = debt.debt_ledger(a, sessions, levels, D(2026, 2, 1))
    assert (entry.status, entry.closed, entry.closed_session) == ("closed", D(2026, 1, 15), 3)
    assert exact_pd[0] == F(str(item.weight)) * 1 * 14  # one interval, from the 1st to the 15th


def test_interest_counts_days_beyond_the_age_set_at_the_factor(a):
    item = a.item("done-demonstrated")
    cfg = a.scoring.model_copy(update={"interest_after_days": 10, "interest_factor": 1.5})
    b = a.model_copy(update={"scoring": cfg})
    (entry,), exact_pd = debt.debt_ledger(b, _sessions(D(2026, 1, 1)), _levels(b, [{item.id: 1}]), D(2026, 1, 31))
    w = F(str(item.weight))
    # 10 days at gap 1, then 20 days at gap 1 × 1.5
    assert exact_pd[0] == w * (10 + F(3, 2) * 20)
    assert (entry.intervals[0].days, entry.intervals[0].interest_days) == (30, 20)


def test_interventions_given_are_the_ones_the_ledger_names(a):
    item = a.item("done-demonstrated")
    refs = {it.id: debt.intervention_refs(it) for it in a.items}
    args = (a, _sessions(D(2026, 1, 1)), _levels(a, [{item.id: 0}]), D(2026, 1, 8))
    given, _ = debt.debt_ledger(*args, refs)
    made, _ = debt.debt_ledger(*args)
    assert given == made and given[0].interventions == refs[item.id]
    assert [r.id for r in refs[item.id]] and all(r.title for r in refs[item.id])


def test_execution_debt_sums_open_and_paid_down_exactly(a):
    item, other = a.item("done-demonstrated"), a.item("dod-checked")
    sessions = _sessions(D(2026, 1, 1), D(2026, 1, 8))
    levels = _levels(a, [{item.id: 0, other.id: 0}, {item.id: item.target, other.id: 0}])
    ledger, exact_pd = debt.debt_ledger(a, sessions, levels, D(2026, 1, 11))
    total = debt.execution_debt(a, ledger, exact_pd)
    assert (total.open_findings, total.closed_findings) == (1, 1)
    assert total.paid_down == float(F(str(item.weight)) * item.target * 7)
    assert total.open == float(F(str(other.weight)) * (other.target - 0) * 10)
    assert total.rating == debt.debt_rating(a, total.open, 1, int(other.critical))
