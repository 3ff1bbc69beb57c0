"""Process pools for the stages that split into independent pieces (scoring many files).

The printing stage keeps its own "spawn" pool (WeasyPrint is heavy to import but each job is
long). Scoring jobs are short and need the loaded kit, so they use "fork" where it is safe: on
Linux, from a process that runs no other Python thread. Elsewhere the work runs in-process.
"""

from __future__ import annotations

import os
import sys
import threading


def cores() -> int:
    """CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return sys.platform.startswith("linux") and threading.active_count() == 1


def fork_pool(processes: int):
    """A ``multiprocessing`` pool of forked workers; they inherit every module-level value."""
    import multiprocessing

    return multiprocessing.get_context("fork").Pool(processes)


def plan_workers(jobs: int | None, items: int, *, min_items: int) -> int:
    """How many workers to use: ``jobs`` (0 or ``None``: one per core), but 1 for small inputs
    or where forking is not safe."""
    wanted = jobs or cores()
    if wanted <= 1 or items < min_items or not can_fork():
        return 1
    return min(wanted, items)
