"""TUI start to first frame, against a minimal Textual app with a DataTable, same machine, same run
(docs/architecture.md budget: within 1.3×).

Each sample is a fresh Python process, timed from its launch (taken just before the parent starts it; the clock is
CLOCK_MONOTONIC, which parent and child share) to the app's first `on_ready` (the first frame is composed and
painted, headless). So interpreter start-up, imports, settings, the database and the worker-process set-up all
count, the same way for both apps. Pixflow starts through `pixflow_tui.cli.main([])`, the bare `pixflow` command
a user runs. Runs alternate between the two apps; the median of each is compared.

Usage: python benchmarks/startup_bench.py [--runs 7]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_report import record

ROOT = Path(__file__).resolve().parents[1]

MINIMAL = """
import time
from textual.app import App
from textual.widgets import DataTable

class Minimal(App):
    def compose(self):
        yield DataTable()

    def on_ready(self):
        print(f"READY {time.perf_counter():.6f}")
        self.exit()

Minimal().run(headless=True)
"""

PIXFLOW = """
import sys, time

class Terminal:  # the bare command starts the TUI only on a terminal; this headless run reports through a pipe
    def __init__(self, stream):
        self._stream = stream

    def isatty(self):
        return True

    def __getattr__(self, name):
        return getattr(self._stream, name)

sys.stdin, sys.stdout = Terminal(sys.stdin), Terminal(sys.stdout)
from pixflow_tui.tui import app as tui_app  # the CLI imports it as well; patched first, for a headless run

def report_ready(app):
    print(f"READY {time.perf_counter():.6f}")
    app.exit()

tui_app.PixflowApp.on_ready = report_ready
original_run = tui_app.PixflowApp.run
tui_app.PixflowApp.run = lambda self, **kw: original_run(self, headless=True)
from pixflow_tui.cli import main
main([])
"""


def sample(code: str, env: dict[str, str]) -> float:
    launched = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                            check=False, timeout=120)
    for line in result.stdout.splitlines():
        if line.startswith("READY "):
            return float(line.split()[1]) - launched
    raise RuntimeError(f"no READY line; stderr:\n{result.stderr[-2000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PIXFLOW_HOME": home, "PIXFLOW_CONFIG": str(Path(home) / "none.toml"),
               "PIXFLOW_IMAGE_RENDERER": "halfcell", "PIXFLOW_PROVIDER_MODE": "demo"}
        # Installed packages (Textual's, and Pixflow's for a user) start from cached bytecode; with this set, every
        # Pixflow module of the checkout would be compiled from source on every start.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        sample(PIXFLOW, env)  # first start creates the database and the bytecode: warm starts, a user's second day
        minimal, pixflow = [], []
        for _ in range(args.runs):
            minimal.append(sample(MINIMAL, env))
            pixflow.append(sample(PIXFLOW, env))
    base, ours = statistics.median(minimal), statistics.median(pixflow)
    ratio = ours / base
    verdict = "OK" if ratio <= 1.3 else "OVER"
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"start to first frame: minimal DataTable app {base * 1000:.0f} ms, Pixflow {ours * 1000:.0f} ms "
          f"(median of {args.runs}) = {ratio:.2f}x (budget 1.3x) {verdict}; load average {load}")
    return 0 if record("start-up: first frame, Pixflow / minimal DataTable app", ratio, 1.3, "x") else 1


if __name__ == "__main__":
    raise SystemExit(main())
