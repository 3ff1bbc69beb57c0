"""csvfiles.py: the CSV contract and its reader (sessions from rows; problems name line and column)."""

from __future__ import annotations

import pytest

from podkit.csvfiles import CSV_COLUMNS, CSV_GUIDANCE, CSV_OPTIONAL, CSV_REQUIRED, csv_documents
from podkit.errors import SourceErrors
from podkit.model import Observation
from podkit.validation import validate_document

HEADER = ",".join(CSV_REQUIRED) + ",level,check,count,intervals,not_observed,evidence"
ROW = "worked-example,1.0.0,pod-demo,2026-03-02,stand-up,15,{observer},{item},{answers}"


def _row(item: str, answers: str, observer: str = "obs-a") -> str:
    return ROW.format(observer=observer, item=item, answers=answers)


def _write(tmp_path, *lines: str, name: str = "obs.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _messages(path) -> list[str]:
    with pytest.raises(SourceErrors) as err:
        csv_documents(path, None)
    return [p.format().split(path.name + ":", 1)[1] for p in err.value.problems]


def test_the_contract():
    assert CSV_COLUMNS[:8] == ("assessment", "assessment_version", "pod", "date", "session_type", "duration_minutes", "observer", "item")
    assert CSV_COLUMNS == CSV_REQUIRED + CSV_OPTIONAL + CSV_GUIDANCE  # the guidance column (prompt) is read and ignored
    assert "out_of" in CSV_OPTIONAL and "not_applicable" in CSV_OPTIONAL and "reason" in CSV_OPTIONAL


def test_rows_become_one_observation_per_session(tmp_path):
    path = _write(
        tmp_path,
        "# Invented data.",
        HEADER,
        _row("done-demonstrated", '1,,,,,"Shown, twice."'),
        _row("dod-checked", ",no,,,,"),
        _row("blockers-unowned", ",,4,,,"),
        _row("swarming", ",,,SW|RS|-|NX+RS|,,"),
        "worked-example,1.0.0,pod-demo,2026-03-16,stand-up,15,obs-a,dod-checked,,yes,,,,",
    )
    first, second = csv_documents(path, None)
    assert first.data == {
        "assessment": "worked-example",
        "assessment_version": "1.0.0",
        "pod": "pod-demo",
        "date": "2026-03-02",
        "session": {"type": "stand-up", "duration_minutes": 15},
        "observers": ["obs-a"],
        "responses": {
            "done-demonstrated": {"obs-a": {"level": 1, "evidence": "Shown, twice."}},
            "dod-checked": {"obs-a": {"check": False}},
            "blockers-unowned": {"obs-a": {"count": 4.0}},
            "swarming": {"obs-a": {"intervals": [["SW"], ["RS"], [], ["NX", "RS"], []]}},
        },
    }
    assert second.data["date"] == "2026-03-16" and list(second.data["responses"]) == ["dod-checked"]
    observation, problems = validate_document(first, Observation)
    assert problems == [] and observation.responses["swarming"]["obs-a"].intervals[3] == ["NX", "RS"]


def test_consensus_rows_are_not_observers(tmp_path):
    path = _write(
        tmp_path,
        HEADER,
        _row("done-demonstrated", "1,,,,,", observer="obs-a"),
        _row("done-demonstrated", "2,,,,,", observer="obs-b"),
        _row("done-demonstrated", "2,,,,,", observer="consensus"),
    )
    (doc,) = csv_documents(path, None)
    assert doc.data["observers"] == ["obs-a", "obs-b"]
    assert doc.data["responses"]["done-demonstrated"]["consensus"] == {"level": 2}


@pytest.mark.parametrize("cell, value", [("yes", True), ("Y", True), ("x", True), ("1", True), ("no", False), ("N", False), ("0", False), ("false", False)])
def test_yes_no_cells(tmp_path, cell, value):
    (doc,) = csv_documents(_write(tmp_path, HEADER, _row("dod-checked", f",{cell},,,,")), None)
    assert doc.data["responses"]["dod-checked"]["obs-a"] == {"check": value}


def test_numbers_stay_text_when_they_are_not_numbers(tmp_path):
    (doc,) = csv_documents(_write(tmp_path, HEADER, _row("done-demonstrated", "2.0,maybe,lots,,,")), None)
    assert doc.data["responses"]["done-demonstrated"]["obs-a"] == {"level": 2, "check": "maybe", "count": "lots"}
    (doc,) = csv_documents(_write(tmp_path, HEADER, _row("blockers-unowned", ",,nan,,,")), None)
    assert doc.data["responses"]["blockers-unowned"]["obs-a"] == {"count": "nan"}  # never a float NaN


def test_not_observed_and_columns_left_out(tmp_path):
    header = ",".join(CSV_REQUIRED) + ",not_observed"
    (doc,) = csv_documents(_write(tmp_path, header, "worked-example,1.0.0,p,2026-03-02,stand-up,15,obs-a,swarming,yes"), None)
    assert doc.data["responses"]["swarming"]["obs-a"] == {"not_observed": True}


def test_header_is_case_and_space_insensitive_and_comments_and_blank_lines_are_skipped(tmp_path):
    header = " Assessment , ASSESSMENT_VERSION,pod,date,session_type,duration_minutes,observer,item,level"
    path = _write(tmp_path, "", "# a comment", header, "", "  # another, with commas", "worked-example,1.0.0,p,2026-03-02,stand-up,15,o,done-demonstrated,3")
    (doc,) = csv_documents(path, None)
    assert doc.data["responses"] == {"done-demonstrated": {"o": {"level": 3}}}
    assert doc.locate(("responses", "done-demonstrated", "o", "level")) == (6, None)


def test_unknown_and_missing_columns(tmp_path):
    path = _write(tmp_path, "assessment,pod,date,session_typ,observer,item,lvl", _row("x", "1"))
    messages = _messages(path)
    assert "1: unknown column 'session_typ' (did you mean 'session_type'?); columns: " + ", ".join(CSV_COLUMNS) in messages
    assert any(m.startswith("1: unknown column 'lvl' (did you mean 'level'?)") for m in messages)
    assert "1: missing required columns 'assessment_version', 'session_type', 'duration_minutes'" in messages


def test_duplicate_column(tmp_path):
    path = _write(tmp_path, HEADER + ",level", _row("x", "1,,,,,,1"))
    assert "1: column 'level' appears twice in the header" in _messages(path)


def test_problems_name_the_cell(tmp_path):
    path = _write(tmp_path, HEADER, _row("done-demonstrated", "1.5,,,,,"))
    (doc,) = csv_documents(path, None)
    _, [problem] = validate_document(doc, Observation)
    assert problem.format().endswith(f"{path.name}:2: column 'level': expected a whole number — got '1.5'")
    assert problem.line == 2 and problem.col is None


def test_rows_of_one_session_must_agree(tmp_path):
    path = _write(
        tmp_path,
        HEADER,
        _row("done-demonstrated", "1,,,,,"),
        "worked-example,1.1.0,pod-demo,2026-03-02,stand-up,15,obs-a,dod-checked,,yes,,,,",
    )
    assert _messages(path) == [
        "3: column 'assessment_version': '1.1.0' differs from '1.0.0' on line 2, a row of the same session (same assessment, pod, date and session type)"
    ]


def test_quoted_fields_with_commas_and_line_breaks(tmp_path):
    path = _write(
        tmp_path,
        HEADER,
        _row("done-demonstrated", '1,,,,,"one, two\nthree ""quoted"""'),
        _row("dod-checked", ",yes,,,,"),
    )
    (doc,) = csv_documents(path, None)
    assert doc.data["responses"]["done-demonstrated"]["obs-a"]["evidence"] == 'one, two\nthree "quoted"'
    assert doc.locate(("responses", "dod-checked", "obs-a")) == (4, None)  # the line the row starts on


def test_unclosed_quote_is_a_syntax_error_not_a_swallowed_file(tmp_path):
    path = _write(tmp_path, HEADER, _row("done-demonstrated", '1,,,,,"never closed'), _row("dod-checked", ",yes,,,,"))
    assert _messages(path) == ["2: CSV syntax error: unexpected end of data (a quoted field is never closed: check the quotes from this line on)"]


def test_wrong_number_of_fields(tmp_path):
    path = _write(tmp_path, HEADER, _row("done-demonstrated", "1,,,"))
    assert _messages(path) == ["2: row has 12 fields but the header has 14; quote fields that contain commas"]


def test_empty_files(tmp_path):
    assert _messages(_write(tmp_path, "# only a comment", "")) == [" no header row: the first row must name the columns (" + ",".join(CSV_COLUMNS) + ")"]
    assert _messages(_write(tmp_path, HEADER, name="h.csv")) == [" no data rows after the header"]


def test_intervals_syntax(tmp_path):
    (doc,) = csv_documents(_write(tmp_path, HEADER, _row("swarming", ",,, SW + NX | - || RS ,,")), None)
    assert doc.data["responses"]["swarming"]["obs-a"] == {"intervals": [["SW", "NX"], [], [], ["RS"]]}
