"""Numbered schema migrations, applied in order at start and recorded in `schema_migrations`.

Each migration is idempotent (it tolerates what already exists) so a fresh database, which gets the current
tables from 0001, can run the later ones too.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # LATEST_VERSION is read without peewee (store/quick_read.py)
    from peewee import Database

Migration = tuple[int, str, Callable[["Database"], None]]


def _step(module: str) -> Callable[[Database], None]:
    """A migration's `up`, imported only when a database needs it (most starts apply none)."""

    def up(db: Database) -> None:
        importlib.import_module(f"{__name__}.{module}").up(db)

    return up


MIGRATIONS: list[Migration] = [
    (1, "initial", _step("m0001_initial")),
    (2, "library", _step("m0002_library")),
    (3, "scripts", _step("m0003_scripts")),
    (4, "asset_ratings", _step("m0004_asset_ratings")),
    (5, "taste_counts", _step("m0005_taste_counts")),
    (6, "job_indexes", _step("m0006_job_indexes")),
    (7, "exact_types", _step("m0007_exact_types")),
    (8, "image_sources", _step("m0008_image_sources")),
    (9, "search_contentless", _step("m0009_search_contentless")),
    (10, "research", _step("m0010_research")),
    (11, "taste_weeks", _step("m0011_taste_weeks")),
    (12, "one_row_per_output", _step("m0012_one_row_per_output")),
    (13, "asset_ratings_per_person", _step("m0013_asset_ratings_per_person")),
    (14, "job_requests_once", _step("m0014_job_requests_once")),
    (15, "fewer_indexes", _step("m0015_fewer_indexes")),
    (16, "search_without_positions", _step("m0016_search_without_positions")),
    (17, "search_terms", _step("m0017_search_terms")),
]
LATEST_VERSION = MIGRATIONS[-1][0]
