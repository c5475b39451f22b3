"""Helpers shared by the demo provider tests."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import av
import numpy as np
from PIL import Image

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind, MediaRequest
from pixflow_tui.providers.base import RemoteOutput
from pixflow_tui.providers.demo.media import DemoMediaProvider


def local(output: RemoteOutput) -> Path:
    assert output.url.startswith("file:///")
    return Path(unquote(urlparse(output.url).path))


def image_request(prompt: str = "a portrait", *, refs: list[str] | None = None, **args: object) -> MediaRequest:
    arguments = {"prompt": prompt, "aspect_ratio": "1:1", "resolution": "1K", "output_format": "png",
                 "num_images": 1, **args}
    files: dict[str, list[str] | str] = {"image_urls": refs} if refs else {}
    return MediaRequest(JobKind.IMAGE, catalog.image_model_for(len(refs or [])), arguments, files)


async def run(provider: DemoMediaProvider, request: MediaRequest) -> list[RemoteOutput]:
    handle = await provider.submit(request)
    return await provider.result(handle)


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"), dtype=np.float32)


def decode_video(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.float32) for f in container.decode(video=0)]


def audio_seconds(path: Path) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return samples / stream.codec_context.sample_rate
