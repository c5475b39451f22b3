"""Library: history, favourites, liked images, every output, batches and presets; searchable, with a preview."""
from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, Input, Static

from pixflow_tui.core.jobs import JobEvent

from pixflow_tui.tui.screens.base import ModuleScreen
from pixflow_tui.tui.screens.library.base import LibraryTab
from pixflow_tui.tui.screens.library.preview import PreviewPanel
from pixflow_tui.tui.screens.library.prompt_tabs import HistoryTab
from pixflow_tui.workflows import library_queries as lq

SEARCH_DELAY = 0.15  # seconds of quiet typing before the search runs
LIVE_DELAY = 1.0  # seconds after a job ends before the list shown reads again (a batch ends many jobs at once)
PREVIEW_DELAY = 0.06  # seconds the cursor rests on a row before the preview follows
NARROW = 100  # columns below which the preview panel is hidden until `p` asks for it
SHORT = 30  # rows below which the intro line is hidden
# name, title, the module and class of the tab: imported when first shown (the Library opens on History)
TABS: tuple[tuple[str, str, str], ...] = (
    ("history", "History", "prompt_tabs.HistoryTab"),
    ("favorites", "Favourites", "prompt_tabs.FavoritesTab"),
    ("liked", "Liked", "output_tabs.LikedTab"),
    ("assets", "All assets", "output_tabs.AssetsTab"),
    ("batches", "Batches", "batches_tab.BatchesTab"),
    ("presets", "Presets", "presets_tab.PresetsTab"),
    ("taste", "Taste", "taste_tab.TasteTab"),
)


def tab_class(name: str) -> type[LibraryTab]:
    module, _, class_name = dict((n, where) for n, _, where in TABS)[name].partition(".")
    return getattr(importlib.import_module(f"pixflow_tui.tui.screens.library.{module}"), class_name)


class SearchInput(Input):
    """The search field: escape or ↓ go back to the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "screen.leave_search", "Back to the list", id="library-search-leave"),
        Binding("down", "screen.leave_search", "Back to the list", show=False, id="library-search-down"),
    ]


class LibraryScreen(ModuleScreen):
    MODULE = "library"
    INTRO = "Everything Pixflow made: history, favourites, liked images, every output, batches and presets."
    EMPTY = "The library is empty — images, videos and prompts appear here as soon as you make them."
    AUTO_FOCUS = "#history-table"  # the list, never the search field (1–6 must work on arrival)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", show=False, id="library-search"),  # the field itself says "/ search"
        # shown in the tab bar's hint instead of the footer, which has little room at 80 columns
        Binding("left_square_bracket", "tab(-1)", "Previous tab", show=False, id="library-tab-previous"),
        Binding("right_square_bracket", "tab(1)", "Next tab", show=False, id="library-tab-next"),
        Binding("p", "toggle_preview", "Preview", show=False, id="library-preview"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="library-reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.first_page_at: float | None = None  # perf_counter when the first page was on screen
        self._search_timer: Any = None
        self._preview_choice: bool | None = None  # None: shown when the terminal is wide enough
        self._left = False  # the user went to another module (so come back to fresh rows)
        self._target: str | None = None
        self._preview_request: tuple[str, Any] | None = None
        self._preview_timer: Any = None
        self._live_timer: Any = None
        self._told_new = False
        self._prefetch = self._read_ahead(self.app_.context)

    @staticmethod
    def _read_ahead(context: Any) -> Future[Any]:
        """Read the first History page while the screen is built, so the rows are there for its first frame."""
        future: Future[Any] = Future()

        def read() -> None:
            try:
                future.set_result(lq.history_page(context))
            except BaseException as exc:  # shown by the normal load instead, which runs when this fails
                future.set_exception(exc)
            finally:
                context.store.close_thread_connection()

        threading.Thread(target=read, name="library-read-ahead", daemon=True).start()
        return future

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="library-top"):
            yield SearchInput(placeholder="/ search prompts and concepts", id="library-search-input")
        with Horizontal(id="library-body"):
            with Vertical(id="library-main"):
                yield Static(self._tab_bar("history"), id="library-tab-bar")
                with ContentSwitcher(id="library-tabs", initial="library-history"):
                    # the other tabs are built the first time they are shown
                    yield HistoryTab(self.context, id="library-history")
            yield PreviewPanel(self.context, id="library-preview")

    @staticmethod
    def _tab_bar(active: str) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for name, title, _ in TABS:
            click = Style(meta={"@click": f"screen.show_tab('{name}')"})
            style = Style(bold=True, reverse=True) if name == active else Style(color="bright_black")
            text.append(f" {title} ", style=style + click)
            text.append(" ")
        text.append("  [ ] tabs · / search · p preview", style="dim")
        return text

    class _JobEnded(Message, bubble=False):
        pass

    def on_mount(self) -> None:
        # no super().on_mount(): Textual calls ModuleScreen.on_mount itself (handlers run up the class tree)
        self._fit(self.size.width, self.size.height)
        tab = self.active_tab
        if tab is not None and not tab.show_prefetched(self._prefetch):
            tab.reload()
        self._cleanups.append(self.app_.router.add(None, self._note_job_event))

    # -- outputs made while the Library is open ------------------------------------------------------------

    def _note_job_event(self, event: JobEvent) -> None:
        """On the engine's thread: a job that ended may have made an output or changed a batch."""
        if event.state.finished:
            self.post_message(self._JobEnded())

    def on_library_screen__job_ended(self, _: _JobEnded) -> None:
        if self._live_timer is None:
            self._live_timer = self.set_timer(LIVE_DELAY, self._show_new_outputs)

    def _show_new_outputs(self) -> None:
        self._live_timer = None
        tab = self.active_tab
        self._mark_stale(but=tab)
        if tab is None or not tab.loaded:
            return
        if self.is_current and tab.can_refresh_live():
            tab.reload(keep_cursor=True)
        else:  # a dialog is open, or the user is deep in the list or has marked rows: not under their feet
            tab.stale = True
            if self.is_current and not self._told_new:
                self._told_new = True
                self.notify("New outputs were made: ctrl+r shows them.", title="Library")

    def on_screen_resume(self) -> None:
        tab = self.active_tab
        if self._left:
            self._mark_stale(but=tab)  # other modules may have made outputs meanwhile
        if tab is not None and tab.loaded and (self._left or tab.stale):
            # the rows from before are painted first; then the outputs made in other modules meanwhile
            self.call_after_refresh(tab.reload, True)
        self._left = False

    def on_screen_suspend(self) -> None:
        # a dialog on top keeps the mode; another module's screen does not
        self._left = self.app.current_mode != self.MODULE

    def on_resize(self) -> None:
        self._fit(self.size.width, self.size.height)

    def _fit(self, width: int, height: int) -> None:
        self.set_class(height < SHORT, "-short")
        self.query_one(PreviewPanel).display = self.preview_visible

    @property
    def preview_visible(self) -> bool:
        return self._preview_choice if self._preview_choice is not None else self.size.width >= NARROW

    # -- tabs ------------------------------------------------------------------------------------------

    @property
    def active_name(self) -> str:
        return (self.query_one(ContentSwitcher).current or "library-history").removeprefix("library-")

    @property
    def target_name(self) -> str:
        """The tab shown, or the one being built to be shown (keys pressed meanwhile count from it)."""
        return self._target or self.active_name

    @property
    def active_tab(self) -> LibraryTab | None:
        return self.tab(self.active_name)

    def tab(self, name: str) -> LibraryTab | None:
        found = self.query(f"#library-{name}")
        return found.first(LibraryTab) if found else None

    def action_show_tab(self, name: str) -> None:
        self.show_tab(name)

    def show_tab(self, name: str, prepare: Callable[[Any], None] | None = None) -> None:
        """Show tab `name`, building it the first time; its list takes the focus. `prepare(tab)` runs before
        the tab loads (to set a filter)."""
        self._target = name
        tab = self.tab(name)
        if tab is not None:
            self._activate(tab, name, prepare)
            return
        tab = tab_class(name)(self.context, id=f"library-{name}")
        tab.display = False  # shown when it becomes current (a tab asked for and passed over meanwhile never is)
        mounted = self.query_one(ContentSwitcher).mount(tab)

        async def when_mounted() -> None:
            await mounted
            self._activate(tab, name, prepare)

        self.call_later(when_mounted)

    def _activate(self, tab: LibraryTab, name: str, prepare: Callable[[Any], None] | None) -> None:
        if self._target != name:
            return  # another tab was asked for while this one was being built
        if prepare is not None:
            prepare(tab)
            tab.stale = True
        self.query_one(ContentSwitcher).current = f"library-{name}"
        self.query_one("#library-tab-bar", Static).update(self._tab_bar(name))
        tab.set_query(self.query_one(SearchInput).value)
        if tab.stale:
            tab.reload(keep_cursor=True)
        else:
            tab.announce()
        self.call_after_refresh(tab.focus_list)

    def _mark_stale(self, but: LibraryTab | None) -> None:
        """The tabs other than `but` read their rows again when next shown."""
        for tab in self.query(LibraryTab):
            if tab is not but:
                tab.stale = True

    def on_library_tab_changed(self, message: LibraryTab.Changed) -> None:
        self._mark_stale(but=message.tab)

    def action_tab(self, step: int) -> None:
        names = [name for name, _, _ in TABS]
        self.show_tab(names[(names.index(self.target_name) + step) % len(names)])

    def action_reload(self) -> None:
        tab = self.active_tab
        if tab is not None:
            self._told_new = False
            tab.reload()

    # -- search ----------------------------------------------------------------------------------------

    def action_search(self) -> None:
        # focused now, not after the keys already queued (widget.focus() waits its turn): a paste or fast typing
        # that arrives in the same read as "/" lands in the field instead of firing the list's keys
        self.set_focus(self.query_one(SearchInput))

    def action_leave_search(self) -> None:
        tab = self.active_tab
        if tab is not None:
            tab.focus_list()
        else:
            self.set_focus(None)

    def on_input_changed(self, event: Input.Changed) -> None:
        if not isinstance(event.input, SearchInput):
            return
        event.stop()
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self._run_search)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if isinstance(event.input, SearchInput):
            event.stop()
            self._run_search()
            self.action_leave_search()

    def _run_search(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        text = self.query_one(SearchInput).value
        for each in self.query(LibraryTab):
            each.set_query(text)
        tab = self.active_tab
        if tab is not None and tab.stale:
            tab.reload()

    # -- preview ---------------------------------------------------------------------------------------

    def action_toggle_preview(self) -> None:
        self._preview_choice = not self.preview_visible
        self._fit(self.size.width, self.size.height)

    def on_library_tab_preview(self, message: LibraryTab.Preview) -> None:
        """Show what the cursor rests on. The picture and the prompt view cost more than a page of rows, so
        while the cursor moves (or a page is being drawn) only the last request is shown, a moment later."""
        if message.tab is not self.active_tab:
            return
        preview = self.query_one(PreviewPanel)
        if message.kind == "rating":
            preview.show("rating", message.target)
            return
        if message.kind == "focus":
            if not self.preview_visible:
                self.action_toggle_preview()
            self._preview_request = ("output", message.target)
            self._show_preview_now()
            return
        self._preview_request = (message.kind, message.target)
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._show_preview_now)

    def _show_preview_now(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
            self._preview_timer = None
        if self._preview_request is not None:
            kind, target = self._preview_request
            self._preview_request = None
            self.query_one(PreviewPanel).show(kind, target)

    def on_batches_tab_show_outputs(self, message: LibraryTab.Preview) -> None:
        self._show_batch_outputs(message.target.id)

    def _show_batch_outputs(self, batch_id: int) -> None:
        def only_this_batch(assets: Any) -> None:
            assets.filter = replace(assets.filter, batch_id=batch_id)

        self.show_tab("assets", prepare=only_this_batch)

    def on_library_tab_page_shown(self, message: LibraryTab.PageShown) -> None:
        if self.first_page_at is None:
            self.first_page_at = time.perf_counter()
        self.query_one(PreviewPanel).build()
