"""Authentication, fault injection and the storage/CDN side of the fal emulator (uploads and file downloads)."""

from __future__ import annotations

import base64
import mimetypes
import secrets
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Literal
from urllib.parse import quote, unquote, urlsplit

from ._http import HttpEmulator, Request, Response, json_response
from .fal_types import (
    CLIENT_ERROR_FAULTS,
    OUTCOME_FAULTS,
    TRANSPORT_FAULTS,
    Fault,
    FaultKind,
    FaultTarget,
    StoredFile,
    Upload,
)

# fal-client only retries a 502/503/504 when it looks like an ingress error: an nginx body, no x-fal-request-id.
NGINX_503 = (
    b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
    b"<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
MALFORMED_JSON = b'{"request_id": "7f3c", "status": "IN_QU'
MALFORMED_FILE = b"<html><body>upstream returned something that is not the file</body></html>"


class FalServiceBase(HttpEmulator):
    """What every fal host shares here: `Authorization: Key` checks, injected faults, and the file store."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self.uploads: list[Upload] = []
        self.files: dict[str, StoredFile] = {}
        self.downloads: Counter[str] = Counter()  # file_id -> successful GETs
        self.keys_seen: set[str] = set()
        self.auth_failures = 0
        self.faults: list[Fault] = []
        self._tokens: set[str] = set()
        self._pending_puts: dict[str, tuple[str, str]] = {}
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ test controls

    def inject(
        self,
        fault: FaultKind,
        *,
        on: FaultTarget = "submit",
        times: int = 1,
        app: str | None = None,
        retry_after: float = 1.0,
        seconds: float = 1.0,
        after_accept: bool | None = None,
    ) -> Fault:
        if fault not in OUTCOME_FAULTS + TRANSPORT_FAULTS:
            raise ValueError(f"unknown fault {fault!r}")
        if fault in OUTCOME_FAULTS and on != "submit":
            raise ValueError(f"{fault!r} decides a request's outcome and is consumed at submit")
        f = Fault(fault, on, times, app, retry_after, seconds, after_accept)
        with self._lock:
            self.faults.append(f)
        return f

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def add_file(self, data: bytes, name: str, content_type: str) -> str:
        """Put a file on the emulator's CDN (as if uploaded) and return its URL."""
        return self.save(data, name, content_type, app_id=None, request_id=None)

    # ------------------------------------------------------------------ OutputSink

    def save(self, data: bytes, name: str, content_type: str, *, app_id: str | None, request_id: str | None) -> str:
        file_id = uuid.uuid4().hex
        with self._lock:
            self.files[file_id] = StoredFile(file_id, name, content_type, data, app_id, request_id)
        return f"{self.origin}/files/{file_id}/{quote(name)}"

    def resolve(self, url: object) -> bytes | None:
        """Bytes behind a data: URL or one of this emulator's file URLs; None for anything else (no network)."""
        if not isinstance(url, str):
            return None
        if url.startswith("data:"):
            meta, _, payload = url.partition(",")
            try:
                return base64.b64decode(payload) if meta.endswith(";base64") else unquote(payload).encode()
            except ValueError:
                return None
        parts = urlsplit(url)
        if parts.port != self.port or parts.hostname not in (self.host, "localhost", "127.0.0.1"):
            return None
        segments = parts.path.split("/")
        if len(segments) >= 3 and segments[1] == "files":
            stored = self.files.get(segments[2])
            return stored.data if stored else None
        return None

    # ------------------------------------------------------------------ auth and faults

    def _check_key(self, request: Request) -> Response | None:
        scheme, _, key = (request.headers.get("Authorization") or "").partition(" ")
        with self._lock:
            if scheme == "Key" and key.strip():
                self.keys_seen.add(key.strip())
                return None
            self.auth_failures += 1
        return json_response({"detail": "Invalid authorization"}, 401)

    def _take_fault(self, on: FaultTarget, app_id: str | None) -> Fault | None:
        with self._lock:
            for f in self.faults:
                if f.kind in TRANSPORT_FAULTS and f.matches(on, app_id):
                    f.hits += 1
                    return f
        return None

    def _with_fault(self, fault: Fault | None, accept: Callable[[], Response]) -> Response:
        """Answer normally via `accept()`, or shaped by `fault`; `accept` runs only when the server keeps the work."""
        if fault is None:
            return accept()
        response = accept() if fault.accepts() else None
        if fault.kind in CLIENT_ERROR_FAULTS:
            return json_response({"detail": CLIENT_ERROR_FAULTS[fault.kind]}, int(fault.kind))
        if fault.kind == "429":
            retry_after = f"{fault.retry_after:g}"
            return json_response({"detail": "Rate limit exceeded"}, 429, {"Retry-After": retry_after})
        if fault.kind == "500":
            headers = {"X-Fal-Error-Type": "internal_error"}
            return json_response({"detail": "Internal Server Error", "error_type": "internal_error"}, 500, headers)
        if fault.kind == "503":
            return Response(503, NGINX_503, "text/html")
        if fault.kind == "drop":
            return Response(action="drop")
        assert response is not None
        if fault.kind == "slow":
            response.delay += fault.seconds
        elif fault.kind == "truncate":
            response.action = "truncate"
        elif fault.kind == "malformed":
            if fault.on == "download":
                return Response(200, MALFORMED_FILE, response.content_type)
            return Response(200, MALFORMED_JSON, "application/json")
        return response

    # ------------------------------------------------------------------ storage

    def _route_storage(self, request: Request) -> Response | None:
        path, method = request.path, request.method
        if path == "/files/upload" and method == "POST":
            return self._upload_v3(request)
        if path.startswith("/files/") and method in ("GET", "HEAD"):
            return self._download(path)
        if path == "/storage/auth/token" and method == "POST":
            return self._cdn_token(request)
        if path == "/storage/upload/initiate" and method == "POST":
            return self._initiate(request)
        if path.startswith("/storage/put/") and method == "PUT":
            return self._put(request, path.rsplit("/", 1)[-1])
        return None

    def _cdn_token(self, request: Request) -> Response:
        if denied := self._check_key(request):
            return denied
        token = secrets.token_hex(12)
        with self._lock:
            self._tokens.add(token)
        expires = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
        return json_response({"token": token, "token_type": "Bearer", "base_url": self.origin, "expires_at": expires})

    def _store_upload(
        self, data: bytes, name: str, content_type: str, via: Literal["fal_v3", "fal"], file_id: str | None = None
    ) -> str:
        file_id = file_id or uuid.uuid4().hex
        url = f"{self.origin}/files/{file_id}/{quote(name)}"
        with self._lock:
            self.files[file_id] = StoredFile(file_id, name, content_type, data)
            self.uploads.append(Upload(file_id, name, content_type, data, url, via))
        return url

    def _upload_v3(self, request: Request) -> Response:
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        if scheme != "Bearer" or token not in self._tokens:
            with self._lock:
                self.auth_failures += 1
            return json_response({"detail": "Invalid token"}, 401)
        content_type = request.headers.get("Content-Type") or "application/octet-stream"
        name = request.headers.get("X-Fal-File-Name") or f"upload{mimetypes.guess_extension(content_type) or '.bin'}"

        def accept() -> Response:
            url = self._store_upload(request.body, name, content_type, "fal_v3")
            return json_response({"access_url": url, "content_type": content_type, "file_name": name})

        return self._with_fault(self._take_fault("upload", None), accept)

    def _initiate(self, request: Request) -> Response:
        if denied := self._check_key(request):
            return denied
        payload = request.json() or {}
        name = str(payload.get("file_name") or "upload.bin")
        content_type = str(payload.get("content_type") or "application/octet-stream")
        file_id = uuid.uuid4().hex
        with self._lock:
            self._pending_puts[file_id] = (name, content_type)
        return json_response({
            "upload_url": f"{self.origin}/storage/put/{file_id}?X-Goog-Signature=emulated",
            "file_url": f"{self.origin}/files/{file_id}/{quote(name)}",
        })

    def _put(self, request: Request, file_id: str) -> Response:
        with self._lock:
            pending = self._pending_puts.get(file_id)
        if pending is None:
            return json_response({"detail": "Unknown upload"}, 404)
        name, content_type = pending

        def accept() -> Response:
            with self._lock:
                self._pending_puts.pop(file_id, None)
            self._store_upload(request.body, name, request.headers.get("Content-Type") or content_type, "fal", file_id)
            return Response(200, b"", "text/plain")

        return self._with_fault(self._take_fault("upload", None), accept)

    def _download(self, path: str) -> Response:
        segments = path.split("/")
        with self._lock:
            stored = self.files.get(segments[2]) if len(segments) >= 3 else None
        if stored is None:
            return json_response({"detail": "Not Found"}, 404)

        def accept() -> Response:
            with self._lock:
                self.downloads[stored.file_id] += 1
            return Response(200, stored.data, stored.content_type)

        return self._with_fault(self._take_fault("download", stored.app_id), accept)
