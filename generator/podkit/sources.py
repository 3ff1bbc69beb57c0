"""Read source files safely and keep where every value came from.

YAML is built straight from the parser's event stream (C parser when available), so that
* only plain data is produced: any explicit tag other than the standard ones is refused;
* every mapping key and sequence entry keeps its ``line:col``;
* duplicate keys are errors (PyYAML would silently keep the last one);
* aliases cannot blow up memory ("billion laughs") and nesting depth is bounded.
"""

from __future__ import annotations

import errno
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml import events as ev
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .errors import Problem, SourceErrors

try:  # the C parser is several times faster; fall back quietly when it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Largest text source podkit reads (assessments, observations, CSV). Real files are a few KiB.
MAX_TEXT_BYTES = 2 * 1024 * 1024
#: Largest PDF podkit reads back (a filled observation sheet is well under 1 MiB).
MAX_PDF_BYTES = 20 * 1024 * 1024
#: Deepest nesting accepted; real files nest five or six levels.
MAX_DEPTH = 40
#: Most values one document may expand to once aliases are followed.
MAX_NODES = 200_000

_STANDARD_TAGS = {
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass
class Document:
    """Parsed data plus the position of every key path in the source."""

    path: Path
    data: object
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def locate(self, key: tuple) -> tuple[int | None, int | None]:
        """Return the ``(line, col)`` of the deepest known prefix of ``key``."""
        key = tuple(key)
        while key:
            pos = self.positions.get(key)
            if pos:
                return pos
            key = key[:-1]
        return self.positions.get((), (None, None))

    def problem(self, message: str, key: tuple = (), severity="error", rule=None) -> Problem:
        line, col = self.locate(key)
        return Problem(self.path, message, line, col, tuple(key), severity, rule)


#: stat() errors that mean "no such file" (those Path.exists() treats as a missing file).
_MISSING_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def check_file(path: Path, *, limit: int = MAX_TEXT_BYTES, root: Path | None = None) -> None:
    """Raise a located error unless ``path`` is a readable regular file within limits."""
    path = Path(path)
    if root is not None and path.is_symlink() and (problem := outside_link(path, root)) is not None:
        raise SourceErrors([problem])
    try:  # one stat call: this runs for each of thousands of observation files
        st = os.stat(path)
    except ValueError:  # an embedded NUL byte: no such file, as Path.exists() says
        st = None
    except OSError as exc:
        if exc.errno not in _MISSING_ERRNOS:
            raise SourceErrors([Problem(path, f"cannot read file: {exc.strerror or exc}")]) from None
        st = None
    if st is None:
        raise SourceErrors([Problem(path, "no such file")])
    if stat.S_ISDIR(st.st_mode):
        raise SourceErrors([Problem(path, "is a directory, expected a file")])
    if not stat.S_ISREG(st.st_mode):
        raise SourceErrors([Problem(path, "is not a regular file")])
    size = st.st_size
    if size > limit:
        raise SourceErrors(
            [Problem(path, f"file is {size:,} bytes; podkit reads files up to {limit:,} bytes")]
        )


def outside_link(path: Path, root: Path, boundary: str = "the project") -> Problem | None:
    """The problem with ``path`` if it, or any link on the way to what it names, leads out of
    ``root`` once the whole chain of symbolic links is resolved (or nowhere, or in a loop)."""
    try:
        target = Path(path).resolve(strict=True)
    except FileNotFoundError:
        return Problem(path, "no such file: the symbolic link points to nothing")
    except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13)
        return Problem(path, "symbolic link loop: the link points (in the end) back to itself")
    if not target.is_relative_to(Path(root).resolve()):
        return Problem(path, f"symbolic link points outside {boundary} (to {target}); podkit reads only inside it")
    return None


def walk_inside(folder: Path, root: Path, boundary: str = "the project") -> tuple[list[tuple[Path, str]], list[Problem]]:
    """Every file below ``folder`` (hidden names left out) as ``(path, relative name)``, sorted.

    Symbolic links are followed when the whole chain stays inside ``root``; a link that leads out
    of it, to nothing or in a loop is a problem naming it, never a silent skip.
    """
    folder = Path(folder)
    root = Path(root)
    files: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    if folder.is_symlink() and (p := outside_link(folder, root, boundary)) is not None:
        return files, [p]
    todo = [(folder, "", frozenset({folder.resolve()}))]
    while todo:
        current, rel, chain = todo.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(current, f"cannot read this folder: {exc.strerror or exc}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            name = f"{rel}{entry.name}"
            if entry.is_symlink() and (p := outside_link(path, root, boundary)) is not None:
                problems.append(p)
                continue
            if entry.is_dir():
                real = path.resolve()
                if real in chain:
                    problems.append(Problem(path, "symbolic link loop: this folder contains itself"))
                    continue
                todo.append((path, name + "/", chain | {real}))
            elif entry.is_file():
                files.append((path, name))
    files.sort(key=lambda f: f[1])
    return files, problems


#: What a YAML file podkit reads is named.
YAML_SUFFIXES = (".yaml", ".yml")


def in_named_folder(path: Path | str, folder: str) -> bool:
    """Whether ``path`` is a YAML file (not hidden) directly inside a folder named ``folder``:
    how action plans (``actions/``) and self-check records (``self-check/``) are told apart
    from observations."""
    p = Path(path)
    return p.parent.name == folder and p.name.lower().endswith(YAML_SUFFIXES) and not p.name.startswith(".")


def read_text(path: Path, *, limit: int = MAX_TEXT_BYTES, root: Path | None = None) -> str:
    """Read a UTF-8 text file (a leading BOM is accepted), with located decoding errors."""
    path = Path(path)
    return decode_text(read_bytes(path, limit=limit, root=root), path)


def read_bytes(path: Path, *, limit: int = MAX_TEXT_BYTES, root: Path | None = None) -> bytes:
    """The bytes of a file that passes :func:`check_file` (for callers that also hash them)."""
    path = Path(path)
    check_file(path, limit=limit, root=root)
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise SourceErrors([Problem(path, f"cannot read file: {exc.strerror or exc}")]) from None


def decode_text(raw: bytes, path: Path) -> str:
    """Decode a text file's bytes as UTF-8 (a leading BOM is accepted), with located errors."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise SourceErrors([Problem(path, "file contains NUL bytes: this looks like a binary file, not text", line)])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceErrors(
            [Problem(path, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8", line, col)]
        ) from None


def _mark(m) -> tuple[int, int]:
    return (m.line + 1, m.column + 1)


class _Builder:
    """Turn a YAML event stream into Python data plus positions, without recursion."""

    def __init__(self, path: Path):
        self.path = path
        self.resolver = Resolver()
        self.constructor = SafeConstructor()
        self.positions: dict[tuple, tuple[int, int]] = {(): (1, 1)}
        self.anchors: dict[str, tuple[object, int]] = {}
        self.budget = MAX_NODES
        #: the tag of each plain, untagged text met in this document (keys repeat in every response)
        self.plain_tags: dict[str, str] = {}

    def fail(self, message: str, mark, key=()) -> SourceErrors:
        line, col = _mark(mark) if mark is not None else (None, None)
        return SourceErrors([Problem(self.path, message, line, col, tuple(key))])

    def scalar(self, event: ev.ScalarEvent, key: tuple):
        tag = event.tag
        if tag is None and event.style:
            return event.value  # quoted or block scalar without a tag: always a string
        if tag is None or tag == "!":
            if tag is None:  # plain and untagged: the same text resolves the same way every time
                tag = self.plain_tags.get(event.value)
                if tag is None:
                    tag = self.plain_tags[event.value] = self.resolver.resolve(ScalarNode, event.value, event.implicit)
            else:
                tag = self.resolver.resolve(ScalarNode, event.value, event.implicit)
            if tag == "tag:yaml.org,2002:float" and event.value.lstrip("+-").lower() in (".inf", ".nan"):
                raise self.fail(f"{event.value!r} is not a finite number", event.start_mark, key)
            if tag in _PLAIN_NUMBER and not _PLAIN_NUMBER[tag].match(event.value):
                # YAML 1.1 also reads 1:30 as 90 (base 60), 0x10 as 16 and 010 as 8: nobody
                # recording a count means that, so such text stays text and is refused as a number.
                return event.value
        elif tag not in _STANDARD_TAGS:
            raise self.fail(f"YAML tag {event.tag!r} is not allowed; podkit reads plain data only", event.start_mark, key)
        if tag == "tag:yaml.org,2002:merge":
            raise self.fail("merge keys ('<<') are not supported; write the keys out", event.start_mark, key)
        # The common plain values need no constructor: text as it is, numbers that matched the
        # plain patterns above, the YAML 1.1 yes/no words and null.
        if tag == "tag:yaml.org,2002:str":
            return event.value
        if tag == "tag:yaml.org,2002:null" and event.tag is None:
            return None
        if tag == "tag:yaml.org,2002:bool" and event.tag is None:
            return SafeConstructor.bool_values[event.value.lower()]
        if tag == "tag:yaml.org,2002:int" and event.tag is None and len(event.value) <= 100:
            return int(event.value)  # longer digit strings take the constructor's checked path
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = self.constructor.construct_object(node)
        except (ConstructorError, ValueError, OverflowError) as exc:
            why = exc.problem if isinstance(exc, ConstructorError) and exc.problem else exc
            shown = repr(event.value) if len(event.value) <= 60 else repr(event.value[:57]) + "…"
            raise self.fail(f"cannot read value {shown}: {why}", event.start_mark, key) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(f"{event.value!r} is not a finite number", event.start_mark, key)
        return value

    def build(self, loader) -> object:
        # Each frame: [container, key_path, pending_key, is_mapping, start_mark, anchor, expanded_size]
        stack: list[list] = []
        root = None
        have_root = False

        positions = self.positions

        def place(value, mark, cost=1, size=1):
            nonlocal root, have_root
            self.budget -= cost
            if self.budget < 0:
                raise self.fail(
                    f"document expands to more than {MAX_NODES:,} values (too many aliases?)", mark
                )
            if not stack:
                root, have_root = value, True
                return
            frame = stack[-1]
            frame[6] += size
            container, path = frame[0], frame[1]
            if frame[3]:  # mapping
                if frame[2] is _NO_KEY:
                    if type(value) is not str:  # text, the usual key, is always a plain value
                        if isinstance(value, (dict, list)):
                            raise self.fail("mapping keys must be plain values", mark, path)
                        try:
                            hash(value)
                        except TypeError:
                            raise self.fail("mapping keys must be plain values", mark, path) from None
                    if value in container:
                        first = self.positions.get(path + (value,))
                        where = f" (first defined on line {first[0]})" if first else ""
                        raise self.fail(f"duplicate key {value!r}{where}", mark, path + (value,))
                    frame[2] = value
                    positions[path + (value,)] = _mark(mark)
                    return
                container[frame[2]] = value  # its position was kept with its key
                frame[2] = _NO_KEY
                return
            positions[path + (len(container),)] = _mark(mark)
            container.append(value)

        def child_path():
            if not stack:
                return ()
            frame = stack[-1]
            if frame[3]:
                return frame[1] + ((frame[2],) if frame[2] is not _NO_KEY else ())
            return frame[1] + (len(frame[0]),)

        documents = 0
        get_event = loader.get_event
        while True:
            event = get_event()
            if event is None:
                break
            kind = type(event)  # the parser makes these exact classes; scalars are most events
            if kind is ev.ScalarEvent:
                path = child_path()
                is_key = bool(stack) and stack[-1][3] and stack[-1][2] is _NO_KEY
                value = self.scalar(event, path)
                place(value, event.start_mark)
                if event.anchor and not is_key:
                    self.anchors[event.anchor] = (value, 1)
            elif kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
                is_map = kind is ev.MappingStartEvent
                path = child_path()
                if event.tag not in (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
                    raise self.fail(f"YAML tag {event.tag!r} is not allowed; podkit reads plain data only", event.start_mark, path)
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(f"nesting is deeper than {MAX_DEPTH} levels", event.start_mark, path)
                if stack and stack[-1][3] and stack[-1][2] is _NO_KEY:
                    raise self.fail("mapping keys must be plain values", event.start_mark, path)
                container: object = {} if is_map else []
                stack.append([container, path, _NO_KEY, is_map, event.start_mark, event.anchor, 1])
            elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                frame = stack.pop()
                container, anchor, start, size = frame[0], frame[5], frame[4], frame[6]
                if anchor:
                    self.anchors[anchor] = (container, size)
                place(container, start, cost=1, size=size)
            elif kind is ev.AliasEvent:
                if event.anchor not in self.anchors:
                    raise self.fail(f"unknown alias *{event.anchor}", event.start_mark, child_path())
                value, size = self.anchors[event.anchor]
                # Charge the full expanded size: a chain of aliases grows geometrically.
                place(value, event.start_mark, cost=size, size=size)
            elif kind is ev.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self.fail("expected one YAML document, found a second one ('---')", event.start_mark)
        if not have_root:
            return None
        return root


_NO_KEY = object()
#: Numbers as people write them: a sign, digits (no leading zero), a decimal part.
_PLAIN_NUMBER = {
    "tag:yaml.org,2002:int": re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"),
    "tag:yaml.org,2002:float": re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
}


def parse_yaml(text: str, path: Path) -> Document:
    """Parse YAML text into a :class:`Document` (raises :class:`SourceErrors`)."""
    loader = _Loader(text)
    builder = _Builder(path)
    try:
        data = builder.build(loader)
    except yaml.MarkedYAMLError as exc:
        raise SourceErrors([_syntax_problem(exc, text, path)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: located by hand
        raise SourceErrors([_reader_problem(exc, text, path)]) from None
    except yaml.YAMLError as exc:
        raise SourceErrors([Problem(path, f"YAML syntax error: {exc}")]) from None
    except RecursionError:
        raise SourceErrors([Problem(path, f"nesting is deeper than {MAX_DEPTH} levels")]) from None
    finally:
        loader.dispose()
    # Positions are kept even for keys the builder saw before it stopped.
    return Document(path, data, builder.positions)


def _reader_problem(exc: yaml.reader.ReaderError, text: str, path: Path) -> Problem:
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
    pos = exc.position
    for i in (pos, pos - 1):  # the C reader points just past the character, the Python one at it
        if 0 <= i < len(text) and ord(text[i]) == code:
            pos = i
            break
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return Problem(path, f"YAML syntax error: character U+{code:04X} is not allowed ({exc.reason}); delete it", line, col)


_OPENERS = ("flow sequence", "flow mapping", "quoted scalar")


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, path: Path) -> Problem:
    """Locate a syntax error where a person would look for it.

    For an unclosed bracket or quote the parser only notices at the next token, often lines
    later; the line that opened the construct is the one to fix, so that is reported first.
    """
    mark = exc.problem_mark or exc.context_mark
    if exc.problem and "maximum nesting depth" in exc.problem:
        # libyaml (PyYAML 6.0.4 and later) has a nesting limit of its own, far above podkit's;
        # the user sees one wording for one limit, whichever parser noticed first.
        line, col = _mark(mark) if mark is not None else (None, None)
        return Problem(path, f"nesting is deeper than {MAX_DEPTH} levels", line, col)
    what = exc.problem or "invalid YAML"
    context = exc.context or ""
    if context:
        what = f"{context}: {what}"
    if exc.context_mark is not None and any(o in context for o in _OPENERS) and exc.problem_mark is not None:
        found = exc.problem_mark
        mark = exc.context_mark
        what += f" (noticed at line {found.line + 1}, column {found.column + 1})"
    elif mark is not None and (opened := _runaway_quote(text, mark)) is not None:
        what += (f" (noticed at line {mark.line + 1}, column {mark.column + 1}; the quoted text that starts"
                 " here runs on until that line: is its closing quote missing?)")
        mark = opened
    if mark is not None and _tab_at(text, mark):
        what += " (a tab character: YAML indents with spaces only)"
    line, col = _mark(mark) if mark is not None else (None, None)
    return Problem(path, f"YAML syntax error: {what}", line, col)


def _runaway_quote(text: str, mark):
    """Where a quoted scalar starts that spans lines and ends on the error's line, if one does.

    A missing closing quote makes the value run on to the next quote character, often many lines
    later, where the parser then stumbles; the line to fix is the one that opened the quote.
    """
    start = None
    try:
        for tok in yaml.scan(text, Loader=_Loader):
            if tok.start_mark.line > mark.line:
                break
            if isinstance(tok, yaml.ScalarToken) and tok.style in ('"', "'") and tok.start_mark.line < tok.end_mark.line == mark.line:
                start = tok.start_mark
    except yaml.YAMLError:
        pass
    return start


def _tab_at(text: str, mark) -> bool:
    lines = text.splitlines()
    if mark.line >= len(lines):
        return False
    line = lines[mark.line]
    return "\t" in line[: mark.column + 1]


def load_yaml(path: Path, *, root: Path | None = None) -> Document:
    """Read and parse one YAML file with positions."""
    path = Path(path)
    return yaml_document(read_text(path, root=root), path)


def yaml_document(text: str, path: Path) -> Document:
    """Parse the text of a YAML file with positions; a file of only comments is empty."""
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise SourceErrors([Problem(path, "file is empty")])
    return parse_yaml(text, path)
