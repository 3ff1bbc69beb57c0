"""schema.py: JSON Schemas of the files people write and the reports podkit writes."""

from __future__ import annotations

import json

import jsonschema
import pytest

from conftest import KITS
from podkit import schema
from podkit.sources import load_yaml


def test_the_published_names():
    assert sorted(schema.MODELS) == ["actions", "assessment", "observation", "portfolio", "report", "self-check"]
    assert sorted(schema.all_schemas()) == sorted(schema.MODELS)


@pytest.mark.parametrize("name", sorted(schema.MODELS))
def test_every_schema_is_draft_2020_12_with_an_id(name):
    s = schema.json_schema(name)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert s["$id"] == f"{schema.SCHEMA_BASE}/{name}.schema.json"
    assert list(s)[:2] == ["$schema", "$id"]
    jsonschema.Draft202012Validator.check_schema(s)
    json.dumps(s)  # plain JSON


def test_ids_are_distinct():
    ids = [s["$id"] for s in schema.all_schemas().values()]
    assert len(set(ids)) == len(ids)


def test_unknown_keys_are_refused_by_the_schemas():
    s = schema.json_schema("assessment")
    assert s["additionalProperties"] is False


def _validator(name):
    return jsonschema.Draft202012Validator(schema.json_schema(name))


def test_sample_files_pass_their_schemas():
    assessment = load_yaml(KITS / "scoring" / "assessments" / "worked-example.yaml").data
    observation = load_yaml(KITS / "scoring" / "observations" / "s1.yaml").data
    # YAML gives dates as dates; a JSON editor sees the text
    observation = json.loads(json.dumps(observation, default=str))
    assessment = json.loads(json.dumps(assessment, default=str))
    assert list(_validator("assessment").iter_errors(assessment)) == []
    assert list(_validator("observation").iter_errors(observation)) == []


def test_schema_catches_what_the_model_refuses():
    observation = json.loads(json.dumps(load_yaml(KITS / "scoring" / "observations" / "s1.yaml").data, default=str))
    observation["responses"]["done-demonstrated"]["obs-a"]["level"] = 99
    observation["pood"] = "typo"
    errors = list(_validator("observation").iter_errors(observation))
    assert any("'pood' was unexpected" in e.message for e in errors)
    [level] = [e for e in errors if list(e.absolute_path) == ["responses", "done-demonstrated", "obs-a", "level"]]
    assert any("99 is greater than the maximum of 10" in sub.message for sub in level.context)


def test_report_schemas_fix_the_format():
    assert schema.json_schema("report")["properties"]["format"]["const"] == "podkit-report/1"
    assert schema.json_schema("portfolio")["properties"]["format"]["const"] == "podkit-portfolio/1"
