"""The browser recorder in real Chromium: fill, reload, download, score.

For every shipped assessment a scripted session is recorded through the page, the way an observer
would (buttons, boxes, the interval timer under Playwright's fake clock), with a reload half-way.
The downloaded YAML and CSV are scored with ``podkit score`` and must score exactly like the same
answers written by hand. Loading the download back continues the session and downloads the same
file again. One recorder is also used from the offline build opened from file://. No request may
leave 127.0.0.1 (or file://), and axe finds no serious or critical violation.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from browser_util import AXE_JS, Tab, copy_kit, only_files, only_local_http, screenshot, serve, shared_build
from podkit.cli import main
from podkit.fields import NOT_APPLICABLE, NOT_OBSERVED, OUT_OF, REASON, field_name, interval_field
from podkit.kit import Project, load_kit
from podkit.model import AnchoredItem, CheckItem, CodesItem, CountItem
from podkit.recorder import page_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SERIOUS = ("serious", "critical")
#: The fake clock's "now" (a past date, so the session date is never in the future).
NOW = dt.datetime(2026, 11, 2, 9, 0, 0)
POD, OBSERVER, SESSION_DATE = "pod-recorded", "obs-r", "2026-10-30"
#: Set PODKIT_RECORDER_ONLY=a,b to try a few assessments while developing.
ONLY = [x for x in os.environ.get("PODKIT_RECORDER_ONLY", "").split(",") if x]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The shipped kit built without PDFs (the recorder does not need them)."""
    base = tmp_path_factory.mktemp("recorder-build")
    kit = copy_kit(base / "kit")
    cmd = [sys.executable, "-m", "podkit", "build", "--project", "kit", "--site-dir", "site", "--no-pdf"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=base, timeout=900, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return kit, base / "site"


@pytest.fixture(scope="module")
def kit(built):
    return load_kit(Project.find(built[0]))


@pytest.fixture(scope="module")
def base_url(built):
    with serve(built[1]) as url:
        yield url


def _assessments():
    kit = load_kit(Project.find(Path(__file__).resolve().parent.parent))
    return [a.id for a in kit.assessments if not ONLY or a.id in ONLY]


# --------------------------------------------------------------------------- the script


def scripted(a, *, not_applicable: bool = True) -> dict:
    """The answers the test records for each item of ``a``: the response as it must be written.

    With ``not_applicable`` every other item that allows it is recorded as not applicable.
    """
    plan = {}
    for i, it in enumerate(a.items):
        evidence = f"Note {i}: the pod said \"ship it\", then paused; 50% done, café #{i}"
        if not_applicable and it.not_applicable and i % 2 == 0:
            plan[it.id] = {"not_applicable": True, "reason": f"Scripted: {' '.join(it.not_applicable.split())[:60]}".strip(), "evidence": evidence}
        elif i % 7 == 6:
            plan[it.id] = {"not_observed": True, "evidence": ""}  # left empty: written as not observed
        elif i % 5 == 3:
            plan[it.id] = {"not_observed": True, "evidence": evidence}
        elif isinstance(it, AnchoredItem):
            plan[it.id] = {"level": a.levels[i % len(a.levels)], "evidence": evidence}
        elif isinstance(it, CheckItem):
            plan[it.id] = {"check": i % 2 == 1, "evidence": evidence}
        elif isinstance(it, CountItem):
            plan[it.id] = {"count": 1, "out_of": 3, "evidence": evidence} if it.denominator else {"count": 5, "evidence": evidence}
        elif isinstance(it, CodesItem):
            first, last = it.codes[0].id, it.codes[-1].id
            plan[it.id] = {"intervals": [[first], [], [last]], "evidence": evidence}
    return plan


def _record(page, a, it, want: dict, i: int) -> None:
    """Enter ``want`` for item ``it`` through the page, as an observer would."""
    box = page.locator(f'[data-item="{it.id}"]')
    if want.get("evidence") == "" and want.get("not_observed"):
        return  # left empty on purpose
    if want.get("not_applicable"):
        if isinstance(it, (AnchoredItem, CheckItem)):
            kind = "level" if isinstance(it, AnchoredItem) else "check"
            box.locator(f'input[name="{field_name(it.id, kind)}"][value="{NOT_APPLICABLE}"]').check()
        else:
            box.locator(f'input[name="{field_name(it.id, NOT_APPLICABLE)}"]').check()
        box.locator(f'textarea[name="{field_name(it.id, REASON)}"]').fill(want["reason"])
    elif want.get("not_observed"):
        if isinstance(it, (AnchoredItem, CheckItem)):
            kind = "level" if isinstance(it, AnchoredItem) else "check"
            box.locator(f'input[name="{field_name(it.id, kind)}"][value="{NOT_OBSERVED}"]').check()
        else:
            box.locator(f'input[name="{field_name(it.id, NOT_OBSERVED)}"]').check()
    elif "level" in want:
        box.locator(f'input[name="{field_name(it.id, "level")}"][value="{want["level"]}"]').check()
    elif "check" in want:
        box.locator(f'input[name="{field_name(it.id, "check")}"][value="{"yes" if want["check"] else "no"}"]').check()
    elif "count" in want:
        if "out_of" in want:  # the tally: + + − gives 1
            for step in ("1", "1", "-1"):
                box.locator(f'button[data-step="{step}"]').click()
            box.locator(f'input[name="{field_name(it.id, OUT_OF)}"]').fill(str(want["out_of"]))
        else:  # typed, then one more with the tally
            box.locator(f'input[name="{field_name(it.id, "count")}"]').fill(str(want["count"] - 1))
            box.locator('button[data-step="1"]').click()
    elif "intervals" in want:
        _record_intervals(page, it, want["intervals"])
    if want.get("evidence"):
        box.locator(f'textarea[name="{field_name(it.id, "evidence")}"]').fill(want["evidence"])


def _record_intervals(page, it, intervals) -> None:
    """Start the timer, tick codes while the fake clock runs through three intervals, correct the
    first interval afterwards, and pause."""
    box = page.locator(f'[data-item="{it.id}"]')
    length_ms = it.interval_minutes * 60_000
    box.locator('[data-act="toggle"]').click()
    extra = it.codes[1].id if len(it.codes) > 1 else None
    for n, codes in enumerate(intervals, start=1):
        clock = box.locator("[data-clock]")
        assert clock.inner_text().startswith(f"Interval {n} of"), clock.inner_text()
        for code in codes:
            box.locator(f'input[name="{interval_field(it.id, n, code)}"]').check()
        if n == 1 and extra and extra not in codes:
            box.locator(f'input[name="{interval_field(it.id, 1, extra)}"]').check()  # a slip, corrected below
        if n < len(intervals):
            page.clock.run_for(length_ms + 500)  # the boundary, then the announcement
            assert f"interval {n + 1} of" in page.locator("#announcer").inner_text()
    # later intervals cannot be ticked yet
    assert box.locator(f'input[name="{interval_field(it.id, len(intervals) + 1, it.codes[0].id)}"]').is_disabled()
    if extra and extra not in intervals[0]:
        box.locator(f'input[name="{interval_field(it.id, 1, extra)}"]').uncheck()
    box.locator('[data-act="toggle"]').click()  # pause
    assert "(paused)" in box.locator("[data-clock]").inner_text()


def _fill_session(page, a) -> None:
    page.fill('input[name="pk__meta__pod"]', POD)
    page.fill('input[name="pk__meta__date"]', SESSION_DATE)
    page.select_option('select[name="pk__meta__session"]', a.setting.sessions[-1])
    page.fill('input[name="pk__meta__duration"]', str(a.setting.duration_minutes))
    page.fill('input[name="pk__meta__observer"]', OBSERVER)


def hand_written(a, plan: dict) -> dict:
    return {
        "assessment": a.id, "assessment_version": a.version, "pod": POD, "date": SESSION_DATE,
        "session": {"type": a.setting.sessions[-1], "duration_minutes": a.setting.duration_minutes},
        "observers": [OBSERVER], "notes": "", "responses": {item: {OBSERVER: r} for item, r in plan.items()},
    }


def _score(runner, kit_dir: Path, path: Path, out: Path) -> dict:
    result = runner.invoke(main, ["score", str(path), "-p", str(kit_dir), "-f", "json", "-o", str(out), "--as-of", NOW.date().isoformat(), "-q"], catch_exceptions=False)
    assert result.exit_code == 0, f"podkit score {path.name}:\n{result.output}"
    (report,) = [p for p in out.glob("*.json")]
    return _without_sources(json.loads(report.read_text(encoding="utf-8")))


def _without_sources(value):
    """A report minus what names the input file (its name, lines and digest)."""
    if isinstance(value, dict):
        return {k: _without_sources(v) for k, v in value.items() if k not in ("sources", "source", "inputs", "where", "sha256", "files", "digest")}
    if isinstance(value, list):
        return [_without_sources(v) for v in value]
    return value


def _open(browser, allowed=only_local_http, **options) -> Tab:
    tab = Tab.open(browser, allowed, accept_downloads=True, **options)
    tab.page.clock.install(time=NOW)
    tab.page.set_default_timeout(20_000)
    tab.page.on("dialog", lambda d: d.accept())
    return tab


def _download(page, button: str, dest: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("button", name=button, exact=True).click()
    info.value.save_as(dest)
    return dest


def _axe(page) -> list[dict]:
    page.clock.resume()  # axe waits on timers of its own
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"] if v["impact"] in SERIOUS]


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("assessment_id", _assessments())
def test_record_download_and_score(assessment_id, browser, base_url, built, kit, tmp_path, runner):
    kit_dir, _ = built
    a = kit.assessment(assessment_id)
    plan = scripted(a)  # answers, not observed and, where the item allows it, not applicable
    tab = _open(browser)
    page = tab.page
    page.goto(base_url + page_path(a.id), wait_until="load")
    page.clock.pause_at(NOW + dt.timedelta(minutes=5))
    _fill_session(page, a)
    half = len(a.items) // 2
    for i, it in enumerate(a.items[:half]):
        _record(page, a, it, plan[it.id], i)
    # a reload mid-session keeps everything and continues the same session
    page.reload(wait_until="load")
    assert page.input_value('input[name="pk__meta__pod"]') == POD
    assert page.input_value('input[name="pk__meta__observer"]') == OBSERVER
    for it in a.items[:half]:
        assert page.input_value(f'textarea[name="{field_name(it.id, "evidence")}"]') == plan[it.id]["evidence"]
    for i, it in enumerate(a.items[half:], start=half):
        _record(page, a, it, plan[it.id], i)
    empty = sum(1 for r in plan.values() if r == {"not_observed": True, "evidence": ""})
    assert page.locator("#progress").inner_text().startswith(f"{len(a.items) - empty} of {len(a.items)} items recorded")
    assert page.locator("#problems").is_hidden(), page.locator("#problem-list").inner_text()
    violations = _axe(page)
    assert not violations, "\n".join(violations)

    got_yaml = _download(page, "Download observation file", tmp_path / "recorded.yaml")
    got_csv = _download(page, "Download CSV", tmp_path / "recorded.csv")
    text = got_yaml.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=" + base_url + "schemas/observation.schema.json\n")
    manual = tmp_path / "manual.yaml"
    manual.write_text(yaml.safe_dump(hand_written(a, plan), allow_unicode=True, sort_keys=False), encoding="utf-8")
    loaded, expected = yaml.safe_load(text), hand_written(a, plan)
    loaded["date"] = loaded["date"].isoformat()
    for item in plan:
        assert loaded["responses"].get(item) == expected["responses"][item], item
    assert loaded == expected
    want = _score(runner, kit_dir, manual, tmp_path / "out-manual")
    assert _score(runner, kit_dir, got_yaml, tmp_path / "out-yaml") == want
    assert _score(runner, kit_dir, got_csv, tmp_path / "out-csv") == want

    # downloading kept the session; loading the file in a fresh browser continues it unchanged
    page.reload(wait_until="load")
    assert page.input_value('input[name="pk__meta__pod"]') == POD
    tab.assert_clean()
    tab.close()
    fresh = _open(browser)
    fresh.page.goto(base_url + page_path(a.id), wait_until="load")
    fresh.page.set_input_files("#load-file", str(got_yaml))
    fresh.page.wait_for_function("document.getElementById('load-status').textContent.startsWith('Continuing')")
    again = _download(fresh.page, "Download observation file", tmp_path / "again.yaml")
    assert again.read_text(encoding="utf-8") == text
    fresh.page.set_input_files("#load-file", str(got_csv))
    fresh.page.wait_for_function("document.getElementById('load-status').textContent.includes('.csv')")
    from_csv = _download(fresh.page, "Download observation file", tmp_path / "from-csv.yaml")
    assert from_csv.read_text(encoding="utf-8") == text
    fresh.assert_clean()
    fresh.close()


def test_resume_and_discard(browser, base_url, kit):
    a = kit.assessments[0]
    tab = _open(browser)
    page = tab.page
    page.goto(base_url + page_path(a.id), wait_until="load")
    page.fill('input[name="pk__meta__pod"]', "pod-first")
    page.get_by_role("button", name="Start a new session").click()
    page.fill('input[name="pk__meta__pod"]', "pod-second")
    page.reload(wait_until="load")
    assert page.input_value('input[name="pk__meta__pod"]') == "pod-second"
    listed = page.locator("#resume-list li")
    assert listed.count() == 1 and "pod-first" in listed.inner_text()
    listed.get_by_role("button", name="Resume").click()
    assert page.input_value('input[name="pk__meta__pod"]') == "pod-first"
    dialogs = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    page.locator("#resume-list li").get_by_role("button", name="Discard").click()
    assert dialogs and "cannot be brought back" in dialogs[0]
    assert page.locator("#resume-list li").count() == 0
    assert page.input_value('input[name="pk__meta__pod"]') == "pod-first"
    tab.assert_clean()
    tab.close()


def test_offline_build_from_file(browser, tmp_path_factory, tmp_path, runner):
    offline = shared_build(tmp_path_factory, offline=True)
    kit = load_kit(Project.find(offline.kit))
    a = next(a for a in kit.assessments if any(isinstance(it, CodesItem) for it in a.items))
    page_file = offline.site / page_path(a.id)
    assert page_file.is_file()
    tab = _open(browser, only_files)
    page = tab.page
    page.goto(page_file.as_uri(), wait_until="load")
    page.clock.pause_at(NOW + dt.timedelta(minutes=5))
    _fill_session(page, a)
    plan = scripted(a)
    for i, it in enumerate(a.items):
        _record(page, a, it, plan[it.id], i)
    page.reload(wait_until="load")
    assert page.input_value('input[name="pk__meta__pod"]') == POD
    got = _download(page, "Download observation file", tmp_path / "offline.yaml")
    want = tmp_path / "manual.yaml"
    want.write_text(yaml.safe_dump(hand_written(a, plan), allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert _score(runner, offline.kit, got, tmp_path / "a") == _score(runner, offline.kit, want, tmp_path / "b")
    # the links out of the recorder lead to pages of the offline copy
    back = page.get_by_role("link", name="About this assessment")
    assert (page_file.parent / back.get_attribute("href")).resolve().is_file()
    tab.assert_clean()
    tab.close()


@pytest.mark.parametrize("width, height, scheme", [(1280, 900, "light"), (800, 1280, "dark")])
def test_screens(browser, base_url, kit, width, height, scheme):
    a = next(a for a in kit.assessments if any(isinstance(it, CodesItem) for it in a.items))
    tab = Tab.open(browser, only_local_http, color_scheme=scheme)
    tab.page.set_viewport_size({"width": width, "height": height})
    page = tab.page
    page.goto(base_url + page_path(a.id), wait_until="load")
    codes = next(it for it in a.items if isinstance(it, CodesItem))
    page.locator(f'[data-item="{codes.id}"] [data-act="toggle"]').click()
    page.locator(f'[data-item="{codes.id}"]').scroll_into_view_if_needed()
    # every control a finger uses is at least 44 px high
    small = page.evaluate("""() => [...document.querySelectorAll('button, .level, .choice, .cell, summary, select, input[type=text], input[type=number], input[type=date]')]
        .filter(e => e.offsetParent !== null).map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height]).filter(x => x[1] < 44)""")
    assert not small, small[:5]
    screenshot(page, f"recorder-{width}x{height}-{scheme}")
    violations = _axe(page)
    assert not violations, "\n".join(violations)
    tab.assert_clean()
    tab.close()


def test_ids_yaml_would_misread_are_quoted(browser, base_url, built, kit, tmp_path, runner):
    """A pod called "2026" or an observer called "no" stays text in the file (YAML would read a
    number and false), and podkit reads them back as written."""
    a = kit.assessments[0]
    tab = _open(browser)
    page = tab.page
    page.goto(base_url + page_path(a.id), wait_until="load")
    page.get_by_role("button", name="Start a new session").click()
    _fill_session(page, a)
    page.fill('input[name="pk__meta__pod"]', "2026")
    page.fill('input[name="pk__meta__observer"]', "no")
    it = next(it for it in a.items if isinstance(it, AnchoredItem))
    page.locator(f'input[name="{field_name(it.id, "level")}"][value="{a.levels[-1]}"]').check()
    got = _download(page, "Download observation file", tmp_path / "quoted.yaml")
    data = yaml.safe_load(got.read_text(encoding="utf-8"))
    assert data["pod"] == "2026" and data["observers"] == ["no"] and data["responses"][it.id] == {"no": {"level": a.levels[-1], "evidence": ""}}
    report = _score(runner, built[0], got, tmp_path / "out")
    assert report["pod"] == "2026"
    page.get_by_role("button", name="Start a new session").click()
    page.set_input_files("#load-file", str(got))
    page.wait_for_function("document.getElementById('load-status').textContent.startsWith('Continuing')")
    assert page.input_value('input[name="pk__meta__observer"]') == "no"
    assert page.locator(f'input[name="{field_name(it.id, "level")}"][value="{a.levels[-1]}"]').is_checked()
    tab.assert_clean()
    tab.close()


def test_keyboard_alone(browser, base_url, kit):
    """Tab reaches the first item's levels, the arrow keys choose one, Space ticks a grid cell."""
    a = next(a for a in kit.assessments if any(isinstance(it, CodesItem) for it in a.items))
    tab = Tab.open(browser, only_local_http)
    page = tab.page
    page.goto(base_url + page_path(a.id), wait_until="load")
    page.get_by_role("button", name="Start a new session").click()
    first = a.items[0]
    page.focus('textarea[name="pk__meta__notes"]')
    for _ in range(6):  # notes -> "Look for" of the first item -> its first control
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('[data-item]') && document.activeElement.tagName === 'INPUT'"):
            break
    focused = page.evaluate("[document.activeElement.closest('[data-item]').dataset.item, document.activeElement.type]")
    assert focused[0] == first.id
    page.keyboard.press("Space" if focused[1] == "checkbox" else "ArrowDown")
    assert page.locator(f"#state-{first.id}").inner_text() != "not recorded yet"
    codes = next(it for it in a.items if isinstance(it, CodesItem))
    page.locator(f'[data-item="{codes.id}"] [data-act="toggle"]').focus()
    page.keyboard.press("Enter")
    cell = page.locator(f'input[name="{interval_field(codes.id, 1, codes.codes[0].id)}"]')
    cell.focus()
    page.keyboard.press("Space")
    assert cell.is_checked()
    tab.assert_clean()
    tab.close()


def test_blocked_storage_is_said_and_download_still_works(browser, base_url, kit, tmp_path):
    """Where the browser refuses storage (some do for file:// pages) the page says so and the
    download remains the observer's copy."""
    a = kit.assessments[0]
    tab = Tab.open(browser, only_local_http, accept_downloads=True)
    tab.context.add_init_script("Object.defineProperty(window, 'localStorage', {get() { throw new DOMException('denied', 'SecurityError'); }});")
    page = tab.page
    page.goto(base_url + page_path(a.id), wait_until="load")
    assert "does not let this page keep data" in page.locator("#storage-status").inner_text()
    _fill_session(page, a)
    got = _download(page, "Download observation file", tmp_path / "nostore.yaml")
    assert yaml.safe_load(got.read_text(encoding="utf-8"))["pod"] == POD
    tab.assert_clean()
    tab.close()


def test_two_observers_files_merge(browser, base_url, built, kit, tmp_path, runner):
    """Two observers record the same session on their own; podkit scores their files together."""
    a = kit.assessments[0]
    it = next(it for it in a.items if isinstance(it, AnchoredItem))
    files = []
    for observer, level in (("obs-a", a.levels[-1]), ("obs-b", a.levels[-2])):
        tab = _open(browser)
        page = tab.page
        page.goto(base_url + page_path(a.id), wait_until="load")
        _fill_session(page, a)
        page.fill('input[name="pk__meta__observer"]', observer)
        page.locator(f'input[name="{field_name(it.id, "level")}"][value="{level}"]').check()
        files.append(_download(page, "Download observation file", tmp_path / f"{observer}.yaml"))
        tab.assert_clean()
        tab.close()
    folder = tmp_path / "both"
    folder.mkdir()
    for f in files:
        (folder / f.name).write_bytes(f.read_bytes())
    report = _score(runner, built[0], folder, tmp_path / "out")
    assert len(report["sessions"]) == 1 and sorted(report["sessions"][0]["observers"]) == ["obs-a", "obs-b"]


# --------------------------------------------------------------------------- what the shipped kit does not use yet


def _variant(kit_dir: Path) -> str:
    """Give one assessment of a kit copy every item feature the recorder handles: "not applicable"
    on an item of each kind, a decision rule, a ratio count item and a per-hour count item."""
    path = kit_dir / "assessments" / "participation-and-voice.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    by_kind: dict[str, list[dict]] = {}
    for item in data["items"]:
        by_kind.setdefault(item["kind"], []).append(item)
    for kind in ("anchored", "check", "count", "codes"):
        by_kind[kind][0]["not_applicable"] = f"The session gave this {kind} item nothing to apply to."
    ruled = by_kind["anchored"][1]
    ruled["decision_rule"] = [{"level": 3, "when": "every dissent gets a *reasoned* reply"}, {"level": 2, "when": "most dissent gets a reply"},
                              {"level": 1, "when": "some dissent gets a reply"}, {"level": 0, "when": "otherwise"}]
    ratio, hourly = by_kind["count"][1], by_kind["count"][2]
    ratio.update(denominator="members present", better="higher", thresholds={1: 0.25, 2: 0.5, 3: 0.75})
    hourly.update(per="hour")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.rmtree(kit_dir / "examples" / "observations")  # the samples answer the items as they were
    return data["id"]


def test_not_applicable_decision_rule_ratio_and_rate(browser, tmp_path_factory, tmp_path):
    base = tmp_path_factory.mktemp("recorder-variant")
    kit_dir = copy_kit(base / "kit")
    aid = _variant(kit_dir)
    proc = subprocess.run([sys.executable, "-m", "podkit", "build", "--project", "kit", "--site-dir", "site", "--no-pdf"],
                          capture_output=True, text=True, cwd=base, timeout=900, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    a = load_kit(Project.find(kit_dir)).assessment(aid)
    plan = scripted(a)
    for i, it in enumerate(a.items):  # every item that allows it is recorded as not applicable
        if it.not_applicable:
            plan[it.id] = {"not_applicable": True, "reason": f"Scripted reason {i}", "evidence": ""}
    assert any("out_of" in r for r in plan.values())
    with serve(base / "site") as url:
        tab = _open(browser)
        page = tab.page
        page.goto(url + page_path(a.id), wait_until="load")
        page.clock.pause_at(NOW + dt.timedelta(minutes=5))
        ruled = next(it for it in a.items if isinstance(it, AnchoredItem) and it.decision_rule and "*reasoned*" in it.decision_rule[0].when)
        assert "Level 3 when every dissent gets a reasoned reply" in page.locator(f'[data-item="{ruled.id}"] .rule').inner_text()
        hourly = next(it for it in a.items if isinstance(it, CountItem) and it.per == "hour")
        assert "per hour" in page.locator(f'[data-item="{hourly.id}"]').inner_text()
        _fill_session(page, a)
        # "not applicable" asks for its reason, and says so until it is given
        na = next(it for it in a.items if it.not_applicable and isinstance(it, CountItem))
        box = page.locator(f'[data-item="{na.id}"]')
        box.locator(f'input[name="{field_name(na.id, NOT_APPLICABLE)}"]').check()
        assert box.locator(f'textarea[name="{field_name(na.id, REASON)}"]').is_visible()
        assert "give the reason it did not apply" in page.locator("#problem-list").inner_text()
        box.locator(f'input[name="{field_name(na.id, NOT_APPLICABLE)}"]').uncheck()
        for i, it in enumerate(a.items):
            _record(page, a, it, plan[it.id], i)
        assert page.locator("#problems").is_hidden(), page.locator("#problem-list").inner_text()
        got = _download(page, "Download observation file", tmp_path / "variant.yaml")
        got_csv = _download(page, "Download CSV", tmp_path / "variant.csv")
        tab.assert_clean()
        tab.close()
    loaded = yaml.safe_load(got.read_text(encoding="utf-8"))
    loaded["date"] = loaded["date"].isoformat()
    assert loaded == hand_written(a, plan)
    manual = tmp_path / "manual.yaml"
    manual.write_text(yaml.safe_dump(hand_written(a, plan), allow_unicode=True, sort_keys=False), encoding="utf-8")
    # podkit's reader and checks accept all three files and read the same observation from them.
    # (Scoring "not applicable", ratios and rates is another stage's work: on this branch
    # `podkit score` does not handle not_applicable yet, so the scores are compared above, on the
    # shipped assessments, and the records here.)
    from podkit.observations import load_observations

    kit = load_kit(Project.find(kit_dir))
    records = {p.name: load_observations([p], kit.assessments, today=NOW.date()).records for p in (manual, got, got_csv)}
    assert all(len(r) == 1 and not r[0].warnings for r in records.values()), records
    want = records["manual.yaml"][0].observation
    assert records[got.name][0].observation == want
    assert records[got_csv.name][0].observation == want


# --------------------------------------------------------------------------- the pod's last report


def _last_report(runner, kit_dir: Path, tmp_path: Path) -> dict:
    """A real report of the sample pod-aurora on alignment, plus actions as the contract names
    them (Report.actions: ActionReviewed entries): two in flight, one of them overdue, and one done."""
    sources = sorted((kit_dir / "examples" / "observations" / "pod-aurora").glob("*--alignment.yaml"))
    out = tmp_path / "scored"
    result = runner.invoke(main, ["score", *map(str, sources), "-p", str(kit_dir), "-f", "json", "-o", str(out), "--as-of", "2026-10-28", "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "pod-aurora--alignment.json").read_text(encoding="utf-8"))
    items = [it["id"] for it in report["sessions"][-1]["items"]]

    def action(n, item, title, status, due, *, in_flight, overdue=False):
        return {"id": f"a{n}", "item": item, "item_title": item, "intervention": None, "title": title, "owner": "pod-lead",
                "agreed": "2026-10-12", "due": due, "status": status, "status_date": "2026-10-12", "reason": None,
                "in_flight": in_flight, "overdue": overdue, "before": None, "after": [], "verdict": "not-observed-since", "verdict_text": ""}

    report["actions"] = [
        action(1, items[0], "Pin the goal to the board", "in-progress", "2026-11-09", in_flight=True),
        action(2, items[1], "Walk the board, not the people", "planned", "2026-10-26", in_flight=True, overdue=True),
        action(3, items[2], "A check that is already done", "done", "2026-10-20", in_flight=False),
    ]
    return report


def _last_observed(report: dict, item: str, labels: dict[int, str]) -> str:
    """The "Last observed" line, by hand: the latest session that observed the item."""
    seen = None
    for s in sorted(report["sessions"], key=lambda s: (s["date"], s["index"])):
        for x in s["items"]:
            if x["id"] == item and x["observed"] and x["level"] is not None:
                seen = (x["level"], s["date"])
    if seen is None:
        return "Last observed: not observed in the sessions of that report."
    level, date = seen
    label = f" ({labels[int(level)]})" if float(level).is_integer() else ""
    return f"Last observed: level {level:g}{label} on {date}."


def test_last_report_shows_levels_and_actions_in_flight(browser, base_url, built, kit, tmp_path, runner):
    kit_dir, _ = built
    a = kit.assessment("alignment")
    labels = {s.level: s.label for s in a.scale}
    report = _last_report(runner, kit_dir, tmp_path)
    good = tmp_path / "pod-aurora--alignment.json"
    good.write_text(json.dumps(report), encoding="utf-8")
    tab = _open(browser)
    page = tab.page
    page.goto(base_url + page_path(a.id), wait_until="load")
    assert page.locator("[data-last-report]").first.is_hidden()
    requests = len(tab.requests)

    page.set_input_files("#load-report", str(good))
    status = page.locator("#report-status")
    status.filter(has_text="Showing the last report of pod-aurora (as of 2026-10-28)").wait_for()
    assert "and 2 actions in flight" in status.inner_text()
    first, second, third = (a.items[[it.id for it in a.items].index(x["item"])] for x in report["actions"])
    box = lambda it: page.locator(f"#last-{it.id}")  # noqa: E731
    lines = lambda it: [ln for ln in box(it).inner_text().splitlines() if ln.strip()]  # noqa: E731
    assert lines(first) == [_last_observed(report, first.id, labels), "Action in flight: Pin the goal to the board (pod-lead, due 2026-11-09)."]
    assert lines(second)[1] == "Action in flight: Walk the board, not the people (pod-lead, due 2026-10-26, overdue)."
    # a done action is not in flight; every item shows its line
    assert lines(third) == [_last_observed(report, third.id, labels), "Action in flight: none agreed."]
    for it in a.items:
        assert box(it).is_visible() and box(it).inner_text().startswith("Last observed:")
    box(first).scroll_into_view_if_needed()
    screenshot(page, "recorder-last-report")
    # nothing left the page, and nothing of the report was kept in the browser
    assert len(tab.requests) == requests
    kept = page.evaluate("() => Object.keys(localStorage).map(k => localStorage.getItem(k)).join('\\n')")
    assert "Pin the goal" not in kept
    violations = _axe(page)
    assert not violations, "\n".join(violations)

    # the session's pod changes: the hints are hidden, and the status says why
    page.fill('input[name="pk__meta__pod"]', "pod-other")
    status.filter(has_text="is for the pod pod-aurora, not pod-other").wait_for()
    assert page.locator("[data-last-report]").first.is_hidden()

    # wrong pod, wrong assessment, another format, not a report at all: a clear message, no hints
    wrong_assessment = dict(report, assessment=dict(report["assessment"], id="participation-and-voice"))
    cases = [
        ("pod-aurora--alignment.json", report, "this report is for the pod “pod-aurora”, and this session records the pod “pod-other”"),
        ("pod-aurora--participation-and-voice.json", wrong_assessment, "this report is for the assessment “participation-and-voice”, not “alignment”"),
        ("later.json", dict(report, format="podkit-report/2"), "this report is in the format podkit-report/2; this recorder reads podkit-report/1"),
        ("portfolio.json", {"format": "podkit-portfolio/1", "pods": []}, "this is not a podkit report: pick the <pod>--alignment.json file"),
        ("observation.yaml", "pod: pod-aurora\n", "this is not a podkit report: pick the <pod>--alignment.json file that podkit score wrote (this file is not JSON)"),
    ]
    for name, content, message in cases:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        page.set_input_files("#load-report", str(path))
        status.filter(has_text=f"Could not use {name}").wait_for()
        assert message in status.inner_text(), status.inner_text()
        assert page.locator("[data-last-report]").first.is_hidden()

    # back to the pod of the report: it loads again, and can be hidden
    page.fill('input[name="pk__meta__pod"]', "pod-aurora")
    page.set_input_files("#load-report", str(good))
    status.filter(has_text="Showing the last report of pod-aurora").wait_for()
    page.get_by_role("button", name="Hide the last report").click()
    assert page.locator("[data-last-report]").first.is_hidden() and status.inner_text() == ""
    tab.assert_clean()
    tab.close()
