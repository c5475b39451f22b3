"""Avatar Studio: the avatar gallery beside the script panel, and the run panel below them. The screen composes
the three, remembers what the user chose (the avatar, the script and its ticked languages, an audio file) and hands
it to the run panel, forwards this module's job events to the run panel and refreshes the gallery when jobs end
(generated avatars and green-box versions appear as they are made)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import SelectionList

from pixflow_tui.core.jobs import JobEvent
from pixflow_tui.tui.screens.avatar_studio.gallery import AvatarGallery
from pixflow_tui.tui.screens.avatar_studio.languages import LanguagePicker
from pixflow_tui.tui.screens.avatar_studio.run_panel import RunPanel
from pixflow_tui.tui.screens.avatar_studio.script_panel import ScriptPanel
from pixflow_tui.tui.screens.base import ModuleScreen
from pixflow_tui.workflows.avatars import Avatar

GALLERY_DELAY = 0.3  # seconds after a job ends before the gallery reads again (a run ends several jobs at once)
SHORT = 30  # rows below which the intro line is hidden and the language list shrinks


class AvatarStudioScreen(ModuleScreen):
    MODULE = "avatar_studio"
    INTRO = "Make a talking avatar: choose an avatar ([), write its script (]), then voice and run it (\\)."
    EMPTY = ""
    AUTO_FOCUS = "#avatar-grid"  # never a text field: 1–6 must work on arrival
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "focus_part('avatar-grid')", "Avatars", show=False, id="avatar-focus-gallery"),
        Binding("right_square_bracket", "focus_part('avatar-script')", "Script", show=False,
                id="avatar-focus-script"),
        Binding("backslash", "focus_part('run-table')", "Run", show=False, id="avatar-focus-run"),
    ]

    class _JobEnded(Message, bubble=False):
        pass

    def __init__(self) -> None:
        super().__init__()
        self.current_avatar: Avatar | None = None
        self.current_audio: Path | None = None
        self.current_run: int | None = None  # the batch of the run (or reaction) started last
        self._run_panel: RunPanel | None = None
        self._gallery_timer: Any = None
        self._left = False

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="avatar-body"):
            yield AvatarGallery(self.context, id="avatar-gallery")
            yield ScriptPanel(self.context, id="avatar-script")
        self._run_panel = RunPanel(self.context, id="avatar-run")
        yield self._run_panel

    def on_mount(self) -> None:
        # no super().on_mount(): Textual calls ModuleScreen.on_mount itself
        self._fit()
        self._cleanups.append(self.app_.router.add(self.MODULE, self._note_job_event))

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        self.set_class(self.size.height < SHORT, "-short")

    # -- what the user chose -----------------------------------------------------------------------------

    @property
    def run_panel(self) -> RunPanel:
        return self.query_one(RunPanel)

    def on_avatar_gallery_chosen(self, message: AvatarGallery.Chosen) -> None:
        self.current_avatar = message.avatar
        self.run_panel.set_inputs(avatar=Path(message.avatar.path))

    def on_script_panel_audio_chosen(self, message: ScriptPanel.AudioChosen) -> None:
        self.current_audio = message.path
        self.run_panel.set_inputs(audio=message.path)

    def on_script_panel_script_shown(self, message: ScriptPanel.ScriptShown) -> None:
        view = message.view
        self.run_panel.set_inputs(script_id=view.id if view else None, script_language=view.language if view else "")

    def on_selection_list_selected_changed(self, message: SelectionList.SelectedChanged[str]) -> None:
        if isinstance(message.selection_list, LanguagePicker):
            self.run_panel.set_inputs(ticked=tuple(message.selection_list.chosen))

    def on_run_panel_started(self, message: RunPanel.Started) -> None:
        self.current_run = message.batch_id

    def action_focus_part(self, part: str) -> None:
        self.query_one(f"#{part}").focus()

    # -- avatars made meanwhile --------------------------------------------------------------------------

    def _note_job_event(self, event: JobEvent) -> None:
        """On the engine's thread: a job of this module moved (the run panel follows its run's jobs); one ended
        (an avatar may have been made)."""
        if self._run_panel is not None:
            self._run_panel.note_job_event(event)
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
