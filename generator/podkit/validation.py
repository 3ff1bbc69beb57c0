"""Validate parsed documents against the models, with messages a person can act on."""

from __future__ import annotations

import difflib
import typing
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .errors import Problem
from .model import CODE_PATTERN, MAX_ID_LENGTH, MAX_OBSERVER_ID_LENGTH, OBSERVER_ID_PATTERN, RATING_PATTERN, SEMVER_PATTERN, SLUG_PATTERN
from .sources import Document

_ITEM_TAGS = ("anchored", "check", "count", "codes")

_TYPE_WORDS = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "yes/no (true or false)",
    "bool_type": "yes/no (true or false)",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping (key: value pairs)",
    "model_type": "a mapping (key: value pairs)",
    "model_attributes_type": "a mapping (key: value pairs)",
    "date_parsing": "a date like 2026-10-01",
    "date_from_datetime_parsing": "a date like 2026-10-01",
    "date_type": "a date like 2026-10-01",
}

_PATTERN_WORDS = {
    SLUG_PATTERN: f"an id in kebab-case, like 'goal-clarity' (lowercase letters, digits, single hyphens; up to {MAX_ID_LENGTH})",
    SEMVER_PATTERN: "a version like 1.0.0",
    CODE_PATTERN: "a short code like 'MM' or 'Q-ask' (letter first, up to 16 letters, digits, hyphens)",
    OBSERVER_ID_PATTERN: f"a pseudonymous id like 'obs-a' (letters, digits, '-', '_'; up to {MAX_OBSERVER_ID_LENGTH})",
    RATING_PATTERN: "one capital letter",
}


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unwrap(tp):
    """Strip Annotated/Optional wrappers down to the interesting type."""
    while True:
        origin = get_origin(tp)
        if origin is typing.Annotated:
            tp = get_args(tp)[0]
            continue
        if origin is Union or (origin is not None and str(origin) == "types.UnionType"):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def _model_at(model: type[BaseModel], data: Any, path: tuple) -> type[BaseModel] | None:
    """Find the model class that describes the mapping at ``path`` of ``data``."""
    tp: Any = model
    for part in path:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            tp = field.annotation
            data = data.get(part) if isinstance(data, dict) else None
            continue
        origin = get_origin(tp)
        if origin in (list, dict):
            tp = get_args(tp)[-1]
            data = data[part] if isinstance(data, (list, dict)) and _has(data, part) else None
            tp = _pick_union_member(_unwrap(tp), data)
            continue
        return None
    tp = _pick_union_member(_unwrap(tp), data)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _has(container, part) -> bool:
    if isinstance(container, list):
        return isinstance(part, int) and 0 <= part < len(container)
    return part in container


def _pick_union_member(tp, data):
    if get_origin(tp) is not Union:
        return tp
    members = [_unwrap(a) for a in get_args(tp)]
    if isinstance(data, dict):
        for m in members:
            if not (isinstance(m, type) and issubclass(m, BaseModel)):
                continue
            kind = m.model_fields.get("kind")
            if kind is not None and data.get("kind") in (get_args(kind.annotation) or ()):
                return m
        best = max(
            (m for m in members if isinstance(m, type) and issubclass(m, BaseModel)),
            key=lambda m: len(set(data) & set(m.model_fields)),
            default=None,
        )
        return best or tp
    return tp


def _data_path(data: Any, loc: tuple) -> tuple:
    """Drop pydantic's union tags from ``loc`` so that it names keys that exist in the data."""
    out = []
    cur = data
    prev = None
    for part in loc:
        after_index, prev = isinstance(prev, int), part
        if after_index and isinstance(cur, dict) and part == cur.get("kind") and part in _ITEM_TAGS:
            continue  # pydantic's discriminator tag, even when a key has the same name
        if isinstance(cur, dict) and part in cur:
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and isinstance(part, str) and part.isdigit() and int(part) in cur:
            out.append(int(part))
            cur = cur[int(part)]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and isinstance(part, str) and (
            part.endswith("-gate") or part in ("anchored", "check", "count", "codes")
        ):
            continue  # a union tag, not a key
        else:
            out.append(part)
            cur = None
    return tuple(out)


def _message(err: dict, model: type[BaseModel], data: Any, key: tuple) -> tuple[tuple, str]:
    etype = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if etype == "extra_forbidden":
        parent = _model_at(model, data, key[:-1])
        allowed = sorted(parent.model_fields) if parent else []
        name = key[-1] if key else value
        msg = f"unknown key {str(name)!r}"
        close = difflib.get_close_matches(str(name), allowed, n=1)
        if close:
            msg += f" (did you mean {close[0]!r}?)"
        if allowed:
            msg += f"; allowed keys: {', '.join(allowed)}"
        return key, msg
    if etype == "missing":
        if not key:
            return key, "missing value"
        return key[:-1], f"missing required key {str(key[-1])!r}"
    if etype in ("union_tag_invalid", "union_tag_not_found"):
        # pydantic names the expected tags only for a wrong tag, not for a missing one
        expected = str(ctx.get("expected_tags", "")).replace("'", "") or ", ".join(_ITEM_TAGS)
        if etype == "union_tag_not_found":
            return key + ("kind",), f"missing required key 'kind' (one of: {expected})"
        return key + ("kind",), f"expected one of: {expected} — got {_show(ctx.get('tag'))}"
    if etype == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return key, f"expected one of: {expected} — got {_show(value)}"
    if etype == "string_pattern_mismatch":
        what = _PATTERN_WORDS.get(str(ctx.get("pattern")), f"text matching {ctx.get('pattern')}")
        return key, f"expected {what} — got {_show(value)}"
    if etype == "string_type" and isinstance(value, bool):
        return key, (
            f"expected text — got {str(value).lower()}: YAML reads unquoted yes/no/on/off/true/false "
            "as a yes/no value; put the text in quotes"
        )
    if etype in _TYPE_WORDS:
        return key, f"expected {_TYPE_WORDS[etype]} — got {_show(value)}"
    if etype in ("too_short", "too_long") and ("min_length" in ctx or "max_length" in ctx):
        if etype == "too_short":
            if ctx.get("min_length") == 1 and isinstance(value, str):
                return key, "must not be empty"
            return key, f"needs at least {ctx.get('min_length')} entr{'y' if ctx.get('min_length') == 1 else 'ies'}"
        return key, f"is too long: at most {ctx.get('max_length')} allowed"
    if etype == "string_too_short":
        return key, "must not be empty"
    if etype == "string_too_long":
        return key, f"text is too long: at most {ctx.get('max_length')} characters"
    if etype in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {
            "greater_than": "greater than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[etype]
        bound = next(iter(ctx.values()), "?")
        return key, f"must be {words} {bound} — got {_show(value)}"
    msg = err.get("msg", "invalid value")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return key, f"{msg[0].lower() + msg[1:] if msg else msg} — got {_show(value)}"


def validate_document(doc: Document, model: type[BaseModel]):
    """Validate ``doc.data`` against ``model``; return ``(instance or None, problems)``."""
    if not isinstance(doc.data, dict):
        got = "nothing" if doc.data is None else type(doc.data).__name__
        return None, [doc.problem(f"expected a mapping of keys (like 'id: ...') at the top level, got {got}")]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        problems = []
        seen = set()
        for err in exc.errors(include_url=False):
            key = _data_path(doc.data, tuple(err["loc"]))
            key, msg = _message(err, model, doc.data, key)
            if (key, msg) in seen:
                continue
            seen.add((key, msg))
            problems.append(doc.problem(msg, key))
        return None, problems


def problems_from(doc: Document, found: list[tuple[tuple, str]]) -> list[Problem]:
    """Locate ``(key path, message)`` pairs found by a cross-check."""
    return [doc.problem(msg, key) for key, msg in found]
