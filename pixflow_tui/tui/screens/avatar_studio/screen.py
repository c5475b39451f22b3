"""Avatar Studio, part 1: the avatar gallery beside the script panel. The screen composes the two, remembers what
the user chose (the avatar, the script's audio stand-in) for the steps that follow, and refreshes the gallery when
this module's jobs end (generated avatars and green-box versions appear as they are made)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message

from pixflow_tui.core.jobs import JobEvent
from pixflow_tui.tui.screens.avatar_studio.gallery import AvatarGallery
from pixflow_tui.tui.screens.avatar_studio.script_panel import ScriptPanel
from pixflow_tui.tui.screens.base import ModuleScreen
from pixflow_tui.workflows.avatars import Avatar

GALLERY_DELAY = 0.3  # seconds after a job ends before the gallery reads again (a run ends several jobs at once)
SHORT = 30  # rows below which the intro line is hidden and the language list shrinks


class AvatarStudioScreen(ModuleScreen):
    MODULE = "avatar_studio"
    INTRO = "Make a talking avatar: choose an avatar and write its script (voice and lipsync come next)."
    EMPTY = ""
    AUTO_FOCUS = "#avatar-grid"  # never a text field: 1–6 must work on arrival
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "focus_part('avatar-grid')", "Avatars", show=False, id="avatar-focus-gallery"),
        Binding("right_square_bracket", "focus_part('avatar-script')", "Script", show=False,
                id="avatar-focus-script"),
    ]

    class _JobEnded(Message, bubble=False):
        pass

    def __init__(self) -> None:
        super().__init__()
        self.current_avatar: Avatar | None = None
        self.current_audio: Path | None = None
        self._gallery_timer: Any = None
        self._left = False

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="avatar-body"):
            yield AvatarGallery(self.context, id="avatar-gallery")
            yield ScriptPanel(self.context, id="avatar-script")

    def on_mount(self) -> None:
        # no super().on_mount(): Textual calls ModuleScreen.on_mount itself
        self._fit()
        self._cleanups.append(self.app_.router.add(self.MODULE, self._note_job_event))

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        self.set_class(self.size.height < SHORT, "-short")

    # -- what the user chose -----------------------------------------------------------------------------

    def on_avatar_gallery_chosen(self, message: AvatarGallery.Chosen) -> None:
        self.current_avatar = message.avatar

    def on_script_panel_audio_chosen(self, message: ScriptPanel.AudioChosen) -> None:
        self.current_audio = message.path

    def action_focus_part(self, part: str) -> None:
        self.query_one(f"#{part}").focus()

    # -- avatars made meanwhile --------------------------------------------------------------------------

    def _note_job_event(self, event: JobEvent) -> None:
        """On the engine's thread: a job of this module ended (an avatar may have been made)."""
        if event.state.finished:
            self.post_message(self._JobEnded())

    def on_avatar_studio_screen__job_ended(self, _: _JobEnded) -> None:
        if self._gallery_timer is None:
            self._gallery_timer = self.set_timer(GALLERY_DELAY, self._reload_gallery)

    def _reload_gallery(self) -> None:
        self._gallery_timer = None
        self.query_one(AvatarGallery).reload()

    # Textual runs each class's handler (ModuleScreen's refreshes the header): no super() calls here
    def on_screen_suspend(self) -> None:
        self._left = self.app.current_mode != self.MODULE  # a dialog on top keeps the mode

    def on_screen_resume(self) -> None:
        if self._left:  # the Library may have marked avatars, other processes made some
            self._left = False
            self.query_one(AvatarGallery).reload()
