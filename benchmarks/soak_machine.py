"""Soak for The Machine: CLI runs against the fal emulator (images, speech, lipsync and videos; text on the demo
provider), each stopped at a random moment (SIGKILL, SIGTERM, SIGINT, SIGHUP), then finished with
`pixflow machine resume`. At the end it counts, over all rounds:
  not_done      runs the resume did not bring to `done`
  lost          jobs done without their output file, or never finished
  untracked     requests the provider accepted that no job holds (a job sent twice, or paid and not followed),
                beyond those that jobs left `unknown` by a kill -9 in the uncertain window explain
  tracebacks    Python tracebacks printed by a run or a resume
All must be 0; the exit status is 1 otherwise. With --faults, each run also meets one to three provider faults
(soak_kills.FAULTS); a run they leave partial after the resume gets `pixflow machine retry` (faults cleared).

    python benchmarks/soak_machine.py [--seconds 180] [--seed 1] [--faults]
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

from soak_kills import FAULTS, ROOT, SIGNALS, _env, _ledger, _pixflow, read_store

sys.path.insert(0, str(ROOT))

from tests.emulators.fal_emulator import FalEmulator  # noqa: E402

GREEN = (0, 177, 64)


def _green_avatar(folder: Path) -> Path:
    from PIL import Image

    path = folder / "avatar.png"
    Image.new("RGB", (288, 512), GREEN).save(path)
    return path


def _runs(env: dict[str, str]) -> list[int]:
    return read_store(env, lambda store: [run.id for run in store.pipeline_runs.list()])


def soak(seconds: float, seed: int, faults: bool = False) -> dict[str, int]:
    from pixflow_tui.core.jobs import JobState

    rng = random.Random(seed)
    totals: Counter[str] = Counter()
    started = time.monotonic()
    with FalEmulator(image_scale=0.0625, queue_seconds=0.2, run_seconds=0.4) as emu:
        while time.monotonic() - started < seconds:
            home = Path(tempfile.mkdtemp(prefix="pixflow-machine-soak-"))
            env = {**_env(emu, home), "PIXFLOW_PROVIDER_MODE": "auto", "PIXFLOW_DEMO_LATENCY": "0.2"}
            before = set(emu.requests)
            injected = []
            for _ in range(rng.randint(1, 3) if faults else 0):
                on = rng.choice(sorted(FAULTS))
                injected.append(emu.inject(rng.choice(FAULTS[on]), on=on, times=rng.randint(1, 3),
                                           seconds=rng.uniform(0.5, 2.0), retry_after=0.5))
                totals["faults"] += 1
            sig = rng.choice(SIGNALS)
            concept = f"a pocket espresso maker for hikers, take {totals['rounds'] + 1}"  # each run its own prompts
            run = _pixflow(env, "machine", "run", "--concept", concept, "--avatar",
                           str(_green_avatar(home)), "--voice", "Aria", "-n", "2", "--videos", "--yes", "--json")
            time.sleep(rng.uniform(0.5, 5.0))  # start-up ~1 s; a run takes ~5-8 s
            if run.poll() is None:
                run.send_signal(sig)
                totals["interrupted"] += 1
                totals[f"signal_{sig.name}"] += 1
            _, err = run.communicate(timeout=60)
            emu.clear_faults()
            errors = [err]
            for run_id in _runs(env):
                status = None
                for step in ("resume", "retry") if faults else ("resume",):  # a fault may fail a job: retry it
                    finish = _pixflow(env, "machine", step, str(run_id), "--yes", "--json")
                    out, err = finish.communicate(timeout=300)
                    errors.append(err)
                    status = json.loads(out).get("status") if out.strip().startswith("{") else None
                    if status == "done":
                        break
                    totals[f"after_{step}_{status}"] += 1
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
            untracked = [r for r in accepted if r.request_id not in held]
            if len(untracked) > unknown:
                totals["untracked"] += len(untracked) - unknown
                print(f"--- {len(untracked)} accepted requests no job holds in {home} (after {sig.name}; faults "
                      f"{[(f.kind, f.on, f.times, f.hits) for f in injected]}):", file=sys.stderr)
                for request in untracked:
                    print(f"    {request.request_id} {request.app_id} {str(request.arguments)[:100]}", file=sys.stderr)
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
    parser.add_argument("--faults", action="store_true", help="provider faults in every run too")
    args = parser.parse_args()
    totals = soak(args.seconds, args.seed, args.faults)
    must_be_zero = ("not_done", "lost", "untracked", "tracebacks")
    for name in ("rounds", "interrupted", "jobs", *sorted(k for k in totals if k.startswith("signal_")), *must_be_zero,
                 "unknown", "faults", *sorted(k for k in totals if k.startswith("after_"))):
        print(f"{name:<12} {totals.get(name, 0)}")
    return 1 if any(totals.get(name, 0) for name in must_be_zero) else 0


if __name__ == "__main__":
    sys.exit(main())
