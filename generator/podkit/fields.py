"""The form-field naming contract of observation sheets: written by the printable fillable sheet
(and the browser recorder), read back by :mod:`podkit.sheets`.

===============================  ==========================================================
``pk__meta__assessment``         assessment id (prefilled, read-only)
``pk__meta__version``            assessment version (prefilled, read-only)
``pk__meta__pod``                pod id (text)
``pk__meta__date``               session date, ``YYYY-MM-DD`` (text)
``pk__meta__observer``           observer id (text)
``pk__meta__session``            session type (radio group; values are session types)
``pk__meta__duration``           minutes observed (text)
``pk__meta__notes``              other notes (multi-line text)
``pk__<item>__level``            anchored item: radio group, values ``0`` … max and ``not-observed``
                                 (and ``not-applicable`` where the item allows it)
``pk__<item>__check``            check item: radio group, values ``yes``, ``no``, ``not-observed``
                                 (and ``not-applicable`` where the item allows it)
``pk__<item>__count``            count item: a number (text)
``pk__<item>__out-of``           ratio count item: the denominator, a number (text)
``pk__<item>__i<NN>__<CODE>``    codes item: a check box per interval row ``NN`` (01, 02 …) and code
``pk__<item>__interval``         codes item: minutes per interval row (prefilled, read-only)
``pk__<item>__not-observed``     count and codes items: check box
``pk__<item>__not-applicable``   items that allow it: check box (count, codes) or radio value
                                 (anchored, check)
``pk__<item>__reason``           items that allow "not applicable": why it did not apply (text)
``pk__<item>__out-of``           a ratio count item's denominator (a number)
``pk__<item>__evidence``         evidence notes (multi-line text)
===============================  ==========================================================

Names are joined with ``__``, which neither item ids (kebab-case) nor codes can contain, and never
contain dots (PDF readers use dots to join parent and child names).
"""

from __future__ import annotations

PREFIX = "pk"
SEP = "__"
#: The value of a radio group, or the name of a check box, for "not observed".
NOT_OBSERVED = "not-observed"
#: The value of a radio group, or the name of a check box, for "not applicable" (sheet and recorder).
NOT_APPLICABLE = "not-applicable"
#: The field of a ratio count item's denominator, and of the reason an item did not apply.
OUT_OF = "out-of"
REASON = "reason"
#: The session fields of a sheet, in the order they are printed.
META_KEYS = ("assessment", "version", "pod", "date", "observer", "session", "duration", "notes")
#: Fields that are prefilled and must not be edited (made read-only in the PDF).
READ_ONLY = ("meta" + SEP + "assessment", "meta" + SEP + "version", "interval")


def field_name(*parts: object) -> str:
    """A form field name: ``pk__<part>__<part>``; parts are ids, which never contain ``__``."""
    out = SEP.join([PREFIX, *(str(p) for p in parts)])
    if "." in out:  # ids cannot contain dots (slugs and codes); keep it that way
        raise ValueError(f"field name {out!r} contains a dot")
    return out


def interval_field(item_id: str, row: int, code: str) -> str:
    """The check box of ``code`` in interval row ``row`` (1-based) of a codes item."""
    return field_name(item_id, f"i{row:02d}", code)


def is_read_only(name: str) -> bool:
    return name.endswith(tuple(SEP + suffix for suffix in READ_ONLY))
