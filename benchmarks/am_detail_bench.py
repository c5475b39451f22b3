"""Asset Monster's detail pane follows the cursor within 16 ms per move (docs/architecture.md "Performance budgets").

Runs the real app headless (halfcell previews) on a fresh home, makes a finished demo batch of images, shows it in
Asset Monster, then moves the cursor down and up over its rows and times each move from the cursor moving to the pane
showing the new row: the details naming its job and the preview drawn from its image. The first pass down reads
neighbouring rows ahead; later passes revisit rows. The judged figure is the 90th percentile of all moves.

Usage: python benchmarks/am_detail_bench.py [--jobs 12] [--passes 4]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_report import load_average, record  # noqa: E402
from bench_tui import demo_app, finished_demo_batch, wait_until  # noqa: E402

BUDGET_MS = 16.0


async def measure(jobs: int, passes: int) -> tuple[list[float], list[float]]:
    app = demo_app()
    first: list[float] = []
    later: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("2")
        await pilot.pause(0.5)
        batch_id = await finished_demo_batch(app, jobs)
        results = app.screen.results
        results.open_batch(batch_id)
        table = results.table
        await wait_until(lambda: table.row_count == jobs)
        table.focus()
        preview = results.query_one("#job-preview")

        def shown() -> bool:
            detail = results.detail
            job_id = table.selected_job_id
            return (detail is not None and detail.job.id == job_id and detail.image is not None
                    and preview.shown_path == Path(detail.path))

        await wait_until(shown)
        for number in range(passes):
            for key in ["down"] * (jobs - 1) + ["up"] * (jobs - 1):
                await pilot.pause()  # settled: the previous move's work is not counted in this one
                before = table.selected_job_id
                started = time.perf_counter()
                # what the key's binding runs: the cursor moves and the table posts RowHighlighted
                (table.action_cursor_down if key == "down" else table.action_cursor_up)()
                await wait_until(lambda: table.selected_job_id != before and shown())
                (first if number == 0 and key == "down" else later).append((time.perf_counter() - started) * 1000)
    return first, later


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=12)
    parser.add_argument("--passes", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ.update({"PIXFLOW_HOME": home, "PIXFLOW_CONFIG": str(Path(home) / "none.toml"),
                           "PIXFLOW_IMAGE_RENDERER": "halfcell"})
        first, later = asyncio.run(measure(args.jobs, args.passes))
    moves = sorted(first + later)
    median, p90 = statistics.median(moves), moves[int(len(moves) * 0.9)]
    print(f"detail pane per cursor move over {args.jobs} finished jobs ({len(moves)} moves): median {median:.1f} ms, "
          f"p90 {p90:.1f} ms, worst {moves[-1]:.1f} ms (budget {BUDGET_MS:g} ms); first pass down median "
          f"{statistics.median(first):.1f} ms, later passes median {statistics.median(later):.1f} ms; "
          f"load {load_average():.2f}")
    ok = record(f"Asset Monster detail pane per cursor move (p90 of {len(moves)}, median {median:.1f} ms)", p90,
                BUDGET_MS, "ms")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
