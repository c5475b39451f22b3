"""Every budget of docs/architecture.md "Performance budgets": each benchmark in its own process, one after another (they
would disturb each other's timings side by side). Prints each one's own report, then which passed.

Usage: python benchmarks/run_all.py [--only startup,library,engine,ui-stall]
Exit status 1 when any budget is missed.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = {
    "startup": ["startup_bench.py"],
    "library": ["library_bench.py"],
    "engine": ["engine_bench.py", "--jobs", "1000"],
    "ui-stall": ["ui_stall_bench.py"],
    "taste": ["taste_bench.py"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated names: %(default)s")
    names = [name.strip() for name in parser.parse_args().only.split(",") if name.strip()]
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; known: {', '.join(BENCHMARKS)}")
    results: list[tuple[str, int, float]] = []
    for name in names:
        script, *args = BENCHMARKS[name]
        print(f"\n=== {name}: {script} {' '.join(args)}", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(HERE / script), *args])
        results.append((name, code, time.monotonic() - started))
    print("\n=== summary")
    for name, code, seconds in results:
        print(f"{'PASS' if code == 0 else 'FAIL'}  {name:<10} ({seconds:.0f} s)")
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
