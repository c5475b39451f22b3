"""Img2Video actions around settings and results: edit an entry (or all), video presets (save, use, export,
import, delete), play a video, export one or all, copy the prompt. Mixed into the screen."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pixflow_tui.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, PathInputDialog, TextInputDialog
from pixflow_tui.tui.screens.img2video.settings_dialog import SettingsResult, VideoSettingsDialog
from pixflow_tui.workflows.img2video import QueueEntry, VideoInfo
from pixflow_tui.workflows.img2video_camera import (
    PresetRecord,
    apply_preset,
    camera_summary,
    describe_preset,
    save_video_preset,
    video_presets,
)
from pixflow_tui.workflows.img2video_export import ZIP_NAME, copy_video, export_videos_zip, play_video
from pixflow_tui.workflows.presets import delete_preset, export_presets, import_presets
from pixflow_tui.workflows.videos import VideoSettings

if TYPE_CHECKING:
    from pixflow_tui.tui.screens.img2video.screen import Img2VideoScreen

    _Base = Img2VideoScreen
else:
    _Base = object


def _downloads() -> str:
    """Where exports go by default: the folder Pixflow was started in (over SSH, the project's folder)."""
    return str(Path.cwd()).rstrip("/") + "/"


class EditFlows(_Base):
    # ---- settings -----------------------------------------------------------------------------------

    def action_edit(self) -> None:
        entry = self.selected
        if entry is None or self.queue is None:
            return
        if not self.editable(entry):
            self.warn(f"{entry.name} is on its way; cancel it (x) to change its settings")
            return
        others = sum(1 for e in self.queue.entries if e.id != entry.id and self.editable(e))
        position = f"{self.queue.entries.index(entry) + 1} of {len(self.queue.entries)}"
        self.app.push_screen(VideoSettingsDialog(entry.copy(), position=position, others=others),
                             callback=lambda result: self._save_settings(entry.id, result))

    def _save_settings(self, entry_id: str, result: SettingsResult | None) -> None:
        if result is None or self.queue is None:
            return
        entry = self.queue.find(entry_id)
        if entry is None:
            return
        entry.settings = result.settings.copy()
        changed = 1
        if result.to_all:
            for other in self.queue.entries:
                if other.id != entry_id and self.editable(other):
                    other.settings = result.settings.copy(prompt=other.settings.prompt)
                    changed += 1
        self.queue.defaults = result.settings.copy(prompt="")
        self.save()
        self.show_queue(select=entry_id)
        where = f"all {changed} entries (each keeps its own prompt)" if result.to_all else entry.name
        self.notify(f"Settings saved to {where}; new images start with them", title="Img2Video")

    def _apply_to(self, entries: list[QueueEntry], change: VideoSettings | dict) -> int:
        """Apply a preset's data to `entries`; returns how many changed."""
        assert self.queue is not None
        for entry in entries:
            entry.settings = apply_preset(entry.settings, change)  # type: ignore[arg-type]
        self.queue.defaults = apply_preset(self.queue.defaults, change)  # type: ignore[arg-type]
        self.save()
        self.show_queue()
        return len(entries)

    # ---- presets ------------------------------------------------------------------------------------

    def action_presets(self) -> None:
        if self.queue is None:
            return
        self.background("Reading video presets", lambda: video_presets(self.context), self._choose_preset)

    def _choose_preset(self, presets: list[PresetRecord]) -> None:
        entry = self.selected
        source = entry.settings if entry else self.queue.defaults  # type: ignore[union-attr]
        choices: list[tuple[str, str]] = [
            ("save", f"+ Save as a preset… ({camera_summary(source, limit=28)} · {source.duration} s · "
                     f"{source.aspect_ratio})"),
        ]
        choices += [(f"use:{p.id}", f"{p.name} — {describe_preset(p.data)}") for p in presets]
        choices += [("import", "Import presets from a JSON file…")]
        if presets:
            choices += [("export", "Export video presets to a JSON file…"), ("delete", "Delete a preset…")]
        message = "enter: use the preset" if presets else "No video presets yet: save one from an entry's settings."
        by_id = {f"use:{p.id}": p for p in presets}

        def chosen(value: str | None) -> None:
            if value == "save":
                self._save_preset(source)
            elif value in by_id:
                self._use_preset(by_id[value])
            elif value == "import":
                self._import_presets()
            elif value == "export":
                self._export_presets()
            elif value == "delete":
                self._delete_preset(presets)

        first = f"use:{presets[0].id}" if presets else None
        self.app.push_screen(ChoiceDialog("Video presets", choices, message, selected=first), callback=chosen)

    def _save_preset(self, settings: VideoSettings) -> None:
        snapshot, context = settings.copy(), self.context

        def saved(result: tuple[PresetRecord, bool]) -> None:
            preset, replaced = result
            self.notify(f"{'Replaced' if replaced else 'Saved'} video preset “{preset.name}”: "
                        f"{describe_preset(preset.data)}", title="Img2Video")

        def named(name: str | None) -> None:
            if name:
                self.background("Saving a video preset", lambda: save_video_preset(context, name, snapshot), saved)

        self.app.push_screen(TextInputDialog(
            "Save video preset", f"Camera, duration and aspect: {camera_summary(snapshot)} · {snapshot.duration} s · "
            f"{snapshot.aspect_ratio}. A preset with the same name is replaced.", placeholder="name, e.g. slow orbit",
            validator=lambda text: None if text.strip() else "type a name"), callback=named)

    def _use_preset(self, preset: PresetRecord) -> None:
        assert self.queue is not None
        entry = self.selected
        editable = [e for e in self.queue.entries if self.editable(e)]
        if not editable:
            self.queue.defaults = apply_preset(self.queue.defaults, preset.data)
            self.save()
            self.notify(f"New images will start with “{preset.name}”", title="Img2Video")
            return

        def apply(target: str | None) -> None:
            if target is None:
                return
            targets = editable if target == "all" else [e for e in editable if entry and e.id == entry.id]
            try:
                count = self._apply_to(targets, preset.data)
            except ValueError as exc:
                self.warn(str(exc))
                return
            self.notify(f"Applied “{preset.name}” to {count} entr{'y' if count == 1 else 'ies'}", title="Img2Video")

        if len(editable) == 1 or entry is None or entry not in editable:
            apply("all")
            return
        self.app.push_screen(ChoiceDialog(f"Apply “{preset.name}” to", [
            ("one", f"This entry · {entry.name}"),
            ("all", f"All {len(editable)} entries not on their way (prompts stay)"),
        ]), callback=apply)

    def _export_presets(self) -> None:
        context = self.context

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.background("Exporting video presets", lambda: export_presets(context, path, kind="video"),
                                lambda r: self.notify(f"Exported {r[1]} video presets to {r[0]}", title="Img2Video"))

        self.app.push_screen(PathInputDialog("Export video presets", "A JSON file to write (shareable).",
                                             value=_downloads() + "pixflow-video-presets.json", must_exist=False,
                                             want="file"), callback=chosen)

    def _import_presets(self) -> None:
        context = self.context

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.background("Importing presets", lambda: import_presets(context, path),
                                lambda made: self.notify(f"Imported {len(made)} presets from {path.name}",
                                                         title="Img2Video"))

        self.app.push_screen(PathInputDialog("Import presets", "A JSON file exported by Pixflow.",
                                             value=_downloads(), want="file"), callback=chosen)

    def _delete_preset(self, presets: list[PresetRecord]) -> None:
        own = [(str(p.id), p.name) for p in presets if not p.is_builtin]
        context = self.context

        def chosen(value: str | None) -> None:
            if value is None:
                return
            name = dict(own)[value]
            self.app.push_screen(
                ConfirmDialog(f"Delete the video preset “{name}”?", title="Delete preset?", yes="Delete"),
                callback=lambda yes: self.background(
                    "Deleting a preset", lambda: delete_preset(context, int(value)),
                    lambda _: self.notify(f"Deleted preset “{name}”", title="Img2Video")) if yes else None)

        self.app.push_screen(ChoiceDialog("Delete which preset?", own), callback=chosen)

    # ---- results ------------------------------------------------------------------------------------

    def _videos(self) -> list[VideoInfo]:
        assert self.queue is not None
        found = [self.status_of(e).video for e in self.queue.entries]
        return [v for v in found if v is not None]

    def action_play(self) -> None:
        entry = self.selected
        video = self.status_of(entry).video if entry else None
        if video is None:
            return

        def played(shown: bool) -> None:
            if shown:
                self.notify(f"Playing {Path(video.path).name} with the system player", title="Img2Video")
            else:
                self.app.copy_to_clipboard(video.path)
                self.notify(f"No display here to play it on. The video is at {video.path} (path copied)",
                            title="Img2Video", timeout=15)

        self.background("Opening the video", lambda: play_video(video.path), played)

    def action_export(self) -> None:
        if self.queue is None:
            return
        videos = self._videos()
        if not videos:
            self.warn("No finished videos to export yet")
            return
        entry = self.selected
        this = self.status_of(entry).video if entry else None
        choices = [("zip", f"All {len(videos)} video{'s' if len(videos) > 1 else ''} as a zip with their prompts")]
        if this is not None:
            choices.append(("one", f"Only this video, copied to a folder · {Path(this.path).name}"))
        if len(choices) == 1:
            self._export(choices[0][0], this, videos)
            return
        self.app.push_screen(ChoiceDialog("Export videos", choices),
                             callback=lambda how: self._export(how, this, videos) if how else None)

    def _export(self, how: str, this: VideoInfo | None, videos: list[VideoInfo]) -> None:
        if how == "one" and this is not None:
            dialog = PathInputDialog("Copy the video to a folder", "The folder is created when missing.",
                                     value=_downloads(), must_exist=False, want="dir")
            work = lambda target: copy_video(this, target)  # noqa: E731
            done = lambda path: self.notify(f"Copied to {path}", title="Img2Video", timeout=12)  # noqa: E731
        else:
            dialog = PathInputDialog("Export all videos as a zip", "Videos plus prompts.json and prompts.txt; an "
                                     "existing file is never overwritten.", value=_downloads() + ZIP_NAME,
                                     must_exist=False, want="any")
            work = lambda target: export_videos_zip(videos, target)  # noqa: E731

            def done(result) -> None:  # type: ignore[no-untyped-def]
                missing = f" ({len(result.missing)} missing files skipped)" if result.missing else ""
                self.notify(f"Exported {result.files} videos to {result.path}{missing}", title="Img2Video",
                            timeout=12)

        self.app.push_screen(dialog, callback=lambda target: self.background(
            "Exporting videos", lambda: work(target), done) if target else None)

    def action_copy_prompt(self) -> None:
        entry = self.selected
        if entry is not None:
            self.app.copy_to_clipboard(entry.composed_prompt())
            self.notify("Prompt copied", title="Img2Video")
