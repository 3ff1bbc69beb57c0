"""The one layer through which podkit writes files and replaces folders.

Rules every writer follows (the trust model in SECURITY.md relies on them):

* **Files** are written to a temporary file created with :func:`tempfile.mkstemp` in the target's
  own folder (``O_EXCL``, an unpredictable name, never a link someone planted), flushed to disk
  and then renamed over the target with :func:`os.replace`. Readers see the old or the new file,
  never a part; a failure or an interrupt removes the temporary file. A symbolic link at the
  target's name is *replaced by the file* (``os.replace`` renames over the link itself): podkit
  never writes through a link into another folder.
* **Folders** that podkit replaces or deletes (the site, ``print -o``) and folders it writes
  reports into (``score -o``) carry a marker file, :data:`MARKER`, written when podkit creates
  them. podkit replaces a folder only when it carries the marker, is empty, or does not exist,
  and never the project root, a folder above it, an input folder or anything inside one.
* **Replacing a folder** assembles the new one next to it (:func:`scratch_dir_for`) and swaps
  it in (:func:`swap_dir`), so the target is never missing or partial. A target that is a
  symbolic link (a ``site`` linked to a deploy folder) stays a link: the folder it points to is
  replaced where it is.
* **One build per project**: :func:`project_lock` holds ``.podkit/lock`` while a build or print
  runs.

``podkit score -o DIR`` writes report files *into* DIR and never deletes it, so DIR may lie
inside the folder of observations it reads: the folder carries the marker, and reading
observations skips every folder that carries it (:func:`is_output_dir`). DIR may not be an input
folder itself, contain one, or be the project root or a folder above it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import PodkitError

#: The file that marks a folder as podkit's output (and so replaceable by podkit).
MARKER = ".podkit-output"
MARKER_TEXT = (
    "This folder was made by podkit and holds generated files only.\n"
    "podkit replaces or deletes it when it builds again: keep no files of your own here.\n"
    "podkit refuses to replace a non-empty folder that does not hold this file.\n"
)
#: Name of the lock file inside the project's work folder (.podkit/).
LOCK_NAME = "lock"
#: How long a second build waits for the first one before giving up (seconds).
LOCK_WAIT = 10.0
#: Name stem of scratch folders: ``.<target>.podkit-<pid>-<random>.new`` / ``.old``.
_SCRATCH = ".podkit-"
_CHUNK = 1 << 20

_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


# --------------------------------------------------------------------------- files


def _chunks(data) -> Iterable[bytes]:
    if isinstance(data, str):  # encoded a slice at a time: a large text is never held twice
        for start in range(0, len(data), _CHUNK):
            yield data[start:start + _CHUNK].encode("utf-8")
    elif isinstance(data, (bytes, bytearray, memoryview)):
        yield bytes(data)
    else:
        for part in data:
            yield part.encode("utf-8") if isinstance(part, str) else bytes(part)


def _temp_file(path: Path) -> tuple[int, Path]:
    """A new, empty temporary file next to ``path`` (O_EXCL, unpredictable name, mode per umask)."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PodkitError(f"{folder}: cannot create the folder: {_reason(exc)}") from None
    if path.is_dir() and not path.is_symlink():
        raise PodkitError(f"{path}: is a folder; podkit writes a file at this name")
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise PodkitError(f"{path}: cannot write the file: {_reason(exc)}") from None
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)
    except OSError:
        pass
    return fd, Path(name)


def _fill(fd: int, data) -> None:
    with os.fdopen(fd, "wb", closefd=True) as fh:
        for part in _chunks(data):
            fh.write(part)
        fh.flush()
        os.fsync(fh.fileno())


def _discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def atomic_write(path: Path | str, data) -> Path:
    """Write ``data`` (text, bytes, or an iterable of byte chunks) to ``path`` atomically.

    Readers see the old or the new content, never a part. A symbolic link at ``path`` is
    replaced by the file (the link's target is left alone). Any ``OSError`` (a full disk, a
    read-only folder) becomes a :class:`PodkitError` naming the file; an interrupt removes the
    temporary file and propagates.
    """
    path = Path(path)
    with atomic_file(path) as fh:
        for part in _chunks(data):
            fh.write(part)
    return path


@contextlib.contextmanager
def atomic_file(path: Path | str) -> Iterator:
    """A binary file object whose content replaces ``path`` when the block ends without an error
    (for writers that need a real file, such as a zip); as :func:`atomic_write` otherwise."""
    path = Path(path)
    fd, tmp = _temp_file(path)
    try:
        with os.fdopen(fd, "w+b") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        _discard(tmp)
        if isinstance(exc, OSError):
            raise PodkitError(f"{path}: cannot write the file: {_reason(exc)}") from None
        raise


def write_new(path: Path | str, data) -> Path:
    """Write a file that must not exist yet; never replace anything at ``path`` (not even a link).

    The complete file is linked into place with :func:`os.link`, which fails when the name is
    taken. On file systems without hard links, the file is created with ``O_CREAT | O_EXCL``.
    """
    path = Path(path)
    fd, tmp = _temp_file(path)
    try:
        _fill(fd, data)
        try:
            os.link(tmp, path, follow_symlinks=False)
        except FileExistsError:
            raise _exists(path) from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV, errno.ENOSYS):
                raise
            _create_exclusive(path, tmp)
    except BaseException as exc:
        _discard(tmp)
        if isinstance(exc, OSError):
            raise PodkitError(f"{path}: cannot write the file: {_reason(exc)}") from None
        raise
    _discard(tmp)
    return path


def _exists(path: Path) -> PodkitError:
    return PodkitError(f"{path}: already exists; podkit never overwrites a file it did not make: choose another name, or move the file away")


def _create_exclusive(path: Path, tmp: Path) -> None:
    """Copy ``tmp`` to a new file at ``path`` (O_EXCL: fails if anything, even a link, is there)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        out = os.open(path, flags, 0o666)
    except FileExistsError:
        raise _exists(path) from None
    try:
        with open(tmp, "rb") as src, os.fdopen(out, "wb") as dst:
            shutil.copyfileobj(src, dst, _CHUNK)
            dst.flush()
            os.fsync(dst.fileno())
    except BaseException:
        _discard(path)  # our own, half-written file
        raise


def copy_file(src: Path | str, dst: Path | str) -> Path:
    """Copy ``src`` to ``dst`` atomically (``dst`` is replaced as by :func:`atomic_write`)."""
    src = Path(src)
    try:
        fh = open(src, "rb")
    except OSError as exc:
        raise PodkitError(f"{src}: cannot read the file: {_reason(exc)}") from None
    with fh:
        return atomic_write(dst, iter(lambda: fh.read(_CHUNK), b""))


# --------------------------------------------------------------------------- output folders


def is_output_dir(folder: Path | str) -> bool:
    """True when ``folder`` is a real folder (not a link) that carries podkit's marker."""
    folder = Path(folder)
    try:
        return not folder.is_symlink() and (folder / MARKER).is_file()
    except OSError:
        return False


def mark_output_dir(folder: Path | str) -> Path:
    """Create ``folder`` if needed and write the marker into it; return the folder."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PodkitError(f"{folder}: cannot create the folder: {_reason(exc)}") from None
    marker = folder / MARKER
    if not marker.is_file() or marker.is_symlink():
        atomic_write(marker, MARKER_TEXT)
    return folder


def _resolve(path: Path) -> Path:
    try:
        return Path(path).absolute().resolve()
    except (OSError, RuntimeError):
        raise PodkitError(f"{path}: a loop of symbolic links") from None


def _is_empty_dir(folder: Path) -> bool:
    try:
        with os.scandir(folder) as it:
            return next(it, None) is None
    except OSError:
        return False


def guard_output_dir(target: Path | str, project_root: Path | str, inputs: Iterable[Path | str] = (), *, replace: bool = True,
                     what: str = "output folder", made_by_podkit=None) -> Path:
    """Check that podkit may use ``target`` as an output folder; return its resolved path.

    Refused (exit 1, with the reason): the project root or a folder above it; an input folder,
    a folder inside one (only when ``replace``: a folder podkit replaces or deletes), or a folder
    that contains one; something that is not a folder; a non-empty folder without the marker
    (only when ``replace``: a folder podkit only writes files into, like ``score -o``, may hold
    other files, which it leaves alone).
    An empty existing folder is adopted, and a missing one left for the caller to create: the
    caller marks it (:func:`mark_output_dir` or :func:`swap_dir`) when it writes its first output.

    Links are resolved through the whole chain: the folder that would be written is checked.
    ``made_by_podkit(folder) -> bool`` may prove that an unmarked folder is podkit's own (a build
    by an older version, recorded in the work folder and untouched since): it is then marked.
    """
    shown = Path(target)
    real = _resolve(shown)
    root = _resolve(Path(project_root))
    if real == root or root.is_relative_to(real):
        where = "the project folder" if real == root else "a folder that contains the project"
        raise PodkitError(f"{shown}: refusing to use {where} ({root}) as the {what}; podkit would replace everything in it. Choose a new folder such as 'site' or 'out'")
    for inp in inputs:
        inp_real = _resolve(Path(inp))
        if real == inp_real:
            raise PodkitError(f"{shown}: is an input folder ({inp}); refusing to use it as the {what}")
        if inp_real.is_relative_to(real):
            raise PodkitError(f"{shown}: contains the input {inp}; refusing to use it as the {what}")
        if replace and real.is_relative_to(inp_real):
            raise PodkitError(f"{shown}: lies inside the input folder {inp}; refusing to use it as the {what} (podkit replaces that folder). Choose a folder outside it")
    if os.path.lexists(real):
        if not real.is_dir():
            raise PodkitError(f"{shown}: exists and is not a folder; refusing to use it as the {what}")
        if not is_output_dir(real):
            if made_by_podkit is not None and made_by_podkit(real):
                mark_output_dir(real)
            elif replace and not _is_empty_dir(real):
                raise PodkitError(
                    f"{shown}: the folder is not empty and was not made by podkit (it has no {MARKER} file); "
                    f"refusing to use it as the {what}, because podkit replaces its contents. "
                    f"Choose a new or empty folder, or move your files out of it first"
                )
            # an empty folder is adopted: the caller marks it when it writes the first output, so
            # that nothing at all is written while an input may still turn out invalid
    return real


def _scratch_pid(name: str, stem: str) -> int | None:
    rest = name[len(stem):]
    pid = rest.split("-", 1)[0]
    return int(pid) if pid.isdigit() else None


def _remove_tree(path: Path) -> None:
    """Delete a scratch folder of ours (a link at that name is unlinked, never followed)."""
    try:
        if path.is_symlink() or not path.is_dir():
            path.unlink(missing_ok=True)
        else:
            shutil.rmtree(path, ignore_errors=True)
    except OSError:
        pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _real_target(target: Path) -> Path:
    """The folder that ``target`` names once links are followed (the deploy folder of a link)."""
    target = Path(target).absolute()
    if target.is_symlink():
        real = _resolve(target)
        if not real.parent.is_dir():
            raise PodkitError(f"{target}: is a symbolic link to {real}, whose folder {real.parent} does not exist; create it or remove the link")
        return real
    return _resolve(target.parent) / target.name


def clean_stale_scratch(target: Path | str) -> None:
    """Remove scratch folders left next to ``target`` by killed builds (their process is gone).

    A ``.old`` folder is the previous build moved aside by a swap that was killed half-way; when
    the target is missing it is put back instead of deleted.
    """
    real = _real_target(Path(target))
    stem = f".{real.name}{_SCRATCH}"
    try:
        names = os.listdir(real.parent)
    except OSError:
        return
    for name in sorted(names):
        if name.startswith(stem):
            pid, old = _scratch_pid(name, stem), name.endswith(".old")
        elif name.startswith((f".{real.name}-new-", f".{real.name}-old-")):  # made by older podkit versions
            tail = name.rsplit("-", 1)[-1]
            pid, old = (int(tail) if tail.isdigit() else None), name.startswith(f".{real.name}-old-")
        else:
            continue
        if pid is None or pid == os.getpid() or _pid_alive(pid):
            continue
        stale = real.parent / name
        if old and not os.path.lexists(real) and stale.is_dir() and not stale.is_symlink():
            with contextlib.suppress(OSError):
                os.rename(stale, real)
                continue
        _remove_tree(stale)


def scratch_dir_for(target: Path | str, *, mark: bool = True) -> Path:
    """A new folder next to the folder ``target`` resolves to, for assembling a build.

    Stale scratch folders of dead processes are removed first. The new folder carries the marker
    (``mark=False``: it is left empty, for tools that insist on an empty folder; :func:`swap_dir`
    marks it before the swap).
    """
    real = _real_target(Path(target))
    clean_stale_scratch(real)
    try:
        path = Path(tempfile.mkdtemp(dir=real.parent, prefix=f".{real.name}{_SCRATCH}{os.getpid()}-", suffix=".new"))
    except OSError as exc:
        raise PodkitError(f"{target}: cannot create a folder next to {real} to build in: {_reason(exc)}") from None
    os.chmod(path, 0o777 & ~_UMASK)
    return mark_output_dir(path) if mark else path


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(str(a)), at_fdcwd, os.fsencode(str(b)), rename_exchange) == 0


def swap_dir(new_dir: Path | str, target: Path | str) -> Path:
    """Put the fully assembled ``new_dir`` in place of ``target``; return the folder replaced.

    ``target`` is never missing or partial: on Linux the two folders are exchanged in one step,
    elsewhere the previous build is moved aside first and put back if the move fails. The
    previous build is deleted only once the new one is in place. When ``target`` is a symbolic
    link, the folder it points to is replaced and the link stays as it is. Only a folder that
    carries the marker, is empty, or is absent is replaced; ``new_dir`` must come from
    :func:`scratch_dir_for` (same folder as the resolved target).
    """
    new_dir = Path(new_dir)
    target = Path(target).absolute()
    real = _real_target(target)
    if new_dir.absolute().parent.resolve() != real.parent:
        raise ValueError(f"swap_dir: {new_dir} is not next to {real}; make it with scratch_dir_for()")
    mark_output_dir(new_dir)
    shown = target if target == real else f"{target} (a link to {real})"
    if os.path.lexists(real):
        if real.is_symlink() or not real.is_dir():
            raise PodkitError(f"{shown}: exists and is not a folder; refusing to replace it")
        if not is_output_dir(real) and not _is_empty_dir(real):
            raise PodkitError(f"{shown}: the folder is not empty and was not made by podkit (it has no {MARKER} file); refusing to replace it")
        if _renameat2_exchange(new_dir, real):
            _remove_tree(new_dir)  # now holds the previous build
            return real
        old = Path(tempfile.mkdtemp(dir=real.parent, prefix=f".{real.name}{_SCRATCH}{os.getpid()}-", suffix=".old"))
        os.rmdir(old)
        try:
            os.rename(real, old)
        except OSError as exc:
            raise PodkitError(f"{shown}: cannot replace the folder: {_reason(exc)}") from None
        try:
            os.rename(new_dir, real)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.rename(old, real)
            if isinstance(exc, OSError):
                raise PodkitError(f"{shown}: cannot replace the folder: {_reason(exc)}") from None
            raise
        _remove_tree(old)
        return real
    try:
        os.rename(new_dir, real)
    except OSError as exc:
        raise PodkitError(f"{shown}: cannot create the folder: {_reason(exc)}") from None
    return real


def remove_output_dir(target: Path | str) -> None:
    """Delete a folder podkit made (it must carry the marker); nothing else is ever deleted."""
    target = Path(target)
    if not os.path.lexists(target):
        return
    if not is_output_dir(target):
        raise PodkitError(f"{target}: was not made by podkit (it has no {MARKER} file); refusing to delete it")
    shutil.rmtree(target)


# --------------------------------------------------------------------------- one build per project

_held: dict[str, list] = {}  # lock path -> [fd, depth]


def _lock_holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return "unknown"
    return text if text.isdigit() else "unknown"


@contextlib.contextmanager
def project_lock(work_dir: Path | str, *, wait: float = LOCK_WAIT, on_wait=None) -> Iterator[Path]:
    """Hold the project's build lock (``<work_dir>/lock``) for the duration of the block.

    The lock is an ``flock`` on a file in the work folder that holds the owner's pid. When it is
    taken, this waits up to ``wait`` seconds (calling ``on_wait(pid)`` once), then raises
    :class:`PodkitError` "another build is running (pid N)". The kernel releases the lock when the
    process ends, however it ends; nested use in one process is allowed. ``work_dir`` must be a
    real folder, not a symbolic link.
    """
    work_dir = Path(work_dir)
    if work_dir.is_symlink():
        raise PodkitError(f"{work_dir}: is a symbolic link; podkit's work folder must be a real folder inside the project")
    try:
        work_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PodkitError(f"{work_dir}: cannot create podkit's work folder: {_reason(exc)}") from None
    path = work_dir / LOCK_NAME
    key = str(_resolve(path))
    if key in _held:
        _held[key][1] += 1
        try:
            yield path
        finally:
            _held[key][1] -= 1
        return
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        raise PodkitError(f"{path}: cannot open the lock file: {_reason(exc)}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise PodkitError(f"{path}: is not a regular file; remove it")
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _lock_holder(path)
                if time.monotonic() >= deadline:
                    raise PodkitError(f"another build is running (pid {holder}) in this project; wait for it to finish and run again (lock file: {path})") from None
                if not told and on_wait is not None:
                    on_wait(holder)
                    told = True
                time.sleep(0.1)
            except OSError as exc:
                raise PodkitError(f"{path}: cannot lock the project: {_reason(exc)}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _held[key] = [fd, 1]
        try:
            yield path
        finally:
            del _held[key]
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def release_inherited_locks() -> None:
    """Close lock files inherited by a forked worker, so that only the parent holds the lock."""
    for fd, _depth in list(_held.values()):
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


__all__ = [
    "LOCK_WAIT", "MARKER", "MARKER_TEXT", "atomic_file", "atomic_write", "clean_stale_scratch", "copy_file", "guard_output_dir",
    "is_output_dir", "mark_output_dir", "project_lock", "release_inherited_locks", "remove_output_dir", "scratch_dir_for",
    "swap_dir", "write_new",
]
