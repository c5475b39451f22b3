"""A batch process stopped by SIGINT, SIGTERM or SIGHUP while submits are on the wire: their answers are stored, no
job the provider accepted is left `unknown`, and `pixflow jobs resume` finishes everything without a second submit.
And a `kill -9` never leaves media workers holding the command's stdout."""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pixflow_tui.config import load_settings
from pixflow_tui.core.jobs import JobState
from pixflow_tui.store import Store
from tests.emulators.fal_emulator import FalEmulator
from tests.engine.test_crash_resume import JOBS, _env, _pixflow, _prompts_file

pytestmark = pytest.mark.slow


@pytest.fixture
def emulator() -> FalEmulator:
    with FalEmulator(image_scale=0.0625, queue_seconds=0.15, run_seconds=0.25) as emu:
        yield emu  # type: ignore[misc]


def _jobs() -> list:  # type: ignore[type-arg]
    store = Store.open(load_settings())
    try:
        return store.jobs.list()
    finally:
        store.close_thread_connection()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_a_stop_signal_during_submits_loses_no_request_id(emulator: FalEmulator, tmp_path: Path,
                                                          sig: signal.Signals) -> None:
    slow = emulator.inject("slow", on="submit", times=JOBS, seconds=1.0)  # the provider keeps it, answers late
    batch = _pixflow("images", "generate", "--prompts-file", str(_prompts_file(tmp_path)), "--resolution", "1K",
                     "--yes", "--json", env=_env(emulator, tmp_path))
    deadline = time.monotonic() + 30
    while slow.hits == 0 and time.monotonic() < deadline and batch.poll() is None:
        time.sleep(0.02)
    assert slow.hits >= 1, batch.communicate()[1]
    batch.send_signal(sig)
    _, err = batch.communicate(timeout=30)
    assert "Traceback" not in err, err

    jobs = _jobs()
    states = {j.status for j in jobs}
    assert JobState.UNKNOWN not in states and JobState.SUBMITTING not in states, states
    # every submission the provider accepted has its request id in the ledger
    assert {j.request_id for j in jobs if j.request_id} >= set(emulator.requests)

    resume = _pixflow("jobs", "resume", "--json", env=_env(emulator, tmp_path))
    out, err = resume.communicate(timeout=120)
    assert resume.returncode == 0, err
    assert json.loads(out)["driven"] >= 1
    assert all(j.status == JobState.DONE for j in _jobs())
    assert emulator.total_submissions == JOBS  # none sent twice


def test_sigkill_leaves_no_worker_holding_stdout(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAL_", "OPENAI_"))}
    env.update({"PIXFLOW_PROVIDER_MODE": "demo", "PIXFLOW_DEMO_LATENCY": "0.5", "PIXFLOW_CONCURRENCY": "4"})
    batch = subprocess.Popen([sys.executable, "-m", "pixflow_tui", "images", "generate", "--prompts-file",
                              str(_prompts_file(tmp_path)), "--resolution", "1K", "--yes"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert batch.stdout is not None
    demo_dir = load_settings().demo_dir
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and batch.poll() is None:
        if demo_dir.exists() and any(demo_dir.rglob("result.json")):
            break  # the worker pool has produced output: it is running
        time.sleep(0.05)
    assert batch.poll() is None, "the batch ended before it could be killed"
    batch.send_signal(signal.SIGKILL)
    batch.wait(10)
    fd = batch.stdout.fileno()
    eof_by = time.monotonic() + 5
    while time.monotonic() < eof_by:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready and os.read(fd, 65536) == b"":
            return
    raise AssertionError("the command's stdout is still held open after kill -9 (a worker outlived it)")


def test_a_ctrl_c_while_a_command_winds_up_prints_no_traceback(tmp_path: Path) -> None:
    """Two moments past the engine's own stop handling: while the command closes the library, and while Python
    shuts down (joining the worker pool's threads). Both land here as a SIGINT sent from inside the process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAL_", "OPENAI_"))}
    env.update({"PIXFLOW_PROVIDER_MODE": "demo", "PIXFLOW_DEMO_LATENCY": "0", "PIXFLOW_CONCURRENCY": "2"})
    interrupt = "os.kill(os.getpid(), signal.SIGINT); time.sleep(0.2)"
    while_closing = (f"from pixflow_tui.workflows.context import AppContext; close = AppContext.close\n"
                     f"def closing(self):\n    close(self)\n    {interrupt}\nAppContext.close = closing\n")
    at_shutdown = f"atexit.register(lambda: ({interrupt.replace('; ', ', ')}))\n"
    outcomes = {}
    for moment, code in (("closing", while_closing), ("shutdown", at_shutdown)):
        script = (f"import atexit, os, signal, sys, time\n{code}from pixflow_tui.cli import run\n"
                  f"raise SystemExit(run(['images', 'generate', '--concept', 'teal kettle', '-n', '1', '--yes']))")
        outcomes[moment] = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                                          timeout=120, cwd=tmp_path)
    for moment, done in outcomes.items():
        assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr, (moment, done.stderr)
    assert outcomes["closing"].returncode == 130 and "pixflow: interrupted" in outcomes["closing"].stderr
    assert outcomes["shutdown"].returncode == 0, outcomes["shutdown"].stderr
