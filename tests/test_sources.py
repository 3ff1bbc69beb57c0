"""sources.py: YAML with positions, and every way a file can be unreadable."""

from __future__ import annotations

import os

import pytest

from podkit.errors import SourceErrors
from podkit.outputs import atomic_write
from podkit.sources import MAX_DEPTH, MAX_TEXT_BYTES, load_yaml, parse_yaml


def _err(path, text=None, raw=None):
    if raw is not None:
        path.write_bytes(raw)
    elif text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceErrors) as info:
        load_yaml(path)
    (problem,) = info.value.problems
    return problem


def test_positions_of_keys_and_list_entries(tmp_path):
    doc = parse_yaml("a: 1\nitems:\n  - id: x\n    anchors:\n      0: none\n", tmp_path / "f.yaml")
    assert doc.data == {"a": 1, "items": [{"id": "x", "anchors": {0: "none"}}]}
    assert doc.positions[("a",)] == (1, 1)
    assert doc.positions[("items", 0)] == (3, 5)
    assert doc.positions[("items", 0, "anchors", 0)] == (5, 7)
    # an unknown deeper key falls back to the deepest known prefix
    assert doc.locate(("items", 0, "anchors", 0, "nope")) == (5, 7)


def test_duplicate_key_names_both_lines(tmp_path):
    p = _err(tmp_path / "d.yaml", "id: a\ntitle: one\ntitle: two\n")
    assert (p.line, p.col) == (3, 1)
    assert "duplicate key 'title' (first defined on line 2)" in p.message


def test_syntax_error_has_line_and_column(tmp_path):
    p = _err(tmp_path / "s.yaml", "id: a\nitems: [1, 2\ntitle: x\n")
    assert (p.line, p.col) == (2, 8) and p.message.startswith("YAML syntax error")
    assert "noticed at line 3" in p.message


def test_tab_indentation_explained(tmp_path):
    p = _err(tmp_path / "t.yaml", "a:\n\tb: 1\n")
    assert p.line == 2
    assert "tab character" in p.message


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['true']\n",
        "a: !!python/name:os.system\n",
        "!!python/object:builtins.dict {}\n",
        "a: !custom 1\n",
    ],
)
def test_object_tags_refused(tmp_path, text):
    p = _err(tmp_path / "x.yaml", text)
    assert "not allowed" in p.message and p.line == 1


def test_alias_bomb_is_bounded(tmp_path):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    p = _err(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    assert "too many aliases" in p.message


def test_deep_nesting_refused(tmp_path):
    depth = MAX_DEPTH + 10
    p = _err(tmp_path / "deep.yaml", "a: " + "[" * depth + "]" * depth + "\n")
    assert f"deeper than {MAX_DEPTH}" in p.message


def test_very_deep_nesting_does_not_crash(tmp_path):
    p = _err(tmp_path / "deeper.yaml", "[" * 100_000 + "]" * 100_000)
    assert "deeper" in p.message


@pytest.mark.parametrize(
    "raw, expect",
    [
        (b"", "file is empty"),
        (b"# only a comment\n\n", "file is empty"),
        (b"id: \xff\xfe\n", "not valid UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
    ],
)
def test_unreadable_content(tmp_path, raw, expect):
    p = _err(tmp_path / "bad.yaml", raw=raw)
    assert expect in p.message


def test_bom_is_accepted(tmp_path):
    f = tmp_path / "bom.yaml"
    f.write_bytes(b"\xef\xbb\xbfid: a\n")
    assert load_yaml(f).data == {"id": "a"}


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(SourceErrors, match="1 problem") as info:
        load_yaml(tmp_path / "nope.yaml")
    assert "no such file" in info.value.problems[0].message
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(SourceErrors) as info:
        load_yaml(tmp_path / "dir.yaml")
    assert "is a directory" in info.value.problems[0].message


def test_size_limit(tmp_path):
    f = tmp_path / "big.yaml"
    f.write_bytes(b"a: " + b"x" * (MAX_TEXT_BYTES + 1))
    p = _err(f)
    assert "podkit reads files up to" in p.message


def test_symlink_outside_project_refused(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("a: 1\n")
    project = tmp_path / "proj"
    project.mkdir()
    link = project / "link.yaml"
    link.symlink_to(outside)
    with pytest.raises(SourceErrors) as info:
        load_yaml(link, root=project)
    assert "outside the project" in info.value.problems[0].message


def test_second_document_refused(tmp_path):
    p = _err(tmp_path / "two.yaml", "a: 1\n---\nb: 2\n")
    assert p.line == 2 and "second" in p.message


def test_non_finite_numbers_refused(tmp_path):
    p = _err(tmp_path / "nan.yaml", "weight: .nan\n")
    assert "finite" in p.message and p.key == ("weight",)


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "out" / "r.json"
    atomic_write(target, "first")
    atomic_write(target, b"second")
    assert target.read_bytes() == b"second"
    assert os.listdir(target.parent) == ["r.json"]
