"""Read a filled fillable observation sheet (PDF) back into an observation.

The sheet's form fields are named as :mod:`podkit.fields` says. :func:`read_sheet` returns a dict
in exactly the shape of an observation YAML file, for validation with
:class:`podkit.model.Observation`.
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem, SourceErrors
from .fields import META_KEYS, NOT_OBSERVED, PREFIX, SEP
from .sources import MAX_PDF_BYTES, check_file

_LABELS = {
    "assessment": "Assessment", "version": "Version", "pod": "Pod", "date": "Date",
    "observer": "Observer id", "session": "Session", "duration": "Minutes",
}
_ROW = re.compile(r"^i(\d{1,3})$")
_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*%?\s*$")
_MINUTES = re.compile(r"^\s*(\d{1,3})\s*(?:m|min|mins|minutes)?\s*$", re.IGNORECASE)
#: Most form fields and widgets read from one PDF. A real sheet has a few hundred; the bound keeps
#: a hostile file (millions of fields, or kids shared so that the tree explodes) fast to refuse.
MAX_FORM_FIELDS = 20_000
# Bounds on the work a PDF can cause before it is refused (a hostile file can pack gigabytes into a
# few hundred kilobytes of compressed streams). A real filled sheet decodes to about 1 MB in all,
# its largest stream (an embedded font) is under 400 KB, and its object streams hold ~60 KB.
#: Most bytes any one stream of the PDF may decode to.
MAX_STREAM_BYTES = 4 * 1024 * 1024
#: Most bytes all compressed streams of the PDF together may decode to.
MAX_DECODED_BYTES = 64 * 1024 * 1024
#: Most bytes the object and cross-reference streams (the ones parsed as PDF objects) may decode to.
MAX_OBJECT_STREAM_BYTES = 16 * 1024 * 1024
#: Most PDF objects in one file (numbered objects plus the objects packed in object streams).
MAX_PDF_OBJECTS = 100_000
_PASSWORD = "the PDF is password-protected: save an unprotected copy of the filled sheet and read that"


class _TooManyFields(Exception):
    pass


@dataclass
class _Item:
    level: str | None = None
    check: str | None = None
    count: str | None = None
    not_observed: bool = False
    evidence: str = ""
    interval: str | None = None
    grid: dict[int, list[str]] = field(default_factory=dict)  # row -> ticked codes, sheet order
    rows: int = 0


def read_sheet(path: Path) -> dict:
    """Read a filled podkit observation sheet into a raw observation dict.

    Raises :class:`SourceErrors` naming the file (and the observation key) for anything a person
    can fix: a PDF that cannot be read, an encrypted or flattened one, a sheet from another tool,
    empty required fields, values that are not numbers or dates, contradictory ticks.
    """
    path = Path(path)
    check_file(path, limit=MAX_PDF_BYTES)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(path, f"cannot read file: {exc.strerror or exc}") from None
    encrypted = _prescan(path, data)
    values, info = _read_fields(path, data, encrypted)
    return _observation(path, values, info)


# --------------------------------------------------------------------------- bounded work

_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_OBJ = re.compile(rb"(?<![0-9])[0-9]{1,10}\s+[0-9]{1,5}\s+obj\b")
_COUNT_N = re.compile(rb"/N\s+([0-9]{1,12})\b")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]{0,200}\]|/[A-Za-z0-9]+)")
_CHUNK = 64 * 1024


def _prescan(path: Path, data: bytes) -> bool:
    """Refuse a PDF whose streams would decode to too much, or that holds too many objects,
    before pypdf parses anything; return whether the file is encrypted.

    Every ``stream`` keyword is followed by an attempt to inflate what comes after it with a
    bounded decompressor, so the cost is linear in the file size and capped by the limits above.
    Object and cross-reference streams (the ones parsed as PDF objects) must be uncompressed or
    use /FlateDecode, as every PDF writer does. In an encrypted file the streams cannot be
    measured before decryption, so there are at most MAX_OBJECT_STREAM_BYTES // MAX_STREAM_BYTES
    object streams, each capped at MAX_STREAM_BYTES while pypdf decodes it.
    """
    encrypted = b"/Encrypt" in data
    objects = len(_OBJ.findall(data))
    total = parsed = object_streams = 0
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - 2048):m.start()]
        cut = head.rfind(b"obj")
        head = head[cut:] if cut >= 0 else head
        is_objects = b"/ObjStm" in head or b"/XRef" in head
        if is_objects:
            object_streams += 1
            f = _FILTER.search(head)
            if f and f.group(1).strip(b"[] \r\n\t") not in (b"/FlateDecode", b"/Fl"):
                name = f.group(1).decode("latin-1")
                raise _fail(path, f"the PDF packs its objects in streams compressed with {name}, which podkit does not read; "
                                  "save it again from your PDF viewer (or use the sheet as podkit made it)")
            if b"/ObjStm" in head and (n := _COUNT_N.search(head)):
                objects += int(n.group(1))
        size = 0 if encrypted else _inflated_size(path, data, m.end(), MAX_DECODED_BYTES - total)
        total += size
        if is_objects:
            parsed += size
        if objects > MAX_PDF_OBJECTS:
            break
        if parsed > MAX_OBJECT_STREAM_BYTES:
            raise _fail(path, f"the PDF's object streams decode to more than {MAX_OBJECT_STREAM_BYTES // 2**20} MiB; a podkit sheet needs well under 1 MiB")
    if objects > MAX_PDF_OBJECTS:
        raise _fail(path, f"the PDF has more than {MAX_PDF_OBJECTS:,} objects; a podkit observation sheet has a few hundred")
    if encrypted and object_streams * MAX_STREAM_BYTES > MAX_OBJECT_STREAM_BYTES:
        raise _fail(path, f"the PDF is encrypted and has {object_streams} object streams, more than podkit reads "
                          f"({MAX_OBJECT_STREAM_BYTES // MAX_STREAM_BYTES}); save an unencrypted copy of the filled sheet and read that")
    return encrypted


def _inflated_size(path: Path, data: bytes, start: int, budget: int) -> int:
    """How many bytes a zlib stream starting at ``start`` inflates to (0 if it is not one);
    refuse the file once the stream passes MAX_STREAM_BYTES or the file's ``budget``."""
    d = zlib.decompressobj()
    size = 0
    pos = start
    end = len(data)
    try:
        while pos < end and not d.eof:
            buf = data[pos:pos + _CHUNK]
            pos += len(buf)
            while buf:
                out = d.decompress(buf, _CHUNK * 16)
                size += len(out)
                if size > MAX_STREAM_BYTES:
                    raise _fail(path, f"a stream in the PDF decodes to more than {MAX_STREAM_BYTES // 2**20} MiB; "
                                      "a podkit sheet has none that large (is this a sheet made by podkit?)")
                if size > budget:
                    raise _fail(path, f"the PDF's streams decode to more than {MAX_DECODED_BYTES // 2**20} MiB in all; "
                                      "a podkit sheet decodes to about 1 MiB (is this a sheet made by podkit?)")
                if d.eof:
                    break
                buf = d.unconsumed_tail
    except zlib.error:
        return size
    return size


def _limits():
    """pypdf's own per-stream limits, lowered to podkit's bounds for the duration of a read."""
    from pypdf import apply_configuration

    return apply_configuration(
        zlib_maximum_output_length=MAX_STREAM_BYTES,
        zlib_maximum_recovery_input_length=1024 * 1024,
        lzw_maximum_output_length=MAX_STREAM_BYTES,
        run_length_maximum_output_length=MAX_STREAM_BYTES,
        brotli_maximum_output_length=MAX_STREAM_BYTES,
        jbig2_maximum_output_length=MAX_STREAM_BYTES,
        array_based_stream_maximum_output_length=MAX_STREAM_BYTES,
        stream_decoding_work_maximum_length=4 * MAX_STREAM_BYTES,
        maximum_declared_stream_length=MAX_PDF_BYTES,
        image_maximum_buffer_size=MAX_STREAM_BYTES,
        xmp_maximum_input_length=MAX_STREAM_BYTES,
        form_fields_maximum_entries=MAX_FORM_FIELDS,
        array_maximum_element_count=MAX_PDF_OBJECTS,
        dictionary_maximum_element_count=MAX_PDF_OBJECTS,
    )


# --------------------------------------------------------------------------- PDF → field values


def _fail(path: Path, message: str) -> SourceErrors:
    return SourceErrors([Problem(path, message)])


def _read_fields(path: Path, data: bytes, encrypted: bool = False) -> tuple[dict[str, object], dict[str, str]]:
    """Field name → value (str, bool or None) for every podkit field, in document order."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    quiet = logging.getLogger("pypdf")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        try:
            with _limits():
                return _fields_of(path, PdfReader(io.BytesIO(data), strict=False))
        except SourceErrors:
            raise
        except _TooManyFields:
            raise _fail(path, f"the PDF has more than {MAX_FORM_FIELDS:,} form fields; a podkit observation sheet has a few hundred") from None
        except FileNotDecryptedError:
            raise _fail(path, _PASSWORD) from None
        except (PdfReadError, RecursionError) as exc:
            raise _fail(path, f"cannot read this PDF ({exc}); is it a complete, undamaged file?") from None
        except Exception as exc:  # noqa: BLE001 - a damaged file can fail anywhere inside pypdf
            raise _fail(path, f"cannot read this PDF ({type(exc).__name__}: {exc}); is it a complete, undamaged file?") from None
    finally:
        quiet.setLevel(level)


def _fields_of(path: Path, reader) -> tuple[dict[str, object], dict[str, str]]:
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except Exception as exc:  # noqa: BLE001 - unsupported encryption is a user problem here
            raise _fail(path, f"the PDF is encrypted in a way podkit cannot read ({type(exc).__name__}: {exc}); "
                              "save an unprotected copy of the filled sheet and read that") from None
        if not ok:
            raise _fail(path, _PASSWORD)
    root = reader.trailer["/Root"]
    acro = root.get("/AcroForm")
    fields = acro.get_object().get("/Fields") if acro is not None else None
    values: dict[str, object] = {}
    budget = [MAX_FORM_FIELDS]
    for ref in fields or []:
        _walk(ref.get_object(), "", None, values, 0, budget)
    meta = reader.metadata or {}
    info = {k: str(meta.get(k)) for k in ("/podkitassessment", "/podkitassessmentversion") if meta.get(k)}
    if not any(name.startswith(PREFIX + SEP) for name in values):
        raise _fail(path, "no podkit form fields in this PDF: read a fillable observation sheet made by 'podkit build' "
                          "or 'podkit print' (printing a sheet to PDF or flattening it removes its fields)")
    return values, info


def _walk(node, parent: str, inherited_ft, out: dict, depth: int, budget: list[int]) -> None:
    if depth > 20:
        return
    name = node.get("/T")
    full = f"{parent}.{name}" if parent and name is not None else (str(name) if name is not None else parent)
    ft = node.get("/FT", inherited_ft)
    refs = node.get("/Kids", []) or []
    refs = refs.get_object() if hasattr(refs, "get_object") else refs  # an indirect array
    budget[0] -= 1 + len(refs)  # every node and kid counts, however often it is shared
    if budget[0] < 0:
        raise _TooManyFields
    kids = [k.get_object() for k in refs]
    named_kids = [k for k in kids if k.get("/T") is not None]
    if named_kids:
        for kid in named_kids:
            _walk(kid, full, ft, out, depth + 1, budget)
        return
    if not full or "." in full:
        return  # pseudo-fields some writers add; podkit names never contain dots
    out[full] = _value(node, ft, kids)


def _value(node, ft, kids) -> object:
    ff = int(node.get("/Ff", 0) or 0)
    v = node.get("/V")
    if ft == "/Btn":
        if ff & (1 << 15):  # radio group: /V names the chosen kid's state, /Opt its export value
            state = _name(v)
            if state in (None, "Off"):
                states = [_name(k.get("/AS")) for k in kids]
                state = next((s for s in states if s not in (None, "Off")), None)
            if state is None:
                return None
            opt = node.get("/Opt")
            if opt is not None and state.isdigit() and int(state) < len(opt):
                return str(opt[int(state)])
            return state
        state = _name(v) or _name(node.get("/AS"))
        if state in (None, "Off") and kids:
            state = next((s for s in (_name(k.get("/AS")) for k in kids) if s not in (None, "Off")), state)
        return state not in (None, "Off")
    if v is None:
        return ""
    if isinstance(v, list):
        return str(v[0]) if v else ""
    return str(v)


def _name(value) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text[1:] if text.startswith("/") else text


# --------------------------------------------------------------------------- field values → observation


def _observation(path: Path, values: dict[str, object], info: dict[str, str]) -> dict:
    problems: list[Problem] = []

    def problem(message: str, key: tuple = ()) -> None:
        problems.append(Problem(path, message, key=key))

    meta: dict[str, object] = {}
    items: dict[str, _Item] = {}
    codes_order: dict[str, list[str]] = {}
    for name, value in values.items():
        parts = name.split(SEP)
        if parts[0] != PREFIX or len(parts) < 3:
            continue
        if parts[1] == "meta" and len(parts) == 3 and parts[2] in META_KEYS:
            meta[parts[2]] = value
            continue
        item = items.setdefault(parts[1], _Item())
        kind = parts[2]
        if len(parts) == 4 and (m := _ROW.match(kind)):
            row = int(m.group(1))
            item.rows = max(item.rows, row)
            order = codes_order.setdefault(parts[1], [])
            if parts[3] not in order:
                order.append(parts[3])
            if value is True:
                item.grid.setdefault(row, []).append(parts[3])
        elif len(parts) == 3 and kind in ("level", "check", "count", "interval"):
            setattr(item, kind, _text(value) or None)
        elif len(parts) == 3 and kind == NOT_OBSERVED:
            item.not_observed = value is True
        elif len(parts) == 3 and kind == "evidence":
            item.evidence = _multiline(value)

    def required(key: str, obs_key: tuple) -> str:
        value = _text(meta.get(key))
        if not value:
            what = "tick the session type" if key == "session" else f"fill in the field “{_LABELS[key]}”"
            problem(f"{what} on the sheet (it is empty)", obs_key)
        return value

    assessment = _text(meta.get("assessment")) or info.get("/podkitassessment", "")
    version = _text(meta.get("version")) or info.get("/podkitassessmentversion", "")
    if not assessment or not version:
        problem("the sheet does not say which assessment it belongs to (its fixed Assessment and Version fields are empty)", ("assessment",))
    pod = required("pod", ("pod",))
    date = required("date", ("date",))
    if date:
        try:
            date = _dt.date.fromisoformat(date).isoformat()
        except ValueError:
            problem(f"“{date}” is not a date like 2026-10-01 (write it as YYYY-MM-DD)", ("date",))
    observer = required("observer", ("observers", 0))
    session_type = required("session", ("session", "type"))
    duration_text = required("duration", ("session", "duration_minutes"))
    duration = None
    if duration_text:
        m = _MINUTES.match(duration_text)
        if m and int(m.group(1)) > 0:
            duration = int(m.group(1))
        else:
            problem(f"“{duration_text}” is not a number of minutes (write a whole number such as 60)", ("session", "duration_minutes"))

    responses: dict[str, dict] = {}
    for item_id, it in items.items():
        key = ("responses", item_id, observer or "observer")
        response = _response(it, codes_order.get(item_id, []), duration, lambda msg, sub=(): problem(msg, key + sub))
        if response is not None:
            responses[item_id] = {observer: response}

    if problems:
        raise SourceErrors(problems)
    out: dict = {
        "assessment": assessment,
        "assessment_version": version,
        "pod": pod,
        "date": date,
        "session": {"type": session_type, "duration_minutes": duration},
        "observers": [observer],
        "responses": responses,
    }
    notes = _multiline(meta.get("notes"))
    if notes:
        out["notes"] = notes
    return out


def _response(it: _Item, codes: list[str], duration: int | None, problem) -> dict | None:
    """One observer's response to one item, or ``None`` when the item was left blank."""
    value: dict = {}
    chosen = []
    if it.level is not None:
        if it.level == NOT_OBSERVED:
            chosen.append("not observed")
            value["not_observed"] = True
        elif it.level.isdigit():
            chosen.append("level")
            value["level"] = int(it.level)
        else:
            problem(f"unexpected level value {it.level!r}", ("level",))
    if it.check is not None:
        if it.check == NOT_OBSERVED:
            chosen.append("not observed")
            value["not_observed"] = True
        elif it.check in ("yes", "no"):
            chosen.append("yes/no")
            value["check"] = it.check == "yes"
        else:
            problem(f"unexpected answer {it.check!r}", ("check",))
    if it.count is not None:
        m = _NUMBER.match(it.count)
        if m:
            number = float(m.group(1).replace(",", "."))
            value["count"] = int(number) if number.is_integer() else number
            chosen.append("count")
        else:
            problem(f"“{it.count}” is not a number (write digits only, such as 4 or 62.5)", ("count",))
    if it.grid:
        rows = it.rows
        minutes = int(it.interval) if it.interval and it.interval.isdigit() and int(it.interval) > 0 else None
        n = min(rows, math.ceil(duration / minutes)) if duration and minutes else rows
        n = max(n, max(it.grid))
        value["intervals"] = [[c for c in codes if c in it.grid.get(row, [])] for row in range(1, n + 1)]
        chosen.append("interval codes")
    if it.not_observed:
        chosen.append("not observed")
        value["not_observed"] = True
    if len(chosen) > 1:
        problem(f"both {' and '.join(chosen)} are filled in; keep one", ())
        return None
    if not chosen:
        if it.evidence:
            problem("evidence is written but no level, answer or count is recorded; record one, or tick “not observed”", ("evidence",))
        return None
    if it.evidence:
        value["evidence"] = it.evidence
    return value


def _text(value) -> str:
    if value is None or isinstance(value, bool):
        return ""
    return " ".join(str(value).split())


def _multiline(value) -> str:
    if value is None or isinstance(value, bool):
        return ""
    lines = [" ".join(line.split()) for line in str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()
