"""Generated images and their ratings: the one image read model (`image_select` over IMAGE_COLUMNS, read by
`read_images` into ImageRecord, which `store.images` and the Library's pages share) and the one rating writer
(of images and of assets, one rating per person and output)."""
from __future__ import annotations

import builtins  # in the repositories, `list` names their list() method

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import JOIN, Database, Node, OperationalError

from pixflow_tui.store import sqlite, taste_repo
from pixflow_tui.store.jobs_repo import give_prompt_back, point_job_at_image
from pixflow_tui.store.fields import local_path
from pixflow_tui.store.models import (
    Asset,
    AssetRating,
    Batch,
    BatchTag,
    GeneratedImage,
    ImageRating,
    database_proxy,
    tuples,
    utcnow,
)
from pixflow_tui.store.records import ImageRecord, RatingRecord, fast_maker, stamp
from pixflow_tui.store.search_text import prompt_search_text

RATING_FILTERS = ("like", "dislike", "none", "any")


@dataclass(frozen=True)
class ImageFilter:
    rating: str = "any"  # like | dislike | none | any
    query: str = ""
    concept: str | None = None
    batch_id: int | None = None
    job_id: int | None = None
    model: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    tag: str | None = None  # a tag of the image's batch
    made_by: int | None = None  # a person's user id: the images they generated
    rated_by: int | None = None  # a person's user id: the images they rated


# What an ImageRecord is read from, in its field order (the user's rating last).
IMAGE_COLUMNS = (
    GeneratedImage.id, GeneratedImage.job, GeneratedImage.batch, GeneratedImage.batch_index,
    GeneratedImage.prompt_index, GeneratedImage.variant_index, GeneratedImage.url, GeneratedImage.local_path,
    GeneratedImage.file_name, GeneratedImage.concept, GeneratedImage.prompt, GeneratedImage.aspect_ratio,
    GeneratedImage.resolution, GeneratedImage.output_format, GeneratedImage.model, GeneratedImage.provider,
    GeneratedImage.width, GeneratedImage.height, GeneratedImage.thumbnail_path, GeneratedImage.generated_at,
    ImageRating.rating,
)


class _ImageColumns(Node):
    """IMAGE_COLUMNS as one node: peewee spends about 5 µs generating each column, as much as SQLite takes to
    read a page of rows, so the list's text is built once per pair of table aliases (the same text peewee makes)."""

    _texts: dict[tuple[str, str, str], str] = {}

    def __sql__(self, ctx: Any) -> Any:
        quote = ctx.state.quote or '""'
        images, ratings = GeneratedImage._meta.table, ImageRating._meta.table  # what a field's column names
        key = (quote, ctx.alias_manager[images], ctx.alias_manager[ratings])
        text = self._texts.get(key)
        if text is None:
            open_, close = quote[0], quote[1]
            aliases = {GeneratedImage: key[1], ImageRating: key[2]}
            text = self._texts[key] = ", ".join(
                f"{open_}{aliases[c.model]}{close}.{open_}{c.column_name}{close}" for c in IMAGE_COLUMNS)
        return ctx.literal(text)


_IMAGE_COLUMNS = _ImageColumns()


def image_select(user_id: int, flt: ImageFilter, *columns: Any) -> Any:
    """Images matching `flt` (all but the text query, which callers apply their own way), selecting `columns`
    (default IMAGE_COLUMNS) with the user's own rating joined in. Images are shared by everyone using the library;
    ratings are each person's. Every reader of images starts here."""
    query = GeneratedImage.select(*(columns or (_IMAGE_COLUMNS,)))
    if flt.rating in ("like", "dislike"):
        query = query.join(ImageRating, on=(ImageRating.image == GeneratedImage.id)
                           & (ImageRating.user == user_id)
                           & (ImageRating.rating == (1 if flt.rating == "like" else -1)))
    else:
        query = query.join(ImageRating, JOIN.LEFT_OUTER, on=(ImageRating.image == GeneratedImage.id)
                           & (ImageRating.user == user_id))
        if flt.rating == "none":
            query = query.where(ImageRating.id.is_null())
    if flt.made_by is not None:
        query = query.where(GeneratedImage.user == flt.made_by)
    if flt.rated_by is not None:  # the (user, image) index of ratings: that person's ratings only
        query = query.where(GeneratedImage.id.in_(
            ImageRating.select(ImageRating.image).where(ImageRating.user == flt.rated_by)))
    if flt.concept:
        query = query.where(GeneratedImage.concept.contains(flt.concept))
    if flt.batch_id is not None:
        query = query.where(GeneratedImage.batch == flt.batch_id)
    if flt.job_id is not None:
        query = query.where(GeneratedImage.job == flt.job_id)
    if flt.model:
        query = query.where(GeneratedImage.model == flt.model)
    if flt.since:
        query = query.where(GeneratedImage.generated_at >= flt.since)
    if flt.until:
        query = query.where(GeneratedImage.generated_at < flt.until)
    if flt.tag:
        query = query.where(GeneratedImage.batch.in_(BatchTag.select(BatchTag.batch).where(BatchTag.tag == flt.tag)))
    return query


_make_image = fast_maker(ImageRecord)


def read_images(db: Database, query: Any) -> builtins.list[ImageRecord]:
    """The records of an `image_select` over IMAGE_COLUMNS. Read from the raw cursor: peewee's per-value
    converters cost more than the query for a page of rows."""
    return [_make_image((ident, job, batch, batch_index, prompt_index, variant_index, url, local_path(path), name,
                         concept, prompt or "{}", aspect, resolution, output_format, model, provider, width, height, thumb,
                         stamp(created), rating))
            for (ident, job, batch, batch_index, prompt_index, variant_index, url, path, name, concept, prompt,
                 aspect, resolution, output_format, model, provider, width, height, thumb, created,
                 rating) in db.execute(query).fetchall()]


def image_record(row: GeneratedImage) -> ImageRecord:
    """The record of an image row just written (not yet rated)."""
    return ImageRecord(
        id=row.id,
        job_id=row.job_id,
        batch_id=row.batch_id,
        batch_index=row.batch_index,
        prompt_index=row.prompt_index,
        variant_index=row.variant_index,
        url=row.url,
        local_path=row.local_path,
        file_name=row.file_name,
        concept=row.concept,
        prompt_text=row.prompt or "{}",
        aspect_ratio=row.aspect_ratio,
        resolution=row.resolution,
        output_format=row.output_format,
        model=row.model,
        provider=row.provider,
        width=row.width,
        height=row.height,
        thumbnail_path=row.thumbnail_path,
        generated_at=row.generated_at,
    )


class ImageRepository:
    def __init__(self, db: Database, user_id: int) -> None:
        self.db = db
        self.user_id = user_id

    def add(self, *, job_id: int, local_path: str, file_name: str, concept: str, prompt: dict[str, Any],
            url: str = "", batch_id: int | None = None, batch_index: int = 0, prompt_index: int = 0,
            variant_index: int = 0, **extra: Any) -> ImageRecord:
        source = extra.pop("source_image", None)
        with self.db.atomic():
            if source is not None and not GeneratedImage.select().where(GeneratedImage.id == source).exists():
                source = None  # the source was deleted meanwhile: the new image is kept, without the link
            row = GeneratedImage.create(
                source_image=source, user=self.user_id, job=job_id, batch=batch_id, batch_index=batch_index, prompt_index=prompt_index,
                variant_index=variant_index, url=url, local_path=local_path, file_name=file_name, concept=concept,
                prompt=json.dumps(prompt), **extra,
            )
            point_job_at_image(job_id, row.id, row.prompt)
            sqlite.index_document(self.db, "image", row.id, prompt_search_text(concept, prompt))
        return image_record(row)  # the row as created holds every column; reading it back cost a query

    def select(self, flt: ImageFilter = ImageFilter(), *columns: Any) -> Any:
        return image_select(self.user_id, flt, *columns)

    def get(self, image_id: int) -> ImageRecord | None:
        found = read_images(self.db, self.select().where(GeneratedImage.id == image_id))
        return found[0] if found else None

    def get_many(self, image_ids: builtins.list[int]) -> builtins.list[ImageRecord]:
        return read_images(self.db, self.select().where(GeneratedImage.id.in_(image_ids))) if image_ids else []

    def update(self, image_id: int, **fields: Any) -> None:
        if "prompt" in fields and not isinstance(fields["prompt"], str):
            fields["prompt"] = json.dumps(fields["prompt"])
        searched = "concept" in fields or "prompt" in fields
        with sqlite.write_transaction(self.db):
            if "prompt" in fields:  # the taste counters follow the patterns of a rated image's prompt
                give_prompt_back(image_id)
                _move_taste(image_id, fields["prompt"])
            if searched:  # out of the search index by the text it has now, back in by the new one
                sqlite.remove_document(self.db, "image", image_id)
            GeneratedImage.update({getattr(GeneratedImage, k): v for k, v in fields.items()}).where(
                GeneratedImage.id == image_id
            ).execute()
            if searched:
                row = GeneratedImage.get_or_none(GeneratedImage.id == image_id)
                if row is not None:
                    sqlite.index_document(self.db, "image", row.id, prompt_search_text(row.concept, row.prompt))

    def delete(self, image_id: int) -> None:
        with sqlite.write_transaction(self.db):
            give_prompt_back(image_id)
            _move_taste(image_id, None)  # its ratings go with it (ON DELETE CASCADE), and so do their counts
            sqlite.remove_document(self.db, "image", image_id)  # while the row still holds its text
            GeneratedImage.delete().where(GeneratedImage.id == image_id).execute()

    def _searched(self, flt: ImageFilter, *columns: Any) -> Any:
        query = self.select(flt, *columns)
        if flt.query.strip():
            matches = sqlite.search_subquery(self.db, "image", flt.query)
            if matches is not None:
                query = query.where(GeneratedImage.id.in_(matches))
        return query

    def list(self, flt: ImageFilter = ImageFilter(), *, limit: int = 100, offset: int = 0) -> builtins.list[ImageRecord]:
        query = self._searched(flt).order_by(GeneratedImage.generated_at.desc(), GeneratedImage.id.desc())
        return read_images(self.db, query.limit(limit).offset(offset))

    def count(self, flt: ImageFilter = ImageFilter()) -> int:
        return int(self._searched(flt, GeneratedImage.id).count())

    def find_by_path(self, local_path: str) -> ImageRecord | None:
        """The generated image stored at `local_path`, if the file is one of ours (for lineage)."""
        found = read_images(self.db, self.select().where(GeneratedImage.local_path == local_path).limit(1))
        return found[0] if found else None

    def for_job(self, job_id: int) -> builtins.list[ImageRecord]:
        return self.list(ImageFilter(job_id=job_id), limit=1000)


def _move_taste(image_id: int, new_prompt: Any) -> None:
    """Before an image's prompt changes (or the image is deleted: None), move the taste counts of its ratings."""
    ratings = [(user, rating, rated_at) for user, rating, rated_at in tuples(
        ImageRating.select(ImageRating.user, ImageRating.rating, ImageRating.rated_at)
        .where(ImageRating.image == image_id))]
    if not ratings:
        return
    row = (GeneratedImage.select(GeneratedImage.prompt, Batch.settings)
           .join(Batch, JOIN.LEFT_OUTER, on=(Batch.id == GeneratedImage.batch))
           .where(GeneratedImage.id == image_id).tuples().first())
    if row is None:
        return
    new_text = new_prompt if new_prompt is None or isinstance(new_prompt, str) else json.dumps(new_prompt)
    taste_repo.changes_for_image(ratings, row[0], row[1], new_text)


def rating_record(row: ImageRating) -> RatingRecord:
    return RatingRecord(image_id=row.image_id, rating=row.rating, notes=row.notes, rated_at=row.rated_at,
                        updated_at=row.updated_at)


def _check(rating: int | None) -> None:
    if rating is not None and rating not in (-1, 1):
        raise ValueError(f"a rating must be 1 (like) or -1 (dislike), not {rating!r}")


class RatingRepository:
    """The one writer of ratings (every screen and command rates through `set`, or `set_asset` for a video,
    audio, lipsync or avatar)."""

    def __init__(self, db: Database, user_id: int) -> None:
        self.db = db
        self.user_id = user_id

    def set(self, image_id: int, rating: int | None, notes: str | None = None) -> bool:
        """Rate an image (anyone's: images are shared) for this person (1 like, -1 dislike) or clear their rating
        (None); when it was first rated stays. This person's taste counters move in the same transaction
        (store/taste_repo.py). False when there is no such image."""
        _check(rating)
        # the models' database (the one their queries run on); IMMEDIATE: the read below is followed by writes
        with database_proxy.atomic(*(["IMMEDIATE"] if sqlite.is_sqlite(self.db) else [])):
            found = self._rated_image(image_id)
            if rating is None:
                ImageRating.delete().where((ImageRating.user == self.user_id)
                                           & (ImageRating.image == image_id)).execute()
                if found is not None:
                    taste_repo.apply_change(self.user_id, found[0], found[1], found[2], None, found[3])
                return True
            if found is None:
                return False
            now = utcnow()
            update: dict[Any, Any] = {ImageRating.rating: rating, ImageRating.updated_at: now}
            if notes is not None:
                update[ImageRating.notes] = notes
            ImageRating.insert(user=self.user_id, image=image_id, rating=rating, notes=notes, rated_at=now,
                               updated_at=now).on_conflict(conflict_target=[ImageRating.user, ImageRating.image],
                                                           update=update).execute()
            taste_repo.apply_change(self.user_id, found[0], found[1], found[2], rating, found[3] or now)
        return True

    def _rated_image(self, image_id: int) -> tuple[str, str | None, int | None, datetime | None] | None:
        """(prompt, batch settings, this person's rating, when they first rated it) of an image, locked for the
        rating write."""
        query = (GeneratedImage.select(GeneratedImage.prompt, Batch.settings, ImageRating.rating, ImageRating.rated_at)
                 .join(Batch, JOIN.LEFT_OUTER, on=(Batch.id == GeneratedImage.batch))
                 .join_from(GeneratedImage, ImageRating, JOIN.LEFT_OUTER,
                            on=(ImageRating.image == GeneratedImage.id) & (ImageRating.user == self.user_id))
                 .where(GeneratedImage.id == image_id))
        if not sqlite.is_sqlite(self.db):
            query = query.for_update(of=GeneratedImage)
        row = query.tuples().first()
        return None if row is None else (row[0], row[1], row[2], row[3])

    def set_asset(self, asset_id: int, rating: int | None) -> bool:
        """Rate an asset (anyone's: assets are shared) for this person (1 like, -1 dislike) or clear their rating
        (None). False when there is no such asset."""
        _check(rating)
        with database_proxy.atomic():
            if not Asset.select().where(Asset.id == asset_id).exists():
                return False
            mine = (AssetRating.user == self.user_id) & (AssetRating.asset == asset_id)
            if rating is None:
                AssetRating.delete().where(mine).execute()
            else:
                AssetRating.insert(user=self.user_id, asset=asset_id, rating=rating, rated_at=utcnow()).on_conflict(
                    conflict_target=[AssetRating.user, AssetRating.asset],
                    update={AssetRating.rating: rating}).execute()
        return True

    def set_now(self, image_id: int, rating: int | None, wait_ms: int = 10, *, table: str = "image") -> bool | None:
        """`set` (or `set_asset` when `table` is "asset", the Library key's kind), waiting at most `wait_ms` for
        another writer (for the UI thread); None when the database stayed busy."""
        if table not in ("image", "asset"):
            raise ValueError(f"only images and assets are rated, not {table!r}")
        try:
            with sqlite.short_wait(self.db, wait_ms):
                return self.set(image_id, rating) if table == "image" else self.set_asset(image_id, rating)
        except OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return None
            raise

    def rate(self, image_id: int, rating: int, notes: str | None = None) -> RatingRecord:
        """`set` a like or dislike and return the stored rating."""
        if rating not in (-1, 1):
            raise ValueError(f"a rating must be 1 (like) or -1 (dislike), not {rating!r}")
        if not self.set(image_id, rating, notes):
            raise LookupError(f"there is no image {image_id}")
        return rating_record(ImageRating.get((ImageRating.user == self.user_id) & (ImageRating.image == image_id)))

    def get(self, image_id: int) -> RatingRecord | None:
        row = ImageRating.get_or_none((ImageRating.user == self.user_id) & (ImageRating.image == image_id))
        return rating_record(row) if row else None

    def for_images(self, image_ids: list[int]) -> dict[int, int]:
        query = ImageRating.select(ImageRating.image, ImageRating.rating).where(
            (ImageRating.user == self.user_id) & ImageRating.image.in_(image_ids)
        )
        return {image_id: rating for image_id, rating in tuples(query)}
