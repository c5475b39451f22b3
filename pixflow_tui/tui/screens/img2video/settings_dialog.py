"""Edit one entry's video settings: prompt, camera presets, duration, aspect, model, negative prompt and cfg.
Saves to this entry, or the camera and video settings to every entry not on its way (prompts stay per image)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from pixflow_tui.core import catalog
from pixflow_tui.tui.widgets.camera_presets import CameraPresetList
from pixflow_tui.workflows.img2video import QueueEntry
from pixflow_tui.workflows.img2video_camera import estimate_settings_cost
from pixflow_tui.workflows.videos import VideoSettings


@dataclass(frozen=True)
class SettingsResult:
    settings: VideoSettings
    to_all: bool


def parse_cfg(text: str) -> float | str:
    """The cfg scale (0–1), or an error message."""
    try:
        value = float(text.strip() or catalog.VIDEO_DEFAULT_CFG)
    except ValueError:
        return f"cfg must be a number from 0 to 1, not {text.strip()!r}"
    if not 0 <= value <= 1:
        return f"cfg must be from 0 to 1, not {value:g}"
    return value


class VideoSettingsDialog(ModalScreen[SettingsResult | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save(False)", "Save to this entry", priority=True, id="i2v-settings-save"),
        Binding("ctrl+a", "save(True)", "Save to all entries", priority=True, id="i2v-settings-save-all"),
        Binding("escape", "back", "Leave field / cancel", id="i2v-settings-cancel"),
    ]

    def __init__(self, entry: QueueEntry, *, position: str, others: int) -> None:
        super().__init__(classes="dialog i2v-settings")
        self.entry = entry
        self.position = position  # "entry 2 of 5"
        self.others = others  # other entries "save to all" would change
        self.settings = entry.settings.copy()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            title = Text(f"Video settings · {self.position} · ", style="bold")
            title.append(self.entry.name)
            yield Static(title, classes="dialog-title")
            with Horizontal(classes="i2v-field"):
                yield Static("Prompt", classes="i2v-label")
                yield Input(self.settings.prompt, placeholder=f"{catalog.VIDEO_DEFAULT_PROMPT} (default)",
                            id="i2v-prompt-input", compact=True)
            with Horizontal(classes="i2v-field"):
                yield Static("Negative", classes="i2v-label")
                yield Input(self.settings.negative_prompt, id="i2v-negative-input", compact=True)
                yield Static(" cfg ", classes="i2v-label-short")
                yield Input(f"{self.settings.cfg_scale:g}", id="i2v-cfg-input", compact=True)
            yield CameraPresetList(self.settings, id="i2v-camera")
            yield Static("", id="i2v-composed")
            yield Static("", id="i2v-note", classes="dialog-error")
            everyone = f"to all {self.others + 1}" if self.others else "to all"
            yield Static(f"space: toggle · ctrl+s: save · ctrl+a: {everyone}, prompts kept · esc: cancel",
                         classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(CameraPresetList).focus()  # never arrive in a text field
        self._show_composed()

    # -- live preview -----------------------------------------------------------------------------------

    def _read_fields(self) -> str | None:
        """Copy the text fields into `settings`; returns an error message when one is not acceptable."""
        self.settings.prompt = self.query_one("#i2v-prompt-input", Input).value.strip()
        self.settings.negative_prompt = self.query_one("#i2v-negative-input", Input).value.strip()
        cfg = parse_cfg(self.query_one("#i2v-cfg-input", Input).value)
        if isinstance(cfg, str):
            return cfg
        self.settings.cfg_scale = cfg
        return None

    def _show_composed(self) -> None:
        error = self._read_fields()
        entry = QueueEntry(self.entry.id, self.entry.image, self.settings)
        text = Text()
        text.append("Sends ", style="bold")
        text.append(entry.composed_prompt())
        model_id = catalog.VIDEO_MODELS.get(self.settings.model, "")
        seconds = catalog.video_duration_for(model_id, self.settings.duration) if model_id else self.settings.duration
        made = f", {seconds} s (the model has no {self.settings.duration} s)" if seconds != self.settings.duration else ""
        text.append(f"\n≈ ${estimate_settings_cost(self.settings):.2f} per video{made}", style="dim")
        self.query_one("#i2v-composed", Static).update(text)
        self._note(error or "")

    def _note(self, text: str) -> None:
        note = self.query_one("#i2v-note", Static)
        note.update(text)
        note.display = bool(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show_composed()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(CameraPresetList).focus()

    def on_camera_preset_list_changed(self, event: CameraPresetList.Changed) -> None:
        prompt, negative, cfg = self.settings.prompt, self.settings.negative_prompt, self.settings.cfg_scale
        self.settings = event.settings.copy(prompt=prompt, negative_prompt=negative, cfg_scale=cfg)
        self._show_composed()
        if event.note:
            self._note(event.note)

    # -- actions ----------------------------------------------------------------------------------------

    def action_save(self, to_all: bool) -> None:
        error = self._read_fields()
        if error:
            self._note(error)
            return
        self.settings = self.query_one(CameraPresetList).settings.copy(
            prompt=self.settings.prompt, negative_prompt=self.settings.negative_prompt,
            cfg_scale=self.settings.cfg_scale)
        self.dismiss(SettingsResult(self.settings.copy(), to_all))

    def action_back(self) -> None:
        """Escape leaves a text field first; from the list it cancels."""
        if isinstance(self.focused, Input):
            self.query_one(CameraPresetList).focus()
        else:
            self.dismiss(None)
