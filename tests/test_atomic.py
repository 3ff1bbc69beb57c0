"""Nothing lost: builds, reports and PDFs killed at any moment leave whole files; inputs never change.

A real ``python -m podkit`` process is killed with SIGKILL (it and the PDF workers it started, one
process group) at random moments. Afterwards ``site/`` must still be a complete build, identical
to the one before, and the next build must succeed and clear what the killed one left behind.
The random moments come from a seed printed with every failure (``PODKIT_KILL_SEED`` repeats a run).
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import KITS, podkit_cmd, run_podkit, tree_digest
from podkit.cli import main

SEED = int(os.environ.get("PODKIT_KILL_SEED") or random.SystemRandom().randrange(1 << 30))
#: What a build writes into a kit (everything else in it is input).
OUTPUTS = ("site", ".podkit", "schemas", "build")


def inputs_of(kit: Path) -> dict[str, str]:
    return tree_digest(kit, skip_top=OUTPUTS, skip_hidden_leftovers=True)


def run(*args, timeout: float = 300) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    proc = run_podkit(*args, timeout=timeout)
    return proc, time.monotonic() - start


def kill_after(args, delay: float) -> int | None:
    """Start podkit, SIGKILL it (and its workers) after ``delay`` seconds; its exit code if it
    finished first, else ``None``."""
    proc = subprocess.Popen(podkit_cmd(*args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=delay)
        return proc.returncode
    except subprocess.TimeoutExpired:
        pass
    os.kill(proc.pid, signal.SIGKILL)  # the command itself first, as a crash would
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # then PDF workers it started, if any
    except ProcessLookupError:
        pass
    proc.wait()
    return None


def _kills_keep_the_previous_site(kit: Path, args: list, kills: int, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    first, _ = run(*args)
    assert first.returncode == 0, first.stderr
    second, duration = run(*args)  # timed as the killed builds run (with --no-cache: a full build)
    assert second.returncode == 0, second.stderr
    site = kit / "site"
    baseline = tree_digest(site)
    index = (site / "index.html").read_bytes()
    inputs = inputs_of(kit)
    finished = 0
    for i in range(kills):
        delay = rng.uniform(0.1, max(0.2, duration))
        code = kill_after(args, delay)
        where = f"kill {i + 1} after {delay:.2f} s (PODKIT_KILL_SEED={SEED})"
        finished += code is not None
        assert code in (None, 0), where
        assert (site / "index.html").read_bytes() == index, where
        assert tree_digest(site) == baseline, f"{where}: site/ is not the complete previous build"
        assert inputs_of(kit) == inputs, f"{where}: an input file changed"
    again, _ = run(*args)
    assert again.returncode == 0, again.stderr
    assert tree_digest(site) == baseline
    assert not list(kit.glob(".site-*")) and not list(kit.glob(".site.podkit-*")), "a killed build's scratch folder was not cleared"
    assert inputs_of(kit) == inputs
    assert finished < kills, "every build finished before its kill: the kills tested nothing"


def test_build_killed_at_random_moments_keeps_the_previous_site(kit_copy, tmp_path):
    kit = kit_copy("sample")
    _kills_keep_the_previous_site(kit, ["build", "--no-cache", "--no-pdf", "-q", "-p", kit], 10, tmp_path)


@pytest.mark.slow
def test_build_with_pdfs_killed_at_random_moments_keeps_the_previous_site(kit_copy, tmp_path):
    kit = kit_copy("sample")
    _kills_keep_the_previous_site(kit, ["build", "--no-cache", "--paper", "a4", "-j", "2", "-q", "-p", kit], 5, tmp_path)
    assert len(list((kit / "site" / "downloads").glob("*.pdf"))) == 6


def test_score_killed_at_random_moments_leaves_whole_reports(kit_copy, tmp_path):
    """Reports are written one by one, each atomically: a report is the old one or absent."""
    kit = kit_copy("scoring")
    obs = [kit / "observations", kit / "observations-team"]
    out = tmp_path / "reports"
    args = ["score", *obs, "-p", kit, "-o", out, "-f", "html,md,json,pdf", "--as-of", "2026-06-01", "-q"]
    first, duration = run(*args)
    assert first.returncode == 0, first.stderr
    baseline = {p.name: p.read_bytes() for p in out.iterdir()}
    assert len(baseline) >= 8
    inputs = inputs_of(kit)
    rng = random.Random(SEED + 1)
    for i in range(6):
        fresh = i % 2 == 1  # half the runs start from nothing, half overwrite the earlier reports
        shutil.rmtree(out, ignore_errors=True)
        if not fresh:
            out.mkdir()
            for name, data in baseline.items():
                (out / name).write_bytes(data)
        delay = rng.uniform(0.1, max(0.2, duration))
        kill_after(args, delay)
        where = f"kill {i + 1} after {delay:.2f} s (PODKIT_KILL_SEED={SEED})"
        for p in out.iterdir() if out.exists() else []:
            if p.name.startswith("."):
                # podkit's output marker, or a temporary file of the killed process, hidden
                assert p.name == ".podkit-output" or p.name.endswith(".tmp"), where
                continue
            assert p.read_bytes() == baseline[p.name], f"{where}: {p.name} is partial or different"
        if not fresh:
            assert {p.name for p in out.iterdir() if not p.name.startswith(".")} == {n for n in baseline if not n.startswith(".")}, where
    again, _ = run(*args)
    assert again.returncode == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == baseline
    assert inputs_of(kit) == inputs


def test_print_killed_at_random_moments_leaves_whole_pdfs(kit_copy, tmp_path):
    kit = kit_copy("scoring")
    out = tmp_path / "pdf"
    args = ["print", "-p", kit, "-o", out, "--only", "sheet", "--paper", "both", "-j", "1", "-q"]
    first, duration = run(*args)
    assert first.returncode == 0, first.stderr
    baseline = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    assert len(baseline) == 2
    rng = random.Random(SEED + 2)
    for i in range(5):
        if i % 2:
            shutil.rmtree(out)
        delay = rng.uniform(0.1, max(0.2, duration))
        kill_after(args, delay)
        for p in out.glob("*.pdf") if out.exists() else []:
            assert p.read_bytes() == baseline[p.name], f"{p.name} partial after a kill at {delay:.2f} s (PODKIT_KILL_SEED={SEED})"


# --------------------------------------------------------------------------- failed writes


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_failed_report_write_leaves_the_old_file_and_no_temporary(kit_copy, tmp_path, monkeypatch):
    kit = kit_copy("scoring")
    out = tmp_path / "reports"
    runner = CliRunner()
    args = ["score", str(kit / "observations"), "-p", str(kit), "-o", str(out), "-f", "json", "--as-of", "2026-06-01", "-q"]
    assert runner.invoke(main, args).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(os, "fsync", _disk_full)
    result = runner.invoke(main, args)
    assert result.exit_code == 1, result.output  # the disk, not a bug: exit 1, file named
    assert "cannot write the file: No space left on device" in result.output and ".json" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_new_observation_never_leaves_a_part(kit_copy, tmp_path, monkeypatch):
    kit = kit_copy("scoring")
    target = tmp_path / "obs" / "new.yaml"
    args = ["new-observation", "worked-example", "--pod", "pod-a", "--date", "2026-03-02", "-p", str(kit), "-o", str(target)]
    monkeypatch.setattr(os, "fsync", _disk_full)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "new.yaml: cannot write the file" in result.output, result.output
    assert not target.exists() and list(target.parent.iterdir()) == []
    monkeypatch.undo()
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    written = target.read_bytes()
    assert [p.name for p in target.parent.iterdir()] == ["new.yaml"]  # no temporary file beside it
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "already exists" in result.output
    assert target.read_bytes() == written


# --------------------------------------------------------------------------- inputs are read-only


def test_no_command_modifies_an_input(kit_copy, tmp_path):
    """Every command that reads the kit leaves its inputs byte for byte (and their times) alone."""
    kit = kit_copy("scoring")
    shutil.copytree(KITS / "minimal" / "content", kit / "content")
    shutil.copyfile(KITS / "minimal" / "mkdocs.yml", kit / "mkdocs.yml")
    csv = kit / "observations" / "extra.csv"
    csv.write_text("\ufeffassessment,assessment_version,pod,date,session_type,duration_minutes,observer,item,level\r\n"
                   "worked-example,1.0.0,pod-csv,2026-03-02,stand-up,15,obs-a,done-demonstrated,2\r\n", encoding="utf-8")
    inputs = inputs_of(kit)
    stamps = {p: p.stat().st_mtime_ns for p in kit.rglob("*") if p.is_file()}
    runner = CliRunner()
    for args in (
        ["validate", "-p", kit],
        ["lint", "-p", kit],
        ["build", "--no-pdf", "-q", "-p", kit],
        ["print", "-p", kit, "-o", tmp_path / "pdf", "--only", "sheet", "--paper", "a4", "-j", "1", "-q"],
        ["score", kit / "observations", "-p", kit, "-o", tmp_path / "r", "-f", "html,json,md", "--as-of", "2026-06-01", "-q"],
        ["new-observation", "worked-example", "--pod", "pod-a", "-p", kit, "-o", tmp_path / "new.yaml", "-q"],
    ):
        result = runner.invoke(main, [str(a) for a in args])
        assert result.exit_code == 0, (args[0], result.output)
        assert inputs_of(kit) == inputs, f"{args[0]} changed an input"
    for p, stamp in stamps.items():
        assert p.stat().st_mtime_ns == stamp, f"{p} was rewritten"


def test_swap_without_renameat2_recovers_from_a_kill_between_the_renames(tmp_path, monkeypatch):
    """Where renameat2 is missing the swap takes two renames; a kill between them leaves the
    previous build aside, and the next build puts it back before anything else."""
    from podkit import outputs

    target = tmp_path / "site"
    outputs.mark_output_dir(target)
    (target / "index.html").write_text("previous build")
    new = outputs.scratch_dir_for(target)
    (new / "index.html").write_text("new build")
    monkeypatch.setattr(outputs, "_renameat2_exchange", lambda a, b: False)
    real_rename = os.rename
    calls = []

    class Killed(BaseException):
        pass

    def rename_then_die(src, dst):
        calls.append((src, dst))
        real_rename(src, dst)
        if len(calls) == 1:
            raise Killed  # the process dies right after moving the old build aside

    monkeypatch.setattr(outputs.os, "rename", rename_then_die)
    with pytest.raises(Killed):
        outputs.swap_dir(new, target)
    monkeypatch.setattr(outputs.os, "rename", real_rename)
    assert not target.exists()
    (aside,) = tmp_path.glob(".site.podkit-*.old")
    aside.rename(tmp_path / ".site.podkit-999999999-x.old")  # as if its process were gone
    (unused,) = tmp_path.glob(".site.podkit-*.new")
    unused.rename(tmp_path / ".site.podkit-999999999-y.new")
    with_renameat2 = outputs.scratch_dir_for(target)  # puts the previous build back first
    assert (target / "index.html").read_text() == "previous build"
    assert not list(tmp_path.glob("*.old"))
    (with_renameat2 / "index.html").write_text("new build")
    monkeypatch.undo()
    outputs.swap_dir(with_renameat2, target)
    assert (target / "index.html").read_text() == "new build"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_report_never_overwrites_an_input(kit_copy, tmp_path):
    """A filled sheet kept in the reports folder under a report's name is an input: refused."""
    kit = kit_copy("scoring")
    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copyfile(kit / "observations" / "s1.yaml", folder / "s1.yaml")
    sheet = folder / "pod-demo--worked-example.pdf"
    sheet.write_bytes(b"%PDF-1.7\n% stands for a filled sheet someone named like its report\n")
    before = sheet.read_bytes()
    result = CliRunner().invoke(main, ["score", str(folder), "-p", str(kit), "-o", str(folder), "-f", "pdf,json", "--as-of", "2026-06-01"])
    assert result.exit_code == 1, result.output
    assert "is an input folder" in result.output
    assert sheet.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["pod-demo--worked-example.pdf", "s1.yaml"]
