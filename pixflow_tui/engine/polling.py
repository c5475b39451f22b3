"""How often the engine asks a provider about a job it waits on.

Every status call is an HTTP request at a remote provider (about 1 ms of CPU in this process on a small machine),
and a job used to be asked every 0.25 s until 4 % of its age was longer: ~35 requests for a 10 s image. Once a few
jobs of a model have finished in this run, the engine knows how long that model usually takes, asks a young job
only a few times before then (each wait half of what is left), and often (2 % of the age, at least the provider's
floor) around that time, so a job that ends as usual is seen as soon as before.
"""
from __future__ import annotations

import statistics
from collections import deque

MAX_POLL_INTERVAL = 5.0
REMOTE_MIN_POLL = 0.25  # a remote status call costs an HTTP request: 16 jobs at 20 ms kept a core busy
EARLY_SHARE = 0.8  # before this share of the usual time, a job is looked at rarely
MAX_EARLY_WAIT = 2.0  # the longest wait while young: a cancel made in another process is still seen soon
USUAL_SAMPLES = 16  # the usual time is the median of the model's last this-many jobs
MIN_SAMPLES = 3


def poll_interval(elapsed: float, floor: float = 0.02, usual: float | None = None) -> float:
    """Seconds until the next status call of a job `elapsed` seconds after its submit.

    Without a `usual` time: about 4 % of the job's age. `floor` is the provider's shortest sensible interval (its
    `min_poll_interval`; REMOTE_MIN_POLL if unsaid)."""
    if usual is not None:
        early = EARLY_SHARE * usual - elapsed
        if early > floor:
            return min(MAX_EARLY_WAIT, early / 2)
        if elapsed < 2 * usual:
            return min(MAX_POLL_INTERVAL, max(floor, elapsed * 0.02))
    return min(MAX_POLL_INTERVAL, max(floor, elapsed * 0.04))


def first_wait(floor: float, usual: float | None) -> float:
    """Seconds before the first status call of a job just submitted: none unless the model usually takes longer."""
    if usual is None or EARLY_SHARE * usual <= floor:
        return 0.0
    return poll_interval(0.0, floor, usual)


class UsualTimes:
    """How long each provider's model took from submit to "completed", in this run (the demo's times are its own)."""

    def __init__(self) -> None:
        self._recent: dict[tuple[str, str], deque[float]] = {}
        self._usual: dict[tuple[str, str], float] = {}

    def add(self, provider: str, model: str, seconds: float) -> None:
        recent = self._recent.setdefault((provider, model), deque(maxlen=USUAL_SAMPLES))
        recent.append(seconds)
        if len(recent) >= MIN_SAMPLES:
            self._usual[provider, model] = statistics.median(recent)

    def of(self, provider: str, model: str) -> float | None:
        """The median of the model's recent jobs at that provider; None until MIN_SAMPLES of them finished."""
        return self._usual.get((provider, model))
