"""The kit: a project folder, its assessments, and the cross-checks the schema cannot express."""

from __future__ import annotations

import datetime as _dt
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PodkitError, Problem, SourceErrors
from .model import Assessment, CheckItem, CodesItem, CountItem, AnchoredItem, DimensionGate, ItemGate
from .sources import Document, load_yaml
from .validation import problems_from, validate_document

SCHEMA_LINE_PREFIX = "# yaml-language-server: $schema="

#: Used for dates in outputs when there is neither SOURCE_DATE_EPOCH nor a git history (2024-01-01).
FALLBACK_EPOCH = 1704067200


@dataclass(frozen=True)
class Project:
    """Paths of one podkit project (a kit)."""

    root: Path

    @classmethod
    def find(cls, directory: Path | str | None = None) -> "Project":
        root = Path(directory or ".").resolve()
        if not root.is_dir():
            raise PodkitError(f"{root}: project folder does not exist")
        work = root / ".podkit"
        if work.is_symlink() or (work.exists() and not work.is_dir()):
            raise PodkitError(f"{work}: podkit's work folder must be a real folder inside the project, not a link or a file; delete it and podkit makes it again")
        if not (root / "assessments").is_dir():
            raise PodkitError(
                f"{root}: no 'assessments/' folder here. Run podkit inside a kit, or pass --project DIR."
            )
        return cls(root)

    @property
    def assessments_dir(self) -> Path:
        return self.root / "assessments"

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def themes_dir(self) -> Path:
        return self.root / "themes"

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def work_dir(self) -> Path:
        """Git-ignored scratch space: staged pages and caches."""
        return self.root / ".podkit"

    @property
    def stage_dir(self) -> Path:
        return self.work_dir / "stage"

    @property
    def schemas_dir(self) -> Path:
        return self.root / "schemas"

    def source_date(self) -> _dt.datetime:
        """See :func:`source_date`."""
        return source_date(self.root)

    def assessment_files(self) -> list[Path]:
        return sorted(
            p for p in self.assessments_dir.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith(".")
        )


#: The range of source dates podkit accepts: ZIP archives cannot hold dates before 1980, and
#: dates past 9999 do not fit the formats outputs use.
_EPOCH_RANGE = (315532800, 253402300799)


def source_date(project_root: Path | None = None) -> _dt.datetime:
    """The date outputs carry (PDF metadata, the sitemap): ``SOURCE_DATE_EPOCH``, else the
    project's last commit, else a fixed one; never the clock."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        if not (raw.isascii() and raw.isdigit()):
            raise PodkitError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970 (digits 0-9 only), got {raw!r}")
        epoch = int(raw)
        if not _EPOCH_RANGE[0] <= epoch <= _EPOCH_RANGE[1]:
            raise PodkitError(f"SOURCE_DATE_EPOCH={raw} is outside the dates podkit can write (1980-01-01 to 9999-12-31); unset it or give seconds since 1970 in that range")
    else:
        epoch = _git_epoch(project_root) or FALLBACK_EPOCH
    return _dt.datetime.fromtimestamp(epoch, tz=_dt.timezone.utc)


def _git_epoch(root: Path | None) -> int | None:
    if root is None:
        return None
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", "."],
            cwd=root, capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = out.stdout.strip()
    if out.returncode == 0 and value.isdigit():
        return int(value)
    if "dubious ownership" in out.stderr or "safe.directory" in out.stderr:
        # git will not read a checkout that another user owns; say why the date is not the commit's
        from .console import console

        console.warn(f"warning: git refuses to read {root} (it belongs to another user), so outputs are dated "
                     f"{_dt.datetime.fromtimestamp(FALLBACK_EPOCH, tz=_dt.timezone.utc):%Y-%m-%d}; set SOURCE_DATE_EPOCH to date them yourself")
    return None



@dataclass
class Kit:
    project: Project
    assessments: list[Assessment]
    documents: dict[str, Document] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    def assessment(self, assessment_id: str) -> Assessment:
        for a in self.assessments:
            if a.id == assessment_id:
                return a
        known = ", ".join(a.id for a in self.assessments) or "none"
        raise PodkitError(f"unknown assessment {assessment_id!r}; the kit has: {known}")


def _dupes(values: list) -> list[int]:
    seen, out = set(), []
    for i, v in enumerate(values):
        if v in seen:
            out.append(i)
        seen.add(v)
    return out


def cross_check(a: Assessment) -> list[tuple[tuple, str]]:
    """Checks that span several keys; returns ``(key path, message)`` pairs."""
    found: list[tuple[tuple, str]] = []
    levels = a.levels
    top = a.max_level
    if levels != list(range(len(levels))):
        found.append((("scale",), f"scale levels must run 0, 1, 2, … without gaps; got {levels}"))
    for i in _dupes([s.level for s in a.scale]):
        found.append((("scale", i, "level"), f"level {a.scale[i].level} appears twice"))
    for i in _dupes([d.id for d in a.dimensions]):
        found.append((("dimensions", i, "id"), f"duplicate dimension id {a.dimensions[i].id!r}"))
    for i in _dupes([it.id for it in a.items]):
        found.append((("items", i, "id"), f"duplicate item id {a.items[i].id!r}"))
    for i in _dupes([r.id for r in a.readiness]):
        found.append((("readiness", i, "id"), f"duplicate readiness level id {a.readiness[i].id!r}"))
    for i in _dupes(list(a.references)):
        found.append((("references", i), f"reference {a.references[i]!r} is listed twice; list each bibliography id once"))

    dim_ids = [d.id for d in a.dimensions]
    items = {it.id: it for it in a.items}
    for i, it in enumerate(a.items):
        if it.dimension not in dim_ids:
            found.append(((
                "items", i, "dimension"),
                f"unknown dimension {it.dimension!r}; defined dimensions: {', '.join(dim_ids)}",
            ))
        if it.target not in levels:
            found.append((("items", i, "target"), f"target level {it.target} is not on the scale ({_levels(levels)})"))
        if isinstance(it, AnchoredItem):
            missing = [lv for lv in levels if lv not in it.anchors]
            extra = [lv for lv in it.anchors if lv not in levels]
            for lv in missing:
                found.append((("items", i, "anchors"), f"level {lv} has no anchor; every level of the scale ({_levels(levels)}) needs one"))
            for lv in extra:
                found.append((("items", i, "anchors", lv), f"level {lv} is not on the scale ({_levels(levels)})"))
            if it.decision_rule is not None:
                found += _check_decision_rule(i, it, levels)
        if isinstance(it, (CountItem, CodesItem)):
            found += _check_thresholds(i, it, levels)
        if isinstance(it, CountItem) and it.denominator is not None:
            if it.per == "hour":
                found.append((("items", i, "per"), "a ratio item (with a denominator) cannot also be a rate per hour; keep one"))
            for lv, bound in it.thresholds.items():
                if bound > 1:
                    found.append((("items", i, "thresholds", lv), f"a ratio item's thresholds are shares from 0 to 1; got {bound:g}"))
        if isinstance(it, CodesItem):
            code_ids = [c.id for c in it.codes]
            for j in _dupes(code_ids):
                found.append((("items", i, "codes", j, "id"), f"duplicate code {code_ids[j]!r}"))
            for field_name in ("score_codes", "denominator_codes"):
                for j, c in enumerate(getattr(it, field_name) or ()):
                    if c not in code_ids:
                        found.append((("items", i, field_name, j), f"unknown code {c!r}; this item's codes: {', '.join(code_ids)}"))

    for i, q in enumerate(a.self_check):
        if q.item not in items:
            found.append((("self_check", i, "item"), f"unknown item {q.item!r}; a self-check question mirrors one of this assessment's items"))
    for i in _dupes([q.id for q in a.self_check]):
        found.append((("self_check", i, "id"), f"duplicate self-check question id {a.self_check[i].id!r}"))

    prev = None
    for r_i, r in enumerate(a.readiness):
        if r_i == 0 and (r.min_score != 0 or r.gates):
            found.append((("readiness", 0), "the first (lowest) readiness level must have min_score 0 and no gates, so every scored session reaches a level"))
        if prev is not None and r.min_score <= prev:
            found.append((("readiness", r_i, "min_score"), f"min_score must increase from level to level ({r.min_score:g} after {prev:g})"))
        prev = r.min_score
        for g_i, g in enumerate(r.gates):
            key = ("readiness", r_i, "gates", g_i)
            if isinstance(g, ItemGate):
                it = items.get(g.item)
                if it is None:
                    found.append((key + ("item",), f"unknown item {g.item!r}"))
                elif g.min_level not in levels:
                    found.append((key + ("min_level",), f"level {g.min_level} is not on the scale ({_levels(levels)})"))
                elif isinstance(it, CheckItem) and g.min_level not in (0, top):
                    found.append((key + ("min_level",), f"{g.item!r} is a check item: it scores 0 or {top}, so a gate at {g.min_level} means {top}; write {top}"))
            elif isinstance(g, DimensionGate) and g.dimension not in dim_ids:
                found.append((key + ("dimension",), f"unknown dimension {g.dimension!r}; defined dimensions: {', '.join(dim_ids)}"))

    grid = a.scoring.debt_grid
    for i in _dupes([g.rating for g in grid]):
        found.append((("scoring", "debt_grid", i, "rating"), f"rating {grid[i].rating!r} appears twice"))
    bounds = [g.max_point_days for g in grid]
    last = grid[-1] if grid else None
    if last is not None and (last.max_point_days is not None or last.max_open_findings is not None or last.max_open_critical is not None):
        found.append((("scoring", "debt_grid", len(grid) - 1), "the last rating must have no bounds (max_point_days, max_open_findings, max_open_critical): it covers everything else"))
    for name in ("max_open_findings", "max_open_critical"):
        previous = None
        for i, g in enumerate(grid[:-1]):
            value = getattr(g, name)
            if value is not None and previous is not None and value < previous:
                found.append((("scoring", "debt_grid", i, name), f"{name} must not decrease from rating to rating ({value} after {previous})"))
            previous = value if value is not None else previous
    finite = [b for b in bounds[:-1]]
    for i, b in enumerate(finite):
        if b is None:
            found.append((("scoring", "debt_grid", i, "max_point_days"), "only the last rating may omit max_point_days"))
        elif i and finite[i - 1] is not None and b <= finite[i - 1]:
            found.append((("scoring", "debt_grid", i, "max_point_days"), "max_point_days must increase from rating to rating"))
    return found


def _levels(levels: list[int]) -> str:
    return ", ".join(str(x) for x in levels)


def _check_decision_rule(i: int, it: AnchoredItem, levels: list[int]) -> list[tuple[tuple, str]]:
    """A decision rule lists every level once, highest first, and ends with "otherwise"."""
    found = []
    rule = it.decision_rule
    got = [step.level for step in rule]
    if got != sorted(levels, reverse=True):
        found.append((("items", i, "decision_rule"), f"list every level of the scale once, highest first ({_levels(sorted(levels, reverse=True))}); got {_levels(got)}"))
    if rule and rule[-1].when.strip().rstrip(".").lower() != "otherwise":
        found.append((("items", i, "decision_rule", len(rule) - 1, "when"), "the last row must read 'otherwise', so that every observation gets a level"))
    for j, step in enumerate(rule[:-1]):
        if step.when.strip().rstrip(".").lower() == "otherwise":
            found.append((("items", i, "decision_rule", j, "when"), "only the last row may read 'otherwise' (rows are checked top-down)"))
    return found


def _check_thresholds(i: int, it, levels: list[int]) -> list[tuple[tuple, str]]:
    found = []
    want = [lv for lv in levels if lv > 0]
    have = sorted(it.thresholds)
    if have != want:
        found.append((("items", i, "thresholds"), f"thresholds must give a boundary for each level above 0 ({_levels(want)}); got {_levels(have) or 'none'}"))
        return found
    values = [it.thresholds[lv] for lv in want]
    for lv, a_, b_ in zip(want[1:], values, values[1:]):
        if it.better == "higher" and b_ <= a_:
            found.append((("items", i, "thresholds", lv), f"thresholds must increase with the level when better is 'higher' ({b_:g} at level {lv} is not above {a_:g})"))
        if it.better == "lower" and b_ >= a_:
            found.append((("items", i, "thresholds", lv), f"thresholds must decrease with the level when better is 'lower' ({b_:g} at level {lv} is not below {a_:g})"))
    return found


def load_assessment(path: Path, root: Path | None = None) -> tuple[Assessment | None, Document | None, list[Problem]]:
    """Load, validate and cross-check one assessment file; never raises for user errors."""
    try:
        doc = load_yaml(path, root=root)
    except SourceErrors as exc:
        return None, None, exc.problems
    assessment, problems = validate_document(doc, Assessment)
    if assessment is None:
        return None, doc, problems
    problems = problems_from(doc, cross_check(assessment))
    expected = f"{assessment.id}"
    if path.stem != expected:
        problems.append(doc.problem(f"file name should match the id: rename the file to {expected}{path.suffix} or change id", ("id",)))
    return (assessment if not problems else None), doc, problems


def load_kit(project: Project) -> Kit:
    """Load every assessment; report all problems in all files at once."""
    problems: list[Problem] = []
    assessments, documents = [], {}
    files = project.assessment_files()
    if not files:
        raise PodkitError(f"{project.assessments_dir}: no assessment files (*.yaml) found")
    ids: dict[str, Path] = {}
    for path in files:
        a, doc, probs = load_assessment(path, project.root)
        problems += probs
        if a is None:
            continue
        if a.id in ids:  # the first file keeps the id; each later one is named
            problems.append(doc.problem(f"id {a.id!r} is already used by {ids[a.id].name}", ("id",)))
            continue
        ids[a.id] = doc.path
        assessments.append(a)
        documents[a.id] = doc
    if any(p.severity == "error" for p in problems):
        raise SourceErrors(problems)
    assessments.sort(key=lambda a: a.id)
    return Kit(project, assessments, documents, [p for p in problems if p.severity != "error"])
