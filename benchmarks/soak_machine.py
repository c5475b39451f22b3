"""Soak for The Machine: CLI runs against the fal emulator (images, speech, lipsync and videos; text on the demo
provider), each stopped at a random moment (SIGKILL, SIGTERM, SIGINT, SIGHUP), then finished with
`pixflow machine resume`. At the end it counts, over all rounds:
  not_done      runs the resume did not bring to `done`
  lost          jobs done without their output file, or never finished
  untracked     requests the provider accepted that no job holds (a job sent twice, or paid and not followed),
                beyond those that jobs left `unknown` by a kill -9 in the uncertain window explain
  tracebacks    Python tracebacks printed by a run or a resume
All must be 0; the exit status is 1 otherwise.

    python benchmarks/soak_machine.py [--seconds 180] [--seed 1]
"""
from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from soak_kills import ROOT, SIGNALS, _env, _ledger, _pixflow

sys.path.insert(0, str(ROOT))

from tests.emulators.fal_emulator import FalEmulator  # noqa: E402

GREEN = (0, 177, 64)


def _green_avatar(folder: Path) -> Path:
    from PIL import Image

    path = folder / "avatar.png"
    Image.new("RGB", (288, 512), GREEN).save(path)
    return path


def _runs(env: dict[str, str]) -> list[int]:
    import os

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        from pixflow_tui.config import load_settings
        from pixflow_tui.store import Store

        store = Store.open(load_settings())
        try:
            return [run.id for run in store.pipeline_runs.list()]
        finally:
            store.close_thread_connection()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def soak(seconds: float, seed: int) -> dict[str, int]:
    from pixflow_tui.core.jobs import JobState

    rng = random.Random(seed)
    totals: Counter[str] = Counter()
    started = time.monotonic()
    with FalEmulator(image_scale=0.0625, queue_seconds=0.2, run_seconds=0.4) as emu:
        while time.monotonic() - started < seconds:
            home = Path(tempfile.mkdtemp(prefix="pixflow-machine-soak-"))
            env = {**_env(emu, home), "PIXFLOW_PROVIDER_MODE": "auto", "PIXFLOW_DEMO_LATENCY": "0.2"}
            before = set(emu.requests)
            sig = rng.choice(SIGNALS)
            run = _pixflow(env, "machine", "run", "--concept", "a pocket espresso maker for hikers", "--avatar",
                           str(_green_avatar(home)), "--voice", "Aria", "-n", "2", "--videos", "--yes", "--json")
            time.sleep(rng.uniform(0.5, 5.0))  # start-up ~1 s; a run takes ~5-8 s
            if run.poll() is None:
                run.send_signal(sig)
                totals["interrupted"] += 1
                totals[f"signal_{sig.name}"] += 1
            _, err = run.communicate(timeout=60)
            errors = [err]
            for run_id in _runs(env):
                resume = _pixflow(env, "machine", "resume", str(run_id), "--yes", "--json")
                out, err = resume.communicate(timeout=300)
                errors.append(err)
                status = json.loads(out).get("status") if out.strip().startswith("{") else None
                totals["not_done"] += status != "done"
                if status != "done":
                    print(f"--- run {run_id} in {home} ended {status!r}:\n{err}", file=sys.stderr)
            for text in errors:
                if "Traceback" in text:
                    totals["tracebacks"] += 1
                    print(f"--- traceback after {sig.name}:\n{text[text.index('Traceback'):]}", file=sys.stderr)
            ledger = _ledger(env)
            held = {job.request_id for job in ledger if job.request_id}
            accepted = [emu.requests[key] for key in set(emu.requests) - before]
            unknown = sum(job.status == JobState.UNKNOWN for job in ledger)
            totals["untracked"] += max(0, sum(r.request_id not in held for r in accepted) - unknown)
            totals["unknown"] += unknown
            for job in ledger:
                if job.status != JobState.DONE or not (job.output_path and Path(job.output_path).is_file()):
                    totals["lost"] += job.status != JobState.UNKNOWN
            totals["rounds"] += 1
            totals["jobs"] += len(ledger)
    return dict(totals)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    totals = soak(args.seconds, args.seed)
    must_be_zero = ("not_done", "lost", "untracked", "tracebacks")
    for name in ("rounds", "interrupted", "jobs", *sorted(k for k in totals if k.startswith("signal_")), *must_be_zero,
                 "unknown"):
        print(f"{name:<12} {totals.get(name, 0)}")
    return 1 if any(totals.get(name, 0) for name in must_be_zero) else 0


if __name__ == "__main__":
    sys.exit(main())
