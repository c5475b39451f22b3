"""How a benchmark hands its judged figures to run_all.py: one JSON line per figure (measure, budget, figure, unit,
pass, load average at that moment) appended to the file named by PIXFLOW_BENCH_RESULTS; without it, nothing."""
from __future__ import annotations

import json
import os


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def record(measure: str, figure: float, budget: float, unit: str) -> bool:
    """Note one figure against its budget (lower is better); True when it is within the budget."""
    ok = figure <= budget
    path = os.environ.get("PIXFLOW_BENCH_RESULTS")
    if path:
        with open(path, "a", encoding="utf-8") as results:
            results.write(json.dumps({"measure": measure, "budget": budget, "figure": figure, "unit": unit,
                                      "ok": ok, "load": load_average()}) + "\n")
    return ok
