"""The side panel: the entry's source image and, once made, its video's first frame and length; the prompt text
exactly as it is (or was) sent; the video settings."""
from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobState
from pixflow_tui.tui.screens.img2video.queue_table import status_label
from pixflow_tui.tui.widgets.camera_presets import MODEL_LABELS
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.workflows.img2video import DRAFT, EntryStatus, QueueEntry
from pixflow_tui.workflows.img2video_camera import camera_summary, estimate_settings_cost


def _seconds(duration: float | None) -> str:
    return "?" if duration is None else f"{duration:.1f} s"


class EntryDetail(Vertical):
    def __init__(self, *, renderer: str, cache_dir: Path, id: str | None = None) -> None:
        super().__init__(id=id)
        self.renderer, self.cache_dir = renderer, cache_dir
        self.entry: QueueEntry | None = None
        self.status: EntryStatus | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="i2v-previews"):
            with Vertical(classes="i2v-pane"):
                yield Static("Source", id="i2v-source-title", classes="i2v-pane-title")
                yield ImagePreview(renderer=self.renderer, cache_dir=self.cache_dir, id="i2v-source")
            with Vertical(classes="i2v-pane"):
                yield Static("Video", id="i2v-frame-title", classes="i2v-pane-title")
                yield ImagePreview(renderer=self.renderer, cache_dir=self.cache_dir, id="i2v-frame")
                yield Static("", id="i2v-frame-note", classes="i2v-frame-note")
        with VerticalScroll(id="i2v-text"):
            yield Static("", id="i2v-state")
            yield Static("", id="i2v-prompt")
            yield Static("", id="i2v-settings")

    def show(self, entry: QueueEntry | None, status: EntryStatus | None) -> None:
        changed_image = entry is None or self.entry is None or entry.image != self.entry.image
        old_frame = self._frame_path()
        self.entry, self.status = entry, status
        source = self.query_one("#i2v-source", ImagePreview)
        if changed_image:
            source.show(entry.image if entry else None)
        frame = self._frame_path()
        if frame != old_frame or changed_image:
            self.query_one("#i2v-frame", ImagePreview).show(frame)
        self._write_text()

    def _frame_path(self) -> str | None:
        video = self.status.video if self.status else None
        return video.thumbnail if video and video.thumbnail else None

    def _write_text(self) -> None:
        entry, status = self.entry, self.status
        state_line, prompt_line, settings_line = self.query_one("#i2v-state", Static), \
            self.query_one("#i2v-prompt", Static), self.query_one("#i2v-settings", Static)
        frame_title = self.query_one("#i2v-frame-title", Static)
        frame_note = self.query_one("#i2v-frame-note", Static)
        if entry is None:
            self.query_one("#i2v-source-title", Static).update("Source")
            frame_title.update("Video")
            frame_note.update("")
            for widget in (state_line, prompt_line, settings_line):
                widget.update("")
            return
        self.query_one("#i2v-source-title", Static).update(Text(entry.name, no_wrap=True, overflow="ellipsis"))
        status = status or EntryStatus(DRAFT)
        video = status.video
        if video is not None:
            frame_title.update("First frame")
            frame_note.update(Text(_seconds(video.duration), style="dim", no_wrap=True, overflow="ellipsis"))
        else:
            frame_title.update("Video")
            frame_note.update(Text(self._no_video_note(status), style="dim"))
        state_line.update(self._state_text(status))
        composed = entry.composed_prompt()
        text = Text()
        text.append("Prompt ", style="bold")
        text.append(composed)
        if not entry.settings.prompt:
            text.append("  (default motion prompt)", style="dim")
        if status.prompt_sent and status.prompt_sent != composed:
            text.append("\nSent ", style="bold")
            text.append(status.prompt_sent, style="dim")
            text.append("  (settings changed since)", style="dim")
        prompt_line.update(text)
        settings_line.update(self._settings_text(entry))

    @staticmethod
    def _no_video_note(status: EntryStatus) -> str:
        if status.state == DRAFT:
            return "not made yet"
        if status.active:
            return "on its way…"
        return "no video"

    @staticmethod
    def _state_text(status: EntryStatus) -> Text:
        text = Text()
        text.append_text(status_label(status, None))
        video = status.video
        if video is not None and status.state == JobState.DONE:
            size = f" · {video.width}×{video.height}" if video.width and video.height else ""
            text.append(f" · {_seconds(video.duration)}{size}{' · demo' if video.provider == 'demo' else ''}")
        if status.active:
            text.append("  x: cancel", style="dim")
        elif status.state == JobState.DONE and status.video is not None:
            text.append("  o: play · p: presets", style="dim")
        else:
            text.append("  s: edit · p: presets", style="dim")
        if status.error and status.state in (JobState.FAILED, JobState.CANCELLED, JobState.UNKNOWN):
            text.append(f"\n{status.error}", style="red" if status.state == JobState.FAILED else "dim")
        return text

    @staticmethod
    def _settings_text(entry: QueueEntry) -> Text:
        s = entry.settings
        text = Text()
        text.append("Camera ", style="bold")
        text.append(camera_summary(s))
        text.append("\nVideo ", style="bold")
        text.append(f"{s.duration} s · {s.aspect_ratio} · {MODEL_LABELS.get(s.model, s.model)} · "
                    f"≈ ${estimate_settings_cost(s):.2f}")
        if s.negative_prompt != catalog.VIDEO_DEFAULT_NEGATIVE or s.cfg_scale != catalog.VIDEO_DEFAULT_CFG:
            text.append(f"\nNegative {s.negative_prompt} · cfg {s.cfg_scale:g}", style="dim")
        return text
