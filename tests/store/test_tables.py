"""A round trip through the repositories for every table of the database."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobKind, JobState
from pixflow_tui.store import ImageFilter, Store

from tests.db_helpers import is_postgres, sql

pytestmark = pytest.mark.both_backends

# The original app's seed, written out here so a wrong seed fails.
EXPECTED_PRODUCTS = [
    ("Clone AI", "clone-ai", "#7C3AED", "#A78BFA"),
    ("Fyro", "fyro", "#EA580C", "#FB923C"),
    ("Fling", "fling", "#DB2777", "#F472B6"),
    ("Zurna", "zurna", "#0891B2", "#22D3EE"),
    ("Impresso", "impresso", "#059669", "#34D399"),
]

# The original app's columns that must keep their names.
ORIGINAL_COLUMNS = {
    "users": {"id", "email", "password_hash", "name", "role", "created_at"},
    "products": {"id", "name", "slug", "color_primary", "color_accent", "prompt_schema", "is_active", "created_at"},
    "history": {"id", "user_id", "product_id", "concept", "prompts", "prompt_count", "source", "model_used",
                "variety_score", "quality_metrics", "created_at"},
    "favorites": {"id", "user_id", "product_id", "prompt", "name", "concept", "created_at"},
    "presets": {"id", "product_id", "user_id", "name", "description", "prompt", "is_builtin", "created_at"},
    "generated_images": {"id", "user_id", "job_id", "batch_index", "prompt_index", "variant_index", "url",
                         "local_path", "file_name", "concept", "prompt", "aspect_ratio", "resolution",
                         "output_format", "generated_at"},
    "image_ratings": {"id", "user_id", "image_id", "rating", "notes", "rated_at", "updated_at"},
}
ADDED_TABLES = {"batches", "batch_tags", "jobs", "assets", "pipeline_runs", "schema_migrations", "search_index"}

PROMPT = {"style": "editorial portrait", "pose": {"framing": "close-up"}, "lighting": {"setup": "soft window light"}}


def columns(store: Store, table: str) -> set[str]:
    return {column.name for column in store.db.get_columns(table)}


def claimable_ids(rows) -> list[int]:
    """Ids from claimable(): records or (id, status, batch_id) tuples."""
    return [row.id if hasattr(row, "id") else row[0] for row in rows]


def count(store: Store, text: str, params: tuple = ()) -> int:
    return sql(store.db, text, params).fetchone()[0]


def new_job(store: Store, batch_id: int | None = None, index: int = 0, **extra):
    return store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="fal-ai/nano-banana-pro",
                             request={"arguments": {"prompt": f"prompt {index}"}}, batch_id=batch_id,
                             job_index=index, **extra)


def new_image(store: Store, job_id: int, batch_id: int | None = None, index: int = 0, **extra):
    return store.images.add(job_id=job_id, batch_id=batch_id, batch_index=index, prompt_index=index,
                            local_path=f"/out/img-{index}.jpg", file_name=f"img-{index}.jpg",
                            concept="summer linen", prompt=PROMPT, **extra)


# ---------------------------------------------------------------------------------------------- schema


def test_every_table_exists_with_the_original_columns(store: Store) -> None:
    tables = set(store.db.get_tables())
    missing = (set(ORIGINAL_COLUMNS) | ADDED_TABLES) - tables
    assert not missing, f"tables missing: {missing}"
    for table, expected in ORIGINAL_COLUMNS.items():
        assert expected <= columns(store, table), f"{table} lacks {expected - columns(store, table)}"


def test_queries_of_the_screens_have_indexes(store: Store) -> None:
    indexed: dict[str, list[list[str]]] = {}
    for table in store.db.get_tables():
        for index in store.db.get_indexes(table):
            indexed.setdefault(table, []).append(list(index.columns))

    def leads_with(table: str, *cols: str) -> bool:
        return any(found[: len(cols)] == list(cols) for found in indexed.get(table, []))

    assert leads_with("generated_images", "user_id", "generated_at")  # library first page
    assert leads_with("generated_images", "job_id")
    assert leads_with("image_ratings", "user_id", "image_id")
    assert leads_with("image_ratings", "user_id", "rating")  # liked / disliked filter
    assert leads_with("history", "user_id", "created_at")
    assert leads_with("favorites", "user_id")
    assert leads_with("jobs", "status") or leads_with("jobs", "provider", "status")
    assert leads_with("jobs", "batch_id")


# ---------------------------------------------------------------------------------------------- users, products


def test_local_user_is_created_once_and_products_seeded_once(settings: Settings, store: Store) -> None:
    name, email, role = sql(store.db, 
        "SELECT name, email, role FROM users WHERE id = ?", (store.user_id,)
    ).fetchone()
    assert (name, email, role) == (settings.user, f"{settings.user}@local", "user")

    got = [(p.name, p.slug, p.color_primary, p.color_accent) for p in store.products()]
    assert got == EXPECTED_PRODUCTS

    store.close_thread_connection()
    again = Store.open(settings)
    try:
        assert again.user_id == store.user_id
        assert count(again, "SELECT COUNT(*) FROM users") == 1
        assert count(again, "SELECT COUNT(*) FROM products") == 5
    finally:
        again.close_thread_connection()


def test_a_missing_product_is_seeded_again_and_another_user_gets_own_row(settings: Settings, store: Store) -> None:
    sql(store.db, "DELETE FROM products WHERE slug = 'zurna'")
    store.close_thread_connection()
    other = Store.open(dataclasses.replace(settings, user="bob"))
    try:
        assert [p.slug for p in other.products()] == ["clone-ai", "fyro", "fling", "impresso", "zurna"]
        assert other.user_id != store.user_id
        assert count(other, "SELECT COUNT(*) FROM users") == 2
    finally:
        other.close_thread_connection()


# ---------------------------------------------------------------------------------------------- history


def test_history_round_trip(store: Store) -> None:
    product = store.products()[1]
    prompts = [PROMPT, {"style": "street snapshot"}]
    added = store.history.add(concept="summer linen", prompts=prompts, source="analyzed", model_used="gpt-4o",
                              variety_score={"score": 0.8}, quality_metrics={"specificity": 0.9},
                              product_id=product.id)
    got = store.history.get(added.id)
    assert got == added
    assert (got.concept, got.prompts, got.prompt_count, got.source) == ("summer linen", prompts, 2, "analyzed")
    assert (got.model_used, got.variety_score, got.quality_metrics) == ("gpt-4o", {"score": 0.8},
                                                                           {"specificity": 0.9})
    assert got.product_id == product.id
    assert isinstance(got.created_at, datetime)

    plain = store.history.add(concept="winter wool", prompts=[{"style": "studio"}])
    assert (plain.source, plain.model_used, plain.variety_score, plain.product_id) == ("generated", None, None, None)
    assert [h.id for h in store.history.list()] == [plain.id, added.id]  # newest first
    assert [h.id for h in store.history.list(limit=1, offset=1)] == [added.id]
    assert store.history.count() == 2

    assert store.history.delete(added.id) is True
    assert store.history.delete(added.id) is False
    assert store.history.get(added.id) is None
    assert store.history.clear() == 1
    assert store.history.list() == [] and store.history.count() == 0


# ---------------------------------------------------------------------------------------------- favorites


def test_favorites_round_trip(store: Store) -> None:
    named = store.favorites.add(prompt=PROMPT, name="  Hero shot ", concept="summer linen",
                                product_id=store.products()[0].id)
    assert store.favorites.get(named.id) == named
    assert (named.name, named.prompt, named.concept) == ("Hero shot", PROMPT, "summer linen")
    untitled = store.favorites.add(prompt={"style": "x"})
    assert untitled.name == "Untitled" and untitled.concept is None

    assert [f.id for f in store.favorites.list()] == [untitled.id, named.id]
    store.favorites.rename(named.id, "Cover")
    assert store.favorites.get(named.id).name == "Cover"
    with pytest.raises(ValueError):
        store.favorites.rename(named.id, "   ")
    assert store.favorites.delete(named.id) is True
    assert store.favorites.get(named.id) is None
    assert [f.id for f in store.favorites.list()] == [untitled.id]


# ---------------------------------------------------------------------------------------------- presets


def test_presets_round_trip_builtin_is_read_only(store: Store) -> None:
    own = store.presets.create(name="My batch", kind="batch", data={"count": 4, "aspect_ratio": "1:1"},
                               description="four squares")
    builtin = store.presets.create(name="Caption", kind="prompt", data=PROMPT, builtin=True)
    assert store.presets.get(own.id) == own
    assert (own.data, own.description, own.is_builtin, own.kind) == ({"count": 4, "aspect_ratio": "1:1"},
                                                                      "four squares", False, "batch")
    assert builtin.is_builtin is True

    assert [p.id for p in store.presets.list()] == [builtin.id, own.id]  # built-in first
    assert [p.id for p in store.presets.list(kind="batch")] == [own.id]

    with pytest.raises(PermissionError):
        store.presets.rename(builtin.id, "Mine now")
    with pytest.raises(PermissionError):
        store.presets.delete(builtin.id)
    assert store.presets.get(builtin.id).name == "Caption"

    store.presets.rename(own.id, "Squares")
    assert store.presets.get(own.id).name == "Squares"
    store.presets.delete(own.id)
    assert store.presets.get(own.id) is None
    with pytest.raises(LookupError):
        store.presets.delete(own.id)


def test_preset_limits(store: Store) -> None:
    with pytest.raises(ValueError):
        store.presets.create(name="x" * 201, kind="prompt", data={})
    with pytest.raises(ValueError):
        store.presets.create(name="   ", kind="prompt", data={})
    with pytest.raises(ValueError):
        store.presets.create(name="ok", kind="sound", data={})
    with pytest.raises(ValueError):
        store.presets.create(name="big", kind="prompt", data={"text": "x" * 50_000})
    assert store.presets.create(name="x" * 200, kind="video", data={"text": "x" * 49_000}).name == "x" * 200


def test_another_users_presets_are_neither_listed_nor_editable(settings: Settings, store: Store) -> None:
    mine = store.presets.create(name="Mine", kind="prompt", data={})
    other = Store.open(dataclasses.replace(settings, user="bob"))
    try:
        assert [p.name for p in other.presets.list()] == []
        with pytest.raises(PermissionError):
            other.presets.rename(mine.id, "stolen")
        with pytest.raises(PermissionError):
            other.presets.delete(mine.id)
        assert other.presets.get(mine.id).name == "Mine"
    finally:
        other.close_thread_connection()


# ---------------------------------------------------------------------------------------------- batches + tags


def test_batches_and_tags_round_trip(store: Store) -> None:
    first = store.batches.create(module="asset_monster", name="Linen", concept="summer linen",
                                 settings={"aspect_ratio": "9:16", "count": 2}, cost_estimate=0.3)
    assert store.batches.get(first.id) == first
    assert (first.module, first.settings, first.status, first.cost_estimate, first.cost_actual, first.tags) == (
        "asset_monster", {"aspect_ratio": "9:16", "count": 2}, "pending", 0.3, 0.0, ())
    second = store.batches.create(module="img2video")

    store.batches.update(first.id, status="running", settings={"count": 3})
    store.batches.add_cost(first.id, 0.15)
    store.batches.add_cost(first.id, 0.15)
    store.batches.add_tag(first.id, " hero ")
    store.batches.add_tag(first.id, "hero")  # a second time is ignored
    store.batches.add_tag(first.id, "approved")
    store.batches.add_tag(second.id, "draft")
    with pytest.raises(ValueError):
        store.batches.add_tag(first.id, "  ")

    got = store.batches.get(first.id)
    assert (got.status, got.settings, got.tags) == ("running", {"count": 3}, ("approved", "hero"))
    assert got.cost_actual == pytest.approx(0.30)
    assert got.updated_at >= first.updated_at

    assert [b.id for b in store.batches.list()] == [second.id, first.id]
    assert [b.id for b in store.batches.list(module="asset_monster")] == [first.id]
    assert [b.id for b in store.batches.list(tag="hero")] == [first.id]
    assert store.batches.list(tag="hero")[0].tags == ("approved", "hero")
    assert store.batches.latest("img2video").id == second.id
    assert store.batches.latest("machine") is None
    assert store.batches.all_tags() == ["approved", "draft", "hero"]

    store.batches.remove_tag(first.id, "hero")
    assert store.batches.tags(first.id) == ["approved"]


def test_deleting_a_batch_deletes_its_tags_jobs_and_images(store: Store) -> None:
    batch = store.batches.create(module="asset_monster")
    store.batches.add_tag(batch.id, "gone")
    job = new_job(store, batch.id)
    image = new_image(store, job.id, batch.id)
    store.ratings.rate(image.id, 1)
    sql(store.db, "DELETE FROM batches WHERE id = ?", (batch.id,))
    assert store.jobs.get(job.id) is None
    assert store.images.get(image.id) is None
    assert count(store, "SELECT COUNT(*) FROM batch_tags") == 0
    assert count(store, "SELECT COUNT(*) FROM image_ratings") == 0


# ---------------------------------------------------------------------------------------------- jobs


def test_job_round_trip_and_update(store: Store) -> None:
    batch = store.batches.create(module="asset_monster")
    job = new_job(store, batch.id, index=3, prompt_index=1, variant_index=2, cost_estimate=0.15)
    assert store.jobs.get(job.id) == job
    assert (job.kind, job.status, job.batch_id, job.job_index, job.prompt_index, job.variant_index) == (
        JobKind.IMAGE, JobState.PENDING, batch.id, 3, 1, 2)
    assert job.request == {"arguments": {"prompt": "prompt 3"}}
    assert (job.request_id, job.handle, job.result, job.attempts, job.lease_owner) == (None, None, None, 0, None)

    handle = {"status_url": "http://q/status", "response_url": "http://q/resp", "cancel_url": "http://q/cancel"}
    store.jobs.update(job.id, status=JobState.QUEUED, request_id="req-1", handle=handle, queue_position=4,
                      attempts=1)
    got = store.jobs.get(job.id)
    assert (got.status, got.request_id, got.handle, got.queue_position, got.attempts) == (
        JobState.QUEUED, "req-1", handle, 4, 1)
    assert got.updated_at >= job.updated_at

    child = new_job(store, batch.id, index=4, parent_job_id=job.id)
    assert store.jobs.get(child.id).parent_job_id == job.id
    assert store.jobs.get(999_999) is None


def test_job_transition_only_from_the_expected_states(store: Store) -> None:
    job = new_job(store)
    assert store.jobs.transition(job.id, [JobState.PENDING], status=JobState.SUBMITTING) is True
    # a second process that still thinks the job is pending must not submit it again
    assert store.jobs.transition(job.id, [JobState.PENDING], status=JobState.SUBMITTING) is False
    assert store.jobs.transition(job.id, [JobState.SUBMITTING], status=JobState.QUEUED, request_id="r1") is True
    assert store.jobs.transition(job.id, [JobState.QUEUED, JobState.RUNNING], status=JobState.DONE,
                                 result={"images": [{"url": "http://x/1.png"}]}, cost=0.15) is True
    got = store.jobs.get(job.id)
    assert (got.status, got.request_id, got.result, got.cost) == (
        JobState.DONE, "r1", {"images": [{"url": "http://x/1.png"}]}, 0.15)
    assert store.jobs.transition(job.id, [JobState.QUEUED], status=JobState.CANCELLED) is False
    assert store.jobs.get(job.id).status == JobState.DONE


def test_job_leases_claim_claimable_release(store: Store) -> None:
    a = new_job(store, index=0)
    b = new_job(store, index=1)
    done = new_job(store, index=2)
    unknown = new_job(store, index=3)
    store.jobs.update(done.id, status=JobState.DONE)
    store.jobs.update(unknown.id, status=JobState.UNKNOWN)
    now = 1_000.0

    assert claimable_ids(store.jobs.claimable("p1", now)) == [a.id, b.id]  # not done, not unknown
    assert store.jobs.claim(a.id, "p1", now, lease_seconds=30) is True
    claimed = store.jobs.get(a.id)
    assert (claimed.lease_owner, claimed.lease_expires) == ("p1", 1_030.0)
    assert store.jobs.claim(a.id, "p1", now + 1, lease_seconds=30) is True  # renewing our own
    assert store.jobs.claim(a.id, "p2", now + 10, lease_seconds=30) is False  # live lease of p1
    assert claimable_ids(store.jobs.claimable("p2", now + 10)) == [b.id]
    assert claimable_ids(store.jobs.claimable("p1", now + 10)) == [a.id, b.id]

    store.jobs.renew_leases("p1", [a.id], expires=2_000.0)
    assert store.jobs.get(a.id).lease_expires == 2_000.0
    store.jobs.renew_leases("p2", [a.id], expires=5_000.0)  # not p2's lease
    assert store.jobs.get(a.id).lease_expires == 2_000.0
    assert store.jobs.claim(a.id, "p2", 1_999.0, lease_seconds=30) is False
    assert store.jobs.claim(a.id, "p2", 2_001.0, lease_seconds=30) is True  # expired: taken over
    assert store.jobs.get(a.id).lease_owner == "p2"

    store.jobs.release(a.id, "p1")  # not p1's any more: no effect
    assert store.jobs.get(a.id).lease_owner == "p2"
    store.jobs.release(a.id, "p2")
    released = store.jobs.get(a.id)
    assert (released.lease_owner, released.lease_expires) == (None, None)
    assert store.jobs.claim(a.id, "p3", 0.0, lease_seconds=1) is True

    assert claimable_ids(store.jobs.claimable("p1", now, states=[JobState.UNKNOWN])) == [unknown.id]


def test_job_listing_counts_and_spend(store: Store) -> None:
    batch = store.batches.create(module="asset_monster")
    jobs = [new_job(store, batch.id, index=i) for i in range(3)]
    loose = store.jobs.create(kind=JobKind.VIDEO, provider="fal", model="kling", request={})
    store.jobs.update(jobs[0].id, status=JobState.DONE, cost=0.15, finished_at=datetime(2030, 1, 2))
    store.jobs.update(jobs[1].id, status=JobState.FAILED, error="content policy", finished_at=datetime(2030, 1, 2))
    store.jobs.update(loose.id, status=JobState.DONE, cost=0.35, finished_at=datetime(2029, 12, 31))

    assert [j.id for j in store.jobs.list(batch_id=batch.id)] == [j.id for j in jobs]
    assert [j.id for j in store.jobs.list(statuses=[JobState.DONE])] == [jobs[0].id, loose.id]
    assert [j.id for j in store.jobs.list(provider="fal")] == [loose.id]
    assert [j.id for j in store.jobs.list(newest_first=True, limit=2)] == [loose.id, jobs[2].id]
    assert store.jobs.get(jobs[1].id).error == "content policy"
    assert store.jobs.count_by_status(batch.id) == {JobState.DONE: 1, JobState.FAILED: 1, JobState.PENDING: 1}
    assert store.jobs.active_count() == 1
    assert store.jobs.spend_since(datetime(2030, 1, 1)) == pytest.approx(0.15)
    assert store.jobs.spend_since(datetime(2029, 1, 1)) == pytest.approx(0.50)


# ---------------------------------------------------------------------------------------------- images, ratings


def test_generated_images_round_trip(store: Store) -> None:
    batch = store.batches.create(module="asset_monster")
    job = new_job(store, batch.id)
    image = new_image(store, job.id, batch.id, index=2, url="http://cdn/x.jpg", aspect_ratio="9:16",
                      resolution="2K", output_format="jpeg", model="fal-ai/nano-banana-pro", provider="demo",
                      width=1536, height=2752)
    got = store.images.get(image.id)
    assert got == image
    assert (got.job_id, got.batch_id, got.batch_index, got.prompt_index, got.variant_index) == (
        job.id, batch.id, 2, 2, 0)
    assert (got.url, got.local_path, got.file_name, got.concept, got.prompt) == (
        "http://cdn/x.jpg", "/out/img-2.jpg", "img-2.jpg", "summer linen", PROMPT)
    assert (got.aspect_ratio, got.resolution, got.output_format, got.width, got.height, got.rating) == (
        "9:16", "2K", "jpeg", 1536, 2752, None)

    store.images.update(image.id, thumbnail_path="/thumbs/x.png")
    assert store.images.get(image.id).thumbnail_path == "/thumbs/x.png"

    other = new_image(store, job.id, batch.id, index=3)
    assert [i.id for i in store.images.for_job(job.id)] == [other.id, image.id]
    assert store.images.count() == 2
    assert [i.id for i in store.images.list(ImageFilter(batch_id=batch.id), limit=1)] == [other.id]
    store.images.delete(other.id)
    assert store.images.get(other.id) is None and store.images.count() == 1


def test_image_ratings_round_trip(store: Store) -> None:
    job = new_job(store)
    liked, disliked, plain = (new_image(store, job.id, index=i) for i in range(3))
    rating = store.ratings.rate(liked.id, 1, notes="great light")
    assert (rating.image_id, rating.rating, rating.notes) == (liked.id, 1, "great light")
    assert store.ratings.get(liked.id) == rating
    store.ratings.rate(disliked.id, -1)

    assert store.images.get(liked.id).rating == 1
    assert store.images.get(disliked.id).rating == -1
    assert store.images.get(plain.id).rating is None
    assert store.ratings.for_images([liked.id, disliked.id, plain.id]) == {liked.id: 1, disliked.id: -1}
    assert [i.id for i in store.images.list(ImageFilter(rating="like"))] == [liked.id]
    assert [i.id for i in store.images.list(ImageFilter(rating="dislike"))] == [disliked.id]
    assert [i.id for i in store.images.list(ImageFilter(rating="none"))] == [plain.id]

    store.ratings.set(liked.id, None)
    assert store.ratings.get(liked.id) is None
    assert store.images.get(liked.id).rating is None


# ---------------------------------------------------------------------------------------------- assets


def test_assets_round_trip_with_lineage(store: Store) -> None:
    batch = store.batches.create(module="img2video")
    image_job = new_job(store)
    image = new_image(store, image_job.id)
    video_job = store.jobs.create(kind=JobKind.VIDEO, provider="demo", model="kling", request={}, batch_id=batch.id)
    video = store.assets.add(kind="video", local_path="/out/v.mp4", url="http://cdn/v.mp4", prompt="slow push in",
                             model="kling", provider="demo", metadata={"camera": "push_in"}, duration=5.0,
                             job_id=video_job.id, batch_id=batch.id, source_image_id=image.id)
    assert store.assets.get(video.id) == video
    assert (video.kind, video.job_id, video.batch_id, video.source_image_id, video.source_asset_id) == (
        "video", video_job.id, batch.id, image.id, None)
    assert (video.metadata, video.duration, video.prompt, video.url) == (
        {"camera": "push_in"}, 5.0, "slow push in", "http://cdn/v.mp4")

    audio = store.assets.add(kind="audio", local_path="/out/a.mp3", prompt="Hi there", duration=3.2)
    lipsync = store.assets.add(kind="lipsync", local_path="/out/l.mp4", source_asset_id=audio.id,
                               source_image_id=image.id)
    assert store.assets.get(lipsync.id).source_asset_id == audio.id
    assert audio.metadata == {} and audio.job_id is None

    assert [a.id for a in store.assets.list()] == [lipsync.id, audio.id, video.id]
    assert [a.id for a in store.assets.list(kind="video")] == [video.id]
    assert [a.id for a in store.assets.list(batch_id=batch.id)] == [video.id]
    assert [a.id for a in store.assets.list(job_id=video_job.id)] == [video.id]
    assert [a.id for a in store.assets.list(source_image_id=image.id)] == [lipsync.id, video.id]

    # an output outlives what it was made from; the link is cleared, not left dangling
    store.images.delete(image.id)
    assert store.assets.get(video.id).source_image_id is None
    sql(store.db, "DELETE FROM assets WHERE id = ?", (audio.id,))
    assert store.assets.get(lipsync.id).source_asset_id is None


# ---------------------------------------------------------------------------------------------- pipeline runs


def test_pipeline_runs_round_trip(store: Store) -> None:
    run = store.pipeline_runs.create(concept="summer linen", settings={"images": 4, "voice": "Rachel"})
    assert store.pipeline_runs.get(run.id) == run
    assert (run.concept, run.settings, run.step, run.status, run.failed_step, run.artefacts, run.error) == (
        "summer linen", {"images": 4, "voice": "Rachel"}, "idle", "pending", None, {}, None)

    store.pipeline_runs.update(run.id, step="images", status="failed", failed_step="images",
                               artefacts={"prompts": [1, 2]}, error="provider down")
    got = store.pipeline_runs.get(run.id)
    assert (got.step, got.status, got.failed_step, got.artefacts, got.error) == (
        "images", "failed", "images", {"prompts": [1, 2]}, "provider down")
    assert got.updated_at >= run.updated_at

    later = store.pipeline_runs.create(concept="winter", settings={})
    assert [r.id for r in store.pipeline_runs.list()] == [later.id, run.id]
    assert [r.id for r in store.pipeline_runs.list(limit=1)] == [later.id]
    assert store.pipeline_runs.get(later.id + 100) is None


def test_timestamps_are_naive_utc(store: Store) -> None:
    batch = store.batches.create(module="machine")
    assert batch.created_at.tzinfo is None
    assert abs(batch.created_at - datetime.now(timezone.utc).replace(tzinfo=None)) < timedelta(minutes=1)
