"""Validated observation records waiting to be scored: in memory up to a budget, then in a
temporary file.

``podkit score`` reads and checks every input before it writes anything, and scores one pod and
assessment at a time afterwards. A record takes about 16 KB in memory, so the records of 100,000
files would take gigabytes. The store keeps the first :data:`IN_MEMORY` records as they are and
pickles every further record into one temporary file, read back when its pod is scored; memory
then grows by a few dozen bytes per record. The records are the objects the model validated:
nothing is checked or converted again on the way back.

:meth:`RecordStore.read` fills the store from the input files. Large inputs are read by forked
worker processes, each through the same :func:`~podkit.observations.read_records` (the one
validation path); a worker hands each record back pickled, and the store keeps that pickle as it
is (in memory within the budget, then in the file), so the parent never rebuilds the objects: a
record is unpickled only where it is used, in the scoring worker of its pod (or to check a
session recorded in several files).
"""

from __future__ import annotations

import datetime as _dt
import os
import pickle
import tempfile
from array import array
from pathlib import Path

from .errors import Problem
from . import observations
from .observations import Record, check_sessions, read_files, read_records, session_key

#: Records kept in memory before the store spills to its file (about 32 MB of records). Forked
#: scoring workers touch the records they score, which copies their memory pages: the budget
#: counts twice.
IN_MEMORY = 2000
#: Input files a reading worker takes at a time (fewer, larger messages; the order is kept).
READ_CHUNK = 64


class RecordStore:
    """Records by number, grouped by ``(assessment, pod)``; use as a context manager."""

    def __init__(self, in_memory: int | None = None) -> None:
        self._in_memory = IN_MEMORY if in_memory is None else in_memory
        self._kept: list[Record | bytes] = []  # records, or records as their pickle
        self._file = None
        self._offsets = array("Q")
        self._sizes = array("I")
        #: (assessment, pod) -> record numbers, in the order they were added
        self.groups: dict[tuple[str, str], array] = {}
        #: (assessment, pod) -> the date of its earliest session
        self.first_dates: dict[tuple[str, str], _dt.date] = {}
        self._sessions: dict[tuple, int | list[int]] = {}
        self._closed = False
        self._unflushed = False

    def __len__(self) -> int:
        return len(self._kept) + len(self._offsets)

    def add(self, record: Record) -> None:
        """Keep one record (the next number)."""
        o = record.observation
        self._keep(record, (o.assessment, o.pod), o.date, session_key(o))

    def _keep(self, entry: Record | bytes, group: tuple[str, str], date: _dt.date, session: tuple) -> None:
        """Keep a record, or its pickle, under the next number: in memory within the budget, else
        (always pickled) in the file."""
        number = len(self)
        if len(self._kept) < self._in_memory:
            self._kept.append(entry)
        else:
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="podkit-records-")
            blob = entry if isinstance(entry, bytes) else pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
            self._offsets.append(self._file.seek(0, 2))
            self._sizes.append(len(blob))
            self._file.write(blob)  # buffered: flushed before anything reads the file (see _flush)
            self._unflushed = True
        self.groups.setdefault(group, array("I")).append(number)
        if date < self.first_dates.get(group, _dt.date.max):
            self.first_dates[group] = date
        seen = self._sessions.get(session)
        if seen is None:
            self._sessions[session] = number
        elif isinstance(seen, int):
            self._sessions[session] = [seen, number]
        else:
            seen.append(number)

    def read(self, files: list[tuple], kit: dict, today: _dt.date, *, jobs: int | None = 1, csv_delimiter: str = ",") -> list[Problem]:
        """Read, validate and check ``files`` (as :func:`~podkit.observations.collect_files` lists
        them) and keep their records, numbered in the order of the files; return every problem
        found. ``jobs`` worker processes share large inputs (0 or ``None``: one per core)."""
        from .workers import fork_map, plan_workers

        problems: list[Problem] = []
        workers = plan_workers(jobs, len(files), min_items=observations.PARALLEL_MIN_FILES)
        if workers <= 1:
            for _, recs, probs in read_files(files, kit, today, csv_delimiter=csv_delimiter):
                problems += probs
                for rec in recs:
                    self.add(rec)
            self._flush()
            return problems
        chunks = [files[i:i + READ_CHUNK] for i in range(0, len(files), READ_CHUNK)]

        def read_chunk(chunk: list[tuple]) -> list[tuple]:
            out = []
            for path, name, root in chunk:
                _, recs, probs = read_records(Path(path), name, root, kit, today, csv_delimiter)
                kept = []
                for rec in recs:
                    o = rec.observation
                    kept.append((pickle.dumps(rec, protocol=pickle.HIGHEST_PROTOCOL), (o.assessment, o.pod), o.date, session_key(o)))
                out.append((probs, kept))
            return out

        waiting: dict[int, list] = {}
        following = 0
        for index, result in fork_map(read_chunk, chunks, workers):
            waiting[index] = result
            while following in waiting:  # keep the order of the files, whichever worker finished first
                for probs, kept in waiting.pop(following):
                    problems += probs
                    for entry in kept:
                        self._keep(*entry)
                following += 1
        self._flush()
        return problems

    def _flush(self) -> None:
        """Write what waits in the file's buffer: before the records are read back, here or by
        forked workers (which read the file through its descriptor)."""
        if self._unflushed:
            self._file.flush()
            self._unflushed = False

    def records(self, numbers) -> list[Record]:
        if self._closed:
            raise ValueError("the record store is closed")
        self._flush()
        out = []
        kept = len(self._kept)
        for n in numbers:
            if n < kept:
                entry = self._kept[n]
                out.append(pickle.loads(entry) if isinstance(entry, bytes) else entry)
            else:  # pread: forked workers share the file and its position
                out.append(pickle.loads(os.pread(self._file.fileno(), self._sizes[n - kept], self._offsets[n - kept])))
        return out

    def check_sessions(self) -> list:
        """Problems of sessions recorded in several records that do not fit together."""
        problems = []
        for numbers in self._sessions.values():
            if isinstance(numbers, list):
                problems += check_sessions(self.records(numbers))
        return problems

    def close(self) -> None:
        """Let go of every record (and the file): the store is empty afterwards."""
        self._closed = True
        self._kept, self._sessions, self.groups, self.first_dates = [], {}, {}, {}
        self._offsets, self._sizes = array("Q"), array("I")
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> "RecordStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
