"""JSON Schemas for the files people edit and the reports podkit writes."""

from __future__ import annotations

from .model import ActionPlan, Assessment, Observation
from .results import Portfolio, Report
from .selfcheck import SelfCheck

SCHEMA_BASE = "https://podkit.invalid/schemas"  # a stable identifier, never fetched

#: name -> model. Reports and portfolios are what ``podkit score`` writes as JSON; action plans
#: are the ``actions/<pod>.yaml`` files ``podkit new-action`` appends to; self-checks are the
#: ``self-check/<pod>-<date>.yaml`` records ``podkit new-self-check`` writes blank.
MODELS = {"assessment": Assessment, "observation": Observation, "actions": ActionPlan, "self-check": SelfCheck, "report": Report, "portfolio": Portfolio}


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
