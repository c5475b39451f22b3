"""A batch process killed with SIGKILL at random points, then `pixflow jobs resume`: nothing lost, nothing paid twice."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from pixflow_tui.config import load_settings
from pixflow_tui.core.jobs import JobState
from pixflow_tui.store import ImageFilter, Store
from tests.emulators.fal_emulator import FalEmulator
from tests.emulators.fixtures import FAL_TEST_KEY

JOBS = 12


@pytest.fixture
def emulator() -> Iterator[FalEmulator]:
    with FalEmulator(image_scale=0.0625, queue_seconds=0.15, run_seconds=0.25) as emu:
        yield emu


def _env(emu: FalEmulator, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAL_", "OPENAI_"))}
    env.update({"PIXFLOW_PROVIDER_MODE": "live", "FAL_KEY": FAL_TEST_KEY, "PIXFLOW_FAL_BASE_URL": emu.base_url,
                "FAL_HOME_DIR": str(tmp_path / "fal-home"), "PIXFLOW_CONCURRENCY": "4",
                "NO_PROXY": "127.0.0.1,localhost"})
    return env


def _pixflow(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pixflow_tui", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _prompts_file(tmp_path: Path) -> Path:
    path = tmp_path / "prompts.txt"
    path.write_text("\n".join(f"CRITICAL: lighthouse study number {i} in navy wool" for i in range(JOBS)))
    return path


def _wait_for_jobs(process: subprocess.Popen[str], timeout: float = 30.0) -> None:
    """Return once the batch's jobs are in the database (the process is past start-up)."""
    deadline = time.monotonic() + timeout
    database = load_settings().database_path
    while time.monotonic() < deadline and process.poll() is None:
        if database.exists():
            store = Store.open(load_settings())
            count = len(store.jobs.list())
            store.close_thread_connection()
            if count:
                return
        time.sleep(0.05)
    raise AssertionError(f"no jobs appeared; the batch process said: {process.stderr.read() if process.stderr else ''}")


def _check_nothing_lost_nothing_doubled(emu: FalEmulator) -> None:
    store = Store.open(load_settings())
    try:
        jobs = store.jobs.list()
        assert len(jobs) == JOBS
        per_prompt = Counter(r.arguments["prompt"] for r in emu.requests.values())
        assert max(per_prompt.values()) == 1, per_prompt  # zero duplicate submissions
        states = Counter(j.status for j in jobs)
        assert set(states) <= {JobState.DONE, JobState.UNKNOWN}, states
        done = [j for j in jobs if j.status == JobState.DONE]
        for job in done:
            assert Path(job.output_path).is_file()
        assert store.images.count(ImageFilter()) == len(done)
        # every submission the provider accepted ends as a downloaded output, except for jobs left unknown
        assert len(done) >= emu.total_submissions - states[JobState.UNKNOWN]
    finally:
        store.close_thread_connection()


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_sigkill_mid_batch_then_resume(emulator: FalEmulator, tmp_path: Path, seed: int) -> None:
    env = _env(emulator, tmp_path)
    batch = _pixflow("images", "generate", "--prompts-file", str(_prompts_file(tmp_path)), "--resolution", "1K",
                     "--yes", "--json", env=env)
    _wait_for_jobs(batch)
    time.sleep(random.Random(seed).uniform(0.0, 1.5))
    batch.send_signal(signal.SIGKILL)
    batch.wait(10)
    resume = _pixflow("jobs", "resume", "--json", env=env)
    out, err = resume.communicate(timeout=120)
    assert resume.returncode in (0, 1), err
    assert json.loads(out)["driven"] >= 1  # the kill really interrupted the batch
    _check_nothing_lost_nothing_doubled(emulator)


@pytest.mark.slow
def test_two_processes_resuming_at_once_never_double_drive(emulator: FalEmulator, tmp_path: Path) -> None:
    env = _env(emulator, tmp_path)
    plan = _pixflow("images", "generate", "--prompts-file", str(_prompts_file(tmp_path)), "--resolution", "1K",
                    "--yes", "--json", env=env)
    _wait_for_jobs(plan)
    time.sleep(0.3)
    plan.send_signal(signal.SIGKILL)
    plan.wait(10)
    first, second = _pixflow("jobs", "resume", env=env), _pixflow("jobs", "resume", env=env)
    for process in (first, second):
        process.communicate(timeout=120)
    _check_nothing_lost_nothing_doubled(emulator)
    store = Store.open(load_settings())
    assert all(j.status == JobState.DONE or j.status == JobState.UNKNOWN for j in store.jobs.list())
    store.close_thread_connection()
