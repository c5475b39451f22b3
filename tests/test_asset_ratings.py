"""Every output can be rated: `rate_output` routes an "asset:" key to the one writer, and the Library's pages
show and filter by it (images are unchanged)."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.workflows import library_queries as lq
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError


@pytest.fixture
def ctx(settings: Settings) -> Iterator[AppContext]:
    context = AppContext(dataclasses.replace(settings, provider_mode="demo", demo_latency=0.0))
    yield context
    context.close()


def test_rate_output_with_an_asset_key(ctx: AppContext) -> None:
    store = ctx.store
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={})
    image = store.images.add(job_id=job.id, local_path="/o/1.png", file_name="1.png", concept="c", prompt={})
    video = store.assets.add(kind="video", local_path="/o/1.mp4", source_image=image.id)
    audio = store.assets.add(kind="audio", local_path="/o/1.mp3")
    key = f"asset:{video.id}"

    assert lq.rate_output(ctx, key, "like") == 1
    assert store.library.output(key).rating == 1
    assert lq.rate_output_now(ctx, f"asset:{audio.id}", "dislike") is True
    assert lq.rate_output(ctx, f"image:{image.id}", "like") == 1
    assert store.ratings.get(image.id).rating == 1

    def keys(rating: str, **kw: object) -> list[str]:
        return [r.key for r in lq.outputs_page(ctx, lq.LibraryFilter(rating=rating, **kw)).rows]

    assert keys("like") == [key, f"image:{image.id}"]
    assert keys("dislike") == [f"asset:{audio.id}"]
    assert keys("none") == []
    assert keys("like", kinds=("video",)) == [key]
    assert lq.count_outputs(ctx, lq.LibraryFilter(rating="like")) == 2
    assert [r.key for r in lq.liked_page(ctx).rows] == [key, f"image:{image.id}"]

    assert lq.rate_output(ctx, key, "clear") is None
    assert store.library.output(key).rating is None
    assert keys("none") == [key]
    assert [r.key for r in lq.liked_page(ctx).rows] == [f"image:{image.id}"]

    with pytest.raises(InputError, match="no asset"):
        lq.rate_output(ctx, f"asset:{audio.id + 100}", "like")
    with pytest.raises(InputError, match="no asset"):
        lq.rate_output_now(ctx, f"asset:{audio.id + 100}", "like")
    with pytest.raises(InputError):
        lq.rate_output(ctx, "batch:1", "like")
