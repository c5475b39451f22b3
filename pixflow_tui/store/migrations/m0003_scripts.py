"""Avatar Studio: scripts and their versions."""
from __future__ import annotations

from peewee import Database

from pixflow_tui.store.models import Script, ScriptVersion


def up(db: Database) -> None:
    db.create_tables([Script, ScriptVersion], safe=True)
