"""Scale generators for the benchmarks: synthetic kits and observation sets, written to a folder.

Everything here is SYNTHETIC and deterministic (seeded): invented pods, invented sessions,
invented evidence notes. Nothing is written into the repository; callers pass a temporary folder.

    python benchmarks/synth.py kit OUT --assessments 25
    python benchmarks/synth.py observations OUT --files 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "generator") not in sys.path:  # runs without an installed podkit too
    sys.path.insert(0, str(ROOT / "generator"))

#: What a kit copy needs besides its assessments (mkdocs.yml names themes/default/site).
KIT_PARTS = ("content", "themes", "mkdocs.yml", "examples/observations")

SEED = 20261124
LABEL = "SYNTHETIC BENCHMARK DATA: invented by benchmarks/synth.py; no real pod was observed."

_WORDS = (
    "the pod agreed owner named board card blocked waited review asked question handed next step "
    "goal shared checked demo signal metric decision risk raised dropped picked follow-up time box "
    "quiet voices spoke twice summary written link ticket customer slice test merged deploy flag "
    "rollback alert noticed adjusted plan limit queue aged item escalated paired split story"
).split()


# --------------------------------------------------------------------------- kits


def make_kit(out: Path, n_assessments: int, *, source: Path = ROOT) -> Path:
    """Copy the shipped kit into ``out`` and grow (or shrink) it to ``n_assessments``.

    Extra assessments are copies of the shipped ones under new ids and titles, so every page,
    toolkit and sheet is as rich as the real ones.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for part in KIT_PARTS:
        src = source / part
        if src.is_dir():
            shutil.copytree(src, out / part, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        elif src.is_file():
            (out / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, out / part)
    # the assessments the sample observations use come first, so that small kits still score them
    used = set(re.findall(r"(?m)^assessment:\s*(\S+)", "".join(p.read_text(encoding="utf-8") for p in (source / "examples").rglob("*.yaml"))))
    used |= set(re.findall(r"(?m)^([a-z0-9-]+),", "".join(p.read_text(encoding="utf-8") for p in (source / "examples").rglob("*.csv"))))
    originals = sorted((source / "assessments").glob("*.yaml"), key=lambda p: (p.stem not in used, p.name))
    if n_assessments < len(used & {p.stem for p in originals}):
        raise ValueError(f"a kit needs at least {len(used)} assessments: the sample observations use {', '.join(sorted(used))}")
    adir = out / "assessments"
    adir.mkdir(exist_ok=True)
    for i in range(n_assessments):
        src = originals[i % len(originals)]
        text = src.read_text(encoding="utf-8")
        if i < len(originals):
            (adir / src.name).write_text(text, encoding="utf-8")
            continue
        copy = i // len(originals) + 1
        old_id = re.search(r"(?m)^id:\s*(\S+)", text).group(1)
        new_id = f"{old_id}-copy-{copy}"
        text = re.sub(r"(?m)^id:\s*\S+", f"id: {new_id}", text, count=1)
        text = re.sub(r"(?m)^title:\s*(.+)$", lambda m: f"title: {_retitle(m.group(1), copy)}", text, count=1)
        (adir / f"{new_id}.yaml").write_text(text, encoding="utf-8")
    return out


def _retitle(title: str, copy: int) -> str:
    title = title.strip()
    if title[:1] in "\"'":
        return title[0] + title[1:-1] + f" (copy {copy})" + title[0]
    return f"{title} (copy {copy})"


# --------------------------------------------------------------------------- observations


def _note(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(6, 18))
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _answer(rng: random.Random, a, it, level: int, duration: int) -> dict:
    from podkit.model import AnchoredItem, CheckItem, CountItem
    from podkit.scoring import threshold_level

    if isinstance(it, AnchoredItem):
        return {"level": level}
    if isinstance(it, CheckItem):
        passed = level >= 2
        return {"check": passed if it.pass_when == "yes" else not passed}
    if isinstance(it, CountItem) and it.denominator:
        out_of = rng.randint(3, 9)
        return {"count": rng.randint(0, out_of), "out_of": out_of}
    if isinstance(it, CountItem):
        top = max(it.thresholds.values()) * 1.3 + 2
        for _ in range(20):
            v = round(rng.uniform(0, top))
            if threshold_level(it, v) == level:
                return {"count": v}
        return {"count": round(rng.uniform(0, top))}
    n = math.ceil(duration / it.interval_minutes)
    codes = [c.id for c in it.codes]
    return {"intervals": [sorted(set(rng.sample(codes, rng.randint(0, min(2, len(codes))))), key=codes.index) for _ in range(n)]}


def _yaml_file(rec: dict) -> str:
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731
    out = [
        f"# {LABEL}",
        f"assessment: {rec['assessment']}",
        f"assessment_version: {rec['version']}",
        f"pod: {rec['pod']}",
        f"date: {rec['date'].isoformat()}",
        "session:",
        f"  type: {rec['type']}",
        f"  duration_minutes: {rec['duration']}",
        f"observers: [{', '.join(rec['observers'])}]",
        f"notes: {q(rec['notes'])}",
        "responses:",
    ]
    for item_id, per in rec["responses"].items():
        out.append(f"  {item_id}:")
        for ob, r in per.items():
            out.append(f"    {ob}:")
            for key, value in r.items():
                if key == "intervals":
                    value = "[" + ", ".join("[" + ", ".join(iv) + "]" for iv in value) + "]"
                elif key == "evidence":
                    value = q(value)
                elif isinstance(value, bool):
                    value = "yes" if value else "no"
                out.append(f"      {key}: {value}")
    return "\n".join(out) + "\n"


def make_observations(out: Path, n_files: int, *, project: Path = ROOT, sessions_per_pod: int = 25, seed: int = SEED) -> dict:
    """Write ``n_files`` observation files for the kit in ``project`` into ``out``.

    Pods are observed with every assessment of the kit every two weeks (``sessions_per_pod``
    sessions per pod and assessment, so each report has the same size at any scale); one session
    in five has a second observer, one in twenty is recorded as one file per observer, and one
    response in twenty is "not observed". Returns a summary (files, pods, reports, as_of).
    """
    from podkit.kit import Project, load_kit

    kit = load_kit(Project.find(project))
    rng = random.Random(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    start = dt.date(2025, 1, 6)
    written = 0
    pods = 0
    reports = set()
    last_date = start
    plans = [(a, {it.id: rng.uniform(-0.6, 0.6) for it in a.items}) for a in kit.assessments]
    while written < n_files:
        pods += 1
        pod = f"pod-{pods:05d}"
        trend = rng.uniform(-1.2, 1.2)
        base = rng.uniform(0.8, 2.2)
        folder = out / pod
        folder.mkdir(exist_ok=True)
        for ai, (a, offsets) in enumerate(plans):
            for s in range(sessions_per_pod):
                if written >= n_files:
                    break
                date = start + dt.timedelta(days=14 * s + ai)
                last_date = max(last_date, date)
                observers = ["obs-a", "obs-b"] if rng.random() < 0.2 else ["obs-a"]
                quality = base + trend * s / max(1, sessions_per_pod - 1)
                responses: dict[str, dict[str, dict]] = {}
                for it in a.items:
                    level = max(0, min(a.max_level, round(quality + offsets[it.id] + rng.gauss(0, 0.4))))
                    per = {}
                    for j, ob in enumerate(observers):
                        if rng.random() < 0.05:
                            per[ob] = {"not_observed": True, "evidence": ""}
                            continue
                        lv = level if j == 0 else max(0, min(a.max_level, level + rng.choice((-1, 0, 0, 0, 1))))
                        per[ob] = {**_answer(rng, a, it, lv, a.setting.duration_minutes), "evidence": _note(rng)}
                    responses[it.id] = per
                rec = {
                    "assessment": a.id, "version": a.version, "pod": pod, "date": date,
                    "type": a.setting.sessions[s % len(a.setting.sessions)], "duration": a.setting.duration_minutes,
                    "observers": observers, "notes": _note(rng), "responses": responses,
                }
                name = f"{date.isoformat()}--{a.id}"
                split = len(observers) > 1 and rng.random() < 0.25 and written + 2 <= n_files
                if split:  # the same session recorded by each observer in a file of their own
                    for ob in observers:
                        part = dict(rec, observers=[ob], notes="" if ob != observers[0] else rec["notes"],
                                    responses={k: {ob: v[ob]} for k, v in responses.items()})
                        (folder / f"{name}--{ob}.yaml").write_text(_yaml_file(part), encoding="utf-8")
                        written += 1
                else:
                    (folder / f"{name}.yaml").write_text(_yaml_file(rec), encoding="utf-8")
                    written += 1
                reports.add((pod, a.id))
    return {"files": written, "pods": pods, "reports": len(reports), "as_of": last_date.isoformat()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    k = sub.add_parser("kit", help="copy the shipped kit with N assessments")
    k.add_argument("out", type=Path)
    k.add_argument("--assessments", type=int, default=25)
    o = sub.add_parser("observations", help="write N observation files for the shipped kit")
    o.add_argument("out", type=Path)
    o.add_argument("--files", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.what == "kit":
        print(make_kit(args.out, args.assessments))
    else:
        print(json.dumps(make_observations(args.out, args.files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
