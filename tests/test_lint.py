"""The rubric linter: every rule fires where it should, and stays quiet on reasonable text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podkit.cli import main
from podkit.kit import Project, load_kit
from podkit.lint import (
    RULE_IDS,
    double_barrel,
    inner_state_words,
    lint_assessment,
    lint_kit,
    quantities,
    similarity,
)

ROOT = Path(__file__).resolve().parent.parent
KITS = Path(__file__).resolve().parent / "kits"
BAD = KITS / "lint-bad"
CLEAN = KITS / "lint-clean"


def _line(path: Path, marker: str) -> int:
    """1-based line of the only line of ``path`` containing ``marker``."""
    hits = [n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if marker in text]
    assert len(hits) == 1, f"marker {marker!r} found on lines {hits} of {path.name}"
    return hits[0]


PLANTED = BAD / "assessments" / "planted.yaml"
SECOND = BAD / "assessments" / "second.yaml"

#: (rule, file, text on the line the warning must point to)
EXPECTED = [
    ("thin-dimension", PLANTED, "- id: voice"),
    ("unobservable-wording", PLANTED, "The lead believes the plan will work"),
    ("unobservable-wording", PLANTED, "1: Members seem to understand"),
    ("near-identical-anchors", PLANTED, "2: Most cards are updated"),
    ("level-wording-not-increasing", PLANTED, "2: Some blockers are raised"),
    ("level-wording-not-increasing", PLANTED, "3: Blockers are raised by owners."),
    ("missing-intervention", PLANTED, "- id: thin-check"),
    ("prompt-not-a-question", PLANTED, "prompt: Board updated live."),
    ("look-for-too-few", PLANTED, "look_for: [A card moves while people talk]"),
    ("missing-evidence", PLANTED, "evidence: Note it."),
    ("target-zero", PLANTED, "target: 0"),
    ("inert-item", PLANTED, "weight: 0.02"),
    ("id-not-kebab-case", PLANTED, "- id: item-7"),
    ("critical-not-gated", PLANTED, "critical: true"),
    ("id-not-kebab-case", PLANTED, "    codes:"),
    ("id-not-kebab-case", PLANTED, "{id: Memberreply"),
    ("double-barrelled-prompt", PLANTED, "name the goal and ask for objections"),
    ("bad-suppression", PLANTED, "ignore[unobservable-wordin]"),
    ("evaluative-wording", PLANTED, "gives good reasons"),
    ("anchor-too-long", PLANTED, "2: >-"),
    ("double-barrelled-prompt", SECOND, "Are they checked against evidence?"),
    ("decision-rule-missing", PLANTED, "anchors:  # planted: no decision rule below"),
    ("level-unreachable", PLANTED, "Most cards are updated, by the people"),
    ("multi-condition-level", PLANTED, "date them and the lead writes"),
    ("reference-not-in-bibliography", PLANTED, "- nowhere-2099"),
    ("self-check-question", PLANTED, "question: Who forgot to update the board"),
]


def _expected() -> set[tuple[str, int, str]]:
    out = set()
    for rule, path, marker in EXPECTED:
        out.add((path.name, _line(path, marker), rule))
    return out


@pytest.fixture(scope="module")
def bad_kit():
    return load_kit(Project.find(BAD))


# --------------------------------------------------------------------------- the planted kit


def test_every_planted_problem_is_found_at_its_line_and_nothing_else(bad_kit):
    problems = lint_kit(bad_kit)
    got = {(Path(p.path).name, p.line, p.rule) for p in problems}
    assert got == _expected()
    assert all(p.severity == "warning" for p in problems)


def test_every_rule_is_exercised_by_the_planted_kit(bad_kit):
    fired = {p.rule for p in lint_kit(bad_kit)}
    assert fired == set(RULE_IDS)


def test_warnings_are_sorted_and_formatted(bad_kit):
    problems = lint_kit(bad_kit)
    keys = [(str(p.path), p.line, p.col) for p in problems]
    assert keys == sorted(keys)
    text = problems[0].format()
    assert f"planted.yaml:{_line(PLANTED, '- id: voice')}:5: warning:" in text
    assert ": warning: dimensions[1]: dimension 'voice' has 2 items" in text
    assert text.endswith("[thin-dimension]")


def test_messages_carry_a_fix(bad_kit):
    by_rule = {}
    for p in lint_kit(bad_kit):
        by_rule.setdefault(p.rule, p.message)
    assert '"believes"' in by_rule["unobservable-wording"] and "Quoted speech is fine" in by_rule["unobservable-wording"]
    assert '"some" → "most"' in by_rule["near-identical-anchors"]
    assert "Split it into two items" in by_rule["double-barrelled-prompt"]
    assert "did you mean 'unobservable-wording'?" in by_rule["bad-suppression"]
    assert "add '- item: item-7'" in by_rule["critical-not-gated"]


def test_suppression_comment_on_the_item_line_covers_the_item(bad_kit):
    a = bad_kit.assessment("planted")
    problems = lint_assessment(a, bad_kit.documents["planted"])
    idx = [i for i, it in enumerate(a.items) if it.id == "suppressed-feelings"][0]
    assert not [p for p in problems if p.key[:2] == ("items", idx)]
    # without the comment, the same cue would be reported
    assert [w for w, _ in inner_state_words(a.items[idx].look_for[0])] == ["feel"]
    # a suppression on a dimension line covers that dimension (learning has one item)
    assert not [p for p in problems if p.rule == "thin-dimension" and "'learning'" in p.message]


def _lint_text(tmp_path, text: str, rules=None):
    (tmp_path / "assessments").mkdir(exist_ok=True)
    (tmp_path / "assessments" / "planted.yaml").write_text(text, encoding="utf-8")
    return lint_kit(load_kit(Project.find(tmp_path)), rules)


def test_removing_the_comments_brings_the_warnings_back(tmp_path):
    import re

    text = re.sub(r"  # podkit: ignore\[[^\]]*\]", "", PLANTED.read_text(encoding="utf-8"))
    problems = _lint_text(tmp_path, text)
    assert not [p for p in problems if p.rule == "bad-suppression"]
    assert _line(PLANTED, "Members feel safe to raise mistakes") in {p.line for p in problems if p.rule == "unobservable-wording"}
    assert any(p.rule == "thin-dimension" and "'learning'" in p.message for p in problems)


def test_comment_after_a_folded_scalar_header_suppresses_that_anchor(tmp_path):
    text = PLANTED.read_text(encoding="utf-8").replace("      2: >-\n", "      2: >-  # podkit: ignore[anchor-too-long, evaluative-wording]\n")
    problems = _lint_text(tmp_path, text, ["anchor-too-long", "evaluative-wording"])
    assert [p.rule for p in problems] == ["evaluative-wording"]  # level 1's "good" is on another line


def test_selected_rules_only(bad_kit):
    problems = lint_kit(bad_kit, ["double-barrelled-prompt", "target-zero"])
    assert {p.rule for p in problems} == {"double-barrelled-prompt", "target-zero"}
    with pytest.raises(KeyError):
        lint_kit(bad_kit, ["no-such-rule"])


def test_ignore_without_brackets_silences_every_rule(tmp_path):
    kit = tmp_path / "kit"
    (kit / "assessments").mkdir(parents=True)
    text = PLANTED.read_text(encoding="utf-8").replace("  - id: thin-check\n", "  - id: thin-check  # podkit: ignore\n")
    (kit / "assessments" / "planted.yaml").write_text(text, encoding="utf-8")
    problems = lint_kit(load_kit(Project.find(kit)))
    a = load_kit(Project.find(kit)).assessment("planted")
    idx = [i for i, it in enumerate(a.items) if it.id == "thin-check"][0]
    assert not [p for p in problems if p.key[:2] == ("items", idx)]
    assert any(p.rule == "unobservable-wording" for p in problems)


# --------------------------------------------------------------------------- the clean kit


def test_clean_kit_has_no_warnings():
    kit = load_kit(Project.find(CLEAN))
    assert lint_kit(kit) == []


def test_shipped_kit_passes_strict(runner):
    result = runner.invoke(main, ["lint", "--strict", "-p", str(ROOT)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("0 warnings in ")


def test_planting_problems_in_the_shipped_kit_fails_strict(runner, kit_copy):
    """What the issue's reviewer does: plant an unobservable anchor and a double-barrelled prompt."""
    import re

    kit = kit_copy(".")
    path = Project(kit).assessment_files()[0]
    text = path.read_text(encoding="utf-8")
    text, n1 = re.subn(r"(\n\s+1: >-\n)(\s+)", r"\1\2Members feel confident about the goal. ", text, count=1)
    text, n2 = re.subn(
        r"prompt: >-\n(?:\s+.*\n)+?(?=\s+look_for:)", "prompt: Is the goal written down and does every member know it?\n", text, count=1
    )
    assert n1 == n2 == 1, "the shipped kit no longer has a folded level-1 anchor or a folded prompt to plant into"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    anchor_line = next(n for n, ln in enumerate(lines, 1) if "Members feel confident" in ln) - 1
    prompt_line = next(n for n, ln in enumerate(lines, 1) if "does every member know it?" in ln)
    result = runner.invoke(main, ["lint", "--strict", "-p", str(kit)], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"{path.name}:{anchor_line}:" in result.output and "[unobservable-wording]" in result.output
    assert f"{path.name}:{prompt_line}:" in result.output and "[double-barrelled-prompt]" in result.output
    assert "Error: 2 warnings in 1 file" in result.output


# --------------------------------------------------------------------------- CLI


def test_cli_strict_fails_naming_file_and_line(runner):
    result = runner.invoke(main, ["lint", "--strict", "-p", str(BAD)], catch_exceptions=False)
    assert result.exit_code == 1
    line = _line(PLANTED, "1: Members seem to understand")
    assert f"planted.yaml:{line}:7: warning: items[0].anchors[1]: level 1 anchor names an inner state" in result.output
    assert f"second.yaml:{_line(SECOND, 'Are they checked')}:5: warning: items[0].prompt:" in result.output
    assert f"Error: {len(EXPECTED)} warnings in 2 files (--strict treats warnings as errors)" in result.output
    assert "Traceback" not in result.output


def test_cli_without_strict_exits_zero_with_summary(runner):
    result = runner.invoke(main, ["lint", "-p", str(BAD)], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[-1] == f"{len(EXPECTED)} warnings in 2 files"
    assert len([ln for ln in lines if ": warning: " in ln]) == len(EXPECTED)


def test_cli_rule_option_and_list_rules(runner):
    result = runner.invoke(main, ["lint", "-p", str(BAD), "--rule", "target-zero,thin-dimension"])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "2 warnings in 1 file"
    listed = runner.invoke(main, ["lint", "--list-rules"])
    assert listed.exit_code == 0
    assert [ln.split()[0] for ln in listed.output.splitlines()] == list(RULE_IDS)
    assert len(RULE_IDS) >= 8
    bad = runner.invoke(main, ["lint", "-p", str(BAD), "--rule", "unobservable"])
    assert bad.exit_code == 2 and "unknown rule 'unobservable'" in bad.output


def test_cli_clean_kit_strict_and_quiet(runner):
    result = runner.invoke(main, ["lint", "--strict", "-p", str(CLEAN)])
    assert result.exit_code == 0 and result.output == "0 warnings in 1 file\n"
    quiet = runner.invoke(main, ["lint", "-q", "-p", str(CLEAN)])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_cli_invalid_kit_is_an_error_not_a_lint(runner, kit_copy):
    kit = kit_copy("lint-clean")
    f = kit / "assessments" / "clean-review.yaml"
    f.write_text(f.read_text().replace("version: 1.0.0", "version: one"))
    result = runner.invoke(main, ["lint", "-p", str(kit)])
    assert result.exit_code == 1 and "expected a version like 1.0.0" in result.output


# --------------------------------------------------------------------------- heuristics, one by one


@pytest.mark.parametrize(
    "text, words",
    [
        ("The pod feels rushed at the end.", ["feels"]),
        ("Members believe the estimate is right.", ["believe"]),
        ("The lead thinks the plan is done.", ["thinks"]),
        ("Members understood the goal.", ["understood"]),
        ("The owner knows the status of every card.", ["knows"]),
        ("Members want to change the order.", ["want"]),
        ("The pod cares about quality.", ["cares"]),
        ("AI output is trusted without review.", ["trusted"]),
        ("The pod seems aligned.", ["seems"]),
        ("The pod appears to follow the plan.", ["appears to"]),
        ("The lead is aware of the blocker.", ["aware"]),
        ("Members are comfortable raising issues.", ["are comfortable"]),
        ("Members are visibly happy with the result.", ["are visibly happy"]),
        ("Members are engaged in the discussion.", ["are engaged in"]),
        ("Engaged members speak often.", ["engaged"]),
        ("The team is committed to the goal.", ["committed to the goal"]),
        ("Members are fully committed.", ["fully committed"]),
        ("Morale and attitude are positive.", ["morale", "attitude"]),
        ("The lead asks a member who seems unsure.", ["seems unsure"]),
        ("Members realise the risk only late.", ["realise"]),
        ("The lead is open to feedback from members.", ["is open to"]),
    ],
)
def test_inner_states_are_caught(text, words):
    assert [w for w, _ in inner_state_words(text)] == words


@pytest.mark.parametrize(
    "text",
    [
        'A member says "I think this is wrong" before the vote.',
        "Statements such as 'we feel rushed' in the retrospective.",
        "Members say “I don't understand the goal” and ask for an example.",
        "A member says they feel rushed, and the pod moves a card out.",
        "The facilitator asks whether members know the goal.",
        "The facilitator checks understanding by asking each member to restate the goal.",
        "Members think aloud while pairing on the shared screen.",
        "The goal appears on every card.",
        "Items are committed to the sprint and the change is committed to main.",
        "The members' own words and the board's order.",
        "Owners describe what they know about the limits of the output.",
        "The pod knowledge base is linked from the board.",
        "Decisions are recorded with the reason the pod gave.",
    ],
)
def test_observable_text_is_not_flagged(text):
    assert inner_state_words(text) == []


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters='"\n', blacklist_categories=("Cs",)), max_size=80))
def test_anything_said_in_double_quotes_is_observable(utterance):
    assert inner_state_words(f'A member says "{utterance}" to the pod.') == []


@pytest.mark.parametrize(
    "prompt",
    [
        "Is the goal written down and does every member know it?",
        "Are blockers visible, and who owns them?",
        "Does the lead name the goal and ask for objections?",
        "Does the pod review the data and then change the plan?",
        "Is the decision recorded and/or shared?",
        "Are blockers raised? Are they resolved?",
        "Does the pod show the demo as well as how it was tested?",
        "Is the plan recorded, or why is it not?",
        "Does the pod check the data and review the trend?",
        "Are blockers raised and resolved?",
        "Are decisions made and recorded before the session ends?",
        "Who raises blockers and who resolves them?",
    ],
)
def test_double_barrelled_prompts_are_caught(prompt):
    assert double_barrel(prompt)


@pytest.mark.parametrize(
    "prompt",
    [
        "Is the owner and date of each decision written down?",
        "Do members name the blocker and the owner?",
        "Is there a demo and test output for each claim?",
        "Are decisions and their reasons recorded?",
        "Is the board updated or stale at the start of the session?",
        'When asked "why?", does the pod answer with "because?"',
        "How many members ask a question, including the lead?",
        "What share of decisions is recorded with reason and owner before the session ends?",
        "Does the pod review current data about its work and its users?",
        "How many blocked and unowned items are on the board?",
        "Is the plan signed off by the lead or a named deputy?",
    ],
)
def test_single_question_prompts_pass(prompt):
    assert double_barrel(prompt) is None


def test_near_identical_threshold():
    assert similarity("Some cards are updated during the session.", "Most cards are updated during the session.") >= 0.85
    assert similarity(
        "No claim of done is backed by a link, demo or test output.",
        "Every claim is shown, and members ask to see it when it is not.",
    ) < 0.85
    # same words, different order: caught by the word-set overlap
    assert similarity("the board is updated by members live", "members live updated the board is by") >= 0.85


@pytest.mark.parametrize(
    "text, expect",
    [
        ("Every claim is shown on screen.", [(3, "every")]),
        ("Some claims are shown on screen.", [(1, "some")]),
        ("The pod usually reviews AI output.", [(2, "usually")]),
        ("Only one decision is traced.", [(1, "only one")]),
        # negative clauses describe failure, not a quantity of the behaviour
        ("Most cards are blank.", []),
        ("Most of the work described has no card.", []),
        ("No card names a conflicting goal.", []),
        # not quantities at all
        ("With at most one exception.", []),
        ("The most frequent speaker talks.", []),
        ("Members answer each other.", []),
        ("How many members speak?", []),
        ("It is not discussed at all.", []),
    ],
)
def test_quantity_words(text, expect):
    assert [(r, w) for r, w, _ in quantities(text)] == expect


def _anchored(anchors: dict[int, str]) -> str:
    body = "\n".join(f"      {k}: {v!r}" for k, v in anchors.items())
    return f"""id: one
title: One item
version: 1.0.0
summary: Test.
purpose: Test.
setting: {{sessions: [review], duration_minutes: 30}}
dimensions: [{{id: d, title: D, description: D.}}]
items:
  - id: the-item
    dimension: d
    kind: anchored
    title: T
    prompt: What happens?
    look_for: [One cue, another cue]
    evidence: Note what happens and when, with quotes.
    anchors:
{body}
    interventions: [{{title: T, action: Do this specific thing next week in planning.}}]
readiness: [{{id: base, title: Base, description: Base., min_score: 0}}]
"""


def _lint_anchors(tmp_path, anchors, rule="level-wording-not-increasing"):
    (tmp_path / "assessments").mkdir(exist_ok=True)
    (tmp_path / "assessments" / "one.yaml").write_text(_anchored(anchors), encoding="utf-8")
    kit = load_kit(Project.find(tmp_path))
    return [p for p in lint_kit(kit, [rule])]


def test_level_wording_real_false_positives_stay_quiet(tmp_path):
    # shapes from the shipped kit: a failing level that says "most", then a partial level
    anchors = {
        0: "Most of the work described has no card, or most cards in progress describe work that nobody mentions.",
        1: "Some described work matches cards in progress, but two or more pieces of described work have no card.",
        2: "Every piece of described work matches a card in progress, with at most one exception.",
        3: "As level 2, and members other than the lead spot stale or missing cards themselves.",
    }
    assert _lint_anchors(tmp_path, anchors) == []


def test_level_wording_flags_inverted_frequency(tmp_path):
    anchors = {
        0: "The pod never reviews AI output before merging it.",
        1: "The pod always reviews AI output before merging it into the main branch.",
        2: "The pod sometimes reviews AI output before merging it into the main branch.",
        3: "As level 2, and reviewers record which checks they ran on each change.",
    }
    (p,) = _lint_anchors(tmp_path, anchors)
    assert p.key == ("items", 0, "anchors", 2)
    assert '"sometimes"' in p.message and '"always"' in p.message


@pytest.mark.parametrize(
    "anchors",
    [
        {
            0: "Nobody states the goal when choosing work.",
            1: "Every member names a goal, but the goals differ between members.",
            2: "Most choices are settled by reference to the written goal.",
            3: "All choices are settled by the goal, and members point to it unprompted.",
        },
        {
            0: "Blockers are mentioned but not written down.",
            1: "For each blocker the owner is named on the card.",
            2: "Most blockers also carry a date for the next check, set by the owner.",
            3: "Every blocker carries an owner and a date, and the pod reviews them at each stand-up.",
        },
        {
            0: "Decisions are taken while some members have not spoken on the topic.",
            1: "The lead sometimes asks a quiet member for input before a decision.",
            2: "Before every decision, every member present states a view.",
            3: "Members other than the lead invite some quiet colleagues in by name, and every member states a view.",
        },
    ],
    ids=["different-things", "different-attributes", "shipped-shape"],
)
def test_level_wording_different_things_counted_pass(tmp_path, anchors):
    assert _lint_anchors(tmp_path, anchors) == []


def test_dimension_weight_can_make_items_inert(tmp_path):
    text = _anchored({0: "No card moves.", 1: "One card moves.", 2: "Half the cards move.", 3: "Every card moves."})
    text = text.replace(
        "dimensions: [{id: d, title: D, description: D.}]",
        "dimensions: [{id: d, title: D, description: D., weight: 0.1}, {id: e, title: E, description: E., weight: 5}]",
    )
    (tmp_path / "assessments").mkdir()
    (tmp_path / "assessments" / "one.yaml").write_text(text, encoding="utf-8")
    problems = lint_kit(load_kit(Project.find(tmp_path)), ["inert-item"])
    assert len(problems) == 1 and "dimension 'd' carries 2.0% of the overall score" in problems[0].message


def test_gated_item_is_never_inert(tmp_path):
    text = PLANTED.read_text(encoding="utf-8").replace(
        "      - dimension: voice\n", "      - item: tiny-weight\n        min_level: 1\n      - dimension: voice\n"
    )
    (tmp_path / "assessments").mkdir()
    (tmp_path / "assessments" / "planted.yaml").write_text(text, encoding="utf-8")
    assert lint_kit(load_kit(Project.find(tmp_path)), ["inert-item"]) == []


@pytest.mark.parametrize(
    "value, bad",
    [
        ("goal-clarity", False),
        ("decisions-reargued", False),
        ("item-3", True),
        ("q1", True),
        ("123", True),
        ("goalstatedindependentlyinwriting", True),
        ("a-" + "-".join(["word"] * 10), True),
    ],
)
def test_id_style(value, bad):
    from podkit.phrasing import id_problems as _id_problems

    assert bool(_id_problems(value)) is bad


# --------------------------------------------------------------------------- decision rules and references


def test_joined_conditions_counts_and_and_semicolons():
    from podkit.phrasing import joined_conditions

    assert joined_conditions("At least two members name the same outcome") == 1
    assert joined_conditions("Every marker names its date, reason and owner") == 2
    assert joined_conditions("Owners raise blockers and date them and the lead writes them down") == 3
    assert joined_conditions("A recap lists decisions; owners are named and dated") == 3
    assert joined_conditions('A member says "plan and build and ship" aloud') == 1  # quoted speech is one condition


def test_shadows_is_word_containment_of_the_earlier_row():
    from podkit.phrasing import shadows

    assert shadows("Most cards are updated", "Most cards are updated, by the people working on them")
    assert shadows("If most cards are updated", "most cards are updated")  # "if" and articles aside
    assert not shadows("Every card is updated", "Most cards are updated")
    assert not shadows("Level 2 holds, and a member fixes a card", "Every card is updated")
    assert not shadows("No card names a conflicting goal", "A card names a conflicting goal")


def test_a_level_no_row_gives_is_unreachable(bad_kit):
    a = bad_kit.assessment("planted")
    idx = [i for i, it in enumerate(a.items) if it.id == "inner-states"][0]
    it = a.items[idx]
    rows = [step for step in it.decision_rule if step.level != 1]
    broken = a.model_copy(update={"items": [*a.items[:idx], it.model_copy(update={"decision_rule": rows}), *a.items[idx + 1:]]})
    problems = [p for p in lint_assessment(broken, bad_kit.documents["planted"], ["level-unreachable"]) if p.key[:2] == ("items", idx)]
    assert [p.key for p in problems] == [("items", idx, "decision_rule")]
    assert "no row of the decision rule gives level 1" in problems[0].message
    # with every level given, the same item has no such warning
    assert not [p for p in lint_assessment(a, bad_kit.documents["planted"], ["level-unreachable"]) if p.key[:2] == ("items", idx)]
    # and the schema keeps such a rule from loading at all: cross_check names the missing level
    from podkit.kit import cross_check

    assert any(key == ("items", idx, "decision_rule") and "highest first (3, 2, 1, 0)" in msg for key, msg in cross_check(broken))


def test_decision_rule_messages_name_the_rows(bad_kit):
    by_rule = {p.rule: p.message for p in lint_kit(bad_kit)}
    assert "row for level 1 can never be reached: the earlier row for level 2" in by_rule["level-unreachable"]
    assert "needs 3 conditions at once" in by_rule["multi-condition-level"]
    assert "split the behaviour into separate items" in by_rule["multi-condition-level"]
    assert "'otherwise'" in by_rule["decision-rule-missing"]
    assert "'nowhere-2099' is not an entry of the bibliography (content/references.md)" in by_rule["reference-not-in-bibliography"]


def test_a_kit_without_a_bibliography_gets_one_warning(kit_copy):
    import shutil

    kit = kit_copy("lint-bad")
    shutil.rmtree(kit / "content")
    problems = lint_kit(load_kit(Project.find(kit)), ["reference-not-in-bibliography"])
    assert len(problems) == 1
    p = problems[0]
    assert p.path == kit / "content" / "references.md"
    assert p.severity == "warning" and p.rule == "reference-not-in-bibliography"
    assert "the bibliography does not exist, so no assessment reference can be checked" in p.message


def test_a_kit_without_references_needs_no_bibliography():
    # the clean kit has neither references nor content/references.md
    kit = load_kit(Project.find(CLEAN))
    assert not any(a.references for a in kit.assessments)
    assert lint_kit(kit, ["reference-not-in-bibliography"]) == []


def test_bibliography_ids_are_read_from_attribute_lists():
    from podkit.bibliography import ids as bibliography_ids

    text = "Sull (2015) {: #sull-2015 }\n:   entry\n\nNot an entry {: .class }\nStarmer (2023) {: #starmer-2023 }\n"
    assert bibliography_ids(text) == {"sull-2015", "starmer-2023"}


def test_shipped_references_are_all_in_the_bibliography():
    kit = load_kit(Project.find(ROOT))
    assert all(a.references for a in kit.assessments)
    assert lint_kit(kit, ["reference-not-in-bibliography"]) == []


def test_every_shipped_anchored_item_has_a_complete_decision_rule():
    from podkit.model import AnchoredItem

    kit = load_kit(Project.find(ROOT))
    for a in kit.assessments:
        for it in a.items:
            if isinstance(it, AnchoredItem):
                assert it.decision_rule, (a.id, it.id)
                assert [s.level for s in it.decision_rule] == sorted(a.levels, reverse=True), (a.id, it.id)
                assert it.decision_rule[-1].when == "otherwise", (a.id, it.id)
