"""Action plans: the model, the kit cross-checks, the review rules, the roll-up and new-action."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import ROOT
from podkit import actions as A
from podkit.cli import main
from podkit.errors import SourceErrors
from podkit.model import Action, ActionPlan, Assessment
from podkit.observations import collect_files, find_inputs
from podkit.sources import yaml_document

D = dt.date.fromisoformat


def _item(item_id: str, interventions: list[str]) -> dict:
    return {
        "id": item_id, "dimension": "d", "kind": "check", "title": item_id, "prompt": "Was it seen?",
        "look_for": ["it"], "evidence": "what was seen",
        "interventions": [{"title": t, "action": "Do it."} for t in interventions],
    }


@pytest.fixture(scope="module")
def kit() -> dict[str, Assessment]:
    def assessment(aid, items):
        return Assessment.model_validate({
            "id": aid, "title": aid, "version": "1.0.0", "summary": "s", "purpose": "p",
            "setting": {"sessions": ["planning"], "duration_minutes": 30},
            "dimensions": [{"id": "d", "title": "D", "description": "d"}],
            "items": items,
            "readiness": [{"id": "ready", "title": "Ready", "description": "r", "min_score": 0}],
        })
    return {
        "flow": assessment("flow", [
            _item("blockers-visible", ["Swarm on aged items", "Daily blocker round", "Swarm on aged items!"]),
            _item("no-interventions", []),
        ]),
        "voice": assessment("voice", [_item("shared-item", ["Ask first"])]),
        "other": assessment("other", [_item("shared-item", ["Ask first"])]),
    }


def action(**over) -> Action:
    data = {
        "id": "a1", "assessment": "flow", "item": "blockers-visible", "intervention": "swarm-on-aged-items",
        "owner": "pod", "agreed": "2026-09-14", "due": "2026-09-28",
        "history": [{"status": "planned", "date": "2026-09-14"}],
    }
    data.update(over)
    return Action.model_validate(data)


def history(*changes) -> list[dict]:
    out = []
    for c in changes:
        status, date, *reason = c
        out.append({"status": status, "date": date, **({"reason": reason[0]} if reason else {})})
    return out


def problems_of(text: str, kit, name="pod-aurora.yaml", folder="actions") -> list[str]:
    path = Path(folder) / name
    plan, problems = A.read_plan(yaml_document(text, path), kit)
    return [p.format() for p in problems]


PLAN = """\
# yaml-language-server: $schema=../schemas/actions.schema.json
pod: pod-aurora
actions:
  - id: a1
    assessment: flow
    item: blockers-visible
    intervention: swarm-on-aged-items
    owner: pod-lead
    agreed: 2026-09-14
    due: 2026-09-28
    history:
      - {status: planned, date: 2026-09-14}
    notes: ""
"""


# --------------------------------------------------------------------------- ids


def test_intervention_ids_are_slugs_of_titles_and_unique_per_item(kit):
    assert A.intervention_id("Swarm on aged items") == "swarm-on-aged-items"
    assert A.intervention_id("  Réunion — daily!  ") == "reunion-daily"
    assert A.intervention_id("???") == "intervention"
    long = A.intervention_id("word " * 40)
    assert len(long) <= 64 and not long.endswith("-")
    assert A.intervention_ids(kit["flow"].item("blockers-visible")) == ["swarm-on-aged-items", "daily-blocker-round", "swarm-on-aged-items-2"]


def test_recommendation_ids_round_trip():
    rid = A.recommendation_id("blockers-visible", "swarm-on-aged-items")
    assert rid == "blockers-visible/swarm-on-aged-items"
    assert A.parse_recommendation_id(rid) == ("blockers-visible", "swarm-on-aged-items")
    assert A.parse_recommendation_id("blockers-visible") == ("blockers-visible", None)


# --------------------------------------------------------------------------- model and checks


def test_a_valid_plan_reads_with_no_problems(kit):
    assert problems_of(PLAN, kit) == []


@pytest.mark.parametrize("owner", ["Jane Smith", "jane.smith@example.com", "Jane", "obs-a"])
def test_a_person_like_owner_is_refused(kit, owner):
    found = problems_of(PLAN.replace("owner: pod-lead", f'owner: "{owner}"'), kit)
    assert len(found) == 1
    assert found[0].startswith("actions/pod-aurora.yaml:8:5: actions[0].owner: expected a role, one of: pod, pod-lead")
    assert "never by a named person" in found[0]


@pytest.mark.parametrize("role", ["Jane Smith", "jane@example.com", "J.Smith", "Release-Manager"])
def test_a_person_like_other_role_is_refused(kit, role):
    text = PLAN.replace("owner: pod-lead", f'owner: other\n    owner_role: "{role}"')
    found = problems_of(text, kit)
    assert len(found) == 1 and "actions[0].owner_role: expected a role like 'release-manager'" in found[0]
    assert found[0].startswith("actions/pod-aurora.yaml:9:")


def test_other_owner_needs_a_role_and_only_other_has_one(kit):
    assert problems_of(PLAN.replace("owner: pod-lead", "owner: other\n    owner_role: release-manager"), kit) == []
    assert problems_of(PLAN.replace("owner: pod-lead", "owner: other"), kit) == [
        "actions/pod-aurora.yaml:8:5: actions[0].owner: with 'owner: other', name the role in 'owner_role', e.g. release-manager"
    ]
    assert problems_of(PLAN.replace("owner: pod-lead", "owner: pod-lead\n    owner_role: lead"), kit) == [
        "actions/pod-aurora.yaml:9:5: actions[0].owner_role: 'owner_role' goes with 'owner: other' only"
    ]


def test_unknown_keys_and_control_characters_are_refused(kit):
    found = problems_of(PLAN.replace("notes: \"\"", "notes: \"a\\x07b\"\n    person: Jane"), kit)
    assert any("actions[0].notes: contains the control character U+0007" in p for p in found)
    assert any("actions[0].person: unknown key 'person'" in p for p in found)


def test_unknown_assessment_item_and_intervention_say_did_you_mean(kit):
    assert problems_of(PLAN.replace("assessment: flow", "assessment: flwo"), kit) == [
        "actions/pod-aurora.yaml:5:5: actions[0].assessment: unknown assessment 'flwo' (did you mean 'flow'?); the kit has: flow, other, voice"
    ]
    assert problems_of(PLAN.replace("item: blockers-visible", "item: blocker-visible"), kit) == [
        "actions/pod-aurora.yaml:6:5: actions[0].item: unknown item 'blocker-visible' in assessment 'flow' (did you mean 'blockers-visible'?)"
    ]
    assert problems_of(PLAN.replace("item: blockers-visible", "item: shared-item"), kit) == [
        "actions/pod-aurora.yaml:6:5: actions[0].item: unknown item 'shared-item' in assessment 'flow'; it is an item of 'voice', 'other'"
    ]
    assert problems_of(PLAN.replace("intervention: swarm-on-aged-items", "intervention: swarm-on-aged"), kit) == [
        "actions/pod-aurora.yaml:7:5: actions[0].intervention: unknown intervention 'swarm-on-aged' for item 'blockers-visible' "
        "(did you mean 'swarm-on-aged-items'?); its interventions: swarm-on-aged-items, daily-blocker-round, swarm-on-aged-items-2 (or write 'custom: <title>')"
    ]
    text = PLAN.replace("item: blockers-visible", "item: no-interventions")
    assert problems_of(text, kit) == [
        "actions/pod-aurora.yaml:7:5: actions[0].intervention: item 'no-interventions' lists no interventions; describe yours with 'custom: <title>' instead"
    ]
    assert problems_of(text.replace("intervention: swarm-on-aged-items", 'custom: "Our own rule"'), kit) == []


def test_exactly_one_of_intervention_or_custom(kit):
    both = PLAN.replace("intervention: swarm-on-aged-items", "intervention: swarm-on-aged-items\n    custom: Mine")
    neither = PLAN.replace("    intervention: swarm-on-aged-items\n", "")
    message = "give exactly one of 'intervention' (an id from the item's interventions) or 'custom' (the title of an intervention of your own)"
    assert problems_of(both, kit) == [f"actions/pod-aurora.yaml:4:5: actions[0]: {message}"]
    assert problems_of(neither, kit) == [f"actions/pod-aurora.yaml:4:5: actions[0]: {message}"]


def test_due_before_agreed_and_duplicate_ids(kit):
    assert problems_of(PLAN.replace("due: 2026-09-28", "due: 2026-09-13"), kit) == [
        "actions/pod-aurora.yaml:10:5: actions[0].due: the due date 2026-09-13 is before the agreed date 2026-09-14"
    ]
    entry = PLAN[PLAN.index("  - id: a1"):]
    found = problems_of(PLAN + entry, kit)
    assert found == ["actions/pod-aurora.yaml:14:5: actions[1].id: duplicate action id 'a1': action 1 has it already; give each action its own id"]


def test_a_status_without_a_date_is_an_error(kit):
    found = problems_of(PLAN.replace("{status: planned, date: 2026-09-14}", "{status: planned}"), kit)
    assert found == ["actions/pod-aurora.yaml:12:9: actions[0].history[0]: missing required key 'date'"]


def test_dates_must_be_written_as_dates(kit):
    found = problems_of(PLAN.replace("agreed: 2026-09-14", "agreed: 14/09/2026"), kit)
    assert found == ["actions/pod-aurora.yaml:9:5: actions[0].agreed: expected a date like 2026-10-01 (written YYYY-MM-DD) — got '14/09/2026'"]


def _history_problems(kit, *changes) -> list[str]:
    rows = "\n".join(
        f"      - {{status: {s}, date: {d}" + (f", reason: \"{r[0]}\"" if r else "") + "}"
        for s, d, *r in changes
    )
    text = PLAN.replace("      - {status: planned, date: 2026-09-14}", rows)
    return [p.split("yaml:", 1)[1] for p in problems_of(text, kit)]


ALLOWED = [
    [("planned", "2026-09-14")],
    [("planned", "2026-09-14"), ("in-progress", "2026-09-14")],
    [("planned", "2026-09-14"), ("in-progress", "2026-09-15"), ("done", "2026-09-20")],
    [("planned", "2026-09-14"), ("done", "2026-09-20")],
    [("planned", "2026-09-14"), ("dropped", "2026-09-20", "No longer needed")],
    [("planned", "2026-09-14"), ("in-progress", "2026-09-15"), ("dropped", "2026-09-20", "Superseded")],
    [("planned", "2026-09-16")],  # first status after the agreed date
]


@pytest.mark.parametrize("changes", ALLOWED)
def test_allowed_status_transitions(kit, changes):
    assert _history_problems(kit, *changes) == []


@pytest.mark.parametrize("changes, message", [
    ([("in-progress", "2026-09-14")], "12:10: actions[0].history[0].status: the first status is 'planned' (on the agreed date or later), not 'in-progress'"),
    ([("done", "2026-09-14")], "12:10: actions[0].history[0].status: the first status is 'planned' (on the agreed date or later), not 'done'"),
    ([("planned", "2026-09-14"), ("planned", "2026-09-15")], "13:10: actions[0].history[1].status: the action is already planned; list a status only when it changes"),
    ([("planned", "2026-09-14"), ("in-progress", "2026-09-15"), ("planned", "2026-09-16")], "14:10: actions[0].history[2].status: an in-progress action can become done or dropped, not planned"),
    ([("planned", "2026-09-14"), ("done", "2026-09-15"), ("in-progress", "2026-09-16")], "14:10: actions[0].history[2].status: the action is already done, which is final; agree a new action instead"),
    ([("planned", "2026-09-14"), ("dropped", "2026-09-15", "x"), ("planned", "2026-09-16")], "14:10: actions[0].history[2].status: the action is already dropped, which is final; agree a new action instead"),
])
def test_refused_status_transitions(kit, changes, message):
    assert [p.split("yaml:", 1)[1] for p in problems_of(PLAN.replace("      - {status: planned, date: 2026-09-14}", "\n".join(
        f"      - {{status: {s}, date: {d}" + (f", reason: \"{r[0]}\"" if r else "") + "}" for s, d, *r in changes)), kit)] == [message]


def test_status_dates_in_order_and_not_before_agreed(kit):
    assert _history_problems(kit, ("planned", "2026-09-13")) == ["12:27: actions[0].history[0].date: 2026-09-13 is before the agreed date 2026-09-14"]
    assert _history_problems(kit, ("planned", "2026-09-14"), ("in-progress", "2026-09-20"), ("done", "2026-09-18")) == [
        "14:24: actions[0].history[2].date: 2026-09-18 is before the previous status change (2026-09-20); list changes oldest first"
    ]


def test_dropped_needs_a_reason_and_only_dropped_has_one(kit):
    assert _history_problems(kit, ("planned", "2026-09-14"), ("dropped", "2026-09-20")) == [
        "13:9: actions[0].history[1]: a dropped action needs a 'reason': why the pod stopped"
    ]
    assert _history_problems(kit, ("planned", "2026-09-14", "because")) == [
        "12:45: actions[0].history[0].reason: 'reason' belongs to a 'dropped' status only; put remarks on a 'planned' action in its notes"
    ]


def test_a_plan_named_for_another_pod_is_a_warning(kit):
    path = Path("actions") / "pod-borealis.yaml"
    plan, problems = A.read_plan(yaml_document(PLAN, path), kit)
    assert plan is not None
    assert [p.format() for p in problems] == [
        "actions/pod-borealis.yaml:2:1: warning: pod: this plan is for 'pod-aurora' but the file is named 'pod-borealis.yaml'; name it pod-aurora.yaml"
    ]


def test_load_plans_raises_every_error_located(tmp_path, kit):
    folder = tmp_path / "actions"
    folder.mkdir()
    (folder / "pod-aurora.yaml").write_text(PLAN.replace("due: 2026-09-28", "due: 2026-09-01"), encoding="utf-8")
    (folder / "pod-b.yaml").write_text("pod: pod-b\nactions: nope\n", encoding="utf-8")
    with pytest.raises(SourceErrors) as err:
        A.load_plans(find_inputs([tmp_path]).plans, kit)
    got = [p.format() for p in err.value.problems]
    assert got == [
        f"{folder / 'pod-aurora.yaml'}:10:5: actions[0].due: the due date 2026-09-01 is before the agreed date 2026-09-14",
        f"{folder / 'pod-b.yaml'}:2:1: actions: expected a list — got 'nope'",
    ]


# --------------------------------------------------------------------------- finding plans beside observations


def test_collect_files_leaves_action_plans_to_the_actions_module(tmp_path):
    (tmp_path / "pod-a").mkdir()
    (tmp_path / "pod-a" / "s.yaml").write_text("x: 1\n", encoding="utf-8")
    (tmp_path / "actions").mkdir()
    (tmp_path / "actions" / "pod-a.yaml").write_text(PLAN, encoding="utf-8")
    files, problems = collect_files([tmp_path])
    assert [name for _, name, _ in files] == [f"{tmp_path.name}/pod-a/s.yaml"] and problems == []
    files, problems = collect_files([tmp_path / "actions" / "pod-a.yaml", tmp_path / "pod-a" / "s.yaml"])
    assert [name for _, name, _ in files] == ["s.yaml"] and problems == []
    assert find_inputs([tmp_path]).plans == [tmp_path / "actions" / "pod-a.yaml"]
    assert find_inputs([tmp_path / "actions"]).plans == [tmp_path / "actions" / "pod-a.yaml"]
    assert find_inputs([tmp_path / "actions" / "pod-a.yaml", tmp_path / "pod-a" / "s.yaml"]).plans == [tmp_path / "actions" / "pod-a.yaml"]


# --------------------------------------------------------------------------- status and overdue


def test_status_on_a_day_and_overdue_across_dates():
    act = action(history=history(("planned", "2026-09-14"), ("in-progress", "2026-09-16"), ("done", "2026-10-05")))
    expected = {
        "2026-09-13": (None, False),  # before it was agreed
        "2026-09-14": ("planned", False),
        "2026-09-16": ("in-progress", False),
        "2026-09-28": ("in-progress", False),  # the due date itself
        "2026-09-29": ("in-progress", True),
        "2026-10-04": ("in-progress", True),
        "2026-10-05": ("done", False),  # done late: not overdue any more
        "2026-12-01": ("done", False),
    }
    for day, (status, late) in expected.items():
        assert (A.status_on(act, D(day)), A.overdue(act, D(day))) == (status, late), day


def test_dropped_and_planned_actions_and_overdue():
    dropped = action(history=history(("planned", "2026-09-14"), ("dropped", "2026-09-30", "Superseded")))
    assert A.overdue(dropped, D("2026-09-29")) is True
    assert A.overdue(dropped, D("2026-09-30")) is False
    planned = action()
    assert A.overdue(planned, D("2026-09-28")) is False
    assert A.overdue(planned, D("2026-09-29")) is True


# --------------------------------------------------------------------------- before / after / verdict


def test_before_is_the_last_level_on_or_before_the_agreed_day():
    act = action(agreed="2026-09-14")
    sessions = [(D("2026-09-14"), 1), (D("2026-08-31"), 0), (D("2026-09-28"), 2), (D("2026-09-13"), 3)]
    seen = A.before_after(act, sessions)
    assert seen.before == (D("2026-09-14"), 1)  # same day counts as before
    assert seen.after == ((D("2026-09-28"), 2),)
    # the last session before without a level is passed over for one with a level
    seen = A.before_after(act, [(D("2026-09-01"), 2), (D("2026-09-10"), None), (D("2026-09-12"), A.NA), (D("2026-09-15"), A.NA)])
    assert seen.before == (D("2026-09-01"), 2)
    assert seen.after == ((D("2026-09-15"), A.NA),)


@pytest.mark.parametrize("before, after, result", [
    (1, [2], A.IMPROVED),
    (1, [1], A.NO_CHANGE),
    (2, [1], A.WORSE),
    (1, [3, 1], A.NO_CHANGE),  # the latest level after counts
    (1, [0, 2, None], A.IMPROVED),  # not observed at the end: the latest with a level
    (1, [None, A.NA], A.NOT_OBSERVED_SINCE),
    (1, [], A.NOT_OBSERVED_SINCE),
    (None, [2], A.NO_LEVEL_BEFORE),
])
def test_verdicts(before, after, result):
    act = action(agreed="2026-09-14")
    sessions = [(D("2026-09-01"), before)] + [(D("2026-09-15") + dt.timedelta(days=14 * i), lv) for i, lv in enumerate(after)]
    assert A.verdict(A.before_after(act, sessions)) == result
    sentence = A.VERDICT_SENTENCES[result]
    assert "caus" not in sentence and "agreed" in sentence


def test_the_module_docstrings_worked_example():
    """The worked example of podkit.actions, number by number."""
    assert "Worked example" in A.__doc__
    act = action(agreed="2026-09-14", due="2026-09-28", history=history(("planned", "2026-09-14"), ("in-progress", "2026-09-16"), ("done", "2026-10-05")))
    sessions = [(D("2026-08-31"), 1), (D("2026-09-14"), 1), (D("2026-09-28"), None), (D("2026-10-12"), 2), (D("2026-10-26"), 3)]
    assert (A.status_on(act, D("2026-09-15")), A.overdue(act, D("2026-09-15"))) == ("planned", False)
    assert (A.status_on(act, D("2026-09-30")), A.overdue(act, D("2026-09-30"))) == ("in-progress", True)
    assert (A.status_on(act, D("2026-10-05")), A.overdue(act, D("2026-10-05"))) == ("done", False)
    late = A.review(act, sessions, D("2026-10-28"))
    assert late.seen.before == (D("2026-09-14"), 1)
    assert late.seen.after == ((D("2026-09-28"), None), (D("2026-10-12"), 2), (D("2026-10-26"), 3))
    assert late.verdict == A.IMPROVED and late.status == "done" and late.overdue is False
    early = A.review(act, sessions, D("2026-10-01"))
    assert early.seen.after == ((D("2026-09-28"), None),)
    assert early.verdict == A.NOT_OBSERVED_SINCE and early.overdue is True
    assert A.next_observation_improved(act, sessions) is True


def test_next_observation_after_done():
    act = action(history=history(("planned", "2026-09-14"), ("done", "2026-10-05")))
    assert A.next_observation_improved(act, [(D("2026-09-14"), 1), (D("2026-10-05"), 3), (D("2026-10-12"), 1), (D("2026-10-26"), 3)]) is False
    assert A.next_observation_improved(act, [(D("2026-09-14"), 1), (D("2026-10-12"), None)]) is None
    assert A.next_observation_improved(action(), [(D("2026-09-14"), 1), (D("2026-10-12"), 3)]) is None  # not done


# --------------------------------------------------------------------------- roll-up


def _entries(n_pods: int, intervention="swarm-on-aged-items"):
    done = action(intervention=intervention, history=history(("planned", "2026-09-14"), ("done", "2026-09-20")))
    sessions = [(D("2026-09-14"), 1), (D("2026-09-28"), 2)]
    return [(f"pod-{i}", done, sessions) for i in range(n_pods)]


def test_rollup_counts_and_privacy_floor():
    as_of = D("2026-10-28")
    below = A.interventions_that_worked(_entries(2), as_of)
    assert below.rows == () and below.hidden == 1 and below.min_pods == 3
    assert "not causal evidence" in below.caveat
    at = A.interventions_that_worked(_entries(3) + [("pod-0", action(), [(D("2026-09-14"), 1)])], as_of)
    assert at.rows == (A.InterventionOutcome("flow", "blockers-visible", "swarm-on-aged-items", pods=3, agreed=4, done=3, improved_next=3),)
    assert at.hidden == 0
    # k is a parameter; custom interventions are never rolled up
    custom = action(intervention=None, custom="Our own")
    assert A.interventions_that_worked([("pod-a", custom, [])], as_of, k=1).rows == ()
    assert len(A.interventions_that_worked(_entries(1), as_of, k=1).rows) == 1
    # an action agreed after the report date does not count
    assert A.interventions_that_worked(_entries(3), D("2026-09-01")).hidden == 0


# --------------------------------------------------------------------------- podkit new-action


def _new_action(runner, folder: Path, *args):
    return runner.invoke(main, ["new-action", *args, "-p", str(ROOT), "-o", str(folder / "actions" / "pod-aurora.yaml")])


def test_new_action_creates_then_appends_without_touching_other_entries(runner, tmp_path):
    plan = tmp_path / "actions" / "pod-aurora.yaml"
    first = _new_action(runner, tmp_path, "pod-aurora", "goal-visible/pin-the-goal-to-the-board", "--agreed", "2026-11-02", "--owner", "pod-lead")
    assert first.exit_code == 0, first.output
    assert first.output.strip() == f"{plan}:6: added action a1: goal-visible → pin-the-goal-to-the-board; owner pod-lead; agreed 2026-11-02, due 2026-11-16"
    text = plan.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    # a hand edit in the existing entry, kept byte for byte
    edited = text.replace('notes: ""', 'notes: "Hand-written note; kept as written."  # a comment') + "# trailing comment\n"
    plan.write_text(edited, encoding="utf-8")
    second = _new_action(runner, tmp_path, "pod-aurora", "decisions-recorded", "--intervention", "1", "--owner", "release-manager", "--agreed", "2026-11-03", "--due", "2026-11-20")
    assert second.exit_code == 0, second.output
    after = plan.read_bytes()
    assert after.startswith(edited.encode("utf-8"))
    added = after[len(edited.encode("utf-8")):].decode("utf-8")
    assert added.startswith("  - id: a2\n") and "owner: other\n    owner_role: release-manager\n" in added
    assert "intervention: keep-a-running-decision-log" in added
    custom = _new_action(runner, tmp_path, "pod-aurora", "goal-visible", "--title", 'Goal "card" at every stand-up', "--agreed", "2026-11-04")
    assert custom.exit_code == 0, custom.output
    kit = {a.id: a for a in _shipped_kit()}
    loaded, problems = A.load_plan(plan, kit)
    assert problems == []
    assert [a.id for a in loaded.actions] == ["a1", "a2", "a3"]
    assert loaded.actions[2].custom == 'Goal "card" at every stand-up'
    assert loaded.actions[0].notes == "Hand-written note; kept as written."


def test_new_action_refuses_a_person_as_owner_and_writes_nothing(runner, tmp_path):
    for owner in ("Jane Smith", "jane.smith@example.com"):
        result = _new_action(runner, tmp_path, "pod-aurora", "goal-visible/pin-the-goal-to-the-board", "--owner", owner)
        assert result.exit_code == 1
        assert "--owner: expected a role like 'release-manager'" in result.output and "never a person's name" in result.output
    assert not (tmp_path / "actions").exists()


def test_new_action_refuses_an_invalid_plan_naming_its_problems(runner, tmp_path):
    plan = tmp_path / "actions" / "pod-aurora.yaml"
    plan.parent.mkdir()
    broken = PLAN.replace("assessment: flow", "assessment: alignment").replace("item: blockers-visible", "item: goal-visible").replace(
        "intervention: swarm-on-aged-items", "intervention: pin-the-goal-to-the-board").replace("due: 2026-09-28", "due: 2026-09-01")
    plan.write_text(broken, encoding="utf-8")
    result = _new_action(runner, tmp_path, "pod-aurora", "goal-visible/pin-the-goal-to-the-board")
    assert result.exit_code == 1
    assert f"{plan}:10:5: actions[0].due: the due date 2026-09-01 is before the agreed date 2026-09-14" in result.output
    assert "fix the action plan before adding to it (nothing was written)" in result.output
    assert plan.read_text(encoding="utf-8") == broken


def test_new_action_refuses_a_plan_it_cannot_append_to(runner, tmp_path):
    plan = tmp_path / "actions" / "pod-aurora.yaml"
    plan.parent.mkdir()
    text = "actions: []\npod: pod-aurora\n"
    plan.write_text(text, encoding="utf-8")
    result = _new_action(runner, tmp_path, "pod-aurora", "goal-visible/pin-the-goal-to-the-board")
    assert result.exit_code == 1 and "cannot add an action at the end of this file" in result.output
    assert plan.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("args, message", [
    (["goal-visble"], "no assessment has an item 'goal-visble' (did you mean 'goal-visible'?)"),
    (["goal-visible/pin-the-goal-to-the-bord"], "--intervention: unknown intervention 'pin-the-goal-to-the-bord' for item 'goal-visible' (did you mean 'pin-the-goal-to-the-board'?)"),
    (["goal-visible", "--intervention", "9"], "item 'goal-visible' has 1 intervention: pin-the-goal-to-the-board"),
    (["goal-visible"], "name the intervention: --intervention ID (one of: pin-the-goal-to-the-board) or --title TEXT"),
    (["goal-visible", "--title", "x", "--agreed", "2026-11-10", "--due", "2026-11-01"], "--due: the due date 2026-11-01 is before the agreed date 2026-11-10"),
    (["goal-visible", "--title", "x", "--due", "soon"], "expected a date like 2026-11-20, got 'soon'"),
    (["goal-visible", "--title", "x", "--owner", "other"], "write the role itself, e.g. --owner release-manager"),
    (["goal-visible/pin-the-goal-to-the-board", "--title", "x"], "give --intervention (one of the item's) or --title (your own), not both"),
])
def test_new_action_bad_input(runner, tmp_path, args, message):
    result = _new_action(runner, tmp_path, "pod-aurora", *args)
    assert result.exit_code in (1, 2)
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "actions").exists()


# --------------------------------------------------------------------------- samples and schema


def _shipped_kit():
    from podkit.kit import Project, load_kit

    return load_kit(Project.find(ROOT)).assessments


def test_sample_plans_are_valid_and_tell_their_stories():
    kit = {a.id: a for a in _shipped_kit()}
    plans, warnings = A.load_plans(find_inputs([ROOT / "examples" / "observations"]).plans, kit)
    assert warnings == []
    by_pod = {p.pod: p for p in plans}
    assert sorted(by_pod) == ["pod-aurora", "pod-borealis", "pod-cirrus"]
    as_of = D("2026-10-28")
    states = [(p.pod, a.id, A.status_on(a, as_of), A.overdue(a, as_of)) for p in plans for a in p.actions]
    assert ("pod-aurora", "a1", "done", False) in states
    assert ("pod-borealis", "a1", "in-progress", True) in states
    assert ("pod-cirrus", "a1", "dropped", False) in states
    for path in find_inputs([ROOT / "examples" / "observations"]).plans:
        assert "SYNTHETIC SAMPLE DATA" in path.read_text(encoding="utf-8")


def test_schema_file_is_current(runner):
    import json

    from podkit.schema import json_schema

    assert json.loads((ROOT / "schemas" / "actions.schema.json").read_text(encoding="utf-8")) == json_schema("actions")
    result = runner.invoke(main, ["schema", "actions"])
    assert result.exit_code == 0 and json.loads(result.output)["$id"].endswith("/actions.schema.json")
    assert ActionPlan.model_json_schema()["$defs"]["Action"]["properties"]["owner"]["enum"][0] == "pod"


def test_the_published_schema_accepts_the_samples_and_states_the_simple_rules():
    import json

    import jsonschema

    from podkit.schema import json_schema
    from podkit.sources import load_yaml

    schema = json_schema("actions")
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for path in find_inputs([ROOT / "examples" / "observations"]).plans:
        validator.validate(json.loads(json.dumps(load_yaml(path).data, default=str)))
    good = {"id": "a1", "assessment": "x", "item": "y", "intervention": "z", "owner": "pod", "agreed": "2026-09-14", "due": "2026-09-28",
            "history": [{"status": "planned", "date": "2026-09-14"}]}
    assert validator.is_valid({"pod": "p", "actions": [good]})
    for bad in (
        {**good, "custom": "Both"},
        {k: v for k, v in good.items() if k != "intervention"},
        {**good, "owner": "other"},
        {**good, "owner_role": "lead"},
        {**good, "owner": "Jane Smith"},
        {**good, "history": [{"status": "dropped", "date": "2026-09-14"}]},
        {**good, "history": [{"status": "planned"}]},
    ):
        assert not validator.is_valid({"pod": "p", "actions": [bad]}), bad


def test_personal_data_in_a_plan_is_warned_about(kit):
    text = PLAN.replace('notes: ""', 'notes: "ask jane.smith@example.com"')
    plan, problems = A.read_plan(yaml_document(text, Path("actions") / "pod-aurora.yaml"), kit)
    assert plan is not None
    assert [p.format() for p in problems] == [
        "actions/pod-aurora.yaml:13:5: warning: actions[0].notes: seems to contain an e-mail address; an action plan describes the pod's process, never identify a person"
    ]


def test_two_plans_for_one_pod_are_an_error(tmp_path, kit):
    for name in ("actions", "more/actions"):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "pod-aurora.yaml").write_text(PLAN, encoding="utf-8")
    with pytest.raises(SourceErrors) as err:
        A.load_plans(find_inputs([tmp_path]).plans, kit)
    assert [p.format() for p in err.value.problems] == [
        f"{tmp_path / 'more' / 'actions' / 'pod-aurora.yaml'}: a second action plan for 'pod-aurora' (the first is {tmp_path / 'actions' / 'pod-aurora.yaml'}); keep one plan per pod"
    ]


def test_new_action_lines_up_with_entries_written_flush_left(runner, tmp_path):
    plan = tmp_path / "actions" / "pod-aurora.yaml"
    plan.parent.mkdir()
    flush = "pod: pod-aurora\nactions:\n" + "".join(
        line[2:] + "\n" for line in PLAN[PLAN.index("  - id: a1"):].splitlines()
    ).replace("assessment: flow", "assessment: alignment").replace("item: blockers-visible", "item: goal-visible").replace(
        "intervention: swarm-on-aged-items", "intervention: pin-the-goal-to-the-board")
    plan.write_text(flush, encoding="utf-8")
    result = _new_action(runner, tmp_path, "pod-aurora", "goal-visible/pin-the-goal-to-the-board", "--agreed", "2026-11-02")
    assert result.exit_code == 0, result.output
    text = plan.read_text(encoding="utf-8")
    assert text.startswith(flush) and text[len(flush):].startswith("- id: a2\n  assessment: alignment\n")


def test_new_action_keeps_windows_line_endings_byte_for_byte(runner, tmp_path):
    plan = tmp_path / "actions" / "pod-aurora.yaml"
    first = _new_action(runner, tmp_path, "pod-aurora", "goal-visible/pin-the-goal-to-the-board", "--agreed", "2026-11-02")
    assert first.exit_code == 0, first.output
    crlf = plan.read_bytes().replace(b"\n", b"\r\n")
    plan.write_bytes(crlf)
    second = _new_action(runner, tmp_path, "pod-aurora", "goal-visible/pin-the-goal-to-the-board", "--agreed", "2026-11-03")
    assert second.exit_code == 0, second.output
    after = plan.read_bytes()
    assert after.startswith(crlf) and b"- id: a2\r\n" in after[len(crlf):] and b"\n" not in after[len(crlf):].replace(b"\r\n", b"")


def test_readme_states_the_plan_limits_from_the_model():
    from podkit import model

    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"A plan holds at most {model.MAX_ACTIONS} actions, each with at most {model.MAX_STATUS_CHANGES} status changes; roles of your own are up to {model.MAX_ROLE_LENGTH} characters." in text


def test_plan_limits(kit):
    from podkit import model

    entry = PLAN[PLAN.index("  - id: a1"):]
    many = PLAN + "".join(entry.replace("id: a1", f"id: a{i}") for i in range(2, model.MAX_ACTIONS + 2))
    assert problems_of(many, kit) == [f"actions/pod-aurora.yaml:3:1: actions: is too long: at most {model.MAX_ACTIONS} allowed"]
    rows = "\n".join(["      - {status: planned, date: 2026-09-14}"] + ["      - {status: in-progress, date: 2026-09-15}"] * model.MAX_STATUS_CHANGES)
    found = problems_of(PLAN.replace("      - {status: planned, date: 2026-09-14}", rows), kit)
    assert found == [f"actions/pod-aurora.yaml:11:5: actions[0].history: is too long: at most {model.MAX_STATUS_CHANGES} allowed"]


# --------------------------------------------------------------------------- one source for the rules


def _normalised(text: str) -> str:
    """Prose only: RST underlines dropped, Markdown heading marks dropped, whitespace collapsed."""
    import re

    lines = [ln.strip().lstrip("#").strip() for ln in text.splitlines() if not re.fullmatch(r"\s*-{3,}\s*", ln)]
    return " ".join(" ".join(lines).split())


def test_the_rules_on_the_scoring_page_are_the_docstring_word_for_word():
    from podkit.model import MAX_ID_LENGTH, OTHER_ROLE, OWNER_ROLES

    page = (ROOT / "content" / "scoring.md").read_text(encoding="utf-8")
    block = page.split("<!-- actions-rules: -->", 1)[1].split("<!-- /actions-rules -->", 1)[0]
    doc = A.__doc__[A.__doc__.index("Rules for agreed actions"):]
    assert _normalised(block) == _normalised(doc)
    # the facts the words state are the code's
    words = _normalised(doc)
    assert f"at most {MAX_ID_LENGTH} characters" in words
    roles = [r for r in OWNER_ROLES if r != OTHER_ROLE]
    assert ", ".join(roles[:-1]) + f" or {roles[-1]}" in words
    assert f"with `{OTHER_ROLE}` the role is written in `owner_role`" in words
    assert "at least `k` different pods agreed it (k is `roll_up_min_pods`" in words and A.ROLLUP_MIN_PODS == 3


def test_every_verdict_has_its_sentence_in_wording_and_none_claims_a_cause():
    from podkit import wording

    assert set(wording.VERDICT_SENTENCES) == set(A.VERDICTS)
    assert A.VERDICT_SENTENCES is wording.VERDICT_SENTENCES and A.ROLLUP_CAVEAT is wording.ROLLUP_CAVEAT
    for sentence in wording.VERDICT_SENTENCES.values():
        assert "caus" not in sentence and "because" not in sentence
    assert "not causal evidence" in wording.ROLLUP_CAVEAT
