"""sheets.py: "not applicable" (with its reason) and a ratio item's "out of" come back from a
filled fillable sheet, on items whose instrument allows them and only there."""

from __future__ import annotations

import shutil

import pytest

from conftest import KITS
from podkit.errors import SourceErrors
from podkit.kit import Project, load_kit
from podkit.model import Observation
from podkit.printing import write_pdfs
from podkit.sheets import read_sheet
from test_printing import _fill


@pytest.fixture(scope="module")
def sheet(tmp_path_factory):
    root = tmp_path_factory.mktemp("kit")
    shutil.copytree(KITS / "scoring" / "assessments", root / "assessments")
    kit = load_kit(Project.find(root))
    out = root / "pdfs"
    write_pdfs(kit, out, papers=["a4"], kinds=("sheet",), workers=1, cache=False)
    (path,) = sorted(out.glob("*fillable*.pdf"))
    return path


META = {"pk__meta__pod": "pod-demo", "pk__meta__date": "2026-03-30", "pk__meta__observer": "obs-a", "pk__meta__session": "review", "pk__meta__duration": "15"}


@pytest.mark.slow
def test_not_applicable_and_its_reason_round_trip(sheet, tmp_path):
    filled = tmp_path / "filled.pdf"
    _fill(sheet, filled, {**META,
        "pk__done-demonstrated__level": "1",
        "pk__blockers-unowned__not-applicable": True,
        "pk__blockers-unowned__reason": "No item was blocked.",
    })
    got = read_sheet(filled)
    assert got["responses"] == {
        "done-demonstrated": {"obs-a": {"level": 1}},
        "blockers-unowned": {"obs-a": {"not_applicable": True, "reason": "No item was blocked."}},
    }
    Observation.model_validate(got)


@pytest.mark.slow
def test_only_items_that_allow_it_offer_not_applicable(sheet):
    import pymupdf

    names = {w.field_name for page in pymupdf.open(sheet) for w in page.widgets()}
    assert {"pk__blockers-unowned__not-applicable", "pk__blockers-unowned__reason"} <= names
    assert not {n for n in names if n.endswith(("__not-applicable", "__reason")) and "blockers-unowned" not in n}


@pytest.mark.slow
def test_a_reason_without_the_tick_is_a_problem(sheet, tmp_path):
    filled = tmp_path / "half.pdf"
    _fill(sheet, filled, {**META, "pk__blockers-unowned__reason": "No item was blocked."})
    with pytest.raises(SourceErrors) as err:
        read_sheet(filled)
    assert "a reason is written but “not applicable” is not ticked" in "\n".join(p.format() for p in err.value.problems)
