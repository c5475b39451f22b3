"""Rated images as JSON Lines for dataset curation or fine-tuning: one line per rated image with its file, rating,
full structured prompt, settings, model and lineage; `read_export` reads such a file back (checked line by line)."""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pixflow_tui.core.formatting import iso_time
from pixflow_tui.store.records import BatchRecord
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError

FORMAT = "pixflow-ratings/1"
RATING_LABELS = {1: "liked", -1: "disliked"}
_REQUIRED = ("format", "image_id", "path", "rating", "prompt", "settings", "model", "lineage")


def _iso(value: datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return iso_time(value)  # stored naive UTC: written with its offset


def _batch(ctx: AppContext, batch_id: int | None, cache: dict[int, BatchRecord | None]) -> BatchRecord | None:
    if batch_id is None:
        return None
    if batch_id not in cache:
        cache[batch_id] = ctx.store.batches.get(batch_id)
    return cache[batch_id]


def rated_lines(ctx: AppContext) -> Iterator[dict[str, Any]]:
    """The export's lines, oldest rating first, read a thousand ratings at a time."""
    products = {p.id: p.name for p in ctx.store.products()}
    batches: dict[int, BatchRecord | None] = {}
    chunk: list[tuple[Any, ...]] = []

    def lines_of(rows: list[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
        images = {image.id: image for image in ctx.store.images.get_many([row[0] for row in rows])}
        for image_id, rating, notes, rated_at, updated_at in rows:
            image = images.get(image_id)
            if image is None:
                continue
            batch = _batch(ctx, image.batch_id, batches)
            batch_settings = batch.settings if batch else {}
            product_id = batch_settings.get("product_id")
            yield {
                "format": FORMAT, "image_id": image.id, "path": image.local_path, "file_name": image.file_name,
                "rating": rating, "label": RATING_LABELS[rating], "notes": notes, "rated_at": _iso(rated_at),
                "updated_at": _iso(updated_at), "concept": image.concept, "prompt": image.prompt,
                "product": products.get(product_id) if isinstance(product_id, int) else None,
                "settings": {"aspect_ratio": image.aspect_ratio, "resolution": image.resolution,
                             "output_format": image.output_format, "width": image.width, "height": image.height,
                             "references": batch_settings.get("references", []),
                             "variants": batch_settings.get("variants")},
                "model": image.model, "provider": image.provider, "generated_at": _iso(image.generated_at),
                "lineage": {"batch_id": image.batch_id, "job_id": image.job_id, "module": batch.module if batch else None,
                            "prompt_index": image.prompt_index, "variant_index": image.variant_index,
                            **{k: v for k, v in batch_settings.items()
                               if k in ("source", "history_id", "favorite_id") or k.startswith("source_")}},
            }

    for row in ctx.store.taste.rated_rows():
        chunk.append(row)
        if len(chunk) >= 1000:
            yield from lines_of(chunk)
            chunk = []
    if chunk:
        yield from lines_of(chunk)


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    lines: int
    liked: int
    disliked: int


def export_ratings(ctx: AppContext, destination: str | Path) -> ExportSummary:
    """Write every rated image of the person to `destination` (JSON Lines), replacing it only once complete."""
    path = Path(destination).expanduser()
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name such as {path / 'ratings.jsonl'}")
    if not path.parent.is_dir():
        raise InputError(f"the folder {path.parent} does not exist")
    counts = {1: 0, -1: 0}
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for line in rated_lines(ctx):
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                counts[line["rating"]] += 1
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return ExportSummary(path, counts[1] + counts[-1], counts[1], counts[-1])


def read_export(source: str | Path) -> list[dict[str, Any]]:
    """The lines of a ratings export; InputError names the first line that is not one."""
    path = Path(source).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError as exc:
            raise InputError(f"{path} line {number} is not JSON: {exc}") from None
        missing = [key for key in _REQUIRED if not isinstance(line, dict) or key not in line]
        if missing or line.get("format") != FORMAT or line.get("rating") not in RATING_LABELS:
            raise InputError(f"{path} line {number} is not a Pixflow ratings line "
                             f"({'missing ' + ', '.join(missing) if missing else 'unknown format or rating'})")
        lines.append(line)
    return lines
