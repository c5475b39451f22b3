"""The research cache: one row per mode and keyword, used until it expires; each hit is counted."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from peewee import Database

from pixflow_tui.store.models import ResearchCache, utcnow


@dataclass(frozen=True)
class CachedResearch:
    mode: str
    keyword: str
    payload: dict[str, Any]
    created_at: datetime
    expires_at: datetime
    access_count: int


def cache_key(mode: str, keyword: str) -> str:
    return f"{mode}::{keyword}"


class ResearchCacheRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, mode: str, keyword: str, *, now: datetime | None = None) -> CachedResearch | None:
        """The unexpired research of `keyword` in `mode`, its hit counted; None when there is none."""
        now = now or utcnow()
        with self.db.atomic():
            row = ResearchCache.get_or_none((ResearchCache.cache_key == cache_key(mode, keyword))
                                            & (ResearchCache.expires_at > now))
            if row is None:
                return None
            ResearchCache.update(access_count=ResearchCache.access_count + 1, last_accessed_at=now).where(
                ResearchCache.id == row.id).execute()
        return CachedResearch(row.mode, row.keyword, json.loads(row.payload), row.created_at, row.expires_at,
                              row.access_count + 1)

    def put(self, mode: str, keyword: str, payload: dict[str, Any], *, hours: float,
            now: datetime | None = None) -> None:
        """Keep (or replace) the research of `keyword` in `mode` for `hours`."""
        now = now or utcnow()
        values = {"mode": mode, "keyword": keyword, "payload": json.dumps(payload), "created_at": now,
                  "expires_at": now + timedelta(hours=hours), "access_count": 0, "last_accessed_at": None}
        with self.db.atomic():
            ResearchCache.insert(cache_key=cache_key(mode, keyword), **values).on_conflict(
                conflict_target=[ResearchCache.cache_key], update=values).execute()

    def prune(self, *, now: datetime | None = None) -> int:
        """Remove expired rows; returns how many."""
        return int(ResearchCache.delete().where(ResearchCache.expires_at <= (now or utcnow())).execute())

    def count(self) -> int:
        return int(ResearchCache.select().count())
