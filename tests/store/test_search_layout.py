"""The SQLite search index's layout (contentless, prefix indexes of 2 and 3 letters), how a longer last word is
looked up, and the migration that moves an existing index to this layout."""
from __future__ import annotations

import sqlite3

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.store import ImageFilter, Store
from pixflow_tui.store import sqlite as store_sqlite
from pixflow_tui.store.migrations import m0009_search_contentless


def image(store: Store, concept: str, prompt: dict) -> int:
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={})
    return store.images.add(job_id=job.id, local_path=f"/o/{job.id}.png", file_name=f"{job.id}.png",
                            concept=concept, prompt=prompt).id


def found(store: Store, text: str) -> set[int]:
    return {r.id for r in store.images.list(ImageFilter(query=text))}


def test_the_index_keeps_no_copy_of_the_text(store: Store) -> None:
    image(store, "lighthouse keeper", {"style": "foggy atmosphere"})
    tables = {r[0] for r in store.db.execute_sql("SELECT name FROM sqlite_master WHERE name LIKE 'search_index%'")}
    assert "search_index_content" not in tables
    assert store.db.execute_sql("SELECT body FROM search_index").fetchone() == (None,)


def test_a_long_last_word_finds_what_a_prefix_query_finds(store: Store) -> None:
    foggy = image(store, "lighthouse keeper", {"style": "foggy atmosphere, atmospheric haze"})
    portrait = image(store, "portrait of a beekeeper", {"style": "portraiture, studio"})
    light = image(store, "lightning storm", {"style": "lightweight gear"})
    for typed, expected in [("atmosphere", {foggy}), ("atmospher", {foggy}), ("atmos", {foggy}),
                            ("portrai", {portrait}), ("portraits", {portrait}), ("portraiture", {portrait}),
                            ("light", {foggy, light}), ("lighth", {foggy}), ("lightn", {light}),
                            ("beekeepers", {portrait}), ("keeper", {foggy}), ("zebras", set()), ("qqqq", set())]:
        assert found(store, typed) == expected, typed
        # the same as FTS5's own prefix query (what the expansion replaces)
        base = store_sqlite.KIND_CODES["image"] << 40
        native = {r[0] - base for r in store.db.execute_sql(
            "SELECT rowid FROM search_index WHERE search_index MATCH ?", (f'"{typed}"*',)).fetchall()}
        assert native == expected, typed


def test_a_prefix_that_begins_many_words_is_left_to_fts5(store: Store) -> None:
    words = [f"zeta{n:03d}x" for n in range(80)]
    ids = [image(store, word, {"style": "plain"}) for word in words]
    assert found(store, "zeta0") == set(ids)  # 80 index terms: more than are looked up one by one
    assert found(store, "zeta01") == set(ids[10:20])
    assert store_sqlite.count_matches(store.db, "image", "zeta0", cap=50) == 50
    assert store_sqlite.count_matches(store.db, "image", "zeta0", cap=1000) == 80


def test_removing_a_document_of_a_row_already_gone_changes_nothing(store: Store) -> None:
    kept = image(store, "red fox", {"style": "snow"})
    store_sqlite.remove_document(store.db, "image", kept + 1)  # never indexed
    store_sqlite.remove_document(store.db, "history", 999)  # no such row
    assert found(store, "fox") == {kept}
    assert store.db.execute_sql("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 0)")


def make_old_layout(store: Store, documents: list[tuple[str, int, str]]) -> None:
    """The index as migration 0002 left it: its own copy of the text, prefix indexes 2-6."""
    db = store.db
    db.execute_sql("DROP TABLE search_index")
    db.execute_sql("CREATE VIRTUAL TABLE search_index USING fts5(kind UNINDEXED, ref_id UNINDEXED, body, "
                   "tokenize = 'porter unicode61', detail = column, prefix = '2 3 4 5 6')")
    for kind, ref_id, body in documents:
        db.execute_sql("INSERT INTO search_index (rowid, kind, ref_id, body) VALUES (?, ?, ?, ?)",
                       ((store_sqlite.KIND_CODES[kind] << 40) + ref_id, kind, ref_id, body))
    db.execute_sql("DELETE FROM schema_migrations WHERE version >= 9")


def test_migration_0009_moves_an_old_index_and_says_how_far_it_is(settings: Settings, monkeypatch) -> None:
    store = Store.open(settings)
    ids = [image(store, f"concept {n}", {"style": f"velvet number{n}"}) for n in range(5)]
    history = store.history.add(concept="old idea", prompts=[{"style": "woollen"}])
    make_old_layout(store, [("image", i, f"concept {n} velvet number{n}") for n, i in enumerate(ids)]
                    + [("history", history.id, "old idea woollen")])
    store.close_thread_connection()
    steps: list[tuple[int, int]] = []
    rebuild = store_sqlite.rebuild_search_index
    monkeypatch.setattr(store_sqlite, "rebuild_search_index",
                        lambda db, progress=None: rebuild(db, lambda d, t: steps.append((d, t)), chunk=2))
    reopened = Store.open(settings)
    try:
        assert steps == [(2, 6), (4, 6), (6, 6)]
        assert found(reopened, "velvet") == set(ids)
        assert found(reopened, "number3") == {ids[3]}
        assert [r.id for r in reopened.library.history(query="wool").rows] == [history.id]
        reopened.images.delete(ids[0])  # the moved documents can be taken out again
        assert found(reopened, "velvet") == set(ids[1:])
        assert m0009_search_contentless  # the migration module the rebuild ran from
    finally:
        reopened.close_thread_connection()
    with sqlite3.connect(settings.database_path) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'search_index'").fetchone()[0]
        assert "content = ''" in sql and "prefix = '2 3')" in sql
        assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'search_index_upgrade'").fetchone()[0] == 0


def test_a_search_is_counted_from_the_index_up_to_the_cap(store: Store) -> None:
    from pixflow_tui.store import LibraryFilter

    ids = [image(store, f"red fox {n}", {"style": "snowfield"}) for n in range(6)]
    image(store, "grey wolf", {"style": "forest"})
    store.assets.add(kind="video", local_path="/o/v.mp4", metadata={"concept": "red fox video"})
    store.images.delete(ids[0])
    assert store.library.count_outputs(LibraryFilter(query="fox")) == 6  # five images and the video
    assert store.library.count_outputs(LibraryFilter(query="fox", kinds=("image",))) == 5
    assert store.library.count_outputs(LibraryFilter(query="fox", kinds=("video",))) == 1
    assert store.library.count_outputs(LibraryFilter(query="fox"), cap=3) == 3
    assert store.library.count_outputs(LibraryFilter(query="snowf")) == 5  # an expanded last word
    other = store.db.execute_sql("INSERT INTO users (email, password_hash, name, role, created_at) VALUES "
                                 "('b@local', '', 'b', 'user', '2024-01-01 00:00:00')").lastrowid
    store.db.execute_sql("UPDATE generated_images SET user_id = ? WHERE id = ?", (other, ids[1]))
    assert store.library.count_outputs(LibraryFilter(query="fox", kinds=("image",))) == 4  # not another's


def test_migration_0016_indexes_every_document_again_without_positions(settings: Settings) -> None:
    store = Store.open(settings)
    ids = [image(store, f"concept {n}", {"style": f"velvet number{n}"}) for n in range(4)]
    history = store.history.add(concept="old idea", prompts=[{"style": "woollen"}])
    db = store.db
    db.execute_sql("DROP TABLE search_index")  # the layout of migrations 0009-0015: positions per column
    db.execute_sql("CREATE VIRTUAL TABLE search_index USING fts5(body, content = '', tokenize = 'porter unicode61', "
                   "detail = column, prefix = '2 3')")
    bodies = [("image", i, f"concept {n} velvet number{n}") for n, i in enumerate(ids)]
    store_sqlite.index_documents(db, [*bodies, ("history", history.id, "old idea woollen"),
                                      ("image", ids[-1] + 50, "a row deleted since")])
    db.execute_sql("DELETE FROM schema_migrations WHERE version >= 16")
    store.close_thread_connection()

    reopened = Store.open(settings)
    try:
        assert found(reopened, "velvet") == set(ids)
        assert found(reopened, "number2") == {ids[2]}
        assert [r.id for r in reopened.library.history(query="wool").rows] == [history.id]
        assert store_sqlite.document_ids(reopened.db, "image") == ids  # the row gone since is not carried over
        reopened.images.delete(ids[0])
        assert found(reopened, "velvet") == set(ids[1:])
    finally:
        reopened.close_thread_connection()
    with sqlite3.connect(settings.database_path) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'search_index'").fetchone()[0]
        assert "detail = none" in sql
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search_index_previous%'").fetchall()


def search_terms(store: Store) -> set[str]:
    return {str(r[0]) for r in store.db.execute_sql("SELECT term FROM search_terms")}


def test_every_term_indexed_is_kept_for_expanding_the_last_word(store: Store) -> None:
    image(store, "Lighthouse keepers", {"style": "foggy café"})
    store_sqlite.index_documents(store.db, [("history", 7, "atmospheric Zebras")])
    assert {"lighthous", "keeper", "foggi", "cafe", "atmospher", "zebra"} <= search_terms(store)
    store.db.execute_sql("CREATE VIRTUAL TABLE temp.index_terms USING fts5vocab(main, search_index, row)")
    assert search_terms(store) == {str(r[0]) for r in store.db.execute_sql("SELECT term FROM temp.index_terms")}


def test_migration_0017_fills_the_terms_from_an_index_made_without_them(settings: Settings) -> None:
    store = Store.open(settings)
    ids = [image(store, "lighthouse keeper", {"style": "velvet"}), image(store, "lightning", {"style": "storm"})]
    store.db.execute_sql("DROP TABLE search_terms")
    store.db.execute_sql("DELETE FROM schema_migrations WHERE version >= 17")
    store.close_thread_connection()
    reopened = Store.open(settings)
    try:
        assert {"lighthous", "lightn", "velvet", "storm"} <= search_terms(reopened)
        assert found(reopened, "lighth") == {ids[0]}
        assert found(reopened, "light") == set(ids)
    finally:
        reopened.close_thread_connection()
