"""`pixflow db migrate-to URL` copies a SQLite library into PostgreSQL (the file untouched, counts and checksums
compared); `pixflow db backup` works on a PostgreSQL library too; the password never shows."""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from pixflow_tui.config import Settings, load_settings
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.store import ImageFilter, Store
from pixflow_tui.store.models import ALL_MODELS
from pixflow_tui.store.transfer import table_checksum
from tests.cli_helpers import run, run_json


def fill(store: Store) -> None:
    batch = store.batches.create(module="asset_monster", concept="harbour", cost_estimate=0.45)
    for index in range(3):
        job = store.jobs.create(kind=JobKind.IMAGE, provider="fal", model="m", request={"i": index},
                                batch_id=batch.id, job_index=index, cost_estimate=0.15)
        store.jobs.update(job.id, cost=0.15)
        image = store.images.add(job_id=job.id, batch_id=batch.id, batch_index=index, local_path=f"/o/{index}.png",
                                 file_name=f"{index}.png", concept="harbour at dawn", prompt={"style": "portraits"})
        if index:
            store.ratings.rate(image.id, 1)
    store.history.add(concept="Summer linen", prompts=[{"style": "sailing boats"}])
    store.favorites.add(prompt={"style": "dramatic backlight"}, name="Hero shot")
    store.assets.add(kind="video", local_path="/o/v.mp4", prompt="slow push in", concept="harbour")


@pytest.fixture
def server_url(pg_server) -> str:
    if pg_server is None:
        pytest.skip("PostgreSQL run skipped: no server could be started")
    return pg_server.create_database(migrated=False)


def test_migrate_to_copies_everything_and_leaves_the_file(settings: Settings, capsys, server_url: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(settings)
    fill(store)
    store.close_thread_connection()
    before = hashlib.sha256(settings.database_path.read_bytes()).hexdigest()

    code, result = run_json(capsys, "db", "migrate-to", server_url)
    assert code == 0 and result["checksums_match"] and result["rows"]["generated_images"] == 3
    assert "pg-test-Secret-7" not in str(result) and ":***@" in result["target"]
    assert hashlib.sha256(settings.database_path.read_bytes()).hexdigest() == before  # the source untouched

    monkeypatch.setenv("PIXFLOW_DATABASE_URL", server_url)
    server = Store.open(load_settings())
    local = Store.open(settings)
    try:
        for model in ALL_MODELS:
            assert table_checksum(server.db, model) == table_checksum(local.db, model), model._meta.table_name
        assert len(server.images.list(ImageFilter(query="portrait"))) == 3  # the search index was rebuilt
        assert server.jobs.in_flight_estimate() == 0.0 and server.batches.list()[0].cost_estimate == 0.45
        new = server.history.add(concept="after", prompts=[{"style": "x"}])  # ids continue past the copied ones
        assert new.id == 2
    finally:
        server.close_thread_connection()
        local.close_thread_connection()

    code, _, err = run(capsys, "db", "migrate-to", server_url)  # from the server itself: nothing to copy
    assert code == 3 and "already at" in err and "pg-test-Secret-7" not in err
    monkeypatch.delenv("PIXFLOW_DATABASE_URL")
    code, _, err = run(capsys, "db", "migrate-to", server_url)  # a second time: the target is not empty
    assert code == 2 and "already holds a library" in err and "pg-test-Secret-7" not in err


def test_backup_of_a_postgres_library_is_a_sqlite_file(settings: Settings, capsys, server_url: str,
                                                        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PIXFLOW_DATABASE_URL", server_url)
    store = Store.open(load_settings())
    fill(store)
    store.close_thread_connection()
    code, result = run_json(capsys, "db", "backup", str(tmp_path / "copy.db"))
    assert code == 0
    with sqlite3.connect(result["backup"]) as conn:
        assert conn.execute("SELECT COUNT(*) FROM generated_images").fetchone()[0] == 3
        assert conn.execute("SELECT SUM(cost_micros) FROM jobs").fetchone()[0] == 450_000
    code, doctor_out, doctor_err = run(capsys, "doctor")
    assert "pg-test-Secret-7" not in doctor_out + doctor_err and ":***@" in doctor_out


def test_migrate_to_needs_a_postgres_url(capsys) -> None:
    code, _, err = run(capsys, "db", "migrate-to", "mysql://u:hidden@h/db")
    assert code == 2 and "not a postgresql:// URL" in err and "hidden" not in err


def test_the_log_file_never_holds_the_password(tmp_path: Path) -> None:
    import logging

    from pixflow_tui.workflows.logs import setup_logging

    url = "postgresql://alice:s3cret%2Fpw@db.internal/pixflow"
    path = setup_logging(tmp_path / "logs", url)
    logging.getLogger("pixflow_tui.test").warning("could not connect to %s (password s3cret/pw)", url)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text()
    assert "alice:***@db.internal" in text and "s3cret" not in text
