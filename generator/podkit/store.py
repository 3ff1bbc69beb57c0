"""Validated observation records waiting to be scored: in memory up to a budget, then in a
temporary file.

``podkit score`` reads and checks every input before it writes anything, and scores one pod and
assessment at a time afterwards. A record takes about 16 KB in memory, so the records of 100,000
files would take gigabytes. The store keeps the first :data:`IN_MEMORY` records as they are and
pickles every further record into one temporary file, read back when its pod is scored; memory
then grows by a few dozen bytes per record. The records are the objects the model validated:
nothing is checked or converted again on the way back.
"""

from __future__ import annotations

import datetime as _dt
import os
import pickle
import tempfile
from array import array

from .observations import Record, check_sessions, session_key

#: Records kept in memory before the store spills to its file (about 32 MB of records). Forked
#: scoring workers touch the records they score, which copies their memory pages: the budget
#: counts twice.
IN_MEMORY = 2000


class RecordStore:
    """Records by number, grouped by ``(assessment, pod)``; use as a context manager."""

    def __init__(self, in_memory: int | None = None) -> None:
        self._in_memory = IN_MEMORY if in_memory is None else in_memory
        self._kept: list[Record] = []
        self._file = None
        self._offsets = array("Q")
        self._sizes = array("I")
        #: (assessment, pod) -> record numbers, in the order they were added
        self.groups: dict[tuple[str, str], array] = {}
        #: (assessment, pod) -> the date of its earliest session
        self.first_dates: dict[tuple[str, str], _dt.date] = {}
        self._sessions: dict[tuple, int | list[int]] = {}

    def __len__(self) -> int:
        return len(self._kept) + len(self._offsets)

    def add(self, record: Record) -> None:
        number = len(self)
        if len(self._kept) < self._in_memory:
            self._kept.append(record)
        else:
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="podkit-records-")
            blob = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
            self._offsets.append(self._file.seek(0, 2))
            self._sizes.append(len(blob))
            self._file.write(blob)
            self._file.flush()
        o = record.observation
        group = (o.assessment, o.pod)
        self.groups.setdefault(group, array("I")).append(number)
        if o.date < self.first_dates.get(group, _dt.date.max):
            self.first_dates[group] = o.date
        key = session_key(o)
        seen = self._sessions.get(key)
        if seen is None:
            self._sessions[key] = number
        elif isinstance(seen, int):
            self._sessions[key] = [seen, number]
        else:
            seen.append(number)

    def records(self, numbers) -> list[Record]:
        out = []
        kept = len(self._kept)
        for n in numbers:
            if n < kept:
                out.append(self._kept[n])
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
        self._kept = []
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> "RecordStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
