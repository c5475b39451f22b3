"""Presets: prompts, batch settings and video camera settings saved under a name, shareable as JSON files."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pixflow_tui.store.prompts_repo import PRESET_KINDS
from pixflow_tui.store.records import PresetRecord
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError

EXPORT_FORMAT = "pixflow-presets"
EXPORT_VERSION = 1


def save_preset(ctx: AppContext, name: str, kind: str, data: dict[str, Any], description: str = "") -> PresetRecord:
    try:
        return ctx.store.presets.create(name=name, kind=kind, data=data, description=description or None)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def list_presets(ctx: AppContext, kind: str | None = None) -> list[PresetRecord]:
    return ctx.store.presets.list(kind)


def rename_preset(ctx: AppContext, preset_id: int, name: str) -> None:
    try:
        ctx.store.presets.rename(preset_id, name)
    except (ValueError, LookupError, PermissionError) as exc:
        raise InputError(str(exc)) from None


def delete_preset(ctx: AppContext, preset_id: int) -> None:
    try:
        ctx.store.presets.delete(preset_id)
    except (LookupError, PermissionError) as exc:
        raise InputError(str(exc)) from None


def export_presets(ctx: AppContext, destination: str | Path, kind: str | None = None) -> tuple[Path, int]:
    """Write the user's own presets (not the built-in ones) to a JSON file."""
    presets = [p for p in ctx.store.presets.list(kind) if not p.is_builtin]
    document = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION,
                "presets": [{"name": p.name, "kind": p.kind, "description": p.description, "data": p.data}
                            for p in presets]}
    target = Path(destination).expanduser()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target, len(presets)


def import_presets(ctx: AppContext, source: str | Path) -> list[PresetRecord]:
    """Read presets from a file made by `export_presets`; all or nothing."""
    path = Path(source).expanduser()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is not a presets file: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise InputError(f"{path} is not a Pixflow presets file (no \"format\": \"{EXPORT_FORMAT}\")")
    items = document.get("presets")
    if not isinstance(items, list):
        raise InputError(f"{path} has no list of presets")
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("data"), dict):
            raise InputError(f"{path}: preset {number} has no settings object (\"data\")")
        if item.get("kind") not in PRESET_KINDS:
            raise InputError(f"{path}: preset {number} has kind {item.get('kind')!r}; "
                             f"use one of {', '.join(PRESET_KINDS)}")
    created = []
    with ctx.store.atomic():
        for number, item in enumerate(items, 1):
            try:
                created.append(save_preset(ctx, str(item.get("name", "")), item["kind"], item["data"],
                                           str(item.get("description") or "")))
            except InputError as exc:
                raise InputError(f"{path}: preset {number}: {exc}; nothing was imported") from None
    return created
