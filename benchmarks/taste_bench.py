"""Taste at 100,000 rated images: what a rating change costs now that it moves the taste counters in its own
transaction, and what reading a whole profile (every section's strongest patterns, the summary) costs.

Seeds its own library (demo prompts, batches under the five products, every image rated, leaning on its lighting
so patterns lean), recounts the counters from scratch (what migration 0005 does) and then measures. Budgets: a rating change within the rating key's 16 ms, a profile read within the
first visit's 150 ms.

Usage: python benchmarks/taste_bench.py [--home /tmp/pixflow-taste-bench] [--rated 100000] [--changes 400]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_report import record  # noqa: E402

BUDGETS = {"rating change (median)": 16.0, "profile read, all products (median)": 150.0}
LIKED_LIGHTS = ("Rembrandt", "Butterfly", "Golden hour", "Large north-facing window", "Clamshell")


def env_for(home: Path) -> None:
    os.environ.update({"PIXFLOW_HOME": str(home), "PIXFLOW_CONFIG": str(home / "none.toml"),
                       "PIXFLOW_PROVIDER_MODE": "demo"})


def seed(home: Path, rated: int) -> None:
    """A library of `rated` images with demo prompts, every one rated (leaning on its lighting, so patterns
    lean), in batches of 20 spread over the five products; made once per home. Rows go in through the models in
    bulk (no files, no search index: neither is read here); the counters are then recounted in `main`."""
    from pixflow_tui.config import load_settings
    from pixflow_tui.providers.demo.prompts import concept_prompt
    from pixflow_tui.store import Store
    from pixflow_tui.store.models import Batch, GeneratedImage, ImageRating, Job

    store = Store.open(load_settings())
    if GeneratedImage.select().count() >= rated:  # seeded before (ratings since changed by the timings)
        store.close_thread_connection()
        return
    started = time.perf_counter()
    rng = random.Random(24)
    products = [p.id for p in store.products()]
    concepts = [f"{subject} {place}" for subject in ("florist", "surfer", "chef", "boxer", "violinist", "tailor")
                for place in ("at dawn", "in neon rain", "on a rooftop", "by the sea", "in a jazz club")]
    prompts = {c: [json.dumps(concept_prompt(c, i).model_dump()) for i in range(8)] for c in concepts}
    user = store.user_id
    for first in range(0, rated, 5000):
        count = min(5000, rated - first)
        with store.db.atomic():
            batch0 = Batch.insert_many([{"user": user, "module": "asset_monster", "concept": "bench",
                                         "settings": json.dumps({"product_id": products[n % len(products)]})}
                                        for n in range(count // 20 + 1)]).execute()
            job0 = Job.insert_many([{"user": user, "kind": "image", "provider": "demo", "model": "demo",
                                     "request": "{}", "status": "done"} for _ in range(count)]).execute()
            # insert_many returns the last id on SQLite: the rows' ids run up to it
            batch0, job0 = batch0 - (count // 20), job0 - count + 1
            images = []
            for n in range(count):
                concept = concepts[(first + n) // 20 % len(concepts)]
                images.append({"user": user, "job": job0 + n, "batch": batch0 + n // 20, "batch_index": n % 20,
                               "prompt_index": n % 8, "variant_index": 0, "url": "", "local_path": f"/bench/{n}.png",
                               "file_name": f"{n}.png", "concept": concept, "prompt": prompts[concept][n % 8]})
            for start in range(0, count, 500):
                GeneratedImage.insert_many(images[start:start + 500]).execute()
            ratings = []
            for image_id, prompt in store.db.execute_sql(
                    "SELECT id, prompt FROM generated_images WHERE id NOT IN (SELECT image_id FROM image_ratings)"):
                fond = json.loads(prompt)["lighting"]["setup"].startswith(LIKED_LIGHTS)
                ratings.append({"user": user, "image": image_id, "rating": 1 if (rng.random() < 0.8) == fond else -1})
            for start in range(0, len(ratings), 500):
                ImageRating.insert_many(ratings[start:start + 500]).execute()
    store.close_thread_connection()
    print(f"seeded and rated {rated:,} images in {time.perf_counter() - started:.0f}s")


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=Path("/tmp/pixflow-taste-bench"))
    parser.add_argument("--rated", type=int, default=100_000, help="rated images in the library")
    parser.add_argument("--changes", type=int, default=400, help="rating changes timed")
    parser.add_argument("--runs", type=int, default=15, help="profile reads timed")
    args = parser.parse_args()
    home = args.home.expanduser().absolute()
    env_for(home)
    seed(home, args.rated)

    from pixflow_tui.config import load_settings
    from pixflow_tui.store import taste_repo
    from pixflow_tui.workflows import taste
    from pixflow_tui.workflows.context import AppContext

    ctx = AppContext(load_settings())
    store = ctx.store
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"library: {home} · {os.cpu_count()} CPUs, load average {load:.2f}")
    started = time.perf_counter()
    written = taste_repo.rebuild(store.db, store.user_id)
    rebuild_s = time.perf_counter() - started
    rated = store.taste.rated_count(None)
    print(f"  counters rebuilt from {rated:,} ratings in {rebuild_s:.1f} s ({written:,} counter rows)")

    rng = random.Random(7)
    ids = [row[0] for row in store.db.execute_sql("SELECT id FROM generated_images ORDER BY id").fetchall()]
    changes = [(rng.choice(ids), rng.choice((1, -1, None))) for _ in range(args.changes)]
    change_ms = [t for image_id, rating in changes for t in timed(lambda: store.ratings.set(image_id, rating), 1)]
    every = taste.ProductScope(None, taste.ALL_PRODUCTS_NAME)
    product = taste.scopes(ctx)[1]

    def full_read(scope: taste.ProductScope) -> None:
        profile = taste.profile(ctx, scope)
        profile.summary()
        profile.leaning("liked", limit=50)
        profile.leaning("disliked", limit=50)

    all_ms = timed(lambda: full_read(every), args.runs)
    product_ms = timed(lambda: full_read(product), args.runs)
    liked = taste.profile(ctx, every).leaning("liked", limit=1)
    evidence_ms = timed(lambda: taste.evidence(ctx, (liked[0].section, liked[0].value), "liked", every),
                        args.runs) if liked else [float("nan")]
    trend_ms = timed(lambda: taste.trend(ctx, every), 3)
    figures = {
        "rating change (median)": statistics.median(change_ms),
        "rating change (95th percentile)": statistics.quantiles(change_ms, n=20)[18],
        "rating change (worst)": max(change_ms),
        "profile read, all products (median)": statistics.median(all_ms),
        f"profile read, {product.name} (median)": statistics.median(product_ms),
        "images behind the strongest liked pattern (median)": statistics.median(evidence_ms),
        "ratings per week, all products (median)": statistics.median(trend_ms),
    }
    after = store.taste.stored()
    taste_repo.rebuild(store.db, store.user_id)
    consistent = after == store.taste.stored()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    for name, value in figures.items():
        print(f"  {name:<56} {value:8.2f} ms")
    print(f"  counters after {args.changes} changes equal a rebuild: {consistent}; load average now {load:.2f}")
    failed = not consistent
    for name, budget in BUDGETS.items():
        ok = record(f"taste: {name}", figures[name], budget, "ms")
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name:<40} {figures[name]:8.2f} ms (budget {budget:.0f} ms)")
    ctx.close()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
