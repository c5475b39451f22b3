"""Lipsync through Hedra's public API (Character-3): the avatar image and the audio become Hedra assets, then one
video generation speaks the audio with the avatar's face.

The flow, as Hedra's public OpenAPI spec (`/web-app/public`, header `X-API-Key`) describes it:

- `POST /assets` `{name, type: "image" | "audio"}` → `{id, ...}`, then `POST /assets/{id}/upload` (multipart `file`):
  `prepare` (nothing payable yet).
- `POST /generations` `{type: "video", ai_model_id, start_keyframe_id, audio_id, name, generated_video_inputs:
  {text_prompt, resolution, aspect_ratio}}` → `{id, asset_id, status, progress, ...}`: `send`, the payable call;
  its `id` is the handle's request id, stored by the engine the moment it answers.
- `GET /generations/{id}/status` → `{status: queued | processing | finalizing | complete | error,
  progress (0..1), url, download_url, error_message, error: {type, message}}`: `status` and `result`.
- `GET /generations?type=video&created_after=…&created_before=…` → `{data: [{id, input, status, ...}], page_info}`:
  `find_submitted` (each generation's `input` echoes the request, including our `name`).

The public API has no cancel endpoint: `cancel` is a no-op (see its docstring).
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import mimetypes
from collections.abc import Container
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

import httpx

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind, MediaRequest
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
    SubmitUncertainError,
    describe_validation,
    from_status,
    is_content_policy,
    scrub,
    submit_may_have_landed,
)

HEDRA_BASE_URL = "https://api.hedra.com/web-app/public"
HEDRA_KEY_HELP = (
    "HEDRA_API_KEY is not set: create a key at https://www.hedra.com/api-profile, then `export HEDRA_API_KEY=...` "
    "(or put hedra_api_key = \"...\" in config.toml, mode 600); without it lipsync goes to fal"
)
PAGE_LIMIT = 100  # the API's default page size for GET /generations
SETTLED_AFTER = timedelta(minutes=5)  # a generation created by a lost submit is listed well before this
_RUNNING = {"processing": "running", "finalizing": "running", "queued": "queued"}
_FILES = (("image_url", "image"), ("audio_url", "audio"))  # request file argument -> Hedra asset type


def generation_name(request: MediaRequest) -> str:
    """The name a generation of `request` carries at Hedra, so a submit whose answer was lost can be recognised."""
    digest = hashlib.sha256(json.dumps(request.to_dict(), sort_keys=True, default=str).encode()).hexdigest()
    return f"pixflow-{digest[:24]}"


class HedraLipsyncProvider:
    """`MediaProvider` for lipsync jobs at Hedra."""

    name = "hedra"

    def __init__(self, key: str | None, *, model_id: str | None = None, base_url: str | None = None,
                 timeout: float = 60.0) -> None:
        self._key = key or None
        self._model_id = model_id or catalog.HEDRA_CHARACTER3_MODEL_ID
        self._base_url = (base_url or HEDRA_BASE_URL).rstrip("/")
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"HedraLipsyncProvider(key={'set' if self._key else 'missing'}, base_url={self._base_url!r})"

    # ------------------------------------------------------------------ client per event loop

    def _get_client(self) -> httpx.AsyncClient:
        """The client for the running loop; an httpx pool is bound to the loop that first used it."""
        if not self._key:
            raise MissingKeyError(HEDRA_KEY_HELP)
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = httpx.AsyncClient(base_url=self._base_url, timeout=self._timeout,
                                             headers={"X-API-Key": self._key})
            self._loop = loop
        return self._client

    async def _call(self, method: str, path: str, context: str, **kwargs: Any) -> Any:
        """One API call's JSON answer; every failure as a ProviderError (the httpx error kept as its cause)."""
        client = self._get_client()
        try:
            response = await client.request(method, path, **kwargs)
            response.raise_for_status()
            return response.json()
        except Exception as exc:
            raise self._error(exc, context) from exc

    def _error(self, exc: BaseException, context: str) -> ProviderError:
        secrets = (self._key,)
        where = f" ({context})"
        if isinstance(exc, ProviderError):
            return exc
        if isinstance(exc, httpx.HTTPStatusError):
            response = exc.response
            status = response.status_code
            text = scrub(_answer_text(response) + where, secrets)
            if status in (401, 403):
                return MissingKeyError(f"Hedra refused the API key ({status}): {text}; check HEDRA_API_KEY "
                                       "(a key from https://www.hedra.com/api-profile, on a plan with API access)",
                                       status_code=status)
            return from_status(status, text, headers=dict(response.headers), who="Hedra")
        if isinstance(exc, httpx.TimeoutException):
            return TransientProviderError(f"Hedra did not answer in time{where}: {type(exc).__name__}")
        if isinstance(exc, httpx.TransportError):
            return TransientProviderError(scrub(f"could not reach Hedra{where}: {exc or type(exc).__name__}",
                                                secrets))
        if isinstance(exc, json.JSONDecodeError):
            return TransientProviderError(f"Hedra answered with malformed JSON{where}: {exc.msg}")
        return PermanentProviderError(scrub(f"unexpected error talking to Hedra{where}: {type(exc).__name__}: "
                                            f"{exc}", secrets))

    # ------------------------------------------------------------------ MediaProvider

    async def prepare(self, request: MediaRequest) -> PreparedSubmit:
        """Create the image and audio assets and upload both files; nothing payable has been sent."""
        if request.kind != JobKind.LIPSYNC:
            raise PermanentProviderError(f"Hedra does lipsync only, not {request.kind} jobs")
        ids: dict[str, str] = {}
        for argument, asset_type in _FILES:
            ref = request.files.get(argument)
            if not isinstance(ref, str):
                raise PermanentProviderError(f"a Hedra lipsync needs one {asset_type} file ({argument})")
            ids[asset_type] = await self._asset(_local_file(ref), asset_type)
        arguments = dict(request.arguments)
        inputs = {"text_prompt": str(arguments.pop("text_prompt", "")),
                  "resolution": arguments.pop("resolution", catalog.HEDRA_RESOLUTION),
                  "aspect_ratio": arguments.pop("aspect_ratio", catalog.HEDRA_ASPECT_RATIO)}
        body = {"type": "video", "ai_model_id": arguments.pop("ai_model_id", None) or self._model_id,
                "start_keyframe_id": ids["image"], "audio_id": ids["audio"], "name": generation_name(request),
                "generated_video_inputs": inputs}
        return PreparedSubmit(request=request, arguments=body)

    async def _asset(self, path: Path, asset_type: str) -> str:
        created = await self._call("POST", "/assets", f"create {asset_type} asset {path.name}",
                                   json={"name": path.name, "type": asset_type})
        asset_id = created.get("id") if isinstance(created, dict) else None
        if not asset_id:
            raise TransientProviderError(f"Hedra created the {asset_type} asset without an id")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PermanentProviderError(f"input file {path} cannot be read: {exc.strerror}") from None
        await self._call("POST", f"/assets/{asset_id}/upload", f"upload {path.name}",
                         files={"file": (path.name, data, content_type)})
        return str(asset_id)

    async def send(self, prepared: PreparedSubmit) -> RemoteHandle:
        """The payable call. A lost answer is `SubmitUncertainError` (the job becomes `unknown`)."""
        client = self._get_client()
        try:
            response = await client.post("/generations", json=prepared.arguments)
            response.raise_for_status()
            answer = response.json()
            generation_id = str(answer["id"])
        except Exception as exc:
            mapped = self._error(exc, "submit the lipsync generation")
            if submit_may_have_landed(exc) or isinstance(exc, TypeError):  # an answer without an id
                raise SubmitUncertainError(mapped.message) from exc
            raise mapped from exc
        return RemoteHandle(request_id=generation_id, model=prepared.model,
                            status_url=f"{self._base_url}/generations/{generation_id}/status")

    async def submit(self, request: MediaRequest) -> RemoteHandle:
        return await self.send(await self.prepare(request))

    async def _status(self, handle: RemoteHandle) -> dict[str, Any]:
        answer = await self._call("GET", f"/generations/{handle.request_id}/status",
                                  f"status of {handle.request_id}")
        if not isinstance(answer, dict):
            raise TransientProviderError(f"Hedra answered the status of {handle.request_id} with no object")
        return answer

    async def status(self, handle: RemoteHandle) -> RemoteStatus:
        answer = await self._status(handle)
        state = str(answer.get("status") or "")
        progress = _progress(answer.get("progress"))
        if state in _RUNNING:
            return RemoteStatus(_RUNNING[state], progress=progress)  # type: ignore[arg-type]  # a RemoteState
        if state == "complete":
            return RemoteStatus("completed", progress=1.0)
        if state == "error":
            raw = answer.get("error")
            error: dict[str, Any] = raw if isinstance(raw, dict) else {}
            message = scrub(str(answer.get("error_message") or error.get("message") or "Hedra reported an error"),
                            (self._key,))
            if is_content_policy(str(error.get("type") or ""), None, message):
                message = CONTENT_POLICY_PREFIX + message
            return RemoteStatus("failed", progress=progress, error=message)
        raise PermanentProviderError(f"Hedra reported a status this app does not know for {handle.request_id}: "
                                     f"{state!r}")

    async def result(self, handle: RemoteHandle) -> list[RemoteOutput]:
        """The finished video: the status answer's `url` (or `download_url`)."""
        answer = await self._status(handle)
        url = answer.get("url") or answer.get("download_url")
        if answer.get("status") != "complete" or not isinstance(url, str) or not url:
            raise PermanentProviderError(f"Hedra's generation {handle.request_id} is {answer.get('status')!r} "
                                         "without a video URL")
        name = unquote(PurePosixPath(urlparse(url).path).name) or f"{handle.request_id}.mp4"
        metadata = {k: answer[k] for k in ("asset_id",) if answer.get(k)}
        return [RemoteOutput(url=url, content_type="video/mp4", file_name=name, metadata=metadata)]

    async def cancel(self, handle: RemoteHandle) -> None:
        """Hedra's public API has no way to cancel a generation (its spec lists no cancel or delete call), so
        this does nothing: the job is cancelled here, but Hedra finishes the generation and charges its credits."""
        return None

    async def find_submitted(self, request: MediaRequest, sent_from: datetime, sent_to: datetime,
                             taken: Container[str] = frozenset()) -> HistoryAnswer:
        """Look for a generation named after `request` among the video generations Hedra lists in the window."""
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        params = {"type": "video", "created_after": _iso(sent_from - timedelta(minutes=1)),
                  "created_before": _iso(now + timedelta(minutes=1))}
        page = await self._call("GET", "/generations", "looking up Hedra's generations", params=params)
        items = page.get("data") if isinstance(page, dict) else None
        if not isinstance(items, list):
            return HistoryAnswer()
        wanted = generation_name(request)
        for item in items:
            given = item.get("input") if isinstance(item, dict) else None
            if isinstance(given, dict) and given.get("name") == wanted and item.get("id") and item["id"] not in taken:
                return HistoryAnswer(found=RemoteHandle(
                    str(item["id"]), request.model,
                    status_url=f"{self._base_url}/generations/{item['id']}/status"))
        complete = len(items) < PAGE_LIMIT  # a full page may hide it on the next one: cannot tell
        return HistoryAnswer(no_record=complete and now - sent_to >= SETTLED_AFTER)

    async def aclose(self) -> None:
        client, loop = self._client, self._loop
        self._client = self._loop = None
        if client is None:
            return
        try:
            if loop is asyncio.get_running_loop():
                await client.aclose()
        except Exception:  # closing is best effort; the loop may be shutting down
            pass


def _answer_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or f"HTTP {response.status_code}"
    if isinstance(body, dict):
        for key in ("detail", "message", "error"):
            if body.get(key):
                value = body[key]
                return describe_validation(value) if isinstance(value, list) else str(value)
    return str(body)[:300]


def _progress(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return min(1.0, max(0.0, float(value)))


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local_file(ref: str) -> Path:
    text = ref.strip()
    if text.startswith(("http://", "https://", "data:")):
        raise PermanentProviderError(f"Hedra takes local files for lipsync; {text[:80]} is not one")
    path = Path(unquote(urlparse(text).path)) if text.startswith("file://") else Path(text).expanduser()
    if not path.is_file():
        raise PermanentProviderError(f"input file {path} does not exist or is not a file")
    return path
