"""The engine's HTTP (fal's queue calls and output downloads) over aiohttp, behind httpx's transport interface.

Why: httpx's own pool (httpcore) walks every pooled connection, polling each idle socket, on every request and
parses HTTP in Python: with a batch's 16 connections a fal queue call cost 0.8-1 ms of CPU and a 0.5 MB download
~1.1 ms; over aiohttp (HTTP parsed in C, the pool kept by host) 0.5-0.6 ms and 0.35 ms. In paired runs of
benchmarks/engine_bench.py that is 1.4-1.9 ms less per job, more for jobs polled several times. Callers keep
httpx's client (timeouts, redirects, decoding); only the wire changes. When the environment names a proxy,
`transport_for_environment` gives None and httpx keeps its own transport: httpx honours HTTP(S)_PROXY, ALL_PROXY,
NO_PROXY and SOCKS only for a client without a transport of its own.

The errors are mapped for the money question every caller asks: could the request have reached the server?
Only a failure to connect (`httpx.ConnectError`/`ConnectTimeout`) says it could not: fal-client then tries its
backup domain and the engine may send again. Every failure after connecting is a lost answer (`ReadError`,
`ReadTimeout`, `RemoteProtocolError`): a submit in that state is looked up, never sent twice. (httpx-aiohttp,
the packaged adapter, maps a server that hangs up mid-answer to ConnectTimeout, which would pay twice.)
"""
from __future__ import annotations

import functools
import ssl
import urllib.request
from collections.abc import AsyncIterator

import aiohttp
import httpx
from yarl import URL

KEEPALIVE_SECONDS = 5.0  # httpx's default: servers drop idle connections, and a dead one costs a failed request
MAX_CONNECTIONS = 100


def transport_for_environment() -> AiohttpTransport | None:
    """Our transport, or None (httpx's own, with the environment's proxies) when a proxy is configured."""
    proxies = urllib.request.getproxies()
    if any(proxies.get(scheme) for scheme in ("http", "https", "all")):
        return None
    return AiohttpTransport()


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every session (certifi's roots, or SSL_CERT_FILE, as httpx reads them): making one reads
    the CA bundle with the GIL held for ~20 ms, which the UI thread would wait out if it happened mid-batch."""
    return httpx.create_ssl_context()


def _lost_answer(exc: BaseException) -> httpx.TransportError:
    """An aiohttp error after the connection was made, as httpx's error for it: the request may have arrived."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return httpx.ReadTimeout(message)
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientResponseError)):
        return httpx.RemoteProtocolError(message)
    return httpx.ReadError(message)


def _headers(request: httpx.Request) -> list[tuple[str, str]]:
    return [(key.decode("latin-1"), value.decode("latin-1")) for key, value in request.headers.raw]  # as httpx sends


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, OSError) as exc:
            raise _lost_answer(exc) from exc

    async def aclose(self) -> None:
        self._response.release()  # back to the pool when read to the end, closed otherwise


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session, made on the event loop of its first request and closed by `aclose` (httpx's client
    closes its transport). Like httpx's clients it belongs to one event loop."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=MAX_CONNECTIONS, keepalive_timeout=KEEPALIVE_SECONDS,
                                             ssl=shared_ssl_context())
            # httpx sets the headers and decodes the body; with a proxy configured this transport is not used
            self._session = aiohttp.ClientSession(connector=connector, auto_decompress=False, trust_env=False,
                                                  skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"))
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        try:
            content: bytes | httpx.AsyncByteStream | None = request.content or None
        except httpx.RequestNotRead:
            content = request.stream  # type: ignore[assignment]
            request.headers.pop("Transfer-Encoding", None)  # aiohttp chunks a stream itself
        try:
            response = await self._open().request(
                request.method, URL(str(request.url), encoded=True), headers=_headers(request),
                data=content, allow_redirects=False, compress=False,
                timeout=aiohttp.ClientTimeout(total=None, connect=timeout.get("pool"),
                                              sock_connect=timeout.get("connect"), sock_read=timeout.get("read")))
        except aiohttp.ConnectionTimeoutError as exc:  # no connection within the time: nothing was sent
            raise httpx.ConnectTimeout(str(exc) or "no connection to the server in time") from exc
        except aiohttp.ClientConnectorError as exc:  # refused, unknown host, TLS refused: nothing was sent
            raise httpx.ConnectError(str(exc)) from exc
        except aiohttp.InvalidURL as exc:
            raise httpx.UnsupportedProtocol(str(exc)) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise _lost_answer(exc) from exc
        extensions = {"http_version": b"HTTP/1.1"}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode()
        return httpx.Response(status_code=response.status, headers=response.raw_headers, stream=_Body(response),
                              request=request, extensions=extensions)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
