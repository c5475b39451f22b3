"""Jobs written straight to the ledger (as the paid-work door would) for the engine's reliability tests."""
from __future__ import annotations

from typing import Any

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind, JobState, MediaRequest
from pixflow_tui.store import Store

PRICE = 0.15


def add_image_jobs(store: Store, count: int, *, label: str = "study", files: dict[str, Any] | None = None,
                   provider: str = "fal") -> tuple[int, list[int]]:
    """A batch of `count` image jobs (the edit model when `files` are given); returns (batch id, job ids)."""
    batch = store.batches.create(module="asset_monster", name=label, cost_estimate=count * PRICE)
    model = catalog.IMAGE_EDIT_MODEL if files else catalog.IMAGE_MODEL
    ids = []
    for index in range(count):
        request = MediaRequest(JobKind.IMAGE, model, {"prompt": f"CRITICAL: {label} {index}", "resolution": "1K",
                                                      "aspect_ratio": "1:1", "num_images": 1}, dict(files or {}))
        job = store.jobs.create(kind=JobKind.IMAGE, provider=provider, model=model, request=request.to_dict(),
                                batch_id=batch.id, job_index=index, cost_estimate=PRICE)
        ids.append(job.id)
    return batch.id, ids


def add_finished_job(store: Store, kind: JobKind, url: str, content_type: str, file_name: str) -> int:
    """A job the provider already finished (state downloading, result stored, billed)."""
    _, (job_id,) = add_image_jobs(store, 1, label="finished")
    result = {"outputs": [{"url": url, "content_type": content_type, "file_name": file_name, "metadata": {}}]}
    store.jobs.update(job_id, kind=str(kind), status=JobState.DOWNLOADING, request_id="req-1", result=result,
                      cost=PRICE)
    return job_id


def states(store: Store, ids: list[int]) -> list[JobState]:
    return [store.jobs.get(job_id).status for job_id in ids]  # type: ignore[union-attr]
