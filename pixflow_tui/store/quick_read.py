"""The Library's listings and the jobs listing for a one-shot read command, on plain sqlite3: the file opened
read-only, no peewee, no models, no migration or seeding (the full store costs ~60 ms of imports and set-up to
read 50 rows).

`QuickReader.open` answers None whenever the full store is needed: a database URL, a missing or empty file, a
schema that is not the current one, a person not in the library yet (the store adds them), or any SQLite error
(locked, damaged): the caller then opens the store, which creates, migrates, seeds, or says in one line what is
wrong. The selects mirror library_pages.py, images_repo.image_select (everyone's outputs, this person's rating)
and JobRepository.list; tests/store/test_quick_read.py compares each with the store's, filter by filter.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from pixflow_tui.store.library_records import (
    ASSET_COLUMNS,
    ASSET_KINDS,
    LIBRARY_KINDS,
    BatchRow,
    FavoriteRow,
    HistoryRow,
    LibraryFilter,
    LibraryRow,
    asset_row,
    loads,
    make_row,
    merge,
    stamp,
)
from pixflow_tui.store.migrations import LATEST_VERSION
from pixflow_tui.store.values import dollars, local_path, set_outputs_root

if TYPE_CHECKING:
    from pixflow_tui.store.records import JobRecord

__all__ = ["QuickReader", "QuickReadError"]

_IMAGE_COLUMNS = ("id", "generated_at", "concept", "prompt", "model", "provider", "local_path", "thumbnail_path",
                  "aspect_ratio", "width", "height", "batch_id", "job_id")


def _or_none(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else convert(value)


# jobs column -> (the Job model's attribute, what its field makes of the raw value); job_record reads them
_JOB_COLUMNS: dict[str, tuple[str, Callable[[Any], Any] | None]] = {
    **{name: (name, None) for name in (
        "id", "batch_id", "kind", "provider", "model", "request", "job_index", "prompt_index", "variant_index",
        "status", "request_id", "handle", "result", "queue_position", "progress", "attempts", "error", "lease_owner",
        "lease_expires", "next_attempt_at", "parent_job_id")},
    "cost_estimate_micros": ("cost_estimate", dollars), "cost_micros": ("cost", _or_none(dollars)),
    "output_path": ("output_path", _or_none(local_path)), "created_at": ("created_at", stamp),
    "updated_at": ("updated_at", stamp), "submitted_at": ("submitted_at", _or_none(stamp)),
    "finished_at": ("finished_at", _or_none(stamp)),
}


class QuickReadError(Exception):
    """The quick read cannot answer (an SQLite error met while reading): open the store instead."""


_ESCAPE = "ESCAPE '\\'"


def _like(text: str) -> str:
    """`text` as a LIKE pattern matching it anywhere, escaped like peewee's `contains` (ESCAPE '\\')."""
    return "%" + text.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"


def _time(value: Any) -> str:
    return value.isoformat(" ")  # how sqlite3 (and so peewee) binds a datetime on SQLite


class QuickReader:
    """One read-only connection to a current SQLite library, acting for one person."""

    def __init__(self, connection: sqlite3.Connection, user_id: int) -> None:
        self.connection = connection
        self.user_id = user_id

    @classmethod
    def open(cls, path: Path, user_name: str, outputs_root: Path | None) -> QuickReader | None:
        """The reader, or None when the full store is needed (see the module's docstring)."""
        try:
            if not path.is_file() or path.stat().st_size == 0:
                return None
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0,
                                         check_same_thread=False)
        except (OSError, sqlite3.Error):
            return None
        try:
            version = connection.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
            user = connection.execute("SELECT id FROM users WHERE email = ?", (f"{user_name}@local",)).fetchone()
        except sqlite3.Error:
            connection.close()
            return None
        if version != LATEST_VERSION or user is None:
            connection.close()
            return None
        set_outputs_root(outputs_root)  # as Store.open does: stored paths under it are relative
        return cls(connection, int(user[0]))

    def close(self) -> None:
        self.connection.close()

    def _rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        try:
            return self.connection.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise QuickReadError(str(exc)) from exc

    # ---- people -------------------------------------------------------------------------------------

    def person(self, name: str | None) -> int | None:
        """The user id of the person named `name` (0, which matches nothing, when nobody has that name)."""
        if name is None:
            return None
        found = self._rows("SELECT id FROM users WHERE email = ?", [f"{name}@local"])
        return int(found[0][0]) if found else 0

    def people(self) -> list[str]:
        """Everyone using this library, in the store's order (by name, then id)."""
        return [name for (name,) in self._rows("SELECT name FROM users ORDER BY name, id", [])]

    # ---- every output -------------------------------------------------------------------------------

    def outputs(self, flt: LibraryFilter, limit: int) -> list[LibraryRow]:
        """The newest `limit` outputs matching `flt` (no text query: a search walks the index, in the store),
        merged as the store's pages merge them."""
        if flt.query.strip():
            raise ValueError("the quick read does not search; open the store")
        kinds = flt.kinds or LIBRARY_KINDS
        made_by, rated_by = self.person(flt.made_by), self.person(flt.rated_by)
        images = self._images(flt, made_by, rated_by, limit) if "image" in kinds else []
        asset_kinds = [k for k in kinds if k != "image"]
        assets = self._assets(flt, asset_kinds, made_by, rated_by, limit) if asset_kinds else []
        return merge(images, assets, limit)

    def _where(self, alias: str, ratings: str, flt: LibraryFilter, made_by: int | None,
               rated_by: int | None, created: str) -> tuple[str, list[Any], list[str], list[Any]]:
        """The join of this person's rating and the filters shared by images and assets (as image_select and
        OutputSelect._asset_query build them): (join, its params, conditions, their params)."""
        target = "image_id" if ratings == "image_ratings" else "asset_id"
        join = f'JOIN "{ratings}" AS r ON r."{target}" = {alias}."id" AND r."user_id" = ?'
        join_params: list[Any] = [self.user_id]
        where: list[str] = []
        params: list[Any] = []
        if flt.rating in ("like", "dislike"):
            join, join_params = f'{join} AND r."rating" = ?', [self.user_id, 1 if flt.rating == "like" else -1]
        else:
            join = f"LEFT OUTER {join}"
            if flt.rating == "none":
                where.append('r."id" IS NULL')
        if made_by is not None:
            where.append(f'{alias}."user_id" = ?')
            params.append(made_by)
        if rated_by is not None:
            where.append(f'{alias}."id" IN (SELECT "{target}" FROM "{ratings}" WHERE "user_id" = ?)')
            params.append(rated_by)
        if flt.concept:
            where.append(f'{alias}."concept" LIKE ? {_ESCAPE}')
            params.append(_like(flt.concept))
        if flt.batch_id is not None:
            where.append(f'{alias}."batch_id" = ?')
            params.append(flt.batch_id)
        if flt.model:
            where.append(f'{alias}."model" = ?')
            params.append(flt.model)
        if flt.since:
            where.append(f'{alias}."{created}" >= ?')
            params.append(_time(flt.since))
        if flt.until:
            where.append(f'{alias}."{created}" < ?')
            params.append(_time(flt.until))
        if flt.tag:
            where.append(f'{alias}."batch_id" IN (SELECT "batch_id" FROM "batch_tags" WHERE "tag" = ?)')
            params.append(flt.tag)
        return join, join_params, where, params

    def _select(self, table: str, columns: tuple[str, ...], join: str, join_params: list[Any], where: list[str],
                params: list[Any], limit: int) -> list[tuple[Any, ...]]:
        listed = ", ".join(f't."{c}"' for c in columns)
        condition = f" WHERE {' AND '.join(where)}" if where else ""
        sql = f'SELECT {listed}, r."rating" FROM "{table}" AS t {join}{condition} ORDER BY t."id" DESC LIMIT ?'
        return self._rows(sql, [*join_params, *params, limit])

    def _images(self, flt: LibraryFilter, made_by: int | None, rated_by: int | None,
                limit: int) -> list[LibraryRow]:
        join, join_params, where, params = self._where("t", "image_ratings", flt, made_by, rated_by, "generated_at")
        return [make_row(("image", ident, stamp(created), concept, prompt or "{}", model, provider, rating,
                          local_path(path), thumbnail, aspect, width, height, None, batch, job, None, None))
                for (ident, created, concept, prompt, model, provider, path, thumbnail, aspect, width, height, batch,
                     job, rating) in self._select("generated_images", _IMAGE_COLUMNS, join, join_params, where,
                                                  params, limit)]

    def _assets(self, flt: LibraryFilter, kinds: list[str], made_by: int | None, rated_by: int | None,
                limit: int) -> list[LibraryRow]:
        join, join_params, where, params = self._where("t", "asset_ratings", flt, made_by, rated_by, "created_at")
        if set(kinds) != set(ASSET_KINDS):
            where.append(f't."kind" IN ({", ".join("?" * len(kinds))})')
            params.extend(kinds)
        return [asset_row(values, local_path)
                for values in self._select("assets", ASSET_COLUMNS, join, join_params, where, params, limit)]

    # ---- history, favourites, batches (library_pages' listings without a search) --------------------------

    def history(self, limit: int) -> list[HistoryRow]:
        rows = self._rows('SELECT "id", "concept", "prompt_count", "source", "model_used", "created_at" '
                          'FROM "history" WHERE "user_id" = ? ORDER BY "id" DESC LIMIT ?', [self.user_id, limit])
        return [HistoryRow(ident, concept, count, source, model, stamp(created))
                for ident, concept, count, source, model, created in rows]

    def favorites(self, limit: int) -> list[FavoriteRow]:
        rows = self._rows('SELECT "id", "name", "concept", "prompt", "created_at" FROM "favorites" '
                          'WHERE "user_id" = ? ORDER BY "id" DESC LIMIT ?', [self.user_id, limit])
        return [FavoriteRow(ident, name or "Untitled", concept, loads(prompt, {}), stamp(created))
                for ident, name, concept, prompt, created in rows]

    def batches(self, tag: str | None, query: str, limit: int) -> list[BatchRow]:
        """Batches newest first with their tags and output counts; `query`'s words each match the name, concept
        or module."""
        where: list[str] = ['"user_id" = ?']
        params: list[Any] = [self.user_id]
        if tag:
            where.append('"id" IN (SELECT "batch_id" FROM "batch_tags" WHERE "tag" = ?)')
            params.append(tag)
        for word in query.split():
            where.append("(" + " OR ".join(f'"{c}" LIKE ? {_ESCAPE}' for c in ("name", "concept", "module")) + ")")
            params.extend([_like(word)] * 3)
        found = self._rows('SELECT "id", "module", "name", "concept", "settings", "status", "cost_estimate_micros", '
                           f'"cost_actual_micros", "created_at" FROM "batches" WHERE {" AND ".join(where)} '
                           'ORDER BY "id" DESC LIMIT ?', [*params, limit])
        ids = [row[0] for row in found]
        tags: dict[int, list[str]] = {}
        counts: dict[int, int] = {}
        if ids:
            marks = ", ".join("?" * len(ids))
            tagged = f'SELECT "batch_id", "tag" FROM "batch_tags" WHERE "batch_id" IN ({marks})'
            for batch_id, text in self._rows(tagged, ids):
                tags.setdefault(batch_id, []).append(text)
            for table in ("generated_images", "assets"):
                counted = (f'SELECT "batch_id", COUNT(1) FROM "{table}" WHERE "batch_id" IN ({marks}) '
                           'GROUP BY "batch_id"')
                for batch_id, n in self._rows(counted, ids):
                    counts[batch_id] = counts.get(batch_id, 0) + n
        return [BatchRow(ident, module, name, concept, loads(settings, {}), status, dollars(estimate),
                         dollars(actual), stamp(created), tuple(sorted(tags.get(ident, ()))), counts.get(ident, 0))
                for ident, module, name, concept, settings, status, estimate, actual, created in found]

    # ---- jobs --------------------------------------------------------------------------------------------

    def jobs(self, batch_id: int | None, statuses: list[str] | None, limit: int | None) -> list[JobRecord]:
        """This person's jobs newest first, as `store.jobs.list(..., newest_first=True)` returns them."""
        from pixflow_tui.store.records import job_record  # the job record and its enums: only `jobs list` reads them

        where: list[str] = ['"user_id" = ?']
        params: list[Any] = [self.user_id]
        if batch_id is not None:
            where.append('"batch_id" = ?')
            params.append(batch_id)
        if statuses is not None:
            wanted = sorted(set(statuses))
            where.append(f'"status" IN ({", ".join("?" * len(wanted))})')
            params.extend(wanted)
        columns = ", ".join(f'"{c}"' for c in _JOB_COLUMNS)
        sql = f'SELECT {columns} FROM "jobs" WHERE {" AND ".join(where)} ORDER BY "id" DESC'
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        made = list(_JOB_COLUMNS.values())
        rows = [SimpleNamespace(**{name: value if convert is None else convert(value)
                                   for (name, convert), value in zip(made, row)}) for row in self._rows(sql, params)]
        prompts = self._image_prompts(rows)
        return [job_record(row, prompts.get) for row in rows]

    def _image_prompts(self, rows: list[SimpleNamespace]) -> dict[int, str]:
        """The prompts of the images these jobs' stored requests point at (store/job_requests.py), in one read."""
        from pixflow_tui.store.job_requests import image_holding_prompt

        wanted = sorted({found for row in rows if row.request and '"meta_prompt"' in row.request
                         if (found := image_holding_prompt(json.loads(row.request))) is not None})
        prompts: dict[int, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            prompts.update(self._rows(f'SELECT id, prompt FROM "generated_images" WHERE id IN '
                                      f'({", ".join("?" * len(chunk))})', chunk))
        return prompts
