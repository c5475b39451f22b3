"""Download a finished job's outputs, check them, embed their metadata, and prepare their database rows."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import httpx

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.engine import outputs
from pixflow_tui.engine.download import (
    StorageError,
    fetch,
    storage_reason,
    temp_file_beside,
)
from pixflow_tui.providers.base import ProviderError
from pixflow_tui.providers.offload import run_in_process
from pixflow_tui.store import Store
from pixflow_tui.store.records import JobRecord

log = logging.getLogger(__name__)

_ASSET_KINDS = {JobKind.VIDEO: "video", JobKind.SPEECH: "audio", JobKind.LIPSYNC: "lipsync"}
_FALLBACK_EXT = {JobKind.IMAGE: ".png", JobKind.VIDEO: ".mp4", JobKind.SPEECH: ".mp3", JobKind.LIPSYNC: ".mp4"}


@dataclass
class SaveOutcome:
    error: str | None = None
    first_path: str | None = None
    rows: list[Callable[[], Any]] = field(default_factory=list)

    def record(self) -> None:
        """Write the output rows (call inside the transaction that marks the job done)."""
        for add in self.rows:
            add()


def _module_of(store: Store, job: JobRecord) -> str:
    module = job.request.get("meta", {}).get("module")
    if module:
        return str(module)
    batch = store.batches.get(job.batch_id) if job.batch_id is not None else None
    return batch.module if batch else "misc"


def _metadata(job: JobRecord, output: dict[str, Any]) -> dict[str, Any]:
    meta = job.request.get("meta", {})
    demo = job.provider == "demo" or bool(output.get("metadata", {}).get("demo"))
    return {
        "app": "pixflow", "demo": demo, "provider": job.provider, "model": job.model, "job_id": job.id,
        "batch_id": job.batch_id, "request_id": job.request_id, "settings": job.request.get("arguments", {}),
        "prompt": meta.get("prompt"), "concept": meta.get("concept"),
        "lineage": {k: v for k, v in meta.items() if k.startswith("source_") or k in ("history_id", "favorite_id")},
    }


def local_proof(job: JobRecord, output: dict[str, Any]) -> dict[str, Any] | None:
    """The demo provider's word that it made this local file whole, with its thumbnail; None for anything else.

    Only a file:// output of a job that our own demo provider ran qualifies: a remote provider's output is always
    decoded here, whatever its metadata says."""
    proof = (output.get("metadata") or {}).get("local_proof")
    if job.provider != "demo" or not str(output.get("url", "")).startswith("file://") or not isinstance(proof, dict):
        return None
    if not all(isinstance(proof.get(key), int) for key in ("bytes", "width", "height")):
        return None
    return proof if isinstance(proof.get("thumbnail"), str) and "/" not in proof["thumbnail"] else None


def _take_proven(url: str, tmp: Path, proof: dict[str, Any], thumbnail: Path | None) -> outputs.MediaInfo | None:
    """Use the provider's own check and thumbnail for a local copy of the right size; None to decode instead."""
    if tmp.stat().st_size != proof["bytes"]:
        return None
    if thumbnail is not None:
        made = Path(unquote(urlparse(url).path)).with_name(proof["thumbnail"])
        try:
            thumbnail.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(made, thumbnail)
        except OSError:
            return None
    return outputs.MediaInfo(width=proof["width"], height=proof["height"])


def output_folder(store: Store, settings: Settings, job: JobRecord) -> Path:
    """The folder a job's outputs (and its downloads' `.part` files) go to."""
    return outputs.output_path(settings.outputs_dir, _module_of(store, job), job.batch_id, job.id, job.job_index,
                               job.prompt_index, job.variant_index, ".bin").parent


async def _fetch_checked(http: httpx.AsyncClient, url: str, tmp: Path, kind: JobKind, thumbnail: Path | None,
                         max_attempts: int, tags: tuple[dict[str, Any], Path],
                         proof: dict[str, Any] | None = None) -> outputs.MediaInfo:
    """Download into `tmp`, check it decodes (making its thumbnail) and embed `tags` (metadata, sidecar path)."""
    metadata, sidecar = tags
    for attempt in range(1, max_attempts + 1):
        try:
            await fetch(http, url, tmp, outputs.size_cap(kind))
            proven = _take_proven(url, tmp, proof, thumbnail) if proof is not None else None
            if proven is not None:
                # the prompt inside the file for other tools (a rewrite of the file: in a thread), Pixflow's JSON beside it
                await asyncio.to_thread(outputs.embed_metadata, tmp, metadata, sidecar, (proven.width, proven.height))
                return proven
            try:
                info, problem = await run_in_process(outputs.check_tag_and_thumbnail, tmp, kind, thumbnail, metadata,
                                                     sidecar, retry_if_broken=False)
            except BrokenProcessPool as exc:  # the worker may have died halfway through rewriting `tmp`
                raise outputs.InvalidOutput("the process checking the download ended before it finished") from exc
            if problem is not None:
                outputs.log_embed_problem(tmp, problem)
            return info
        except (ProviderError, outputs.InvalidOutput) as exc:
            transient = (isinstance(exc, outputs.InvalidOutput) and not isinstance(exc, outputs.WrongKind)
                         or isinstance(exc, ProviderError) and exc.transient)
            if not transient or attempt == max_attempts:
                raise
            await asyncio.sleep(min(10.0, 0.5 * 2 ** attempt))
    raise AssertionError("unreachable")


async def save_outputs(store: Store, settings: Settings, http: httpx.AsyncClient, job: JobRecord, *,
                       max_attempts: int = 3) -> SaveOutcome:
    outcome = SaveOutcome()
    module = _module_of(store, job)
    results = (job.result or {}).get("outputs", [])
    if not results:
        outcome.error = "the provider finished without any output"
        return outcome
    for number, output in enumerate(results):
        if str(output.get("url", "")).startswith("file://") and job.provider != "demo":
            # only our own offline provider hands over local files; a remote one must not make us copy any file
            outcome.error = f"the provider answered with a local file URL, which is refused: {output['url']}"
            return outcome
        ext = outputs.extension_for(output.get("content_type", ""), output.get("file_name", ""),
                                    _FALLBACK_EXT[job.kind])
        target = outputs.output_path(settings.outputs_dir, module, job.batch_id, job.id, job.job_index,
                                     job.prompt_index, job.variant_index, ext, number)
        tmp: Path | None = None
        thumb = None if job.kind == JobKind.SPEECH else outputs.thumbnail_path(settings.thumbnails_dir, target)
        try:
            tmp = temp_file_beside(target)
            metadata = _metadata(job, output)
            info = await _fetch_checked(http, output["url"], tmp, job.kind, thumb, max_attempts,
                                        (metadata, outputs.sidecar_path(target)), local_proof(job, output))
            os.replace(tmp, target)
            tmp = None
        except StorageError as exc:
            outcome.error = f"{exc}; the result is still at the provider — retry the job once fixed"
            return outcome
        except OSError as exc:
            outcome.error = f"{storage_reason(exc, target.parent)}; the result is still at the provider — retry once fixed"
            return outcome
        except outputs.WrongKind as exc:
            outcome.error = f"{exc}; the result stays at the provider (`pixflow jobs retry` downloads it again)"
            return outcome
        except (ProviderError, outputs.InvalidOutput) as exc:
            outcome.error = f"download failed: {getattr(exc, 'message', None) or exc}"
            return outcome
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    tmp.unlink()
        outcome.first_path = outcome.first_path or str(target)
        outcome.rows.append(_row_writer(store, job, output, target, info, thumb, metadata))
    return outcome


def _row_writer(store: Store, job: JobRecord, output: dict[str, Any], target: Path, info: outputs.MediaInfo,
                thumb: Path | None, metadata: dict[str, Any]) -> Callable[[], Any]:
    meta = job.request.get("meta", {})
    args = job.request.get("arguments", {})
    if job.kind == JobKind.IMAGE:
        return lambda: store.images.add(
            job_id=job.id, batch_id=job.batch_id, batch_index=job.job_index, prompt_index=job.prompt_index,
            variant_index=job.variant_index, url=output["url"], local_path=str(target), file_name=target.name,
            concept=str(meta.get("concept", "")), prompt=meta.get("prompt") or {"style": args.get("prompt", "")},
            aspect_ratio=args.get("aspect_ratio"), resolution=args.get("resolution"),
            output_format=args.get("output_format"), model=job.model, provider=job.provider, width=info.width,
            height=info.height, thumbnail_path=str(thumb) if thumb else None,
            source_image=meta.get("source_image_id"),
        )
    return lambda: store.assets.add(
        kind=_ASSET_KINDS[job.kind], job=job.id, batch=job.batch_id, local_path=str(target), url=output["url"],
        prompt=str(args.get("prompt") or args.get("text") or ""), model=job.model, provider=job.provider,
        metadata={**metadata, "width": info.width, "height": info.height, "thumbnail": str(thumb) if thumb else None},
        duration=info.duration, source_image=meta.get("source_image_id"), source_asset=meta.get("source_asset_id"),
    )
