"""The one writer layer (podkit.outputs): atomic files, marked output folders, swaps, the lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from podkit import outputs
from podkit.errors import PodkitError
from podkit.outputs import MARKER


def leftovers(folder: Path) -> list[str]:
    """Temporary or scratch names left in ``folder``."""
    return sorted(n for n in os.listdir(folder) if n.endswith((".tmp", ".new", ".old")) or "-new-" in n or "-old-" in n)


# --------------------------------------------------------------------------- files


def test_atomic_write_text_bytes_and_chunks(tmp_path):
    outputs.atomic_write(tmp_path / "a.txt", "héllo\n")
    outputs.atomic_write(tmp_path / "b.bin", b"\x00\x01")
    outputs.atomic_write(tmp_path / "c.bin", (bytes([i]) * 3 for i in range(3)))
    outputs.atomic_write(tmp_path / "sub" / "d.txt", "in a new folder")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "héllo\n"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "c.bin").read_bytes() == b"\x00\x00\x00\x01\x01\x01\x02\x02\x02"
    assert (tmp_path / "sub" / "d.txt").read_text(encoding="utf-8") == "in a new folder"
    assert leftovers(tmp_path) == []


def test_atomic_write_follows_the_umask_like_an_ordinary_file(tmp_path):
    outputs.atomic_write(tmp_path / "a.txt", "x")
    (tmp_path / "plain.txt").write_text("x")
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == (tmp_path / "plain.txt").stat().st_mode & 0o777


def test_atomic_write_replaces_a_link_at_the_name_and_never_writes_through_it(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "precious.txt"
    victim.write_text("keep me", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").symlink_to(victim)
    outputs.atomic_write(out / "report.md", "new report")
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (out / "report.md").is_symlink()
    assert (out / "report.md").read_text(encoding="utf-8") == "new report"


def test_planted_links_at_the_old_predictable_temporary_names_are_harmless(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    for pid in range(os.getpid() - 5, os.getpid() + 5):
        (out / f".report.md.tmp-{pid}").symlink_to(victim)
    (out / ".report.md.tmp").symlink_to(victim)
    outputs.atomic_write(out / "report.md", "written")
    outputs.write_new(out / "obs.yaml", "new")
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert (out / "report.md").read_text(encoding="utf-8") == "written"


def test_temporary_names_are_unpredictable_and_exclusive(tmp_path, monkeypatch):
    seen = []
    real = outputs.tempfile.mkstemp

    def spy(*args, **kwargs):
        fd, name = real(*args, **kwargs)
        seen.append(name)
        return fd, name

    monkeypatch.setattr(outputs.tempfile, "mkstemp", spy)
    outputs.atomic_write(tmp_path / "a.txt", "1")
    outputs.atomic_write(tmp_path / "a.txt", "2")
    assert len(seen) == 2 and seen[0] != seen[1]
    for name in seen:
        base = Path(name).name
        assert Path(name).parent == tmp_path and base.startswith(".a.txt.") and base.endswith(".tmp")
        assert str(os.getpid()) not in base


def test_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old", encoding="utf-8")

    def broken():
        yield b"part"
        raise OSError(28, "No space left on device")

    with pytest.raises(PodkitError) as err:
        outputs.atomic_write(target, broken())
    assert "a.txt" in str(err.value.message) and "No space left" in err.value.message
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_interrupted_write_leaves_no_temporary_file(tmp_path):
    def interrupted():
        yield b"part"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        outputs.atomic_write(tmp_path / "a.txt", interrupted())
    assert os.listdir(tmp_path) == []


def test_unwritable_folder_is_a_user_error(tmp_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(outputs.tempfile, "mkstemp", denied)
    with pytest.raises(PodkitError, match="a.txt: cannot write the file: Permission denied"):
        outputs.atomic_write(tmp_path / "a.txt", "x")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(PodkitError, match="cannot create the folder"):
        outputs.atomic_write(tmp_path / "file" / "a.txt", "x")


def test_writing_over_a_folder_is_refused(tmp_path):
    (tmp_path / "a.txt").mkdir()
    with pytest.raises(PodkitError, match="is a folder"):
        outputs.atomic_write(tmp_path / "a.txt", "x")


def test_write_new_never_replaces_a_file_or_a_link(tmp_path):
    outputs.write_new(tmp_path / "obs.yaml", "first")
    with pytest.raises(PodkitError, match="already exists; podkit never overwrites"):
        outputs.write_new(tmp_path / "obs.yaml", "second")
    assert (tmp_path / "obs.yaml").read_text(encoding="utf-8") == "first"
    victim = tmp_path / "victim"
    victim.write_text("keep", encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(victim)
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "nowhere")
    for name in ("link.yaml", "dangling.yaml"):
        with pytest.raises(PodkitError, match="already exists"):
            outputs.write_new(tmp_path / name, "x")
    assert victim.read_text(encoding="utf-8") == "keep" and not (tmp_path / "nowhere").exists()
    assert leftovers(tmp_path) == []


def test_write_new_without_hard_links_still_never_overwrites(tmp_path, monkeypatch):
    def no_links(*args, **kwargs):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(outputs.os, "link", no_links)
    outputs.write_new(tmp_path / "a.yaml", "one")
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8") == "one"
    victim = tmp_path / "victim"
    victim.write_text("keep", encoding="utf-8")
    (tmp_path / "b.yaml").symlink_to(victim)
    with pytest.raises(PodkitError, match="already exists"):
        outputs.write_new(tmp_path / "b.yaml", "x")
    with pytest.raises(PodkitError, match="already exists"):
        outputs.write_new(tmp_path / "a.yaml", "two")
    assert victim.read_text(encoding="utf-8") == "keep"
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8") == "one"
    assert leftovers(tmp_path) == []


def test_copy_file(tmp_path):
    src = tmp_path / "src.pdf"
    src.write_bytes(os.urandom(3 * (1 << 20) + 5))
    outputs.copy_file(src, tmp_path / "out" / "dst.pdf")
    assert (tmp_path / "out" / "dst.pdf").read_bytes() == src.read_bytes()
    with pytest.raises(PodkitError, match="missing.pdf: cannot read the file"):
        outputs.copy_file(tmp_path / "missing.pdf", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


# --------------------------------------------------------------------------- guard


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    for sub in ("assessments", "content", "themes", "obs"):
        (root / sub).mkdir(parents=True)
        (root / sub / "keep.txt").write_text("source", encoding="utf-8")
    (root / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    return root


def inputs_of(root: Path) -> list[Path]:
    return [root / "assessments", root / "content", root / "themes", root / "obs"]


@pytest.mark.parametrize("rel, message", [
    (".", "the project folder"),
    ("..", "a folder that contains the project"),
    ("../..", "a folder that contains the project"),
    ("content", "is an input folder"),
    ("assessments", "is an input folder"),
    ("themes", "is an input folder"),
    ("content/sub", "lies inside the input folder"),
    ("obs/reports", "lies inside the input folder"),
    ("docs", "not empty and was not made by podkit"),
    ("mkdocs.yml", "is not a folder"),
])
def test_guard_refuses(project, rel, message):
    (project / "docs").mkdir()
    (project / "docs" / "notes.md").write_text("mine", encoding="utf-8")
    with pytest.raises(PodkitError, match=message):
        outputs.guard_output_dir(project / rel, project, inputs_of(project))


def test_guard_follows_links_to_what_would_be_replaced(project, tmp_path):
    (project / "site").symlink_to(project / "content")
    with pytest.raises(PodkitError, match="is an input folder"):
        outputs.guard_output_dir(project / "site", project, inputs_of(project))
    (project / "up").symlink_to(project.parent)
    with pytest.raises(PodkitError, match="contains the project"):
        outputs.guard_output_dir(project / "up", project, inputs_of(project))


def test_guard_accepts_new_marked_and_empty_folders(project):
    assert outputs.guard_output_dir(project / "site", project, inputs_of(project)) == (project / "site").resolve()
    assert not (project / "site").exists()  # a missing folder is left to the caller
    (project / "empty").mkdir()
    outputs.guard_output_dir(project / "empty", project, inputs_of(project))
    assert not outputs.is_output_dir(project / "empty")  # adopted, marked only when written to
    outputs.mark_output_dir(project / "empty")
    assert outputs.is_output_dir(project / "empty")
    (project / "old").mkdir()
    (project / "old" / "index.html").write_text("x", encoding="utf-8")
    outputs.mark_output_dir(project / "old")
    outputs.guard_output_dir(project / "old", project, inputs_of(project))


def test_guard_for_reports_allows_a_folder_inside_the_observations(project):
    """score -o writes into the folder and never deletes it: inside an input folder is allowed."""
    target = outputs.guard_output_dir(project / "obs" / "reports", project, [project / "obs"], replace=False)
    assert target == (project / "obs" / "reports").resolve()
    with pytest.raises(PodkitError, match="is an input folder"):
        outputs.guard_output_dir(project / "obs", project, [project / "obs"], replace=False)
    with pytest.raises(PodkitError, match="contains the input"):
        outputs.guard_output_dir(project.parent / "project", project.parent / "elsewhere", [project / "obs"], replace=False)


def test_marker_is_a_file_that_explains_itself(tmp_path):
    outputs.mark_output_dir(tmp_path / "site")
    assert "made by podkit" in (tmp_path / "site" / MARKER).read_text(encoding="utf-8")
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "site")
    assert outputs.is_output_dir(tmp_path / "site") and not outputs.is_output_dir(link)


def test_remove_output_dir_only_removes_marked_folders(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "a").write_text("x", encoding="utf-8")
    with pytest.raises(PodkitError, match="refusing to delete"):
        outputs.remove_output_dir(tmp_path / "mine")
    assert (tmp_path / "mine" / "a").exists()
    outputs.mark_output_dir(tmp_path / "made")
    outputs.remove_output_dir(tmp_path / "made")
    assert not (tmp_path / "made").exists()


# --------------------------------------------------------------------------- swap


def build_into(target: Path, text: str) -> Path:
    new = outputs.scratch_dir_for(target)
    (new / "index.html").write_text(text, encoding="utf-8")
    return outputs.swap_dir(new, target)


def test_swap_creates_then_replaces_and_leaves_nothing_behind(tmp_path):
    site = tmp_path / "site"
    build_into(site, "one")
    assert (site / "index.html").read_text(encoding="utf-8") == "one" and outputs.is_output_dir(site)
    (site / "stale.html").write_text("from the first build", encoding="utf-8")
    build_into(site, "two")
    assert (site / "index.html").read_text(encoding="utf-8") == "two"
    assert not (site / "stale.html").exists()
    assert sorted(os.listdir(tmp_path)) == ["site"]


def test_swap_without_renameat2(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "_renameat2_exchange", lambda a, b: False)
    site = tmp_path / "site"
    build_into(site, "one")
    build_into(site, "two")
    assert (site / "index.html").read_text(encoding="utf-8") == "two"
    assert sorted(os.listdir(tmp_path)) == ["site"]


def test_swap_without_renameat2_puts_the_old_build_back_on_failure(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "_renameat2_exchange", lambda a, b: False)
    site = tmp_path / "site"
    build_into(site, "one")
    new = outputs.scratch_dir_for(site)
    real_rename = os.rename
    calls = []

    def failing(src, dst):
        calls.append(src)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        return real_rename(src, dst)

    monkeypatch.setattr(outputs.os, "rename", failing)
    with pytest.raises(PodkitError, match="cannot replace the folder"):
        outputs.swap_dir(new, site)
    monkeypatch.setattr(outputs.os, "rename", real_rename)
    assert (site / "index.html").read_text(encoding="utf-8") == "one"


def test_swap_refuses_an_unmarked_folder(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "mine.txt").write_text("mine", encoding="utf-8")
    new = outputs.scratch_dir_for(site)
    with pytest.raises(PodkitError, match="not made by podkit"):
        outputs.swap_dir(new, site)
    assert (site / "mine.txt").read_text(encoding="utf-8") == "mine"


def test_swap_into_a_linked_deploy_folder_keeps_the_link(tmp_path):
    deploy = tmp_path / "www" / "deploy"
    deploy.mkdir(parents=True)
    project = tmp_path / "project"
    project.mkdir()
    (project / "site").symlink_to(deploy)
    build_into(project / "site", "one")
    build_into(project / "site", "two")
    assert (project / "site").is_symlink() and os.readlink(project / "site") == str(deploy)
    assert (deploy / "index.html").read_text(encoding="utf-8") == "two"
    assert sorted(os.listdir(project)) == ["site"]
    assert sorted(os.listdir(deploy.parent)) == ["deploy"]


def test_swap_into_a_link_to_a_foreign_folder_is_refused(tmp_path):
    deploy = tmp_path / "www"
    deploy.mkdir()
    (deploy / "index.php").write_text("someone else's", encoding="utf-8")
    (tmp_path / "site").symlink_to(deploy)
    new = outputs.scratch_dir_for(tmp_path / "site")
    with pytest.raises(PodkitError, match="a link to"):
        outputs.swap_dir(new, tmp_path / "site")
    assert (deploy / "index.php").exists()


def test_swap_into_a_dangling_link_whose_folder_is_missing_is_refused(tmp_path):
    (tmp_path / "site").symlink_to(tmp_path / "nowhere" / "deploy")
    with pytest.raises(PodkitError, match="does not exist"):
        outputs.scratch_dir_for(tmp_path / "site")


def test_scratch_folders_of_dead_processes_are_cleaned(tmp_path):
    site = tmp_path / "site"
    build_into(site, "current")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    for name in (f".site.podkit-{dead}-abc.new", f".site-new-{dead}", f".site-old-{dead}"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x").write_text("x", encoding="utf-8")
    alive = tmp_path / f".site.podkit-{os.getppid()}-abc.new"
    alive.mkdir()
    outputs.scratch_dir_for(site)
    names = sorted(os.listdir(tmp_path))
    assert f".site.podkit-{dead}-abc.new" not in names and f".site-new-{dead}" not in names and f".site-old-{dead}" not in names
    assert alive.name in names  # a running build's folder is left alone
    assert (site / "index.html").read_text(encoding="utf-8") == "current"


def test_an_old_build_moved_aside_by_a_killed_swap_is_put_back(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    old = tmp_path / f".site.podkit-{dead}-xyz.old"
    old.mkdir()
    (old / "index.html").write_text("previous", encoding="utf-8")
    outputs.scratch_dir_for(tmp_path / "site")
    assert (tmp_path / "site" / "index.html").read_text(encoding="utf-8") == "previous"


def test_swap_requires_a_scratch_folder_next_to_the_target(tmp_path):
    (tmp_path / "a").mkdir()
    with pytest.raises(ValueError):
        outputs.swap_dir(tmp_path / "a", tmp_path / "b" / "site")


# --------------------------------------------------------------------------- lock


LOCK_HOLDER = textwrap.dedent("""
    import sys, time
    from podkit.outputs import project_lock
    with project_lock(sys.argv[1]):
        print("locked", flush=True)
        time.sleep(60)
""")


def test_second_process_is_refused_while_the_lock_is_held(tmp_path):
    work = tmp_path / ".podkit"
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(work)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        waited = []
        with pytest.raises(PodkitError, match=rf"another build is running \(pid {holder.pid}\)"):
            with outputs.project_lock(work, wait=0.3, on_wait=waited.append):
                pass
        assert waited == [str(holder.pid)]
    finally:
        holder.send_signal(signal.SIGINT)
        holder.wait(timeout=10)
    with outputs.project_lock(work, wait=0):  # free again once the holder is gone
        assert (work / "lock").read_text().strip() == str(os.getpid())


def test_lock_is_released_when_the_holder_is_killed(tmp_path):
    work = tmp_path / ".podkit"
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(work)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait(timeout=10)
    with outputs.project_lock(work, wait=0):
        pass


def test_lock_waits_for_a_build_that_finishes(tmp_path):
    work = tmp_path / ".podkit"
    script = LOCK_HOLDER.replace("time.sleep(60)", "time.sleep(0.5)")
    holder = subprocess.Popen([sys.executable, "-c", script, str(work)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with outputs.project_lock(work, wait=30):
            pass
    finally:
        holder.wait(timeout=30)


def test_lock_is_reentrant_in_one_process_and_refuses_a_linked_work_folder(tmp_path):
    work = tmp_path / ".podkit"
    with outputs.project_lock(work):
        with outputs.project_lock(work, wait=0):
            pass
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / ".podkit").symlink_to(elsewhere)
    with pytest.raises(PodkitError, match="must be a real folder"):
        with outputs.project_lock(tmp_path / "p" / ".podkit"):
            pass
    assert os.listdir(elsewhere) == []


def test_lock_file_planted_as_a_link_is_not_followed(tmp_path):
    work = tmp_path / ".podkit"
    work.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("keep", encoding="utf-8")
    (work / "lock").symlink_to(victim)
    with pytest.raises(PodkitError, match="lock"):
        with outputs.project_lock(work):
            pass
    assert victim.read_text(encoding="utf-8") == "keep"


def test_guard_adopts_an_unmarked_folder_only_with_proof_that_podkit_made_it(project):
    old = project / "site"
    old.mkdir()
    (old / "index.html").write_text("built by an older podkit", encoding="utf-8")
    with pytest.raises(PodkitError, match="not made by podkit"):
        outputs.guard_output_dir(old, project, inputs_of(project), made_by_podkit=lambda real: False)
    assert not outputs.is_output_dir(old)
    seen = []
    outputs.guard_output_dir(old, project, inputs_of(project), made_by_podkit=lambda real: seen.append(real) or True)
    assert seen == [old.resolve()] and outputs.is_output_dir(old)
    with pytest.raises(PodkitError, match="is an input folder"):  # no proof opens an input folder
        outputs.guard_output_dir(project / "content", project, inputs_of(project), made_by_podkit=lambda real: True)
