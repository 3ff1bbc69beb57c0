"""Reproducible builds: the same inputs give byte-identical sites, PDFs and reports.

Builds run as real processes from copies of a kit in different folders, so neither the machine's
paths nor the clock nor the order of a directory listing can reach the output. A kit without a
git history takes its date from ``SOURCE_DATE_EPOCH`` or else podkit's fixed fallback date, so a
build without the variable must equal one with it set to that date.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import KITS, copy_kit, run_podkit, tree_digest
from podkit.kit import FALLBACK_EPOCH


def hashes(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file (folders left out)."""
    return {k: v for k, v in tree_digest(folder).items() if v != "dir"}


def podkit(*args, epoch: int | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch)
    proc = run_podkit(*args, env=env, cwd=cwd, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc


def assert_same(a: dict[str, str], b: dict[str, str]) -> None:
    assert sorted(a) == sorted(b), set(a) ^ set(b)
    differ = sorted(k for k in a if a[k] != b[k])
    assert not differ, f"files differ between the two builds: {differ}"


@pytest.mark.slow
def test_two_clean_builds_with_pdfs_are_byte_identical(tmp_path):
    """tests/kits/sample in two folders, PDFs on; one build without SOURCE_DATE_EPOCH, one with
    it set to the date the first one falls back to."""
    first = copy_kit("sample", tmp_path / "one" / "kit")
    second = copy_kit("sample", tmp_path / "elsewhere" / "deeper" / "kit")
    podkit("build", "--paper", "a4", "-j", "2", "-q", "-p", first)
    podkit("build", "--paper", "a4", "-j", "1", "-q", "-p", second, epoch=FALLBACK_EPOCH, cwd=tmp_path)
    a, b = hashes(first / "site"), hashes(second / "site")
    assert_same(a, b)
    pdfs = [k for k in a if k.endswith(".pdf")]
    assert len(pdfs) == 6, pdfs
    for kit in (first, second):
        assert str(kit) not in (kit / "site" / "search" / "search_index.json").read_text(encoding="utf-8")


def test_site_dates_come_from_the_source_date_not_the_clock(tmp_path):
    """With a site_url MkDocs dates every page in sitemap.xml and stamps sitemap.xml.gz: with the
    source date (SOURCE_DATE_EPOCH, else the last commit, else the fallback), never today."""
    kit = copy_kit("hostile", tmp_path / "kit")
    shutil.copytree(KITS / "minimal" / "assessments", kit / "assessments")
    for epoch in (None, 1_767_225_600):  # unset (no git here: the fallback), then 2026-01-01
        podkit("build", "--no-pdf", "-q", "-p", kit, epoch=epoch)
        want = dt.datetime.fromtimestamp(epoch or FALLBACK_EPOCH, tz=dt.timezone.utc)
        sitemap = (kit / "site" / "sitemap.xml").read_text(encoding="utf-8")
        dates = set(re.findall(r"<lastmod>(.*?)</lastmod>", sitemap))
        assert dates == {want.date().isoformat()}, dates
        raw = (kit / "site" / "sitemap.xml.gz").read_bytes()
        assert int.from_bytes(raw[4:8], "little") == int(want.timestamp())  # gzip header MTIME
        assert gzip.decompress(raw).decode("utf-8") == sitemap


def test_site_without_pdfs_is_identical_in_another_folder(tmp_path):
    first = copy_kit("sample", tmp_path / "a" / "kit")
    second = copy_kit("sample", tmp_path / "b" / "kit")
    podkit("build", "--no-pdf", "-q", "-p", first)
    podkit("build", "--no-pdf", "-q", "-p", second, epoch=FALLBACK_EPOCH)
    assert_same(hashes(first / "site"), hashes(second / "site"))


def test_reports_are_byte_identical(tmp_path):
    """Every report format, scored twice from copies in different folders."""
    results = []
    for where in ("x", "y/z"):
        kit = copy_kit("scoring", tmp_path / where / "kit")
        out = tmp_path / where / "reports"
        podkit("score", kit / "observations", kit / "observations-team", "-p", kit, "-o", out, "-f", "html,pdf,json,md", "--as-of", "2026-06-01", "-q", cwd=kit)
        results.append(hashes(out))
    assert_same(*results)
    assert {Path(k).suffix for k in results[0] if k != ".podkit-output"} == {".html", ".pdf", ".json", ".md"}
    assert any(k.startswith("portfolio.") for k in results[0])
