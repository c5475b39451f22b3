"""Asset Monster's inputs: prompts from every source, the image settings, presets and reference checks."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pixflow_tui.core import catalog
from pixflow_tui.core.prompt_import import prompt_from_any, prompts_from_file_content
from pixflow_tui.core.prompt_schema import PromptOutput, PromptParseError
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError, check_image_file
from pixflow_tui.workflows.state_files import StateFile, user_state_path

MAX_PROMPT_FILE_BYTES = 2 * 1024 * 1024
PRESET_KIND = "batch"

# ---------------------------------------------------------------------------------------------- prompts


@dataclass(frozen=True)
class PromptEntry:
    """A prompt waiting in the set-up panel, with where it came from (kept as lineage on the images)."""

    prompt: PromptOutput
    concept: str = ""
    source: str = "typed"  # prompt_factory | favorite | history | file | typed
    label: str = ""
    product_id: int | None = None  # the product it was written for (recorded on the batch, for taste)
    references: tuple[str, ...] = ()  # reference images it was written from (Prompt Factory's reference image)

    @property
    def text(self) -> str:
        return self.label or self.prompt.short(200) or "(empty prompt)"


def waiting_prompts(ctx: AppContext) -> list[PromptEntry]:
    """Prompts sent over from Prompt Factory or the Library's favourites (taken: they are ours now)."""
    return [PromptEntry(prompt, parcel.concept, parcel.origin, product_id=parcel.product_id,
                        references=parcel.references)
            for parcel in ctx.handoff.take_prompts() for prompt in parcel.prompts]


def favorite_prompts(ctx: AppContext, limit: int = 200) -> list[PromptEntry]:
    entries = []
    for favorite in ctx.store.favorites.list(limit=limit):
        try:
            prompt = prompt_from_any(favorite.prompt)
        except PromptParseError:
            continue
        entries.append(PromptEntry(prompt, favorite.concept or "", "favorite", f"★ {favorite.name}: {prompt.short(60)}",
                                   favorite.product_id))
    return entries


def history_prompts(ctx: AppContext, limit: int = 30) -> list[PromptEntry]:
    """Every prompt of the newest history entries, newest entry first."""
    entries = []
    for record in ctx.store.history.list(limit=limit):
        for number, data in enumerate(record.prompts, 1):
            try:
                prompt = prompt_from_any(data)
            except PromptParseError:
                continue
            label = f"{record.concept[:30]} #{number}: {prompt.short(60)}"
            entries.append(PromptEntry(prompt, record.concept, "history", label, record.product_id))
    return entries


def prompts_from_file(path: str | Path) -> list[PromptEntry]:
    """Prompts from a JSON, JSONL or TXT file; InputError names the problem (and the line or item)."""
    file = Path(path).expanduser()
    try:
        size = file.stat().st_size
        if size > MAX_PROMPT_FILE_BYTES:
            raise InputError(f"{file} is {size / 1024 / 1024:.1f} MB; a prompt file can be at most 2 MB")
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{file} does not exist") from None
    except IsADirectoryError:
        raise InputError(f"{file} is a folder; pick a .json, .jsonl or .txt file") from None
    except UnicodeDecodeError:
        raise InputError(f"{file} is not a text file (use .json, .jsonl or .txt in UTF-8)") from None
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        prompts = prompts_from_file_content(file.name, text)
    except (PromptParseError, ValueError) as exc:
        raise InputError(str(exc)) from None
    if not prompts:
        raise InputError(f"{file} holds no prompts")
    return [PromptEntry(p, file.stem, "file") for p in prompts]


def prompt_from_typed(text: str) -> PromptEntry:
    """A JSON object (ours or the scene/subject/camera shape) or plain text used word for word."""
    stripped = text.strip()
    if not stripped:
        raise InputError("the prompt is empty; type a description or paste a JSON object")
    try:
        prompt = prompt_from_any(stripped)
    except ValueError as exc:  # json.JSONDecodeError and PromptParseError are both ValueErrors
        raise InputError(f"the text starts like JSON but cannot be read: {exc}") from None
    return PromptEntry(prompt, "custom", "typed")


# ---------------------------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class BatchSettings:
    aspect_ratio: str
    resolution: str
    output_format: str
    variants: int = 1
    references: tuple[str, ...] = ()

    def to_preset(self) -> dict[str, Any]:
        return {"aspect_ratio": self.aspect_ratio, "resolution": self.resolution,
                "output_format": self.output_format, "variants": self.variants, "references": list(self.references)}


def default_settings(ctx: AppContext) -> BatchSettings:
    s = ctx.settings
    return BatchSettings(s.default_aspect_ratio, s.default_resolution, s.default_format, 1, ())


def settings_from_preset(base: BatchSettings, data: Mapping[str, Any]) -> tuple[BatchSettings, list[str]]:
    """Apply a preset's values over `base`; unknown values and unusable reference files are left out, each
    with a note saying why."""
    notes: list[str] = []
    values: dict[str, Any] = {}
    for key, allowed in (("aspect_ratio", catalog.ASPECT_RATIOS), ("resolution", catalog.RESOLUTIONS),
                         ("output_format", catalog.IMAGE_FORMATS)):
        if key in data:
            if data[key] in allowed:
                values[key] = data[key]
            else:
                notes.append(f"{key.replace('_', ' ')} {data[key]!r} is not offered; kept {getattr(base, key)}")
    if "variants" in data:
        low, high = catalog.VARIANTS_RANGE
        try:
            values["variants"] = min(high, max(low, int(data["variants"])))
        except (TypeError, ValueError):
            notes.append(f"images per prompt {data['variants']!r} is not a number; kept {base.variants}")
    if "references" in data:
        refs: list[str] = []
        for ref in list(data.get("references") or [])[: catalog.MAX_REFERENCE_IMAGES]:
            try:
                refs.append(str(check_image_file(ref)))
            except InputError as exc:
                notes.append(f"left out: {exc}")
        values["references"] = tuple(refs)
    return replace(base, **values), notes


def check_reference(path: str | Path, current: tuple[str, ...] = ()) -> str:
    """A reference image that can be added to `current`: decodes, JPEG/PNG/WebP, ≤ 10 MB, not a duplicate."""
    if len(current) >= catalog.MAX_REFERENCE_IMAGES:
        raise InputError(f"a batch takes at most {catalog.MAX_REFERENCE_IMAGES} reference images; remove one first")
    checked = str(check_image_file(path))
    if checked in current:
        raise InputError(f"{checked} is already a reference image")
    return checked


def new_prompts(have: list[PromptEntry], adding: list[PromptEntry]) -> tuple[list[PromptEntry], int]:
    """The entries of `adding` whose prompt is not in `have` (nor earlier in `adding`), and how many were left
    out: the same prompt twice in a set-up would be generated, and billed, twice."""
    seen = {entry.prompt.model_dump_json() for entry in have}
    kept = []
    for entry in adding:
        key = entry.prompt.model_dump_json()
        if key not in seen:
            seen.add(key)
            kept.append(entry)
    return kept, len(adding) - len(kept)


# ---------------------------------------------------------------------------------------------- kept set-up

SETUP_FORMAT = "pixflow-asset-monster-setup"


def setup_path(ctx: AppContext) -> Path:
    return user_state_path(ctx, "asset_monster", "setup")


def setup_to_dict(settings: BatchSettings, prompts: list[tuple[PromptEntry, bool]]) -> dict[str, Any]:
    """The set-up as it is kept between sessions: the settings, the references and every prompt (`sent`: queued
    already)."""
    return {"format": SETUP_FORMAT, "version": 1, "settings": settings.to_preset(),
            "prompts": [{"prompt": entry.prompt.model_dump(), "concept": entry.concept, "source": entry.source,
                         "label": entry.label, "product_id": entry.product_id, "sent": sent}
                        for entry, sent in prompts]}


@dataclass(frozen=True)
class SavedSetup:
    settings: BatchSettings
    prompts: list[tuple[PromptEntry, bool]]
    notes: list[str]


def load_setup(ctx: AppContext, file: StateFile) -> SavedSetup:
    """The kept set-up over the configured defaults; a reference that is gone or a prompt that no longer reads is
    left out with a note saying so."""
    base = default_settings(ctx)
    data, notes = file.read_data(dict)
    if not data or data.get("format") != SETUP_FORMAT:
        return SavedSetup(base, [], notes)
    settings, setting_notes = settings_from_preset(base, dict(data.get("settings") or {}))
    prompts: list[tuple[PromptEntry, bool]] = []
    for number, item in enumerate(data.get("prompts") or [], 1):
        try:
            entry = PromptEntry(prompt_from_any(item["prompt"]), str(item.get("concept") or ""),
                                str(item.get("source") or "typed"), str(item.get("label") or ""),
                                item.get("product_id"))
        except (PromptParseError, KeyError, TypeError, ValueError) as exc:
            notes.append(f"kept prompt {number} could not be read ({exc}); left out")
            continue
        prompts.append((entry, bool(item.get("sent"))))
    return SavedSetup(settings, prompts, notes + [f"kept set-up: {note}" for note in setting_notes])
