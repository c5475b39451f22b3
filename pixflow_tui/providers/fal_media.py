"""Media work (image, video, speech, lipsync, transcription) through fal's queue with the real `fal_client.AsyncClient`.

The caller builds each model's arguments (see core.catalog for model ids); this module only transports them:
local files named in `MediaRequest.files` are uploaded to fal storage first and replaced by their URLs.
"""
from __future__ import annotations

import asyncio
import contextlib
import mimetypes
from collections.abc import Container
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

import fal_client
import fal_client.client as fc

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import MediaRequest
from pixflow_tui.core.transcripts import Transcript, TranscriptSegment, language_code
from pixflow_tui.providers import compat
from pixflow_tui.providers.base import (
    HistoryAnswer,
    MissingKeyError,
    PermanentProviderError,
    PreparedSubmit,
    ProviderError,
    RemoteHandle,
    RemoteOutput,
    RemoteStatus,
    TransientProviderError,
)
from pixflow_tui.providers.errors import (
    CONTENT_POLICY_PREFIX,
    FAL_KEY_HELP,
    FAL_TRANSIENT_ERROR_TYPES,
    SubmitUncertainError,
    fal_error,
    is_content_policy,
    scrub,
    submit_may_have_landed,
)
from pixflow_tui.providers.fal_history import find_submitted
from pixflow_tui.providers.transport import shared_ssl_context, transport_for_environment

# (result key, is a list, content type when neither the JSON nor the file name says)
_OUTPUT_KEYS: tuple[tuple[str, bool, str], ...] = (
    ("images", True, "image/png"),
    ("image", False, "image/png"),
    ("video", False, "video/mp4"),
    ("video_url", False, "video/mp4"),
    ("audio", False, "audio/mpeg"),
    ("audio_url", False, "audio/mpeg"),
)
_FILE_FIELDS = ("url", "content_type", "file_name", "file_data")
TRANSCRIBE_TIMEOUT = 300.0  # seconds from submit to result, as the original app allowed


def apply_fal_base_url(base_url: str) -> None:
    """Aim fal_client at another host (a gateway or a local emulator) for the rest of the process (before any
    upload: see `compat.point_fal_client_at`)."""
    compat.point_fal_client_at(base_url)


class FalMediaProvider:
    """`MediaProvider` backed by fal's queue API."""

    name = "fal"

    def __init__(self, key: str | None, base_url: str | None = None) -> None:
        self._key = key or None
        self._base_url = base_url
        # fal_client would re-send a submit after a lost answer (paying twice); the job engine owns retries
        compat.disable_fal_client_retries()
        if base_url:
            apply_fal_base_url(base_url)
        self._client: fal_client.AsyncClient | None = None
        shared_ssl_context()  # made with the provider (the TUI's start-up work), not while a batch starts
        self._loop: asyncio.AbstractEventLoop | None = None
        # (resolved path, size, mtime) -> storage URL, so a batch sharing references uploads each once;
        # uploads in flight are shared too (they belong to the current loop's client)
        self._uploaded: dict[tuple[str, int, int], str] = {}
        self._uploading: dict[tuple[str, int, int], asyncio.Future[str]] = {}

    def __repr__(self) -> str:
        return f"FalMediaProvider(key={'set' if self._key else 'missing'}, base_url={self._base_url!r})"

    # ------------------------------------------------------------------ client per event loop

    def _get_client(self) -> fal_client.AsyncClient:
        """The client for the running loop; a client's httpx pool is bound to the loop that first used it."""
        if not self._key:
            raise MissingKeyError(FAL_KEY_HELP)
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            transport = transport_for_environment()
            self._client = (compat.fal_client_over(self._key, transport) if transport is not None
                            else fal_client.AsyncClient(key=self._key))
            self._loop = loop
            self._uploading = {}
        return self._client

    def _error(self, exc: BaseException, context: str) -> ProviderError:
        return fal_error(exc, context=context, secrets=(self._key,))

    # ------------------------------------------------------------------ MediaProvider

    async def prepare(self, request: MediaRequest) -> PreparedSubmit:
        """Set up the client and upload local files; a failure here means nothing was sent."""
        client = self._get_client()
        arguments = dict(request.arguments)
        for name, files in request.files.items():
            if isinstance(files, (list, tuple)):
                arguments[name] = list(await asyncio.gather(*(self._reachable(client, f) for f in files)))
            else:
                arguments[name] = await self._reachable(client, files)
        return PreparedSubmit(request=request, arguments=arguments)

    async def send(self, prepared: PreparedSubmit) -> RemoteHandle:
        client = self._get_client()
        try:
            handle = await client.submit(prepared.model, prepared.arguments)
        except Exception as exc:
            mapped = self._error(exc, f"submit to {prepared.model}")
            if submit_may_have_landed(exc):
                raise SubmitUncertainError(mapped.message) from exc
            raise mapped from exc
        return RemoteHandle(
            request_id=handle.request_id,
            model=prepared.model,
            status_url=handle.status_url,
            response_url=handle.response_url,
            cancel_url=handle.cancel_url,
        )

    async def submit(self, request: MediaRequest) -> RemoteHandle:
        return await self.send(await self.prepare(request))

    async def status(self, handle: RemoteHandle) -> RemoteStatus:
        client = self._get_client()
        try:
            # fal_client builds the URL from owner/alias only, so a model id with a subpath works as is
            status = await client.status(handle.model, handle.request_id, with_logs=True)
        except Exception as exc:
            raise self._error(exc, f"status of {handle.request_id}") from exc
        if isinstance(status, fal_client.Queued):
            return RemoteStatus("queued", queue_position=status.position)
        if isinstance(status, fal_client.InProgress):
            return RemoteStatus("running", logs=_log_lines(status.logs))
        if isinstance(status, fal_client.Completed):
            logs = _log_lines(status.logs)
            if status.error:
                message, transient = self._failure(str(status.error), status.error_type)
                return RemoteStatus("failed", logs=logs, error=message, error_transient=transient)
            return RemoteStatus("completed", progress=1.0, logs=logs)
        raise PermanentProviderError(f"fal reported an unknown status for {handle.request_id}: {status!r}")

    async def result(self, handle: RemoteHandle) -> list[RemoteOutput]:
        client = self._get_client()
        try:
            data = await compat.completed_result(client, handle.model, handle.request_id)
        except Exception as exc:
            raise self._error(exc, f"result of {handle.request_id}") from exc
        outputs = outputs_from_result(data)
        if not outputs:
            keys = ", ".join(sorted(data)) if isinstance(data, dict) else type(data).__name__
            raise PermanentProviderError(f"{handle.model} finished without any output file (answer had: {keys})")
        return outputs

    async def cancel(self, handle: RemoteHandle) -> None:
        """Ask fal to cancel; a request that already finished is not an error."""
        client = self._get_client()
        try:
            await client.cancel(handle.model, handle.request_id)
        except fc.FalClientHTTPError as exc:
            if exc.status_code == 400 and "ALREADY_COMPLETED" in str(exc.message):
                return
            raise self._error(exc, f"cancel {handle.request_id}") from exc
        except Exception as exc:
            raise self._error(exc, f"cancel {handle.request_id}") from exc

    # ------------------------------------------------------------------ transcription (one short call, not a job)

    async def transcribe(self, audio_path: str | Path, *, timeout: float = TRANSCRIBE_TIMEOUT) -> Transcript:
        """Upload `audio_path` to fal storage and transcribe it with the catalog's wizper model (language
        auto-detected, segment-level chunks) through the queue: submit, poll, result. Raises ProviderError."""
        client = self._get_client()
        url = await self._reachable(client, str(audio_path))
        model = catalog.TRANSCRIBE_MODEL
        arguments = {"audio_url": url, "task": "transcribe", "language": None, "chunk_level": "segment"}
        try:
            submitted = await client.submit(model, arguments)
        except Exception as exc:
            raise self._error(exc, f"submit to {model}") from exc
        handle = RemoteHandle(request_id=submitted.request_id, model=model, status_url=submitted.status_url,
                              response_url=submitted.response_url, cancel_url=submitted.cancel_url)
        loop = asyncio.get_running_loop()
        deadline, interval = loop.time() + timeout, 0.05
        while True:
            status = await self.status(handle)
            if status.state == "failed":
                message = f"{model} could not transcribe {Path(audio_path).name}: {status.error}"
                if status.error_transient:
                    raise TransientProviderError(message)
                raise PermanentProviderError(message)
            if status.state == "completed":
                break
            if loop.time() >= deadline:
                with contextlib.suppress(ProviderError):
                    await self.cancel(handle)
                raise TransientProviderError(
                    f"fal did not finish transcribing {Path(audio_path).name} within {timeout:g} s "
                    f"(request {handle.request_id}, cancelled)")
            await asyncio.sleep(min(interval, max(0.0, deadline - loop.time())))
            interval = min(1.0, interval * 1.5)
        try:
            data = await compat.completed_result(client, model, handle.request_id)
        except Exception as exc:
            raise self._error(exc, f"result of {handle.request_id}") from exc
        return transcript_from_result(data, model=model, source=str(audio_path))

    async def find_submitted(self, request: MediaRequest, sent_from: datetime, sent_to: datetime,
                             taken: Container[str] = frozenset()) -> HistoryAnswer:
        """Look the request up in fal's request history (the platform API), matched on its arguments."""
        return await find_submitted(self._key, self._base_url, request, sent_from, sent_to, taken=taken)

    async def aclose(self) -> None:
        client, loop = self._client, self._loop
        self._client = self._loop = None
        if client is None:
            return
        try:
            if loop is asyncio.get_running_loop():
                http = await compat.fal_http_client(client)
                await http.aclose()
        except Exception:  # closing is best effort; the loop may be shutting down
            pass

    # ------------------------------------------------------------------ helpers

    def _failure(self, error: str, error_type: str | None) -> tuple[str, bool]:
        text = scrub(error, (self._key,))
        if is_content_policy(error_type, None, text):
            return CONTENT_POLICY_PREFIX + text, False
        if error_type == "client_cancelled":
            return f"cancelled at fal: {text}", False
        return text, bool(error_type and error_type in FAL_TRANSIENT_ERROR_TYPES)

    async def _reachable(self, client: fal_client.AsyncClient, ref: str) -> str:
        """A URL fal can fetch for `ref`: remote URLs pass through, local files go to fal storage."""
        text = str(ref).strip()
        if text.startswith(("http://", "https://", "data:")):
            return text
        path = Path(unquote(urlparse(text).path)) if text.startswith("file://") else Path(text).expanduser()
        try:
            info = path.stat()
        except OSError:
            raise PermanentProviderError(f"input file {path} does not exist or cannot be read") from None
        if not path.is_file():
            raise PermanentProviderError(f"input {path} is not a file")
        cache_key = (str(path.resolve()), info.st_size, info.st_mtime_ns)
        if cached := self._uploaded.get(cache_key):
            return cached
        upload = self._uploading.get(cache_key)
        if upload is None:
            upload = self._uploading[cache_key] = asyncio.ensure_future(client.upload_file(path))
        try:
            url = await asyncio.shield(upload)  # one waiter being cancelled must not cancel the shared upload
        except Exception as exc:
            raise self._error(exc, f"upload {path.name}") from exc
        finally:
            if upload.done():
                self._uploading.pop(cache_key, None)
        self._uploaded[cache_key] = url
        return url


def _log_lines(logs: list[dict[str, Any]] | None) -> tuple[str, ...]:
    lines = []
    for item in logs or ():
        message = item.get("message") if isinstance(item, dict) else item
        if message:
            lines.append(str(message))
    return tuple(lines)


def _file_name(url: str) -> str:
    if url.startswith("data:"):
        return ""
    return unquote(PurePosixPath(urlparse(url).path).name)


def _output(entry: Any, default_type: str, extra: dict[str, Any]) -> RemoteOutput | None:
    if isinstance(entry, str):
        url, fields = entry, {}
    elif isinstance(entry, dict) and isinstance(entry.get("url"), str):
        url, fields = entry["url"], entry
    else:
        return None
    name = str(fields.get("file_name") or _file_name(url))
    if url.startswith("data:") and ";" in url:
        guessed: str | None = url[5:].split(";", 1)[0] or None
    else:
        guessed = mimetypes.guess_type(name)[0] if name else None
    content_type = str(fields.get("content_type") or guessed or default_type)
    metadata = {**extra, **{k: v for k, v in fields.items() if k not in _FILE_FIELDS}}
    return RemoteOutput(url=url, content_type=content_type, file_name=name, metadata=metadata)


def outputs_from_result(data: Any) -> list[RemoteOutput]:
    """Output files of a fal result: `images[].url`, `image.url`, `video.url`/`video_url`, `audio.url`/`audio_url`."""
    if not isinstance(data, dict):
        return []
    extra = {k: data[k] for k in ("seed", "description") if data.get(k) not in (None, "")}
    outputs: list[RemoteOutput] = []
    for key, is_list, default_type in _OUTPUT_KEYS:
        value = data.get(key)
        entries = value if is_list and isinstance(value, list) else [value] if value is not None else []
        for entry in entries:
            output = _output(entry, default_type, extra)
            # some models return the same file as both `video` and `video_url`
            if output is not None and all(o.url != output.url for o in outputs):
                outputs.append(output)
    return outputs


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value >= 0 else None


def transcript_from_result(data: Any, *, model: str = catalog.TRANSCRIBE_MODEL, source: str = "") -> Transcript:
    """A wizper/whisper answer (`text`, `chunks[{timestamp: [start, end], text}]`, `languages`) as a Transcript.

    `seconds` is where the last chunk ends (0 without chunks); callers that measured the audio replace it."""
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        keys = ", ".join(sorted(data)) if isinstance(data, dict) else type(data).__name__
        raise PermanentProviderError(f"{model} answered without a transcript text (answer had: {keys})")
    segments: list[TranscriptSegment] = []
    for chunk in data.get("chunks") or ():
        if not isinstance(chunk, dict) or not isinstance(chunk.get("text"), str):
            continue
        stamp = chunk.get("timestamp")
        stamp = list(stamp) if isinstance(stamp, (list, tuple)) else []
        start = _seconds(stamp[0] if stamp else None)
        end = _seconds(stamp[1] if len(stamp) > 1 else None)  # whisper leaves the last end open at times
        start = start if start is not None else (segments[-1].end if segments else 0.0)
        segments.append(TranscriptSegment(start, end if end is not None and end >= start else start,
                                          chunk["text"].strip()))
    languages = data.get("languages")
    language = language_code(languages[0]) if isinstance(languages, list) and languages else None
    if language is None:
        language = language_code(data.get("language"))
    return Transcript(text=data["text"].strip(), language=language,
                      seconds=max((s.end for s in segments), default=0.0), segments=tuple(segments),
                      demo=False, source=source)
