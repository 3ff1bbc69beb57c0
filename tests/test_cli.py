"""The CLI as a user meets it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from podkit import __version__
from podkit.cli import main


def _run(runner, *args):
    result = runner.invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_help_lists_commands_and_exit_codes(runner):
    result = _run(runner, "--help")
    assert result.exit_code == 0
    for command in ("validate", "build", "serve", "schema"):
        assert command in result.output
    assert "Exit codes:" in result.output and "2  usage error" in result.output


def test_version(runner):
    result = _run(runner, "--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "podkit", "--version"], capture_output=True, text=True, check=True)
    assert __version__ in out.stdout


def test_validate_ok(runner, kit_copy):
    kit = kit_copy("minimal")
    result = _run(runner, "validate", "--project", str(kit))
    assert result.exit_code == 0
    assert "OK: 1 assessments, 4 items are valid." in result.output


@pytest.mark.parametrize(
    "edit, expect",
    [
        (lambda t: t.replace("summary:", "colour: blue\nsummary:", 1), "unknown key 'colour'"),
        (lambda t: t.replace("summary:", "summary: [unclosed\nx:", 1), "YAML syntax error"),
        (lambda t: t.replace("summary:", "title: Again\nsummary:", 1), "duplicate key 'title'"),
    ],
    ids=["unknown-key", "syntax-error", "duplicate-key"],
)
def test_validate_names_file_and_line(runner, kit_copy, edit, expect):
    kit = kit_copy("minimal")
    f = kit / "assessments" / "demo-standup.yaml"
    text = edit(f.read_text())
    f.write_text(text)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith(("colour", "summary: [", "title: Again")))
    result = _run(runner, "validate", "-p", str(kit))
    assert result.exit_code == 1
    assert f"demo-standup.yaml:{line}:" in result.output
    assert expect in result.output
    assert "Error: 1 problem in 1 file" in result.output


def test_all_problems_in_all_files_at_once(runner, kit_copy):
    kit = kit_copy("minimal")
    src = (kit / "assessments" / "demo-standup.yaml").read_text()
    (kit / "assessments" / "demo-standup.yaml").write_text(src.replace("version: 1.0.0", "version: one"))
    (kit / "assessments" / "second.yaml").write_text("id: second\ntitle: x\nunknown: 1\n")
    result = _run(runner, "validate", "-p", str(kit))
    assert result.exit_code == 1
    assert "demo-standup.yaml:4:1: version: expected a version like 1.0.0 — got 'one'" in result.output
    assert "second.yaml:3:1: unknown: unknown key 'unknown'" in result.output
    assert "problems in 2 files" in result.output


def test_schema_assessment_is_json_schema(runner):
    result = _run(runner, "schema", "assessment")
    schema = json.loads(result.output)
    assert schema["$schema"].endswith("2020-12/schema")
    assert "items" in schema["properties"]


def test_usage_error_exit_code(runner):
    result = runner.invoke(main, ["schema", "nonsense"])
    assert result.exit_code == 2


def test_internal_error_is_short_without_debug(runner, monkeypatch, kit_copy):
    import podkit.pipeline

    def boom(project):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(podkit.pipeline, "load_kit", boom)
    kit = kit_copy("minimal")
    result = runner.invoke(main, ["validate", "-p", str(kit)])
    assert result.exit_code == 3
    assert "Internal error: RuntimeError: simulated bug" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output
    result = runner.invoke(main, ["--debug", "validate", "-p", str(kit)])
    assert isinstance(result.exception, RuntimeError)


def test_not_a_kit(runner, tmp_path):
    result = _run(runner, "validate", "-p", str(tmp_path))
    assert result.exit_code == 1
    assert "no 'assessments/' folder" in result.output


def test_help_is_light():
    """--help must not import the heavy stages (pydantic models, mkdocs, weasyprint)."""
    code = "import sys; from podkit.cli import main; print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'mkdocs', 'weasyprint', 'krippendorff', 'numpy')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- score's summary, list


def _scoring_inputs(kit: "Path", tmp_path: "Path") -> "Path":
    """The worked example's two sessions for pod-demo, the first again for pod-other, and a thin
    record for pod-thin that observes one item of four, marks one not observed and leaves two out
    (insufficient evidence)."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    s1 = (kit / "observations" / "s1.yaml").read_text()
    for name in ("s1.yaml", "s2.yaml"):
        (inputs / name).write_text((kit / "observations" / name).read_text())
    (inputs / "other.yaml").write_text(s1.replace("pod: pod-demo", "pod: pod-other"))
    thin = s1.replace("pod: pod-demo", "pod: pod-thin")
    thin = thin[: thin.index("responses:")] + "responses:\n  dod-checked:\n    obs-a:\n      check: yes\n  swarming:\n    obs-a:\n      not_observed: true\n"
    (inputs / "thin.yaml").write_text(thin)
    return inputs


def test_score_prints_a_summary_line_per_report_and_the_portfolio(runner, kit_copy, tmp_path):
    kit = kit_copy("scoring")
    inputs = _scoring_inputs(kit, tmp_path)
    out = tmp_path / "reports"
    result = runner.invoke(main, ["score", str(inputs), "-o", str(out), "--as-of", "2026-03-30", "-p", str(kit)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ("pod-demo · worked-example · 2 sessions, latest 2026-03-16: score 55.6, readiness level: Verifying; "
                        "1 open finding; 0 current alerts → pod-demo--worked-example.html, pod-demo--worked-example.json")
    assert lines[1].startswith("pod-other · worked-example · 1 session, latest 2026-03-02: score ")
    assert lines[2].startswith("pod-thin · worked-example · 1 session, latest 2026-03-02: insufficient evidence (")
    assert "no record for items done-demonstrated, blockers-unowned; marked not observed: swarming; 0 open findings; 0 current alerts" in lines[2]
    assert lines[3].startswith("Portfolio: 3 pods, 3 reports; ") and lines[3].endswith("→ portfolio.html, portfolio.json")
    assert lines[4].startswith("Wrote 11 report files to ")  # 8 reports and the 3 pods' one-page summaries
    # the thin record is also warned about, naming its file
    assert "thin.yaml" in result.stderr and "no record for items done-demonstrated, blockers-unowned: mark an item nobody saw as not observed" in result.stderr


def test_score_summary_as_json_and_quiet(runner, kit_copy, tmp_path):
    kit = kit_copy("scoring")
    inputs = _scoring_inputs(kit, tmp_path)
    result = runner.invoke(main, ["score", str(inputs), "-o", str(tmp_path / "r"), "--as-of", "2026-03-30", "--summary", "json", "-f", "json", "-p", str(kit)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-03-30"
    demo = data["reports"][0]
    assert demo["pod"] == "pod-demo" and demo["assessment"] == "worked-example" and demo["status"] == "scored"
    assert demo["level"] == "verifying" and demo["score"] == pytest.approx(55.555, abs=0.01) and demo["open_findings"] == 1
    assert demo["files"] == ["pod-demo--worked-example.json"]
    thin = data["reports"][2]
    assert thin["status"] == "insufficient-evidence" and thin["score"] is None and thin["unobserved"] == ["done-demonstrated", "blockers-unowned"]
    assert thin["marked_not_observed"] == ["swarming"]
    assert data["portfolio"]["pods"] == 3 and data["portfolio"]["files"] == ["portfolio.json"]
    assert len(data["files"]) == 4
    quiet = runner.invoke(main, ["score", str(inputs), "-o", str(tmp_path / "q"), "--as-of", "2026-03-30", "-q", "-p", str(kit)], catch_exceptions=False)
    assert quiet.exit_code == 0 and quiet.stdout == ""
    assert "--summary" in runner.invoke(main, ["score", "--help"]).output


def test_score_format_may_be_repeated_or_listed(runner, kit_copy, tmp_path):
    """-f json -f md writes both formats, exactly like -f json,md (a repeated option never silently keeps only the last)."""
    kit = kit_copy("scoring")
    inputs = _scoring_inputs(kit, tmp_path)
    written = {}
    for name, formats in (("repeated", ["-f", "json", "-f", "md"]), ("listed", ["-f", "json,md"])):
        result = runner.invoke(main, ["score", str(inputs), "-o", str(tmp_path / name), "--as-of", "2026-03-30", "-q", *formats, "-p", str(kit)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        written[name] = sorted(p.name for p in (tmp_path / name).iterdir() if not p.name.startswith("."))
    assert written["repeated"] == written["listed"]
    assert {Path(n).suffix for n in written["repeated"]} == {".json", ".md"}
    bad = runner.invoke(main, ["score", str(inputs), "-o", str(tmp_path / "bad"), "-f", "json", "-f", "xml", "-p", str(kit)])
    assert bad.exit_code != 0 and "got 'json,xml'" in bad.output


def test_list_shows_the_assessments(runner, kit_copy):
    kit = kit_copy("scoring")
    result = _run(runner, "list", "-p", str(kit))
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split() == ["ID", "TITLE", "VERSION", "ITEMS", "SESSION", "TYPES"]
    assert row.startswith("worked-example") and " 1.0.0 " in row and " 4  " in row
    as_json = json.loads(_run(runner, "list", "--json", "-p", str(kit)).stdout)
    assert as_json == [{"id": "worked-example", "title": as_json[0]["title"], "version": "1.0.0", "items": 4, "sessions": as_json[0]["sessions"]}]
    assert as_json[0]["title"] in row and ", ".join(as_json[0]["sessions"]) in row
    assert "list" in _run(runner, "--help").output


# --------------------------------------------------------------------------- serve: the site build makes


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, b""


def _wait_for(check, what: str, proc, limit: float = 600.0):
    """Poll ``check`` until it returns something true; fail (with the server's log) if the server
    exits or ``limit`` seconds pass. A guard against hanging, not a timing assertion."""
    import time

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"podkit serve exited ({proc.returncode}) before {what}")
        found = check()
        if found:
            return found
        time.sleep(1.0)
    pytest.fail(f"podkit serve: no {what} after {limit:.0f} s")


@pytest.mark.slow
def test_serve_has_the_reports_and_the_pdfs_build_makes(kit_copy, tmp_path):
    import re
    import signal

    kit = kit_copy("sample")
    obs = kit / "examples" / "observations"
    obs.mkdir(parents=True)
    for pod in ("pod-a", "pod-b"):
        result = CliRunner().invoke(main, ["new-observation", "alignment-sample", "--pod", pod, "--date", "2026-09-01", "-o", str(obs), "-p", str(kit)])
        assert result.exit_code == 0, result.output
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "podkit", "serve", "-p", str(kit), "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        status, body = _wait_for(lambda: (lambda r: r if r[0] == 200 else None)(_get(base + "reports/")), "/reports/", proc)
        assert b"portfolio" in body.lower()
        toolkits = _get(base + "toolkits/")[1].decode()
        pdfs = sorted(set(re.findall(r'href="\.\./(downloads/[^"]+\.pdf)"', toolkits)))
        if "still being made" in toolkits:
            # rendered in the background; the page is rebuilt when they are ready
            def ready():
                page = _get(base + "toolkits/")[1].decode()
                return page if "still being made" not in page and ".pdf" in page else None

            toolkits = _wait_for(ready, "rendered PDFs", proc)
            pdfs = sorted(set(re.findall(r'href="\.\./(downloads/[^"]+\.pdf)"', toolkits)))
        assert "No PDFs in this build" not in toolkits
        assert "downloads/alignment-sample-toolkit-a4.pdf" in pdfs and "downloads/podkit-hr-guide-letter.pdf" in pdfs
        for path in pdfs:
            status, body = _get(base + path)
            assert status == 200 and body[:5] == b"%PDF-", path
        assert re.search(r"Observation sheet</th>", toolkits) and re.search(r"pages \d+–\d+", toolkits)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
