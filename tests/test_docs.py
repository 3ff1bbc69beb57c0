"""The README states the limits podkit enforces; the numbers come from one place (model.py,
sources.py), so the README is checked against them."""

from __future__ import annotations

from pathlib import Path

from podkit import model, sheets, sources

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
LIMITS = README[README.index("### Limits"):README.index("### Text in YAML fields")]


def _says(text: str) -> None:
    assert text in " ".join(LIMITS.split()), f"README's Limits section should say {text!r}"


def test_readme_limits_are_the_model_limits():
    _says(f"at most {model.MAX_ITEMS} items per assessment")
    _says(f"scale levels 0 to {model.MAX_LEVEL}")
    _says(f"{model.MAX_OBSERVERS} observers per session")
    _says(f"sessions of up to {model.MAX_SESSION_MINUTES} minutes")
    _says(f"counts up to {model.MAX_COUNT:,}")
    _says(f"ids of up to {model.MAX_ID_LENGTH} characters (observer ids up to {model.MAX_OBSERVER_ID_LENGTH})")
    _says(f"text fields of up to {model.MAX_TEXT_LENGTH:,} characters")


def test_readme_limits_are_the_reader_limits():
    _says(f"up to {sources.MAX_TEXT_BYTES // (1024 * 1024)} MiB")
    _says(f"PDFs up to {sources.MAX_PDF_BYTES // (1024 * 1024)} MiB")
    _says(f"nested at most {sources.MAX_DEPTH} levels deep")
    _says(f"at most {sources.MAX_NODES:,} values")
    _says(f"at most {sheets.MAX_FORM_FIELDS:,} form fields")


def test_the_facilitator_guides_example_is_a_valid_observation_of_the_shipped_kit(tmp_path):
    """The example a facilitator copies must score as it is: same ids, session type, version."""
    import datetime as dt

    from podkit.kit import Project, load_kit
    from podkit.observations import load_observations

    root = Path(__file__).resolve().parent.parent
    guide = (root / "content" / "facilitator-guide.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in guide.split("```yaml\n")[1:]]
    example = next(b for b in blocks if b.startswith("assessment:"))
    (tmp_path / "example.yaml").write_text(example, encoding="utf-8")
    loaded = load_observations([tmp_path / "example.yaml"], load_kit(Project.find(root)).assessments, today=dt.date(2026, 12, 1))
    assert len(loaded.records) == 1
    # the example is an excerpt ("roughly like this"): only the warning that it covers few items
    assert all("covers only" in w.message for w in loaded.warnings), [w.format() for w in loaded.warnings]


def test_readme_limits_are_the_guard_and_sheet_limits():
    from podkit import markdown_guard

    _says(f"nested more than {markdown_guard.MAX_NESTING} levels")
    _says(f"more than {markdown_guard.MAX_BRACKETS} `[` open at once")
    _says(f"over {markdown_guard.BUDGET_SECONDS:g} seconds to convert")
    _says(f"{sheets.MAX_STREAM_BYTES // (1024 * 1024)} MiB per decompressed stream, {sheets.MAX_DECODED_BYTES // (1024 * 1024)} MiB per file")
    _says(f"{sheets.MAX_OBJECT_STREAM_BYTES // (1024 * 1024)} MiB of object streams and {sheets.MAX_PDF_OBJECTS:,} objects")
