"""The `p` menu of video presets (camera, duration and aspect under a name): save the highlighted entry's, use one,
import, export, delete. Using one changes the queue, so that step is handed back to the queue (`use`)."""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from textual.widget import Widget

from pixflow_tui.core.formatting import plural
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, PathInputDialog, TextInputDialog
from pixflow_tui.tui.screens.img2video.background import in_thread
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.exports import exports_folder
from pixflow_tui.workflows.img2video_camera import (
    PresetRecord,
    camera_summary,
    describe_preset,
    save_video_preset,
    video_presets,
)
from pixflow_tui.workflows.presets import delete_preset, export_presets, import_presets
from pixflow_tui.workflows.videos import VideoSettings

Use = Callable[[PresetRecord], None]


def downloads() -> str:
    """Where a file to import is looked for first: the folder Pixflow was started in (exports go to
    `exports_folder`, as in every module)."""
    return str(Path.cwd()).rstrip("/") + "/"


class VideoPresetsMenu:
    """One run of the menu, from the settings shown when `p` was pressed."""

    def __init__(self, node: Widget, context: AppContext, source: VideoSettings, use: Use) -> None:
        self.node, self.context, self.source, self.use = node, context, source.copy(), use

    def open(self) -> None:
        context = self.context
        in_thread(self.node, "Reading video presets", lambda: video_presets(context), self._choose)

    def _notify(self, text: str) -> None:
        self.node.notify(text, title="Img2Video")

    def _choose(self, presets: list[PresetRecord]) -> None:
        source = self.source
        choices: list[tuple[str, str]] = [
            ("save", f"+ Save as a preset… ({camera_summary(source, limit=28)} · {source.duration} s · "
                     f"{source.aspect_ratio})"),
        ]
        choices += [(f"use:{p.id}", f"{p.name} — {describe_preset(p.data)}") for p in presets]
        choices += [("import", "Import presets from a JSON file…")]
        if presets:
            choices += [("export", "Export video presets to a JSON file…"), ("delete", "Delete a preset…")]
        message = "enter: use the preset" if presets else "No video presets yet: save one from an entry's settings."
        first = f"use:{presets[0].id}" if presets else None
        self.node.app.push_screen(ChoiceDialog("Video presets", choices, message, selected=first),
                                  callback=partial(self._chosen, presets))

    def _chosen(self, presets: list[PresetRecord], value: str | None) -> None:
        by_id = {f"use:{p.id}": p for p in presets}
        if value == "save":
            self._ask_name()
        elif value in by_id:
            self.use(by_id[value])
        elif value == "import":
            self.node.app.push_screen(PathInputDialog("Import presets", "A JSON file exported by Pixflow.",
                                                      value=downloads(), want="file"), callback=self._import)
        elif value == "export":
            self.node.app.push_screen(PathInputDialog(
                "Export video presets", "A JSON file to write (shareable).",
                value=str(exports_folder(self.context) / "pixflow-video-presets.json"), must_exist=False,
                want="file"),
                callback=self._export)
        elif value == "delete":
            own = [(str(p.id), p.name) for p in presets if not p.is_builtin]
            self.node.app.push_screen(ChoiceDialog("Delete which preset?", own),
                                      callback=partial(self._confirm_delete, dict(own)))

    # ---- save -------------------------------------------------------------------------------------------

    def _ask_name(self) -> None:
        s = self.source
        self.node.app.push_screen(TextInputDialog(
            "Save video preset", f"Camera, duration and aspect: {camera_summary(s)} · {s.duration} s · "
            f"{s.aspect_ratio}. A preset with the same name is replaced.", placeholder="name, e.g. slow orbit",
            validator=lambda text: None if text.strip() else "type a name"), callback=self._save)

    def _save(self, name: str | None) -> None:
        if name:
            in_thread(self.node, "Saving a video preset", partial(save_video_preset, self.context, name, self.source),
                      self._saved)

    def _saved(self, result: tuple[PresetRecord, bool]) -> None:
        preset, replaced = result
        self._notify(f"{'Replaced' if replaced else 'Saved'} video preset “{preset.name}”: "
                     f"{describe_preset(preset.data)}")

    # ---- files ------------------------------------------------------------------------------------------

    def _export(self, path: Path | None) -> None:
        if path is not None:
            in_thread(self.node, "Exporting video presets", partial(export_presets, self.context, path, kind="video"),
                      lambda r: self._notify(f"Exported {r[1]} video presets to {r[0]}"))

    def _import(self, path: Path | None) -> None:
        if path is not None:
            in_thread(self.node, "Importing presets", partial(import_presets, self.context, path),
                      lambda made: self._notify(f"Imported {plural(len(made), 'preset')} from {path.name}"))

    # ---- delete -----------------------------------------------------------------------------------------

    def _confirm_delete(self, names: dict[str, str], value: str | None) -> None:
        if value is None:
            return
        self.node.app.push_screen(
            ConfirmDialog(f"Delete the video preset “{names[value]}”?", title="Delete preset?", yes="Delete"),
            callback=partial(self._delete, value, names[value]))

    def _delete(self, value: str, name: str, yes: bool | None) -> None:
        if yes:
            in_thread(self.node, "Deleting a preset", partial(delete_preset, self.context, int(value)),
                      lambda _: self._notify(f"Deleted preset “{name}”"))
