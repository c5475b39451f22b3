"""What the emulated fal models accept and return: endpoint families, input validation, result documents."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from PIL import Image

from . import media

Family = Literal["image", "video", "speech", "lipsync", "transcription"]

IMAGE_ASPECTS = ("21:9", "16:9", "3:2", "4:3", "5:4", "1:1", "4:5", "3:4", "2:3", "9:16")
VIDEO_ASPECTS = ("16:9", "9:16", "1:1")
RESOLUTIONS = {"1K": 1024, "2K": 2048, "4K": 4096}
OUTPUT_FORMATS = ("png", "jpeg", "webp")
MAX_VIDEO_PROMPT = 2500
TRANSCRIBE_TASKS = ("transcribe", "translate")
CHUNK_LEVELS = ("segment", "word")
TRANSCRIPT_WORDS = ("so", "I", "tried", "this", "app", "and", "the", "photos", "came", "out", "really", "good",
                    "you", "pick", "a", "style", "then", "wait", "few", "seconds")
SEGMENT_SECONDS = 5.0


_NANO_BANANA = ("prompt", "num_images", "seed", "aspect_ratio", "output_format", "resolution", "sync_mode",
                "enable_web_search", "limit_generations")
# The input fields of each model the app uses, from fal's published input schemas; anything else is refused with
# pydantic's "extra fields not permitted" (fal's own models differ in how strict they are: the emulator is strict
# so that a request carrying a field its model does not know fails in tests instead of being billed wrongly).
MODEL_INPUTS: dict[str, frozenset[str]] = {
    "fal-ai/nano-banana-pro": frozenset(_NANO_BANANA),
    "fal-ai/nano-banana-pro/edit": frozenset((*_NANO_BANANA, "image_urls")),
    "fal-ai/kling-video/v2.5-turbo/pro/image-to-video": frozenset(
        ("prompt", "image_url", "duration", "aspect_ratio", "negative_prompt", "cfg_scale", "tail_image_url")),
    "fal-ai/minimax/hailuo-02/standard/image-to-video": frozenset(
        ("prompt", "image_url", "duration", "prompt_optimizer", "end_image_url", "resolution")),
    "fal-ai/elevenlabs/tts/eleven-v3": frozenset(
        ("text", "voice", "stability", "similarity_boost", "style", "speed", "timestamps", "previous_text",
         "next_text", "language_code", "apply_text_normalization")),
    "fal-ai/bytedance/omnihuman/v1.5": frozenset(("image_url", "audio_url", "prompt", "resolution", "turbo_mode")),
    "fal-ai/wizper": frozenset(("audio_url", "task", "language", "chunk_level", "version", "max_segment_len",
                                "merge_chunks")),
}
# fields whose values a model restricts, beyond the family's checks
MODEL_CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "fal-ai/kling-video/v2.5-turbo/pro/image-to-video": {"duration": ("5", "10")},
    "fal-ai/minimax/hailuo-02/standard/image-to-video": {"duration": ("6", "10"), "resolution": ("512P", "768P")},
}


def _check_model_fields(app_id: str, args: dict[str, Any], errors: list[dict[str, Any]]) -> None:
    accepted = MODEL_INPUTS.get(app_id)
    if accepted is None:
        return
    for field in sorted(set(args) - accepted):
        errors.append({"loc": ["body", field], "msg": "extra fields not permitted", "type": "value_error.extra"})
    for field, permitted in MODEL_CHOICES.get(app_id, {}).items():
        if field in args and str(args[field]) not in permitted:
            errors.append(_not_permitted(field, args[field], permitted))


def family_of(app_id: str) -> Family:
    """Classify an endpoint id (with or without subpath) into the output family it produces."""
    a = app_id.lower()
    if "lipsync" in a or "lip-sync" in a or "omnihuman" in a:
        return "lipsync"
    if "wizper" in a or "whisper" in a or "speech-to-text" in a:
        return "transcription"
    if "elevenlabs" in a or "/tts" in a or "text-to-speech" in a:
        return "speech"
    if "video" in a:
        return "video"
    return "image"


@dataclass
class MediaSettings:
    image_scale: float = 1.0
    video_long_side: int = 160
    video_fps: int = 8
    words_per_second: float = 2.5
    fixed_image: bytes | None = None  # when set, every image request is answered with these bytes (a benchmark's)


class OutputSink(Protocol):
    """Where results put their files, and how inputs that point at the emulator are read back."""

    def save(self, data: bytes, name: str, content_type: str, *, app_id: str, request_id: str) -> str: ...

    def resolve(self, url: object) -> bytes | None: ...


# --------------------------------------------------------------------------- validation (pydantic-v1 style, as fal)


def missing(field: str) -> dict[str, Any]:
    return {"loc": ["body", field], "msg": "field required", "type": "value_error.missing"}


def _not_permitted(field: str, value: object, permitted: tuple[str, ...]) -> dict[str, Any]:
    listed = ", ".join(f"'{p}'" for p in permitted)
    return {
        "loc": ["body", field],
        "msg": f"unexpected value; permitted: {listed}",
        "type": "value_error.const",
        "ctx": {"given": value, "permitted": list(permitted)},
    }


def _type_error(field: str, expected: str) -> dict[str, Any]:
    msgs = {"str": "str type expected", "int": "value is not a valid integer", "list": "value is not a valid list"}
    return {"loc": ["body", field], "msg": msgs[expected], "type": f"type_error.{expected}"}


def _check_str(args: dict[str, Any], field: str, errors: list[dict[str, Any]], *, required: bool) -> None:
    if field not in args or args[field] is None:
        if required:
            errors.append(missing(field))
    elif not isinstance(args[field], str):
        errors.append(_type_error(field, "str"))


def _check_choice(
    args: dict[str, Any], field: str, permitted: tuple[str, ...], errors: list[dict[str, Any]]
) -> None:
    if field in args and args[field] not in permitted:
        errors.append(_not_permitted(field, args[field], permitted))


def validate(app_id: str, args: Any) -> list[dict[str, Any]]:
    """fal-style `detail` entries for invalid input; empty when the input is acceptable."""
    if not isinstance(args, dict):
        return [{"loc": ["body"], "msg": "value is not a valid dict", "type": "type_error.dict"}]
    family = family_of(app_id)
    errors: list[dict[str, Any]] = []
    _check_model_fields(app_id, args, errors)
    if family == "image":
        _check_str(args, "prompt", errors, required=True)
        is_edit = app_id.rstrip("/").endswith("/edit")
        if is_edit:
            urls = args.get("image_urls")
            if urls is None:
                errors.append(missing("image_urls"))
            elif not isinstance(urls, list):
                errors.append(_type_error("image_urls", "list"))
            elif not urls:
                errors.append({
                    "loc": ["body", "image_urls"],
                    "msg": "ensure this value has at least 1 items",
                    "type": "value_error.list.min_items",
                    "ctx": {"limit_value": 1},
                })
        _check_choice(args, "aspect_ratio", IMAGE_ASPECTS + (("auto",) if is_edit else ()), errors)
        _check_choice(args, "resolution", tuple(RESOLUTIONS), errors)
        _check_choice(args, "output_format", OUTPUT_FORMATS, errors)
        n = args.get("num_images", 1)
        if not isinstance(n, int) or isinstance(n, bool):
            errors.append(_type_error("num_images", "int"))
        elif not 1 <= n <= 4:
            op, limit = ("ge", 1) if n < 1 else ("le", 4)
            word = "greater than or equal to" if op == "ge" else "less than or equal to"
            errors.append({
                "loc": ["body", "num_images"],
                "msg": f"ensure this value is {word} {limit}",
                "type": f"value_error.number.not_{op}",
                "ctx": {"limit_value": limit},
            })
    elif family == "video":
        _check_str(args, "prompt", errors, required=True)
        prompt = args.get("prompt")
        if isinstance(prompt, str) and len(prompt) > MAX_VIDEO_PROMPT:
            errors.append({
                "loc": ["body", "prompt"],
                "msg": f"ensure this value has at most {MAX_VIDEO_PROMPT} characters",
                "type": "value_error.any_str.max_length",
                "ctx": {"limit_value": MAX_VIDEO_PROMPT},
            })
        _check_str(args, "image_url", errors, required="image-to-video" in app_id)
        _check_choice(args, "aspect_ratio", VIDEO_ASPECTS, errors)
        if "duration" in args and _duration(args["duration"]) is None:
            errors.append(_not_permitted("duration", args["duration"], ("5", "10")))
    elif family == "speech":
        _check_str(args, "text", errors, required=True)
    elif family == "lipsync":
        _check_str(args, "audio_url", errors, required=True)
        visual = "image_url" if "omnihuman" in app_id else "video_url"
        if not args.get("image_url") and not args.get("video_url"):
            errors.append(missing(visual))
    elif family == "transcription":
        _check_str(args, "audio_url", errors, required=True)
        _check_choice(args, "task", TRANSCRIBE_TASKS, errors)
        _check_choice(args, "chunk_level", CHUNK_LEVELS, errors)
        _check_str(args, "language", errors, required=False)  # None (or absent) means auto-detect
    return errors


def _duration(value: object) -> float | None:
    try:
        seconds = float(str(value).rstrip("s"))
    except ValueError:
        return None
    return seconds if 0 < seconds <= 20 else None


# --------------------------------------------------------------------------- sizes


def parse_aspect(aspect: str) -> tuple[int, int] | None:
    try:
        w, h = (int(x) for x in aspect.split(":"))
    except (ValueError, AttributeError):
        return None
    return (w, h) if w > 0 and h > 0 else None


def fit(ratio: tuple[float, float], long_side: float) -> tuple[int, int]:
    w, h = ratio
    if w >= h:
        return max(1, round(long_side)), max(1, round(long_side * h / w))
    return max(1, round(long_side * w / h)), max(1, round(long_side))


def image_size(aspect_ratio: str, resolution: str, scale: float = 1.0) -> tuple[int, int]:
    """Output size for a nano-banana style request: long side from resolution, shape from aspect ratio."""
    ratio = parse_aspect(aspect_ratio) or (1, 1)
    return fit(ratio, RESOLUTIONS.get(resolution, 1024) * scale)


# --------------------------------------------------------------------------- results


def _file_entry(url: str, name: str, content_type: str, data: bytes) -> dict[str, Any]:
    return {"url": url, "content_type": content_type, "file_name": name, "file_size": len(data)}


def _visual(data: bytes | None) -> Image.Image | None:
    if not data:
        return None
    return media.open_image(data) or media.first_frame(data)


def fixed_image_kind(data: bytes) -> tuple[str, tuple[int, int]]:
    """The output format name and size of a fixed image (its header only is read)."""
    with Image.open(io.BytesIO(data)) as img:
        return str(img.format).lower(), img.size


def build_result(
    app_id: str, args: dict[str, Any], request_id: str, settings: MediaSettings, sink: OutputSink
) -> dict[str, Any]:
    family = family_of(app_id)
    seed = media.seed_of(args.get("seed", request_id), args.get("prompt") or args.get("text"))
    short = request_id.split("-")[0]

    def save(data: bytes, name: str, content_type: str) -> dict[str, Any]:
        url = sink.save(data, name, content_type, app_id=app_id, request_id=request_id)
        return _file_entry(url, name, content_type, data)

    if family == "image":
        fmt = args.get("output_format", "png")
        refs = [img for img in (_visual(sink.resolve(u)) for u in args.get("image_urls") or []) if img]
        aspect = args.get("aspect_ratio", "1:1")
        if aspect == "auto":
            ratio = (refs[0].width, refs[0].height) if refs else (1, 1)
            size = fit(ratio, RESOLUTIONS.get(args.get("resolution", "1K"), 1024) * settings.image_scale)
        else:
            size = image_size(aspect, args.get("resolution", "1K"), settings.image_scale)
        if settings.fixed_image is not None:
            fmt, size = fixed_image_kind(settings.fixed_image)
        images = []
        for i in range(args.get("num_images", 1)):
            if settings.fixed_image is not None:
                data = settings.fixed_image
            else:
                data = media.image_bytes(*size, fmt, seed=seed + i, base=refs[0] if refs else None)
            entry = save(data, f"{short}-{i}.{fmt}", media.IMAGE_FORMATS[fmt][1])
            images.append({**entry, "width": size[0], "height": size[1]})
        return {"images": images, "description": ""}

    if family == "video":
        source = _visual(sink.resolve(args.get("image_url")))
        ratio = parse_aspect(args.get("aspect_ratio", "")) or (
            (source.width, source.height) if source else (16, 9)
        )
        width, height = fit(ratio, settings.video_long_side)
        data = media.mp4_bytes(
            width,
            height,
            duration_s=_duration(args.get("duration", 5)) or 5.0,
            fps=settings.video_fps,
            seed=seed,
            base=source,
        )
        return {"video": save(data, f"{short}.mp4", "video/mp4")}

    if family == "speech":
        text = str(args.get("text", ""))
        duration = media.words_duration(text, settings.words_per_second) / float(args.get("speed", 1) or 1)
        data = media.audio_bytes(duration, "mp3", seed=seed)
        return {"audio": save(data, f"{short}.mp3", "audio/mpeg"), "timestamps": None}

    if family == "lipsync":
        audio = sink.resolve(args.get("audio_url"))
        duration = (media.audio_duration(audio) if audio else None) or 2.0
        face = _visual(sink.resolve(args.get("image_url") or args.get("video_url")))
        width, height = fit((face.width, face.height) if face else (9, 16), settings.video_long_side)
        data = media.mp4_bytes(
            width, height, duration_s=duration, fps=settings.video_fps, seed=seed, base=face, audio=audio
        )
        return {"video": save(data, f"{short}.mp4", "video/mp4")}

    audio = sink.resolve(args.get("audio_url"))
    duration = (media.audio_duration(audio) if audio else None) or 0.0
    return transcript_result(duration, len(audio) if audio else 0, args, settings.words_per_second)


def transcript_tag(duration: float, size: int) -> str:
    """The first word of every emulated transcript: what the emulator found at `audio_url`."""
    return f"[emulated:{duration:.2f}s:{size}B]"


def transcript_result(duration: float, size: int, args: dict[str, Any], words_per_second: float) -> dict[str, Any]:
    """wizper's answer shape: `text`, `chunks[{timestamp: [start, end], text}]` (about 5 s segments, or one per
    word with chunk_level "word"), `languages`. round(duration × words_per_second) filler words (at least one)
    after `transcript_tag`, so a test can tell which upload (length and byte size) was transcribed."""
    count = max(1, round(duration * words_per_second))
    seed = media.seed_of("transcript", size, round(duration, 2))
    words = [transcript_tag(duration, size)] + [
        TRANSCRIPT_WORDS[(seed + i * 7) % len(TRANSCRIPT_WORDS)] for i in range(count)
    ]
    per_chunk = 1 if args.get("chunk_level") == "word" else max(1, round(SEGMENT_SECONDS * words_per_second))
    step = duration / count
    chunks = []
    for first in range(0, count, per_chunk):
        last = min(count, first + per_chunk)
        # the tag rides on the first chunk; timestamps cover the filler words
        text = " ".join(words[first + 1:last + 1] if first else words[:last + 1])
        chunks.append({"timestamp": [round(first * step, 2), round(last * step, 2)], "text": " " + text})
    language = args.get("language") if args.get("task", "transcribe") == "transcribe" else "en"
    return {"text": " " + " ".join(words), "chunks": chunks, "languages": [language or "en"]}
