"""Taste counters per week (the Library's trend): recount the counters of a database whose taste counts were made
before they had week rows (a database that gets 0005 now counts its weeks there already)."""
from __future__ import annotations

from peewee import Database

from pixflow_tui.store import taste_repo
from pixflow_tui.store.models import TasteCount


def up(db: Database) -> None:
    counted = TasteCount.select().limit(1).exists()
    if counted and not TasteCount.select().where(TasteCount.section == taste_repo.WEEK).limit(1).exists():
        taste_repo.rebuild(db)
