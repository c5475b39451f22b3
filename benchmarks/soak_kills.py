"""Soak: CLI batches against the fal emulator, killed at random moments (SIGKILL, SIGTERM, SIGINT, SIGHUP), resumed.

Each round starts a batch in a subprocess, kills it after a random delay, then runs `pixflow jobs resume` to the
end. At the finish it counts, over all rounds:
  duplicates            prompts the emulator accepted more than once (paid twice)
  lost                  jobs the provider finished that have no saved output (or jobs never finished)
  stuck                 jobs still unfinished after the resume
  unknown-but-never-sent  jobs marked `unknown` whose submit never reached the provider
  unknown_after_clean_stop  jobs left `unknown`/`submitting` by a SIGTERM, SIGINT or SIGHUP (before the resume)
All must be 0; the exit status is 1 otherwise. `unknown` jobs whose submit did reach the provider (a SIGKILL in the
uncertain window) are reported apart: they are the honest outcome of a kill -9.

With --faults, each round also meets one to three provider faults drawn from FAULTS (rate limits, server errors,
dropped connections, slow, cut-short or malformed answers, on submit, status, result and download); jobs they make
fail are reported apart (`failed`), and a failed job whose message is empty or a Python trace counts as `unclear`.

    python benchmarks/soak_kills.py [--seconds 120] [--jobs 8] [--seed 1] [--faults]
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.emulators.fal_emulator import FalEmulator  # noqa: E402
from tests.emulators.fixtures import FAL_TEST_KEY  # noqa: E402

T = TypeVar("T")
SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
FAULTS = {  # where each fault may land; a dropped submit is left out: nobody can know whether it was kept
    "submit": ("429", "500", "503", "slow", "malformed"),
    "status": ("429", "500", "503", "drop", "slow", "malformed"),
    "result": ("429", "500", "503", "drop", "slow", "malformed"),
    "download": ("500", "503", "drop", "truncate", "malformed"),
}


def _env(emu: FalEmulator, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAL_", "OPENAI_", "PIXFLOW_"))}
    env.update({"PIXFLOW_PROVIDER_MODE": "live", "FAL_KEY": FAL_TEST_KEY, "PIXFLOW_FAL_BASE_URL": emu.base_url,
                "FAL_HOME_DIR": str(home / "fal-home"), "PIXFLOW_CONCURRENCY": "4",
                "PIXFLOW_HOME": str(home / "pixflow"), "PIXFLOW_CONFIG": str(home / "config.toml"),
                "NO_PROXY": "127.0.0.1,localhost"})
    return env


def _pixflow(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pixflow_tui", *args], env=env, text=True, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def read_store(env: dict[str, str], read: Callable[[Any], T]) -> T:
    """`read(store)` on the library that `env` (a round's environment) points at."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        from pixflow_tui.config import load_settings
        from pixflow_tui.store import Store

        store = Store.open(load_settings())
        try:
            return read(store)
        finally:
            store.close_thread_connection()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _ledger(env: dict[str, str]) -> list:  # type: ignore[type-arg]
    return read_store(env, lambda store: store.jobs.list())


def soak(seconds: float, jobs: int, seed: int, faults: bool = False) -> dict[str, int]:
    from pixflow_tui.core.jobs import JobState

    rng = random.Random(seed)
    totals: Counter[str] = Counter()
    started = time.monotonic()
    with FalEmulator(image_scale=0.0625, queue_seconds=0.2, run_seconds=0.3) as emu:
        round_no = 0
        while time.monotonic() - started < seconds:
            round_no += 1
            home = Path(tempfile.mkdtemp(prefix="pixflow-soak-"))
            env = _env(emu, home)
            label = f"r{round_no}"
            prompts = home / "prompts.txt"
            prompts.write_text("\n".join(f"CRITICAL: soak {label} study {i} in navy wool" for i in range(jobs)))
            if rng.random() < 0.5:  # sometimes the submits answer late, so a stop lands in the uncertain window
                emu.inject("slow", on="submit", times=jobs, seconds=rng.uniform(0.2, 1.0))
            for _ in range(rng.randint(1, 3) if faults else 0):
                on = rng.choice(sorted(FAULTS))
                kind = rng.choice(FAULTS[on])
                emu.inject(kind, on=on, times=rng.randint(1, 3), seconds=rng.uniform(0.5, 2.0), retry_after=0.5)
                totals[f"fault_{on}_{kind}"] += 1
            sig = rng.choice(SIGNALS)
            batch = _pixflow(env, "images", "generate", "--prompts-file", str(prompts), "--resolution", "1K",
                             "--yes", "--json")
            time.sleep(rng.uniform(0.8, 3.0))  # start-up is ~0.5-1 s: some kills land before the first submit
            if batch.poll() is None:
                batch.send_signal(sig)
                totals["interrupted"] += 1
            try:
                _, err = batch.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                batch.kill()
                _, err = batch.communicate()
                totals["hung_after_signal"] += 1
            if "Traceback" in err:
                totals["tracebacks"] += 1
                print(f"--- traceback in round {round_no} after {sig.name}:\n{err[err.index('Traceback'):]}",
                      file=sys.stderr)
            emu.clear_faults()
            if sig != signal.SIGKILL:  # a clean stop leaves nothing unknown, not even for a moment
                for job in _ledger(env):  # (a malformed answer to a submit does, whatever the stop: a fault's doing)
                    by_fault = faults and "malformed" in (job.error or "")
                    totals["unknown_after_clean_stop"] += (job.status == JobState.SUBMITTING
                                                           or job.status == JobState.UNKNOWN and not by_fault)
            resume = _pixflow(env, "jobs", "resume", "--json")
            resume.communicate(timeout=180)

            ledger = _ledger(env)
            ours = [r for r in emu.requests.values() if f"soak {label} " in str(r.arguments.get("prompt"))]
            per_prompt = Counter(str(r.arguments.get("prompt")) for r in ours)
            totals["duplicates"] += sum(n - 1 for n in per_prompt.values() if n > 1)
            sent = {r.request_id for r in ours}
            sent_prompts = set(per_prompt)
            for job in ledger:
                prompt = str(job.request.get("arguments", {}).get("prompt"))
                if job.status == JobState.UNKNOWN:
                    totals["unknown_sent" if prompt in sent_prompts else "unknown_never_sent"] += 1
                elif job.status != JobState.DONE and job.status.finished:
                    totals["failed"] += 1
                    if not (job.error or "").strip() or "Traceback" in (job.error or ""):
                        totals["unclear"] += 1
                elif not job.status.finished:
                    totals["stuck"] += 1
                elif not (job.output_path and Path(job.output_path).is_file()):
                    totals["lost"] += 1
                if job.request_id and job.request_id not in sent:
                    totals["lost"] += 1  # a request id the provider never issued
            totals["rounds"] += 1
            totals[f"signal_{sig.name}"] += 1
            totals["jobs"] += len(ledger)
    return dict(totals)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faults", action="store_true", help="provider faults in every round too")
    args = parser.parse_args()
    totals = soak(args.seconds, args.jobs, args.seed, args.faults)
    must_be_zero = ("duplicates", "lost", "stuck", "unknown_never_sent", "unknown_after_clean_stop",
                    "hung_after_signal", "tracebacks", "unclear")
    for name in ("rounds", "interrupted", "jobs", *sorted(k for k in totals if k.startswith("signal_")), *must_be_zero,
                 "unknown_sent", "failed", *sorted(k for k in totals if k.startswith("fault_"))):
        print(f"{name:<20} {totals.get(name, 0)}")
    return 1 if any(totals.get(name, 0) for name in must_be_zero) else 0


if __name__ == "__main__":
    sys.exit(main())
