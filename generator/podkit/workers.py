"""Process pools for the stages that split into independent pieces (scoring many files).

The printing stage keeps its own "spawn" pool (WeasyPrint is heavy to import but each job is
long). Scoring jobs are short and need the loaded kit, so they use "fork" where it is safe: on
Linux, from a process that runs no other Python thread. Elsewhere the work runs in-process.
Workers get what they need as arguments (with "fork", arguments are inherited, not pickled);
nothing is kept at module level.
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


def fork_map(fn, items: list, processes: int):
    """Yield ``(index, fn(items[index]))`` for every item, as the ``processes`` forked workers
    finish them (in no set order).

    ``fn``, ``items`` and everything they refer to are inherited by the workers, never pickled,
    so a worker can read what the parent holds in memory; each result is pickled back. Worker
    ``k`` takes items ``k``, ``k + processes``, … A user error in a worker (a
    :class:`~podkit.errors.PodkitError`) is raised here with its message; anything else as an
    internal error. Ctrl-C reaches the parent only: it stops every worker at once.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    from .errors import PodkitError
    from .interrupts import sigint_held

    ctx = multiprocessing.get_context("fork")
    procs, conns = [], []
    parent = os.getpid()
    try:
        with sigint_held():
            for k in range(processes):
                receive, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_fork_worker, args=(fn, items, k, processes, send, parent), daemon=True)
                proc.start()
                send.close()
                procs.append(proc)
                conns.append(receive)
        waiting = list(conns)
        while waiting:
            for conn in wait(waiting):
                try:
                    kind, index, payload = conn.recv()
                except EOFError:
                    waiting.remove(conn)
                    continue
                if kind == "user":
                    raise PodkitError(payload)
                if kind == "bug":
                    raise RuntimeError(f"a worker process failed:\n{payload}")
                yield index, payload
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
        for conn in conns:
            conn.close()


def _fork_worker(fn, items: list, start: int, step: int, conn, parent: int) -> None:
    """One worker of :func:`fork_map`: its share of the items, each result sent back at once."""
    import traceback

    from .errors import PodkitError
    from .interrupts import worker_signals

    worker_signals()
    _end_with(parent)
    index = start
    try:
        for index in range(start, len(items), step):
            conn.send(("ok", index, fn(items[index])))
    except PodkitError as exc:
        conn.send(("user", index, exc.format_message()))
    except Exception:  # noqa: BLE001 - reported to the parent, which decides
        conn.send(("bug", index, traceback.format_exc()))
    finally:
        conn.close()


def _end_with(parent: int) -> None:
    """Have the kernel send this worker SIGTERM when ``parent`` ends, however it ends (a SIGKILL
    included), so that no orphaned worker goes on reading or writing (Linux; elsewhere a no-op)."""
    import signal

    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # it ended before the line above
        raise SystemExit(1)


def plan_workers(jobs: int | None, items: int, *, min_items: int) -> int:
    """How many workers to use: ``jobs`` (0 or ``None``: one per core), but 1 for small inputs
    or where forking is not safe."""
    wanted = jobs or cores()
    if wanted <= 1 or items < min_items or not can_fork():
        return 1
    return min(wanted, items)
