#!/usr/bin/env python3
"""Write the SYNTHETIC sample observations in examples/observations/ (deterministic, seeded).

    .venv/bin/python examples/make_observations.py           # rewrite the files
    .venv/bin/python examples/make_observations.py --check   # exit 1 if the files are stale

Three invented pods observed with two assessments every two weeks: pod-aurora improves,
pod-borealis degrades, pod-cirrus holds steady (recorded in a CSV file, with two observers in
some sessions and one session too thin to score). Levels come from a made-up "true quality" per
pod and session plus noise; counts and interval codes are chosen so that they map to those
levels through the assessment's own thresholds. Where two observers' levels on an anchored item
are flagged as far apart, they record the level they agreed after comparing notes under
``consensus``. Nothing here describes a real team.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "generator"))

from podkit.kit import Project, load_kit  # noqa: E402
from podkit.model import AnchoredItem, CheckItem, CodesItem, CountItem  # noqa: E402
from podkit.scoring import threshold_level  # noqa: E402

SEED = 20260831
OUT = HERE / "observations"
LABEL = "SYNTHETIC SAMPLE DATA: invented by examples/make_observations.py; no real pod was observed."

ASSESSMENTS = {
    # assessment id: (first date, session types in turn, minutes of interval coding)
    "alignment": (dt.date(2026, 8, 31), ["planning", "board-walk"], None),
    "participation-and-voice": (dt.date(2026, 9, 2), ["retrospective", "planning"], 40),
}
SESSIONS = 5
STEP_DAYS = 14

PODS = {
    # pod: (quality at session i of n -> 0..3, sessions with a second observer, format)
    "pod-aurora": (lambda i, n: 0.9 + 1.7 * i / (n - 1), {0}, "yaml"),
    "pod-borealis": (lambda i, n: 2.5 - 1.8 * (i / (n - 1)) ** 1.4, {3}, "yaml"),
    "pod-cirrus": (lambda i, n: 1.9 + 0.25 * math.sin(i * 1.7), {1, 2, 4}, "csv"),
}
#: How much better than observed each pod rates itself in its latest session (the survey gap).
FELT = {"pod-aurora": 0, "pod-borealis": 2}
#: (pod, assessment, session index) observed so briefly that most items stay "not observed".
THIN = {("pod-cirrus", "participation-and-voice", 2)}
#: The pods' weekly self-checks: the first week, how many weeks, and how much more often each pod
#: answers "yes" than its observed quality would suggest (pod-borealis keeps saying yes).
SELF_CHECK_START = dt.date(2026, 9, 7)
SELF_CHECK_WEEKS = 8
SELF_CHECK_OPTIMISM = {"pod-aurora": 0.0, "pod-borealis": 0.35, "pod-cirrus": 0.05}
NEXT_STEPS = [
    ("Write the goal at the top of the board on Monday", "pod"),
    ("Go round everyone once before the next decision", "pod-lead"),
    ("Mark every blocker with a date and a reason", "pod"),
]


def _first_sentence(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    cut = text.split(". ")[0].rstrip(".")
    return cut if len(cut) <= limit else cut[: limit - 1].rsplit(" ", 1)[0] + "…"


def _count_for(rng: random.Random, item: CountItem, level: int) -> float:
    """A plausible number that the item's thresholds map to ``level``."""
    bounds = list(item.thresholds.values())
    integral = all(float(b).is_integer() for b in bounds)
    hi = max(bounds) * 1.4 + 3
    step = 1.0 if integral else 0.1
    candidates = [round(k * step, 1) for k in range(int(hi / step) + 1)]
    fits = [v for v in candidates if threshold_level(item, v) == level]
    if not fits:
        fits = [min(candidates, key=lambda v: abs(threshold_level(item, v) - level))]
    v = rng.choice(fits)
    return int(v) if integral else v


def _ratio_for(rng: random.Random, item: CountItem, level: int) -> tuple[int, int]:
    """``(count, out_of)`` of a ratio item whose share the thresholds map to ``level``."""
    out_of = rng.randint(3, 8)
    fits = [k for k in range(out_of + 1) if threshold_level(item, k / out_of) == level]
    if not fits:
        fits = [min(range(out_of + 1), key=lambda k: abs(threshold_level(item, k / out_of) - level))]
    return rng.choice(fits), out_of


def _rate_for(rng: random.Random, item: CountItem, level: int, duration: int) -> int:
    """A count whose rate per hour the thresholds map to ``level``."""
    hours = duration / 60
    top = int(max(item.thresholds.values()) * hours * 1.5) + 4
    fits = [k for k in range(top + 1) if threshold_level(item, k / hours) == level]
    if not fits:
        fits = [min(range(top + 1), key=lambda k: abs(threshold_level(item, k / hours) - level))]
    return rng.choice(fits)


def _intervals_for(rng: random.Random, item: CodesItem, level: int, n: int) -> list[list[str]]:
    order = [c.id for c in item.codes]
    main = item.score_codes[0]
    others = [c for c in order if c not in item.score_codes and c not in (item.denominator_codes or ())]
    # Intervals that count (all of them, or those with a denominator code) and how many score.
    counted = sorted(rng.sample(range(n), max(1, (n * 2) // 3))) if item.denominator_codes else list(range(n))
    m = len(counted)
    ks = [k for k in range(m + 1) if threshold_level(item, k / m) == level] or [0]
    scored = set(rng.sample(counted, rng.choice(ks)))
    out = []
    for i in range(n):
        codes = [main] if i in scored else []
        if item.denominator_codes and i in counted:
            codes += [c for c in item.denominator_codes if c not in codes]
        if item.rule == "momentary":  # one code a signal: the codes exclude each other
            if not codes:
                codes = [rng.choice(others)] if others else []
        else:
            for c in others:
                if rng.random() < (0.55 if not codes and c == others[0] else 0.12):
                    codes.append(c)
        out.append(sorted(set(codes), key=order.index))
    return out


def _shift(rng: random.Random, level: int, top: int) -> int:
    r = rng.random()
    delta = 0 if r < 0.68 else (1 if r < 0.95 else 2) * rng.choice((-1, 1))
    return max(0, min(top, level + delta))


def _answer(rng, a, item, level: int, duration: int, coded_minutes: int | None) -> tuple[dict, str]:
    if isinstance(item, AnchoredItem):
        return {"level": level}, f"Closest anchor, level {level}: {_first_sentence(item.anchors[level]).rstrip('.…')}."
    if isinstance(item, CheckItem):
        passed = level >= 2
        seen = passed if item.pass_when == "yes" else not passed
        return {"check": seen}, "Seen during the session." if seen else "Not seen during the session."
    if isinstance(item, CountItem) and item.denominator:
        k, of = _ratio_for(rng, item, level)
        return {"count": k, "out_of": of}, f"Counted {k} of {of} {' '.join(item.denominator.split())}."
    if isinstance(item, CountItem) and item.per == "hour":
        k = _rate_for(rng, item, level, duration)
        return {"count": k}, f"Counted {k} {' '.join(item.unit.split())} in {duration} minutes."
    if isinstance(item, CountItem):
        v = _count_for(rng, item, level)
        return {"count": v}, f"Counted {v:g} {' '.join(item.unit.split())}."
    assert isinstance(item, CodesItem)
    n = math.ceil((coded_minutes or duration) / item.interval_minutes)
    ivs = _intervals_for(rng, item, level, n)
    k = sum(1 for iv in ivs if set(iv) & set(item.score_codes))
    return {"intervals": ivs}, f"{'/'.join(item.score_codes)} ticked in {k} of {n} intervals coded."


def generate(project: Project) -> dict[str, str]:
    """Return ``relative path -> file text`` for every sample file."""
    kit = load_kit(project)
    rng = random.Random(SEED)
    files: dict[str, str] = {}
    for pod, (quality, doubled, fmt) in PODS.items():
        csv_rows: list[list] = []
        for aid, (start, types, coded) in ASSESSMENTS.items():
            a = kit.assessment(aid)
            offsets = {it.id: rng.uniform(-0.6, 0.6) for it in a.items}
            for i in range(SESSIONS):
                date = start + dt.timedelta(days=STEP_DAYS * i)
                stype = types[i % len(types)]
                duration = a.setting.duration_minutes
                observers = ["obs-a", "obs-b"] if i in doubled else ["obs-a"]
                q = quality(i, SESSIONS)
                thin = (pod, aid, i) in THIN
                responses: dict[str, dict[str, dict]] = {}
                for k, it in enumerate(a.items):
                    level = max(0, min(a.max_level, round(q + offsets[it.id] + rng.gauss(0, 0.35))))
                    skip = (thin and k % 4 != 0) or rng.random() < 0.05
                    per: dict[str, dict] = {}
                    for j, ob in enumerate(observers):
                        if skip:
                            per[ob] = {"not_observed": True, "evidence": "No chance to see this in the session."}
                            continue
                        lv = level if j == 0 else _shift(rng, level, a.max_level)
                        ans, note = _answer(rng, a, it, lv, duration, coded)
                        per[ob] = {**ans, "evidence": note}
                    levels = [r["level"] for r in per.values() if "level" in r]
                    if len(levels) > 1 and max(levels) - min(levels) >= a.scoring.disagreement_spread:
                        # the observers compared notes after the session and agreed on the anchor
                        # (no random draw here, so every other value stays as it was)
                        per["consensus"] = {"level": level, "evidence": f"Agreed after comparing notes: level {level}."}
                    responses[it.id] = per
                rec = dict(assessment=a.id, version=a.version, pod=pod, date=date, type=stype, duration=duration, observers=observers, responses=responses)
                if i == SESSIONS - 1 and fmt == "yaml":
                    # the pod's own two-minute rating at the end of its latest session: how it feels,
                    # beside what was observed (FELT: a pod that feels better than it works)
                    rec["felt"] = {d.id: min(a.max_level, round(q) + FELT.get(pod, 0)) for d in a.dimensions}
                if fmt == "csv":
                    csv_rows += _csv_rows(a, rec)
                else:
                    files[f"{pod}/{date.isoformat()}--{aid}.yaml"] = _yaml(a, rec)
        if csv_rows:
            files[f"{pod}/{pod}.csv"] = _csv(csv_rows)
    files.update(_self_checks(kit))
    files["README.md"] = README
    return files


def _self_checks(kit) -> dict[str, str]:
    """One self-check record per pod and week, for the sample assessments' questions; its own
    random stream, so that the observations do not depend on it."""
    rng = random.Random(SEED + 1)
    files = {}
    for pod, (quality, _, _) in PODS.items():
        for w in range(SELF_CHECK_WEEKS):
            date = SELF_CHECK_START + dt.timedelta(days=7 * w)
            q = quality(w * (SESSIONS - 1) / (SELF_CHECK_WEEKS - 1), SESSIONS)
            p_yes = min(0.95, max(0.05, q / 3 + SELF_CHECK_OPTIMISM[pod]))
            out = [
                "# yaml-language-server: $schema=../../../schemas/self-check.schema.json",
                f"# {LABEL}",
                f"pod: {pod}",
                f"date: {date.isoformat()}",
                "answers:",
            ]
            for aid in ASSESSMENTS:
                out.append(f"  {aid}:")
                for question in kit.assessment(aid).self_check:
                    r = rng.random()
                    answer = "did-not-come-up" if r < 0.08 else "yes" if rng.random() < p_yes else "no"
                    out.append(f"    {question.id}: {answer}")
            if w % 3 == 1:
                step, owner = NEXT_STEPS[(w // 3) % len(NEXT_STEPS)]
                out += [f"next_step: {_q(step)}", f"owner: {owner}"]
            out.append(f"notes: {_q(LABEL)}")
            files[f"self-check/{pod}-{date.isoformat()}.yaml"] = "\n".join(out) + "\n"
    return files


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _yaml(a, rec) -> str:
    out = [
        "# yaml-language-server: $schema=../../../schemas/observation.schema.json",
        f"# {LABEL}",
        f"assessment: {rec['assessment']}",
        f"assessment_version: {rec['version']}",
        f"pod: {rec['pod']}",
        f"date: {rec['date'].isoformat()}",
        "session:",
        f"  type: {rec['type']}",
        f"  duration_minutes: {rec['duration']}",
        f"observers: [{', '.join(rec['observers'])}]",
        *([f"felt: {{{', '.join(f'{k}: {v}' for k, v in rec['felt'].items())}}}"] if rec.get("felt") else []),
        f"notes: {_q(LABEL)}",
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
                    value = _q(value)
                elif isinstance(value, bool):
                    value = "yes" if value else "no"
                out.append(f"      {key}: {value}")
    return "\n".join(out) + "\n"


def _csv_rows(a, rec) -> list[list]:
    rows = []
    for item_id, per in rec["responses"].items():
        for ob, r in per.items():
            iv = r.get("intervals")
            rows.append([
                rec["assessment"], rec["version"], rec["pod"], rec["date"].isoformat(), rec["type"], rec["duration"], ob, item_id,
                r.get("level", ""), {True: "yes", False: "no"}.get(r.get("check"), ""), r.get("count", ""), r.get("out_of", ""),
                "|".join("+".join(x) or "-" for x in iv) if iv else "", "yes" if r.get("not_observed") else "", r.get("evidence", ""),
            ])
    return rows


def _csv(rows: list[list]) -> str:
    buf = io.StringIO()
    buf.write(f"# {LABEL}\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["assessment", "assessment_version", "pod", "date", "session_type", "duration_minutes", "observer", "item", "level", "check", "count", "out_of", "intervals", "not_observed", "evidence"])
    w.writerows(rows)
    return buf.getvalue()


README = f"""# Sample observations (synthetic)

**{LABEL}**

These files show what podkit's observation records look like and feed the sample reports on the
site ("What a report looks like"). Three invented pods were "observed" every two weeks from late
August to October 2026 with two assessments, `alignment` and `participation-and-voice`:

| Pod | Story | Format |
|---|---|---|
| `pod-aurora` | improves steadily; a second observer joined the first session | YAML, one file per session |
| `pod-borealis` | starts strong and degrades (degradation alerts, growing Execution Debt) | YAML, one file per session |
| `pod-cirrus` | holds steady; two observers in three sessions; one session too short to score | CSV, one row per item per observer |

Where two observers' levels on an item are far apart, the file also holds the level they agreed
after comparing notes, under the observer id `consensus`: podkit scores that agreed value and
leaves it out of the agreement statistics.

`self-check/` holds each pod's weekly self-check from September to October 2026: the pod's own
answers to the self-check questions of both assessments, one record a week. Reports show them in
their own section, beside the observed scores and never mixed into them; `pod-borealis` keeps
answering "yes" while its observed scores fall.

Score them with:

```sh
podkit score examples/observations -f html,json,md,pdf -o reports/ --as-of 2026-10-28
```

The files are generated by `examples/make_observations.py` (seeded, so the output never
changes unless the script or the assessments do). After changing an assessment's items, run
`.venv/bin/python examples/make_observations.py` and commit the result.
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the files on disk differ from what would be written")
    args = ap.parse_args(argv)
    files = generate(Project.find(ROOT))
    stale = [rel for rel, text in files.items() if not (OUT / rel).is_file() or (OUT / rel).read_text(encoding="utf-8") != text]
    if args.check:
        for rel in stale:
            print(f"stale: examples/observations/{rel}")
        return 1 if stale else 0
    for rel, text in sorted(files.items()):
        path = OUT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {len(files)} files into {OUT.relative_to(ROOT)}/ ({len(stale)} changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
