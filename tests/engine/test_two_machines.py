"""Two "machines" (two data folders, one database, one shared outputs root) drive one batch: a process started
while another is running the batch takes none of its jobs; nothing is submitted or saved twice, and both read the
same files through paths stored relative to the shared root. Run on SQLite and on PostgreSQL."""
from __future__ import annotations

import json
import os
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
from tests.db_helpers import sql
from tests.emulators.fal_emulator import FalEmulator
from tests.emulators.fixtures import FAL_TEST_KEY

pytestmark = [pytest.mark.both_backends, pytest.mark.slow]

JOBS = 8


@pytest.fixture
def emulator() -> Iterator[FalEmulator]:
    with FalEmulator(image_scale=0.0625, queue_seconds=0.3, run_seconds=0.6) as emu:
        yield emu


def machine(name: str, emu: FalEmulator, tmp_path: Path, database: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAL_", "OPENAI_", "PIXFLOW_"))}
    env.update({"PIXFLOW_HOME": str(tmp_path / name), "PIXFLOW_CONFIG": str(tmp_path / f"{name}.toml"),
                "PIXFLOW_DATABASE_URL": database, "PIXFLOW_OUTPUTS_ROOT": str(tmp_path / "shared-outputs"),
                "PIXFLOW_PROVIDER_MODE": "live", "FAL_KEY": FAL_TEST_KEY, "PIXFLOW_FAL_BASE_URL": emu.base_url,
                "FAL_HOME_DIR": str(tmp_path / name / "fal-home"), "PIXFLOW_CONCURRENCY": "2",
                "PIXFLOW_DEMO_LATENCY": "0", "NO_PROXY": "127.0.0.1,localhost"})
    return env


def pixflow(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pixflow_tui", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture
def database(db_backend: str | None, tmp_path: Path) -> str:
    return db_backend or f"sqlite:///{tmp_path / 'shared.db'}"


def open_store(env: dict[str, str]) -> Store:
    return Store.open(load_settings(env))


def wait_for_jobs(env: dict[str, str], process: subprocess.Popen[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            store = open_store(env)
        except Exception:
            time.sleep(0.1)
            continue
        try:
            if len(store.jobs.list()) == JOBS:
                return
        finally:
            store.close_thread_connection()
        time.sleep(0.05)
    raise AssertionError(f"no batch appeared: {process.stderr.read() if process.stderr else ''}")


def start_batch(emulator: FalEmulator, tmp_path: Path, database: str) -> tuple[dict[str, str], dict[str, str],
                                                                               subprocess.Popen[str]]:
    """Machine A starts a batch (returned once its jobs are in the ledger); machine B is ready to act."""
    first, second = (machine(name, emulator, tmp_path, database) for name in ("machine-a", "machine-b"))
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("\n".join(f"CRITICAL: harbour study number {i} in grey flannel" for i in range(JOBS)))
    batch = pixflow("images", "generate", "--prompts-file", str(prompts), "--resolution", "1K", "--yes", "--json",
                    env=first)
    wait_for_jobs(first, batch)
    return first, second, batch


def test_a_second_machine_takes_no_job_from_a_live_batch(emulator: FalEmulator, tmp_path: Path,
                                                          database: str) -> None:
    first, second, batch = start_batch(emulator, tmp_path, database)
    resume = pixflow("jobs", "resume", "--json", env=second)
    out, err = resume.communicate(timeout=180)
    batch_out, batch_err = batch.communicate(timeout=180)
    assert batch.returncode == 0, batch_err
    assert resume.returncode in (0, 1), err
    assert json.loads(out)["finished_here"] == 0  # machine A's live leases: B waited, it took nothing over

    per_prompt = Counter(r.arguments["prompt"] for r in emulator.requests.values())
    assert len(per_prompt) == JOBS and max(per_prompt.values()) == 1  # nothing submitted twice
    for env in (first, second):  # each machine sees the same rows and opens the same files
        store = open_store(env)
        try:
            jobs = store.jobs.list()
            assert Counter(j.status for j in jobs) == {JobState.DONE: JOBS}
            images = store.images.list(ImageFilter())
            assert len(images) == JOBS  # nothing saved twice
            assert all(Path(i.local_path).is_file() and str(tmp_path / "shared-outputs") in i.local_path
                       for i in images)
            stored = [row[0] for row in sql(store.db, "SELECT local_path FROM generated_images").fetchall()]
            assert all(not Path(path).is_absolute() for path in stored)  # relative to the shared root
        finally:
            store.close_thread_connection()


def test_a_dead_machines_jobs_are_finished_once_by_another(emulator: FalEmulator, tmp_path: Path,
                                                           database: str) -> None:
    _, second, batch = start_batch(emulator, tmp_path, database)
    time.sleep(0.5)
    batch.send_signal(signal.SIGKILL)
    batch.wait(10)
    resume = pixflow("jobs", "resume", "--json", env=second)
    out, err = resume.communicate(timeout=180)
    assert resume.returncode in (0, 1), err
    store = open_store(second)
    try:
        per_prompt = Counter(r.arguments["prompt"] for r in emulator.requests.values())
        assert max(per_prompt.values()) == 1
        jobs = store.jobs.list()
        states = Counter(j.status for j in jobs)
        assert set(states) <= {JobState.DONE, JobState.UNKNOWN}, states
        assert len(store.images.list(ImageFilter())) == states[JobState.DONE]
        assert all(Path(i.local_path).is_file() for i in store.images.list(ImageFilter()))
    finally:
        store.close_thread_connection()
