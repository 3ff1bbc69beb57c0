"""``podkit serve`` (:mod:`podkit.preview`): what the live preview keeps between rebuilds follows
every input it was made from, and nothing else."""

from __future__ import annotations

from pathlib import Path

from podkit import preview
from podkit.kit import Project, load_kit


def _kit(kit_dir: Path):
    return load_kit(Project.find(kit_dir))


def _serve_keys(kit_dir: Path) -> tuple[str, str]:
    kit = _kit(kit_dir)
    return preview._sample_reports_key(kit, None), preview._recorder_key(kit, None)


def test_serve_reuses_sample_reports_and_recorder_pages_only_while_their_inputs_are_unchanged(kit_copy):
    kit = kit_copy(".")
    samples, recorder = _serve_keys(kit)
    assert _serve_keys(kit) == (samples, recorder)  # nothing changed

    # a content page feeds neither
    faq = kit / "content" / "faq.md"
    faq.write_text(faq.read_text(encoding="utf-8") + "\nOne more answer.\n", encoding="utf-8")
    assert _serve_keys(kit) == (samples, recorder)

    # a comment in an assessment changes no validated value
    a = kit / "assessments" / "alignment.yaml"
    text = a.read_text(encoding="utf-8")
    a.write_text(text + "\n# a comment\n", encoding="utf-8")
    assert _serve_keys(kit) == (samples, recorder)

    # the assessment itself feeds both
    a.write_text(text.replace("title: Alignment on outcome, priorities and decisions", "title: Alignment, edited", 1), encoding="utf-8")
    edited = _serve_keys(kit)
    assert edited[0] != samples and edited[1] != recorder
    a.write_text(text, encoding="utf-8")
    assert _serve_keys(kit) == (samples, recorder)

    # a sample observation feeds the sample reports only
    sample = sorted((kit / "examples" / "observations").rglob("*.yaml"))[0]
    sample.write_text(sample.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = _serve_keys(kit)
    assert changed[0] != samples and changed[1] == recorder

    # report templates feed the sample reports; recorder templates the recorder pages
    report_css = kit / "themes" / "default" / "report" / "report.css"
    report_css.write_text(report_css.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    css_samples, css_recorder = _serve_keys(kit)
    assert css_samples != changed[0] and css_recorder == recorder
    script = kit / "themes" / "default" / "recorder" / "recorder.js"
    script.write_text(script.read_text(encoding="utf-8") + "\n// edited\n", encoding="utf-8")
    assert _serve_keys(kit)[1] != recorder
