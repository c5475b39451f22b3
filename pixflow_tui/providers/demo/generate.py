"""Turn a stored demo request into output files (runs in a worker thread; every file is written atomically)."""
from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind, MediaRequest
from pixflow_tui.providers.base import PermanentProviderError
from pixflow_tui.providers.demo import images, lipsync, speech, video
from pixflow_tui.providers.demo.av_io import read_audio, write_mp3, write_mp4
from pixflow_tui.providers.demo.common import DEMO_DESCRIPTION, atomic_write, load_image, read_source

Output = dict[str, Any]


def _file_refs(files: dict[str, Any], args: dict[str, Any], key: str) -> list[str]:
    value = files.get(key, args.get(key))
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def single_file(request: MediaRequest | dict[str, Any], key: str, role: str) -> str:
    files, args = (request.files, request.arguments) if isinstance(request, MediaRequest) else (
        request.get("files") or {}, request.get("arguments") or {})
    refs = _file_refs(files, args, key)
    if not refs:
        raise PermanentProviderError(f"{key}: field required ({role})", status_code=422)
    return refs[0]


def video_duration(args: dict[str, Any]) -> int:
    raw = args.get("duration", catalog.VIDEO_DURATIONS[0])
    try:
        seconds = int(str(raw).strip().rstrip("s"))
    except ValueError:
        seconds = 0
    if not 1 <= seconds <= 15:
        raise PermanentProviderError(f"duration: {raw!r} must be a whole number of seconds, e.g. "
                                     f"{' or '.join(catalog.VIDEO_DURATIONS)}", status_code=422)
    return seconds


def _base_metadata(record: dict[str, Any]) -> dict[str, Any]:
    return {"demo": True, "provider": "demo", "model": record["model"], "kind": record["kind"],
            "request_id": record["request_id"], "seed": record["seed"]}


def _proof(path: Path, width: int, height: int, thumbnail: str) -> dict[str, Any]:
    """What the app may take instead of decoding the file again: this provider made it whole (written atomically)
    and knows its size; the app checks the byte count of its copy and takes the thumbnail as is."""
    return {"bytes": path.stat().st_size, "width": width, "height": height, "thumbnail": thumbnail}


def _name(record: dict[str, Any], suffix: str) -> str:
    return f"demo_{record['request_id'][:8]}{suffix}"


def _image(record: dict[str, Any], folder: Path) -> list[Output]:
    args = record["arguments"]
    prompt = str(args.get("prompt", ""))
    ratio, resolution = args.get("aspect_ratio", "1:1"), args.get("resolution", "1K")
    fmt = args.get("output_format", "png")
    width, height = catalog.image_size(ratio, resolution)
    refs = [load_image(ref, "reference image") for ref in _file_refs(record["files"], args, "image_urls")]
    outputs = []
    for index in range(int(args.get("num_images", 1))):
        seed = record["seed"] + index
        img = images.render_image(prompt, seed, width, height, refs)
        name = _name(record, f"_{index + 1:02d}.{images.IMAGE_EXTENSIONS[fmt]}")
        atomic_write(folder / name, partial(images.save_image, img, fmt=fmt,
                                            extra={"seed": str(seed), "model": record["model"]}))
        thumbnail = f"{name}.thumb.jpg"
        atomic_write(folder / thumbnail, partial(images.save_thumbnail, img))
        outputs.append({"file_name": name, "content_type": images.IMAGE_CONTENT_TYPES[fmt],
                        "metadata": {**_base_metadata(record), "seed": seed, "width": width, "height": height,
                                     "format": fmt, "aspect_ratio": ratio, "resolution": resolution,
                                     "references": len(refs),
                                     "local_proof": _proof(folder / name, width, height, thumbnail)}})
    return outputs


def _video(record: dict[str, Any], folder: Path) -> list[Output]:
    args = record["arguments"]
    prompt = str(args.get("prompt") or catalog.VIDEO_DEFAULT_PROMPT)
    seconds = video_duration(args)
    source = load_image(single_file(record, "image_url", "source image"), "source image")
    plan = video.parse_camera(prompt)
    width, height = video.video_size(args.get("aspect_ratio"), source)
    end_field = catalog.VIDEO_END_FRAME_FIELD.get(record["model"], "")
    if _file_refs(record.get("files") or {}, args, end_field):
        end = load_image(single_file(record, end_field, "end frame"), "end frame")
        frames = video.transition_frames(source, end, width, height, seconds * video.VIDEO_FPS)
        plan = video.CameraPlan(("transition",), plan.speed)
    else:
        frames = video.render_frames(source, plan, width, height, seconds * video.VIDEO_FPS, record["seed"])
    moves = ", ".join(plan.moves)
    meta = {"title": "Pixflow demo video", "comment": f"{DEMO_DESCRIPTION}; camera: {moves} ({plan.speed})"}
    name = _name(record, ".mp4")
    atomic_write(folder / name, lambda tmp: write_mp4(tmp, width, height, video.VIDEO_FPS, frames, meta))
    return [{"file_name": name, "content_type": "video/mp4",
             "metadata": {**_base_metadata(record), "width": width, "height": height, "fps": video.VIDEO_FPS,
                          "duration": float(seconds), "camera_moves": list(plan.moves), "speed": plan.speed}}]


def _speech(record: dict[str, Any], folder: Path) -> list[Output]:
    args = record["arguments"]
    text, voice = str(args.get("text", "")), str(args.get("voice") or catalog.VOICES[0].name)
    samples, rate = speech.synthesize(text, voice, record["seed"])
    meta = {"title": "Pixflow demo speech", "comment": f"{DEMO_DESCRIPTION}; voice {voice}"}
    name = _name(record, ".mp3")
    atomic_write(folder / name, lambda tmp: write_mp3(tmp, samples, rate, meta))
    return [{"file_name": name, "content_type": "audio/mpeg",
             "metadata": {**_base_metadata(record), "voice": voice, "duration": round(len(samples) / rate, 3),
                          "words": len(text.split())}}]


def _lipsync(record: dict[str, Any], folder: Path) -> list[Output]:
    avatar = load_image(single_file(record, "image_url", "avatar image"), "avatar image")
    label, source = read_source(single_file(record, "audio_url", "audio"), "audio")
    samples, rate = read_audio(source, f"audio {label}")
    duration = len(samples) / rate
    frame_count = max(1, round(duration * lipsync.LIPSYNC_FPS))
    width, height = lipsync.lipsync_size(avatar)
    openness = lipsync.mouth_openness(samples, rate, lipsync.LIPSYNC_FPS, frame_count)
    frames = lipsync.render_lipsync_frames(avatar, openness, width, height)
    meta = {"title": "Pixflow demo lipsync", "comment": f"{DEMO_DESCRIPTION}; mouth driven by audio loudness"}
    name = _name(record, ".mp4")
    atomic_write(folder / name, lambda tmp: write_mp4(tmp, width, height, lipsync.LIPSYNC_FPS, frames, meta,
                                                      audio=(samples, rate)))
    return [{"file_name": name, "content_type": "video/mp4",
             "metadata": {**_base_metadata(record), "width": width, "height": height, "fps": lipsync.LIPSYNC_FPS,
                          "duration": round(duration, 3)}}]


_PRODUCERS = {JobKind.IMAGE: _image, JobKind.VIDEO: _video, JobKind.SPEECH: _speech, JobKind.LIPSYNC: _lipsync}


def produce(record: dict[str, Any], folder: Path) -> list[Output]:
    """Generate every output of a request into `folder`; returns their manifest entries."""
    return _PRODUCERS[JobKind(record["kind"])](record, folder)
