"""The offline media provider: fal's submit → status → result protocol, backed by files in a state folder.

Every request lives in `state_dir/<request_id>/`: `request.json` (the request, submit time, seed, latency),
`cancelled` (marker), `error.json` (generation failed), `result.json` (manifest of the generated files).
Status is derived from wall-clock time since submit, so a new process resolves old handles exactly like fal.
"""
from __future__ import annotations

import asyncio
import json
import math
import re
import secrets
import time
import uuid
from collections.abc import Container
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind, MediaRequest
from pixflow_tui.core.transcripts import Transcript
from pixflow_tui.providers.base import (
    HistoryAnswer,
    PermanentProviderError,
    PreparedSubmit,
    RemoteHandle,
    RemoteOutput,
    RemoteStatus,
    TransientProviderError,
)
from pixflow_tui.providers.demo import generate
from pixflow_tui.providers.demo.av_io import probe_audio
from pixflow_tui.providers.demo.common import atomic_write, check_image, read_source
from pixflow_tui.providers.offload import run_in_process

QUEUE_SHARE = 0.3  # share of the latency spent "in queue"
MAX_SPEECH_CHARS = 5000
_REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


def _json_default(value: Any) -> Any:
    return str(value)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=2, default=_json_default)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _as_list(value: list[str] | str | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def validate(request: MediaRequest) -> None:
    """Reject what fal would reject (422-style), and input files that are missing or unreadable."""
    args = request.arguments
    table = catalog.MODEL_ARGUMENTS.get(request.model)  # Hedra (not a fal model) has its own fields
    if table is not None and (extra := sorted((set(args) | set(request.files)) - table.accepted)):
        raise PermanentProviderError(f"{request.model} does not take {', '.join(extra)}", status_code=422)
    if request.kind == JobKind.IMAGE:
        if not str(args.get("prompt", "")).strip():
            raise PermanentProviderError("prompt: field required", status_code=422)
        for key, allowed in (("aspect_ratio", catalog.ASPECT_RATIOS), ("resolution", catalog.RESOLUTIONS),
                             ("output_format", catalog.IMAGE_FORMATS)):
            if key in args and args[key] not in allowed:
                raise PermanentProviderError(f"{key}: {args[key]!r} is not one of {', '.join(allowed)}",
                                             status_code=422)
        count = args.get("num_images", 1)
        if not isinstance(count, int) or not 1 <= count <= 4:
            raise PermanentProviderError(f"num_images: {count!r} must be a whole number from 1 to 4", status_code=422)
        refs = _as_list(request.files.get("image_urls")) or _as_list(args.get("image_urls"))
        if request.model == catalog.IMAGE_EDIT_MODEL and not refs:
            raise PermanentProviderError("image_urls: field required (the edit model needs reference images)",
                                         status_code=422)
        if len(refs) > catalog.MAX_REFERENCE_IMAGES:
            raise PermanentProviderError(f"image_urls: at most {catalog.MAX_REFERENCE_IMAGES} reference images",
                                         status_code=422)
        for ref in refs:
            check_image(ref, "reference image")
    elif request.kind == JobKind.VIDEO:
        generate.video_duration(args)
        for key, value in args.items():
            offered = table.values(key) if table is not None else None
            if offered is not None and str(value) not in offered:
                raise PermanentProviderError(f"{key}: {value!r} is not one of {', '.join(offered)}", status_code=422)
        check_image(generate.single_file(request, "image_url", "source image"), "source image")
        end_field = catalog.VIDEO_END_FRAME_FIELD.get(request.model, "")
        if request.files.get(end_field) or args.get(end_field):
            check_image(generate.single_file(request, end_field, "end frame"), "end frame")
    elif request.kind == JobKind.SPEECH:
        text = str(args.get("text", ""))
        if not text.strip():
            raise PermanentProviderError("text: field required", status_code=422)
        if len(text) > MAX_SPEECH_CHARS:
            raise PermanentProviderError(f"text: {len(text)} characters; at most {MAX_SPEECH_CHARS}", status_code=422)
    elif request.kind == JobKind.LIPSYNC:
        check_image(generate.single_file(request, "image_url", "avatar image"), "avatar image")
        label, source = read_source(generate.single_file(request, "audio_url", "audio"), "audio")
        probe_audio(source, f"audio {label}")
    else:  # pragma: no cover - JobKind has exactly four members
        raise PermanentProviderError(f"the demo provider cannot run {request.kind!r} jobs")


class DemoMediaProvider:
    """Images, videos, speech and lipsync made locally, behind the same queue protocol as fal."""

    name = "demo"
    min_poll_interval = 0.02  # a status is a look at local files: the engine may ask often

    def __init__(self, state_dir: Path, latency: float) -> None:
        self.state_dir = Path(state_dir)
        self.latency = max(0.0, float(latency))
        self._locks: dict[str, asyncio.Lock] = {}
        self._records: dict[str, dict[str, Any]] = {}  # request.json never changes once written
        self._early: set[asyncio.Task[Any]] = set()

    # --------------------------------------------------------------- protocol

    async def prepare(self, request: MediaRequest) -> PreparedSubmit:
        await asyncio.to_thread(validate, request)
        return PreparedSubmit(request=request, arguments=request.arguments)

    async def submit(self, request: MediaRequest) -> RemoteHandle:
        return await self.send(await self.prepare(request))

    async def send(self, prepared: PreparedSubmit) -> RemoteHandle:
        request = prepared.request
        request_id = uuid.uuid4().hex
        folder = self.state_dir / request_id
        record = {
            "request_id": request_id,
            "kind": str(request.kind),
            "model": request.model,
            "arguments": request.arguments,
            "files": request.files,
            "submitted_at": time.time(),
            "seed": secrets.randbelow(2**31),
            "latency": self.latency,
        }
        folder.mkdir(parents=True, exist_ok=True)
        _write_json(folder / "request.json", record)
        self._records[request_id] = record
        if self.latency > 0:
            # make the output while the request "waits", as a real provider does, so that when the latency is up
            # the result is ready; a failure here is met again (and reported) by result()
            task = asyncio.get_running_loop().create_task(self._outputs(request_id, record, folder))
            self._early.add(task)
            task.add_done_callback(self._early_done)
        return RemoteHandle(request_id=request_id, model=request.model)

    async def find_submitted(self, request: MediaRequest, sent_from: datetime, sent_to: datetime,
                             taken: Container[str] = frozenset()) -> HistoryAnswer:
        """The demo keeps every request it was sent on disk, so it can always tell: of the requests with these
        arguments sent since the submit began that no other job follows, the one sent closest to then."""
        began = sent_from.replace(tzinfo=timezone.utc).timestamp()
        start = began - 1
        end = sent_to.replace(tzinfo=timezone.utc).timestamp() + 60

        def look() -> HistoryAnswer:
            found = []
            for path in self.state_dir.glob("*/request.json"):
                try:
                    record = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, json.JSONDecodeError):
                    continue
                sent = float(record.get("submitted_at", 0))
                if (record.get("model") == request.model and record.get("arguments") == request.arguments
                        and record.get("request_id") not in taken and start <= sent <= end):
                    found.append((abs(sent - began), str(record["request_id"])))
            if found:
                return HistoryAnswer(found=RemoteHandle(request_id=min(found)[1], model=request.model))
            return HistoryAnswer(no_record=True)

        return await asyncio.to_thread(look)

    def _early_done(self, task: asyncio.Task[Any]) -> None:
        self._early.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: result() makes it again and reports it

    async def status(self, handle: RemoteHandle) -> RemoteStatus:
        record = self._load(handle)
        folder = self._folder(handle)
        if (folder / "cancelled").exists():
            return RemoteStatus("failed", error="cancelled")
        error = folder / "error.json"
        if error.exists():
            return RemoteStatus("failed", error=json.loads(error.read_text(encoding="utf-8"))["error"])
        return self._timeline(record)

    async def result(self, handle: RemoteHandle) -> list[RemoteOutput]:
        record = self._load(handle)
        folder = self._folder(handle)
        if (folder / "cancelled").exists():
            raise PermanentProviderError(f"request {handle.request_id} was cancelled")
        state = self._timeline(record)
        if state.state != "completed":
            remaining = record["submitted_at"] + record["latency"] - time.time()
            raise TransientProviderError(f"request {handle.request_id} is still in progress",
                                         retry_after=max(0.05, remaining), status_code=400)
        outputs = await self._outputs(handle.request_id, record, folder)
        return [RemoteOutput(url=(folder / o["file_name"]).resolve().as_uri(), content_type=o["content_type"],
                             file_name=o["file_name"], metadata=o["metadata"]) for o in outputs]

    async def _outputs(self, request_id: str, record: dict[str, Any], folder: Path) -> list[dict[str, Any]]:
        """The request's output manifest, generating the files once."""
        lock = self._locks.setdefault(request_id, asyncio.Lock())
        async with lock:
            outputs = self._cached(folder)
            if outputs is not None:
                return outputs
            try:
                produced = await run_in_process(generate.produce, record, folder)
            except PermanentProviderError as exc:
                _write_json(folder / "error.json", {"error": exc.message})
                raise
            except OSError as exc:  # disk full, permissions: may pass on a retry
                raise TransientProviderError(f"demo generation could not write its output: {exc}") from exc
            except Exception as exc:  # noqa: BLE001 - a generator bug must fail the job, not the engine
                message = f"demo generation failed: {type(exc).__name__}: {exc}"
                _write_json(folder / "error.json", {"error": message})
                raise PermanentProviderError(message) from exc
            _write_json(folder / "result.json", {"outputs": produced})
            return produced

    async def cancel(self, handle: RemoteHandle) -> None:
        """Like fal, a request that already completed cannot be cancelled; then this does nothing."""
        record = self._load(handle)
        if self._timeline(record).state == "completed":
            return
        (self._folder(handle) / "cancelled").write_text(str(time.time()), encoding="utf-8")

    async def transcribe(self, audio_path: str | Path) -> Transcript:
        """A deterministic demo transcript as long as the audio (see demo/transcribe.py), after a short wait."""
        from pixflow_tui.providers.demo.transcribe import audio_seconds, demo_transcript

        path = Path(audio_path)
        if not path.is_file():
            raise PermanentProviderError(f"input file {path} does not exist or cannot be read")
        seconds = await asyncio.to_thread(audio_seconds, path)
        await asyncio.sleep(min(self.latency, 2.0))
        return demo_transcript(seconds, source=str(path))

    async def aclose(self) -> None:
        for task in list(self._early):
            task.cancel()
        self._locks.clear()
        self._records.clear()

    # --------------------------------------------------------------- helpers

    def _folder(self, handle: RemoteHandle) -> Path:
        if not _REQUEST_ID.match(handle.request_id):
            raise PermanentProviderError(f"unknown request id {handle.request_id!r}", status_code=404)
        return self.state_dir / handle.request_id

    def _load(self, handle: RemoteHandle) -> dict[str, Any]:
        cached = self._records.get(handle.request_id)
        if cached is not None:
            return cached
        path = self._folder(handle) / "request.json"
        try:
            record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            self._records[handle.request_id] = record
            return record
        except FileNotFoundError:
            raise PermanentProviderError(f"unknown request id {handle.request_id!r}", status_code=404) from None
        except (OSError, json.JSONDecodeError) as exc:
            raise PermanentProviderError(f"request {handle.request_id}: state file unreadable ({exc})") from None

    @staticmethod
    def _timeline(record: dict[str, Any]) -> RemoteStatus:
        latency = float(record.get("latency", 0.0))
        elapsed = max(0.0, time.time() - float(record["submitted_at"]))
        if latency <= 0 or elapsed >= latency:
            return RemoteStatus("completed", progress=1.0)
        queue_time = QUEUE_SHARE * latency
        if elapsed < queue_time:
            start = 1 + int(record.get("seed", 0)) % 4  # where it "joined" the queue
            position = max(1, math.ceil(start * (1 - elapsed / queue_time)))
            return RemoteStatus("queued", queue_position=position, logs=(f"demo: in queue at position {position}",))
        progress = (elapsed - queue_time) / (latency - queue_time)
        return RemoteStatus("running", progress=round(min(progress, 0.99), 3),
                            logs=(f"demo: rendering {record.get('kind', 'output')}",))

    @staticmethod
    def _cached(folder: Path) -> list[dict[str, Any]] | None:
        manifest = folder / "result.json"
        if not manifest.exists():
            return None
        try:
            outputs = json.loads(manifest.read_text(encoding="utf-8"))["outputs"]
        except (OSError, ValueError, KeyError):
            return None
        return outputs if all((folder / o["file_name"]).is_file() for o in outputs) else None
