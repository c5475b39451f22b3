"""Did fal get a submit whose answer was lost? fal's platform API lists an endpoint's requests with their inputs
(`GET /v1/models/requests/by-endpoint?expand=payloads`); a request whose input matches ours, sent in the window
the job was submitting, is that job. Used before an `unknown` job is offered for a second, possibly paid, submit."""
from __future__ import annotations

from collections.abc import Container
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from pixflow_tui.core.jobs import MediaRequest
from pixflow_tui.providers import compat
from pixflow_tui.providers.base import HistoryAnswer, MissingKeyError, ProviderError, RemoteHandle
from pixflow_tui.providers.errors import FAL_KEY_HELP, fal_error

PLATFORM_URL = "https://api.fal.ai/v1"
PAGE_LIMIT = 100
MAX_PAGES = 10
SETTLED_AFTER = timedelta(minutes=10)  # a request older than this has ended and would be listed if fal had it
# fal's clock against ours, and its times in whole seconds: a request listed as sent more than this before our submit
# began is another one with the same arguments (an earlier run, another library on the same key), never ours
CLOCK_SLACK = timedelta(seconds=5)


def platform_url(fal_base_url: str | None) -> str:
    """The platform API's base: fal's, or `<host>/v1` when media work goes to another host (a gateway)."""
    host = fal_base_url or compat.fal_client_host()
    return f"{host.rstrip('/')}/v1" if host else PLATFORM_URL


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def matches(request: MediaRequest, json_input: Any) -> bool:
    """Every argument we chose is in the input as sent (uploaded files have URLs we never learnt: skipped)."""
    if not isinstance(json_input, dict):
        return False
    return all(json_input.get(name) == value for name, value in request.arguments.items()
               if name not in request.files)


async def find_submitted(key: str | None, base_url: str | None, request: MediaRequest, sent_from: datetime,
                         sent_to: datetime, *, taken: Container[str] = frozenset(),
                         now: datetime | None = None) -> HistoryAnswer:
    """Look for the request in fal's history from when its submit began (`sent_from`, naive UTC) on; of the
    requests with our arguments that no other job follows (`taken`), the one sent closest to then. ProviderError
    when fal cannot be asked (no key, unreachable, refused).

    Left to chance: a request with the very same arguments sent within CLOCK_SLACK of ours by someone else on the
    same key (another library) while ours is still running and so not listed."""
    if not key:
        raise MissingKeyError(FAL_KEY_HELP)
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    params: dict[str, Any] = {"endpoint_id": request.model, "start": _iso(sent_from - CLOCK_SLACK),
                              "end": _iso(now + timedelta(minutes=1)), "expand": "payloads", "limit": PAGE_LIMIT}
    found: list[tuple[float, str]] = []  # (seconds from when our submit began, request id)
    try:
        async with httpx.AsyncClient(timeout=30.0, headers={"Authorization": f"Key {key}"}) as http:
            for _ in range(MAX_PAGES):
                response = await http.get(f"{platform_url(base_url)}/models/requests/by-endpoint", params=params)
                response.raise_for_status()
                page = response.json()
                for item in page.get("items", []):
                    request_id = str(item.get("request_id") or "")
                    if request_id and request_id not in taken and matches(request, item.get("json_input")):
                        sent_at = _sent_at(item)
                        if sent_at is None or sent_at >= sent_from - CLOCK_SLACK:
                            distance = abs((sent_at - sent_from).total_seconds()) if sent_at else float("inf")
                            found.append((distance, request_id))
                if not page.get("has_more") or not page.get("next_cursor"):
                    break
                params["cursor"] = page["next_cursor"]
    except ProviderError:
        raise
    except (httpx.HTTPError, ValueError) as exc:
        raise fal_error(exc, context="looking up fal's request history", secrets=(key,)) from None
    if found:
        return HistoryAnswer(found=RemoteHandle(min(found)[1], request.model))
    return HistoryAnswer(no_record=now - sent_to >= SETTLED_AFTER)


def _sent_at(item: dict[str, Any]) -> datetime | None:
    """When fal says the request was sent (naive UTC), if it says."""
    text = item.get("sent_at")
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
