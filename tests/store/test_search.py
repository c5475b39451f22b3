"""Full-text search (FTS5, porter stemming) over image prompts and concepts, history and favourites."""
from __future__ import annotations

import pytest

from pixflow_tui.core.jobs import JobKind
from pixflow_tui.store import ImageFilter, Store
from pixflow_tui.store.sqlite import document_ids, fts_query

from tests.db_helpers import is_postgres, sql

pytestmark = pytest.mark.both_backends

ODD_INPUT = ['"', "'", "-", "--", "*", "**", "NEAR(", "NEAR(cat dog", "cat NEAR/2 dog", "(", ")", "()", "^", "^cat",
             'cat"', '"cat', "'cat'", "cat -dog", "-cat", "cat*", "*cat", "col:cat", "body:cat", "kind:image", "AND",
             "OR", "NOT", "cat AND", "OR dog", "NOT cat", "cat + dog", "{", "}", "[x]", "%", "_", "\\", ":", ";",
             "\x00", "''''", "日本語", "café", "   ", "", "cat OR", "a" * 500]


def image(store: Store, concept: str, prompt: dict, **kw):
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={})
    return store.images.add(job_id=job.id, local_path=f"/o/{job.id}.png", file_name=f"{job.id}.png",
                            concept=concept, prompt=prompt, **kw)


def ids(records) -> set[int]:
    return {r.id for r in records}


def search_images(store: Store, text: str, **kw) -> set[int]:
    return ids(store.images.list(ImageFilter(query=text, **kw)))


def index_rows(store: Store, kind: str) -> list[int]:
    return document_ids(store.db, kind)


@pytest.fixture
def library(store: Store) -> dict[str, int]:
    cat = image(store, "A cat on a sofa", {"style": "cozy interior", "lighting": {"setup": "golden hour"}})
    dogs = image(store, "Dogs in the park", {"style": "street photography", "outfit": {"top": "neon jacket"}})
    both = image(store, "Cat and dog friends", {"style": "cyberpunk alley", "effects": ["rain", "neon glow"]})
    return {"cat": cat.id, "dogs": dogs.id, "both": both.id}


# ---------------------------------------------------------------------------------------------- images


def test_concept_and_nested_prompt_values_are_searchable(store: Store, library: dict[str, int]) -> None:
    assert search_images(store, "sofa") == {library["cat"]}
    assert search_images(store, "golden") == {library["cat"]}  # prompt.lighting.setup
    assert search_images(store, "jacket") == {library["dogs"]}  # prompt.outfit.top
    assert search_images(store, "rain") == {library["both"]}  # a list inside the prompt
    assert search_images(store, "neon") == {library["dogs"], library["both"]}
    assert search_images(store, "giraffe") == set()


def test_porter_stemming(store: Store, library: dict[str, int]) -> None:
    assert search_images(store, "cats") == {library["cat"], library["both"]}
    assert search_images(store, "dog") == {library["dogs"], library["both"]}
    assert search_images(store, "friend") == {library["both"]}
    assert search_images(store, "photographs") == {library["dogs"]}


def test_case_insensitive_and_all_words_must_match(store: Store, library: dict[str, int]) -> None:
    assert search_images(store, "NEON Cat") == {library["both"]}
    assert search_images(store, "neon, sofa") == set()


def test_prefix_as_you_type(store: Store, library: dict[str, int]) -> None:
    typed = "cyberpunk"
    for length in range(3, len(typed) + 1):
        assert search_images(store, typed[:length]) == {library["both"]}, typed[:length]
    assert search_images(store, "street ph") == {library["dogs"]}
    assert search_images(store, "so") == {library["cat"]}
    # only the last word is a prefix; earlier words are whole words
    assert search_images(store, "cyb alley") == set()


def test_search_combines_with_rating_and_batch(store: Store, library: dict[str, int]) -> None:
    store.ratings.rate(library["cat"], 1)
    store.ratings.rate(library["both"], -1)
    assert search_images(store, "cat", rating="like") == {library["cat"]}
    assert search_images(store, "cat", rating="dislike") == {library["both"]}
    assert search_images(store, "cat", rating="none") == set()
    assert search_images(store, "neon", rating="none") == {library["dogs"]}

    batch = store.batches.create(module="asset_monster")
    in_batch = image(store, "Cat in a box", {"style": "neon"}, batch_id=batch.id)
    assert search_images(store, "cat", batch_id=batch.id) == {in_batch.id}
    assert search_images(store, "neon", batch_id=batch.id) == {in_batch.id}
    assert store.images.count(ImageFilter(query="cat", batch_id=batch.id)) == 1
    assert store.images.count(ImageFilter(query="cat")) == 3


def test_image_index_kept_in_step(store: Store, library: dict[str, int]) -> None:
    assert index_rows(store, "image") == sorted(library.values())
    store.images.delete(library["cat"])
    assert search_images(store, "sofa") == set()
    assert index_rows(store, "image") == sorted([library["dogs"], library["both"]])

    store.images.update(library["dogs"], concept="Horses on a beach")
    assert search_images(store, "horse") == {library["dogs"]}
    assert search_images(store, "park") == set()
    assert search_images(store, "jacket") == {library["dogs"]}  # the prompt still counts

    store.images.update(library["dogs"], prompt={"style": "watercolour"})
    assert search_images(store, "watercolour") == {library["dogs"]}
    assert search_images(store, "jacket") == set()
    assert store.images.get(library["dogs"]).prompt == {"style": "watercolour"}


# ---------------------------------------------------------------------------------------------- history


def test_history_search_and_index_in_step(store: Store) -> None:
    linen = store.history.add(concept="Summer linen", prompts=[{"style": "beach walk"}, {"style": "sailing boats"}])
    wool = store.history.add(concept="Winter wool", prompts=[{"style": "snowy cabin"}])
    assert ids(store.history.list(query="boat")) == {linen.id}
    assert ids(store.history.list(query="linen")) == {linen.id}
    assert ids(store.history.list(query="sno")) == {wool.id}
    assert ids(store.history.list(query="")) == {linen.id, wool.id}

    store.history.delete(linen.id)
    assert store.history.list(query="boat") == []
    assert index_rows(store, "history") == [wool.id]
    store.history.clear()
    assert store.history.list(query="wool") == []
    assert index_rows(store, "history") == []


def test_deleting_someone_elses_history_keeps_its_index(store: Store) -> None:
    mine = store.history.add(concept="Mine", prompts=[{"style": "x"}])
    sql(store.db, "INSERT INTO users (email, password_hash, name, role, created_at) "
                         "VALUES ('bob@local', '', 'bob', 'user', datetime('now'))")
    bob_id = sql(store.db, "SELECT id FROM users WHERE email = 'bob@local'").fetchone()[0]
    bob_history = type(store.history)(store.db, bob_id)
    assert bob_history.delete(mine.id) is False
    assert index_rows(store, "history") == [mine.id]
    assert ids(store.history.list(query="mine")) == {mine.id}


# ---------------------------------------------------------------------------------------------- favourites


def test_favorite_search_rename_and_delete(store: Store) -> None:
    hero = store.favorites.add(prompt={"style": "dramatic backlight"}, name="Hero shot", concept="Leather jackets")
    other = store.favorites.add(prompt={"style": "flat lay"}, name="Catalogue")
    assert ids(store.favorites.list(query="backlit")) == set()
    assert ids(store.favorites.list(query="backlight")) == {hero.id}
    assert ids(store.favorites.list(query="jacket")) == {hero.id}  # concept, stemmed
    assert ids(store.favorites.list(query="hero")) == {hero.id}  # the name

    store.favorites.rename(hero.id, "Cover candidate")
    assert ids(store.favorites.list(query="cover")) == {hero.id}
    assert store.favorites.list(query="hero") == []
    assert ids(store.favorites.list(query="backlight")) == {hero.id}
    assert index_rows(store, "favorite") == [hero.id, other.id]

    store.favorites.delete(hero.id)
    assert store.favorites.list(query="cover") == []
    assert index_rows(store, "favorite") == [other.id]


def test_kinds_do_not_leak_into_each_other(store: Store) -> None:
    store.favorites.add(prompt={"style": "zeppelin"})
    store.history.add(concept="aardvark", prompts=[{"style": "x"}])
    assert search_images(store, "zeppelin") == set()
    assert store.history.list(query="zeppelin") == []
    assert store.favorites.list(query="aardvark") == []


# ---------------------------------------------------------------------------------------------- odd input


def test_odd_input_never_raises(store: Store, library: dict[str, int]) -> None:
    store.history.add(concept="cat and dog", prompts=[{"style": "neon"}])
    store.favorites.add(prompt={"style": "cat"}, name="cat")
    failures = {}
    for text in ODD_INPUT:
        try:
            assert search_images(store, text) <= set(library.values())
            store.images.count(ImageFilter(query=text))
            store.history.list(query=text)
            store.favorites.list(query=text)
        except Exception as exc:  # collect them all, so one run names every input that breaks
            failures[text] = repr(exc)
    assert failures == {}


def test_punctuation_around_a_word_still_finds_it(store: Store, library: dict[str, int]) -> None:
    for text in ['cat"', '"cat', "'cat'", "cat*", "^cat", "(cat)", "-cat", "cat:", "+cat", "cat."]:
        assert search_images(store, text) == {library["cat"], library["both"]}, text


@pytest.mark.parametrize("operator", ["AND", "OR", "NOT", "NEAR"])
def test_fts_operators_are_taken_as_plain_words(store: Store, operator: str) -> None:
    plain = image(store, "plain", {"style": "x"})
    worded = image(store, f"{operator.lower()} cat", {"style": "x"})
    assert search_images(store, f"cat {operator}") == {worded.id}
    assert search_images(store, f"{operator} cat") == {worded.id}
    assert plain.id not in search_images(store, operator)


def test_input_without_words_does_not_filter(store: Store, library: dict[str, int]) -> None:
    for text in ("-", "*", '"', "(", "   "):
        assert search_images(store, text) == set(library.values())


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('cat "dog') == '"cat" AND "dog"*'
    assert fts_query("NEAR(") == '"NEAR"*'
    assert fts_query("-*") == ""


def test_unicode_words(store: Store) -> None:
    cafe = image(store, "Café terrace", {"style": "Ölgemälde"})
    assert search_images(store, "café") == {cafe.id}
    assert search_images(store, "ölgem") == {cafe.id}
