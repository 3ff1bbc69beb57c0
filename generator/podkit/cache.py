"""Content-hash caches for incremental builds, in the project's git-ignored ``.podkit/cache/``.

A cache entry is named by a SHA-256 over everything that decides its content (the rendered
print HTML and CSS already hold the templates, theme, assessments, content pages, paper and
date), so a stale entry is never found: a change anywhere gives another name. Entries that
no build used lately are pruned. ``PODKIT_NO_CACHE=1`` (or ``--no-cache``) turns caching off.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

#: Bump when the meaning of cached entries changes.
CACHE_FORMAT = "podkit-cache/1"


def enabled(flag: bool = True) -> bool:
    return flag and not os.environ.get("PODKIT_NO_CACHE")


class Hasher:
    """SHA-256 over a sequence of labelled values, files and folders."""

    def __init__(self, *parts: object):
        self._h = hashlib.sha256(CACHE_FORMAT.encode())
        for p in parts:
            self.text(p)

    def text(self, value: object) -> "Hasher":
        data = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")
        self._h.update(len(data).to_bytes(8, "little"))
        self._h.update(data)
        return self

    def file(self, path: Path) -> "Hasher":
        try:
            with open(path, "rb") as fh:
                return self.text(fh.read())
        except OSError:
            return self.text(f"missing:{path}")

    def tree(self, folder: Path) -> "Hasher":
        """Every file below ``folder``: relative name and content, in a stable order."""
        folder = Path(folder)
        if not folder.is_dir():
            return self.text(f"no folder:{folder.name}")
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            self.text(path.relative_to(folder).as_posix()).file(path)
        return self

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def versions(*dists: str) -> str:
    """``name==version`` of installed distributions (what renders the output)."""
    from importlib import metadata

    out = []
    for d in dists:
        try:
            out.append(f"{d}=={metadata.version(d)}")
        except metadata.PackageNotFoundError:
            out.append(f"{d}==none")
    return " ".join(out)


def source_of(*modules) -> str:
    """SHA-256 of the source files of podkit modules (their code shapes the output)."""
    h = Hasher()
    for m in modules:
        h.file(Path(m.__file__))
    return h.hexdigest()


def remember(kept: dict, key, value, limit: int) -> None:
    """Keep ``key`` → ``value`` in ``kept`` as its most recent entry, and drop the oldest entries
    beyond ``limit``: a bounded memory for a long-running process, in the dict's own order."""
    kept.pop(key, None)
    kept[key] = value
    while len(kept) > limit:
        del kept[next(iter(kept))]


class LastResult:
    """The value made for the latest key only: what a long-running process (``podkit serve``)
    reuses between rebuilds while the digest of its inputs stays the same. A failed ``make``
    keeps nothing."""

    def __init__(self) -> None:
        self._key: str | None = None
        self._value = None

    def get(self, key: str, make):
        if key != self._key:
            self._key = None
            self._value = make()
            self._key = key
        return self._value


class FileCache:
    """Files stored by key: ``<key><suffix>`` plus ``<key>.json`` metadata."""

    def __init__(self, folder: Path, suffix: str):
        self.folder = Path(folder)
        self.suffix = suffix

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.folder / f"{key}{self.suffix}", self.folder / f"{key}.json"

    def get(self, key: str) -> tuple[Path, dict] | None:
        data, meta = self._paths(key)
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            if data.stat().st_size != info.get("size"):
                return None
        except (OSError, ValueError):
            return None
        os.utime(meta)  # recently used: kept by prune()
        return data, info

    def put(self, key: str, source: Path, info: dict) -> None:
        """Store a copy of ``source`` (best effort: a cache that cannot be written is no cache)."""
        from .errors import PodkitError
        from .outputs import atomic_write, copy_file

        data, meta = self._paths(key)
        try:
            copy_file(source, data)
            atomic_write(meta, json.dumps({**info, "size": data.stat().st_size}, sort_keys=True))
        except (OSError, PodkitError):
            pass

    def prune(self, keep: set[str]) -> None:
        """Remove every entry not in ``keep``."""
        if not self.folder.is_dir():
            return
        for p in self.folder.iterdir():
            key = p.name.split(".", 1)[0]
            if key and key not in keep and not p.name.startswith("."):
                try:
                    p.unlink()
                except OSError:
                    pass


def tree_fingerprint(folder: Path) -> str | None:
    """A cheap fingerprint of a built folder (names, sizes and times of its files), to tell
    whether anything touched it since; ``None`` when it does not exist."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    h = hashlib.sha256()
    stack = [folder]
    while stack:
        d = stack.pop()
        with os.scandir(d) as it:
            entries = sorted(it, key=lambda e: e.name)
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                stack.append(Path(e.path))
                h.update(f"d {e.path}\n".encode("utf-8", "surrogatepass"))
            else:
                st = e.stat(follow_symlinks=False)
                h.update(f"f {e.path} {st.st_size} {st.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()
