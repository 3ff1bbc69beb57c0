"""Ctrl-C while a process pool works: the parent exits 130 promptly and leaves no process or
temporary file behind (podkit.interrupts, used by the PDF pool)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

POOL_SCRIPT = textwrap.dedent("""
    import concurrent.futures as cf, multiprocessing, sys, time
    from pathlib import Path
    from podkit import interrupts
    from podkit.outputs import atomic_write

    def init():
        interrupts.worker_signals()

    def job(i):
        with interrupts.exit_when_terminated():
            def slow():
                for _ in range(600):
                    time.sleep(0.05)
                    yield b"x" * 1024
            atomic_write(Path(sys.argv[1]) / f"out-{i}.bin", slow())
        return i

    if __name__ == "__main__":
        pool = cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"), initializer=init)
        try:
            with interrupts.sigint_held():
                futures = [pool.submit(job, i) for i in range(6)]
            for f in futures:
                f.result()
        except KeyboardInterrupt:
            interrupts.stop_pool(pool)
            print("interrupted", flush=True)
            sys.exit(130)
""")


def _gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def test_ctrl_c_stops_the_pool_and_leaves_nothing(tmp_path):
    script = tmp_path / "pool.py"
    script.write_text(POOL_SCRIPT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, str(script), str(out)], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        for _ in range(200):  # until both workers are writing
            if len([n for n in os.listdir(out) if n.endswith(".tmp")]) >= 2:
                break
            time.sleep(0.1)
        assert len(os.listdir(out)) >= 2
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        code = proc.wait(timeout=10)  # a bound, not a timing assertion
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert code == 130
    assert proc.stdout.read().strip() == "interrupted"
    for _ in range(50):
        if _gone(proc.pid):
            break
        time.sleep(0.1)
    assert _gone(proc.pid), "a worker outlived the interrupted parent"
    assert os.listdir(out) == [], "temporary files left behind"
