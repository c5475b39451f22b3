"""The library's listings: keyset pages (never OFFSET, never a COUNT per keystroke) over every output, history,
favourites and batches, plus the lookups lineage needs.

Rows come newest first in id order (ids grow as rows are written, and the primary key needs no extra index).
Images and assets (videos, audio, lipsync, avatars) live in two tables; "every output" merges a page of each by
creation time while keeping each table's id order, so a cursor holds one id per table and is exact.
A search walks the full-text index newest first and stops after a page (`sqlite.search_newest`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from peewee import JOIN, Database, fn

from pixflow_tui.store import sqlite
from pixflow_tui.store.fields import local_path
from pixflow_tui.store.images_repo import image_select, read_images
from pixflow_tui.store.library_records import (
    ASSET_COLUMNS,
    ASSET_KINDS,
    LIBRARY_KINDS,
    BatchRow,
    Cursor,
    FavoriteRow,
    HistoryRow,
    LibraryFilter,
    LibraryRow,
    Page,
    asset_row,
    loads,
    merge,
)
from pixflow_tui.store.models import (
    Asset,
    AssetRating,
    Batch,
    BatchTag,
    Favorite,
    GeneratedImage,
    History,
    Job,
    User,
    tuples,
)
from pixflow_tui.store.prompts_repo import history_record
from pixflow_tui.store.records import HistoryRecord

__all__ = ["ASSET_KINDS", "LIBRARY_KINDS", "BatchRow", "Cursor", "FavoriteRow", "HistoryRow", "LibraryFilter",
           "LibraryQueries", "LibraryRow", "Page"]

_MAX_CHUNK = 2000  # ids per search step: one IN list, well under SQLite's parameter limit
_NARROW = 20_000  # a filter that leaves at most this many rows is checked against the index directly


class OutputSelect:
    """Builds the image and asset selects every listing starts from (everyone's outputs, with the filters; the
    rating shown and filtered on is this person's)."""

    def __init__(self, db: Database, user_id: int) -> None:
        self.db = db
        self.user_id = user_id

    @staticmethod
    def _person(name: str | None) -> int | None:
        """The user id of the person named `name` (0, which matches nothing, when nobody has that name)."""
        if name is None:
            return None
        row = User.select(User.id).where(User.email == f"{name}@local").tuples().first()
        return int(row[0]) if row else 0

    def _image_query(self, flt: LibraryFilter, *columns: Any) -> Any:
        return image_select(self.user_id, flt.images(self._person(flt.made_by), self._person(flt.rated_by)),
                            *columns)

    def _image_columns(self, flt: LibraryFilter) -> Any:
        return self._image_query(flt)  # IMAGE_COLUMNS

    def _image_rows(self, query: Any) -> list[LibraryRow]:
        return [LibraryRow.of_image(image) for image in read_images(self.db, query)]

    def _asset_query(self, flt: LibraryFilter, kinds: list[str], *columns: Any) -> Any:
        """Assets matching `flt` with this person's rating joined in (like `image_select` for images)."""
        query = Asset.select(*columns)
        mine = (AssetRating.asset == Asset.id) & (AssetRating.user == self.user_id)
        if flt.rating in ("like", "dislike"):
            query = query.join(AssetRating, on=mine & (AssetRating.rating == (1 if flt.rating == "like" else -1)))
        else:
            query = query.join(AssetRating, JOIN.LEFT_OUTER, on=mine)
            if flt.rating == "none":
                query = query.where(AssetRating.id.is_null())
        if flt.made_by is not None:
            query = query.where(Asset.user == self._person(flt.made_by))
        if flt.rated_by is not None:  # the (user, asset) index of ratings: that person's ratings only
            query = query.where(Asset.id.in_(AssetRating.select(AssetRating.asset)
                                             .where(AssetRating.user == self._person(flt.rated_by))))
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
        columns = [getattr(Asset, name.removesuffix("_id")) for name in ASSET_COLUMNS]
        return self._asset_query(flt, list(kinds), *columns, AssetRating.rating)

    def _asset_rows(self, query: Any) -> list[LibraryRow]:
        return [asset_row(values, local_path) for values in self.db.execute(query).fetchall()]


class LibraryQueries(OutputSelect):

    # ---- every output -------------------------------------------------------------------------------

    def outputs(self, flt: LibraryFilter = LibraryFilter(), *, after: Cursor | None = None,
                limit: int = 60) -> Page[LibraryRow]:
        """Images and assets matching `flt`, newest first, the page after `after` (a previous page's cursor)."""
        kinds = flt.kinds or LIBRARY_KINDS
        image_before, asset_before = after or (None, None)
        images: list[LibraryRow] = []
        assets: list[LibraryRow] = []
        if "image" in kinds:
            images = self._images(flt, image_before, limit + 1)
        asset_kinds = [k for k in kinds if k != "image"]
        if asset_kinds:
            assets = self._assets(flt, asset_kinds, asset_before, limit + 1)
        rows = merge(images, assets, limit)
        taken_images = [r.id for r in rows if r.kind == "image"]
        taken_assets = [r.id for r in rows if r.kind != "image"]
        cursor = (taken_images[-1] if taken_images else image_before,
                  taken_assets[-1] if taken_assets else asset_before)
        return Page(rows, len(images) + len(assets) > len(rows), cursor)

    def count_outputs(self, flt: LibraryFilter = LibraryFilter(), cap: int = 10_000) -> int:
        """How many outputs match, counting at most `cap` (shown as "10,000+"): cheap enough per filter change."""
        kinds = flt.kinds or LIBRARY_KINDS
        if sqlite.fts_query(flt.query) and flt == LibraryFilter(query=flt.query, kinds=flt.kinds):
            return self._count_matches(flt.query, kinds, cap)
        total = 0
        if "image" in kinds:
            query = self._image_query(flt, GeneratedImage.id)
            matches = sqlite.search_subquery(self.db, "image", flt.query)
            total += self._capped(query.where(GeneratedImage.id.in_(matches)) if matches else query, cap)
        asset_kinds = [k for k in kinds if k != "image"]
        if asset_kinds and total < cap:
            query = self._asset_query(flt, asset_kinds, Asset.id)
            matches = sqlite.search_subquery(self.db, "asset", flt.query)
            total += self._capped(query.where(Asset.id.in_(matches)) if matches else query, cap - total)
        return min(total, cap)

    def _count_matches(self, query: str, kinds: tuple[str, ...], cap: int) -> int:
        """A search with no other filter, counted from the index up to `cap` (a join by id per match found)
        instead of reading every match into an IN list first."""
        total = 0
        if "image" in kinds:
            total += sqlite.count_matches(self.db, "image", query, cap, table="generated_images", user_id=self.user_id)
        if set(kinds) - {"image"} == set(ASSET_KINDS) and total < cap:
            total += sqlite.count_matches(self.db, "asset", query, cap - total, table="assets", user_id=self.user_id)
        elif set(kinds) - {"image"} and total < cap:
            asset_kinds = [k for k in kinds if k != "image"]
            matches = sqlite.search_subquery(self.db, "asset", query)
            asset_query = self._asset_query(LibraryFilter(), asset_kinds, Asset.id)
            total += self._capped(asset_query.where(Asset.id.in_(matches)) if matches else asset_query, cap - total)
        return min(total, cap)

    @staticmethod
    def _capped(query: Any, cap: int) -> int:
        return int(query.limit(cap).count())  # peewee wraps a limited query: COUNT over at most `cap` rows

    def _images(self, flt: LibraryFilter, before: int | None, limit: int) -> list[LibraryRow]:
        return self._table_page("image", flt, list(ASSET_KINDS), before, limit)

    def _assets(self, flt: LibraryFilter, kinds: list[str], before: int | None, limit: int) -> list[LibraryRow]:
        return self._table_page("asset", flt, kinds, before, limit)

    def _table_page(self, table: str, flt: LibraryFilter, kinds: list[str], before: int | None,
                    limit: int) -> list[LibraryRow]:
        """One table's rows below id `before`, newest first. A search takes the cheaper of two ways: with a
        narrow filter (a batch, a tag, a concept, dates) it checks the filtered rows against the index; else it
        walks the index newest first until the other filters have let a page through."""
        image = table == "image"
        ident = GeneratedImage.id if image else Asset.id

        def rows(where: Any) -> list[LibraryRow]:
            query = self._image_columns(flt) if image else self._asset_columns(flt, kinds)
            if where is not None:
                query = query.where(where)
            query = query.order_by(ident.desc()).limit(limit)
            return self._image_rows(query) if image else self._asset_rows(query)

        below = ident < before if before is not None else None
        if not sqlite.fts_query(flt.query):
            return rows(below)
        if flt.batch_id is not None or flt.tag or flt.concept or flt.since or flt.until:
            ids = self._image_query(flt, ident) if image else self._asset_query(flt, kinds, ident)
            if below is not None:
                ids = ids.where(below)
            candidates = [i for (i,) in self.db.execute(ids.order_by(ident.desc()).limit(_NARROW + 1)).fetchall()]
            if len(candidates) <= _NARROW:
                if not candidates:
                    return []
                found = set(sqlite.search_range(self.db, table, flt.query, candidates[-1], candidates[0]))
                chosen = [i for i in candidates if i in found][:limit]
                return rows(ident.in_(chosen)) if chosen else []
        found_rows: list[LibraryRow] = []
        chunk = max(limit * 2, 200)
        while len(found_rows) < limit:
            matches = sqlite.search_newest(self.db, table, flt.query, before=before, limit=chunk)
            if not matches:
                break
            found_rows.extend(rows(ident.in_(matches)))
            if len(matches) < chunk:
                break
            before, chunk = matches[-1], min(chunk * 2, _MAX_CHUNK)
        return found_rows[:limit]

    def models(self) -> list[str]:
        """Every model that made an output, for the model filter."""
        images = GeneratedImage.select(GeneratedImage.model).where(GeneratedImage.model.is_null(False)).distinct()
        assets = Asset.select(Asset.model).where(Asset.model.is_null(False)).distinct()
        return sorted({m for (m,) in tuples(images)} | {m for (m,) in tuples(assets)})

    # ---- history, favourites, batches ----------------------------------------------------------------

    def history(self, *, query: str = "", after: int | None = None, limit: int = 60) -> Page[HistoryRow]:
        """History entries newest first, below id `after`; a search walks the index newest first."""
        columns = (History.id, History.concept, History.prompt_count, History.source, History.model_used,
                   History.created_at)
        base = History.select(*columns).where(History.user == self.user_id)
        if sqlite.fts_query(query):
            rows: list[HistoryRow] = []
            before, chunk = after, max(limit * 2, 200)
            while len(rows) <= limit:
                ids = sqlite.search_newest(self.db, "history", query, before=before, limit=chunk)
                if not ids:
                    break
                rows.extend(HistoryRow(*r) for r in tuples(base.where(History.id.in_(ids))
                                                            .order_by(History.id.desc())))
                if len(ids) < chunk:
                    break
                before, chunk = ids[-1], min(chunk * 2, _MAX_CHUNK)
        else:
            select = base.where(History.id < after) if after is not None else base
            rows = [HistoryRow(*r) for r in tuples(select.order_by(History.id.desc()).limit(limit + 1))]
        page = rows[:limit]
        return Page(page, len(rows) > limit, page[-1].id if page else after)

    def favorites(self, *, query: str = "", after: int | None = None, limit: int = 60) -> Page[FavoriteRow]:
        select = Favorite.select(Favorite.id, Favorite.name, Favorite.concept, Favorite.prompt,
                                 Favorite.created_at).where(Favorite.user == self.user_id)
        matches = sqlite.search_subquery(self.db, "favorite", query) if query.strip() else None
        if matches is not None:
            select = select.where(Favorite.id.in_(matches))
        if after is not None:
            select = select.where(Favorite.id < after)
        select = select.order_by(Favorite.id.desc()).limit(limit + 1)
        rows = [FavoriteRow(ident, name or "Untitled", concept, loads(prompt, {}), created)
                for ident, name, concept, prompt, created in tuples(select)]
        page = rows[:limit]
        return Page(page, len(rows) > limit, page[-1].id if page else after)

    def batches(self, *, tag: str | None = None, query: str = "", after: int | None = None,
                limit: int = 60) -> Page[BatchRow]:
        """Batches newest first with their tags and output counts; `query` matches name, concept or module."""
        select = Batch.select().where(Batch.user == self.user_id)
        if tag:
            select = select.where(Batch.id.in_(BatchTag.select(BatchTag.batch).where(BatchTag.tag == tag)))
        for word in query.split():
            select = select.where(Batch.name.contains(word) | Batch.concept.contains(word)
                                  | Batch.module.contains(word))
        if after is not None:
            select = select.where(Batch.id < after)
        found = list(select.order_by(Batch.id.desc()).limit(limit + 1))
        ids = [b.id for b in found[:limit]]
        tags: dict[int, list[str]] = {}
        counts: dict[int, int] = {}
        if ids:
            for batch_id, text in tuples(BatchTag.select(BatchTag.batch, BatchTag.tag).where(BatchTag.batch.in_(ids))):
                tags.setdefault(batch_id, []).append(text)
            for model, column in ((GeneratedImage, GeneratedImage.batch), (Asset, Asset.batch)):
                for batch_id, n in tuples(model.select(column, fn.COUNT(1)).where(column.in_(ids)).group_by(column)):
                    counts[batch_id] = counts.get(batch_id, 0) + n
        rows = [BatchRow(b.id, b.module, b.name, b.concept, loads(b.settings, {}), b.status, b.cost_estimate,
                         b.cost_actual, b.created_at, tuple(sorted(tags.get(b.id, ()))), counts.get(b.id, 0))
                for b in found[:limit]]
        return Page(rows, len(found) > limit, rows[-1].id if rows else after)

    # ---- lineage ------------------------------------------------------------------------------------

    def output(self, key: str) -> LibraryRow | None:
        """One output by its key ("image:12", "asset:3")."""
        table, _, ident = key.partition(":")
        if not ident.isdigit():
            return None
        if table == "image":
            found = self._image_rows(self._image_columns(LibraryFilter()).where(GeneratedImage.id == int(ident)))
        elif table == "asset":
            found = self._asset_rows(self._asset_columns(LibraryFilter()).where(Asset.id == int(ident)))
        else:
            return None
        return found[0] if found else None

    def images_of_jobs(self, job_ids: list[int], limit: int = 50) -> list[LibraryRow]:
        if not job_ids:
            return []
        query = self._image_columns(LibraryFilter()).where(GeneratedImage.job.in_(job_ids))
        return self._image_rows(query.order_by(GeneratedImage.id).limit(limit))

    def images_regenerated_from(self, job_id: int, limit: int = 50) -> list[LibraryRow]:
        """Images of the jobs that regenerated job `job_id`."""
        children = Job.select(Job.id).where(Job.parent == job_id)
        query = self._image_columns(LibraryFilter()).where(GeneratedImage.job.in_(children))
        return self._image_rows(query.order_by(GeneratedImage.id).limit(limit))

    def images_transformed_from(self, image_id: int, limit: int = 50) -> list[LibraryRow]:
        """Img2Img outputs made from image `image_id`."""
        query = self._image_columns(LibraryFilter()).where(GeneratedImage.source_image == image_id)
        return self._image_rows(query.order_by(GeneratedImage.id).limit(limit))

    def image_source(self, image_id: int) -> int | None:
        """The image an Img2Img output was made from, or None."""
        row = (GeneratedImage.select(GeneratedImage.source_image)
               .where(GeneratedImage.id == image_id).first())
        return row.source_image_id if row is not None else None

    def assets_made_from(self, *, image_id: int | None = None, asset_id: int | None = None,
                         limit: int = 50) -> list[LibraryRow]:
        """Assets whose source is the image (a video of it) or the asset (a lipsync of a video or an audio)."""
        where = Asset.source_image == image_id if image_id is not None else Asset.source_asset == asset_id
        return self._asset_rows(self._asset_columns(LibraryFilter()).where(where).order_by(Asset.id).limit(limit))

    def history_for_concept(self, concept: str, before: datetime) -> HistoryRecord | None:
        """The newest history entry for `concept` written before `before` (where an image's prompt came from
        when its job did not record the entry)."""
        row = (History.select().where((History.user == self.user_id) & (History.concept == concept)
                                      & (History.created_at <= before))
               .order_by(History.id.desc()).first())
        return history_record(row) if row else None
