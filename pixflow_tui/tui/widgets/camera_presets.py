"""Video settings as one keyboard list: camera movement (up to 3, a 4th drops the oldest), speed (one), shot type
(up to 3), duration, aspect ratio and model. Space or enter toggles the highlighted choice."""
from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from pixflow_tui.core import catalog
from pixflow_tui.workflows.img2video_camera import toggle_movement, toggle_shot, toggle_speed
from pixflow_tui.workflows.videos import VideoSettings

MODEL_LABELS = {"kling": "Kling 2.5 turbo pro", "hailuo": "Minimax Hailuo 02"}
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("movement", f"Camera movement · up to {catalog.MAX_CAMERA_MOVEMENTS}, a 4th drops the oldest",
     catalog.CAMERA_MOVEMENTS),
    ("speed", "Camera speed · one", catalog.CAMERA_SPEEDS),
    ("shot", f"Shot type · up to {catalog.MAX_SHOT_TYPES}", catalog.SHOT_TYPES),
    ("duration", "Duration", catalog.VIDEO_DURATIONS),
    ("aspect", "Aspect ratio", catalog.VIDEO_ASPECT_RATIOS),
    ("model", "Model", tuple(catalog.VIDEO_MODELS)),
)


def option_label(group: str, value: str) -> str:
    if group == "duration":
        return f"{value} s"
    if group == "model":
        return MODEL_LABELS.get(value, value)
    return value


class CameraPresetList(OptionList):
    """Holds a VideoSettings in `settings`; posts `Changed` after every toggle."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "select", "Toggle", id="camera-toggle"),
        Binding("j", "cursor_down", "Down", show=False, id="camera-down-vim"),
        Binding("k", "cursor_up", "Up", show=False, id="camera-up-vim"),
    ]

    class Changed(Message):
        def __init__(self, presets: CameraPresetList, settings: VideoSettings, note: str | None) -> None:
            super().__init__()
            self.presets = presets
            self.settings = settings
            self.note = note  # why a choice was refused, or None

        @property
        def control(self) -> CameraPresetList:
            return self.presets

    def __init__(self, settings: VideoSettings, *, id: str | None = None, classes: str | None = None) -> None:
        self.settings = settings.copy()
        options: list[Option] = []
        for group, heading, values in GROUPS:
            options.append(Option(Text(heading, style="bold"), id=f"head:{group}", disabled=True))
            options.extend(Option(self._label(group, value), id=f"{group}:{value}") for value in values)
        super().__init__(*options, id=id, classes=classes)

    def on_mount(self) -> None:
        self.highlighted = 1  # the first movement, not its heading

    # -- state ----------------------------------------------------------------------------------------

    def _chosen(self, group: str, value: str) -> tuple[bool, int | None]:
        s = self.settings
        if group == "movement":
            return value in s.movements, (s.movements.index(value) + 1 if value in s.movements else None)
        if group == "shot":
            return value in s.shots, (s.shots.index(value) + 1 if value in s.shots else None)
        current = {"speed": s.speed, "duration": s.duration, "aspect": s.aspect_ratio, "model": s.model}[group]
        return current == value, None

    def _label(self, group: str, value: str) -> Text:
        chosen, order = self._chosen(group, value)
        if group in ("movement", "shot"):
            mark = f"[{order}]" if chosen else "[ ]"
        else:
            mark = "(•)" if chosen else "( )"
        text = Text(f" {mark} ", style="bold green" if chosen else "dim")
        text.append(option_label(group, value), style="" if chosen else "")
        return text

    def set_settings(self, settings: VideoSettings) -> None:
        self.settings = settings.copy()
        self._relabel()

    def _relabel(self, only: str | None = None) -> None:
        for group, _, values in GROUPS:
            if only is None or group == only:
                for value in values:
                    self.replace_option_prompt(f"{group}:{value}", self._label(group, value))

    def toggle(self, option_id: str) -> str | None:
        """Apply one choice by option id ("movement:camera pans right"); returns a refusal note or None."""
        group, _, value = option_id.partition(":")
        s, note = self.settings, None
        if group == "movement":
            s.movements = toggle_movement(s.movements, value)
        elif group == "shot":
            s.shots, note = toggle_shot(s.shots, value)
        elif group == "speed":
            s.speed = toggle_speed(s.speed, value)
        elif group == "duration":
            s.duration = value
        elif group == "aspect":
            s.aspect_ratio = value
        elif group == "model":
            s.model = value
        else:
            return None
        self._relabel(group)
        self.post_message(self.Changed(self, self.settings.copy(), note))
        return note

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.toggle(event.option.id)
