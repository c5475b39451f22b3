"""Engine budgets (docs/architecture.md "Performance budgets"):

1. 1,000 zero-latency demo jobs at concurrency 16 add ≤ 5 ms of CPU per job. "Add" is measured as the CPU of the
   engine run minus the CPU the demo provider needs to make the same outputs on its own (run first, same requests),
   so the figure is the engine's own cost: ledger writes, events, download, checks, metadata, thumbnails. CPU
   counts this process and its worker processes. Both runs make the same requests (same prompts, 1K JPEG) with a
   fresh worker pool each, so start-up costs cancel out. The demo provider hands the engine a thumbnail made from
   the pixels it drew (and its byte count), so that small cost counts as the provider's, in both runs; a remote
   provider's download is always decoded and thumbnailed by the engine.
2. With a fixed 1 s provider latency the batch finishes within 1.05× the ideal ceil(N / concurrency) seconds.

Usage: python benchmarks/engine_bench.py [--jobs N] [--skip-latency]
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import math
import os
import resource
import sys
import statistics
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pixflow_tui.config import load_settings  # noqa: E402
from pixflow_tui.core.prompt_schema import PromptOutput  # noqa: E402
from pixflow_tui.providers import offload  # noqa: E402
from pixflow_tui.providers.demo import DemoMediaProvider  # noqa: E402
from pixflow_tui.workflows.context import AppContext  # noqa: E402
from pixflow_tui.workflows.images import create_image_batch, plan_image_batch  # noqa: E402
from bench_report import record  # noqa: E402

CONCURRENCY = 16


def make_context(home: Path, latency: float) -> AppContext:
    os.environ.update({"PIXFLOW_HOME": str(home), "PIXFLOW_CONFIG": str(home / "none.toml"),
                       "PIXFLOW_PROVIDER_MODE": "demo"})
    settings = dataclasses.replace(load_settings(), demo_latency=latency, concurrency=CONCURRENCY)
    return AppContext(settings)


def plan_jobs(ctx: AppContext, jobs: int) -> list:
    batches = []
    per_batch = 100
    for start in range(0, jobs, per_batch):
        count = min(per_batch, jobs - start)
        prompts = [PromptOutput(style=f"CRITICAL: teal silk study {start + i}") for i in range(count)]
        batches.append(plan_image_batch(ctx, prompts, concept="benchmark", resolution="1K", output_format="jpeg"))
    return batches


async def provider_only(ctx: AppContext, plans: list) -> None:
    provider = DemoMediaProvider(state_dir=ctx.settings.home / "baseline-demo", latency=0)
    semaphore = asyncio.Semaphore(CONCURRENCY)

    async def one(request) -> None:
        async with semaphore:
            handle = await provider.submit(request)
            await provider.status(handle)
            await provider.result(handle)

    await asyncio.gather(*(one(job.request) for plan in plans for job in plan.jobs))


def cpu_seconds() -> tuple[float, float]:
    """CPU of this process and of its finished children (the worker pool is shut down before reading)."""
    offload.shutdown(wait=True)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children.ru_utime + children.ru_stime


def cpu_since(start: tuple[float, float]) -> tuple[float, float]:
    now = cpu_seconds()
    return now[0] - start[0], now[1] - start[1]


def cpu_per_job(jobs: int) -> tuple[tuple[float, float], tuple[float, float], float]:
    """((this process, workers) CPU of the provider alone, the same with the engine, the engine run's wall time)"""
    with tempfile.TemporaryDirectory() as folder:
        ctx = make_context(Path(folder), latency=0)
        plans = plan_jobs(ctx, jobs)
        start = cpu_seconds()
        asyncio.run(provider_only(ctx, plans))
        baseline = cpu_since(start)
        batch_ids = [create_image_batch(ctx, plan).id for plan in plans]
        start, wall = cpu_seconds(), time.monotonic()
        asyncio.run(ctx.run_jobs(batch_ids=batch_ids))
        engine = cpu_since(start)
        wall = time.monotonic() - wall
        done = sum(1 for j in ctx.store.jobs.list() if str(j.status) == "done")
        assert done == jobs, f"only {done} of {jobs} jobs finished"
        ctx.close()
    return baseline, engine, wall


def latency_run(jobs: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        ctx = make_context(Path(folder), latency=1.0)
        batch_ids = [create_image_batch(ctx, plan).id for plan in plan_jobs(ctx, jobs)]
        start = time.monotonic()
        asyncio.run(ctx.run_jobs(batch_ids=batch_ids))
        elapsed = time.monotonic() - start
        ctx.close()
    return elapsed, math.ceil(jobs / CONCURRENCY) * 1.0


def batch_seconds(home: Path, jobs: int = 64) -> float:
    """Wall time of one batch of `jobs` images at 1 s provider latency in the library at `home`."""
    ctx = make_context(home, latency=1.0)
    batch_id = create_image_batch(ctx, plan_jobs(ctx, jobs)[0]).id
    start = time.monotonic()
    asyncio.run(ctx.run_jobs(batch_ids=[batch_id]))
    elapsed = time.monotonic() - start
    ctx.close()
    return elapsed


def library_comparison(library: Path, runs: int = 3) -> float:
    """Median batch time on the seeded `library` over the median on an empty one (alternating runs)."""
    empty_times, library_times = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            empty_times.append(batch_seconds(Path(folder)))
        library_times.append(batch_seconds(library))
    empty, full = statistics.median(empty_times), statistics.median(library_times)
    print(f"engine: a 64-image batch at 1 s latency: empty library {empty:.2f} s, {library} {full:.2f} s "
          f"= {full / empty:.3f}x (median of {runs})")
    return full / empty


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--library", type=Path, help="also: a batch on this seeded library against an empty one")
    args = parser.parse_args()
    ok = True
    if args.library:
        ok &= record("engine: a 64-image batch on the seeded library / on an empty one",
                     library_comparison(args.library.expanduser().absolute()), 1.05, "x")
    (base_main, base_workers), (eng_main, eng_workers), wall = cpu_per_job(args.jobs)
    baseline, engine = base_main + base_workers, eng_main + eng_workers
    added = (engine - baseline) / args.jobs * 1000
    ok &= record(f"engine: CPU per job ({args.jobs} jobs, difference of totals)", added, 5.0, "ms")
    print(f"engine CPU: {args.jobs} zero-latency demo jobs, concurrency {CONCURRENCY}: provider alone "
          f"{baseline:.2f} s CPU, with engine {engine:.2f} s CPU ({wall:.1f} s wall) -> engine adds "
          f"{added:.2f} ms CPU per job (budget 5 ms) {'OK' if added <= 5.0 else 'OVER'} "
          f"[this process {base_main:.2f} -> {eng_main:.2f} s, workers {base_workers:.2f} -> {eng_workers:.2f} s]")
    if not args.skip_latency:
        elapsed, ideal = latency_run(args.jobs)
        ratio = elapsed / ideal
        ok &= record(f"engine: {args.jobs} jobs at 1 s latency / ideal", ratio, 1.05, "x")
        print(f"engine latency: {args.jobs} jobs with 1 s provider latency at concurrency {CONCURRENCY}: "
              f"{elapsed:.1f} s vs ideal {ideal:.0f} s = {ratio:.3f}x (budget 1.05x) {'OK' if ratio <= 1.05 else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
