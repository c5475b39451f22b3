"""The Library's service: paged listings of every tab, search with filters, and the actions on what they list.

Both front ends call these; the TUI from thread workers. Outputs are named by key: "image:12" or "asset:3".
"""
from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pixflow_tui.store.library_records import (
    ASSET_KINDS,
    LIBRARY_KINDS,
    BatchRow,
    Cursor,
    FavoriteRow,
    HistoryRow,
    LibraryFilter,
    LibraryRow,
    Page,
)
from pixflow_tui.workflows import quick_reads
from pixflow_tui.workflows.errors import InputError
from pixflow_tui.workflows.quick_reads import shown_here

__all__ = [
    "ASSET_KINDS", "LIBRARY_KINDS", "RATING_FILTERS", "BatchRow", "Cursor", "FavoriteRow", "HistoryRow",
    "LibraryFilter", "LibraryRow", "Page", "parse_dates", "describe_filter",
]

if TYPE_CHECKING:  # pydantic, the store's records and the export's zipfile load only where they are used
    from pixflow_tui.core.prompt_schema import PromptOutput
    from pixflow_tui.store.records import HistoryRecord
    from pixflow_tui.workflows.context import AppContext
    from pixflow_tui.workflows.library import ExportResult

PAGE_SIZE = 60
RATING_FILTERS = ("any", "like", "dislike", "none")


# ---- listings ------------------------------------------------------------------------------------------

def outputs_page(ctx: AppContext, flt: LibraryFilter, after: Cursor | None = None,
                 limit: int = PAGE_SIZE) -> Page[LibraryRow]:
    """Every output (images, videos, audio, lipsync, avatars) matching `flt`, newest first."""
    return _shown_here(ctx, ctx.store.library.outputs(flt, after=after, limit=limit))


def liked_page(ctx: AppContext, query: str = "", after: Cursor | None = None,
               limit: int = PAGE_SIZE) -> Page[LibraryRow]:
    """Outputs rated +1, images and assets (the Liked tab)."""
    return _shown_here(ctx, ctx.store.library.outputs(LibraryFilter(query=query, rating="like"), after=after,
                                                      limit=limit))


def _shown_here(ctx: AppContext, page: Page[LibraryRow]) -> Page[LibraryRow]:
    return dataclasses.replace(page, rows=[shown_here(ctx.settings, row) for row in page.rows])


def count_outputs(ctx: AppContext, flt: LibraryFilter, cap: int = 10_000) -> int:
    return ctx.store.library.count_outputs(flt, cap)


def history_page(ctx: AppContext, query: str = "", after: int | None = None,
                 limit: int = PAGE_SIZE) -> Page[HistoryRow]:
    return ctx.store.library.history(query=query, after=after, limit=limit)


def favorites_page(ctx: AppContext, query: str = "", after: int | None = None,
                   limit: int = PAGE_SIZE) -> Page[FavoriteRow]:
    return ctx.store.library.favorites(query=query, after=after, limit=limit)


def batches_page(ctx: AppContext, *, tag: str | None = None, query: str = "", after: int | None = None,
                 limit: int = PAGE_SIZE) -> Page[BatchRow]:
    return ctx.store.library.batches(tag=tag, query=query, after=after, limit=limit)


def output(ctx: AppContext, key: str) -> LibraryRow | None:
    row = ctx.store.library.output(key)
    return shown_here(ctx.settings, row) if row is not None else None


def models(ctx: AppContext) -> list[str]:
    return ctx.store.library.models()


def people_names(ctx: AppContext) -> list[str]:
    """Everyone using this library, for the "made by" / "rated by" filters."""
    return [person.name for person in ctx.store.users.list()]


def tags(ctx: AppContext) -> list[str]:
    return ctx.store.batches.all_tags()


# ---- filters -------------------------------------------------------------------------------------------

_RELATIVE = re.compile(r"^(\d+)\s*([dwmy])$")
_UNITS = {"d": 1, "w": 7, "m": 30, "y": 365}


def _day(text: str, what: str) -> datetime:
    for pattern in ("%Y-%m-%d", "%Y-%m"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise InputError(f"{what} {text!r} is not a date; use YYYY-MM-DD")


def parse_dates(text: str, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """A date range as typed: "7d" / "2w" / "3m" / "1y" (the last days), "today", "yesterday", "2024-05"
    (that month), "2024-05-01" (that day), "2024-05-01..2024-06-15" (inclusive; either side may be empty).
    Returns (since, until) with `until` exclusive; ("", None) for an empty text. Times are UTC like the rows."""
    text = text.strip().lower()
    now = now or datetime.utcnow()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if not text:
        return None, None
    if text == "today":
        return today, None
    if text == "yesterday":
        return today - timedelta(days=1), today
    relative = _RELATIVE.match(text)
    if relative:
        return today - timedelta(days=int(relative.group(1)) * _UNITS[relative.group(2)] - 1), None
    if ".." in text:
        start, _, end = text.partition("..")
        since = _day(start.strip(), "start") if start.strip() else None
        until = _day(end.strip(), "end") + timedelta(days=1) if end.strip() else None
        if since and until and since >= until:
            raise InputError("the range ends before it starts")
        return since, until
    first = _day(text, "date")
    if len(text) == 7:  # a month
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return first, following
    return first, first + timedelta(days=1)


def check_people(ctx: AppContext, flt: LibraryFilter) -> None:
    """An InputError naming a "made by" / "rated by" person nobody in this library is called."""
    quick_reads.check_people(flt, lambda name: ctx.store.users.by_name(name) is not None,
                               lambda: [p.name for p in ctx.store.users.list()])


def describe_filter(flt: LibraryFilter) -> str:
    """One line for the filter bar: only what narrows the list."""
    parts = []
    if flt.rating != "any":
        parts.append({"like": "liked", "dislike": "disliked", "none": "unrated"}[flt.rating])
    if flt.kinds and set(flt.kinds) != set(LIBRARY_KINDS):
        parts.append("kind: " + ", ".join(flt.kinds))
    if flt.concept:
        parts.append(f"concept ~ {flt.concept}")
    if flt.batch_id is not None:
        parts.append(f"batch {flt.batch_id}")
    if flt.model:
        parts.append(f"model {flt.model}")
    if flt.tag:
        parts.append(f"tag #{flt.tag}")
    if flt.made_by:
        parts.append(f"made by {flt.made_by}")
    if flt.rated_by:
        parts.append(f"rated by {flt.rated_by}")
    if flt.since or flt.until:
        since = flt.since.strftime("%Y-%m-%d") if flt.since else "…"
        until = (flt.until - timedelta(days=1)).strftime("%Y-%m-%d") if flt.until else "now"
        parts.append(f"{since} → {until}")
    return " · ".join(parts) if parts else "no filters"


# ---- history and favourites --------------------------------------------------------------------------

def history_prompts(ctx: AppContext, history_id: int) -> tuple[str, list[PromptOutput]]:
    entry, prompts = _history_entry(ctx, history_id)
    return entry.concept, prompts


def _history_entry(ctx: AppContext, history_id: int) -> tuple[HistoryRecord, list[PromptOutput]]:
    from pixflow_tui.core.prompt_schema import PromptParseError, parse_prompt

    entry = ctx.store.history.get(history_id)
    if entry is None:
        raise InputError(f"there is no history entry {history_id}")
    prompts = []
    for item in entry.prompts:
        try:
            prompts.append(parse_prompt(item.get("prompt", item) if isinstance(item, dict) else item))
        except PromptParseError:
            continue
    if not prompts:
        raise InputError(f"history entry {history_id} has no readable prompts")
    return entry, prompts


def send_history(ctx: AppContext, history_id: int) -> int:
    """Put a history entry's prompts in Prompt Factory's mailbox (`ctx.handoff.take_history()`); the caller
    switches to Prompt Factory. Returns how many prompts were sent."""
    entry, prompts = _history_entry(ctx, history_id)
    taste = (entry.quality_metrics or {}).get("taste") or {}
    ctx.handoff.send_history(entry.concept, prompts, history_id, entry.source, research=entry.research,
                             taste=taste.get("guidance"))
    return len(prompts)


def delete_history(ctx: AppContext, history_id: int) -> None:
    if not ctx.store.history.delete(history_id):
        raise InputError(f"there is no history entry {history_id}")


def clear_history(ctx: AppContext) -> int:
    return ctx.store.history.clear()


def favorite_prompt(ctx: AppContext, favorite_id: int) -> tuple[str, PromptOutput]:
    return _favorite_prompt(ctx, favorite_id)[:2]


def _favorite_prompt(ctx: AppContext, favorite_id: int) -> tuple[str, PromptOutput, int | None]:
    """(concept, prompt, product id) of a favourite; InputError when there is none or it holds no prompt."""
    from pixflow_tui.core.prompt_schema import PromptParseError, parse_prompt

    favorite = ctx.store.favorites.get(favorite_id)
    if favorite is None:
        raise InputError(f"there is no favourite {favorite_id}")
    try:
        return favorite.concept or favorite.name, parse_prompt(favorite.prompt), favorite.product_id
    except PromptParseError as exc:
        raise InputError(f"favourite {favorite.name!r} does not hold a valid prompt: {exc}") from None


def send_favorites(ctx: AppContext, favorite_ids: list[int]) -> int:
    """Send favourites' prompts to Asset Monster (its prompt mailbox); returns how many were sent."""
    sent = 0
    for favorite_id in favorite_ids:
        concept, prompt, product_id = _favorite_prompt(ctx, favorite_id)
        ctx.handoff.send_prompts(concept, [prompt], origin="favorite", product_id=product_id)
        sent += 1
    return sent


def rename_favorite(ctx: AppContext, favorite_id: int, name: str) -> None:
    if ctx.store.favorites.get(favorite_id) is None:
        raise InputError(f"there is no favourite {favorite_id}")
    try:
        ctx.store.favorites.rename(favorite_id, name)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def delete_favorite(ctx: AppContext, favorite_id: int) -> None:
    if not ctx.store.favorites.delete(favorite_id):
        raise InputError(f"there is no favourite {favorite_id}")


# ---- batches -------------------------------------------------------------------------------------------

def add_tag(ctx: AppContext, batch_id: int, tag: str) -> list[str]:
    tag = tag.strip().lstrip("#").strip()
    if not tag or len(tag) > 40 or any(c.isspace() for c in tag):
        raise InputError("a tag is one word of 1–40 characters")
    if ctx.store.batches.get(batch_id) is None:
        raise InputError(f"there is no batch {batch_id}")
    ctx.store.batches.add_tag(batch_id, tag)
    return ctx.store.batches.tags(batch_id)


def remove_tag(ctx: AppContext, batch_id: int, tag: str) -> list[str]:
    tags_now = ctx.store.batches.tags(batch_id)
    if tag not in tags_now:
        raise InputError(f"batch {batch_id} has no tag {tag!r}")
    ctx.store.batches.remove_tag(batch_id, tag)
    return ctx.store.batches.tags(batch_id)


# ---- actions on outputs ---------------------------------------------------------------------------------

def _image_id(key: str) -> int:
    table, _, ident = key.partition(":")
    if table != "image" or not ident.isdigit():
        raise InputError("only an image can be favourited or be an avatar")
    return int(ident)


def _rated_key(key: str) -> tuple[str, int]:
    """An output key's table ("image" or "asset") and id: every output can be rated."""
    table, _, ident = key.partition(":")
    if table not in ("image", "asset") or not ident.isdigit():
        raise InputError(f"{key!r} is not an output")
    return table, int(ident)


def rate_output(ctx: AppContext, key: str, rating: str) -> int | None:
    """like / dislike / clear an output by its Library key (the one rating action: `library.rate_image`, or
    `library.rate_asset` for "asset:" keys)."""
    from pixflow_tui.workflows.library import rate_asset, rate_image

    table, ident = _rated_key(key)
    return rate_image(ctx, ident, rating) if table == "image" else rate_asset(ctx, ident, rating)


def rate_output_now(ctx: AppContext, key: str, rating: str) -> bool:
    """`rate_output` on the UI thread, waiting at most 10 ms for another writer; False when the database was busy
    (then rate from a thread). One indexed write takes about a millisecond; a rating key must land in a frame."""
    from pixflow_tui.workflows.library import rate_asset_now, rate_image_now

    table, ident = _rated_key(key)
    return rate_image_now(ctx, ident, rating) if table == "image" else rate_asset_now(ctx, ident, rating)


def mark_output_as_avatar(ctx: AppContext, key: str) -> str:
    """Offer an image in Avatar Studio's gallery; returns its name there."""
    from pixflow_tui.workflows.avatars import mark_as_avatar

    return mark_as_avatar(ctx, _image_id(key)).name


def favorite_output(ctx: AppContext, key: str, name: str = "") -> str:
    """Favourite an image's prompt under `name` (its concept or file name when empty); returns the name."""
    from pixflow_tui.workflows.library import favorite_image_prompt

    return favorite_image_prompt(ctx, _image_id(key), name).name


def send_to_img2video(ctx: AppContext, keys: list[str]) -> int:
    """Queue images for Img2Video (a video sends the image it was made from); returns how many were sent."""
    paths = []
    for key in keys:
        row = ctx.store.library.output(key)
        if row is not None and row.kind != "image" and row.source_image_id is not None:
            row = ctx.store.library.output(f"image:{row.source_image_id}")
        if row is not None and row.kind == "image" and Path(row.local_path).is_file():
            paths.append(row.local_path)
    if not paths:
        raise InputError("nothing to send: Img2Video takes images (their files must still exist)")
    ctx.handoff.send_images(paths)
    return len(paths)


def export_outputs(ctx: AppContext, keys: list[str], destination: str | Path) -> ExportResult:
    """A zip of the outputs: image files with their prompts and ratings, plus video and audio files."""
    from pixflow_tui.workflows.library import export_zip

    images, extra = [], []
    for key in keys:
        table, _, ident = key.partition(":")
        if table == "image" and ident.isdigit():
            image = ctx.store.images.get(int(ident))
            if image is not None:
                images.append(image)
        else:
            row = ctx.store.library.output(key)
            if row is not None:
                extra.append(Path(row.local_path))
    return export_zip(ctx, images, destination, extra_files=extra)


def default_export_path(ctx: AppContext, count: int) -> Path:
    from pixflow_tui.workflows.exports import exports_folder

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return exports_folder(ctx) / f"library-{count}-{stamp}.zip"
