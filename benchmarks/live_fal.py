"""The live path for benchmarks, without the network: the app's fal provider (the real `fal-client`) aimed at the local
fal emulator of tests/emulators, which runs in a process of its own and answers every image request with one real
2048×2048 JPEG made here once with Pillow. So each job is submitted, polled and fetched over HTTP, and its image
downloaded, decode-checked, thumbnailed and tagged by the engine as a user's would be.

CPU is read from the kernel for this process and for its multiprocessing children (the engine's worker pool), never
for the emulator: what the benchmark process and its workers spend is the engine's cost.
"""
from __future__ import annotations

import io
import multiprocessing
import os
import resource
import subprocess
import sys
from pathlib import Path
from types import TracebackType

import numpy as np
from PIL import Image, ImageFilter

TESTS = Path(__file__).resolve().parents[1] / "tests"
FAL_TEST_KEY = "bench-fal-key"
IMAGE_SIDE = 2048
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def photo_like_jpeg(side: int = IMAGE_SIDE) -> bytes:
    """A 2K JPEG about as dense as a detailed photo (~1 bit per pixel at quality 90, ~0.5 MB): a colour gradient
    under fine grain. A plain gradient would compress to ~90 KB and make decoding look five times cheaper."""
    rng = np.random.default_rng(side)
    y, x = np.mgrid[0:side, 0:side] / side
    gradient = np.stack([190 * x + 30, 150 * y + 50, 110 * (1 - x * y) + 70], axis=-1).astype(np.uint8)
    grain = np.clip(rng.normal(128, 60, (side, side, 3)), 0, 255).astype(np.uint8)
    picture = Image.blend(Image.fromarray(gradient), Image.fromarray(grain).filter(ImageFilter.GaussianBlur(1.2)), 0.25)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a live process, all its threads (Linux /proc; 10 ms resolution)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime and stime: fields 14 and 15 of stat(5)


def engine_cpu() -> tuple[float, float]:
    """CPU seconds of (this process, its worker processes): the workers are its live multiprocessing children (the
    engine's pool) and any child already reaped. The emulator is a plain subprocess, alive until the end: none of
    it is counted."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = sum(process_cpu(child.pid) for child in multiprocessing.active_children() if child.pid)
    return own.ru_utime + own.ru_stime, reaped.ru_utime + reaped.ru_stime + workers


class FalEmulatorProcess:
    """`python -m emulators` in its own process, answering at once (no queue or run time) with `image`."""

    def __init__(self, image: Path) -> None:
        self.image = image
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> FalEmulatorProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "emulators", "--queue-seconds", "0", "--run-seconds", "0",
             "--image-file", str(self.image)], cwd=TESTS, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        for line in self._process.stdout:
            name, _, url = line.partition(" ")
            if name == "fal":
                self.base_url = url.strip()
                return self
        self._process.wait()
        raise RuntimeError(f"the fal emulator did not start (exit {self._process.returncode})")

    def cpu(self) -> float:
        assert self._process is not None
        return process_cpu(self._process.pid)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)


def live_environment(home: Path, base_url: str) -> dict[str, str]:
    """Variables that make the app's settings live, aimed at the emulator, with no real key or proxy in reach."""
    return {"PIXFLOW_HOME": str(home), "PIXFLOW_CONFIG": str(home / "none.toml"), "PIXFLOW_PROVIDER_MODE": "live",
            "FAL_KEY": FAL_TEST_KEY, "PIXFLOW_FAL_BASE_URL": base_url, "FAL_HOME_DIR": str(home / "fal-home"),
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
