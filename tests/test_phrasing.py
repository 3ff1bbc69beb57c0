"""phrasing.py: the language heuristics behind the rubric linter, as pure functions over text.

test_lint.py checks the located warnings the linter makes of these; here each function is
checked on its own.
"""

from __future__ import annotations

import pytest

from podkit.phrasing import (
    BUILDS_ON,
    EVALUATIVE,
    content_words,
    double_barrel,
    inner_state_words,
    quantities,
    quantity_clash,
    similarity,
    unquoted,
    word_diff,
    words,
)


# --------------------------------------------------------------------------- text helpers


def test_quoted_spans_are_set_aside_but_apostrophes_are_not_quotes():
    assert unquoted('He says "we feel fine" and ‘ok’ and board\'s `x`') == "He says  QUOTED  and  QUOTED  and board's  QUOTED "
    assert unquoted("members' notes and the board's column") == "members' notes and the board's column"


def test_words_and_content_words():
    assert words("The Pod's board-walk is 3x") == ["the", "pod's", "board-walk", "is", "3x"]
    assert content_words("The pod asks the lead") == ["asks", "lead"]


# --------------------------------------------------------------------------- inner states


@pytest.mark.parametrize("text, found", [
    ("Members feel safe to speak.", ["feel"]),
    ("Members understand the goal.", ["understand"]),
    ("The team seems unsure.", ["seems unsure"]),  # the longer phrase covers "seems"
    ("The lead wants a demo and knows the plan.", ["wants", "knows"]),
    ("Morale is high and members are motivated.", ["morale", "motivated"]),
])
def test_inner_state_words_are_found(text, found):
    assert [w for w, _ in inner_state_words(text)] == found


@pytest.mark.parametrize("text", [
    "A member says they feel blocked.",  # reported speech
    "Someone writes \"we trust the AI\".",  # a quotation
    "The lead checks understanding of the goal.",  # an action
    "The pod thinks aloud while pairing.",  # behaviour
    "Members engaged in review ask questions.",
    "Cards appear to the whole pod on the board.",
])
def test_observable_wording_is_not_flagged(text):
    assert inner_state_words(text) == []


def test_each_word_comes_with_a_hint():
    [(word, hint)] = inner_state_words("Members understand the goal.")
    assert word == "understand" and hint == 'write "can explain in their own words" or "asks about…"'


def test_a_word_is_reported_once():
    assert inner_state_words("They feel fine and feel heard.") == [("feel", "quote what is said, or name the behaviour that shows it")]


# --------------------------------------------------------------------------- double-barrelled prompts


@pytest.mark.parametrize("prompt, why", [
    ("Who speaks? Who listens?", "it has 2 question marks"),
    ("Is the board updated and are blockers named?", '"and are" starts a second question'),
    ("Does the pod plan and then review the work?", '"and then" adds a second step'),
    ("Is it checked and/or fixed?", '"and/or" joins two questions'),
    ("Is the goal read aloud or who owns it?", '"or who" starts a second question'),
    ("Is work reviewed and merged before the demo?", '"reviewed and merged" asks about two actions'),
    ("Does the lead summarise and ask for objections?", '"and ask" starts a second clause with its own verb'),
])
def test_double_barrelled_prompts_say_why(prompt, why):
    assert double_barrel(prompt) == why


@pytest.mark.parametrize("prompt", [
    "Does someone ask about the goal?",
    "Is the goal stated or written down?",  # "or" between two words for one act
    "Are blockers and risks named?",  # a compound object, one question
    'Does anyone say "what and why?" aloud?',  # inside a quotation
])
def test_single_questions_pass(prompt):
    assert double_barrel(prompt) is None


# --------------------------------------------------------------------------- near-identical anchors


def test_similarity():
    assert similarity("Most claims are shown on screen.", "Most claims are shown on the screen.") > 0.9
    assert similarity("abc", "xyz") == 0.0
    assert similarity("", "") == 1.0
    assert similarity("Every claim is shown", "shown is claim Every") == 1.0  # same words, any order


def test_word_diff_names_what_changed():
    assert word_diff("Most claims are shown", "All claims are shown") == '"most" → "all"'
    assert word_diff("claims shown", "claims shown on screen") == '(nothing) → "on screen"'
    assert word_diff("a b", "a b") == "word order only"


# --------------------------------------------------------------------------- quantities


def test_quantity_words_with_what_they_count():
    assert quantities("Some claims are shown on screen.") == [(1, "some", {"claim", "shown"})]
    assert quantities("Every claim is shown on screen.") == [(3, "every", {"claim", "shown"})]
    assert quantities("Only one claim is shown.") == [(1, "only one", {"claim", "shown"})]
    assert quantities("The lead always asks.") == [(3, "always", {"lead", "ask"})]  # the subject too


@pytest.mark.parametrize("text", ["No claim is shown on screen.", "At most one claim is shown.", "Members help each other.", "Claims aren't shown to all."])
def test_negative_clauses_and_idioms_are_not_quantities(text):
    assert quantities(text) == []


def test_quantity_clash_when_a_higher_level_says_less():
    lower, higher = quantities("Most claims are shown on screen."), quantities("Some claims are shown on screen.")
    assert quantity_clash(lower, higher) == ((2, "most"), (1, "some"))
    assert quantity_clash(higher, lower) is None
    # different things counted: no clash
    assert quantity_clash(quantities("Most claims are shown."), quantities("Some risks are logged.")) is None


# --------------------------------------------------------------------------- evaluative words and build-on anchors


@pytest.mark.parametrize("text, found", [
    ("a good demo", True), ("handled appropriately", True), ("a well-run review", True),
    ("as well as the board", False), ("goodness", False), ("a demo is shown", False),
])
def test_evaluative_words(text, found):
    assert bool(EVALUATIVE.search(text)) is found


@pytest.mark.parametrize("text, builds", [
    ("As level 2, plus a test is shown.", True), ("Level 1 plus a named owner.", True),
    ("Same as level 1, and the board moves.", True), ("Every claim is shown.", False),
])
def test_anchors_that_build_on_a_lower_level(text, builds):
    assert bool(BUILDS_ON.match(text)) is builds
