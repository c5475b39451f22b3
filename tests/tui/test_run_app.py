"""run_app: setup problems end with one line and exit code 3 before Textual takes the terminal."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from pixflow_tui.store import LATEST_VERSION
from pixflow_tui.tui.app import run_app
from pixflow_tui.tui.startup import prepare_renderer
from pixflow_tui.workflows.ui_support import latest_schema_version, open_context, store_is_ready


def test_a_damaged_database_is_one_line_and_exit_3(settings, capsys) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    settings.database_path.write_bytes(b"this is not a sqlite database" * 100)
    assert run_app(settings) == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("pixflow: database") and "damaged" in err
    assert len(err.splitlines()) == 1


def test_an_unusable_data_folder_is_one_line_and_exit_3(settings, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert run_app(replace(settings, home=blocker / "home")) == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("pixflow: ") and len(err.splitlines()) == 1


def test_the_quick_look_reads_the_latest_schema_version_from_the_migrations() -> None:
    assert latest_schema_version() == LATEST_VERSION


def test_a_ready_database_opens_on_first_use(settings, store) -> None:
    assert store_is_ready(settings)
    context = open_context(settings, open_later=True)
    assert context.jobs_running() == 0
    context.close()


def test_a_missing_or_locked_database_is_not_ready(settings, store) -> None:
    other = sqlite3.connect(settings.database_path)
    other.execute("BEGIN IMMEDIATE")
    assert not store_is_ready(settings)
    other.rollback()
    other.close()
    settings.database_path.unlink()
    assert not store_is_ready(settings)


def test_a_newer_database_is_still_one_line_and_exit_3(settings, store, capsys) -> None:
    store.close_thread_connection()
    with sqlite3.connect(settings.database_path) as other:
        other.execute("UPDATE schema_migrations SET version = version + 100 WHERE version = ?", (LATEST_VERSION,))
    other.close()
    assert not store_is_ready(settings)
    assert run_app(settings) == 3
    err = capsys.readouterr().err.strip()
    assert "schema version" in err and len(err.splitlines()) == 1


def test_renderer_none_needs_no_textual_image() -> None:
    assert prepare_renderer("none") == "none"
    assert prepare_renderer("halfcell") == "halfcell"


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux script for a 0-column pty")
def test_a_zero_column_terminal_does_not_crash_the_renderer_setup(tmp_path: Path) -> None:
    code = ("from pixflow_tui.tui.startup import prepare_renderer; print('RENDERER', prepare_renderer('halfcell'))")
    probe = tmp_path / "probe.py"
    probe.write_text(code)
    # `script` gives the child a pty that reports 0 columns: plain `import textual_image.widget` dies there
    result = subprocess.run(["script", "-qec", f"{sys.executable} {probe}", "/dev/null"], capture_output=True,
                            text=True, timeout=60, stdin=subprocess.DEVNULL, env=dict(os.environ), cwd=tmp_path)
    assert "RENDERER halfcell" in result.stdout, result.stdout + result.stderr
    assert "ZeroDivisionError" not in result.stdout + result.stderr
