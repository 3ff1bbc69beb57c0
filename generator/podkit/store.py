"""Validated observation records waiting to be scored, kept in a temporary file.

``podkit score`` reads and checks every input before it writes anything, and scores one pod and
assessment at a time afterwards. Holding every record of 100,000 files in memory in between
would take gigabytes; here each record is pickled into one temporary file as it arrives and read
back when its pod is scored, so memory grows by a few dozen bytes per record. The records are the
objects the model validated: nothing is checked or converted again on the way back.
"""

from __future__ import annotations

import datetime as _dt
import pickle
import tempfile
from array import array

from .observations import Record, check_sessions, session_key


class RecordStore:
    """Records by number, grouped by ``(assessment, pod)``; use as a context manager."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="podkit-records-")
        self._offsets = array("Q")
        self._sizes = array("I")
        #: (assessment, pod) -> record numbers, in the order they were added
        self.groups: dict[tuple[str, str], array] = {}
        #: (assessment, pod) -> the date of its earliest session
        self.first_dates: dict[tuple[str, str], _dt.date] = {}
        self._sessions: dict[tuple, int | list[int]] = {}

    def __len__(self) -> int:
        return len(self._offsets)

    def add(self, record: Record) -> None:
        blob = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        number = len(self._offsets)
        self._offsets.append(self._file.seek(0, 2))
        self._sizes.append(len(blob))
        self._file.write(blob)
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
        for n in numbers:
            self._file.seek(self._offsets[n])
            out.append(pickle.loads(self._file.read(self._sizes[n])))
        return out

    def check_sessions(self) -> list:
        """Problems of sessions recorded in several records that do not fit together."""
        problems = []
        for numbers in self._sessions.values():
            if isinstance(numbers, list):
                problems += check_sessions(self.records(numbers))
        return problems

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "RecordStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
