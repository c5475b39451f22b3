"""Worker failures become a notification (never a traceback on screen) and a full trace in the log file."""
from __future__ import annotations

import pytest
from textual.widgets._toast import Toast
from textual.worker import WorkerFailed

from pixflow_tui.tui.workers import start_thread
from tui_helpers import settle


async def test_a_failing_worker_notifies_and_logs(make_app, settings) -> None:
    app = make_app()

    def explode() -> None:
        raise RuntimeError("the provider said no")

    async with app.run_test(notifications=True) as pilot:
        await settle(pilot)
        start_thread(app.screen, explode, name="Loading prompts", group="test")
        with pytest.raises(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        toasts = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert any("Loading prompts failed: the provider said no" in text for text in toasts), toasts
        assert app.is_running and app.return_code is None
        assert not any("Traceback" in text for text in toasts)
    log = (settings.logs_dir / "pixflow.log").read_text(encoding="utf-8")
    assert "Loading prompts failed" in log
    assert "Traceback" in log and "RuntimeError: the provider said no" in log
