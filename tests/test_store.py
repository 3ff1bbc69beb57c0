"""store.py: validated records kept in a temporary file between the two passes of ``podkit score``."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from conftest import KITS
from podkit.model import Observation
from podkit.observations import Record, Source
from podkit.sources import load_yaml
from podkit.store import RecordStore

S1 = load_yaml(KITS / "scoring" / "observations" / "s1.yaml").data


def _record(name: str, *, pod="pod-demo", date="2026-03-02", duration=15, observer="obs-a", items=None, assessment="worked-example") -> Record:
    data = copy.deepcopy(S1)
    data.update(pod=pod, date=date, observers=[observer])
    data["session"]["duration_minutes"] = duration
    data["responses"] = {item: {observer: resp["obs-a"]} for item, resp in data["responses"].items() if items is None or item in items}
    data["assessment"] = assessment
    obs = Observation.model_validate(data)
    lines = {(item, observer): 10 + i for i, item in enumerate(obs.responses)}
    return Record(obs, Source(Path(f"/in/{name}"), name, "0" * 64), lines, ())


def test_records_round_trip_unchanged():
    records = [_record("a.yaml"), _record("b.yaml", pod="pod-two", date="2026-03-09")]
    with RecordStore(in_memory=0) as store:  # every record through the spill file
        for r in records:
            store.add(r)
        assert len(store) == 2
        back = store.records([1, 0])
    assert back == [records[1], records[0]]
    assert back[0].observation.responses["swarming"]["obs-a"].intervals == [["SW"], ["RS"], ["RS"], ["NX", "RS"], ["RS"]]
    assert back[0].where("swarming", "obs-a") == "b.yaml:13"
    assert back[0] is not records[1]  # read back from the file, not kept in memory


def test_groups_and_first_dates():
    with RecordStore() as store:
        store.add(_record("a.yaml", date="2026-03-16"))
        store.add(_record("b.yaml", pod="pod-two", date="2026-04-01"))
        store.add(_record("c.yaml", date="2026-03-02"))
        store.add(_record("d.yaml", date="2026-03-30"))
        assert {g: list(n) for g, n in store.groups.items()} == {
            ("worked-example", "pod-demo"): [0, 2, 3],
            ("worked-example", "pod-two"): [1],
        }
        assert store.first_dates == {
            ("worked-example", "pod-demo"): dt.date(2026, 3, 2),
            ("worked-example", "pod-two"): dt.date(2026, 4, 1),
        }


def test_check_sessions_finds_duplicates_across_files():
    with RecordStore() as store:
        store.add(_record("a.yaml"))
        store.add(_record("b.yaml", pod="pod-two"))  # another session: fine
        store.add(_record("c.yaml", items={"dod-checked"}))  # same session, same observer, same item
        [problem] = store.check_sessions()
    assert problem.path == Path("/in/c.yaml") and problem.line == 10
    assert problem.message == (
        "duplicate response: observer 'obs-a' already answered item 'dod-checked' for this session "
        "(pod 'pod-demo', 2026-03-02, stand-up) in a.yaml:11"
    )


def test_check_sessions_finds_durations_that_differ():
    with RecordStore() as store:
        store.add(_record("a.yaml", observer="obs-a"))
        store.add(_record("b.yaml", observer="obs-b", duration=20))
        store.add(_record("c.yaml", observer="obs-c", duration=15))
        [problem] = store.check_sessions()
    assert problem.path == Path("/in/b.yaml")
    assert problem.message == "this session (pod 'pod-demo', 2026-03-02, stand-up) is also recorded in a.yaml with a duration of 15 minutes, not 20"


def test_two_observers_of_one_session_in_two_files_fit():
    with RecordStore() as store:
        store.add(_record("a.yaml", observer="obs-a"))
        store.add(_record("b.yaml", observer="obs-b"))
        assert store.check_sessions() == []


def test_records_within_the_budget_stay_in_memory_and_the_rest_spill():
    records = [_record("a.yaml"), _record("b.yaml", pod="pod-two", date="2026-03-09"), _record("c.yaml", date="2026-03-23")]
    with RecordStore(in_memory=2) as store:
        for r in records:
            store.add(r)
        assert store._file is not None  # the third one spilled
        back = store.records([0, 1, 2])
    assert back == records
    assert back[0] is records[0] and back[1] is records[1]  # kept as they were
    assert back[2] is not records[2]  # read back from the file


def test_the_temporary_file_is_closed(monkeypatch):
    store = RecordStore(in_memory=0)
    with store:
        store.add(_record("a.yaml"))
        handle = store._file
    assert handle.closed
    with pytest.raises(ValueError):
        store.records([0])


@pytest.mark.parametrize("in_memory", [2000, 3])
def test_reading_in_worker_processes_keeps_the_records_of_one_process_in_order(tmp_path, monkeypatch, in_memory):
    from podkit import observations, store as store_mod, workers
    from podkit.kit import Project, load_kit
    from podkit.observations import collect_files

    kit = load_kit(Project.find(KITS / "scoring"))
    by_id = {a.id: a for a in kit.assessments}
    folder = tmp_path / "in"
    folder.mkdir()
    for copy_ in range(3):  # the same sessions again: check_sessions has duplicates to find
        for path in sorted((KITS / "scoring" / "observations").glob("*.yaml")):
            (folder / f"{copy_}-{path.name}").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "99-broken.yaml").write_text("assessment: [unclosed\n", encoding="utf-8")
    files, _ = collect_files([folder])
    today = dt.date(2026, 6, 1)
    with RecordStore() as one:
        expected_problems = [p.format() for p in one.read(files, by_id, today, jobs=1)]
        expected = one.records(range(len(one)))
        expected_groups = {g: list(n) for g, n in one.groups.items()}
        expected_checks = [p.format() for p in one.check_sessions()]
    assert len(expected) == 6 and expected_problems  # the broken file is reported
    monkeypatch.setattr(observations, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(store_mod, "READ_CHUNK", 1)  # one file per message: order from many workers' results
    monkeypatch.setattr(workers, "can_fork", lambda: True)
    with RecordStore(in_memory=in_memory) as many:
        problems = [p.format() for p in many.read(files, by_id, today, jobs=2)]
        assert all(isinstance(e, bytes) for e in many._kept)  # kept as the workers pickled them
        assert (many._file is not None) == (in_memory < len(expected))
        assert problems == expected_problems
        assert {g: list(n) for g, n in many.groups.items()} == expected_groups
        assert many.records(range(len(many))) == expected
        found = [p.format() for p in many.check_sessions()]
    assert found and found == expected_checks
