"""Rows of the library's listings, and the image and asset selects every listing starts from."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, Generic, TypeVar

from peewee import JOIN, Database

from pixflow_tui.store.models import Asset, BatchTag, GeneratedImage, ImageRating

ASSET_KINDS = ("video", "audio", "lipsync", "avatar")
LIBRARY_KINDS = ("image", *ASSET_KINDS)
IMAGE_RANK, ASSET_RANK = 1, 0  # at the same instant an image sorts before an asset

T = TypeVar("T")
Cursor = tuple[int | None, int | None]  # the next page holds images below the first id, assets below the second


@dataclass(frozen=True)
class LibraryFilter:
    query: str = ""
    rating: str = "any"  # like | dislike | none | any (ratings exist for images only)
    kinds: tuple[str, ...] = ()  # empty: every kind
    concept: str | None = None
    batch_id: int | None = None
    model: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    tag: str | None = None  # a tag of the output's batch


@dataclass(frozen=True)
class LibraryRow:
    kind: str  # image | video | audio | lipsync | avatar
    id: int
    created_at: datetime
    concept: str
    prompt_text: str  # images: the prompt as JSON text (parsed on first use); assets: the prompt itself
    model: str | None
    provider: str | None
    rating: int | None
    local_path: str
    thumbnail: str | None
    aspect_ratio: str | None
    width: int | None
    height: int | None
    duration: float | None
    batch_id: int | None
    job_id: int | None
    source_image_id: int | None = None
    source_asset_id: int | None = None

    @property
    def key(self) -> str:
        return f"{'image' if self.kind == 'image' else 'asset'}:{self.id}"

    @cached_property
    def prompt(self) -> Any:
        """Images: the prompt dict; assets: the prompt text."""
        return loads(self.prompt_text, {}) if self.kind == "image" else self.prompt_text

    @property
    def order(self) -> tuple[datetime, int, int]:
        return (self.created_at, IMAGE_RANK if self.kind == "image" else ASSET_RANK, self.id)


@dataclass(frozen=True)
class HistoryRow:
    id: int
    concept: str
    prompt_count: int
    source: str
    model_used: str | None
    created_at: datetime


@dataclass(frozen=True)
class FavoriteRow:
    id: int
    name: str
    concept: str | None
    prompt: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class BatchRow:
    id: int
    module: str
    name: str
    concept: str
    settings: dict[str, Any]
    status: str
    cost_estimate: float
    cost_actual: float
    created_at: datetime
    tags: tuple[str, ...]
    outputs: int


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    more: bool  # another page follows the last row
    cursor: Any = None  # pass as `after` for the next page

    @property
    def last(self) -> T | None:
        return self.rows[-1] if self.rows else None


def loads(text: str | None, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except json.JSONDecodeError:
        return default


def stamp(value: Any) -> datetime:
    """A timestamp column as read raw: SQLite gives peewee's text form, other databases a datetime."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def merge(first: list[LibraryRow], second: list[LibraryRow], limit: int) -> list[LibraryRow]:
    """The newest `limit` rows of two id-ordered lists, each list's own order kept (so its cursor stays exact)."""
    merged: list[LibraryRow] = []
    i = j = 0
    while len(merged) < limit and (i < len(first) or j < len(second)):
        if j >= len(second) or (i < len(first) and first[i].order >= second[j].order):
            merged.append(first[i])
            i += 1
        else:
            merged.append(second[j])
            j += 1
    return merged


class OutputSelect:
    """Builds the image and asset selects every listing starts from (the user's rows, with the filters)."""

    def __init__(self, db: Database, user_id: int) -> None:
        self.db = db
        self.user_id = user_id

    def _image_query(self, flt: LibraryFilter, *columns: Any) -> Any:
        query = GeneratedImage.select(*columns)
        if flt.rating in ("like", "dislike"):
            query = query.join(ImageRating, on=(ImageRating.image == GeneratedImage.id)
                               & (ImageRating.user == self.user_id)
                               & (ImageRating.rating == (1 if flt.rating == "like" else -1)))
        else:
            query = query.join(ImageRating, JOIN.LEFT_OUTER, on=(ImageRating.image == GeneratedImage.id)
                               & (ImageRating.user == self.user_id))
            if flt.rating == "none":
                query = query.where(ImageRating.id.is_null())
        query = query.where(GeneratedImage.user == self.user_id)
        if flt.concept:
            query = query.where(GeneratedImage.concept.contains(flt.concept))
        if flt.batch_id is not None:
            query = query.where(GeneratedImage.batch == flt.batch_id)
        if flt.model:
            query = query.where(GeneratedImage.model == flt.model)
        if flt.since:
            query = query.where(GeneratedImage.generated_at >= flt.since)
        if flt.until:
            query = query.where(GeneratedImage.generated_at < flt.until)
        if flt.tag:
            query = query.where(GeneratedImage.batch.in_(BatchTag.select(BatchTag.batch).where(BatchTag.tag == flt.tag)))
        return query

    def _image_columns(self, flt: LibraryFilter) -> Any:
        g = GeneratedImage
        return self._image_query(flt, g.id, g.generated_at, g.concept, g.prompt, g.model, g.provider,
                                 ImageRating.rating, g.local_path, g.thumbnail_path, g.aspect_ratio, g.width,
                                 g.height, g.batch, g.job)

    def _image_rows(self, query: Any) -> list[LibraryRow]:
        # the raw cursor: peewee's per-value converters cost more than the query for a page of rows
        return [LibraryRow("image", ident, stamp(created), concept, prompt or "{}", model, provider, rating, path,
                           thumb, aspect, width, height, None, batch, job)
                for (ident, created, concept, prompt, model, provider, rating, path, thumb, aspect, width, height,
                     batch, job) in self.db.execute(query).fetchall()]

    def _asset_query(self, flt: LibraryFilter, kinds: list[str], *columns: Any) -> Any:
        query = Asset.select(*columns).where(Asset.user == self.user_id)
        if set(kinds) != set(ASSET_KINDS):
            query = query.where(Asset.kind.in_(kinds))
        if flt.concept:
            query = query.where(Asset.concept.contains(flt.concept))
        if flt.batch_id is not None:
            query = query.where(Asset.batch == flt.batch_id)
        if flt.model:
            query = query.where(Asset.model == flt.model)
        if flt.since:
            query = query.where(Asset.created_at >= flt.since)
        if flt.until:
            query = query.where(Asset.created_at < flt.until)
        if flt.tag:
            query = query.where(Asset.batch.in_(BatchTag.select(BatchTag.batch).where(BatchTag.tag == flt.tag)))
        return query

    def _asset_columns(self, flt: LibraryFilter, kinds: list[str] | tuple[str, ...] = ASSET_KINDS) -> Any:
        a = Asset
        return self._asset_query(flt, list(kinds), a.id, a.kind, a.created_at, a.concept, a.prompt, a.model,
                                 a.provider, a.local_path, a.metadata, a.duration, a.batch, a.job, a.source_image,
                                 a.source_asset)

    def _asset_rows(self, query: Any) -> list[LibraryRow]:
        rows = []
        for (ident, kind, created, concept, prompt, model, provider, path, metadata_text, duration, batch, job,
             source_image, source_asset) in self.db.execute(query).fetchall():
            metadata = loads(metadata_text, {})
            settings = metadata.get("settings") if isinstance(metadata.get("settings"), dict) else {}
            rows.append(LibraryRow(kind, ident, stamp(created), concept or "", prompt or "", model, provider, None, path,
                                   metadata.get("thumbnail"), settings.get("aspect_ratio"), metadata.get("width"),
                                   metadata.get("height"), duration, batch, job, source_image, source_asset))
        return rows

