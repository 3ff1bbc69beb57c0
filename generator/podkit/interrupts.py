"""Stopping a process pool at once when the user presses Ctrl-C.

Ctrl-C sends SIGINT to every process of the terminal's process group: podkit and its workers. If
the workers die of it, ``ProcessPoolExecutor`` threads in the parent wait for them forever, and
``shutdown(wait=True)`` (the end of a ``with`` block) never returns. So:

* workers ignore SIGINT (:func:`worker_signals`, in the pool's initializer; they are started
  inside :func:`sigint_held`, so that a Ctrl-C during their start-up is held back): only the
  parent reacts, with ``KeyboardInterrupt``;
* the parent then calls :func:`stop_pool`: pending jobs are cancelled, the workers get SIGTERM
  (SIGKILL after a grace period) and no thread is joined on a dead worker;
* in a worker, SIGTERM raises :class:`Terminated`, so that ``finally`` blocks and the writer's
  clean-up (temporary files) run, and :func:`exit_when_terminated` around a job then ends the
  process instead of letting the pool hand it the next job.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time


class Terminated(SystemExit):
    """Raised in a worker by SIGTERM (its pool is being stopped). A ``SystemExit``, so that a worker
    stopped while idle ends quietly, without a traceback."""


def _raise_terminated(signum, frame):
    raise Terminated(143)


def worker_signals() -> None:
    """Call first in a pool worker's initializer: ignore Ctrl-C, turn SIGTERM into :class:`Terminated`.

    A worker started inside :func:`sigint_held` begins with SIGINT blocked, so a Ctrl-C during its
    start-up (imports, unpickling) cannot kill it with a traceback; it is unblocked here, once
    ignored, and a Ctrl-C that was pending is dropped."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _raise_terminated)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextlib.contextmanager
def sigint_held():
    """Around starting pool workers (``submit`` starts them): hold Ctrl-C back in this thread, so
    that workers inherit a blocked SIGINT; a Ctrl-C pressed meanwhile arrives when the block ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def exit_when_terminated(code: int = 143):
    """Around one job (and the initializer) in a worker: once it has unwound after SIGTERM, end
    the process, quietly, instead of letting the pool report it or hand over the next job."""
    try:
        yield
    except Terminated:
        os._exit(code)


def stop_pool(executor, grace: float = 3.0) -> None:
    """Stop a ``concurrent.futures.ProcessPoolExecutor`` now, without waiting on its workers.

    Pending jobs are cancelled; running workers get SIGTERM, and SIGKILL if they are still alive
    after ``grace`` seconds. Never blocks longer than about ``grace + 0.5`` seconds. A worker
    normally unwinds (and removes its temporary file) within milliseconds; the grace is long so
    that on a loaded machine it still gets to, rather than being killed with the file in place.
    """
    processes = list((getattr(executor, "_processes", None) or {}).values())
    queue = getattr(executor, "_call_queue", None)
    if queue is not None:
        with contextlib.suppress(Exception):
            queue.cancel_join_thread()  # its feeder thread may be blocked on a dead worker's pipe
    with contextlib.suppress(Exception):
        executor.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        with contextlib.suppress(Exception):
            p.terminate()
    deadline = time.monotonic() + grace
    for p in processes:
        with contextlib.suppress(Exception):
            p.join(max(0.0, deadline - time.monotonic()))
    for p in processes:
        with contextlib.suppress(Exception):
            if p.is_alive():
                p.kill()
                p.join(0.5)
