"""The Library's records: its filter, the rows of its listings (an output row is an image — made from the one
image read model, ImageRecord — or an asset), and the page they come in."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pixflow_tui.store.values import fast_maker, loads, stamp

if TYPE_CHECKING:  # peewee-free, so the quick read path (quick_read.py) builds these rows without the store
    from pixflow_tui.store.images_repo import ImageFilter
    from pixflow_tui.store.records import ImageRecord

__all__ = ["ASSET_KINDS", "LIBRARY_KINDS", "IMAGE_RANK", "ASSET_RANK", "Cursor", "LibraryFilter", "LibraryRow",
           "HistoryRow", "FavoriteRow", "BatchRow", "Page", "loads", "stamp", "merge", "asset_row", "make_row",
           "ASSET_COLUMNS"]

ASSET_KINDS = ("video", "audio", "lipsync", "avatar")
LIBRARY_KINDS = ("image", *ASSET_KINDS)
IMAGE_RANK, ASSET_RANK = 1, 0  # at the same instant an image sorts before an asset

T = TypeVar("T")
Cursor = tuple[int | None, int | None]  # the next page holds images below the first id, assets below the second


@dataclass(frozen=True)
class LibraryFilter:
    query: str = ""
    rating: str = "any"  # like | dislike | none | any (images and assets alike)
    kinds: tuple[str, ...] = ()  # empty: every kind
    concept: str | None = None
    batch_id: int | None = None
    model: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    tag: str | None = None  # a tag of the output's batch
    made_by: str | None = None  # a person's name: what they generated
    rated_by: str | None = None  # a person's name: what they rated (liked or disliked)

    def images(self, made_by: int | None = None, rated_by: int | None = None) -> ImageFilter:
        """The filter's image part (the text query is applied by the pages, which search their own way), with the
        people's names already turned into user ids."""
        from pixflow_tui.store.images_repo import ImageFilter

        return ImageFilter(rating=self.rating, concept=self.concept, batch_id=self.batch_id, model=self.model,
                           since=self.since, until=self.until, tag=self.tag, made_by=made_by, rated_by=rated_by)


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

    @classmethod
    def of_image(cls, image: ImageRecord) -> LibraryRow:
        """An image's row: the Library reads images as ImageRecords like every other reader."""
        return make_row(("image", image.id, image.generated_at, image.concept, image.prompt_text, image.model,
                          image.provider, image.rating, image.local_path, image.thumbnail_path, image.aspect_ratio,
                          image.width, image.height, None, image.batch_id, image.job_id, None, None))

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


make_row = fast_maker(LibraryRow)

# the columns `asset_row` reads, in its order (this person's rating last)
ASSET_COLUMNS = ("id", "kind", "created_at", "concept", "prompt", "model", "provider", "local_path", "metadata",
                 "duration", "batch_id", "job_id", "source_image_id", "source_asset_id")


def asset_row(values: Sequence[Any], local_path: Callable[[str], str]) -> LibraryRow:
    """An asset's row from ASSET_COLUMNS and the rating, as read raw; `local_path` turns the stored path into
    this machine's."""
    (ident, kind, created, concept, prompt, model, provider, path, metadata_text, duration, batch, job, source_image,
     source_asset, rating) = values
    metadata = loads(metadata_text, {})
    settings = metadata.get("settings") if isinstance(metadata.get("settings"), dict) else {}
    return LibraryRow(kind, ident, stamp(created), concept or "", prompt or "", model, provider, rating,
                      local_path(path), metadata.get("thumbnail"), settings.get("aspect_ratio"), metadata.get("width"),
                      metadata.get("height"), duration, batch, job, source_image, source_asset)


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
