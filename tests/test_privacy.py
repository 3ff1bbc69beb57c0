"""privacy.py: the one detector of personal data in free text."""

from __future__ import annotations

import pytest

from podkit.privacy import personal_data


@pytest.mark.parametrize("text, found", [
    ("Ask jane.doe@example.org about the board", ["an e-mail address"]),
    ("Call +44 20 7946 0958 after the stand-up", ["a phone number"]),
    ("Phone 555-123-4567", ["a phone number"]),
    ("Both: a.b@c.io and 020 7946 0958", ["an e-mail address", "a phone number"]),
    ("3 of 5 cards on 2026-11-20; 12 items, 48 minutes", []),
    ("Sprint 2026 review, version 1.2.3", []),
])
def test_personal_data(text, found):
    assert personal_data(text) == found
