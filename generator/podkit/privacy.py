"""Personal data in free text: the one detector for evidence notes, session notes and action plans.

podkit records the pod, never a person. Text that seems to hold an e-mail address or a phone
number gets a warning naming the file and the key, so that the writer can take it out.
"""

from __future__ import annotations

import re

# Personal data in free text: e-mail addresses and phone numbers (international with "+",
# national starting with 0, and the North American 3-3-4 pattern). Dates and plain counts do not
# match, which keeps false alarms rare; a warning is all it produces.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_DIGITS = re.compile(r"\d")
_PHONE = re.compile(
    r"(?<![\w.])(?:\+\d[\d ()./-]{6,}\d|\(?0\d{1,4}\)?[ ./-]?\d[\d ./-]{4,}\d|\d{3}[-. ]\d{3}[-. ]\d{4})(?![\w])"
)


def personal_data(text: str) -> list[str]:
    """What kinds of personal data ``text`` seems to contain ("an e-mail address", …)."""
    found = []
    if "@" in text and _EMAIL.search(text):
        found.append("an e-mail address")
    if len(_DIGITS.findall(text)) >= 8:  # cheap test first: most notes hold few digits
        for m in _PHONE.finditer(text):
            if sum(ch.isdigit() for ch in m.group(0)) >= 8:
                found.append("a phone number")
                break
    return found
