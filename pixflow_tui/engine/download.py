"""Fetch a provider output into a temporary file beside its target, with a size cap."""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from pixflow_tui.providers.base import (
    PermanentProviderError,
    ProviderError,
    TransientProviderError,
)

CHUNK = 1 << 16
_UMASK = os.umask(0)
os.umask(_UMASK)


class StorageError(Exception):
    """The output could not be written locally (full disk, read-only or missing folder)."""


def storage_reason(exc: OSError, folder: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"the disk holding {folder} is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"the folder {folder} is not writable ({exc.strerror})"
    return f"cannot write into {folder}: {exc.strerror or exc}"


def temp_file_beside(target: Path) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise StorageError(storage_reason(exc, target.parent)) from exc
    os.close(fd)
    os.chmod(name, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs should get the user's usual permissions
    return Path(name)


def _too_big(cap: int) -> PermanentProviderError:
    return PermanentProviderError(f"the output is larger than the {cap // (1024 * 1024)} MB cap for this kind of file")


async def fetch(client: httpx.AsyncClient, url: str, dest: Path, cap: int) -> int:
    """Stream `url` into `dest` (an existing temp file); return the byte count. Raises ProviderError or StorageError."""
    try:
        if url.startswith("file://"):
            return _copy_local(Path(unquote(urlparse(url).path)), dest, cap)
        return await _fetch_http(client, url, dest, cap)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and url.startswith("file://"):
            raise PermanentProviderError(f"the provider's output file is gone: {exc.filename}") from exc
        raise StorageError(storage_reason(exc, dest.parent)) from exc


def _copy_local(source: Path, dest: Path, cap: int) -> int:
    size = source.stat().st_size
    if size > cap:
        raise _too_big(cap)
    with source.open("rb") as src, dest.open("wb") as out:
        shutil.copyfileobj(src, out, CHUNK)
    return size


async def _fetch_http(client: httpx.AsyncClient, url: str, dest: Path, cap: int) -> int:
    written = 0
    try:
        async with client.stream("GET", url) as response:
            if response.status_code >= 400:
                message = f"download of the output failed with HTTP {response.status_code}"
                if response.status_code in (408, 429) or response.status_code >= 500:
                    raise TransientProviderError(message, status_code=response.status_code)
                raise PermanentProviderError(message, status_code=response.status_code)
            declared = int(response.headers.get("content-length") or 0)
            if declared > cap:
                raise _too_big(cap)
            with dest.open("wb") as out:
                async for chunk in response.aiter_bytes(CHUNK):
                    written += len(chunk)
                    if written > cap:
                        raise _too_big(cap)
                    out.write(chunk)
            if declared and written != declared:
                raise TransientProviderError(f"the download was cut short ({written} of {declared} bytes)")
    except ProviderError:
        raise
    except httpx.HTTPError as exc:
        raise TransientProviderError(f"the download was interrupted: {type(exc).__name__}") from exc
    return written
