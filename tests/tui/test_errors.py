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


async def test_bad_input_from_a_worker_is_a_warning_with_its_sentence(make_app, settings) -> None:
    from pixflow_tui.workflows.paid_work import BudgetExceeded

    app = make_app()

    def refuse() -> None:
        raise BudgetExceeded("this is estimated at $3.00, over the budget cap of $1.00")

    async with app.run_test(notifications=True) as pilot:
        await settle(pilot)
        start_thread(app.screen, refuse, name="Queueing paid work", group="test")
        with pytest.raises(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        toasts = list(app.screen.query(Toast))
        assert [str(t.render()) for t in toasts if "budget cap of $1.00" in str(t.render())]
        assert all("failed" not in str(t.render()) for t in toasts)  # a refusal, not a failure
    log = (settings.logs_dir / "pixflow.log").read_text(encoding="utf-8")
    assert "Traceback" not in log
