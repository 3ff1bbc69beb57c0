"""console.py: the one terminal writer below the CLI; quiet with -q."""

from __future__ import annotations

import pytest

from podkit import console as console_mod
from podkit.console import Console


def test_info_progress_and_warnings_go_to_stderr(capsys):
    c = Console()
    c.info("Building the site")
    c.progress(3, 12, "voice-toolkit-a4.pdf")
    c.warn("warning: something")
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "Building the site\n  [ 3/12] voice-toolkit-a4.pdf\nwarning: something\n"


def test_quiet_keeps_only_warnings(capsys):
    c = Console(quiet=True)
    c.info("Building the site")
    c.progress(1, 2, "x.pdf")
    c.warn("warning: kept")
    out, err = capsys.readouterr()
    assert out == "" and err == "warning: kept\n"


@pytest.fixture
def shared_console():
    before = console_mod.console.quiet
    yield console_mod.console
    console_mod.configure(before)


def test_configure_sets_the_shared_console(shared_console, capsys):
    console_mod.configure(True)
    shared_console.info("hidden")
    console_mod.configure(False)
    shared_console.info("shown")
    assert capsys.readouterr().err == "shown\n"


def test_cli_quiet_flag_prints_only_errors_and_the_result(runner, kit_copy):
    from podkit.cli import main

    kit = kit_copy("minimal")
    loud = runner.invoke(main, ["validate", "-p", str(kit)], catch_exceptions=False)
    quiet = runner.invoke(main, ["validate", "-q", "-p", str(kit)], catch_exceptions=False)
    assert loud.exit_code == 0 and quiet.exit_code == 0
    assert loud.output.strip() and quiet.output == ""
