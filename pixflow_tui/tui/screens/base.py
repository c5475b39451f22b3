"""What every module screen shares: header, intro line, footer; job screens add a live JobTable."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from pixflow_tui.core.jobs import JobView
from pixflow_tui.tui.heap import keep_what_was_built
from pixflow_tui.tui.widgets.header import PixflowHeader
from pixflow_tui.tui.widgets.key_hints import KeyHints
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.ui_support import job_views_by_id

if TYPE_CHECKING:
    from pixflow_tui.tui.widgets.job_table import JobTable


def _job_table() -> type[JobTable]:
    """The JobTable class, imported with the first job screen (DataTable is not needed at start-up)."""
    from pixflow_tui.tui.widgets.job_table import JobTable

    return JobTable


class ModuleScreen(Screen[None]):
    """One module. Subclasses set MODULE, INTRO and EMPTY, and override `compose_body`."""

    MODULE: ClassVar[str] = ""
    INTRO: ClassVar[str] = ""
    EMPTY: ClassVar[str] = ""
    AUTO_FOCUS = ""  # never start in a text field (keys 1–6 must work on arrival); job screens focus their table

    def __init__(self) -> None:
        super().__init__(classes="module-screen")
        self._cleanups: list[Callable[[], None]] = []
        self._awake = False  # a ScreenResume was posted since the last ScreenSuspend
        self._shown_before = False

    def post_message(self, message: Message) -> bool:
        """Textual posts ScreenResume twice when a mode's screen is first shown (from `_init_mode` and from
        `switch_mode`), and each one restyles every widget of the screen. The second, with no suspend between,
        changes nothing and is dropped; the first visit's one does not restyle, as the widgets were styled when
        they mounted, a moment ago, and what they built is frozen out of the collector's reach (tui/heap.py).
        Later resumes (a return, a dialog closed) restyle as usual."""
        if isinstance(message, events.ScreenSuspend):
            self._awake = False
        elif isinstance(message, events.ScreenResume):
            if self._awake:
                return True
            self._awake = True
            if not self._shown_before:
                self._shown_before = True
                message.refresh_styles = False
                self.call_after_refresh(keep_what_was_built)
        return super().post_message(message)

    @property
    def app_(self) -> Any:
        """The PixflowApp (typed loosely: the app module imports the screens)."""
        return self.app

    @property
    def context(self) -> AppContext:
        return self.app_.context

    def compose(self) -> ComposeResult:
        yield PixflowHeader(self.MODULE, self.context.mode_label, self.app_.read_stats,
                            stats=self.app_.opening_stats())
        yield Static(self.INTRO, classes="intro")
        yield from self.compose_body()
        yield KeyHints()

    def compose_body(self) -> ComposeResult:
        yield Static(self.EMPTY, classes="empty")

    def on_mount(self) -> None:
        header = self.query_one(PixflowHeader)
        self._cleanups.append(self.app_.router.add(None, header.note_job_event))

    def on_screen_resume(self) -> None:
        self.query_one(PixflowHeader).refresh_stats()

    def on_unmount(self) -> None:
        for cleanup in self._cleanups:
            cleanup()
        self._cleanups.clear()


RELOAD_EVERY = 5.0  # seconds; catches jobs another process (the CLI, a second TUI) drives


class JobModuleScreen(ModuleScreen):
    """A module whose work is remote jobs: shows the newest jobs of its batches, live.

    This process's engine events update rows at once; a slow reload while the screen is shown (and on
    return to it) picks up what other processes did, since their events do not reach us."""

    class _JobsLoaded(Message, bubble=False):
        def __init__(self, views: list[JobView], first: bool) -> None:
            super().__init__()
            self.views = views
            self.first = first

    def __init__(self) -> None:
        super().__init__()
        self._loaded = False

    def compose_body(self) -> ComposeResult:
        yield Static("Loading jobs…", id="empty", classes="empty")
        context = self.context
        table = _job_table()(loader=lambda ids: job_views_by_id(context, ids), id="jobs")
        table.display = False
        yield table

    # Textual runs every class's on_x handler up the tree: never call super() in them (it would run twice).
    def on_mount(self) -> None:
        table = self.query_one(_job_table())
        self._cleanups.append(self.app_.router.add(self.MODULE, table.apply_event))
        self._reload()
        self.set_interval(RELOAD_EVERY, self._reload)

    def on_screen_resume(self) -> None:
        if self._loaded:
            self._reload()

    def _reload(self) -> None:
        if not self.is_current:
            return
        context, module, first = self.context, self.MODULE, not self._loaded

        def work() -> None:
            self.post_message(self._JobsLoaded(context.recent_jobs(module), first))

        start_thread(self, work, name=f"Loading {module.replace('_', ' ')} jobs", group="load-jobs")

    def on_job_module_screen__jobs_loaded(self, message: _JobsLoaded) -> None:
        table = self.query_one(_job_table())
        if message.first:
            self._loaded = True
            table.load(message.views)
            self.query_one("#empty", Static).update(self.EMPTY)
            self._show_table(table.row_count > 0)
        else:
            for view in message.views:
                table.upsert(view)

    def on_job_table_count_changed(self, message: JobTable.CountChanged) -> None:
        self._show_table(message.count > 0)

    def _show_table(self, show: bool) -> None:
        table = self.query_one(_job_table())
        table.display = show
        self.query_one("#empty").display = not show
        if show and self.focused is None:
            table.focus()
