"""The benchmark suite runs end to end at tiny sizes. No timing is asserted: speed lives in
``make bench``; this only checks that every benchmark still runs and reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_benchmark_prints_and_writes_all_six_targets(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json", str(out)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    table = proc.stdout.split("podkit benchmarks, ", 1)[1]
    assert "cores" in table.splitlines()[0]
    for target in ("P1", "P2", "P3", "P4", "P5", "P6"):
        assert any(line.startswith(target + " ") for line in table.splitlines()), f"no {target} row in:\n{table}"
    data = json.loads(out.read_text())
    assert data["machine"]["cores"] >= 1 and data["machine"]["cpu"]
    rows = data["results"]
    assert {r["target"] for r in rows} == {"P1", "P2", "P3", "P4", "P5", "P6"}
    for r in rows:
        assert r["podkit"] > 0 and r["baseline"] > 0 and r["ratio"] > 0
        assert (r["goal"] is None) == ("(info)" in r["measure"])
    assert {g["target"] for g in data["growth"]} >= {"P2", "P3", "P4"}
    assert len([g for g in data["growth"] if g["target"] == "P4"]) == 3


def test_generators_write_only_where_they_are_told(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import synth
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    kit = synth.make_kit(tmp_path / "kit", 9)
    names = sorted(p.stem for p in (kit / "assessments").glob("*.yaml"))
    assert len(names) == 9 and len(set(names)) == 9
    info = synth.make_observations(tmp_path / "obs", 40, project=kit)
    files = sorted((tmp_path / "obs").rglob("*.yaml"))
    assert info["files"] == len(files) == 40
    assert all("SYNTHETIC" in f.read_text(encoding="utf-8").splitlines()[0] for f in files)
    from podkit.kit import Project, load_kit
    from podkit.observations import load_observations

    loaded = load_observations([tmp_path / "obs"], load_kit(Project.find(kit)).assessments)
    assert len(loaded.sources) == 40
