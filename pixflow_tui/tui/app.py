"""The Pixflow Textual app: one mode per module, global keys, palette commands, worker error handling."""
from __future__ import annotations

import asyncio
import importlib
import logging
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.filter import LineFilter
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from pixflow_tui.config import Settings
from pixflow_tui.tui import compat
from pixflow_tui.tui.action_keys import user_keymap
from pixflow_tui.tui.events import JobEventRouter
from pixflow_tui.tui.heap import QuietCollector, release_heap, settle_heap
from pixflow_tui.tui.low_colour import SYSTEMS, KeepTextVisible
from pixflow_tui.tui.screens.dialogs import ConfirmDialog
from pixflow_tui.tui.startup import colour_environment, prepare_renderer, setup_logging, warm_up_renderer
from pixflow_tui.tui.styles import styles_path
from pixflow_tui.tui.widgets.header import MODULES, Stats
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows import terminal
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.system import prepare_worker_processes
from pixflow_tui.workflows.ui_support import ContextError, open_context

EXIT_CONFIG = 3  # the CLI's ExitCode.CONFIG: bad setting or unusable database
HANDED_ON = "_pixflow_handed_on"
FRAME_WAIT = 2.0  # seconds the start-up work waits at most for the first frame to reach the terminal
log = logging.getLogger(__name__)


# What any screen may show (dialogs, help). Each module's own sheet, `<module>.tcss`, is read when its screen is
# first built: start-up parses only the first module's.
STYLESHEETS = ("app.tcss", "help.tcss", "dialogs.tcss")


def lazy_screen(module: str, class_name: str) -> Callable[[], Screen[None]]:
    def build() -> Screen[None]:
        screen_class = getattr(importlib.import_module(f"pixflow_tui.tui.screens.{module}"), class_name)
        screen: Screen[None] = screen_class()
        app = screen.app
        _read_stylesheet(app, styles_path(f"{module}.tcss"))
        # a screen built just now is styled when it mounts (with the sheet read above): spare Textual's re-parse
        compat.mark_screen_styled(screen, app)
        return screen

    return build


def _read_stylesheet(app: App[object], path: Path) -> None:
    """Add a module's sheet. Unlike a Screen.CSS_PATH (which makes Textual re-parse every sheet and restyle
    every widget), only this sheet is parsed, at the next styling; its rules are all scoped to its module."""
    if not app.stylesheet.has_source(str(path), ""):
        # add_source, not read: read() leaves the stylesheet's cached rule map in place, so the new rules could go
        # unused until something else clears it
        app.stylesheet.add_source(path.read_text(encoding="utf-8"), read_from=(str(path), ""))
        if app.css_monitor is not None:
            app.css_monitor.add_paths([path])


# Escape then a digit in one read (tmux holds a lone escape for its escape-time, 500 ms by default, then sends both
# together) reaches Textual as "\x1b<digit>", which it maps to the character macOS WezTerm sends for Option+digit
# ("\x1b2" is "™"): it was typed into the field instead of leaving it and switching module. These keys are read
# back as escape + digit.
ESCAPED_DIGITS = {"1": "¡", "2": "™", "3": "£", "4": "¢", "5": "∞", "6": "§"}


def key_name(character: str) -> str:
    """Textual's key name of a character (unicodedata's name, lower case, with underscores)."""
    return unicodedata.name(character).lower().replace(" ", "_").replace("-", "_")


_ESCAPED_KEYS = {key_name(character): digit for digit, character in ESCAPED_DIGITS.items()}


def binding_id(mode: str) -> str:
    return "go-" + mode.replace("_", "-")


class PixflowApp(App[None]):
    TITLE = "Pixflow"
    CSS_PATH = [styles_path(name) for name in STYLESHEETS]
    # Screens are imported when first shown: start-up only pays for the first one.
    MODES: ClassVar[dict[str, Callable[[], Screen[None]]]] = {  # type: ignore[assignment]
        "prompt_factory": lazy_screen("prompt_factory", "PromptFactoryScreen"),
        "asset_monster": lazy_screen("asset_monster", "AssetMonsterScreen"),
        "img2video": lazy_screen("img2video", "Img2VideoScreen"),
        "avatar_studio": lazy_screen("avatar_studio", "AvatarStudioScreen"),
        "machine": lazy_screen("machine", "MachineScreen"),
        "library": lazy_screen("library", "LibraryScreen"),
    }
    DEFAULT_MODE = "prompt_factory"
    # 1–6 are not priority bindings: a priority binding acts when the app takes the key off its queue, before the
    # keys ahead of it in the same read (an SSH packet, a paste) have reached their widgets, so `c` + "a cat 2"
    # switched modules on the "2" instead of typing it into the concept field `c` opens. As ordinary bindings
    # they act in turn, after those keys; check_action still turns them off in text fields.
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(str(number), f"go('{mode}')", f"Go to {title}", show=False, id=binding_id(mode))
            for number, (mode, title, _) in enumerate(MODULES, 1)
        ),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "request_quit", "Quit", id="quit"),
        Binding("ctrl+q", "request_quit", "Quit", show=False, priority=True, id="quit-ctrl"),
        Binding("escape", "leave_field", "Leave the text field", show=False, id="leave-field"),
    ]

    def __init__(self, settings: Settings, context: AppContext | None = None) -> None:
        self.settings = settings
        self.log_file = setup_logging(settings.logs_dir, settings.database_url)
        self._owns_context = context is None
        self.context = context if context is not None else open_context(settings)
        super().__init__()
        system = SYSTEMS.get(self.console.color_system or "")  # None: truecolor (or no colour at all)
        self._low_colour_filter = KeepTextVisible(system) if system is not None else None
        self.router = JobEventRouter(self.context)
        self.collector = QuietCollector()
        self.router.add(None, self.collector.note_job_event)
        self.set_keymap(user_keymap(settings.keymap))
        self._first_frame_shown = False  # ready, and handed to Textual's output thread
        self._workers_prepared = False
        self._frame_up = threading.Event()  # the first frame reached the terminal: see on_ready
        self._after_first_frame: list[Callable[[], object]] = []
        self.startup_warnings: list[str] = []  # shown once the first frame is up

    def get_line_filters(self) -> Sequence[LineFilter]:
        filters = super().get_line_filters()
        return [*filters, self._low_colour_filter] if self._low_colour_filter is not None else filters

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the first frame is on the terminal (soon, if it is already): start-up work that
        threads would otherwise do while the first frame is laid out and written, competing with it for the GIL."""
        if self._frame_up.is_set():
            self.call_after_refresh(callback)
        else:
            self._after_first_frame.append(callback)

    def opening_stats(self) -> Stats | None:
        """The header's counters for the first screen, read before the app started (None after the first frame,
        or when the store opened at once: the header reads them itself)."""
        look = self.context.first_look
        if look is None or self._first_frame_shown:
            return None
        return Stats(look.jobs_running, look.spend_today)

    def prepare_workers(self) -> None:
        """Before anything can start a worker process: the first frame, or leaving the first screen."""
        if not self._workers_prepared:
            self._workers_prepared = True
            prepare_worker_processes()  # ~35 ms of imports and a helper process: kept out of the first frame

    def on_ready(self) -> None:
        """The first frame is ready; Textual's output thread may still be writing it."""
        self._first_frame_shown = True
        for warning in self.startup_warnings:
            self.notify(warning, title="Pictures", severity="warning", timeout=12)
        # Textual paints the whole screen once more at its next refresh (its first full paint, made while it was
        # still setting up, was not written)
        self.call_after_refresh(start_thread, self, self._wait_for_first_frame, name="showing the first screen",
                                group="first-frame")

    class _FrameOut(Message):
        pass

    def _wait_for_first_frame(self) -> None:
        compat.wait_for_output(self, FRAME_WAIT)
        try:
            self.post_message(self._FrameOut())
        except RuntimeError:  # the app closed meanwhile (its loop too)
            pass

    def on_pixflow_app__frame_out(self, message: _FrameOut) -> None:
        """Start-up work that shows nothing, held until the first frame is on the terminal: resume unfinished jobs
        (remote ones by request id), warm up image support and the first screen's next steps."""
        self._frame_up.set()
        self.prepare_workers()
        for callback in self._after_first_frame:
            self.call_later(callback)
        self._after_first_frame.clear()
        start_thread(self, self._start_background_work, name="starting the job engine", group="startup")
        self.call_after_refresh(self._settle_heap)

    def _settle_heap(self) -> None:
        settle_heap()  # launch_tui paused the collector for the start-up
        self.collector.start()

    def _start_background_work(self) -> None:
        self.context.open_store()  # run_app leaves it closed when ready, so that its modules load after the frame
        self.context.start_engine()
        warm_up_renderer(self.settings.image_renderer)
        if self.context.media_provider_name != "demo":
            # fal's client and aiohttp (~170 ms of imports) load now, not in the engine while a first batch opens
            self.context.provider_for(self.context.media_provider_name)

    def read_stats(self) -> Stats:
        """Header counters; called from a worker thread. Waits for the first frame: before it, opening the
        store would compete with laying it out and writing it."""
        self._frame_up.wait()
        if not self._first_frame_shown:  # closed before its first frame
            return Stats(0, 0.0)
        return Stats(self.context.jobs_running(), self.context.spend_today())

    def on_key(self, event: events.Key) -> None:
        """A printable key that comes back up to the app while a text field has focus was sent on before that
        field got the focus (a key that moved it was ahead in the same read): the field gets it now."""
        focused = self.focused
        if (event.is_printable and focused is not None and not getattr(event, HANDED_ON, False)
                and focused.check_consume_key(event.key, event.character)):
            event.stop()
            event.prevent_default()
            key = events.Key(event.key, event.character)
            setattr(key, HANDED_ON, True)  # a field that lets it come back again does not get it twice
            focused.post_message(key)

    def _typing(self) -> bool:
        """True while focus is in a widget that takes printable keys (Input, TextArea)."""
        focused = self.focused
        return focused is not None and focused.check_consume_key("a", "a")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            return not self._typing() and not self.screen.is_modal
        if action in ("help", "request_quit"):
            return not self._typing()
        if action == "leave_field":
            return self._typing()
        return True

    def action_go(self, mode: str) -> None:
        if mode != self.current_mode:
            self.prepare_workers()  # a key may switch modules before on_ready
            self.switch_mode(mode)

    def action_leave_field(self) -> None:
        self.screen.set_focus(None)

    async def on_event(self, event: events.Event) -> None:
        """Escape + digit sent together (see ESCAPED_DIGITS): escape leaves the text field, then the digit acts as a
        digit does. Here, before any widget: a binding cannot catch a key a focused text field takes."""
        if isinstance(event, events.InputEvent):
            self.collector.note_input()
        digit = _ESCAPED_KEYS.get(event.key) if isinstance(event, events.Key) and not event.is_forwarded else None
        if digit is None:
            await super().on_event(event)
            return
        if self._typing():
            self.action_leave_field()
        self.simulate_key(digit)

    def action_help(self) -> None:
        from pixflow_tui.tui.screens.help import HelpScreen, binding_groups

        self.push_screen(HelpScreen(binding_groups(self.screen)))

    async def action_request_quit(self) -> None:
        try:
            unfinished = await asyncio.to_thread(self.context.unfinished_jobs)
        except Exception:
            log.exception("could not count unfinished jobs before quitting")
            unfinished = None
        if unfinished is not None and unfinished.total == 0:
            self.exit()
            return
        message = ("Some jobs may still be unfinished; `pixflow jobs resume` finishes them." if unfinished is None
                   else unfinished.account())
        self.push_screen(
            ConfirmDialog(f"{message}\n\nQuit now?", title="Quit Pixflow?", yes="Quit", no="Keep working"),
            callback=lambda confirmed: self.exit() if confirmed else None,
        )

    def action_transform_file(self) -> None:
        from pixflow_tui.tui.screens.transform_dialog import transform_file

        transform_file(self, self.context)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command
        for mode, title, _ in MODULES:
            yield SystemCommand(f"Go to: {title}", f"Switch to {title}", partial(self.action_go, mode))
        from pixflow_tui.tui.screens.help import screen_actions

        here = next((title for mode, title, _ in MODULES if mode == self.current_mode), "This screen")
        for found in screen_actions(screen):
            yield SystemCommand(f"{here}: {found.description}", f"key {found.keys}",
                                partial(self.run_action, found.action, found.node))
        yield SystemCommand("Img2Img: an image file…", "Transform an image file with the edit model",
                            self.action_transform_file)
        yield SystemCommand("Help: keys", "List the keys for the focused widget", self.action_help)
        yield SystemCommand("Quit", "Quit Pixflow (asks first while jobs run)", self.action_request_quit)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker failures surface: a notification on screen, the trace in the log file."""
        if event.state != WorkerState.ERROR:
            return
        worker, error = event.worker, event.worker.error
        what = worker.name or "a background task"
        from pixflow_tui.workflows.inputs import InputError  # here: it loads Pillow, which start-up does not need

        if isinstance(error, InputError):  # bad input or over the budget cap: the sentence is for the user
            self.notify(str(error), title="Not done", severity="warning", timeout=10)
            return
        if error is None:
            log.error("%s failed", what)
        else:
            log.error("%s failed", what, exc_info=(type(error), error, error.__traceback__))
        reason = str(error) if error is not None and str(error) else type(error).__name__
        self.notify(f"{what} failed: {reason}", title="Error", severity="error", timeout=8)

    def on_unmount(self) -> None:
        self._frame_up.set()
        self.collector.stop()
        release_heap()
        self.router.close()
        if self._owns_context:
            self.context.close()


def run_app(settings: Settings) -> int:
    """Start the TUI; returns the process exit code. Setup errors print one line before Textual starts."""
    try:
        setup_logging(settings.logs_dir, settings.database_url)
        context = open_context(settings, open_later=True)
    except ContextError as exc:
        print(f"pixflow: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except OSError as exc:
        print(f"pixflow: cannot write logs to {settings.logs_dir}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_CONFIG
    report = terminal.probe()  # before Textual owns the terminal: its answers would arrive as keys
    renderer, warning = terminal.resolve_renderer(settings.image_renderer, report)
    settings = replace(settings, image_renderer=prepare_renderer(renderer))
    with colour_environment(report):
        app = PixflowApp(settings, context)
    if warning:
        app.startup_warnings.append(warning)
    try:
        app.run()
    finally:
        context.close()
    return app.return_code or 0
