"""The TUI as a user runs it, in a real pseudo-terminal at 120×40 (deferred work running as it does for users),
against a minimal Textual app with a DataTable on the same machine in the same run:

1. start-up: launch to the last paint of the first screen (the last output before the terminal stays quiet for
   QUIET seconds) — budget 1.3× the minimal app;
2. quit: ctrl+q to the process gone — budget 1.3× the minimal app;
3. idle: CPU of the TUI and its worker processes over IDLE_SECONDS with nothing to do — budget 1 % of a core.

Pixflow runs on the library in --home (seeded by seed_library.py; an empty one when not given).
Usage: python benchmarks/pty_bench.py [--home DIR] [--runs 5]
"""
from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

from bench_report import load_average, record

QUIET = 0.6  # seconds without output: the screen is finished
DA1_QUERY = b"\x1b[c"
DA1_ANSWER = b"\x1b[?62;22c"  # a VT220-class terminal with colour and no graphics, as xterm answers by default
IDLE_SECONDS = 20.0
SETTLE = 5.0  # after the first screen, before idle CPU is measured
TICKS = os.sysconf("SC_CLK_TCK")

MINIMAL = """
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Minimal(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("id", "concept", "model")
        table.add_rows([(n, f"concept {n}", "model") for n in range(60)])

Minimal().run()
"""
EXTRA_ENV = dict(item.split("=", 1) for item in os.environ.get("PTY_BENCH_ENV", "").split() if item)
PIXFLOW = "from pixflow_tui.cli import main; raise SystemExit(main([]))"


class Terminal:
    """A child process on a pseudo-terminal whose output is drained and timestamped."""

    def __init__(self, code: str, env: dict[str, str]) -> None:
        self.launched = time.monotonic()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.execvpe(sys.executable, [sys.executable, "-c", code], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.last_output = self.launched

    def drain(self, seconds: float) -> bool:
        """Read output for up to `seconds`; False when the child closed the terminal."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    return False
                if not data:
                    return False
                if DA1_QUERY in data:  # a real terminal answers at once; unanswered, Pixflow's probe would wait
                    os.write(self.fd, DA1_ANSWER)
                self.last_output = time.monotonic()
        return True

    def first_screen(self, timeout: float = 60.0) -> float:
        """Seconds from launch to the last output before QUIET seconds of silence."""
        deadline = time.monotonic() + timeout
        self.drain(0.3)
        while time.monotonic() < deadline:
            seen = self.last_output
            self.drain(QUIET)
            if self.last_output == seen and seen > self.launched:
                return seen - self.launched
        raise TimeoutError("the screen never went quiet")

    def cpu_seconds(self) -> float:
        """User + system CPU of the child and every process below it."""
        family, total = {self.pid}, 0.0
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
        grew = True
        while grew:
            grew = False
            for pid, (parent, _) in stats.items():
                if parent in family and pid not in family:
                    family.add(pid)
                    grew = True
        for pid in family:
            if pid in stats:
                total += stats[pid][1] / TICKS
        return total

    def quit(self, timeout: float = 120.0) -> float:
        """Seconds from ctrl+q to the process gone."""
        started = time.monotonic()
        os.write(self.fd, b"\x11")
        deadline = started + timeout
        while time.monotonic() < deadline:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                return time.monotonic() - started
            self.drain(0.005)
        os.kill(self.pid, signal.SIGKILL)
        raise TimeoutError("did not quit")


def run(code: str, env: dict[str, str], idle: bool) -> tuple[float, float, float | None]:
    term = Terminal(code, env)
    try:
        screen = term.first_screen()
        idle_share = None
        if idle:
            term.drain(SETTLE)
            before, started = term.cpu_seconds(), time.monotonic()
            term.drain(IDLE_SECONDS)
            idle_share = (term.cpu_seconds() - before) / (time.monotonic() - started) * 100
        return screen, term.quit(), idle_share
    finally:
        os.close(term.fd)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="a seeded library (default: an empty one)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as empty:
        home = args.home.expanduser().absolute() if args.home else Path(empty)
        env = {**os.environ, "PIXFLOW_HOME": str(home), "PIXFLOW_CONFIG": str(home / "none.toml"),
               "PIXFLOW_PROVIDER_MODE": "demo", "TERM": "xterm-256color", "COLORTERM": "truecolor", **EXTRA_ENV}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        run(PIXFLOW, env, idle=False)  # the first start creates the database and the bytecode
        minimal_screen, minimal_quit, ours_screen, ours_quit, idle = [], [], [], [], []
        for n in range(args.runs):
            screen, quit_time, _ = run(MINIMAL, env, idle=False)
            minimal_screen.append(screen)
            minimal_quit.append(quit_time)
            screen, quit_time, share = run(PIXFLOW, env, idle=n == 0)
            ours_screen.append(screen)
            ours_quit.append(quit_time)
            if share is not None:
                idle.append(share)
    base, ours = statistics.median(minimal_screen), statistics.median(ours_screen)
    base_quit, our_quit = statistics.median(minimal_quit), statistics.median(ours_quit)
    label = f"{home.name or 'empty'}" if args.home else "empty library"
    print(f"pty 120x40 ({label}, load average {load_average():.2f}, median of {args.runs}): first screen "
          f"minimal {base * 1000:.0f} ms, Pixflow {ours * 1000:.0f} ms = {ours / base:.2f}x; quit minimal "
          f"{base_quit * 1000:.0f} ms, Pixflow {our_quit * 1000:.0f} ms = {our_quit / base_quit:.2f}x; idle CPU "
          f"{idle[0]:.2f} % of a core over {IDLE_SECONDS:.0f} s")
    ok = record(f"start-up in a pty, full first screen ({label}) / minimal app", ours / base, 1.3, "x")
    ok &= record(f"quit ({label}) / minimal app", our_quit / base_quit, 1.3, "x")
    ok &= record(f"idle CPU, TUI open ({label})", idle[0], 1.0, "% core")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
