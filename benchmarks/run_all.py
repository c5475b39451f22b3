"""Every budget of docs/architecture.md "Performance budgets": each benchmark in its own process, one after another (they
would disturb each other's timings side by side). Prints each one's own report, then one table: measure, budget,
figure, pass/over and the load average at the moment it was measured, with the machine it ran on.

The library benchmarks run on a seeded library under bench-data/ (gitignored), made on first use by
seed_library.py: 100,000 images by default, `--images 1000000` for the million-image figures (3-5 minutes to
seed on a 2-core machine).

Usage: python benchmarks/run_all.py [--only startup,pty,library,cli,engine,ui-stall,taste,am-detail,module-visit] [--images 100000]
Exit status 1 when any budget is missed.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "bench-data"
NAMES = ("startup", "pty", "library", "cli", "engine", "ui-stall", "taste", "am-detail", "module-visit")


def commands(images: int, history: int) -> dict[str, list[list[str]]]:
    home = str(DATA / f"library-{images}")
    library = ["--home", home, "--images", str(images), "--history", str(history)]
    return {
        "startup": [["startup_bench.py"]],
        "pty": [["pty_bench.py"], ["pty_bench.py", "--home", home]],
        "library": [["library_bench.py", *library]],
        "cli": [["cli_bench.py", "--home", home]],
        "engine": [["engine_bench.py", "--jobs", "1000", "--library", home],
                   ["engine_bench.py", "--jobs", "5000", "--skip-latency"]],
        "ui-stall": [["ui_stall_bench.py", "--hog"]],
        "taste": [["taste_bench.py"]],
        "am-detail": [["am_detail_bench.py"]],
        "module-visit": [["module_visit_bench.py"]],
    }


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return (f"{model or platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def table(rows: list[dict]) -> str:
    lines = ["| measure | budget | figure | verdict | load avg |", "|---|---:|---:|---|---:|"]
    for row in rows:
        unit = row["unit"]
        lines.append(f"| {row['measure']} | {row['budget']:g} {unit} | {row['figure']:.2f} {unit} | "
                     f"{'pass' if row['ok'] else 'OVER'} | {row['load']:.2f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(NAMES), help="comma-separated names: %(default)s")
    parser.add_argument("--images", type=int, default=100_000, help="library size for library, pty and cli")
    parser.add_argument("--history", type=int, default=None, help="history rows (default: images / 10)")
    args = parser.parse_args()
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in names if name not in NAMES]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; known: {', '.join(NAMES)}")
    history = args.history if args.history is not None else max(1, args.images // 10)
    plan = commands(args.images, history)
    home = DATA / f"library-{args.images}"
    if any(name in ("pty", "cli", "library", "engine") for name in names) and not (home / "pixflow.db").exists():
        print(f"=== seeding {args.images:,} images into {home}", flush=True)
        subprocess.run([sys.executable, str(HERE / "seed_library.py"), "--home", str(home), "--images",
                        str(args.images), "--history", str(history)], check=True)
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as results:
        path = results.name
    env = {**os.environ, "PIXFLOW_BENCH_RESULTS": path}
    failed = []
    for name in names:
        for script, *rest in plan[name]:
            print(f"\n=== {name}: {script} {' '.join(rest)}", flush=True)
            started = time.monotonic()
            code = subprocess.call([sys.executable, str(HERE / script), *rest], env=env)
            if code != 0:
                failed.append(f"{script} {' '.join(rest)}")
            print(f"({time.monotonic() - started:.0f} s)", flush=True)
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    os.unlink(path)
    print(f"\n=== summary on {machine()}\n")
    print(table(rows))
    if failed:
        print("\nover budget or failed: " + "; ".join(failed))
    return 0 if rows and not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
