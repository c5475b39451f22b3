"""providers/transport.py: httpx over aiohttp, with errors that say whether a request could have arrived.

A raw asyncio server plays each way a server can fail; the money rule under test: only a failure to connect may
be sent again (`ConnectError`), everything after connecting is a lost answer (`submit_may_have_landed`)."""
from __future__ import annotations

import asyncio
import gzip
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from pixflow_tui.providers.errors import submit_may_have_landed
from pixflow_tui.providers.transport import AiohttpTransport, shared_ssl_context, transport_for_environment

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
received: list[bytes] = []


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    body = await reader.readexactly(length) if length else b""
    received.append(head + body)
    return head + body


async def _answer(writer: asyncio.StreamWriter, body: bytes, extra: bytes = b"") -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n" % (len(body), extra) + body)
    await writer.drain()


async def _ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while not reader.at_eof():
        try:
            request = await _read_request(reader)
        except asyncio.IncompleteReadError:
            return
        if b"/gzip" in request.split(b"\r\n")[0]:
            await _answer(writer, gzip.compress(b'{"zipped": true}'), b"Content-Encoding: gzip\r\n")
        else:
            await _answer(writer, b'{"ok": true}')


async def _hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    writer.close()


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    await asyncio.sleep(5)


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    writer.write(b"this is not HTTP\r\n\r\n")
    await writer.drain()
    writer.close()


async def _cut_short(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 10)
    await writer.drain()
    writer.close()


@pytest.fixture
def serve() -> Callable[[Handler], Awaitable[str]]:
    servers: list[asyncio.Server] = []
    received.clear()

    async def start(handler: Handler) -> str:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    yield start  # type: ignore[misc]
    for server in servers:
        server.close()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=httpx.Timeout(5.0, read=0.3)) as http:
        yield http


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_requests_arrive_whole_and_answers_decode(serve: Callable[[Handler], Awaitable[str]],
                                                        client: httpx.AsyncClient) -> None:
    base = await serve(_ok)
    answer = await client.post(f"{base}/fal-ai/app/requests/a%2Fb?x=1", json={"prompt": "teal"},
                               headers={"Authorization": "Key k"})
    assert answer.status_code == 200 and answer.json() == {"ok": True}
    sent = received[-1]
    assert sent.startswith(b"POST /fal-ai/app/requests/a%2Fb?x=1 HTTP/1.1")  # encoded as given
    assert b"\r\nAuthorization: Key k\r\n" in sent and sent.endswith(b'{"prompt":"teal"}')
    assert (await client.get(f"{base}/gzip")).json() == {"zipped": True}  # httpx decodes; aiohttp does not
    assert len({r.split(b"\r\n")[0] for r in received}) == 2


async def test_no_connection_is_a_connect_error(client: httpx.AsyncClient) -> None:
    with pytest.raises(httpx.ConnectError) as caught:
        await client.post(f"http://127.0.0.1:{_free_port()}/submit", json={})
    assert not submit_may_have_landed(caught.value)


@pytest.mark.parametrize(("handler", "error"), [(_hang_up, httpx.RemoteProtocolError),
                                                (_silent, httpx.ReadTimeout),
                                                (_garbage, httpx.RemoteProtocolError)])
async def test_a_failure_after_connecting_is_a_lost_answer(serve: Callable[[Handler], Awaitable[str]],
                                                           client: httpx.AsyncClient, handler: Handler,
                                                           error: type[Exception]) -> None:
    base = await serve(handler)
    with pytest.raises(error) as caught:
        await client.post(f"{base}/submit", json={"prompt": "teal"})
    assert submit_may_have_landed(caught.value)
    assert len(received) == 1  # and it was sent once


async def test_a_body_cut_short_is_a_read_error(serve: Callable[[Handler], Awaitable[str]],
                                                client: httpx.AsyncClient) -> None:
    base = await serve(_cut_short)
    with pytest.raises(httpx.ReadError):
        async with client.stream("GET", f"{base}/file.jpg") as response:
            async for _ in response.aiter_bytes():
                pass


async def test_a_closed_transport_opens_again(serve: Callable[[Handler], Awaitable[str]]) -> None:
    base = await serve(_ok)
    transport = AiohttpTransport()
    async with httpx.AsyncClient(transport=transport) as http:
        assert (await http.get(f"{base}/a")).status_code == 200
    await transport.aclose()
    async with httpx.AsyncClient(transport=transport) as http:
        assert (await http.get(f"{base}/b")).status_code == 200
    await transport.aclose()


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_configured_proxy_leaves_the_wire_to_httpx(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(transport_for_environment(), AiohttpTransport)
    monkeypatch.setenv(variable, "http://proxy.example:3128")
    assert transport_for_environment() is None  # httpx then routes through the proxy, NO_PROXY and all


@pytest.fixture
def tls_server() -> Iterator[Callable[[], Awaitable[str]]]:
    """A local HTTPS server whose certificate (tests/fixtures/tls-test-*.pem: self-signed for localhost and
    127.0.0.1, made for these tests only) no public root vouches for."""
    servers: list[asyncio.Server] = []
    received.clear()

    async def start() -> str:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(FIXTURES / "tls-test-cert.pem", FIXTURES / "tls-test-key.pem")
        server = await asyncio.start_server(_ok, "127.0.0.1", 0, ssl=context)
        servers.append(server)
        return f"https://localhost:{server.sockets[0].getsockname()[1]}"

    shared_ssl_context.cache_clear()
    yield start
    shared_ssl_context.cache_clear()  # the next session reads the real roots again
    for server in servers:
        server.close()


async def test_tls_checks_the_certificate_before_anything_is_sent(tls_server: Callable[[], Awaitable[str]],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    base = await tls_server()
    async with httpx.AsyncClient(transport=AiohttpTransport()) as http:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED") as caught:
            await http.post(f"{base}/submit", json={})
    assert not submit_may_have_landed(caught.value) and received == []


async def test_tls_trusts_the_roots_httpx_would(tls_server: Callable[[], Awaitable[str]],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(FIXTURES / "tls-test-cert.pem"))  # as a company's own root would be
    base = await tls_server()
    async with httpx.AsyncClient(transport=AiohttpTransport()) as http:
        answer = await http.post(f"{base}/submit", json={"prompt": "teal"})
    assert answer.json() == {"ok": True} and len(received) == 1
