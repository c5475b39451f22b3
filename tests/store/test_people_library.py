"""A team sharing one library: everyone sees every image and asset; ratings (and their taste counts) are each
person's; the Library filters by who made or who rated an output."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from pixflow_tui.config import Settings, with_user
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.store import LibraryFilter, Store

pytestmark = pytest.mark.both_backends


def make_image(store: Store, concept: str) -> int:
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={})
    return store.images.add(job_id=job.id, local_path=f"/o/{job.id}.png", file_name=f"{job.id}.png",
                            concept=concept, prompt={"style": "neon " + concept}).id


def keys(store: Store, flt: LibraryFilter = LibraryFilter()) -> list[str]:
    return [row.key for row in store.library.outputs(flt, limit=50).rows]


@pytest.fixture
def bob(settings: Settings, store: Store) -> Iterator[Store]:
    other = Store.open(with_user(settings, "bob"))
    yield other
    other.close_thread_connection()


def test_b_sees_a_s_images_rates_one_and_a_keeps_their_ratings(settings: Settings, store: Store,
                                                                 bob: Store) -> None:
    alice = settings.user
    first, second = make_image(store, "cat"), make_image(store, "dog")
    store.ratings.rate(first, 1)
    video = store.assets.add(kind="video", local_path="/o/v.mp4", concept="cat")
    bobs = make_image(bob, "bird")

    everything = [f"image:{bobs}", f"image:{second}", f"image:{first}", f"asset:{video.id}"]
    assert sorted(keys(bob)) == sorted(everything) and sorted(keys(store)) == sorted(everything)
    assert bob.images.get(first) is not None and bob.assets.get(video.id) is not None

    assert bob.ratings.set(second, -1)  # Bob rates Alice's image
    assert bob.ratings.get(second).rating == -1 and bob.ratings.get(first) is None
    assert store.ratings.get(first).rating == 1 and store.ratings.get(second) is None  # Alice's ratings unchanged
    assert {r.id: r.rating for r in store.library.outputs(limit=50).rows if r.kind == "image"}[second] is None
    assert {r.id: r.rating for r in bob.library.outputs(limit=50).rows if r.kind == "image"}[second] == -1

    assert keys(store, LibraryFilter(rated_by="bob")) == [f"image:{second}"]
    assert keys(bob, LibraryFilter(rated_by=alice)) == [f"image:{first}"]
    assert sorted(keys(bob, LibraryFilter(made_by=alice))) == sorted([f"image:{second}", f"image:{first}",
                                                                      f"asset:{video.id}"])
    assert keys(store, LibraryFilter(made_by="bob")) == [f"image:{bobs}"]
    assert keys(store, LibraryFilter(made_by="nobody")) == []
    assert store.library.count_outputs(LibraryFilter(made_by=alice, kinds=("image",))) == 2
    # the rating filter is the viewer's own: Bob's dislike, not Alice's like
    assert keys(bob, LibraryFilter(rating="dislike")) == [f"image:{second}"]
    # assets too: Bob's rating of Alice's video is his alone
    assert bob.ratings.set_asset(video.id, 1)
    assert store.library.output(f"asset:{video.id}").rating is None
    assert bob.library.output(f"asset:{video.id}").rating == 1
    assert sorted(keys(store, LibraryFilter(rated_by="bob"))) == sorted([f"image:{second}", f"asset:{video.id}"])
    assert keys(bob, LibraryFilter(rating="like")) == [f"asset:{video.id}"]
    # a search narrows them too
    assert keys(bob, LibraryFilter(query="neon", rated_by="bob")) == [f"image:{second}"]


def test_taste_counts_are_the_raters(settings: Settings, store: Store, bob: Store) -> None:
    image = make_image(store, "cat")
    bob.ratings.set(image, 1)
    assert bob.taste.stored() and not store.taste.stored()
    bob.images.delete(image)  # the shared image goes: the counts of every rating of it go too
    assert not any(liked or disliked for liked, disliked in bob.taste.stored().values())
