"""run_app: setup problems end with one line and exit code 3 before Textual takes the terminal."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from pixflow_tui.core.jobs import JobKind, JobState
from pixflow_tui.store import LATEST_VERSION
from pixflow_tui.tui.app import PixflowApp, run_app
from pixflow_tui.tui.startup import prepare_renderer
from pixflow_tui.workflows.context import AppContext, start_of_today
from pixflow_tui.workflows.products import ProductChoice
from pixflow_tui.workflows.ui_support import latest_schema_version, open_context, quick_look


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
    assert quick_look(settings) is not None
    context = open_context(settings, open_later=True)
    assert context.jobs_running() == 0
    context.close()


def test_the_quick_look_holds_what_the_first_screen_shows(settings, store) -> None:
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={})
    store.jobs.update(job.id, status=JobState.DONE, cost=1.25, finished_at=start_of_today() + timedelta(minutes=1))
    look = quick_look(settings)
    assert look is not None
    assert look.products == tuple(ProductChoice(p.id, p.name, p.slug) for p in store.products())
    assert (look.jobs_running, look.spend_today) == (store.jobs.active_count(), 1.25)
    context = open_context(settings, open_later=True)
    assert context.first_look == look
    context.close()


async def test_the_first_frame_shows_the_quick_looks_products_and_counters(settings, store, monkeypatch) -> None:
    """Neither the product picker nor the header's counters wait for the store, which opens after the first frame
    (and must not open before it: it would compete with the frame)."""
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={})
    store.jobs.update(job.id, status=JobState.DONE, cost=0.5, finished_at=start_of_today() + timedelta(minutes=1))
    store.close_thread_connection()
    context = open_context(settings, open_later=True)
    opened_before_frame: list[bool] = []
    real_open = AppContext.open_store

    def open_store(self: AppContext) -> object:
        opened_before_frame.append(not app._frame_up.is_set())
        return real_open(self)

    monkeypatch.setattr(AppContext, "open_store", open_store)
    seen: dict[str, str] = {}
    real_ready = PixflowApp.on_ready

    def on_ready(self: PixflowApp) -> None:
        seen["stats"] = str(self.screen.query_one("#stats", Static).content)
        seen["product"] = str(self.screen.query_one("#product", Static).content)
        real_ready(self)

    monkeypatch.setattr(PixflowApp, "on_ready", on_ready)
    app = PixflowApp(settings, context)
    async with app.run_test() as pilot:
        for _ in range(200):  # the engine's start opens it once the frame is out
            if opened_before_frame:
                break
            await pilot.pause(0.02)
    context.close()
    assert seen == {"stats": "0 jobs running · today $0.50", "product": "Clone AI ▾"}
    assert opened_before_frame and not any(opened_before_frame)


def test_a_missing_or_locked_database_is_not_ready(settings, store) -> None:
    other = sqlite3.connect(settings.database_path)
    other.execute("BEGIN IMMEDIATE")
    assert quick_look(settings) is None
    other.rollback()
    other.close()
    settings.database_path.unlink()
    assert quick_look(settings) is None


def test_a_newer_database_is_still_one_line_and_exit_3(settings, store, capsys) -> None:
    store.close_thread_connection()
    with sqlite3.connect(settings.database_path) as other:
        other.execute("UPDATE schema_migrations SET version = version + 100 WHERE version = ?", (LATEST_VERSION,))
    other.close()
    assert quick_look(settings) is None
    assert run_app(settings) == 3
    err = capsys.readouterr().err.strip()
    assert "schema version" in err and len(err.splitlines()) == 1


def test_the_first_screen_loads_neither_the_store_nor_the_heavy_libraries() -> None:
    """What the first screen needs loads before its first frame: pydantic, peewee, Pillow, httpx, pygments, the
    store's modules and Textual's TextArea load after it (each costs from a few to tens of ms of start-up)."""
    code = ("import sys, pixflow_tui.cli.launch, pixflow_tui.tui.app, pixflow_tui.tui.screens.prompt_factory.screen; "
            "heavy = {'pydantic', 'peewee', 'PIL', 'httpx', 'pygments', 'numpy', 'openai', 'fal_client', "
            "'textual_image', 'multiprocessing'}; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & heavy)); "
            "print(sorted(m for m in sys.modules if m.startswith(('pixflow_tui.store.', 'pixflow_tui.engine', "
            "'pixflow_tui.providers', 'textual.widgets._text_area'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    heavy, ours = done.stdout.splitlines()
    assert heavy == "[]"
    assert ours == str(["pixflow_tui.store.peewee_import", "pixflow_tui.store.quick_look", "pixflow_tui.store.values"])


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
