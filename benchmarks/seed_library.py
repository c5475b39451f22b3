"""Fill a Pixflow data folder with a large, realistic library, fast (bulk inserts, search index in bulk).

Images get real prompts from the demo vocabulary (varied concepts, 9-section prompts), one job and one batch row
like the engine writes, ratings (about 12% liked, 5% disliked), some videos, audio and lipsync assets made from
them, tags on some batches, history and favourites. Image files are a few hundred real small PNGs reused across
rows (with their thumbnails), so previews and the thumbnail grid draw real pictures.

Usage: python benchmarks/seed_library.py --home /tmp/libhome [--images 100000] [--history 10000] [--files 300]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw  # noqa: E402

from pixflow_tui.config import load_settings  # noqa: E402
from pixflow_tui.core.flatten import flatten_prompt  # noqa: E402
from pixflow_tui.providers.demo.prompts import concept_prompt  # noqa: E402
from pixflow_tui.store import Store, job_requests, sqlite, taste_repo  # noqa: E402
from pixflow_tui.store.search_text import asset_search_text, prompt_search_text  # noqa: E402

SUBJECTS = ("lighthouse keeper", "street dancer", "florist", "jazz trumpeter", "chess champion", "beekeeper",
            "ceramic artist", "surfer", "violinist", "chef", "mountain guide", "tailor", "skateboarder", "botanist",
            "boxer", "perfumer", "astronomer", "barista", "ballet dancer", "fisherman", "architect", "painter",
            "glassblower", "falconer", "cyclist", "DJ", "watchmaker", "gardener", "photographer", "sommelier")
SETTINGS = ("at dawn", "in neon rain", "on a rooftop", "in a desert", "in a greenhouse", "by the sea",
            "in a library", "at a night market", "in the snow", "in a vintage diner", "under cherry blossoms",
            "in a brutalist atrium", "at golden hour", "in a jazz club", "in a sunflower field", "on a subway platform")
MOODS = ("", "moody", "playful", "cinematic", "minimal", "retro", "dreamy", "gritty")
TAGS = ("client-a", "client-b", "keep", "moodboard", "campaign-q3", "review", "hero", "social")
IMAGE_MODELS = ("fal-ai/nano-banana-pro", "fal-ai/nano-banana-pro/edit")
ASPECTS = ("9:16", "1:1", "16:9", "4:5")
PER_BATCH = 20
CHUNK = 50_000  # images per transaction


def concepts(rng: random.Random, count: int) -> list[str]:
    found: set[str] = set()
    while len(found) < count:
        mood = rng.choice(MOODS)
        found.add(" ".join(p for p in (mood, rng.choice(SUBJECTS), rng.choice(SETTINGS)) if p))
    return sorted(found)


def make_files(folder: Path, thumbs: Path, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """`count` small real PNGs (and their thumbnails): gradients with a few shapes, all different."""
    folder.mkdir(parents=True, exist_ok=True)
    thumbs.mkdir(parents=True, exist_ok=True)
    files = []
    for n in range(count):
        path, thumb = folder / f"seed-{n:04d}.png", thumbs / f"seed-{n:04d}.png"
        if not path.exists() or not thumb.exists():
            top = tuple(rng.randrange(256) for _ in range(3))
            bottom = tuple(rng.randrange(256) for _ in range(3))
            image = Image.new("RGB", (216, 384))
            draw = ImageDraw.Draw(image)
            for y in range(384):
                t = y / 383
                draw.line([(0, y), (215, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
            for _ in range(3):
                x, y, r = rng.randrange(216), rng.randrange(384), rng.randrange(20, 80)
                draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
            image.save(path)
            image.thumbnail((216, 384))
            image.save(thumb)
        files.append((str(path), str(thumb)))
    return files


def stored_request(request: dict, image_prompt: str) -> tuple[str, str]:
    """The stored JSON of a job's request pointing at its image's prompt, split where the image's id goes."""
    stored = job_requests.point_at_image(job_requests.encode(request), -1, image_prompt)
    if stored is None or stored.count('"meta_prompt": -1') != 1:
        raise ValueError(f"the seed's request does not point at its image: {stored}")
    before, after = stored.split('"meta_prompt": -1')
    return before + '"meta_prompt": ', after


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # peewee's DateTimeField text, always with microseconds


def seed(home: Path, images: int, history: int, files: int, assets: int, rng: random.Random) -> dict[str, float]:
    os.environ["PIXFLOW_HOME"] = str(home)
    os.environ.setdefault("PIXFLOW_CONFIG", str(home / "none.toml"))
    settings = load_settings()
    store = Store.open(settings)
    db, user = store.db, store.user_id
    db.execute_sql("PRAGMA cache_size = -262144")  # 256 MB for this connection: index pages stay in memory
    timings: dict[str, float] = {}
    started = time.perf_counter()
    pictures = make_files(settings.outputs_dir / "seed", settings.thumbnails_dir, files, rng)
    timings["files"] = time.perf_counter() - started

    started = time.perf_counter()
    names = concepts(rng, 400)
    prompts = {name: [concept_prompt(name, i).model_dump() for i in range(4)] for name in names}
    texts = {name: [json.dumps(p) for p in group] for name, group in prompts.items()}
    bodies = {name: [prompt_search_text(name, p) for p in group] for name, group in prompts.items()}
    flats = {name: [flatten_prompt(concept_prompt(name, i), 0) for i in range(4)] for name in names}
    timings["prompts"] = time.perf_counter() - started

    started = time.perf_counter()
    now = datetime.now().replace(microsecond=0)
    span = timedelta(days=365)
    cursor = db.cursor()
    first = lambda table: int(db.execute_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]) + 1  # noqa: E731
    batch0, job0, image0, asset0 = first("batches"), first("jobs"), first("generated_images"), first("assets")
    # each job's request as the store keeps it once its image is saved (store/job_requests.py): split where the
    # image's id goes, so a row costs one join
    requests = {name: [stored_request({"kind": "image", "model": IMAGE_MODELS[0], "arguments": {
        "prompt": flat, "aspect_ratio": "9:16", "resolution": "2K", "output_format": "png", "num_images": 1},
        "files": {}, "meta": {"prompt": p}}, text) for flat, p, text in zip(flats[name], group, texts[name])]
        for name, group in prompts.items()}
    batch_concept: dict[int, str] = {}
    sample: list[tuple] = []  # image rows the assets are made from (a few thousand, spread over the library)
    for chunk_start in range(0, images, CHUNK):  # one transaction per chunk: memory stays flat up to millions
        batch_rows, tag_rows, job_rows, image_rows, rating_rows, documents = [], [], [], [], [], []
        for n in range(chunk_start, min(images, chunk_start + CHUNK)):
            batch_id = batch0 + n // PER_BATCH
            moment = now - span + span * (n / max(1, images)) + timedelta(microseconds=rng.randrange(1, 999_999))
            if n % PER_BATCH == 0:
                concept = rng.choice(names)
                batch_concept = {batch_id: concept}
                aspect = rng.choice(ASPECTS)
                batch_rows.append((batch_id, user, "asset_monster", concept[:60], concept,
                                   json.dumps({"aspect_ratio": aspect, "resolution": "2K", "output_format": "png",
                                               "variants": 1, "model": IMAGE_MODELS[0], "provider": "demo"}),
                                   "done", PER_BATCH * 150_000, PER_BATCH * 150_000, stamp(moment), stamp(moment),
                                   stamp(moment)))
                if rng.random() < 0.15:
                    for tag in rng.sample(TAGS, rng.randint(1, 2)):
                        tag_rows.append((batch_id, tag))
            concept = batch_concept[batch_id]
            index = n % PER_BATCH
            which = rng.randrange(4)
            model = IMAGE_MODELS[0] if rng.random() < 0.8 else IMAGE_MODELS[1]
            path, thumb = pictures[n % len(pictures)]
            job_id, image_id = job0 + n, image0 + n
            job_rows.append((job_id, user, batch_id, "image", "demo", model, str(image_id).join(requests[concept][which]),
                             index, which, 0,
                             "done", 1, 150_000, 150_000, path, stamp(moment), stamp(moment), stamp(moment)))
            image_rows.append((image_id, user, job_id, batch_id, index, which, 0, f"demo://{image_id}", path,
                               Path(path).name, concept, texts[concept][which], aspect, "2K", "png", model, "demo",
                               216, 384, thumb, stamp(moment)))
            documents.append(("image", image_id, bodies[concept][which]))
            roll = rng.random()
            if roll < 0.12 or roll > 0.95:
                rating_rows.append((user, image_id, 1 if roll < 0.12 else -1, stamp(moment), stamp(moment)))
        with db.atomic():
            cursor.executemany("INSERT INTO batches (id, user_id, module, name, concept, settings, status,"
                               " cost_estimate_micros, cost_actual_micros, created_at, updated_at, finished_at)"
                               " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", batch_rows)
            cursor.executemany("INSERT OR IGNORE INTO batch_tags (batch_id, tag) VALUES (?, ?)", tag_rows)
            cursor.executemany("INSERT INTO jobs (id, user_id, batch_id, kind, provider, model, request, job_index,"
                               " prompt_index, variant_index, status, attempts, cost_estimate_micros, cost_micros,"
                               " output_path, created_at, updated_at, finished_at)"
                               " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                               job_rows)
            cursor.executemany("INSERT INTO generated_images (id, user_id, job_id, batch_id, batch_index,"
                               " prompt_index, variant_index, url, local_path, file_name, concept, prompt,"
                               " aspect_ratio, resolution, output_format, model, provider, width, height,"
                               " thumbnail_path, generated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                               image_rows)
            cursor.executemany("INSERT INTO image_ratings (user_id, image_id, rating, rated_at, updated_at)"
                               " VALUES (?,?,?,?,?)", rating_rows)
            sqlite.index_documents(db, documents)
        sample += rng.sample(image_rows, min(len(image_rows), max(1, assets * CHUNK // max(1, images)) + 1))
        if images > CHUNK:
            print(f"\r{min(images, chunk_start + CHUNK):,} of {images:,} images", end="", file=sys.stderr, flush=True)
    if images > CHUNK:
        print(file=sys.stderr)
    image_rows = sample
    with db.atomic():
        documents = []
        asset_rows = []
        picks = []
        for _ in range(min(assets, images)):
            source = image_rows[rng.randrange(len(image_rows))]
            kind = rng.choice(("video", "video", "video", "audio", "lipsync"))
            created = datetime.strptime(source[-1], "%Y-%m-%d %H:%M:%S.%f") + timedelta(minutes=rng.randint(1, 600))
            picks.append((created, source, kind))
        picks.sort(key=lambda pick: pick[0])  # ids grow with time, as when the engine writes them
        for n, (created, source, kind) in enumerate(picks):
            asset_id = asset0 + n
            prompt = {"video": "slow push-in, cinematic", "audio": "Welcome to the show, today we talk about light.",
                      "lipsync": ""}[kind]
            metadata = {"thumbnail": source[19] if kind != "audio" else None, "concept": source[10],
                        "settings": {"aspect_ratio": source[12]}, "width": 216, "height": 384}
            source_asset = asset0 + n - 1 if kind == "lipsync" and n else None
            extension = {"video": "mp4", "audio": "mp3", "lipsync": "mp4"}[kind]
            own_file = f"{source[8]}.asset-{asset_id}.{extension}"  # one row per (job, file), as the schema requires
            asset_rows.append((asset_id, user, kind, source[2], source[3], own_file, "", prompt,
                               "fal-ai/kling-video" if kind == "video" else "demo-" + kind, "demo",
                               json.dumps(metadata), 5.0, source[0] if kind == "video" else None, source_asset,
                               source[10], stamp(created)))
            documents.append(("asset", asset_id, asset_search_text(source[10], prompt, metadata)))
        cursor.executemany("INSERT INTO assets (id, user_id, kind, job_id, batch_id, local_path, url, prompt, model,"
                           " provider, metadata, duration, source_image_id, source_asset_id, concept, created_at)"
                           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", asset_rows)
        history_rows = []
        history0 = first("history")
        for n in range(history):
            concept = rng.choice(names)
            count = rng.randint(1, 4)
            group = prompts[concept][:count]
            moment = now - span + span * (n / max(1, history)) + timedelta(microseconds=rng.randrange(1, 999_999))
            history_rows.append((history0 + n, user, concept, json.dumps(group), count, "generated", "demo",
                                 stamp(moment)))
            documents.append(("history", history0 + n, " ".join(prompt_search_text(concept, p) for p in group)))
        cursor.executemany("INSERT INTO history (id, user_id, concept, prompts, prompt_count, source, model_used,"
                           " created_at) VALUES (?,?,?,?,?,?,?,?)", history_rows)
        favorite_rows = []
        favorite0 = first("favorites")
        for n in range(min(300, history)):
            concept = rng.choice(names)
            prompt = prompts[concept][rng.randrange(4)]
            name = f"{concept[:40]} #{n + 1}"
            favorite_rows.append((favorite0 + n, user, json.dumps(prompt), name, concept, stamp(now - span * rng.random())))
            documents.append(("favorite", favorite0 + n, f"{name} {prompt_search_text(concept, prompt)}"))
        cursor.executemany("INSERT INTO favorites (id, user_id, prompt, name, concept, created_at)"
                           " VALUES (?,?,?,?,?,?)", favorite_rows)
        sqlite.index_documents(db, documents)
        timings["rows"] = time.perf_counter() - started
        started = time.perf_counter()
    with db.atomic():  # the ratings went in as raw rows: count them as the rating writer would have
        taste_repo.rebuild(db)
    timings["taste counters"] = time.perf_counter() - started
    started = time.perf_counter()
    db.execute_sql("INSERT INTO search_index (search_index) VALUES ('optimize')")
    db.execute_sql("ANALYZE")
    timings["search index"] = time.perf_counter() - started
    store.close_thread_connection()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True, help="the Pixflow data folder to fill (PIXFLOW_HOME)")
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=10_000)
    parser.add_argument("--assets", type=int, default=2_000, help="videos, audio and lipsync made from images")
    parser.add_argument("--files", type=int, default=300, help="distinct real PNG files the image rows reuse")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    started = time.perf_counter()
    timings = seed(args.home.expanduser().absolute(), args.images, args.history, args.files, args.assets,
                   random.Random(args.seed))
    parts = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in timings.items())
    print(f"seeded {args.images:,} images, {args.history:,} history rows, {args.assets:,} assets into {args.home} "
          f"in {time.perf_counter() - started:.1f}s ({parts})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
