"""First visit and return to every module within budget (docs/architecture.md "Performance budgets"): a module's
screen is built and painted within 150 ms of its key the first time, and shown again within 50 ms on a return.

Runs the real app headless (120x40, halfcell previews) on a fresh demo home with one finished demo batch of images
(so Asset Monster, Img2Video and the Library have rows to show). From the start screen (Prompt Factory, built by
start-up, so its first visit is start-up's figure) it visits each module with its key's action and times to the
first refresh after the screen is mounted; then it returns to each one from another module the same way. Each
visit is repeated over fresh apps and the median is judged.

Usage: python benchmarks/module_visit_bench.py [--rounds 3] [--images 8]
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

from pixflow_tui.tui.app import PixflowApp  # noqa: E402
from pixflow_tui.tui.widgets.header import MODULES  # noqa: E402
from bench_report import load_average, record  # noqa: E402
from bench_tui import demo_app, finished_demo_batch, wait_until  # noqa: E402

FIRST_BUDGET_MS = 150.0
RETURN_BUDGET_MS = 50.0


async def visit(app: PixflowApp, mode: str) -> float:
    """ms from the module key's action to the first refresh after its screen is mounted."""
    started = time.perf_counter()
    app.action_go(mode)
    await wait_until(lambda: app.current_mode == mode and app.screen.is_mounted)
    painted = asyncio.Event()
    app.screen.call_after_refresh(painted.set)
    await painted.wait()
    return (time.perf_counter() - started) * 1000


async def settle(pilot, app: PixflowApp) -> None:
    await pilot.pause(0.3)
    await app.workers.wait_for_complete()
    await pilot.pause(0.1)


async def one_round(images: int) -> tuple[dict[str, float], dict[str, float]]:
    app = demo_app()
    first: dict[str, float] = {}
    back: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        if not app.context.store.jobs.list():
            await finished_demo_batch(app, images)
        await settle(pilot, app)
        start_mode = app.current_mode
        for mode, _, _ in MODULES:
            if mode != start_mode:
                first[mode] = await visit(app, mode)
                await settle(pilot, app)
        for index, (mode, _, _) in enumerate(MODULES):
            away = MODULES[(index + 1) % len(MODULES)][0]
            await visit(app, away)
            await settle(pilot, app)
            back[mode] = await visit(app, mode)
            await settle(pilot, app)
    return first, back


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--images", type=int, default=8)
    args = parser.parse_args()
    firsts: dict[str, list[float]] = {}
    backs: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as home:
        os.environ.update({"PIXFLOW_HOME": home, "PIXFLOW_CONFIG": str(Path(home) / "none.toml"),
                           "PIXFLOW_IMAGE_RENDERER": "halfcell"})
        for _ in range(args.rounds):
            first, back = asyncio.run(one_round(args.images))
            for mode, ms in first.items():
                firsts.setdefault(mode, []).append(ms)
            for mode, ms in back.items():
                backs.setdefault(mode, []).append(ms)
    ok = True
    print(f"module visits on a demo home with {args.images} images, median of {args.rounds} "
          f"(load {load_average():.2f}):")
    for mode, title, _ in MODULES:
        first_ms = statistics.median(firsts[mode]) if mode in firsts else None
        back_ms = statistics.median(backs[mode])
        shown = f"{first_ms:6.1f} ms" if first_ms is not None else "  start-up"
        print(f"  {title:15} first {shown} (budget {FIRST_BUDGET_MS:g}), return {back_ms:6.1f} ms "
              f"(budget {RETURN_BUDGET_MS:g})")
    worst_first = max(firsts, key=lambda mode: statistics.median(firsts[mode]))
    worst_back = max(backs, key=lambda mode: statistics.median(backs[mode]))
    titles = {mode: title for mode, title, _ in MODULES}
    ok &= record(f"module first visit, worst ({titles[worst_first]})", statistics.median(firsts[worst_first]),
                 FIRST_BUDGET_MS, "ms")
    ok &= record(f"module return visit, worst ({titles[worst_back]})", statistics.median(backs[worst_back]),
                 RETURN_BUDGET_MS, "ms")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
