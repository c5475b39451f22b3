"""Listings for one-shot commands (`pixflow library images --json`, `pixflow jobs list`), read from the database
file alone when that is enough (store/quick_read.py): no peewee, no store set-up, no AppContext. A function answers
None when the store is needed (a search, a database URL, a database to create, migrate or seed, an SQLite error);
the caller then opens the store (library_queries.py, store.jobs), which shows the same rows or says what is
wrong."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pixflow_tui.config import Settings
from pixflow_tui.store.library_records import BatchRow, FavoriteRow, HistoryRow, LibraryFilter, LibraryRow
from pixflow_tui.store.quick_read import QuickReader, QuickReadError
from pixflow_tui.workflows.errors import InputError

T = TypeVar("T")


def _read(settings: Settings, read: Callable[[QuickReader], T]) -> T | None:
    if settings.database_url:
        return None
    reader = QuickReader.open(settings.database_path.expanduser(), settings.user, settings.outputs_root)
    if reader is None:
        return None
    try:
        return read(reader)
    except QuickReadError:
        return None
    finally:
        reader.close()


def quick_outputs(settings: Settings, flt: LibraryFilter, limit: int) -> list[LibraryRow] | None:
    """The newest `limit` outputs matching `flt` as the Library lists them, or None (see the module)."""
    if flt.query.strip():
        return None

    def read(reader: QuickReader) -> list[LibraryRow]:
        check_people(flt, lambda name: reader.person(name) != 0, reader.people)
        return reader.outputs(flt, limit)

    rows = _read(settings, read)
    return None if rows is None else [shown_here(settings, row) for row in rows]


def quick_history(settings: Settings, limit: int) -> list[HistoryRow] | None:
    """The newest `limit` history entries (no search), or None."""
    return _read(settings, lambda reader: reader.history(limit))


def quick_favorites(settings: Settings, limit: int) -> list[FavoriteRow] | None:
    """The newest `limit` favourites (no search), or None."""
    return _read(settings, lambda reader: reader.favorites(limit))


def quick_batches(settings: Settings, tag: str | None, query: str, limit: int) -> list[BatchRow] | None:
    """The newest `limit` batches (with this tag, matching the words of `query`), or None."""
    return _read(settings, lambda reader: reader.batches(tag, query, limit))


def quick_jobs(settings: Settings, batch_id: int | None, status: str | None,
               limit: int | None) -> list[dict[str, Any]] | None:
    """This person's jobs newest first (of a batch, in a state) as `job_summary`s, or None."""
    from pixflow_tui.workflows.job_views import job_summary  # the job enums: only the jobs listing needs them

    statuses = None if status is None else [status]
    jobs = _read(settings, lambda reader: reader.jobs(batch_id, statuses, limit))
    return None if jobs is None else [job_summary(job) for job in jobs]


def check_people(flt: LibraryFilter, known: Callable[[str], bool], names: Callable[[], list[str]]) -> None:
    """An InputError naming a "made by" / "rated by" person nobody in this library is called."""
    for what, name in (("made by", flt.made_by), ("rated by", flt.rated_by)):
        if name is not None and not known(name):
            raise InputError(f"{what} {name!r}: nobody of that name uses this library (people: {', '.join(names())})")


def shown_here(settings: Settings, row: LibraryRow) -> LibraryRow:
    """The row with a thumbnail this machine has: another machine sharing the library stored its own."""
    found = thumbnail_here(settings, row.local_path, row.thumbnail, row.kind)
    return row if found == row.thumbnail else dataclasses.replace(row, thumbnail=found)


def thumbnail_here(settings: Settings, output: str, stored: str | None, kind: str) -> str | None:
    """The stored thumbnail when this machine has it, else one made here (`engine.outputs.local_thumbnail`); None
    for an image without one (the image itself is shown). Blocking when one is made: call it from a thread."""
    if stored is None and kind == "image" or stored and Path(stored).exists():
        return stored  # the common case, without loading the media decoders
    from pixflow_tui.engine.outputs import local_thumbnail  # av and Pillow: only when one is missing

    return local_thumbnail(settings.thumbnails_dir, output, stored, kind)
