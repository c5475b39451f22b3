"""Taste counters: per person, product, prompt section and value, how many liked and disliked images carry it
(store/taste_repo.py), counted from the ratings already stored."""
from __future__ import annotations

from peewee import Database

from pixflow_tui.store import taste_repo
from pixflow_tui.store.models import TasteCount


def up(db: Database) -> None:
    db.create_tables([TasteCount], safe=True)
    taste_repo.rebuild(db)
