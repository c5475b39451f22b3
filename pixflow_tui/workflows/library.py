"""Curating outputs: ratings, favourites from images, and zip exports with prompts and ratings."""
from __future__ import annotations

import contextlib
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pixflow_tui.core.formatting import iso_time
from pixflow_tui.store import ImageFilter
from pixflow_tui.store.records import FavoriteRecord, ImageRecord
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.exports import free_path
from pixflow_tui.workflows.inputs import InputError

RATINGS = {"like": 1, "dislike": -1, "clear": None}


def rating_value(rating: str | int | None) -> int | None:
    """like / dislike / clear (or 1 / -1 / 0 / None) as the stored value."""
    if isinstance(rating, str):
        if rating not in RATINGS:
            raise InputError(f"rating {rating!r} is not one of like, dislike, clear")
        return RATINGS[rating]
    if rating not in (1, -1, 0, None):
        raise InputError(f"rating {rating!r} is not one of like, dislike, clear")
    return rating or None


def rate_image(ctx: AppContext, image_id: int, rating: str | int | None) -> int | None:
    """The one rating action (every screen, the viewer and the CLI): set or clear the user's rating of an image
    in a single write; returns the stored value."""
    value = rating_value(rating)
    if not ctx.store.ratings.set(image_id, value) or (value is None and ctx.store.images.get(image_id) is None):
        raise InputError(f"there is no image {image_id}")
    return value


def rate_image_now(ctx: AppContext, image_id: int, rating: str | int | None) -> bool:
    """`rate_image` for the UI thread: waits at most 10 ms for another writer; False when the database was busy."""
    done = ctx.store.ratings.set_now(image_id, rating_value(rating))
    if done is False:
        raise InputError(f"there is no image {image_id}")
    return done is True


def rate_asset(ctx: AppContext, asset_id: int, rating: str | int | None) -> int | None:
    """`rate_image` for a video, audio, lipsync or avatar: the same action over the same writer."""
    value = rating_value(rating)
    if not ctx.store.ratings.set_asset(asset_id, value):
        raise InputError(f"there is no asset {asset_id}")
    return value


def rate_asset_now(ctx: AppContext, asset_id: int, rating: str | int | None) -> bool:
    """`rate_asset` for the UI thread: waits at most 10 ms for another writer; False when the database was busy."""
    done = ctx.store.ratings.set_now(asset_id, rating_value(rating), table="asset")
    if done is False:
        raise InputError(f"there is no asset {asset_id}")
    return done is True


def favorite_image_prompt(ctx: AppContext, image_id: int, name: str = "",
                          product_id: int | None = None) -> FavoriteRecord:
    image = ctx.store.images.get(image_id)
    if image is None:
        raise InputError(f"there is no image {image_id}")
    return ctx.store.favorites.add(prompt=image.prompt, name=" ".join(name.split()) or image.concept
                                   or image.file_name, concept=image.concept, product_id=product_id)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    files: int
    missing: list[str]


def images_for_export(ctx: AppContext, *, batch_id: int | None = None,
                      image_ids: list[int] | None = None) -> list[ImageRecord]:
    if image_ids:
        found = [ctx.store.images.get(i) for i in image_ids]
        missing = [str(i) for i, image in zip(image_ids, found, strict=True) if image is None]
        if missing:
            raise InputError(f"no image with id {', '.join(missing)}")
        return [i for i in found if i is not None]
    if batch_id is not None:
        return ctx.store.images.list(ImageFilter(batch_id=batch_id), limit=100_000)
    raise InputError("say what to export: a batch or some images")


def export_zip(ctx: AppContext, images: list[ImageRecord], destination: str | Path, *,
               extra_files: list[Path] | None = None) -> ExportResult:
    """A zip of the image files plus `prompts.json` (prompt, concept, settings, rating per image).

    Written to a temporary name first so a full disk never leaves a half zip under the real name; an existing
    file is never overwritten (a free name beside it is taken, `ExportResult.path` says which)."""
    if not images and not extra_files:
        raise InputError("there is nothing to export")
    target = Path(destination).expanduser()
    if target.suffix.lower() != ".zip":
        target = target.with_suffix(".zip")
    target = free_path(target)
    temporary = target.with_name(f".{target.name}.part")
    entries: list[dict[str, Any]] = []
    missing: list[str] = []
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED) as archive:
            for image in images:
                source = Path(image.local_path)
                name: str | None = f"images/{source.name}"
                if source.is_file():
                    archive.write(source, name)
                else:
                    missing.append(str(source))
                    name = None
                entries.append({"image_id": image.id, "file": name, "concept": image.concept,
                                "prompt": image.prompt, "rating": image.rating, "model": image.model,
                                "provider": image.provider, "aspect_ratio": image.aspect_ratio,
                                "resolution": image.resolution, "batch_id": image.batch_id,
                                "generated_at": iso_time(image.generated_at)})
            for extra in extra_files or []:
                if extra.is_file():
                    archive.write(extra, f"files/{extra.name}")
                else:
                    missing.append(str(extra))
            manifest = {"exported_at": datetime.now(timezone.utc).isoformat(), "images": entries,
                        "demo": any(i.provider == "demo" for i in images)}
            archive.writestr("prompts.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        temporary.replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):  # the folder itself may be what is missing or unwritable
            temporary.unlink(missing_ok=True)
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return ExportResult(target, len(images) - len(missing), missing)
