"""People sharing one library: each is a row of `users`; ratings, favourites and history are per person."""
from __future__ import annotations

import dataclasses

import pytest

from pixflow_tui.config import Settings, SettingsError, with_user
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.store import Store
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.people import current_user, people

pytestmark = pytest.mark.both_backends


def test_each_person_has_a_row_and_their_own_ratings_and_history(settings: Settings, store: Store) -> None:
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={})
    image = store.images.add(job_id=job.id, local_path="/o/1.png", file_name="1.png", concept="c", prompt={})
    store.ratings.rate(image.id, 1)
    store.history.add(concept="mine", prompts=[{"style": "x"}])
    bob = Store.open(with_user(settings, "bob"))
    try:
        assert bob.current_user().name == "bob" and bob.current_user().email == "bob@local"
        assert bob.user_id != store.user_id
        assert bob.ratings.get(image.id) is None
        assert store.ratings.get(image.id).rating == 1
        assert bob.history.list() == [] and [h.concept for h in store.history.list()] == ["mine"]
        assert [u.name for u in bob.users.list()] == sorted([settings.user, "bob"])
    finally:
        bob.close_thread_connection()


def test_the_current_user_is_one_function(settings: Settings) -> None:
    ctx = AppContext(dataclasses.replace(settings, user="carol"))
    try:
        assert current_user(ctx).name == "carol"
        assert "carol" in [p.name for p in people(ctx)]
    finally:
        ctx.close()


def test_user_override_needs_a_name(settings: Settings) -> None:
    with pytest.raises(SettingsError, match="--user"):
        with_user(settings, "  ")


def test_the_cli_acts_for_the_person_named_by_user(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli_helpers import run

    code, _, err = run(capsys, "--user", "dana", "library", "images", "--json")
    assert code == 0, err
    store = Store.open(settings)
    try:
        assert store.users.by_name("dana") is not None and store.current_user().name == settings.user
    finally:
        store.close_thread_connection()
    code, _, err = run(capsys, "--user", " ", "library", "images")
    assert code == 3 and "--user needs a name" in err
