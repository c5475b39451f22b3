"""The script panel: the current script with its word count and spoken length (and a warning when it is off the
target), its versions (undo/redo, kept in the database), its translations and the four ways in: type or paste,
generate, transcribe, or an audio file instead of a script. Owns its keys; posts `AudioChosen` up."""
from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from pixflow_tui.core import catalog
from pixflow_tui.tui.screens.avatar_studio.dialogs import GenerateScriptDialog, ScriptRequest
from pixflow_tui.tui.screens.avatar_studio.editor import ScriptEditor
from pixflow_tui.tui.screens.avatar_studio.languages import LanguagePicker, language_label
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, PathInputDialog, TextInputDialog
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows import scripts as flow
from pixflow_tui.workflows.avatar_runs import check_audio_file
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.scripts import ScriptProviderError, ScriptView

EMPTY = ("No script yet. n: type or paste one · g: generate one · t: transcribe a file or URL · "
         "a: use an audio file instead (no script needed).")


class ScriptPanel(Vertical, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u,ctrl+z", "undo", "Undo", id="avatar-script-undo"),
        Binding("U,ctrl+y", "redo", "Redo", id="avatar-script-redo"),
        Binding("g", "generate", "Generate", id="avatar-script-generate"),
        Binding("n", "new", "New", id="avatar-script-new"),
        Binding("e", "edit", "Edit", id="avatar-script-edit"),
        Binding("i", "improve", "Improve", id="avatar-script-improve"),
        Binding("s", "refine('shorter')", "Shorter", id="avatar-script-shorter"),
        Binding("l", "refine('longer')", "Longer", id="avatar-script-longer"),
        Binding("d", "duration", "Duration", id="avatar-script-duration"),
        Binding("T", "translate", "Translate", id="avatar-script-translate"),
        Binding("L", "languages", "Choose languages", show=False, id="avatar-script-languages"),
        Binding("t", "transcribe", "Transcribe a file or URL", show=False, id="avatar-script-transcribe"),
        Binding("a", "audio", "Use an audio file", show=False, id="avatar-script-audio"),
        Binding("E", "external_edit", "Edit in $EDITOR", show=False, id="avatar-script-external-editor"),
        Binding("o", "open", "Open another script", show=False, id="avatar-script-open"),
        Binding("x", "close_editor", "Close the editor (drops the draft)", show=False,
                id="avatar-script-close-editor"),
    ]
    NEEDS_SCRIPT: ClassVar[set[str]] = {"improve", "refine", "duration", "translate", "languages", "undo", "redo"}
    NEEDS_IDLE: ClassVar[set[str]] = NEEDS_SCRIPT | {"generate", "transcribe", "new", "edit", "external_edit"}

    class AudioChosen(Message):
        """The user has an audio file instead of a script (it goes to lipsync as it is)."""

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    class ScriptShown(Message):
        """The current script changed (None: there is none)."""

        def __init__(self, view: ScriptView | None) -> None:
            super().__init__()
            self.view = view

    class _Shown(Message, bubble=False):
        def __init__(self, view: ScriptView | None, note: str, kind: str) -> None:
            super().__init__()
            self.view, self.note, self.kind = view, note, kind

    def __init__(self, context: AppContext, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.view: ScriptView | None = None
        self.audio: Path | None = None
        self.busy = False
        self.loaded = False
        self._last_request = ScriptRequest()

    def compose(self) -> ComposeResult:
        yield Static("", id="script-head", markup=False)
        yield Static("", id="script-meta", markup=False)
        with VerticalScroll(id="script-scroll", can_focus=False):
            yield Static("Loading the current script…", id="script-text", markup=False)
            yield Static("", id="script-translations", markup=False)
        yield ScriptEditor(id="script-editor")
        yield LanguagePicker(id="script-languages")
        yield Static("", id="script-audio", markup=False)
        yield Static("", id="script-status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#script-audio").display = False
        self.query_one("#script-status").display = False
        context = self.context

        def work() -> None:
            views = flow.list_scripts(context, limit=1)
            self.post_message(self._Shown(views[0] if views else None, "", "info"))

        # after the first frame: the screen shows before its loads compete with it
        self.call_after_refresh(start_thread, self, work, name="Loading the current script",
                                group="avatar-script-load")

    @property
    def editor(self) -> ScriptEditor:
        return self.query_one(ScriptEditor)

    @property
    def picker(self) -> LanguagePicker:
        return self.query_one(LanguagePicker)

    # -- showing -----------------------------------------------------------------------------------------

    def say(self, text: str, kind: str = "info") -> None:
        status = self.query_one("#script-status", Static)
        status.update(text)
        status.display = bool(text)
        for name in ("info", "ok", "busy", "warning", "error"):
            status.set_class(name == kind, f"-{name}")

    def on_script_panel__shown(self, message: _Shown) -> None:
        self.loaded = True
        self.show_view(message.view)
        if message.note:
            self.say(message.note, message.kind)

    def show_view(self, view: ScriptView | None) -> None:
        self.view = view
        self.post_message(self.ScriptShown(view))
        head = self.query_one("#script-head", Static)
        meta = self.query_one("#script-meta", Static)
        text = self.query_one("#script-text", Static)
        translations = self.query_one("#script-translations", Static)
        if view is None:
            head.update("Script")
            meta.update("")
            text.update(EMPTY)
            translations.update("")
            self.refresh_bindings()
            return
        version = view.version
        head.update(f"Script #{view.id} · version {version.id}, {version.action} · "
                    f"{language_label(view.language)} (detected)")
        line = Text(f"{view.fit.words} words · ~{view.fit.seconds:g} s")
        if view.duration:
            line.append(f" · target {view.duration:g} s ≈ {view.fit.target} words")
        if view.fit.warning:
            line.append(f" · ⚠ {view.fit.warning}", style="bold yellow")
        meta.update(line)
        text.update(view.text)
        blocks = Text()
        for code, translated in view.translations.items():
            blocks.append(f"\n── {language_label(code)} ──\n", style="bold")
            blocks.append(translated.text + "\n")
        translations.update(blocks)
        self.picker.set_detected(view.language, set(view.translations))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.NEEDS_IDLE and self.busy:
            return None
        if action in self.NEEDS_SCRIPT and self.view is None:
            return None
        if action == "undo":
            return self.view is not None and self.view.can_undo or None
        if action == "redo":
            return self.view is not None and self.view.can_redo or None
        if action == "close_editor":
            return self.editor.is_open or None
        return True

    # -- running the services ----------------------------------------------------------------------------

    def run(self, what: str, busy: str, make: Callable[[], Awaitable[ScriptView]], *, done: str,
            refused: Callable[[str], None] | None = None) -> None:
        """Run an async script service (it calls the text provider) in an asyncio worker on the app; bad input
        and provider failures become one line here, and the script shown stays as it was."""

        async def work() -> None:
            self.busy = True
            self.refresh_bindings()
            self.say(busy, "busy")
            try:
                view = await make()
            except InputError as exc:
                self.say(f"{what}: {exc}", "warning")
                if refused is not None:
                    refused(str(exc))
                return
            except ScriptProviderError as exc:
                self.say(f"{what}: the provider failed ({exc}).", "error")
                return
            finally:
                self.busy = False
                self.refresh_bindings()
            self.show_view(view)
            self.say(done, "ok")

        self.app.run_worker(work(), name=what, group=f"avatar-script-{id(self)}", exclusive=True,
                            exit_on_error=False)

    def run_sync(self, what: str, work: Callable[[], ScriptView], done: str) -> None:
        """A database-only service (undo, redo, reading a script) in a thread."""

        def job() -> None:
            try:
                view = work()
            except InputError as exc:
                self.post_message(self._Shown(self.view, f"{what}: {exc}", "warning"))
                return
            self.post_message(self._Shown(view, done, "ok"))

        start_thread(self, job, name=what, group="avatar-script-sync")

    # -- the four ways in --------------------------------------------------------------------------------

    def action_new(self) -> None:
        self.editor.open("new")

    def action_edit(self) -> None:
        if self.editor.is_open:
            self.screen.set_focus(self.editor.area)  # now: keys typed after it land there
        elif self.view is None:
            self.editor.open("new")
        else:
            self.editor.open("edit", self.view.text)

    def on_script_editor_left(self, message: ScriptEditor.Left) -> None:
        message.stop()
        self.focus()
        self.say("The draft is kept: e goes back to it, x drops it.", "info")

    def action_close_editor(self) -> None:
        self.editor.close()
        self.focus()

    def on_script_editor_save(self, message: ScriptEditor.Save) -> None:
        message.stop()
        context, text, view = self.context, message.text, self.view

        def saved() -> Awaitable[ScriptView]:
            if message.mode == "edit" and view is not None:
                return flow.edit_script(context, view.id, text)
            return flow.new_script(context, text)

        async def save_and_close() -> ScriptView:
            result = await saved()
            self.editor.close()
            self.focus()
            return result

        self.run("Not saved", "Saving the script…", save_and_close, done="Saved: undo (u) goes back.")

    def action_external_edit(self) -> None:
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not command:
            self.say("Set $EDITOR (or $VISUAL) to write scripts in your own editor; e edits here.", "warning")
            return
        mode = self.editor.mode if self.editor.is_open else ("edit" if self.view else "new")
        draft = self.editor.area.text if self.editor.is_open else (self.view.text if self.view else "")
        with tempfile.NamedTemporaryFile("w", suffix=".txt", prefix="pixflow-script-", delete=False,
                                         encoding="utf-8") as file:
            file.write(draft)
        path = Path(file.name)
        try:
            with self.app.suspend():
                subprocess.run([*shlex.split(command), str(path)], check=False)
            text = path.read_text(encoding="utf-8")
        except SuspendNotSupported:
            self.say("This terminal cannot hand over to $EDITOR; e edits here.", "warning")
            return
        except OSError as exc:
            self.say(f"$EDITOR did not run: {exc}", "error")
            return
        finally:
            path.unlink(missing_ok=True)
        self.editor.open(mode, text, replace=True)
        self.say("Back from $EDITOR: ctrl+s saves it.", "info")

    def action_generate(self, request: ScriptRequest | None = None, error: str = "") -> None:
        def chosen(result: object) -> None:
            if isinstance(result, ScriptRequest):
                self._last_request = result
                self._generate(result)

        self.app.push_screen(GenerateScriptDialog(request or self._last_request, error), chosen)

    def _generate(self, request: ScriptRequest) -> None:
        context = self.context

        async def make() -> ScriptView:
            return await flow.generate_script(context, request.concept, seconds(request.duration), request.tone,
                                              app_name=request.app_name, examples=request.example_list())

        self.run("Not written", "Writing a script…", make, done="Script written.",
                 refused=lambda message: self.action_generate(request, message))

    def action_transcribe(self) -> None:
        def from_file(path: Path | None) -> None:
            if path is not None:
                self._transcribe(str(path))

        def from_url(url: str | None) -> None:
            if url and url.strip():
                self._transcribe(url.strip())

        def where(choice: str | None) -> None:
            if choice == "file":
                self.app.push_screen(PathInputDialog("Transcribe a file", "An audio or video file on this machine.",
                                                     want="file"), from_file)
            elif choice == "url":
                self.app.push_screen(TextInputDialog("Transcribe a URL", "A video page or a direct media link.",
                                                     placeholder="https://…"), from_url)

        self.app.push_screen(ChoiceDialog("Transcribe from", [("file", "A local file"), ("url", "A URL")]), where)

    def _transcribe(self, source: str) -> None:
        context = self.context

        async def make() -> ScriptView:
            view, _ = await flow.transcribe_script(context, source)
            return view

        self.run("Not transcribed", f"Transcribing {source}…", make, done="Transcribed: the text is the script now.")

    def action_audio(self) -> None:
        def chosen(path: Path | None) -> None:
            if path is None:
                return
            try:
                self.audio, length = check_audio_file(path)
            except InputError as exc:
                self.say(f"Not used: {exc}", "warning")
                return
            audio = self.query_one("#script-audio", Static)
            audio.update(f"♪ Audio for the video: {self.audio.name}, {length:.1f} s (no script needed)")
            audio.display = True
            self.say(f"{self.audio.name} is the audio for the video.", "ok")
            self.post_message(self.AudioChosen(self.audio))

        self.app.push_screen(PathInputDialog("Use an audio file",
                                             "Up to 50 MB and 60 s; it goes to lipsync as it is.",
                                             want="file"), chosen)

    def action_open(self) -> None:
        context = self.context

        def work() -> None:
            views = flow.list_scripts(context)
            self.app.call_from_thread(ask, views)

        def ask(views: list[ScriptView]) -> None:
            if not views:
                self.say("No scripts yet.", "info")
                return
            choices = [(str(v.id), f"#{v.id} {v.title} · {v.fit.words} words") for v in views]
            self.app.push_screen(ChoiceDialog("Open a script", choices), opened)

        def opened(choice: str | None) -> None:
            if choice:
                self.run_sync("Not opened", lambda: flow.script_view(context, int(choice)), f"Script #{choice}.")

        start_thread(self, work, name="Listing scripts", group="avatar-script-list")

    # -- refining, versions, languages -------------------------------------------------------------------

    def _refine(self, how: str, *, feedback: str = "", duration: float | None = None) -> None:
        context, script_id = self.context, self.view.id if self.view else 0
        words = {"improve": "Improving", "shorter": "Shortening", "longer": "Lengthening", "duration": "Fitting"}

        async def make() -> ScriptView:
            return await flow.refine_script(context, script_id, how, feedback=feedback, duration=duration)

        self.run("Not changed", f"{words[how]} the script…", make, done=f"Done ({how}): u undoes it.")

    def action_refine(self, how: str) -> None:
        self._refine(how)

    def action_improve(self) -> None:
        self.app.push_screen(TextInputDialog("Improve the script", "Optional: what to change (enter for none).",
                                             placeholder="e.g. a stronger hook"),
                             lambda feedback: None if feedback is None else self._refine("improve", feedback=feedback))

    def action_duration(self) -> None:
        low, high = catalog.SCRIPT_DURATION_RANGE
        current = f"{self.view.duration:g}" if self.view and self.view.duration else ""

        def chosen(text: str | None) -> None:
            if text is None:
                return
            try:
                self._refine("duration", duration=seconds(text))
            except InputError as exc:
                self.say(f"Not changed: {exc}", "warning")

        self.app.push_screen(TextInputDialog("Fit the script to a duration", f"Seconds, {low}–{high}.",
                                             value=current), chosen)

    def action_undo(self) -> None:
        context, script_id = self.context, self.view.id if self.view else 0
        self.run_sync("Nothing undone", lambda: flow.undo(context, script_id), "Undone: U redoes it.")

    def action_redo(self) -> None:
        context, script_id = self.context, self.view.id if self.view else 0
        self.run_sync("Nothing redone", lambda: flow.redo(context, script_id), "Redone.")

    def action_languages(self) -> None:
        self.picker.focus()

    def action_translate(self) -> None:
        self.translate(self.picker.chosen)

    def on_language_picker_translate(self, message: LanguagePicker.Translate) -> None:
        message.stop()
        self.translate(message.codes)

    def on_language_picker_left(self, message: LanguagePicker.Left) -> None:
        message.stop()
        self.focus()

    def translate(self, codes: list[str]) -> None:
        if self.view is None:
            self.say("Nothing to translate yet: write or generate a script first.", "warning")
            return
        context, script_id = self.context, self.view.id
        names = ", ".join(codes) or "nothing"

        async def make() -> ScriptView:
            return await flow.translate_script(context, script_id, codes)

        self.run("Not translated", f"Translating into {names}…", make, done=f"Translated into {names}.")


def seconds(text: str) -> float:
    """A duration as typed; InputError (the service's sentence) when it is not a number."""
    try:
        return float(text.strip())
    except ValueError:
        low, high = catalog.SCRIPT_DURATION_RANGE
        raise InputError(f"the duration must be {low}–{high} seconds, not {text.strip() or 'empty'}") from None
