"""sheets.py: a filled fillable sheet (PDF) read back into an observation.

The sheet is the scoring kit's real fillable sheet, rendered once per session (``scoring_sheet``
in conftest.py) and filled with PyMuPDF the way a PDF viewer fills it.
"""

from __future__ import annotations


import pytest

from conftest import fill_sheet
from podkit.errors import SourceErrors
from podkit.model import Observation
from podkit.sheets import read_sheet

META = {
    "pk__meta__pod": "pod-demo",
    "pk__meta__date": "2026-03-02",
    "pk__meta__observer": "obs-a",
    "pk__meta__session": "stand-up",
    "pk__meta__duration": "15",
}


def _read(scoring_sheet, tmp_path, values: dict) -> dict:
    filled = tmp_path / "filled.pdf"
    fill_sheet(scoring_sheet, filled, values)
    return read_sheet(filled)


def _problems(scoring_sheet, tmp_path, values: dict) -> list[str]:
    filled = tmp_path / "filled.pdf"
    fill_sheet(scoring_sheet, filled, values)
    with pytest.raises(SourceErrors) as err:
        read_sheet(filled)
    assert all(p.path == filled for p in err.value.problems)
    return [p.format().split("filled.pdf: ", 1)[1] for p in err.value.problems]


@pytest.mark.slow
def test_every_item_kind_reads_back(scoring_sheet, tmp_path):
    observation = _read(scoring_sheet, tmp_path, {
        **META,
        "pk__meta__notes": "Short session.\nBoard on screen.",
        "pk__done-demonstrated__level": "1",
        "pk__done-demonstrated__evidence": "Done claimed three times,\none link opened.",
        "pk__dod-checked__check": "no",
        "pk__blockers-unowned__count": "4",
        "pk__swarming__i01__SW": True,
        "pk__swarming__i04__NX": True,
        "pk__swarming__i04__RS": True,
    })
    assert observation == {
        "assessment": "worked-example",
        "assessment_version": "1.0.0",
        "pod": "pod-demo",
        "date": "2026-03-02",
        "session": {"type": "stand-up", "duration_minutes": 15},
        "observers": ["obs-a"],
        "responses": {
            "done-demonstrated": {"obs-a": {"level": 1, "evidence": "Done claimed three times,\none link opened."}},
            "dod-checked": {"obs-a": {"check": False}},
            "blockers-unowned": {"obs-a": {"count": 4}},
            # 15 minutes of 3-minute intervals: five rows, codes in the sheet's order
            "swarming": {"obs-a": {"intervals": [["SW"], [], [], ["NX", "RS"], []]}},
        },
        "notes": "Short session.\nBoard on screen.",
    }
    Observation.model_validate(observation)


@pytest.mark.slow
def test_not_observed_answers_and_blank_items(scoring_sheet, tmp_path):
    observation = _read(scoring_sheet, tmp_path, {
        **META,
        "pk__done-demonstrated__level": "not-observed",
        "pk__dod-checked__check": "not-observed",
        "pk__blockers-unowned__not-observed": True,
    })
    assert observation["responses"] == {
        "done-demonstrated": {"obs-a": {"not_observed": True}},
        "dod-checked": {"obs-a": {"not_observed": True}},
        "blockers-unowned": {"obs-a": {"not_observed": True}},
    }  # the untouched codes item is left out, not guessed
    assert "notes" not in observation


@pytest.mark.slow
def test_numbers_and_minutes_as_people_write_them(scoring_sheet, tmp_path):
    observation = _read(scoring_sheet, tmp_path, {
        **META,
        "pk__meta__duration": "12 min",
        "pk__meta__date": " 2026-03-02 ",
        "pk__blockers-unowned__count": "2,5",
    })
    assert observation["session"]["duration_minutes"] == 12
    assert observation["date"] == "2026-03-02"
    assert observation["responses"]["blockers-unowned"]["obs-a"]["count"] == 2.5


@pytest.mark.slow
def test_interval_rows_follow_the_duration_unless_a_later_row_is_ticked(scoring_sheet, tmp_path):
    short = _read(scoring_sheet, tmp_path, {**META, "pk__meta__duration": "6", "pk__swarming__i01__RS": True})
    assert short["responses"]["swarming"]["obs-a"]["intervals"] == [["RS"], []]
    late = _read(scoring_sheet, tmp_path, {**META, "pk__meta__duration": "6", "pk__swarming__i04__SW": True})
    assert late["responses"]["swarming"]["obs-a"]["intervals"] == [[], [], [], ["SW"]]


@pytest.mark.slow
def test_contradictory_ticks_are_named(scoring_sheet, tmp_path):
    problems = _problems(scoring_sheet, tmp_path, {
        **META,
        "pk__blockers-unowned__count": "3",
        "pk__blockers-unowned__not-observed": True,
        "pk__swarming__i02__SW": True,
        "pk__swarming__not-observed": True,
    })
    assert problems == [
        "responses.blockers-unowned.obs-a: both count and not observed are filled in; keep one",
        "responses.swarming.obs-a: both interval codes and not observed are filled in; keep one",
    ]


@pytest.mark.slow
def test_a_blank_sheet_lists_every_missing_field(scoring_sheet):
    with pytest.raises(SourceErrors) as err:
        read_sheet(scoring_sheet)
    messages = [p.format().split(": ", 1)[1] for p in err.value.problems]
    assert sorted(messages) == sorted([
        "pod: fill in the field “Pod” on the sheet (it is empty)",
        "date: fill in the field “Date” on the sheet (it is empty)",
        "observers[0]: fill in the field “Observer id” on the sheet (it is empty)",
        "session.type: tick the session type on the sheet (it is empty)",
        "session.duration_minutes: fill in the field “Minutes” on the sheet (it is empty)",
    ])


@pytest.mark.slow
def test_bad_values_are_named_with_their_text(scoring_sheet, tmp_path):
    problems = _problems(scoring_sheet, tmp_path, {
        **META,
        "pk__meta__date": "2/3/2026",
        "pk__meta__duration": "0",
        "pk__blockers-unowned__count": "four",
        "pk__dod-checked__evidence": "Nobody opened the list.",
    })
    assert sorted(problems) == sorted([
        "date: “2/3/2026” is not a date like 2026-10-01 (write it as YYYY-MM-DD)",
        "session.duration_minutes: “0” is not a number of minutes (write a whole number such as 60)",
        "responses.dod-checked.obs-a.evidence: evidence is written but no level, answer or count is recorded; record one, or tick “not observed”",
        "responses.blockers-unowned.obs-a.count: “four” is not a number (write digits only, such as 4 or 62.5)",
    ])


@pytest.mark.slow
def test_a_flattened_sheet_has_no_fields_to_read(scoring_sheet, tmp_path):
    import pymupdf

    filled = tmp_path / "filled.pdf"
    fill_sheet(scoring_sheet, filled, META)
    doc = pymupdf.open(filled)
    doc.bake()  # what "print to PDF" or flattening does: the values become page content
    flat = tmp_path / "flat.pdf"
    doc.save(flat)
    with pytest.raises(SourceErrors) as err:
        read_sheet(flat)
    [problem] = err.value.problems
    assert problem.path == flat
    assert "no podkit form fields in this PDF" in problem.message
    assert "flattening it removes its fields" in problem.message


@pytest.mark.slow
def test_reading_does_not_change_the_file(scoring_sheet, tmp_path):
    filled = tmp_path / "filled.pdf"
    fill_sheet(scoring_sheet, filled, META)
    before = filled.read_bytes()
    read_sheet(filled)
    assert filled.read_bytes() == before


def test_read_sheet_refuses_other_files(tmp_path):
    # moved from test_printing.py
    from pypdf import PdfWriter

    cases = {}
    (tmp_path / "notes.pdf").write_text("not a pdf at all")
    cases["notes.pdf"] = "cannot read this PDF"
    (tmp_path / "cut.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    cases["cut.pdf"] = "cannot read this PDF"
    w = PdfWriter()
    w.add_blank_page(100, 100)
    w.write(tmp_path / "blank.pdf")
    cases["blank.pdf"] = "no podkit form fields"
    w = PdfWriter()
    w.add_blank_page(100, 100)
    w.encrypt("secret", algorithm="RC4-128")
    w.write(tmp_path / "locked.pdf")
    cases["locked.pdf"] = "password-protected"
    cases["missing.pdf"] = "no such file"
    for name, message in cases.items():
        with pytest.raises(SourceErrors) as err:
            read_sheet(tmp_path / name)
        assert message in err.value.problems[0].format(), name
        assert name in err.value.problems[0].format()


def test_foreign_fields_are_ignored_and_dotted_names_are_not_podkit_fields(tmp_path):
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    def text_field(name, value):
        return DictionaryObject({NameObject("/T"): TextStringObject(name), NameObject("/FT"): NameObject("/Tx"), NameObject("/V"): TextStringObject(value)})

    w = PdfWriter()
    w.add_blank_page(100, 100)
    refs = ArrayObject(w._add_object(f) for f in [text_field("Name", "Ada"), text_field("pk.meta.pod", "x")])
    w._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): refs})
    path = tmp_path / "other.pdf"
    w.write(path)
    with pytest.raises(SourceErrors) as err:
        read_sheet(path)
    assert "other.pdf: no podkit form fields in this PDF" in err.value.problems[0].format()
