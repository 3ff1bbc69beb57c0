"""fields.py: the form-field naming contract of observation sheets."""

from __future__ import annotations

import pytest

from podkit import fields


def test_field_name_refuses_dots():
    # moved from test_printing.py
    assert fields.field_name("goal", "i03", "MM") == "pk__goal__i03__MM"
    with pytest.raises(ValueError):
        fields.field_name("a.b", "level")


def test_field_names_join_parts_with_the_separator():
    assert fields.field_name("meta", "pod") == "pk__meta__pod"
    assert fields.field_name("done-shown", "level") == "pk__done-shown__level"
    assert fields.field_name("x", 3) == "pk__x__3"
    assert fields.field_name("swarming", fields.NOT_OBSERVED) == "pk__swarming__not-observed"


def test_dot_message_names_the_field():
    with pytest.raises(ValueError, match=r"field name 'pk__v1\.2__level' contains a dot"):
        fields.field_name("v1.2", "level")


def test_interval_fields_are_numbered_from_one_with_two_digits():
    assert fields.interval_field("talk", 1, "MM") == "pk__talk__i01__MM"
    assert fields.interval_field("talk", 12, "Q-ask") == "pk__talk__i12__Q-ask"
    assert fields.interval_field("talk", 100, "LD") == "pk__talk__i100__LD"


def test_read_only_fields():
    assert fields.is_read_only(fields.field_name("meta", "assessment"))
    assert fields.is_read_only(fields.field_name("meta", "version"))
    assert fields.is_read_only(fields.field_name("swarming", "interval"))
    for editable in ("pod", "date", "observer", "session", "duration", "notes"):
        assert not fields.is_read_only(fields.field_name("meta", editable)), editable
    assert not fields.is_read_only(fields.field_name("done-shown", "level"))
    assert not fields.is_read_only(fields.field_name("done-shown", "evidence"))
    # an item whose id ends like a read-only suffix is still editable: the separator decides
    assert not fields.is_read_only(fields.field_name("version", "count"))


def test_meta_keys_are_the_sheets_session_fields_in_order():
    assert fields.META_KEYS == ("assessment", "version", "pod", "date", "observer", "session", "duration", "notes")
    assert all(fields.SEP not in k and "." not in k for k in fields.META_KEYS)
