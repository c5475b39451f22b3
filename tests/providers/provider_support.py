"""Helpers shared by the provider tests (imported by name: tests/providers is on sys.path under pytest)."""
from __future__ import annotations

import asyncio
import io

import httpx
from PIL import Image

from pixflow_tui.providers.base import MediaProvider, RemoteHandle, RemoteStatus

# Distinctive so a leak into any message is easy to spot.
FAL_SECRET = "fal-key-SECRET-7f3a9c"
OPENAI_SECRET = "sk-test-SECRET-b41d2e"


async def poll_until_finished(provider: MediaProvider, handle: RemoteHandle, *, interval: float = 0.02,
                              timeout: float = 10.0) -> list[RemoteStatus]:
    """Every status seen until the task is completed or failed."""
    seen: list[RemoteStatus] = []
    async with asyncio.timeout(timeout):
        while True:
            status = await provider.status(handle)
            seen.append(status)
            if status.state in ("completed", "failed"):
                return seen
            await asyncio.sleep(interval)


async def download(url: str) -> bytes:
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.get(url)
        response.raise_for_status()
        return response.content


def open_image(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img
