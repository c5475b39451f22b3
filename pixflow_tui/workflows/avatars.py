"""Avatar Studio's avatars: the gallery (a curated folder, generated avatars, Library images marked as avatars),
generation through the one door for paid work, and the green-box check."""
from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pixflow_tui.core import avatars as rules
from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind, MediaRequest
from pixflow_tui.core.requests import checked_request
from pixflow_tui.store import ImageFilter
from pixflow_tui.store.records import ImageRecord
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError, check_image_file
from pixflow_tui.workflows.paid_work import NewBatch, NewJob, PaidPlan, plan_work
from pixflow_tui.workflows.quick_reads import thumbnail_here

MODULE = "avatar_studio"
AVATAR_KIND = "avatar"  # an asset of this kind marks a Library image as an avatar
SOURCES = ("curated", "generated", "library")
EDGE_SAMPLES = 24  # per side
MIN_CHECK_SIDE = 8  # pixels, after shrinking to 256: less has no border to speak of


@dataclass(frozen=True)
class Avatar:
    key: str  # "file:<path>" for a curated file, "image:<id>" for a generated or marked Library image
    path: str
    name: str
    source: str  # curated | generated | library
    image_id: int | None = None
    thumbnail: str | None = None

    def describe(self) -> dict[str, Any]:
        return {"key": self.key, "path": self.path, "name": self.name, "source": self.source,
                "image_id": self.image_id}


@dataclass(frozen=True)
class GreenCheck:
    share: float  # of the edge samples that are backdrop green

    @property
    def ok(self) -> bool:
        return self.share >= rules.GREEN_SHARE_NEEDED

    def describe(self) -> str:
        if self.ok:
            return f"green box: yes ({self.share:.0%} of the border is backdrop green)"
        return (f"green box: no (only {self.share:.0%} of the border is backdrop green); make a green-box version "
                "to lipsync it cleanly")


# ---- the gallery ----------------------------------------------------------------------------------------


def gallery(ctx: AppContext, limit: int = 500) -> list[Avatar]:
    """Curated files first (by name), then generated avatars and marked Library images (newest first)."""
    folder = ctx.settings.avatars_folder
    found: list[Avatar] = []
    if folder.is_dir():
        for path in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
            if path.is_file() and path.suffix.lower() in rules.IMAGE_SUFFIXES and not path.name.startswith("."):
                found.append(Avatar(f"file:{path}", str(path), path.stem, "curated"))
    seen: set[int] = set()
    for batch in ctx.store.batches.list(module=MODULE, limit=limit):
        for image in ctx.store.images.list(ImageFilter(batch_id=batch.id), limit=limit):
            if image.id not in seen and Path(image.local_path).is_file():
                seen.add(image.id)
                found.append(Avatar(f"image:{image.id}", image.local_path, image.concept or image.file_name,
                                    "generated", image.id, _thumbnail(ctx, image)))
    for asset in ctx.store.assets.list(kind=AVATAR_KIND, limit=limit):
        source = ctx.store.images.get(asset.source_image_id) if asset.source_image_id else None
        if source is not None and source.id not in seen and Path(source.local_path).is_file():
            seen.add(source.id)
            found.append(Avatar(f"image:{source.id}", source.local_path, source.concept or source.file_name, "library",
                                source.id, _thumbnail(ctx, source)))
    return found[:limit]


def _thumbnail(ctx: AppContext, image: ImageRecord) -> str | None:
    """The image's thumbnail when this machine has it (another one sharing the library stored its own), else None:
    the gallery shows the image itself."""
    return thumbnail_here(ctx.settings, image.local_path, image.thumbnail_path, "image")


def empty_gallery_hint(ctx: AppContext) -> str:
    return (f"No avatars yet. Copy portrait images into {ctx.settings.avatars_folder}, mark a Library image as an "
            "avatar, or generate some (g).")


def find_avatar(ctx: AppContext, key: str) -> Avatar:
    for avatar in gallery(ctx):
        if avatar.key == key or avatar.path == key:
            return avatar
    raise InputError(f"there is no avatar {key} (see `pixflow avatars list`)")


def import_avatar(ctx: AppContext, path: str | Path) -> Avatar:
    """Copy an image into the curated folder (a new name when one is taken); the original stays where it was."""
    source = check_image_file(path, what="avatar image")
    folder = ctx.settings.avatars_folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / source.name
        counter = 2
        while target.exists():
            target = folder / f"{source.stem} {counter}{source.suffix}"
            counter += 1
        shutil.copy2(source, target)
    except OSError as exc:
        raise InputError(f"cannot copy {source.name} into {folder}: {exc.strerror or exc}") from None
    return Avatar(f"file:{target}", str(target), target.stem, "curated")


def mark_as_avatar(ctx: AppContext, image_id: int) -> Avatar:
    """Offer a Library image in the avatar gallery (the image itself stays where it is)."""
    image = ctx.store.images.get(image_id)
    if image is None:
        raise InputError(f"there is no image {image_id}")
    if not ctx.store.assets.list(kind=AVATAR_KIND, source_image_id=image_id, limit=1):
        ctx.store.assets.add(kind=AVATAR_KIND, local_path=image.local_path, source_image=image_id,
                             concept=image.concept, metadata={"concept": image.concept, "marked": True})
    return next((a for a in gallery(ctx) if a.image_id == image_id),
                Avatar(f"image:{image.id}", image.local_path, image.concept or image.file_name, "library", image.id,
                       _thumbnail(ctx, image)))


# ---- the green box --------------------------------------------------------------------------------------


def green_check(path: str | Path) -> GreenCheck:
    """Sample the image's border: a lipsync avatar should stand on backdrop green."""
    from PIL import Image

    file = check_image_file(path, what="avatar image")
    with Image.open(file) as opened:
        image = opened.convert("RGB")
        image.thumbnail((256, 256))
    width, height = image.size
    if min(width, height) < MIN_CHECK_SIDE:
        raise InputError(f"{file.name} is too small or too narrow ({opened.width}×{opened.height}) to check its "
                         "border for backdrop green")
    xs = [round(i * (width - 1) / (EDGE_SAMPLES - 1)) for i in range(EDGE_SAMPLES)]
    ys = [round(i * (height - 1) / (EDGE_SAMPLES - 1)) for i in range(EDGE_SAMPLES)]
    border = ([(x, 1) for x in xs] + [(x, height - 2) for x in xs] + [(1, y) for y in ys]
              + [(width - 2, y) for y in ys])
    return GreenCheck(rules.green_share(image.getpixel(point) for point in border))  # type: ignore[misc]


# ---- generating (paid: through the door) -----------------------------------------------------------------


def _avatar_request(prompt: str, options: dict[str, str], reference: str | None) -> MediaRequest:
    arguments: dict[str, Any] = {
        "prompt": prompt, "aspect_ratio": rules.AVATAR_ASPECT_RATIO, "output_format": rules.AVATAR_FORMAT,
        "resolution": rules.AVATAR_FROM_REFERENCE_RESOLUTION if reference else rules.AVATAR_RESOLUTION,
        "num_images": 1, "seed": random.randrange(1, 2**31),
    }
    files: dict[str, list[str] | str] = {"image_urls": [reference]} if reference else {}
    concept = "avatar · " + " ".join(options.values()) if options else "avatar · green-box version"
    return checked_request(JobKind.IMAGE, catalog.image_model_for(1 if reference else 0), arguments, files,
                           {"module": MODULE, "concept": concept, "avatar": options,
                            "prompt": {"style": prompt}, **({"source_path": reference} if reference else {})})


def plan_avatars(ctx: AppContext, *, gender: str, age: str, ethnicity: str = "any", outfit: str = "casual",
                 count: int = 1, reference: str | Path | None = None) -> PaidPlan:
    """`count` (1–4) waist-up portraits on backdrop green, each with its own seed and expression; with a
    reference photo the edit model makes them from it (at 2K)."""
    if not 1 <= count <= rules.MAX_AVATARS_PER_RUN:
        raise InputError(f"make 1–{rules.MAX_AVATARS_PER_RUN} avatars at a time, not {count}")
    options = {"gender": gender, "age": age, "ethnicity": ethnicity, "outfit": outfit}
    try:
        prompts = [rules.avatar_prompt(gender, age, ethnicity, outfit, variant) for variant in range(count)]
    except ValueError as exc:
        raise InputError(str(exc)) from None
    ref = str(check_image_file(reference, what="reference photo")) if reference else None
    provider = ctx.media_provider_name
    jobs = [NewJob(_avatar_request(prompt, options, ref), provider) for prompt in prompts]
    name = "Avatars · " + " ".join(rules.option(kind, value).label for kind, value in options.items())
    return plan_work(ctx, jobs, batch=NewBatch(MODULE, name, "avatars", {"avatar": options, "reference": ref}),
                     action="generate avatars")


def plan_green_version(ctx: AppContext, avatar_path: str | Path) -> PaidPlan:
    """A green-box version of an avatar from the image itself (the original is kept)."""
    source = str(check_image_file(avatar_path, what="avatar image"))
    job = NewJob(_avatar_request(rules.GREEN_VERSION_PROMPT, {}, source), ctx.media_provider_name)
    return plan_work(ctx, [job], batch=NewBatch(MODULE, f"Green-box version · {Path(source).name}", "avatars",
                                                {"green_version_of": source}), action="make a green-box version")
