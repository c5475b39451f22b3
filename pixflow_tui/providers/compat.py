"""Every use of a fal-client internal in the providers, one small function each.

docs/architecture.md, "Building a screen": nothing else in pixflow_tui reaches a private name of fal-client or patches its
module (tests/test_private_internals.py checks the source). Each function says why it needs the internal and the
version it was checked against (pyproject.toml pins fal-client exactly); tests/providers/test_providers_compat.py fails when
an upgrade removes or changes one. On an upgrade: run that test, fix the function here, and update the version.
"""
from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import fal_client
import fal_client.client as fc

if TYPE_CHECKING:
    import httpx

CHECKED_FAL_CLIENT = "1.0.3"


def point_fal_client_at(base_url: str) -> None:
    """Aim fal-client at another host (a gateway or a local emulator) for the rest of the process.

    Why: fal-client has no constructor option for hosts; it reads these module constants on every call (the CDN
    token manager copies REST_URL when a client first uploads, so this must run before that). Internals: the
    module constants `fal_client.client.QUEUE_URL_FORMAT`, `RUN_URL_FORMAT` (prefixes of the application id),
    `REST_URL` (storage tokens and uploads) and `CDN_URL` (uploads). fal-client 1.0.3."""
    base = base_url.rstrip("/")
    fc.QUEUE_URL_FORMAT = base + "/"
    fc.RUN_URL_FORMAT = base + "/"
    fc.REST_URL = base
    fc.CDN_URL = base


def fal_client_host() -> str | None:
    """Where fal-client's queue calls go when it was aimed elsewhere (`point_fal_client_at`), else None.

    Why: fal's platform API (request history) is on another host than the queue; when media work goes to a
    gateway or emulator, the history lookup must go there too, not to fal. Internal: the module constant
    `fal_client.client.QUEUE_URL_FORMAT`. fal-client 1.0.3."""
    from urllib.parse import urlparse

    parsed = urlparse(fc.QUEUE_URL_FORMAT)
    if not parsed.hostname or parsed.hostname.endswith(("fal.run", "falrun.com")):
        return None
    return f"{parsed.scheme}://{parsed.netloc}"


def disable_fal_client_retries() -> None:
    """Make fal-client send each request once.

    Why: fal-client would re-send a submit after a lost answer (paying twice); the job engine owns retries and
    marks such a job `unknown`. Internal: the module constant `fal_client.client.MAX_ATTEMPTS`, read by its retry
    loops on every request. fal-client 1.0.3."""
    fc.MAX_ATTEMPTS = 1


async def fal_http_client(client: fal_client.AsyncClient) -> httpx.AsyncClient:
    """The httpx.AsyncClient a fal AsyncClient sends through (made on first use, without network), to close it.

    Why: AsyncClient has no aclose(); its httpx pool stays open (and warns) until closed. Internal:
    `fal_client.AsyncClient._client`, an async cached property. fal-client 1.0.3."""
    http: httpx.AsyncClient = await client._client
    return http


class _FalClientOver(fal_client.AsyncClient):
    """fal's AsyncClient with its queue calls sent through a transport of ours (see `fal_client_over`)."""

    def __init__(self, key: str, transport: httpx.AsyncBaseTransport) -> None:
        super().__init__(key=key)
        self.transport = transport
        self._http: httpx.AsyncClient | None = None

    @property
    def _client(self) -> Awaitable[httpx.AsyncClient]:
        return self._over_transport()

    async def _over_transport(self) -> httpx.AsyncClient:
        auth = await self._auth
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(transport=fc.AsyncBackupDomainTransport(transport=self.transport),
                                           headers={"Authorization": auth.header_value, "User-Agent": fc.USER_AGENT},
                                           timeout=self.default_timeout)
        return self._http


def fal_client_over(key: str, transport: httpx.AsyncBaseTransport) -> fal_client.AsyncClient:
    """A fal AsyncClient whose queue calls (submit, status, result, cancel) go through `transport`, behind fal's
    own backup-domain transport as before.

    Why: AsyncClient builds its httpx client itself, over httpcore's pool, the largest CPU cost of a job in this
    process (providers/transport.py). Internals: the async cached property `AsyncClient._client` (shadowed here by
    a property with the same headers and timeout), `_auth`, `fal_client.client.AsyncBackupDomainTransport` and
    `USER_AGENT`. fal-client 1.0.3."""
    return _FalClientOver(key, transport)


async def completed_result(client: fal_client.AsyncClient, application: str, request_id: str) -> Any:
    """The result of a request whose status already said COMPLETED, in one HTTP request.

    Why: `AsyncClient.result` polls the status again before it reads the result (`AsyncRequestHandle.get` goes
    through `iter_events`): a third queue request per job after the engine's own poll, the largest single CPU cost
    of a finished job in the engine. Internal: `fal_client.client._async_maybe_retry_request`, which `get` reads the
    result with (the same timeout, retry policy and FalClientHTTPError for an error answer). fal-client 1.0.3."""
    handle = await client.get_handle(application, request_id)
    response = await fc._async_maybe_retry_request(handle.client, "GET", handle.response_url,
                                                   timeout=fc.QUEUE_POLL_TIMEOUT)
    return response.json()
