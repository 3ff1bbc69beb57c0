#!/usr/bin/env python3
"""podkit benchmarks: P1–P6 as ratios measured in one run on one machine, plus how they grow.

    python benchmarks/run.py                 # the full suite (several minutes)
    python benchmarks/run.py --quick         # tiny sizes: checks that everything runs
    python benchmarks/run.py --json out.json --only P4,P5 --repeat 3

Absolute seconds are noise on a shared machine; each target compares podkit with a baseline run
right next to it (interleaved when repeated, medians reported). Everything is generated into a
temporary folder (synthetic kits and observation files from benchmarks/synth.py), never into the
repository. What each figure measures is printed with it and described in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "generator"))

import synth  # noqa: E402

PY = sys.executable
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT / "generator")}
ENV.pop("PODKIT_NO_CACHE", None)
TARGETS = {"P1": 0.65, "P2": 0.15, "P3": 1.2, "P4": 2.5, "P5": 0.75, "P6": 1.5}
AS_OF = "2025-12-31"


# --------------------------------------------------------------------------- helpers


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"cores": cores, "cpu": model or "unknown", "python": platform.python_version(), "platform": platform.platform(), "load_1min": load}


def run(cmd: list, *, cwd=None, env=None, quiet=True) -> float:
    """Wall seconds of a command (which must succeed)."""
    start = time.perf_counter()
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env or ENV, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{proc.stdout}\n{proc.stderr}")
    return took


def py_json(code: str, *args, cwd=None) -> dict:
    """Run Python code in a fresh interpreter; it prints one JSON object as its last line."""
    proc = subprocess.run([PY, "-c", code, *map(str, args)], cwd=cwd, env=ENV, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def shown(x: float, unit: str) -> str:
    """A measured value in the table: seconds, megabytes, or a factor (``x``)."""
    return f"{x:.0f} MB" if unit == "MB" else f"{x:.2f}x" if unit == "x" else fmt_s(x)


def fmt_s(x: float) -> str:
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


class Results:
    def __init__(self):
        self.rows: list[dict] = []
        self.growth: list[dict] = []
        self.notes: list[str] = []

    def row(self, target: str, what: str, podkit: float, baseline: float, baseline_name: str, *, goal: float | None | str = "target", unit: str = "s", extra: dict | None = None):
        """One line of the table; ``goal=None`` marks a line shown for information only."""
        ratio = podkit / baseline if baseline else float("inf")
        goal = TARGETS.get(target) if goal == "target" else goal
        self.rows.append({"target": target, "measure": what, "podkit": podkit, "baseline": baseline, "baseline_name": baseline_name,
                          "ratio": ratio, "goal": goal, "met": goal is None or ratio <= goal, "unit": unit, **(extra or {})})
        print(f"  {target}: {what}: {shown(podkit, unit)} vs {baseline_name} {shown(baseline, unit)} -> {ratio:.2f}x", flush=True)

    def grow(self, target: str, size: str, **values):
        self.growth.append({"target": target, "size": size, **values})
        shown = ", ".join(f"{k} {fmt_s(v) if isinstance(v, float) and k.endswith('_s') else v}" for k, v in values.items())
        print(f"  {target} at {size}: {shown}", flush=True)


# --------------------------------------------------------------------------- P1 PDFs


def export_jobs(kit: Path, out: Path, papers: list[str], only: list[str] | None) -> list[dict]:
    """Write the print HTML and CSS podkit renders (its plan, not its PDFs) for the baselines.

    ``podkit:`` resource URLs become file URLs of the same files, so the baselines fetch what
    podkit fetches.
    """
    import html as html_mod

    from podkit import pdf, printing
    from podkit.kit import Project, load_kit

    k = load_kit(Project.find(kit))
    ctx = printing.make_context(k.project)
    resources = ctx.resources()
    jobs = printing.plan_jobs(ctx, k, papers, only=only)

    def files(text: str) -> str:
        def repl(m):
            path = pdf.resolve_resource(html_mod.unescape(m.group(0)), resources)
            return path.as_uri() if path is not None else m.group(0)
        return pdf.RESOURCE_URL.sub(repl, text)

    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for j in jobs:
        stem = out / j.name[:-4]
        stem.with_suffix(".html").write_text(files(j.html), encoding="utf-8")
        stem.with_suffix(".css").write_text(files(j.css), encoding="utf-8")
        manifest.append({"html": str(stem.with_suffix(".html")), "css": str(stem.with_suffix(".css")), "pdf": str(stem.with_suffix(".pdf")), "forms": j.forms})
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


def bench_p1(res: Results, work: Path, kit: Path, *, quick: bool, repeat: int, jobs: int = 2) -> None:
    print("P1: PDF stage", flush=True)
    papers, only = (["a4"], ["alignment"]) if quick else (["a4", "letter"], None)
    manifest = export_jobs(kit, work / "p1-html", papers, only)
    weasy = Path(PY).parent / "weasyprint"
    paper = "a4" if quick else "both"
    api, pk, pk1 = [], [], []
    for _ in range(repeat):
        api.append(run([PY, HERE / "weasy_api.py", work / "p1-html" / "manifest.json"]))
        pk.append(run([PY, "-m", "podkit", "print", *(only or []), "-q", "-p", kit, "-o", work / "p1-out", "--paper", paper, "-j", jobs, "--no-cache"]))
    if not quick:
        pk1.append(run([PY, "-m", "podkit", "print", "-q", "-p", kit, "-o", work / "p1-out1", "--paper", paper, "-j", 1, "--no-cache"]))
    cli = 0.0
    for job in manifest:
        args = ["-s", job["css"], "--custom-metadata"] + (["--pdf-forms"] if job["forms"] else ["--pdf-variant", "pdf/ua-1", "--pdf-tags"])
        cli += run([weasy, *args, "-q", job["html"], job["pdf"] + ".cli.pdf"])
    extra = {"pdfs": len(manifest), "jobs": jobs, "weasyprint_cli_s": cli, "ratio_vs_cli": median(pk) / cli}
    if pk1:
        extra["podkit_j1_s"] = pk1[0]
    res.row("P1", f"PDF stage, {len(manifest)} PDFs, -j {jobs}", median(pk), median(api), "WeasyPrint API, 1 process", extra=extra)
    res.row("P1", f"PDF stage, {len(manifest)} PDFs, -j {jobs} (info)", median(pk), cli, "weasyprint CLI once per file", goal=None)
    if pk1:
        res.row("P1", f"PDF stage, {len(manifest)} PDFs, -j 1 (info)", pk1[0], median(api), "WeasyPrint API, 1 process", goal=None)


# --------------------------------------------------------------------------- P2 incremental builds


def bench_p2(res: Results, work: Path, kit: Path, *, quick: bool, repeat: int, growth_sizes: list[int]) -> None:
    print("P2: rebuild with no change vs clean build", flush=True)
    paper = ["--paper", "a4"] if quick else []
    build = [PY, "-m", "podkit", "build", "-q", "-p", kit, *paper]
    for d in (kit / ".podkit", kit / "site"):
        shutil.rmtree(d, ignore_errors=True)
    clean = run(build)
    rebuild = median([run(build) for _ in range(max(3, repeat))])
    res.row("P2", "podkit build, no change" + (" (A4 only)" if quick else ""), rebuild, clean, "clean build")
    for n in growth_sizes:
        k = synth.make_kit(work / f"p2-kit-{n}", n)
        b = [PY, "-m", "podkit", "build", "-q", "-p", k, "--no-pdf"]
        c = run(b)
        r = median([run(b) for _ in range(max(2, repeat))])
        res.grow("P2", f"{n} assessments (site only, --no-pdf)", clean_s=c, rebuild_s=r, ratio=round(r / c, 3))


# --------------------------------------------------------------------------- P3 site stage

_SITE_STAGE = r"""
import json, sys, time
from pathlib import Path
from podkit.kit import Project, load_kit
from podkit.pipeline import sample_reports
from podkit.site import build_site
kit = load_kit(Project.find(sys.argv[1]))
extras = sample_reports(kit)
start = time.perf_counter()
build_site(kit, site_dir=Path(sys.argv[2]), extras=extras, cache=False)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""

_PLAIN_CONFIG = r"""
import sys, yaml
from pathlib import Path
from podkit.engine import expand_nav
kit = Path(sys.argv[1])
cfg = yaml.safe_load((kit / "mkdocs.yml").read_text(encoding="utf-8"))
cfg["nav"] = expand_nav(cfg["nav"], kit / ".podkit" / "stage")
(kit / "mkdocs.bench.yml").write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True), encoding="utf-8")
print("{}")
"""


def bench_p3(res: Results, work: Path, *, sizes: list[int], repeat: int) -> None:
    print("P3: site stage vs plain mkdocs build of the same staged pages", flush=True)
    for i, n in enumerate(sizes):
        kit = synth.make_kit(work / f"p3-kit-{n}", n)
        podkit_s = [py_json(_SITE_STAGE, kit, work / f"p3-site-{n}")["seconds"]]  # stages the pages
        py_json(_PLAIN_CONFIG, kit)
        plain = [PY, "-m", "mkdocs", "build", "-q", "--strict", "-f", kit / "mkdocs.bench.yml", "-d", work / f"p3-plain-{n}"]
        plain_s = [run(plain, cwd=kit)]
        for _ in range(repeat - 1):
            podkit_s.append(py_json(_SITE_STAGE, kit, work / f"p3-site-{n}")["seconds"])
            plain_s.append(run(plain, cwd=kit))
        p, b = median(podkit_s), median(plain_s)
        if i == 0:
            res.row("P3", f"site stage, {n} assessments", p, b, "plain mkdocs build")
        res.grow("P3", f"{n} assessments", podkit_s=p, mkdocs_s=b, ratio=round(p / b, 3))


# --------------------------------------------------------------------------- P4 scoring

_PARSE = r"""
import json, sys, time
from pathlib import Path
import yaml
files = sorted(p for p in Path(sys.argv[1]).rglob("*") if p.suffix in (".yaml", ".yml"))
start = time.perf_counter()
for p in files:
    with open(p, encoding="utf-8") as fh:
        yaml.load(fh.read(), Loader=yaml.CSafeLoader)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def _tree_pss_mb(pid: int) -> float | None:
    """Proportional set size of a process and its descendants (Linux), in MB."""
    try:
        children: dict[int, list[int]] = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    stat = Path(f"/proc/{d}/stat").read_text()
                except OSError:
                    continue
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
        total, todo = 0, [pid]
        while todo:
            p = todo.pop()
            todo += children.get(p, [])
            try:
                for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
            except OSError:
                pass
        return total / 1024
    except OSError:
        return None


def children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far (and of theirs)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_sampled(cmd: list) -> tuple[float, float | None]:
    """Run a command; its wall time and the peak memory (PSS) of its process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    while proc.poll() is None:
        pss = _tree_pss_mb(proc.pid)
        if pss:
            peak = max(peak, pss)
        time.sleep(0.05)
    took = time.perf_counter() - start
    err = proc.stderr.read()
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{err}")
    return took, peak or None


def bench_p4(res: Results, work: Path, *, sizes: list[int], repeat: int) -> None:
    """The whole ``podkit score -f json`` command against parsing the same files with PyYAML's
    C loader in one process (the floor for anything that reads them)."""
    print("P4: podkit score -f json, the whole command, vs parsing the files with the C YAML loader", flush=True)
    times: dict[int, float] = {}
    parses: dict[int, float] = {}
    for n in sizes:
        obs = work / f"p4-obs-{n}"
        info = synth.make_observations(obs, n)
        big = n == sizes[-1]
        reps = 2 if big else repeat  # the largest size twice (its single runs varied by 15% on a shared machine)
        parse, score, peaks, parse_cpu, score_cpu = [], [], [], [], []
        for _ in range(reps):
            before = children_cpu()
            parse.append(py_json(_PARSE, obs)["seconds"])
            parse_cpu.append(children_cpu() - before)  # the whole interpreter, start-up included
            out = work / f"p4-reports-{n}"
            shutil.rmtree(out, ignore_errors=True)
            before = children_cpu()
            took, peak = run_sampled([PY, "-m", "podkit", "score", "-q", "-p", ROOT, "-f", "json", "-o", out, "--as-of", AS_OF, obs])
            score_cpu.append(children_cpu() - before)  # every worker process included
            score.append(took)
            peaks.append(peak or 0.0)
        p, s = median(parse), median(score)
        pc, sc = median(parse_cpu), median(score_cpu)
        times[n], parses[n] = s, p
        res.grow("P4", f"{n:,} files ({info['reports']} reports)", score_s=s, parse_s=p, ratio=round(s / p, 3), peak_pss_mb=round(max(peaks), 1),
                 score_cpu_s=sc, parse_cpu_s=pc, cpu_ratio=round(sc / pc, 3))
        if n == sizes[1]:
            res.row("P4", f"podkit score -f json, {n:,} files, whole command", s, p, "CSafeLoader parse", goal=TARGETS["P4"])
            res.row("P4", "the same, CPU seconds of all processes (info)", sc, pc, "CSafeLoader parse, CPU", goal=None)
        if big:
            # Growth is judged against the parse's own growth in the same run: reading ten times the
            # files from the file system does not take exactly ten times as long even for the C
            # loader, and that is no part of podkit's scaling.
            growth, parse_growth = s / times[sizes[1]], p / parses[sizes[1]]
            res.row("P4", f"score {n:,} files: time vs {sizes[1]:,} files, growth (info)", s, times[sizes[1]], f"{sizes[1]:,} files", goal=None)
            res.row("P4", f"score: growth to {n:,} files vs the parse's growth", growth, parse_growth, "CSafeLoader parse growth", goal=1.1, unit="x")
            res.row("P4", f"score {n:,} files: peak memory (PSS, all processes)", max(peaks), 250.0, "250 MB", goal=1.0, unit="MB")


# --------------------------------------------------------------------------- P5 start-up


def bench_p5(res: Results, *, reps: int) -> None:
    """``podkit --help`` against ``mkdocs --help``: two Click programs of the same stack."""
    print("P5: podkit --help vs mkdocs --help", flush=True)
    bindir = Path(PY).parent
    podkit = [bindir / "podkit", "--help"] if (bindir / "podkit").exists() else [PY, "-m", "podkit", "--help"]
    mkdocs = [bindir / "mkdocs", "--help"] if (bindir / "mkdocs").exists() else [PY, "-m", "mkdocs", "--help"]
    run(podkit)
    run(mkdocs)
    a, b = [], []
    for _ in range(reps):
        a.append(run(mkdocs))
        b.append(run(podkit))
    res.row("P5", "podkit --help (median of %d)" % reps, median(b), median(a), "mkdocs --help", goal=TARGETS["P5"])


# --------------------------------------------------------------------------- P6 live preview

_STAGE = r"""
import json, sys
from pathlib import Path
import yaml
from podkit.engine import expand_nav
from podkit.kit import Project, load_kit
from podkit.pipeline import sample_reports
from podkit.site import stage_pages
kit = load_kit(Project.find(sys.argv[1]))
stage = stage_pages(kit, sample_reports(kit))
cfg = yaml.safe_load((kit.project.mkdocs_yml).read_text(encoding="utf-8"))
cfg["nav"] = expand_nav(cfg["nav"], stage)
cfg["docs_dir"] = str(stage)
Path(sys.argv[2]).write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True), encoding="utf-8")
print("{}")
"""


def _get(url: str) -> str | None:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def bench_p6(res: Results, work: Path, *, repeat: int) -> None:
    """Edit one assessment under ``podkit serve`` and time until the rebuilt page is served,
    against a plain ``mkdocs build`` of the same staged pages."""
    import socket

    print("P6: live preview after an edit vs plain mkdocs build of the staged pages", flush=True)
    kit = synth.make_kit(work / "p6-kit", 7)
    config = kit / "mkdocs.p6.yml"  # beside mkdocs.yml: its relative paths (custom_dir) still hold
    py_json(_STAGE, kit, config)
    plain = [PY, "-m", "mkdocs", "build", "-q", "-f", config, "-d", work / "p6-plain"]
    plain_s = [run(plain, cwd=kit) for _ in range(repeat)]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([PY, "-m", "podkit", "serve", "-p", kit, "--port", str(port), "--no-pdf"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    target = kit / "assessments" / "alignment.yaml"
    page = f"http://127.0.0.1:{port}/assessments/alignment/"
    edits = []
    try:
        deadline = time.monotonic() + 120
        while _get(page) is None:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("P6: podkit serve did not come up")
            time.sleep(0.2)
        time.sleep(1.0)  # let the watcher settle after the first build
        edits = _edit_until_served(target, "title: Alignment on outcome, priorities and decisions", "title: {marker}", page, repeat)
        # a content page: the sample reports and recorder pages come from the last rebuild
        page_edits = _edit_until_served(kit / "content" / "faq.md", "\n", "\n\n{marker}\n\n", f"http://127.0.0.1:{port}/faq/", repeat)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    plain_s += [run(plain, cwd=kit) for _ in range(repeat)]  # before and after: the load may have changed
    res.row("P6", "podkit serve: edit an assessment until its page is served", median(edits), median(plain_s), "plain mkdocs build", goal=TARGETS["P6"])
    res.row("P6", "podkit serve: edit a content page (info)", median(page_edits), median(plain_s), "plain mkdocs build", goal=None)


def _edit_until_served(path: Path, old: str, new: str, page: str, repeat: int) -> list[float]:
    """Replace the first ``old`` in ``path`` by ``new`` (with a fresh marker) and time until
    ``page`` shows the marker, ``repeat`` times; the file is restored afterwards."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: {old!r} not found"
    took = []
    try:
        for i in range(repeat):
            marker = f"Preview edit {i} {time.time_ns()}"
            start = time.perf_counter()
            path.write_text(text.replace(old, new.format(marker=marker), 1), encoding="utf-8")
            while marker not in (_get(page) or ""):
                if time.perf_counter() - start > 120:
                    raise SystemExit(f"P6: the edited page {page} was not served within 120 s")
                time.sleep(0.02)
            took.append(time.perf_counter() - start)
            time.sleep(1.0)
    finally:
        path.write_text(text, encoding="utf-8")
        time.sleep(1.5)  # the rebuild the restore starts
    return took


# --------------------------------------------------------------------------- report


def table(res: Results, info: dict) -> str:
    lines = [
        f"podkit benchmarks, {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}: {info['cores']} cores ({info['cpu']}), Python {info['python']}, load {info['load_1min']:.2f} at start",
        "",
        f"{'':4} {'measure':58} {'podkit':>10} {'baseline':>10}  {'':28} {'ratio':>7} {'goal':>7}  met",
    ]
    for r in res.rows:
        unit = r["unit"]
        p, b = shown(r["podkit"], unit), shown(r["baseline"], unit)
        goal = f"≤{r['goal']:.2f}" if r["goal"] is not None else ""
        met = ("yes" if r["met"] else "NO") if r["goal"] is not None else ""
        lines.append(f"{r['target']:4} {r['measure'][:58]:58} {p:>10} {b:>10}  {r['baseline_name'][:28]:28} {r['ratio']:7.2f} {goal:>7}  {met}")
    if res.growth:
        lines += ["", "growth with size:"]
        for g in res.growth:
            vals = ", ".join(f"{k.removesuffix('_s')} {fmt_s(v)}" if k.endswith("_s") else f"{k} {v}" for k, v in g.items() if k not in ("target", "size"))
            lines.append(f"  {g['target']} {g['size']}: {vals}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks that every benchmark runs (figures mean little)")
    parser.add_argument("--only", default="P1,P2,P3,P4,P5,P6", help="comma-separated targets to run (default: all)")
    parser.add_argument("--repeat", type=int, default=None, help="repetitions of the shorter measurements (default 3, quick 1)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    only = {x.strip().upper() for x in args.only.split(",") if x.strip()}
    repeat = args.repeat or (1 if args.quick else 3)
    info = machine()
    res = Results()
    work = Path(tempfile.mkdtemp(prefix="podkit-bench-"))
    print(f"podkit benchmarks in {work} ({info['cores']} cores, {info['cpu']}, Python {info['python']})", flush=True)
    started = time.perf_counter()
    try:
        kit = synth.make_kit(work / "kit", 7)  # the shipped kit: its content pages link to every assessment
        if "P1" in only:
            bench_p1(res, work, kit, quick=args.quick, repeat=1)
        if "P2" in only:
            bench_p2(res, work, kit, quick=args.quick, repeat=repeat, growth_sizes=[7] if args.quick else [7, 25, 50])
        if "P3" in only:
            bench_p3(res, work, sizes=[7, 8] if args.quick else [7, 25, 50], repeat=repeat)
        if "P4" in only:
            bench_p4(res, work, sizes=[60, 150, 600] if args.quick else [1_000, 10_000, 100_000], repeat=repeat)
        if "P5" in only:
            bench_p5(res, reps=10 if args.quick else 40)
        if "P6" in only:
            bench_p6(res, work, repeat=1 if args.quick else 3)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    info["load_1min_end"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    info["seconds"] = round(time.perf_counter() - started, 1)
    print()
    print(table(res, info))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "quick": args.quick, "results": res.rows, "growth": res.growth}, indent=2) + "\n", encoding="utf-8")
    missed = [r["target"] for r in res.rows if not r["met"]]
    if missed:
        print(f"\nmissed: {', '.join(sorted(set(missed)))} (figures on a shared machine vary; see benchmarks/RESULTS.md)")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
