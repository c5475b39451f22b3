"""The Machine's inputs: the concept, then one line per setting (prompt count, avatars from Avatar Studio's gallery
with the lipsync avatar's green-box check, reference images, app, duration, tone, voice, languages, videos with a
camera preset). Owns its keys; posts `DryRunWanted` / `RunWanted` with the inputs when they are complete."""
from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from pixflow_tui.core import catalog
from pixflow_tui.tui.screens.dialogs import PathInputDialog
from pixflow_tui.tui.screens.machine.dialogs import PickManyDialog
from pixflow_tui.tui.widgets.settings_list import Setting, SettingsList
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows import machine as flow
from pixflow_tui.workflows.avatars import Avatar, GreenCheck, gallery, green_check
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError

NO_VOICE = "— choose —"
VIDEOS_OFF = "off"
VIDEOS_ON = "on (no camera preset)"
COUNTS = tuple(str(n) for n in range(catalog.PROMPT_COUNT_RANGE[0], catalog.PROMPT_COUNT_RANGE[1] + 1))


class MachineForm(Vertical):
    """Keys: c the concept, a avatars, i add a reference, I clear them, d dry run, ctrl+r run."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "concept", "Concept", id="machine-concept"),
        Binding("a", "avatars", "Avatars", id="machine-avatars"),
        Binding("i", "add_reference", "Add reference", show=False, id="machine-add-reference"),
        Binding("I", "clear_references", "Clear references", show=False, id="machine-clear-references"),
        Binding("d", "dry_run", "Dry run", id="machine-dry-run"),
        Binding("ctrl+r", "run", "Run", id="machine-run"),
    ]

    class DryRunWanted(Message):
        def __init__(self, inputs: flow.MachineInputs) -> None:
            super().__init__()
            self.inputs = inputs

    class RunWanted(Message):
        def __init__(self, inputs: flow.MachineInputs) -> None:
            super().__init__()
            self.inputs = inputs

    class _Gallery(Message, bubble=False):
        def __init__(self, avatars: list[Avatar]) -> None:
            super().__init__()
            self.avatars = avatars

    class _Checked(Message, bubble=False):
        def __init__(self, path: str, result: GreenCheck | str) -> None:
            super().__init__()
            self.path, self.result = path, result

    def __init__(self, context: AppContext, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.gallery: list[Avatar] = []
        self.avatars: list[str] = []  # paths; the first is the lipsync avatar
        self.references: list[str] = []
        self.languages: list[str] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Input(placeholder="concept (c to type)", id="machine-concept-input")
        yield SettingsList([
            Setting("count", "Prompts", COUNTS, str(flow.DEFAULT_COUNT)),
            Setting("avatars", "Avatars", note="none"),
            Setting("references", "References", note="0/5 · enter adds"),
            Setting("app", "App", tuple(p.name for p in catalog.PRODUCTS), flow.DEFAULT_APP),
            Setting("duration", "Duration", tuple(str(d) for d in flow.DURATIONS), str(flow.DEFAULT_DURATION),
                    note="s"),
            Setting("tone", "Tone", catalog.TONES, catalog.DEFAULT_TONE),
            Setting("voice", "Voice", (NO_VOICE, *(v.name for v in catalog.VOICES)), NO_VOICE),
            Setting("languages", "Languages", note="script's own"),
            Setting("videos", "Videos", (VIDEOS_OFF, VIDEOS_ON, *catalog.CAMERA_MOVEMENTS), VIDEOS_OFF),
            Setting("dry", "◇ Dry run", note="d"),
            Setting("run", "▶ Run", note="ctrl+r"),
        ], id="machine-settings")
        yield Static("", id="machine-green", markup=False)
        yield Static("", id="machine-form-status", markup=False)

    def on_mount(self) -> None:
        self.border_title = "Inputs"
        self.query_one("#machine-form-status").display = False
        self.query_one("#machine-green").display = False
        context = self.context

        def work() -> None:
            self.post_message(self._Gallery(gallery(context)))

        # after the first frame: the avatars only fill in a setting's note
        self.call_after_refresh(start_thread, self, work, name="Reading the avatar gallery", group="machine-gallery")

    @property
    def settings_list(self) -> SettingsList:
        return self.query_one(SettingsList)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Letter keys type into the concept field while it has the focus."""
        focused = self.app.focused
        if isinstance(focused, Input) and action != "run":
            return False
        return True

    def say(self, text: str, kind: str = "info") -> None:
        status = self.query_one("#machine-form-status", Static)
        status.update(text)
        status.display = bool(text)
        for name in ("info", "ok", "busy", "warning", "error"):
            status.set_class(name == kind, f"-{name}")

    # -- reading and filling --------------------------------------------------------------------------------

    def inputs(self) -> flow.MachineInputs:
        """What the form holds; a missing voice or avatar is refused here with what to do."""
        values = self.settings_list
        concept = self.query_one("#machine-concept-input", Input).value.strip()
        if not concept:
            raise InputError("type a concept first (c): what the videos are about")
        if not self.avatars:
            raise InputError("choose an avatar (a): the first one ticked is the lipsync avatar and must stand on "
                             "backdrop green")
        voice = values.value("voice")
        if voice == NO_VOICE:
            raise InputError("choose a voice (the Voice line, ←/→ or enter): the script is spoken in it")
        videos = values.value("videos")
        camera = videos if videos in catalog.CAMERA_MOVEMENTS else None
        return flow.MachineInputs(concept=concept, avatars=tuple(self.avatars), voice=voice,
                                  count=int(values.value("count")), references=tuple(self.references),
                                  app=values.value("app"), duration=int(values.value("duration")),
                                  tone=values.value("tone"), languages=tuple(self.languages),
                                  videos=videos != VIDEOS_OFF, camera=camera)

    def fill(self, inputs: flow.MachineInputs) -> None:
        """Show a run's inputs (the newest run's on arrival, so start over and a new run begin from them)."""
        self.query_one("#machine-concept-input", Input).value = inputs.concept
        values = self.settings_list
        for key, value in (("count", str(inputs.count)), ("app", inputs.app), ("duration", str(inputs.duration)),
                           ("tone", inputs.tone), ("voice", inputs.voice),
                           ("videos", inputs.camera or (VIDEOS_ON if inputs.videos else VIDEOS_OFF))):
            try:
                values.set_value(key, value)
            except ValueError:
                pass  # an app or tone no longer offered: keep the default
        self.set_avatars(list(inputs.avatars))
        self.references = list(inputs.references)
        self.languages = list(inputs.languages)
        self._notes()

    def _notes(self) -> None:
        values = self.settings_list
        names = [Path(p).stem for p in self.avatars]
        avatars = f"{names[0]} (lipsync)" + (f" + {', '.join(names[1:])}" if names[1:] else "") if names else "none"
        values.set_note("avatars", avatars if names else f"none of {len(self.gallery)}")
        values.set_note("references", f"{len(self.references)}/{catalog.MAX_REFERENCE_IMAGES} · enter adds")
        values.set_note("languages", ", ".join(self.languages) or "script's own")

    def on_machine_form__gallery(self, message: _Gallery) -> None:
        self.gallery = message.avatars
        self.loaded = True
        self._notes()

    # -- avatars and their green box ---------------------------------------------------------------------------

    def set_avatars(self, paths: list[str]) -> None:
        self.avatars = paths
        self._notes()
        green = self.query_one("#machine-green", Static)
        green.display = bool(paths)
        if not paths:
            return
        green.update(f"{Path(paths[0]).name}: checking the green box…")
        path = paths[0]

        def work() -> None:
            try:
                result: GreenCheck | str = green_check(path)
            except InputError as exc:
                result = str(exc)
            self.post_message(self._Checked(path, result))

        start_thread(self, work, name="Checking the green box", group="machine-green")

    def on_machine_form__checked(self, message: _Checked) -> None:
        if not self.avatars or self.avatars[0] != message.path:
            return
        green = self.query_one("#machine-green", Static)
        result = message.result
        ok = isinstance(result, GreenCheck) and result.ok
        text = result.describe() if isinstance(result, GreenCheck) else result
        green.update(f"Lipsync avatar {Path(message.path).name}: {text}")
        green.set_class(ok, "-ok")
        green.set_class(not ok, "-warning")

    def action_avatars(self) -> None:
        if not self.gallery:
            self.say("The avatar gallery is empty: add avatars in Avatar Studio (4) first.", "warning")
            return
        choices = [(a.path, f"{a.name} ({a.source})") for a in self.gallery]

        def chosen(paths: list[str] | None) -> None:
            if paths is not None:
                self.set_avatars(paths)

        self.app.push_screen(PickManyDialog("Avatars", choices, selected=self.avatars,
                                            message="The first one ticked is the lipsync avatar (green box).",
                                            limit=catalog.MAX_REFERENCE_IMAGES), chosen)

    def action_add_reference(self) -> None:
        if len(self.references) >= catalog.MAX_REFERENCE_IMAGES:
            self.say(f"At most {catalog.MAX_REFERENCE_IMAGES} reference images (I clears them).", "warning")
            return

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.references.append(str(path))
                self._notes()

        self.app.push_screen(PathInputDialog("Reference image", want="file"), chosen)

    def action_clear_references(self) -> None:
        self.references.clear()
        self._notes()

    def action_languages(self) -> None:
        def chosen(codes: list[str] | None) -> None:
            if codes is not None:
                self.languages = codes
                self._notes()

        self.app.push_screen(PickManyDialog("Languages", list(catalog.LANGUAGES.items()), selected=self.languages,
                                            message="None ticked: the script's own language."), chosen)

    # -- the rows and the runs ------------------------------------------------------------------------------

    def on_settings_list_activated(self, message: SettingsList.Activated) -> None:
        message.stop()
        actions = {"avatars": self.action_avatars, "references": self.action_add_reference,
                   "languages": self.action_languages, "dry": self.action_dry_run, "run": self.action_run}
        actions[message.key]()

    def on_settings_list_changed(self, message: SettingsList.Changed) -> None:
        message.stop()
        self.say("")

    def action_concept(self) -> None:
        self.screen.set_focus(self.query_one("#machine-concept-input", Input))  # now: keys typed after it land there

    def on_input_submitted(self, message: Input.Submitted) -> None:
        message.stop()
        self.settings_list.focus()

    def _checked_inputs(self) -> flow.MachineInputs | None:
        try:
            return self.inputs()
        except InputError as exc:
            self.say(str(exc), "warning")
            return None

    def action_dry_run(self) -> None:
        inputs = self._checked_inputs()
        if inputs is not None:
            self.say("")
            self.post_message(self.DryRunWanted(inputs))

    def action_run(self) -> None:
        inputs = self._checked_inputs()
        if inputs is not None:
            self.say("")
            self.post_message(self.RunWanted(inputs))
