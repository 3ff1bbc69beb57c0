"""workers.py: core count, when forking is safe, and how many workers a stage gets."""

from __future__ import annotations

import os
import threading

import pytest

from podkit import workers


@pytest.fixture
def forkable(monkeypatch):
    monkeypatch.setattr(workers, "can_fork", lambda: True)
    monkeypatch.setattr(workers, "cores", lambda: 8)


def test_cores_counts_what_this_process_may_use():
    assert workers.cores() == len(os.sched_getaffinity(0)) >= 1


def test_small_inputs_get_one_worker(forkable):
    assert workers.plan_workers(4, items=9, min_items=10) == 1
    assert workers.plan_workers(None, items=0, min_items=1) == 1


def test_one_job_or_one_core_gets_one_worker(forkable, monkeypatch):
    assert workers.plan_workers(1, items=1000, min_items=10) == 1
    monkeypatch.setattr(workers, "cores", lambda: 1)
    assert workers.plan_workers(None, items=1000, min_items=10) == 1
    assert workers.plan_workers(0, items=1000, min_items=10) == 1


def test_jobs_zero_or_none_means_one_per_core(forkable):
    assert workers.plan_workers(None, items=1000, min_items=10) == 8
    assert workers.plan_workers(0, items=1000, min_items=10) == 8


def test_never_more_workers_than_items(forkable):
    assert workers.plan_workers(16, items=12, min_items=10) == 12
    assert workers.plan_workers(3, items=12, min_items=10) == 3


def test_no_fork_no_pool(monkeypatch):
    monkeypatch.setattr(workers, "can_fork", lambda: False)
    assert workers.plan_workers(8, items=1000, min_items=10) == 1


def test_forking_is_unsafe_while_another_thread_runs():
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert workers.can_fork() is False
    finally:
        stop.set()
        t.join()


def test_fork_map_gives_every_result_once_and_workers_read_the_parents_memory():
    from podkit.workers import fork_map

    big = list(range(1000))  # inherited by the workers, never pickled
    out = dict(fork_map(lambda i: (i, sum(big[: i + 1])), list(range(20)), 3))
    assert sorted(out) == list(range(20))
    assert all(out[i] == (i, sum(range(i + 1))) for i in range(20))


def test_fork_map_raises_a_workers_user_error_and_names_a_bug():
    import pytest

    from podkit.errors import PodkitError
    from podkit.workers import fork_map

    def user(i):
        if i == 3:
            raise PodkitError("reports/x.html: cannot write the file: disk full")
        return i

    with pytest.raises(PodkitError, match="disk full"):
        list(fork_map(user, list(range(6)), 2))

    def bug(i):
        return 1 / 0

    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        list(fork_map(bug, list(range(4)), 2))


def test_fork_map_workers_end_when_their_parent_is_killed(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from podkit.workers import fork_map\n"
        "folder = Path(sys.argv[1])\n"
        "def work(i):\n"
        "    (folder / f'{os.getpid()}.pid').write_text('')\n"
        "    time.sleep(300)\n"
        "for _ in fork_map(work, [0, 1], 2):\n"
        "    pass\n",
        encoding="utf-8",
    )
    pids = tmp_path / "pids"
    pids.mkdir()
    parent = subprocess.Popen([sys.executable, str(script), str(pids)])
    try:
        deadline = time.monotonic() + 60
        while len(list(pids.iterdir())) < 2:
            assert time.monotonic() < deadline and parent.poll() is None, "the workers did not start"
            time.sleep(0.05)
    finally:
        parent.send_signal(signal.SIGKILL)  # no clean-up code of the parent runs
        parent.wait()
    workers_ = [int(p.stem) for p in pids.iterdir()]

    def alive(pid):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        with open(f"/proc/{pid}/stat") as fh:  # a zombie waiting for init to reap it has ended
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"

    deadline = time.monotonic() + 60
    while any(alive(pid) for pid in workers_) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers_ if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "workers outlived their parent"
