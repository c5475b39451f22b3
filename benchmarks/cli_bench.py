"""CLI start-up: `pixflow --version` ≤ 100 ms, and `pixflow library images --json` within 3× a plain sqlite3
script doing the same query (the newest 50 images with their prompts, as JSON), on the seeded library in --home.

Each figure is the median wall time of fresh processes (interpreter start included for both sides); the three
commands take turns, run after run, so a burst of load from other work falls on all of them alike.
Usage: python benchmarks/cli_bench.py --home DIR [--runs 9]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_report import load_average, record

PLAIN = """
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
rows = conn.execute("SELECT id, concept, prompt, local_path, model, generated_at FROM generated_images "
                    "ORDER BY id DESC LIMIT 50").fetchall()
print(json.dumps([dict(zip(("id", "concept", "prompt", "path", "model", "created_at"), r)) for r in rows]))
"""


def timed(commands: list[list[str]], env: dict[str, str], runs: int) -> list[float]:
    """The median wall time of each command in milliseconds, the commands run in turn `runs` times."""
    for command in commands:
        subprocess.run(command, env=env, capture_output=True, check=True)  # warm: bytecode and page cache
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for command, taken in zip(commands, times):
            started = time.perf_counter()
            subprocess.run(command, env=env, capture_output=True, check=True)
            taken.append(time.perf_counter() - started)
    return [statistics.median(taken) * 1000 for taken in times]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    home = args.home.expanduser().absolute()
    env = {**os.environ, "PIXFLOW_HOME": str(home), "PIXFLOW_CONFIG": str(home / "none.toml")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    pixflow = [sys.executable, "-m", "pixflow_tui.cli"] if not Path(sys.executable).with_name("pixflow").exists() \
        else [str(Path(sys.executable).with_name("pixflow"))]
    version, library, plain = timed([[*pixflow, "--version"], [*pixflow, "library", "images", "--json"],
                                     [sys.executable, "-c", PLAIN, str(home / "pixflow.db")]], env, args.runs)
    print(f"CLI ({home}, load average {load_average():.2f}): pixflow --version {version:.0f} ms; "
          f"library images --json {library:.0f} ms vs plain sqlite3 script {plain:.0f} ms = {library / plain:.2f}x")
    ok = record("CLI: pixflow --version", version, 100.0, "ms")
    ok &= record("CLI: library images --json / plain sqlite3 script", library / plain, 3.0, "x")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
