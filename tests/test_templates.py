"""templates.py: the one Jinja environment factory and the theme search path."""

from __future__ import annotations

import jinja2
import pytest

from podkit.templates import BUILTIN_THEMES, environment, theme_search_path


def _folder(path, files: dict) -> None:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text)


def test_builtin_themes_are_the_shipped_folder():
    assert (BUILTIN_THEMES / "default" / "pages" / "assessment.md.j2").is_file()
    assert (BUILTIN_THEMES / "default" / "print" / "theme.yml").is_file()


def test_search_path_order_user_theme_then_project_then_builtin(tmp_path):
    project = tmp_path / "kit"
    _folder(project / "themes" / "default" / "pages", {})
    theme = tmp_path / "mine"
    _folder(theme / "pages", {})
    assert theme_search_path(project, "pages", theme) == [
        theme / "pages",
        project / "themes" / "default" / "pages",
        BUILTIN_THEMES / "default" / "pages",
    ]


def test_search_path_skips_missing_folders_and_duplicates(tmp_path):
    project = tmp_path / "kit"
    project.mkdir()
    assert theme_search_path(project, "pages", tmp_path / "no-theme") == [BUILTIN_THEMES / "default" / "pages"]
    # the repository itself is a project whose themes/default is the built-in one: listed once
    repo = BUILTIN_THEMES.parent
    assert theme_search_path(repo, "print") == [repo / "themes" / "default" / "print"]


def test_search_path_for_an_unknown_kind_is_empty(tmp_path):
    assert theme_search_path(tmp_path, "no-such-kind") == []


def test_an_empty_search_path_says_where_it_looked():
    with pytest.raises(FileNotFoundError, match="no template folders found") as err:
        environment([], autoescape=False)
    assert str(BUILTIN_THEMES) in str(err.value)


def test_first_folder_wins_and_default_prefix_reaches_the_last(tmp_path):
    mine, builtin = tmp_path / "mine", tmp_path / "builtin"
    _folder(mine, {"page.j2": "mine: {% include 'default/page.j2' %}"})
    _folder(builtin, {"page.j2": "builtin {{ x }}", "only.j2": "only builtin"})
    env = environment([mine, builtin], autoescape=False)
    assert env.get_template("page.j2").render(x=1) == "mine: builtin 1"
    assert env.get_template("only.j2").render() == "only builtin"
    assert env.get_template("default/only.j2").render() == "only builtin"


def test_default_prefix_never_reaches_a_user_template(tmp_path):
    mine, builtin = tmp_path / "mine", tmp_path / "builtin"
    _folder(mine, {"extra.j2": "mine"})
    _folder(builtin, {})
    env = environment([mine, builtin], autoescape=False)
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("default/extra.j2")


def test_undefined_values_are_errors(tmp_path):
    _folder(tmp_path, {"t.j2": "Hello {{ name }}", "attr.j2": "{{ item.missing }}"})
    env = environment([tmp_path], autoescape=False)
    with pytest.raises(jinja2.UndefinedError, match="'name' is undefined"):
        env.get_template("t.j2").render()
    with pytest.raises(jinja2.UndefinedError, match="missing"):
        env.get_template("attr.j2").render(item={})


def test_autoescape_is_explicit(tmp_path):
    _folder(tmp_path, {"t.j2": "{{ v }}"})
    assert environment([tmp_path], autoescape=True).get_template("t.j2").render(v="<b>") == "&lt;b&gt;"
    assert environment([tmp_path], autoescape=False).get_template("t.j2").render(v="<b>") == "<b>"


def test_whitespace_control_and_trailing_newline(tmp_path):
    _folder(tmp_path, {"t.j2": "{% for i in xs %}\n  {% if i %}\n{{ i }}\n  {% endif %}\n{% endfor %}\nend\n"})
    env = environment([tmp_path], autoescape=False)
    assert env.get_template("t.j2").render(xs=[1, 0, 2]) == "1\n2\nend\n"


def test_compiled_templates_are_reused_until_the_template_changes(tmp_path, monkeypatch):
    from jinja2.sandbox import SandboxedEnvironment

    from podkit.templates import CompiledTemplates

    _folder(tmp_path / "t", {"page.j2": "{{ x }} one\n"})
    compiled = CompiledTemplates()
    assert environment([tmp_path / "t"], autoescape=True, compiled=compiled).get_template("page.j2").render(x="<b>") == "&lt;b&gt; one\n"

    compiles = []
    compile_ = SandboxedEnvironment.compile
    monkeypatch.setattr(SandboxedEnvironment, "compile", lambda self, *a, **k: compiles.append(a) or compile_(self, *a, **k))
    # a new environment of the same settings: the unchanged template is not compiled again, and
    # it is still the sandbox's code
    env = environment([tmp_path / "t"], autoescape=True, compiled=compiled)
    assert env.get_template("page.j2").render(x="<b>") == "&lt;b&gt; one\n" and compiles == []
    _folder(tmp_path / "u", {"evil.j2": "{{ cycler.__init__.__globals__ }}"})
    with pytest.raises(Exception, match="refused"):
        environment([tmp_path / "u"], autoescape=True, compiled=compiled).get_template("evil.j2").render()
    with pytest.raises(Exception, match="refused"):  # from the kept code, too
        environment([tmp_path / "u"], autoescape=True, compiled=compiled).get_template("evil.j2").render()
    compiles.clear()

    # other settings (no escaping) never get that code
    assert environment([tmp_path / "t"], autoescape=False, compiled=compiled).get_template("page.j2").render(x="<b>") == "<b> one\n"
    assert len(compiles) == 1

    # an edited template is compiled again, and what it renders is the new text
    (tmp_path / "t" / "page.j2").write_text("{{ x }} two\n")
    assert environment([tmp_path / "t"], autoescape=True, compiled=compiled).get_template("page.j2").render(x="y") == "y two\n"
    assert len(compiles) == 2
