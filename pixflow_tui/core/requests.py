"""Build provider requests from user choices, and estimate what they cost."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pixflow_tui.core import catalog
from pixflow_tui.core.flatten import flatten_prompt
from pixflow_tui.core.jobs import JobKind, MediaRequest
from pixflow_tui.core.prompt_schema import PromptOutput


class RequestError(ValueError):
    """A choice is outside what the model accepts; the message names it."""


def _check(name: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise RequestError(f"{name} {value!r} is not offered; choose one of {', '.join(allowed)}")
    return value


def model_arguments(model: str) -> catalog.ModelArguments:
    found = catalog.MODEL_ARGUMENTS.get(model)
    if found is None:
        raise RequestError(f"model {model!r} is not in the catalog")
    return found


def checked_request(kind: JobKind, model: str, arguments: dict[str, Any], files: dict[str, list[str] | str],
                    meta: dict[str, Any]) -> MediaRequest:
    """A request holding only fields its model takes (the catalog's table), each within its offered values."""
    table = model_arguments(model)
    sent = {**arguments, **files}
    extra = sorted(set(sent) - table.accepted)
    if extra:
        raise RequestError(f"{model} does not take {', '.join(extra)}")
    missing = sorted(table.required - set(sent))
    if missing:
        raise RequestError(f"{model} needs {', '.join(missing)}")
    for name, allowed in table.choices:
        if name in arguments:
            _check(name.replace("_", " "), str(arguments[name]), allowed)
    return MediaRequest(kind, model, arguments, files, meta=meta)


def image_request(prompt: PromptOutput, *, references: Sequence[str] = (), aspect_ratio: str = "9:16",
                  resolution: str = "2K", output_format: str = "jpeg",
                  meta: dict[str, Any] | None = None) -> MediaRequest:
    """One image (num_images 1): a batch fans out one job per prompt and variant, as the original app does."""
    if len(references) > catalog.MAX_REFERENCE_IMAGES:
        raise RequestError(f"{len(references)} reference images given; at most {catalog.MAX_REFERENCE_IMAGES}")
    arguments: dict[str, Any] = {
        "prompt": flatten_prompt(prompt, len(references)),
        "aspect_ratio": _check("aspect ratio", aspect_ratio, catalog.ASPECT_RATIOS),
        "resolution": _check("resolution", resolution, catalog.RESOLUTIONS),
        "output_format": _check("format", output_format, catalog.IMAGE_FORMATS),
        "num_images": 1,
    }
    files: dict[str, list[str] | str] = {"image_urls": list(references)} if references else {}
    return checked_request(JobKind.IMAGE, catalog.image_model_for(len(references)), arguments, files,
                           {"prompt": prompt.model_dump(), **(meta or {})})


def transform_request(prompt: str, image: str, *, aspect_ratio: str = "9:16", resolution: str = "2K",
                      output_format: str = "jpeg", meta: dict[str, Any] | None = None) -> MediaRequest:
    """Img2Img: the edit model remakes `image` as the prompt says (one output; the caller fans out variants)."""
    text = " ".join(prompt.split())
    if not text:
        raise RequestError("the transform prompt is empty; say what to change")
    arguments: dict[str, Any] = {
        "prompt": text,
        "aspect_ratio": _check("aspect ratio", aspect_ratio, catalog.IMG2IMG_ASPECT_RATIOS),
        "resolution": _check("resolution", resolution, catalog.RESOLUTIONS),
        "output_format": _check("format", output_format, catalog.IMG2IMG_FORMATS),
        "num_images": 1,
    }
    return checked_request(JobKind.IMAGE, catalog.IMAGE_EDIT_MODEL, arguments, {"image_urls": [image]},
                           {"prompt": {"style": text}, **(meta or {})})


def compose_video_prompt(base: str, movements: Sequence[str] = (), speed: str | None = None,
                         shots: Sequence[str] = ()) -> str:
    """The reference's composePrompt: the base text, then each chosen preset string, comma-separated."""
    fragments = [*movements, *([speed] if speed else []), *shots]
    return ", ".join(part for part in [base.strip(), *fragments] if part)


def video_request(image: str, *, prompt: str = "", movements: Sequence[str] = (), speed: str | None = None,
                  shots: Sequence[str] = (), duration: str = "5", aspect_ratio: str = "9:16",
                  model: str = catalog.DEFAULT_VIDEO_MODEL, negative_prompt: str = catalog.VIDEO_DEFAULT_NEGATIVE,
                  cfg_scale: float = catalog.VIDEO_DEFAULT_CFG, end_image: str | None = None,
                  meta: dict[str, Any] | None = None) -> MediaRequest:
    """An image-to-video request with the fields `model` takes (catalog.MODEL_ARGUMENTS): Kling gets the aspect
    ratio, negative prompt and cfg; Hailuo none of them, and its own length (`catalog.video_duration_for`).
    With `end_image` the video is a transition from `image` to it (an empty prompt then asks for a smooth one)."""
    if len(movements) > catalog.MAX_CAMERA_MOVEMENTS:
        raise RequestError(f"{len(movements)} camera movements chosen; at most {catalog.MAX_CAMERA_MOVEMENTS}")
    if len(shots) > catalog.MAX_SHOT_TYPES:
        raise RequestError(f"{len(shots)} shot types chosen; at most {catalog.MAX_SHOT_TYPES}")
    for movement in movements:
        _check("camera movement", movement, catalog.CAMERA_MOVEMENTS)
    for shot in shots:
        _check("shot type", shot, catalog.SHOT_TYPES)
    if speed is not None:
        _check("camera speed", speed, catalog.CAMERA_SPEEDS)
    model_id = catalog.VIDEO_MODELS.get(model)
    if model_id is None:
        raise RequestError(f"video model {model!r} is not offered; choose one of {', '.join(catalog.VIDEO_MODELS)}")
    _check("duration", str(duration), catalog.VIDEO_DURATIONS)
    _check("aspect ratio", aspect_ratio, catalog.VIDEO_ASPECT_RATIOS)
    default = catalog.TRANSITION_DEFAULT_PROMPT if end_image else catalog.VIDEO_DEFAULT_PROMPT
    offered = {  # every setting the app has; each model gets those its table lists
        "prompt": compose_video_prompt(prompt or default, movements, speed, shots),
        "duration": catalog.video_duration_for(model_id, str(duration)),
        "aspect_ratio": aspect_ratio,
        "negative_prompt": negative_prompt,
        "cfg_scale": cfg_scale,
    }
    accepted = model_arguments(model_id).accepted
    arguments = {name: value for name, value in offered.items() if name in accepted}
    files: dict[str, list[str] | str] = {"image_url": image}
    if end_image:
        files[catalog.VIDEO_END_FRAME_FIELD[model_id]] = end_image
    return checked_request(JobKind.VIDEO, model_id, arguments, files, dict(meta or {}))


def speech_request(text: str, voice: str, meta: dict[str, Any] | None = None) -> MediaRequest:
    if not text.strip():
        raise RequestError("the script is empty; write or generate one first")
    if len(text) > 5000:
        raise RequestError(f"the script has {len(text)} characters; text to speech takes at most 5000")
    _check("voice", voice, [v.name for v in catalog.VOICES])
    arguments = {"text": text, "voice": voice, "stability": 0.5, "similarity_boost": 0.75, "speed": 1,
                 "apply_text_normalization": "auto"}
    return checked_request(JobKind.SPEECH, catalog.SPEECH_MODEL, arguments, {}, dict(meta or {}))


def lipsync_request(avatar_image: str, audio: str, meta: dict[str, Any] | None = None) -> MediaRequest:
    """`audio` is a local file, or another job's output (`job:<id>` / the door's `plan:<n>`)."""
    # without resolution fal renders 1080p, which caps the audio at 30 s
    return checked_request(JobKind.LIPSYNC, catalog.LIPSYNC_MODEL, {"resolution": catalog.LIPSYNC_RESOLUTION},
                           {"image_url": avatar_image, "audio_url": audio}, dict(meta or {}))


def estimate_cost(request: MediaRequest, *, audio_seconds: float | None = None) -> float:
    """Estimated USD for one request from the catalog's unit prices."""
    price = catalog.UNIT_PRICES.get(request.model)
    if price is None:
        return 0.0
    args = request.arguments
    if price.unit == "image":
        factor = catalog.RESOLUTION_PRICE_FACTOR.get(args.get("resolution", "2K"), 1.0)
        return round(price.per_unit * factor * int(args.get("num_images", 1)), 4)
    if price.unit == "second":
        seconds = float(args.get("duration") or audio_seconds or 0.0)
        return round(price.per_unit * seconds, 4)
    if price.unit == "1k_chars":
        return round(price.per_unit * len(args.get("text", "")) / 1000, 4)
    return 0.0
