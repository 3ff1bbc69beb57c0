"""JSON Schemas for the files people edit and the reports podkit writes."""

from __future__ import annotations

from .model import Assessment, Observation

SCHEMA_BASE = "https://podkit.invalid/schemas"  # a stable identifier, never fetched

#: name -> model; other stages register more (the report schema joins with scoring).
MODELS = {"assessment": Assessment, "observation": Observation}


def json_schema(name: str) -> dict:
    """The JSON Schema (draft 2020-12) of one file kind."""
    model = MODELS[name]
    schema = model.model_json_schema(mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}/{name}.schema.json",
        **schema,
    }
    return schema


def all_schemas() -> dict[str, dict]:
    return {name: json_schema(name) for name in MODELS}
