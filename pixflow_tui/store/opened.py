"""The Store: one opened database (connected, migrated, seeded) and the repositories of the local user; they
return plain dataclasses. Loaded through the package's names (`from pixflow_tui.store import Store`)."""
from __future__ import annotations

import time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from peewee import Database

from pixflow_tui.config import Settings, redact_url
from pixflow_tui.store.db import open_database, schema_version
from pixflow_tui.store.jobs_repo import BatchRepository, JobRepository
from pixflow_tui.store.images_repo import ImageRepository, RatingRepository
from pixflow_tui.store import postgres
from pixflow_tui.store.fields import set_outputs_root
from pixflow_tui.store.records import UserRecord
from pixflow_tui.store.research_repo import ResearchCacheRepository
from pixflow_tui.store.scripts_repo import ScriptRepository
from pixflow_tui.store.taste_repo import TasteRepository
from pixflow_tui.store.users_repo import UserRepository
from pixflow_tui.store.prompts_repo import (
    AssetRepository,
    FavoriteRepository,
    HistoryRepository,
    PipelineRepository,
    PresetRepository,
    list_products,
)

if TYPE_CHECKING:
    from pixflow_tui.store.library_pages import LibraryQueries


def database_location(settings: Settings) -> str:
    return settings.database_url or str(settings.database_path)


def display_location(settings: Settings) -> str:
    """The database's location as it may be shown: a URL's password replaced by ***."""
    return redact_url(database_location(settings))


def backups_folder(settings: Settings) -> Path:
    return settings.home / "backups"


def sqlite_file(settings: Settings) -> Path | None:
    """The SQLite file the settings name, or None for another kind of database (a PostgreSQL URL)."""
    location = database_location(settings)
    if "://" not in location:
        return Path(location).expanduser()
    if not location.split("://", 1)[0].lower().startswith("sqlite"):
        return None
    from playhouse.db_url import parse

    return Path(parse(location)["database"]).expanduser()


class Store:
    """One opened database and the repositories of the local user."""

    def __init__(self, db: Database, user_id: int, location: str) -> None:
        self.db = db
        self.user_id = user_id
        self.location = location
        self.jobs = JobRepository(user_id)
        self.batches = BatchRepository(user_id)
        self.images = ImageRepository(db, user_id)
        self.ratings = RatingRepository(db, user_id)
        self.history = HistoryRepository(db, user_id)
        self.favorites = FavoriteRepository(db, user_id)
        self.presets = PresetRepository(user_id)
        self.assets = AssetRepository(user_id)
        self.pipeline_runs = PipelineRepository(user_id)
        self.scripts = ScriptRepository(user_id)
        self.taste = TasteRepository(db, user_id)
        self.users = UserRepository(user_id)
        self.research_cache = ResearchCacheRepository(db)

    @cached_property
    def library(self) -> LibraryQueries:
        """The Library's queries, loaded with the Library (start-up does not need them)."""
        from pixflow_tui.store.library_pages import LibraryQueries

        return LibraryQueries(self.db, self.user_id)

    @classmethod
    def open(cls, settings: Settings) -> Store:
        location = database_location(settings)
        if not settings.database_url:
            Path(location).parent.mkdir(parents=True, exist_ok=True)
        set_outputs_root(settings.outputs_root)  # output paths under it are stored relative to it
        db, user_id = open_database(location, settings.user, backup_dir=backups_folder(settings))
        return cls(db, user_id, location)

    def clock(self) -> float:
        """Now in epoch seconds by the database's clock, what leases are set and compared with: on PostgreSQL the
        server's (every machine sharing the ledger agrees, whatever their own clocks say); SQLite is a file on
        this machine, whose clock it is."""
        return postgres.epoch_now(self.db) if postgres.is_postgres(self.db) else time.time()

    def current_user(self) -> UserRecord:
        """Who this store acts for: `pixflow --user NAME`, else the setting `user`, else the login name."""
        return self.users.current()

    @property
    def schema_version(self) -> int:
        return schema_version(self.db)

    def products(self):
        return list_products()

    def atomic(self):
        return self.db.atomic()

    def close_thread_connection(self) -> None:
        """Close this thread's connection (each thread has its own)."""
        if not self.db.is_closed():
            self.db.close()
