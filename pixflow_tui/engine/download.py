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


PART_SUFFIX = ".part"
_PID_MARK = "pid"


def temp_file_beside(target: Path) -> Path:
    """A hidden `.part` file next to `target`; its name carries our pid, so a sweep can tell a dead owner's."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.{_PID_MARK}{os.getpid()}.", suffix=PART_SUFFIX,
                                    dir=target.parent)
    except OSError as exc:
        raise StorageError(storage_reason(exc, target.parent)) from exc
    os.close(fd)
    os.chmod(name, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs should get the user's usual permissions
    return Path(name)


def _owner_pid(name: str) -> int | None:
    for piece in name.split("."):
        if piece.startswith(_PID_MARK) and piece[len(_PID_MARK):].isdigit():
            return int(piece[len(_PID_MARK):])
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_parts(folder: Path, *, keep: set[Path] | frozenset[Path] = frozenset()) -> int:
    """Remove `.part` files in `folder` left by downloads nobody finishes: their process is gone, or it is this
    process and the file is not in `keep` (a download of ours still running). Returns how many were removed."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    me = os.getpid()
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(PART_SUFFIX)):
            continue
        pid = _owner_pid(entry.name)
        path = Path(entry.path)
        if pid is not None and pid != me and _alive(pid):
            continue  # another live process is downloading into it
        if pid == me and path in keep:
            continue
        try:
            os.unlink(path)
            removed += 1
        except OSError:
            pass
    return removed


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
                async for chunk in response.aiter_bytes():  # as they arrive: re-chunking them only copied bytes
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
