"""Schema validation messages and cross-checks, located in the YAML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from podkit.errors import SourceErrors
from podkit.kit import Project, load_assessment, load_kit
from podkit.schema import json_schema

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "tests" / "kits" / "minimal" / "assessments" / "demo-standup.yaml"


def _variant(tmp_path, edit) -> Path:
    """Write the demo assessment with one textual edit applied."""
    text = DEMO.read_text(encoding="utf-8")
    new = edit(text)
    assert new != text, "the edit did not change anything"
    path = tmp_path / "demo-standup.yaml"
    path.write_text(new, encoding="utf-8")
    return path


def _problems(path):
    a, _doc, problems = load_assessment(path)
    assert a is None
    return [p.format() for p in problems], problems


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_demo_is_valid():
    a, _doc, problems = load_assessment(DEMO)
    assert problems == [] and a is not None
    assert [it.kind for it in a.items] == ["anchored", "check", "count", "codes"]


def test_unknown_top_level_key_points_at_its_line(tmp_path):
    path = _variant(tmp_path, lambda t: t.replace("summary:", "sumary: x\nsummary:", 1))
    texts, problems = _problems(path)
    line = _line_of(path, "sumary:")
    assert any(f":{line}:1: sumary: unknown key 'sumary' (did you mean 'summary'?)" in t for t in texts)


def test_wrong_kind_lists_the_choices(tmp_path):
    path = _variant(tmp_path, lambda t: t.replace("kind: anchored", "kind: anchord"))
    texts, _ = _problems(path)
    line = _line_of(path, "kind: anchord")
    assert any(f":{line}:5: items[0].kind: expected one of: anchored, check, count, codes — got 'anchord'" in t for t in texts), texts


def test_wrong_type_and_bad_slug(tmp_path):
    path = _variant(tmp_path, lambda t: t.replace("weight: 2", "weight: heavy").replace("id: voice", "id: Voice Team"))
    texts, _ = _problems(path)
    assert any("dimensions[0].weight: expected a number — got 'heavy'" in t for t in texts)
    assert any("dimensions[1].id: expected an id in kebab-case" in t for t in texts)


def test_missing_key(tmp_path):
    path = _variant(tmp_path, lambda t: t.replace("    evidence: Tally each first turn.\n", ""))
    texts, _ = _problems(path)
    assert any("items[2]: missing required key 'evidence'" in t for t in texts), texts


def test_cross_checks_are_all_reported(tmp_path):
    def edit(t):
        t = t.replace("      3: Every claim is shown, and members ask to see it when it is not.\n", "")
        t = t.replace("dimension: voice\n    kind: count", "dimension: speaking\n    kind: count")
        t = t.replace("{1: 2, 2: 4, 3: 6}", "{1: 2, 2: 4, 3: 3}")
        t = t.replace("score_codes: [MM]", "score_codes: [XX]")
        t = t.replace("      - item: done-shown", "      - item: done-shwn")
        return t

    path = _variant(tmp_path, edit)
    texts, problems = _problems(path)
    joined = "\n".join(texts)
    assert "items[0].anchors: level 3 has no anchor" in joined
    assert "items[2].dimension: unknown dimension 'speaking'; defined dimensions: verification, voice" in joined
    assert "items[2].thresholds[3]: thresholds must increase with the level" in joined
    assert "items[3].score_codes[0]: unknown code 'XX'; this item's codes: LD, MM" in joined
    assert "readiness[1].gates[0].item: unknown item 'done-shwn'" in joined
    gate_line = _line_of(path, "item: done-shwn")
    assert any(p.line == gate_line for p in problems)


def test_duplicate_ids_and_file_name(tmp_path):
    path = _variant(tmp_path, lambda t: t.replace("id: board-updated", "id: done-shown"))
    texts, _ = _problems(path)
    assert any("items[1].id: duplicate item id 'done-shown'" in t for t in texts)
    renamed = tmp_path / "other-name.yaml"
    renamed.write_text(DEMO.read_text())
    texts, _ = _problems(renamed)
    assert any("file name should match the id" in t for t in texts)


def test_readiness_order_and_check_gate(tmp_path):
    def edit(t):
        t = t.replace("min_score: 60", "min_score: 0")
        return t.replace("      - item: done-shown\n        min_level: 2", "      - item: board-updated\n        min_level: 2")

    path = _variant(tmp_path, edit)
    texts, _ = _problems(path)
    joined = "\n".join(texts)
    assert "readiness[1].min_score: min_score must increase" in joined
    assert "'board-updated' is a check item: it scores 0 or 3" in joined


def test_kit_reports_every_file(tmp_path):
    (tmp_path / "assessments").mkdir()
    (tmp_path / "assessments" / "a.yaml").write_text("id: a\ntitle: [\n")
    (tmp_path / "assessments" / "b.yaml").write_text("id: b\nid: c\n")
    with pytest.raises(SourceErrors) as info:
        load_kit(Project.find(tmp_path))
    files = {Path(p.path).name for p in info.value.problems}
    assert files == {"a.yaml", "b.yaml"}


def test_project_without_assessments_folder(tmp_path):
    from podkit.errors import PodkitError

    with pytest.raises(PodkitError, match="no 'assessments/' folder"):
        Project.find(tmp_path)


def test_shipped_assessments_match_the_published_json_schema():
    schema = json_schema("assessment")
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted((ROOT / "assessments").glob("*.yaml"))
    assert files
    for f in files:
        data = yaml.safe_load(f.read_text())
        # JSON has string keys only: what an editor sees is what the schema must accept.
        data = json.loads(json.dumps(data, default=str))
        errors = list(validator.iter_errors(data))
        assert not errors, f"{f.name}: {errors[0].message}"


def test_shipped_assessments_are_valid_and_point_at_the_schema():
    kit = load_kit(Project.find(ROOT))
    assert len(kit.assessments) >= 1
    for f in Project(ROOT).assessment_files():
        first = f.read_text().splitlines()[0]
        assert re.fullmatch(r"# yaml-language-server: \$schema=\.\./schemas/assessment\.schema\.json", first), f.name


def test_committed_schema_files_are_current():
    for name in ("assessment", "observation"):
        committed = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())
        assert committed == json_schema(name), f"schemas/{name}.schema.json is stale: run podkit build"


def test_yaml_boolean_trap_is_explained(tmp_path):
    path = _variant(tmp_path, lambda t: t.replace("{id: LD, label", "{id: OFF, label"))
    texts, _ = _problems(path)
    assert any("items[3].codes[0].id: expected text — got false: YAML reads unquoted yes/no/on/off" in t for t in texts), texts


def test_references_are_bibliography_ids_listed_once(tmp_path):
    path = _variant(tmp_path, lambda t: t.rstrip("\n") + "\nreferences:\n  - sull-2015\n  - Sull (2015) HBR\n  - sull-2015\n")
    texts, problems = _problems(path)
    joined = "\n".join(texts)
    assert "references[1]: expected an id in kebab-case" in joined
    assert f":{_line_of(path, 'Sull (2015) HBR')}:" in joined
    path = _variant(tmp_path, lambda t: t.rstrip("\n") + "\nreferences:\n  - sull-2015\n  - sull-2015\n")
    texts, _ = _problems(path)
    assert any("references[1]: reference 'sull-2015' is listed twice" in t for t in texts), texts


def test_decision_rule_must_list_every_level_highest_first_and_end_with_otherwise(tmp_path):
    rule = (
        "    decision_rule:\n"
        "      - {level: 3, when: Every claim is shown}\n"
        "      - {level: 1, when: At least one claim is shown}\n"
        "      - {level: 2, when: otherwise}\n"
    )
    path = _variant(tmp_path, lambda t: t.replace("    interventions:", rule + "    interventions:", 1))
    texts, _ = _problems(path)
    joined = "\n".join(texts)
    assert "items[0].decision_rule: list every level of the scale once, highest first (3, 2, 1, 0); got 3, 1, 2" in joined
