"""results.py: the result models ``podkit schema report|portfolio`` publishes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import ValidationError

from conftest import KITS, score_files
from podkit import results
from podkit.kit import Project, load_kit
from podkit.results import Portfolio, Report

AS_OF = dt.date(2026, 4, 15)


@pytest.fixture(scope="module")
def scored():
    kit = load_kit(Project.find(KITS / "scoring"))
    return score_files(kit, [KITS / "scoring" / "observations-team"], AS_OF, version="t")


def test_the_json_schemas_expose_the_formats():
    report = Report.model_json_schema()
    portfolio = Portfolio.model_json_schema()
    assert report["properties"]["format"]["const"] == results.REPORT_FORMAT == "podkit-report/1"
    assert portfolio["properties"]["format"]["const"] == results.PORTFOLIO_FORMAT == "podkit-portfolio/1"
    assert "format" in report["required"] and "format" in portfolio["required"]


def test_status_and_reading_vocabularies():
    report = json.dumps(Report.model_json_schema())
    assert results.SCORED == "scored" and results.INSUFFICIENT == "insufficient-evidence"
    for word in ("scored", "insufficient-evidence", "reliable", "tentative", "recalibrate"):
        assert f'"{word}"' in report


def test_a_scored_report_round_trips_through_json(scored):
    (report,), portfolio = scored
    assert report.format == results.REPORT_FORMAT and report.as_of == AS_OF
    again = Report.model_validate_json(report.model_dump_json())
    assert again == report
    if portfolio is not None:
        assert Portfolio.model_validate_json(portfolio.model_dump_json()) == portfolio


def test_results_refuse_unknown_keys_and_other_formats(scored):
    (report,), _ = scored
    data = json.loads(report.model_dump_json())
    data["extra"] = 1
    with pytest.raises(ValidationError, match="extra"):
        Report.model_validate(data)
    data.pop("extra")
    data["format"] = "podkit-report/2"
    with pytest.raises(ValidationError, match="podkit-report/1"):
        Report.model_validate(data)


def test_results_are_frozen(scored):
    (report,), _ = scored
    with pytest.raises(ValidationError):
        report.pod = "someone-else"


def test_nothing_in_a_report_scores_a_person():
    # people first: no key of any result model names a person; observers are pseudonymous recorders
    text = json.dumps({"report": Report.model_json_schema(), "portfolio": Portfolio.model_json_schema()}).lower()
    for word in ('"person"', '"member"', '"email"', '"rank"', '"ranking"'):
        assert word not in text, word


def test_the_follow_up_fields_have_the_names_other_parts_rely_on():
    # the shared contract: these names are read by the summary, the recorder and the print theme
    assert list(results.ActionReviewed.model_fields) == [
        "id", "item", "item_title", "intervention", "title", "owner", "agreed", "due", "status", "status_date", "reason",
        "in_flight", "overdue", "before", "after", "verdict", "verdict_text"]
    assert list(results.LevelAt.model_fields) == ["date", "level", "not_applicable"]
    assert "actions" in Report.model_fields and "action" in results.Finding.model_fields and "action" in results.LedgerEntry.model_fields
    assert "id" in results.InterventionRef.model_fields and "ids" in results.Recommendation.model_fields
    assert {"overdue_actions", "critical_without_action"} <= set(results.PortfolioPod.model_fields)
    # owners are roles: the models have no field that could hold a person's name
    assert not {"person", "name", "assignee"} & set(results.ActionReviewed.model_fields)
