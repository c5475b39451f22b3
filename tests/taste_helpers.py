"""Rated images for the taste tests: a batch made for a product, its images' prompts, and their ratings."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pixflow_tui.core.jobs import JobKind
from pixflow_tui.store import Store


def rated_images(store: Store, folder: Path, rated: list[tuple[dict[str, Any], int | None]],
                 product_id: int | None, **settings: Any) -> list[int]:
    """One image per (prompt, rating) in one batch recorded for `product_id`; None leaves an image unrated."""
    batch = store.batches.create(module="asset_monster", name="b", concept="fox",
                                 settings={"product_id": product_id, **settings})
    ids = []
    for n, (prompt, rating) in enumerate(rated):
        job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="demo-image", request={},
                                batch_id=batch.id, prompt_index=n)
        image = store.images.add(job_id=job.id, local_path=str(folder / f"{job.id}.png"), file_name=f"{job.id}.png",
                                 concept="fox", prompt=prompt, batch_id=batch.id, prompt_index=n,
                                 model="demo-image", aspect_ratio="3:4", resolution="2K", output_format="png")
        if rating is not None:
            store.ratings.set(image.id, rating)
        ids.append(image.id)
    return ids
