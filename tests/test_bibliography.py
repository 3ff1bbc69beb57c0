"""The bibliography page: ids for the linter, entry text for the printed reference lists."""

from __future__ import annotations

from pathlib import Path

from podkit import bibliography

PAGE = """\
## Section

Smith et al. (2013) {: #smith-2013 }
:   Michelle Smith and others. "The COPUS protocol." *CBE-LSE* 12(4), 618-627. <https://doi.org/10.1187/cbe.13-08-0154>

    **Used for:** interval coding. **Grade:** observational.

Goodhart (1975) {: #goodhart-1975 }
:   Charles Goodhart. A paper to a 1975 conference.
"""


def test_ids_and_entries_are_read_from_the_attribute_lists():
    assert bibliography.ids(PAGE) == {"smith-2013", "goodhart-1975"}
    entries = bibliography.entries(PAGE)
    assert entries["smith-2013"] == 'Michelle Smith and others. "The COPUS protocol." *CBE-LSE* 12(4), 618-627. https://doi.org/10.1187/cbe.13-08-0154'
    assert entries["goodhart-1975"] == "Charles Goodhart. A paper to a 1975 conference."


def test_every_shipped_reference_is_an_entry_with_a_source():
    root = Path(__file__).resolve().parent.parent
    text = root.joinpath(*bibliography.PAGE).read_text(encoding="utf-8")
    entries = bibliography.entries(text)
    assert set(entries) == bibliography.ids(text), "every id has a source line under it"
    import yaml

    for path in sorted((root / "assessments").glob("*.yaml")):
        for ref in yaml.safe_load(path.read_text(encoding="utf-8")).get("references", []):
            assert ref in entries, f"{path.name}: {ref}"
