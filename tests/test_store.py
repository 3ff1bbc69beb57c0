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
