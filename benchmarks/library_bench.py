"""Library budgets (docs/architecture.md "Performance budgets"), with 100,000 images and 10,000 history rows:

1. first page ≤ 150 ms — the query, and the screen: from switching to the Library mode (key 6) until its first
   page of rows is on screen, headless under App.run_test (120×40, halfcell renderer). Reported for the first
   visit (the screen is built), for a return visit, and for opening the All assets tab;
2. full-text search ≤ 50 ms — the query (median of runs per search; the worst search is judged);
3. a rating key reaching the database and the screen ≤ 16 ms (median of 20 presses; p95 and max shown);
4. memory (peak RSS of this process, app and data included) ≤ 300 MB.

For context it also prints what Textual itself takes to switch to an already-built, nearly empty module screen on
this machine in the same run (the floor under any screen figure).

The library is seeded once into --home (default /tmp/pixflow-library-bench) by seed_library.py and reused.
Usage: python benchmarks/library_bench.py [--home DIR] [--images 100000] [--history 10000] [--runs 7] [--reseed]
Exit status 1 when a budget is missed.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_report import record  # noqa: E402

BUDGETS = {"first page": 150.0, "search": 50.0, "rating": 16.0, "memory": 300.0, "size beyond the prompt": 3072.0}
SEARCHES = ("portrait", "portraits", "cinematic", "po", "photograph",
            "silk", "lighthouse", "neon rain", "golden hour portrait", "kodak", "soft light", "sof", "ligh",
            "cinematic beekeeper", "velvet drape", "texture", "shadow")


def env_for(home: Path) -> None:
    os.environ.update({"PIXFLOW_HOME": str(home), "PIXFLOW_CONFIG": str(home / "none.toml"),
                       "PIXFLOW_IMAGE_RENDERER": "halfcell", "PIXFLOW_PROVIDER_MODE": "demo",
                       "TEXTUAL_ANIMATIONS": "none"})


def ensure_seeded(home: Path, images: int, history: int, reseed: bool) -> None:
    database = home / "pixflow.db"
    if database.exists() and not reseed:
        with sqlite3.connect(database) as conn:
            have = conn.execute("SELECT COUNT(*) FROM generated_images").fetchone()[0]
            had = conn.execute("SELECT COUNT(*) FROM history").fetchone()[0]
        if have >= images and had >= history:
            return
    if home.exists():
        shutil.rmtree(home)
    started = time.perf_counter()
    # in a child process, so the seeding's memory does not count against the app's
    subprocess.run([sys.executable, str(Path(__file__).with_name("seed_library.py")), "--home", str(home),
                    "--images", str(images), "--history", str(history)], check=True)
    print(f"seeded {images:,} images and {history:,} history rows in {time.perf_counter() - started:.0f}s")


def median_ms(fn, runs: int) -> float:
    fn()  # warm: the first read pulls pages into the cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def query_figures(runs: int) -> dict[str, float]:
    from pixflow_tui.config import load_settings
    from pixflow_tui.workflows import library_queries as lq
    from pixflow_tui.workflows.context import AppContext

    ctx = AppContext(load_settings())
    figures = {
        "query: All assets first page": median_ms(lambda: lq.outputs_page(ctx, lq.LibraryFilter()), runs),
        "query: History first page": median_ms(lambda: lq.history_page(ctx), runs),
        "query: Liked first page": median_ms(lambda: lq.liked_page(ctx), runs),
    }
    # a search is the first page and the match count after it (the count shows as "10,000+" beyond its cap),
    # each time as for a newly typed text: the store's few-second memory of what a text expands to is emptied
    from pixflow_tui.store import sqlite as store_sqlite

    def search(text: str) -> None:
        store_sqlite._forget_matches()
        lq.outputs_page(ctx, lq.LibraryFilter(query=text))
        lq.count_outputs(ctx, lq.LibraryFilter(query=text))

    searches = {text: median_ms(lambda t=text: search(t), runs) for text in SEARCHES}
    for text, value in searches.items():
        figures[f"search: {text!r}"] = value
    figures["search: median of searches"] = statistics.median(searches.values())
    figures["search: worst search"] = max(searches.values())
    figures["search: liked + 'silk'"] = median_ms(
        lambda: lq.outputs_page(ctx, lq.LibraryFilter(query="silk", rating="like")), runs)
    ctx.close()
    return figures


def send_key(app, key: str, char: str | None) -> None:
    """Deliver a key the way the terminal driver does, without Pilot's wait for the app to go idle (which would
    add its own delay to what is measured)."""
    from textual import events

    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def wait_until(condition, timeout: float = 30.0) -> float:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen did not get there in time")
        await asyncio.sleep(0.0005)
    return time.perf_counter()


async def screen_figures(home: Path) -> dict[str, float]:
    from pixflow_tui.config import load_settings
    from pixflow_tui.tui.app import PixflowApp

    figures: dict[str, float] = {}
    app = PixflowApp(load_settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        await pilot.press("5")  # a nearly empty module screen, built once here
        await pilot.pause(0.5)
        await pilot.press("1")
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()

        started = time.perf_counter()
        await pilot.press("6")
        screen = app.screen
        await wait_until(lambda: getattr(app.screen, "first_page_at", None) is not None)
        screen = app.screen
        figures["screen: first visit (screen built), key 6 → History rows"] = (screen.first_page_at - started) * 1000
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()

        started = time.perf_counter()
        screen.show_tab("assets")
        await wait_until(lambda: (t := screen.tab("assets")) is not None and t.shown_at > started)
        figures["screen: All assets tab, first page"] = (screen.tab("assets").shown_at - started) * 1000
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()

        await pilot.press("5")
        await pilot.pause(0.5)
        started = time.perf_counter()
        painted = asyncio.Event()
        app.switch_mode("library")
        app.call_after_refresh(painted.set)
        await painted.wait()
        figures["screen: return visit, key 6 → rows on screen (the previous page)"] = (
            (time.perf_counter() - started) * 1000)
        assets = screen.tab("assets")
        await wait_until(lambda: assets.shown_at > started)
        figures["context: return visit, key 6 → the page read again"] = (assets.shown_at - started) * 1000
        await pilot.pause(0.3)

        await pilot.press("5")
        await pilot.pause(0.3)
        floor = []
        for _ in range(3):
            started = time.perf_counter()
            app.switch_mode("machine" if app.current_mode != "machine" else "prompt_factory")
            done = asyncio.Event()
            app.call_after_refresh(done.set)
            await done.wait()
            floor.append((time.perf_counter() - started) * 1000)
            await pilot.pause(0.3)
        figures["context: Textual's own switch to a built screen (median)"] = statistics.median(floor)
        await pilot.press("6")
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()

        figures.update(await rating_figures(pilot, screen, home))

        await pilot.press("slash", *"sil")
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        started = time.perf_counter()
        send_key(app, "k", "k")  # the last letter: "silk" shows after the 0.15 s typing pause
        await wait_until(lambda: assets.shown_at > started and assets.query_text == "silk")
        figures["context: last letter typed to search rows on screen (incl. 150 ms debounce)"] = (
            (assets.shown_at - started) * 1000)
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
    return figures


async def rating_figures(pilot, screen, home: Path) -> dict[str, float]:
    from pixflow_tui.tui.widgets.row_list import RowList

    tab = screen.tab("assets")
    table = tab.query_one(RowList)
    tab.focus_list()
    await pilot.pause()
    conn = sqlite3.connect(f"file:{home / 'pixflow.db'}?mode=ro", uri=True)
    times = []
    for press in range(20):
        key = table.highlighted_key
        row = tab.outputs[key]
        if row.kind != "image":
            await pilot.press("down")
            continue
        image_id = row.id
        want, letter, mark = (1, "l", "♥ +1") if row.rating != 1 else (-1, "d", "✗ -1")
        started = time.perf_counter()
        send_key(pilot.app, letter, letter)

        def stored() -> bool:
            found = conn.execute("SELECT rating FROM image_ratings WHERE image_id = ?", (image_id,)).fetchone()
            return found is not None and found[0] == want

        done = await wait_until(lambda: str(table.get_cell(key, "rating")) == mark and stored())
        times.append((done - started) * 1000)
        await pilot.press("down")
        await pilot.pause(0.05)
    conn.close()
    times.sort()
    return {"rating: key → database and screen (median)": statistics.median(times),
            "rating: p95": times[int(len(times) * 0.95) - 1], "rating: max": times[-1]}


def size_figures(database: Path) -> dict[str, float]:
    """Bytes per image: the whole file, beyond the prompt itself, and the largest parts of it."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        images = conn.execute("SELECT COUNT(*), SUM(LENGTH(prompt)) FROM generated_images").fetchone()
        pages = dict(conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
        unused = conn.execute("SELECT SUM(unused) FROM dbstat WHERE name = 'generated_images'").fetchone()[0]
    total = sum(pages.values())
    index = sum(size for name, size in pages.items() if name.startswith("search_index"))
    count = max(1, images[0])
    return {"size: database bytes per image": total / count,
            "size: beyond the prompt itself, bytes per image": (total - (images[1] or 0)) / count,
            "size: search index bytes per image": index / count,
            "size: images table beyond the prompt":
                (pages.get("generated_images", 0) - (images[1] or 0)) / count,
            "size: of that, empty page space": (unused or 0) / count,
            "size: history table bytes per image (its own prompts)": pages.get("history", 0) / count,
            "size: jobs table bytes per image": pages.get("jobs", 0) / count}


def peak_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=Path("/tmp/pixflow-library-bench"))
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reseed", action="store_true", help="seed again even when the library is there")
    args = parser.parse_args()
    home = args.home.expanduser().absolute()
    env_for(home)
    ensure_seeded(home, args.images, args.history, args.reseed)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"library: {home} · {os.cpu_count()} CPUs, load average {load:.1f}")
    figures = query_figures(args.runs)
    figures.update(asyncio.run(screen_figures(home)))
    figures["memory: peak RSS (MB)"] = peak_rss_mb()
    figures.update(size_figures(home / "pixflow.db"))
    verdicts = {
        "first page": max(figures["query: All assets first page"], figures["query: History first page"],
                          figures["screen: first visit (screen built), key 6 → History rows"],
                          figures["screen: All assets tab, first page"],
                          figures["screen: return visit, key 6 → rows on screen (the previous page)"]),
        "search": figures["search: worst search"],
        "rating": figures["rating: key → database and screen (median)"],
        "memory": figures["memory: peak RSS (MB)"],
        "size beyond the prompt": figures["size: beyond the prompt itself, bytes per image"],
    }
    for name, value in figures.items():
        unit = "MB" if name.startswith("memory") else "B" if name.startswith("size") else "ms"
        print(f"  {name:<72} {value:9.1f} {unit}")
    failed = False
    for name, value in verdicts.items():
        unit = "MB" if name == "memory" else "B/image" if name.startswith("size") else "ms"
        ok = record(f"library {args.images:,}: {name}", value, BUDGETS[name], unit)
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name:<11} {value:8.1f} {unit} (budget {BUDGETS[name]:.0f} {unit})")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
