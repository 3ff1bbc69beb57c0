"""Broken input through the CLI: every case exits 1 with a message naming the file (and line:col
where the format has lines), no traceback, nothing written, inputs untouched, bounded time and memory.

Assessments go through ``podkit validate`` and ``podkit build --no-pdf``; observation files (YAML,
CSV, filled PDF sheets) through ``podkit score``. Hand-written cases first, then generated ones
(hypothesis mutates valid files and checks the same invariant), then a few worst cases in a real
subprocess under a 1 GiB address-space limit and a 10 s timeout, then exit codes per command.
"""

from __future__ import annotations

import os
import random
import re
import resource
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import KITS, copy_kit, fill_sheet, invoke, line_of, run_podkit, tree_digest
from podkit.sources import MAX_DEPTH, MAX_PDF_BYTES, MAX_TEXT_BYTES

A_NAME = "demo-standup.yaml"
ASSESSMENT = (KITS / "minimal" / "assessments" / A_NAME).read_text(encoding="utf-8")
OBSERVATION = (KITS / "scoring" / "observations" / "s1.yaml").read_text(encoding="utf-8")
AS_OF = "2026-06-01"

CSV_HEADER = "assessment,assessment_version,pod,date,session_type,duration_minutes,observer,item,level,check,count,intervals,not_observed,evidence"
CSV_ROWS = [
    "worked-example,1.0.0,pod-x,2026-03-02,stand-up,15,obs-a,done-demonstrated,1,,,,,One link opened.",
    "worked-example,1.0.0,pod-x,2026-03-02,stand-up,15,obs-a,dod-checked,,no,,,,",
    "worked-example,1.0.0,pod-x,2026-03-02,stand-up,15,obs-a,blockers-unowned,,,4,,,",
    "worked-example,1.0.0,pod-x,2026-03-02,stand-up,15,obs-a,swarming,,,,SW|RS|RS|NX+RS|RS,,",
]
CSV = "\n".join([CSV_HEADER, *CSV_ROWS]) + "\n"


# --------------------------------------------------------------------------- helpers


def assert_user_error(result, name: str, where) -> None:
    """Exit 1, the file named (at ``where``: a line, any line, or the file only), no traceback."""
    out = result.output
    assert result.exit_code == 1, f"exit {result.exit_code}:\n{out}"
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in out and "Internal error" not in out, out
    assert name in out, out
    if where is ANY_LINE:
        assert re.search(rf"{re.escape(name)}:\d+[:]", out), out
    elif isinstance(where, int):
        assert re.search(rf"{re.escape(name)}:{where}:", out), f"expected {name}:{where}: in\n{out}"


ANY_LINE = object()


@dataclass
class Case:
    """One broken input: what to put where, what the message says, and where it points.

    ``content`` is the file's text or bytes, or a function ``(path, tmp) -> None`` that builds it
    (folders, links, huge files). ``where`` is a line, the text on the expected line, ``ANY_LINE``
    or ``None`` (the file only).
    """

    id: str
    content: str | bytes | Callable
    message: str
    where: object = ANY_LINE

    def write(self, path: Path, tmp: Path) -> None:
        if callable(self.content):
            if path.exists() or path.is_symlink():
                path.unlink()
            self.content(path, tmp)
        elif isinstance(self.content, bytes):
            path.write_bytes(self.content)
        else:
            path.write_bytes(self.content.encode("utf-8"))

    def line(self):
        if isinstance(self.where, str):
            return line_of(self.content, self.where)
        return self.where


def sub(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def alias_bomb(levels: int = 9, prefix: str = "") -> str:
    names = "abcdefghijklmnop"
    lines = [f'{names[0]}: &{names[0]} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"{names[i]}: &{names[i]} [" + ",".join([f"*{names[i - 1]}"] * 9) + "]")
    return prefix + "\n".join(lines) + "\n"


def deep(depth: int = MAX_DEPTH + 60) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


def garbage(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def directory(path: Path, tmp: Path) -> None:
    path.mkdir()


def missing(path: Path, tmp: Path) -> None:
    pass


def fifo(path: Path, tmp: Path) -> None:
    os.mkfifo(path)


def link_outside(text: str):
    def make(path: Path, tmp: Path) -> None:
        outside = tmp / "outside" / path.name
        outside.parent.mkdir(exist_ok=True)
        outside.write_text(text, encoding="utf-8")
        path.symlink_to(outside)

    return make


def link_loop(path: Path, tmp: Path) -> None:
    other = path.with_name("loop-" + path.name)
    path.symlink_to(other.name)
    other.symlink_to(path.name)


def dangling(path: Path, tmp: Path) -> None:
    path.symlink_to("no-such-target.yaml")


def oversized(text: str, limit: int = MAX_TEXT_BYTES, comment: str = "#"):
    def make(path: Path, tmp: Path) -> None:
        filler = (comment + " " + "x" * 1000 + "\n") * (limit // 1000 + 2)
        path.write_text(text + filler, encoding="utf-8")

    return make


# --------------------------------------------------------------------------- assessments

A = ASSESSMENT
ASSESSMENT_CASES = [
    # syntax
    Case("unclosed-flow", sub(A, "look_for: [A link or demo is opened on screen]", "look_for: [A link or demo is opened on screen"), "YAML syntax error", "look_for: [A link"),
    Case("unclosed-quote", sub(A, "summary: A tiny", 'summary: "A tiny'), "YAML syntax error", 'summary: "A tiny'),
    Case("bad-indent", sub(A, "    kind: anchored", "     kind: anchored"), "YAML syntax error"),
    Case("tab-indent", sub(A, "    title: Verification", "\ttitle: Verification"), "tab character", "\ttitle: Verification"),
    Case("colon-in-plain-value", sub(A, "title: Demo stand-up", "title: Demo: stand-up"), "YAML syntax error", "title: Demo: stand-up"),
    Case("stray-list-entry", sub(A, "summary:", "- stray\nsummary:"), "YAML syntax error"),
    Case("control-character", sub(A, "title: Demo stand-up", "title: Demo \x07stand-up"), "character U+0007 is not allowed", "title: Demo"),
    Case("terminal-escape", sub(A, "title: Demo stand-up", "title: \x1b[31mDemo"), "character U+001B is not allowed", "title: \x1b"),
    Case("second-document", A + "---\nid: other\n", "found a second one", "---"),
    Case("unknown-alias", sub(A, "summary: A tiny assessment used by the test suite.", "summary: *nope"), "unknown alias *nope", "summary: *nope"),
    # plain data only
    Case("python-object-tag", sub(A, "summary: A tiny", "summary: !!python/object/apply:os.system ['true']\nsummary2: A tiny"), "is not allowed", "!!python"),
    Case("python-name-tag", sub(A, "summary: A tiny assessment used by the test suite.", "summary: !!python/name:os.system"), "is not allowed", "!!python"),
    Case("custom-tag", sub(A, "summary: A tiny assessment used by the test suite.", "summary: !include other.yaml"), "is not allowed", "!include"),
    Case("set-tag", sub(A, "summary:", "tags: !!set {a, b}\nsummary:"), "is not allowed", "!!set"),
    Case("binary-tag", sub(A, "summary:", "tags: !!binary aGVsbG8=\nsummary:"), "is not allowed", "!!binary"),
    Case("merge-key", sub(A, "summary: A tiny", "x: &x {a: 1}\ny:\n  <<: *x\nsummary: A tiny"), "merge keys", "<<"),
    Case("alias-bomb", alias_bomb(prefix=A), "too many aliases"),
    Case("deep-nesting", A + deep(), f"deeper than {MAX_DEPTH}"),
    Case("deep-block-nesting", A + "x:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 80)) + "  " * 80 + "v: 1\n", f"deeper than {MAX_DEPTH}"),
    # duplicate keys
    Case("duplicate-top-key", sub(A, "summary:", "title: Again\nsummary:"), "duplicate key 'title' (first defined on line 3)", "title: Again"),
    Case("duplicate-nested-key", sub(A, "      1: One claim", "      0: Again\n      1: One claim"), "duplicate key 0", "0: Again"),
    Case("duplicate-flow-key", sub(A, "thresholds: {1: 2, 2: 4, 3: 6}", "thresholds: {1: 2, 1: 4, 3: 6}"), "duplicate key 1", "thresholds: {1: 2, 1: 4"),
    Case("duplicate-id-across-files", None, "id 'demo-standup' is already used by demo-standup.yaml"),  # written by the test
    # encodings and bytes
    Case("bom-and-syntax-error", b"\xef\xbb\xbf" + sub(A, "summary: A tiny", 'summary: "A tiny').encode(), "YAML syntax error", line_of(sub(A, "summary: A tiny", 'summary: "A tiny'), 'summary: "A tiny')),
    Case("latin-1", sub(A, "A tiny", "A tïny").encode("latin-1"), "not valid UTF-8 (byte 0xef)", line_of(A, "A tiny")),
    Case("utf-16", A.encode("utf-16"), "NUL bytes"),
    Case("nul-byte", sub(A, "Demo stand-up", "Demo\x00stand-up").encode(), "NUL bytes", line_of(A, "Demo stand-up")),
    Case("garbage", garbage(4096, 1).replace(b"\x00", b"\x01"), "", ANY_LINE),
    Case("garbage-with-nul", garbage(4096, 2), "", None),
    Case("png-bytes", b"\x89PNG\r\n\x1a\n" + garbage(512, 3), "", None),
    Case("truncated-utf8", A.encode()[:40] + "é".encode()[:1], "not valid UTF-8", ANY_LINE),
    # empty and not a file
    Case("empty", "", "file is empty", None),
    Case("only-comments", "# nothing here\n# at all\n", "file is empty", None),
    Case("whitespace-only", "  \n\n   \n", "file is empty", None),
    Case("directory", directory, "is a directory", None),
    Case("fifo", fifo, "is not a regular file", None),
    Case("link-outside-project", link_outside(A), "points outside the project", None),
    Case("link-loop", link_loop, "symbolic link loop", None),
    Case("dangling-link", dangling, "no such file", None),
    Case("over-size-limit", oversized(A), f"up to {MAX_TEXT_BYTES:,} bytes", None),
    # shapes and types
    Case("top-level-list", "- id: demo-standup\n- title: x\n", "expected a mapping of keys", 1),
    Case("top-level-scalar", "just some text\n", "expected a mapping of keys", 1),
    Case("top-level-null", "~\n", "expected a mapping of keys", 1),
    Case("int-instead-of-text", sub(A, "duration_minutes: 15", "duration_minutes: fifteen"), "expected a whole number — got 'fifteen'", "duration_minutes: fifteen"),
    Case("text-instead-of-list", sub(A, "look_for: [A link or demo is opened on screen]", "look_for: A link"), "expected a list", "look_for: A link"),
    Case("list-instead-of-mapping", sub(A, "setting:\n  sessions: [stand-up]\n  duration_minutes: 15\n  observers: 2", "setting: [stand-up, 15]"), "expected a mapping", "setting: [stand-up"),
    Case("yes-as-title", sub(A, "title: Demo stand-up", "title: yes"), "put the text in quotes", "title: yes"),
    Case("date-as-title", sub(A, "title: Demo stand-up", "title: 2026-01-01"), "expected text", "title: 2026"),
    Case("float-version", sub(A, "version: 1.0.0", "version: 1.0"), "expected text — got 1.0", "version: 1.0"),
    Case("huge-integer", sub(A, "duration_minutes: 15", "duration_minutes: 1" + "0" * 5000), "cannot read value", "duration_minutes: 1000"),
    Case("infinite-weight", sub(A, "weight: 2", "weight: .inf"), "is not a finite number", "weight: .inf"),
    Case("nan-threshold", sub(A, "thresholds: {1: 2, 2: 4, 3: 6}", "thresholds: {1: .nan, 2: 4, 3: 6}"), "is not a finite number", "thresholds: {1: .nan"),
    Case("negative-weight", sub(A, "weight: 2", "weight: -2"), "must be greater than 0", "weight: -2"),
    Case("too-long-title", sub(A, "title: Demo stand-up", "title: " + "x" * 300), "too long", "title: xxx"),
    Case("empty-text", sub(A, "summary: A tiny assessment used by the test suite.", 'summary: ""'), "must not be empty", 'summary: ""'),
    Case("bad-id", sub(A, "id: demo-standup", "id: Demo_Standup"), "an id in kebab-case", "id: Demo_Standup"),
    Case("html-in-id", sub(A, "  - id: voice\n", "  - id: <script>voice\n"), "an id in kebab-case", "id: <script>"),
    Case("bad-kind", sub(A, "kind: anchored", "kind: rating"), "expected one of", "kind: rating"),
    Case("bad-session-type", sub(A, "sessions: [stand-up]", "sessions: [coffee]"), "expected one of", "sessions: [coffee]"),
    # unknown and missing keys
    Case("unknown-top-key", sub(A, "summary:", "colour: blue\nsummary:"), "unknown key 'colour'", "colour: blue"),
    Case("misspelt-item-key", sub(A, "    prompt: When a member", "    promt: When a member"), "did you mean 'prompt'?", "promt:"),
    Case("missing-summary", sub(A, "summary: A tiny assessment used by the test suite.\n", ""), "missing required key 'summary'", 1),
    Case("missing-items", A.split("items:")[0] + "readiness:\n  - id: r\n    title: R\n    description: D\n    min_score: 0\n", "missing required key 'items'", 1),
    Case("null-key", sub(A, "summary:", "~: x\nsummary:"), "keys should be strings"),
    Case("number-key", sub(A, "summary:", "1: x\nsummary:"), "keys should be strings", "1: x"),
    Case("complex-key", sub(A, "summary:", "? [a, b]\n: x\nsummary:"), "mapping keys must be plain values"),
    # cross-checks the schema cannot express
    Case("anchor-missing", sub(A, "      3: Every claim is shown, and members ask to see it when it is not.\n", ""), "level 3 has no anchor", "anchors:"),
    Case("unknown-dimension", sub(A, "    dimension: verification\n    kind: check", "    dimension: verificaton\n    kind: check"), "unknown dimension 'verificaton'", "dimension: verificaton"),
    Case("file-name-not-id", sub(A, "id: demo-standup", "id: other-name"), "file name should match the id", "id: other-name"),
    Case("gate-unknown-item", sub(A, "      - item: done-shown", "      - item: no-such-item"), "unknown item 'no-such-item'", "item: no-such-item"),
]
_ids = [c.id for c in ASSESSMENT_CASES]
assert len(_ids) == len(set(_ids))


@pytest.fixture(scope="module")
def built_minimal(tmp_path_factory) -> Path:
    """The minimal kit with a complete site/ already built (copied by each case)."""
    kit = tmp_path_factory.mktemp("built") / "kit"
    copy_kit("minimal", kit)
    result = invoke("build", "--no-pdf", "-q", "-p", kit)
    assert result.exit_code == 0, result.output
    assert (kit / "site" / "index.html").is_file()
    return kit


def _prepare_assessment(case: Case, built: Path, tmp: Path) -> tuple[Path, Path]:
    kit = tmp / "kit"
    shutil.copytree(built, kit, symlinks=True)
    path = kit / "assessments" / A_NAME
    if case.id == "duplicate-id-across-files":
        (kit / "assessments" / "demo-standup.yml").write_text(sub(A, "title: Demo stand-up", "title: Copy"), encoding="utf-8")
        return kit, kit / "assessments" / "demo-standup.yml"
    case.write(path, tmp)
    return kit, path


@pytest.mark.parametrize("command", ["validate", "build"])
@pytest.mark.parametrize("case", ASSESSMENT_CASES, ids=_ids)
def test_broken_assessment(case: Case, command: str, built_minimal: Path, tmp_path: Path):
    kit, path = _prepare_assessment(case, built_minimal, tmp_path)
    before = tree_digest(kit)
    site_before = tree_digest(kit / "site")
    args = ["validate", "-p", kit] if command == "validate" else ["build", "--no-pdf", "-p", kit]
    result = invoke(*args)
    assert_user_error(result, path.name, case.line())
    assert case.message in result.output
    assert tree_digest(kit) == before, "an input or an output changed"
    assert tree_digest(kit / "site") == site_before
    assert not list(kit.glob(".site-*"))


def test_assessment_folder_problems(tmp_path):
    """No assessment files, and an 'assessments' that is a file: named, exit 1."""
    kit = tmp_path / "kit"
    (kit / "assessments").mkdir(parents=True)
    result = invoke("validate", "-p", kit)
    assert_user_error(result, "assessments", None)
    assert "no assessment files" in result.output
    shutil.rmtree(kit / "assessments")
    (kit / "assessments").write_text("not a folder")
    result = invoke("build", "--no-pdf", "-p", kit)
    assert_user_error(result, str(kit), None)
    assert "no 'assessments/' folder" in result.output
    result = invoke("validate", "-p", tmp_path / "no-such-kit")
    assert_user_error(result, "no-such-kit", None)


@pytest.mark.parametrize(
    "content",
    [b"\xef\xbb\xbf" + A.encode(), A.replace("\n", "\r\n").encode(), (A + "\n\n# trailing comment\n").encode()],
    ids=["bom", "crlf", "trailing-comment"],
)
def test_harmless_variants_are_accepted(content, tmp_path):
    kit = tmp_path / "kit"
    copy_kit("minimal", kit)
    (kit / "assessments" / A_NAME).write_bytes(content)
    result = invoke("validate", "-p", kit)
    assert result.exit_code == 0, result.output


def test_broken_content_page_and_mkdocs_yml(built_minimal, tmp_path):
    """The other inputs of a build: content pages and mkdocs.yml; site/ is left as it was."""
    kit = tmp_path / "kit"
    shutil.copytree(built_minimal, kit, symlinks=True)
    site = tree_digest(kit / "site")
    index = kit / "content" / "index.md"
    original = index.read_bytes()
    cases = [
        (lambda: index.write_bytes(b"# Home\n\n\xff\xfe broken\n"), "index.md:3:1: file is not valid UTF-8"),
        (lambda: index.write_bytes(b"# Home\n\x00\n"), "index.md:2: file contains NUL bytes"),
        (lambda: index.write_bytes(b"# Home\n\n--8<-- \"/etc/passwd\"\n"), "Snippet at path '/etc/passwd' could not be found"),
        (lambda: (kit / "content" / "leak.md").symlink_to("/etc/passwd"), "leak.md: symbolic link points outside the project"),
        (lambda: (kit / "content" / "etc").symlink_to("/etc"), "etc: symbolic link points outside the project"),
        (lambda: (kit / "mkdocs.yml").write_text("site_name: [unclosed\nnav:\n"), "mkdocs.yml"),
    ]
    for make, message in cases:
        make()
        result = invoke("build", "--no-pdf", "-p", kit)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and message in result.output, result.output
        assert tree_digest(kit / "site") == site
        assert "root:" not in result.output  # nothing of /etc/passwd is shown or published
        index.write_bytes(original)
        for extra in ("leak.md", "etc"):
            if (kit / "content" / extra).is_symlink():
                (kit / "content" / extra).unlink()
        shutil.copyfile(KITS / "minimal" / "mkdocs.yml", kit / "mkdocs.yml")
    assert invoke("build", "--no-pdf", "-q", "-p", kit).exit_code == 0


# --------------------------------------------------------------------------- observations: YAML

O = OBSERVATION
OBSERVATION_CASES = [
    Case("unclosed-flow", sub(O, "intervals: [[SW], [RS], [RS], [NX, RS], [RS]]", "intervals: [[SW], [RS], [RS], [NX, RS], [RS]"), "YAML syntax error", "intervals: [[SW]"),
    Case("tab", sub(O, "    obs-a:\n      level: 1", "    obs-a:\n\tlevel: 1"), "tab character", "\tlevel: 1"),
    Case("duplicate-top-key", sub(O, "notes:", "pod: pod-other\nnotes:"), "duplicate key 'pod' (first defined on line 5)", "pod: pod-other"),
    Case("duplicate-observer", sub(O, "  dod-checked:\n    obs-a:\n      check: no", "  dod-checked:\n    obs-a:\n      check: no\n    obs-a:\n      check: yes"), "duplicate key 'obs-a' (first defined on line 18)", 20),
    Case("unknown-top-key", sub(O, "notes:", "colour: red\nnotes:"), "unknown key 'colour'", "colour: red"),
    Case("misspelt-response-key", sub(O, "      level: 1", "      levle: 1"), "did you mean 'level'?", "levle: 1"),
    Case("missing-pod", sub(O, "pod: pod-demo\n", ""), "missing required key 'pod'", 1),
    Case("missing-session", sub(O, "session:\n  type: stand-up\n  duration_minutes: 15\n", ""), "missing required key 'session'", 1),
    Case("level-not-a-number", sub(O, "level: 1", "level: high"), "expected a whole number — got 'high'", "level: high"),
    Case("level-off-scale", sub(O, "level: 1", "level: 9"), "level 9 is outside the scale", "level: 9"),
    Case("check-not-yes-no", sub(O, "check: no", "check: maybe"), "expected yes/no", "check: maybe"),
    Case("negative-count", sub(O, "count: 4", "count: -4"), "must be at least 0", "count: -4"),
    Case("nan-count", sub(O, "count: 4", "count: .nan"), "is not a finite number", "count: .nan"),
    Case("intervals-text", sub(O, "intervals: [[SW], [RS], [RS], [NX, RS], [RS]]", "intervals: SW"), "expected a list", "intervals: SW"),
    Case("intervals-too-deep", sub(O, "intervals: [[SW], [RS], [RS], [NX, RS], [RS]]", "intervals: [[[SW]]]"), "expected text", "intervals: [[[SW]]]"),
    Case("unknown-code", sub(O, "intervals: [[SW], [RS]", "intervals: [[ZZ], [RS]"), "unknown code 'ZZ'", "intervals: [[ZZ]"),
    Case("too-many-intervals", sub(O, "intervals: [[SW], [RS], [RS], [NX, RS], [RS]]", "intervals: [[SW], [RS], [RS], [NX, RS], [RS], [RS], [RS]]"), "intervals recorded", "intervals: [[SW]"),
    Case("date-text", sub(O, "date: 2026-03-02", "date: March"), "expected a date like 2026-10-01", "date: March"),
    Case("date-number", sub(O, "date: 2026-03-02", "date: 0"), "date: expected a date like 2026-10-01 (written YYYY-MM-DD) — got 0", "date: 0"),
    Case("date-impossible", sub(O, "date: 2026-03-02", "date: 2026-02-30"), "day is out of range", "date: 2026-02-30"),
    Case("date-and-time", sub(O, "date: 2026-03-02", "date: 2026-03-02T10:00:00"), "not a date and time", "date: 2026-03-02T"),
    Case("date-in-future", sub(O, "date: 2026-03-02", "date: 2999-01-01"), "is in the future", "date: 2999"),
    Case("unknown-assessment", sub(O, "assessment: worked-example", "assessment: worked-exampel"), "did you mean 'worked-example'?", "assessment: worked-exampel"),
    Case("unknown-item", sub(O, "  dod-checked:", "  dod-chekced:"), "unknown item 'dod-chekced'", "dod-chekced:"),
    Case("observer-not-listed", sub(O, "  dod-checked:\n    obs-a:", "  dod-checked:\n    obs-z:"), "observer 'obs-z' is not listed", "obs-z:"),
    Case("html-as-observer", sub(O, "observers: [obs-a]", 'observers: ["<b>obs</b>"]'), "a pseudonymous id", "observers:"),
    Case("script-as-pod", sub(O, "pod: pod-demo", 'pod: "<script>alert(1)</script>"'), "expected a pod id like", "pod: "),
    Case("answer-and-not-observed", sub(O, "      check: no", "      check: no\n      not_observed: true"), "give an answer or mark the item not observed, not both"),
    Case("no-answer", sub(O, "      check: no\n", ""), "no answer: give check: yes or no", line_of(O, "dod-checked:") + 1),
    Case("evidence-too-long", sub(O, "evidence: Nobody opened the checklist.", "evidence: " + "x" * 4100), "too long", "evidence: xxx"),
    Case("responses-list", O.split("responses:")[0] + "responses: [1, 2]\n", "expected a mapping", "responses:"),
    Case("notes-mapping", sub(O, "notes: Synthetic test data.", "notes: {a: 1}"), "expected text", "notes: {a: 1}"),
    Case("top-level-list", "- assessment: worked-example\n", "expected a mapping of keys", 1),
    Case("python-tag", sub(O, "notes: Synthetic test data.", "notes: !!python/object/apply:os.system ['true']"), "is not allowed", "notes: !!python"),
    Case("alias-bomb", alias_bomb(prefix=O), "too many aliases"),
    Case("deep-nesting", O + deep(), f"deeper than {MAX_DEPTH}"),
    Case("empty", "", "file is empty", None),
    Case("bom-and-error", b"\xef\xbb\xbf" + sub(O, "level: 1", "level: high").encode(), "expected a whole number", line_of(O, "level: 1")),
    Case("latin-1", sub(O, "Synthetic", "Synthétic").encode("latin-1"), "not valid UTF-8 (byte 0xe9)", line_of(O, "Synthetic")),
    Case("nul-byte", sub(O, "Synthetic", "Synth\x00etic").encode(), "NUL bytes", line_of(O, "Synthetic")),
    Case("garbage", garbage(3000, 4), "", None),
    Case("directory", directory, "no observation files", None),
    Case("missing", missing, "no such file or folder", None),
    Case("fifo", fifo, "is not a regular file", None),
    Case("over-size-limit", oversized(O), f"up to {MAX_TEXT_BYTES:,} bytes", None),
    Case("link-outside-folder", link_outside(O), "points outside the folder", None),
    Case("link-loop", link_loop, "symbolic link loop", None),
]
_oids = [c.id for c in OBSERVATION_CASES]
assert len(_oids) == len(set(_oids))


@pytest.fixture(scope="module")
def scoring_kit(tmp_path_factory) -> Path:
    kit = tmp_path_factory.mktemp("scoring") / "kit"
    copy_kit("scoring", kit)
    return kit


def score_case(kit: Path, tmp: Path, name: str, case: Case, *, via_folder: bool = False):
    """Write the case as ``tmp/in/NAME`` and score it (the file, or its folder) into an empty folder."""
    folder = tmp / "in"
    folder.mkdir(exist_ok=True)
    path = folder / name
    case.write(path, tmp)
    out = tmp / "out"
    out.mkdir()
    kit_before = tree_digest(kit)
    before = tree_digest(folder)
    result = invoke("score", folder if via_folder else path, "-p", kit, "-o", out, "--as-of", AS_OF, "-f", "html,json,md")
    assert list(out.iterdir()) == [] or result.exit_code == 0, "reports written from a broken input"
    assert tree_digest(folder) == before, "an input file changed"
    assert tree_digest(kit) == kit_before
    return result, path, out


@pytest.mark.parametrize("case", OBSERVATION_CASES, ids=_oids)
def test_broken_observation_yaml(case: Case, scoring_kit: Path, tmp_path: Path):
    via_folder = case.id.startswith("link-")  # links are refused inside a folder given as input
    result, path, out = score_case(scoring_kit, tmp_path, "obs.yaml", case, via_folder=via_folder)
    assert_user_error(result, "obs.yaml", case.line())
    assert case.message in result.output
    assert list(out.iterdir()) == []


# --------------------------------------------------------------------------- observations: CSV

R0, R1, R2, R3 = CSV_ROWS
CSV_CASES = [
    Case("ragged-short-row", CSV.replace(R1, "worked-example,1.0.0,pod-x"), "row has 3 fields but the header has 14", 3),
    Case("ragged-long-row", CSV.replace(R1, R1 + ",extra,cells"), "row has 16 fields but the header has 14", 3),
    Case("unquoted-comma", CSV.replace("One link opened.", "One link, opened."), "row has 15 fields", 2),
    Case("bom-and-error", b"\xef\xbb\xbf" + CSV.replace(R0, R0.replace(",1,,", ",high,,")).encode(), "column 'level': expected a whole number — got 'high'", 2),
    Case("nul-byte", CSV.replace("One link", "One\x00link").encode(), "NUL bytes", 2),
    Case("utf-16", CSV.encode("utf-16"), "NUL bytes", None),
    Case("latin-1", CSV.replace("One link", "Olé link").encode("latin-1"), "not valid UTF-8 (byte 0xe9)", 2),
    Case("garbage", garbage(3000, 5).replace(b"\x00", b"a"), "", None),
    Case("empty", "", "no header row", None),
    Case("header-only", CSV_HEADER + "\n", "no data rows after the header", None),
    Case("comments-only", "# nothing\n# here\n", "no header row", None),
    Case("unknown-column", CSV.replace("level,check", "levle,check"), "unknown column 'levle' (did you mean 'level'?)", 1),
    Case("missing-column", CSV.replace(",observer,", ",obsrver,"), "missing required column 'observer'", 1),
    Case("duplicate-column", CSV.replace(CSV_HEADER, CSV_HEADER.replace("evidence", "pod")), "column 'pod' appears twice", 1),
    Case("semicolons", CSV.replace(",", ";"), "this file uses semicolons between columns; podkit reads commas", 1),
    Case("unclosed-quote", CSV.replace("One link opened.", '"One link opened.'), "a quoted field is never closed", 2),
    Case("text-after-quote", CSV.replace("One link opened.", '"One link" opened.'), "CSV syntax error", 2),
    Case("level-formula", CSV.replace(R0, R0.replace(",1,,", ",=1+1,,")), "column 'level': expected a whole number — got '=1+1'", 2),
    Case("check-not-yes-no", CSV.replace(",no,", ",maybe,"), "column 'check': expected yes/no", 3),
    Case("date-impossible", CSV.replace(R3, R3.replace("2026-03-02", "2026-02-30")), "column 'date'", 5),
    Case("pod-with-script", CSV.replace(R2, R2.replace("pod-x", "<script>x</script>")), "column 'pod': expected a pod id like 'pod-aurora'", 4),
    Case("unknown-code", CSV.replace("SW|RS|RS", "SW|ZZ|RS"), "unknown code 'ZZ'", 5),
    Case("inconsistent-duration", CSV.replace(R2, R2.replace(",15,", ",20,")), "column 'duration_minutes': 20 differs from 15 on line 2", 4),
    Case("duplicate-response", CSV + R1 + "\n", "duplicate response", 6),
    Case("field-too-large", CSV.replace("One link opened.", "x" * 200_000), "field larger than field limit", 2),
    Case("over-size-limit", oversized(CSV, comment="# "), f"up to {MAX_TEXT_BYTES:,} bytes", None),
    Case("directory", directory, "no observation files", None),
    Case("future-date", CSV.replace("2026-03-02", "2999-03-02"), "is in the future", 2),
]
_cids = [c.id for c in CSV_CASES]
assert len(_cids) == len(set(_cids))


@pytest.mark.parametrize("case", CSV_CASES, ids=_cids)
def test_broken_observation_csv(case: Case, scoring_kit: Path, tmp_path: Path):
    result, path, out = score_case(scoring_kit, tmp_path, "obs.csv", case)
    assert_user_error(result, "obs.csv", case.line())
    assert case.message in result.output
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    "content",
    [CSV, b"\xef\xbb\xbf" + CSV.encode(), CSV.replace("\n", "\r\n"), "# exported by hand\n\n" + CSV],
    ids=["plain", "bom", "crlf", "comments"],
)
def test_harmless_csv_variants_are_accepted(content, scoring_kit, tmp_path):
    result, _, out = score_case(scoring_kit, tmp_path, "obs.csv", Case("ok", content, ""))
    assert result.exit_code == 0, result.output
    assert (out / "pod-x--worked-example.json").is_file()


def test_formula_cells_are_just_text(scoring_kit, tmp_path):
    """Spreadsheet formulas in a CSV are evidence text: kept verbatim, never evaluated or run."""
    formula = "=cmd|' /C calc'!A0"
    text = CSV.replace("One link opened.", f'"{formula}"').replace(R2, R2 + "+SUM(1;2)")
    result, _, out = score_case(scoring_kit, tmp_path, "obs.csv", Case("formula", text, ""))
    assert result.exit_code == 0, result.output
    report = (out / "pod-x--worked-example.json").read_text(encoding="utf-8")
    assert '"=cmd|\' /C calc\'!A0"' in report
    assert "+SUM(1;2)" in report


# --------------------------------------------------------------------------- observations: PDF


def _writer_with_fields(fields: list) -> object:
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    w = PdfWriter()
    w.add_blank_page(100, 100)
    refs = ArrayObject(w._add_object(f) for f in fields)
    w._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): refs})
    return w


def _text_field(name: str, value: str = ""):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    return DictionaryObject({NameObject("/T"): TextStringObject(name), NameObject("/FT"): NameObject("/Tx"), NameObject("/V"): TextStringObject(value)})


def pdf_many_fields(n: int):
    def make(path: Path, tmp: Path) -> None:
        _writer_with_fields([_text_field(f"pk__item{i}__count", "1") for i in range(n)]).write(path)

    return make


def pdf_shared_kids(path: Path, tmp: Path) -> None:
    """A field tree whose kids are shared: 10 kids per level, 25 levels (10^25 paths, 26 objects)."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    w = PdfWriter()
    w.add_blank_page(10, 10)
    node = w._add_object(_text_field("pk__x__count", "1"))
    for i in range(25):
        node = w._add_object(DictionaryObject({NameObject("/T"): TextStringObject(f"n{i}"), NameObject("/Kids"): ArrayObject([node] * 10)}))
    w._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject([node])})
    w.write(path)


def pdf_kid_cycle(path: Path, tmp: Path) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    w = PdfWriter()
    w.add_blank_page(10, 10)
    field = DictionaryObject({NameObject("/T"): TextStringObject("pk__loop")})
    ref = w._add_object(field)
    field[NameObject("/Kids")] = ArrayObject([ref])
    w._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject([ref])})
    w.write(path)


def pdf_blank_pages(n: int):
    def make(path: Path, tmp: Path) -> None:
        from pypdf import PdfWriter

        w = PdfWriter()
        for _ in range(n):
            w.add_blank_page(10, 10)
        w.write(path)

    return make


def pdf_foreign_form(path: Path, tmp: Path) -> None:
    _writer_with_fields([_text_field("Name", "Alice"), _text_field("Email", "a@example.org")]).write(path)


def pdf_over_limit(path: Path, tmp: Path) -> None:
    with open(path, "wb") as fh:
        fh.write(b"%PDF-1.7\n")
        fh.truncate(MAX_PDF_BYTES + 1)  # sparse: no 20 MiB written


def from_sheet(transform):
    """Build a case from the real blank sheet (``tmp/blank.pdf``, copied there by the test)."""
    def make(path: Path, tmp: Path) -> None:
        transform(tmp / "blank.pdf", path)

    return make


def _encrypt(user: str):
    def transform(src: Path, dest: Path) -> None:
        from pypdf import PdfWriter

        w = PdfWriter(clone_from=src)
        w.encrypt(user_password=user, owner_password="owner", algorithm="RC4-128")
        w.write(dest)

    return transform


def _cut(fraction: float):
    def transform(src: Path, dest: Path) -> None:
        data = src.read_bytes()
        dest.write_bytes(data[: int(len(data) * fraction)])

    return transform


def _fill(values: dict):
    def transform(src: Path, dest: Path) -> None:
        fill_sheet(src, dest, values)

    return transform


PDF_CASES = [
    Case("password-protected", from_sheet(_encrypt("secret")), "password-protected", None),
    Case("owner-password-only-unfilled", from_sheet(_encrypt("")), "fill in the field “Pod”", None),
    Case("truncated-half", from_sheet(_cut(0.5)), "cannot read this PDF", None),
    Case("truncated-tail", from_sheet(_cut(0.999)), "cannot read this PDF", None),
    Case("header-then-garbage", b"%PDF-1.7\n" + garbage(5000, 6), "cannot read this PDF", None),
    Case("not-a-pdf", b"Dear HR, please find my notes attached.\n", "cannot read this PDF", None),
    Case("empty", b"", "cannot read this PDF", None),
    Case("blank-pdf", pdf_blank_pages(1), "no podkit form fields", None),
    Case("many-blank-pages", pdf_blank_pages(5000), "no podkit form fields", None),
    Case("foreign-form", pdf_foreign_form, "no podkit form fields", None),
    Case("unfilled-sheet", from_sheet(lambda s, d: shutil.copyfile(s, d)), "fill in the field “Date”", None),
    Case("badly-filled-sheet", from_sheet(_fill({"pk__meta__pod": "<script>x</script>", "pk__meta__date": "yesterday", "pk__meta__observer": "obs-a", "pk__meta__duration": "an hour"})), "“yesterday” is not a date like 2026-10-01", None),
    Case("too-many-fields", pdf_many_fields(25_000), "more than 20,000 form fields", None),
    Case("shared-kids-explosion", pdf_shared_kids, "more than 20,000 form fields", None),
    Case("kid-cycle", pdf_kid_cycle, "no podkit form fields", None),
    Case("over-size-limit", pdf_over_limit, f"up to {MAX_PDF_BYTES:,} bytes", None),
    Case("directory", directory, "no observation files", None),
    Case("missing", missing, "no such file or folder", None),
]
_pids = [c.id for c in PDF_CASES]
assert len(_pids) == len(set(_pids))


@pytest.mark.parametrize("case", PDF_CASES, ids=_pids)
def test_broken_observation_pdf(case: Case, scoring_sheet: Path, scoring_kit: Path, tmp_path: Path):
    shutil.copyfile(scoring_sheet, tmp_path / "blank.pdf")
    result, path, out = score_case(scoring_kit, tmp_path, "sheet.pdf", case)
    assert_user_error(result, "sheet.pdf", case.line())
    assert case.message in result.output
    assert list(out.iterdir()) == []


def test_one_bad_file_among_good_ones_writes_nothing(scoring_kit, tmp_path):
    """Every input is checked before anything is written, whatever the mix of formats."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(KITS / "scoring" / "observations" / "s1.yaml", folder / "s1.yaml")
    (folder / "more.csv").write_text(CSV.replace("pod-x", "pod-y"), encoding="utf-8")
    (folder / "zz-broken.yaml").write_text(sub(O, "level: 1", "level: high"), encoding="utf-8")
    (folder / "sheet.pdf").write_bytes(b"%PDF-1.7\nbroken")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("an earlier file")
    before = tree_digest(folder)
    result = invoke("score", folder, "-p", scoring_kit, "-o", out, "--as-of", AS_OF, "-f", "html,json,md")
    assert_user_error(result, "zz-broken.yaml", line_of(O, "level: 1"))
    assert "sheet.pdf: cannot read this PDF" in result.output
    assert "2 problems in 2 files" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert tree_digest(folder) == before


# --------------------------------------------------------------------------- generated cases


GARBAGE = st.sampled_from(["", "[", "]", "{", "}", "'", '"', ":", "- x", "&a", "*a", "!!python/name:os.system", "~", "yes", "-1", "1e999", ".nan", "2026-13-45", "\t", "|", ">", "%", "@", "`", "é", "\u2028", "\ufeff", "a: b: c", "[[[[", "? x", "<<: *a"])


@st.composite
def mutated(draw, text: str):
    """A valid file's text with one to three random edits."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["delete", "duplicate", "garbage", "tab", "truncate", "swap", "insert"]))
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "garbage":
            head, sep, _ = lines[i].partition(":")
            lines[i] = head + (sep or ":") + " " + draw(GARBAGE | st.text(max_size=12))
        elif op == "tab":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + "\t" + lines[i][pos:]
        elif op == "truncate":
            joined = "\n".join(lines)
            lines = joined[: draw(st.integers(0, len(joined)))].split("\n")
        elif op == "swap":
            j = draw(st.integers(0, max(0, len(lines) - 1)))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines.insert(i, draw(st.text(max_size=20)))
    return "\n".join(lines)


GENERATED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def assert_invariant(result, name: str, *, file_level: tuple[str, ...]) -> None:
    """Exit 0, or exit 1 with a message naming the file (located where the format has lines)."""
    out = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in out and "Internal error" not in out, out
    assert result.exit_code in (0, 1), out
    if result.exit_code == 1:
        assert name in out, out
        assert re.search(rf"{re.escape(name)}:\d+", out) or any(m in out for m in file_level), out


@GENERATED
@given(text=mutated(ASSESSMENT))
def test_generated_assessment_mutations(text, tmp_path_factory):
    kit = tmp_path_factory.mktemp("gen-a")
    shutil.copytree(KITS / "minimal" / "assessments", kit / "assessments")
    (kit / "assessments" / A_NAME).write_text(text, encoding="utf-8")
    result = invoke("validate", "-p", kit)
    assert_invariant(result, A_NAME, file_level=("file is empty", "file contains NUL bytes"))
    assert (kit / "assessments" / A_NAME).read_bytes() == text.encode("utf-8")  # bytes: reading as text would fold \r\n


@GENERATED
@given(text=mutated(OBSERVATION))
def test_generated_observation_mutations(text, scoring_kit, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gen-o")
    path = tmp / "obs.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke("score", path, "-p", scoring_kit, "-o", tmp / "out", "--as-of", AS_OF, "-f", "json")
    if "no session on or before the report date" in result.output:
        return  # a valid record dated after --as-of: a report-level message, not a file problem
    assert_invariant(result, "obs.yaml", file_level=("file is empty",))
    assert result.exit_code == 0 or not (tmp / "out").exists()


@GENERATED
@given(text=mutated(CSV))
def test_generated_csv_mutations(text, scoring_kit, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gen-c")
    path = tmp / "obs.csv"
    path.write_text(text, encoding="utf-8")
    result = invoke("score", path, "-p", scoring_kit, "-o", tmp / "out", "--as-of", AS_OF, "-f", "json")
    if "no session on or before the report date" in result.output:
        return
    assert_invariant(result, "obs.csv", file_level=("no header row", "no data rows after the header"))
    assert result.exit_code == 0 or not (tmp / "out").exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048))
def test_generated_bytes_as_pdf(data, scoring_kit, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gen-p")
    path = tmp / "sheet.pdf"
    path.write_bytes(b"%PDF-1.7\n" + data)
    result = invoke("score", path, "-p", scoring_kit, "-o", tmp / "out", "--as-of", AS_OF, "-f", "json")
    assert_invariant(result, "sheet.pdf", file_level=("cannot read this PDF", "no podkit form fields"))
    assert result.exit_code == 1 and not (tmp / "out").exists()


# --------------------------------------------------------------------------- bounded, in a real process


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def run_bounded(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m podkit ARGS`` with 1 GiB of address space; a hang past 10 s fails the test."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    return run_podkit(*args, timeout=10, cwd=cwd, env=env, preexec_fn=_limits)


def _worst_assessments() -> list[tuple[str, str | bytes, str]]:
    wide = "a: [" + ",".join(["1"] * 300_000) + "]\n"  # 600 KB, more values than allowed
    return [
        ("alias-bomb", alias_bomb(levels=12, prefix=A), "too many aliases"),
        ("deep", A + "x: " + "[" * 100_000 + "]" * 100_000 + "\n", f"deeper than {MAX_DEPTH}"),
        ("wide", A + wide, "more than 200,000 values"),
        ("long-line", A + "x: '" + "y" * (MAX_TEXT_BYTES - len(A) - 20) + "'\n", "unknown key 'x'"),
        ("garbage", garbage(MAX_TEXT_BYTES - 10, 7).replace(b"\x00", b"\x01"), A_NAME),
    ]


@pytest.mark.parametrize("name, content, message", _worst_assessments(), ids=[c[0] for c in _worst_assessments()])
def test_worst_assessments_are_bounded_in_a_real_process(name, content, message, tmp_path):
    kit = tmp_path / "kit"
    copy_kit("minimal", kit)
    path = kit / "assessments" / A_NAME
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    proc = run_bounded("validate", "-p", kit)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "Internal error" not in proc.stderr, proc.stderr
    assert A_NAME in proc.stderr and message in proc.stderr, proc.stderr


def test_worst_observation_inputs_are_bounded_in_a_real_process(scoring_sheet, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bomb.yaml").write_text(alias_bomb(levels=12, prefix=O), encoding="utf-8")
    (folder / "wide.csv").write_text(CSV_HEADER + "\n" + (R0 + "\n") * 20_000, encoding="utf-8")  # 1.7 MB
    pdf_shared_kids(folder / "tree.pdf", tmp_path)
    pdf_many_fields(30_000)(folder / "fields.pdf", tmp_path)
    out = tmp_path / "out"
    proc = run_bounded("score", folder, "-p", KITS / "scoring", "-o", out, "--as-of", AS_OF)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "Internal error" not in proc.stderr, proc.stderr
    for expected in ("bomb.yaml", "too many aliases", "wide.csv:3: duplicate response", "tree.pdf: the PDF has more than", "fields.pdf: the PDF has more than"):
        assert expected in proc.stderr, proc.stderr
    assert not out.exists()


# --------------------------------------------------------------------------- exit codes per command


def test_help_documents_the_exit_codes():
    result = invoke("--help")
    assert result.exit_code == 0
    for line in ("0  success", "1  invalid input", "2  usage error", "3  internal error"):
        assert line in result.output


USAGE_ERRORS = [
    ["--no-such-option"],
    ["no-such-command"],
    ["validate", "--no-such-option"],
    ["validate", "extra-argument"],
    ["lint", "--rule", "no-such-rule"],
    ["lint", "--bogus"],
    ["build", "--paper", "a3"],
    ["build", "--jobs", "-1"],
    ["build", "--theme", "/no/such/theme"],
    ["print", "--only", "poster"],
    ["print", "--paper"],
    ["serve", "--port", "0"],
    ["serve", "--port", "http"],
    ["schema"],
    ["schema", "nonsense"],
    ["new-observation"],
    ["new-observation", "demo-standup"],
    ["new-observation", "demo-standup", "--pod", "Pod Aurora"],
    ["new-observation", "demo-standup", "--pod", "pod-a", "--date", "20th of May"],
    ["new-observation", "demo-standup", "--pod", "pod-a", "--observers", "Alice Smith"],
    ["new-observation", "demo-standup", "--pod", "pod-a", "--session", "party"],
    ["score"],
    ["score", "obs.yaml", "--format", "docx"],
    ["score", "obs.yaml", "--as-of", "tomorrow"],
]


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=[" ".join(a) for a in USAGE_ERRORS])
def test_usage_errors_exit_2(args, built_minimal):
    # commands that read the kit get it, so that only the usage error can fail them
    needs_kit = args and args[0] in ("new-observation", "validate", "lint", "build", "print", "score") and "--no-such-option" not in args
    full = [*args, "-p", str(built_minimal)] if needs_kit and len(args) > 1 else args
    result = invoke(*full)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "Usage:" in result.output or "Error:" in result.output


def test_user_errors_exit_1_for_every_command(built_minimal, tmp_path):
    """Each command meets a user error (not a usage error) with exit 1 and a named cause."""
    nowhere = tmp_path / "not-a-kit"
    nowhere.mkdir()
    cases = [
        (["validate", "-p", nowhere], "no 'assessments/' folder"),
        (["lint", "-p", nowhere], "no 'assessments/' folder"),
        (["build", "--no-pdf", "-p", nowhere], "no 'assessments/' folder"),
        (["print", "-p", nowhere], "no 'assessments/' folder"),
        (["serve", "-p", nowhere], "no 'assessments/' folder"),
        (["print", "no-such-assessment", "-p", built_minimal, "-o", tmp_path / "pdf"], "unknown assessment 'no-such-assessment'"),
        (["new-observation", "no-such-assessment", "--pod", "pod-a", "-p", built_minimal, "-o", tmp_path / "o.yaml"], "unknown assessment 'no-such-assessment'"),
        (["score", tmp_path / "missing.yaml", "-p", built_minimal, "-o", tmp_path / "out"], "missing.yaml: no such file or folder"),
    ]
    existing = tmp_path / "exists.yaml"
    existing.write_text("keep me\n")
    cases.append((["new-observation", "demo-standup", "--pod", "pod-a", "-p", built_minimal, "-o", existing], "already exists"))
    for args, message in cases:
        result = invoke(*args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output and "Traceback" not in result.output, result.output
    assert existing.read_text() == "keep me\n"
    assert not (tmp_path / "pdf").exists() and not (tmp_path / "out").exists() and not (tmp_path / "o.yaml").exists()


def test_lint_strict_failure_exits_1_and_internal_error_exits_3(tmp_path, monkeypatch):
    kit = tmp_path / "kit"
    copy_kit("lint-bad", kit)
    result = invoke("lint", "--strict", "-p", kit)
    assert result.exit_code == 1 and "--strict treats warnings as errors" in result.output
    import podkit.pipeline

    # pipeline.py is where every command loads the kit
    monkeypatch.setattr(podkit.pipeline, "load_kit", lambda project: 1 / 0)
    result = invoke("validate", "-p", kit)
    assert result.exit_code == 3 and "Internal error: ZeroDivisionError" in result.output
