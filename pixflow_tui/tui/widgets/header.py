"""The top bar: module name and tabs, provider mode badge, jobs running and spend today."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from pixflow_tui.core.formatting import plural
from pixflow_tui.core.jobs import JobEvent
from pixflow_tui.tui.workers import start_thread

# mode name, title, short tab label; the order is the 1–6 order
MODULES: tuple[tuple[str, str, str], ...] = (
    ("prompt_factory", "Prompt Factory", "Prompts"),
    ("asset_monster", "Asset Monster", "Assets"),
    ("img2video", "Img2Video", "Img2Video"),
    ("avatar_studio", "Avatar Studio", "Avatar"),
    ("machine", "The Machine", "Machine"),
    ("library", "Library", "Library"),
)
MIN_QUERY_INTERVAL = 1.0  # seconds between database reads for the counters
SLOW_REFRESH = 5.0  # jobs started by another process (the CLI) send us no events


@dataclass(frozen=True)
class Stats:
    running: int
    spend_today: float


StatsSource = Callable[[], Stats]


def stats_text(stats: Stats) -> str:
    return f"{plural(stats.running, 'job')} running · today ${stats.spend_today:.2f}"


class PixflowHeader(Widget):
    """Two lines: the module tabs (clickable) and the live counters."""

    DEFAULT_CSS = """
    PixflowHeader { height: 2; dock: top; background: $panel; }
    PixflowHeader Horizontal { height: 1; }
    PixflowHeader #title { width: 1fr; padding: 0 1; text-style: bold; color: $text; }
    PixflowHeader .badge { width: auto; padding: 0 1; text-style: bold; }
    PixflowHeader .badge.-demo { background: $warning; color: $background; }
    PixflowHeader .badge.-live { background: $success; color: $background; }
    PixflowHeader #stats { width: auto; padding: 0 1; color: $text-muted; }
    PixflowHeader #tabs { height: 1; padding: 0 1; background: $boost; color: $text-muted; }
    """

    class _Dirty(Message, bubble=False):
        pass

    class _Counted(Message, bubble=False):
        def __init__(self, stats: Stats) -> None:
            super().__init__()
            self.stats = stats

    def __init__(self, module: str, mode_label: str, stats_source: StatsSource, *, stats: Stats | None = None,
                 id: str | None = None) -> None:
        """stats: the counters as just read (the first screen's, from the look before the app started), shown
        at once; the next read is then MIN_QUERY_INTERVAL away."""
        super().__init__(id=id)
        self.module = module
        self.mode_label = mode_label
        self._stats_source = stats_source
        self._last_query = float("-inf") if stats is None else time.monotonic()
        self._timer_pending = False
        self._dirty_posted = False
        self.stats = stats
        self._stats_text = "jobs … · today …" if stats is None else stats_text(stats)

    def compose(self) -> ComposeResult:
        title = dict((m, t) for m, t, _ in MODULES).get(self.module, self.module)
        with Horizontal():
            yield Static(f"Pixflow · {title}", id="title")
            demo = self.mode_label == "DEMO"
            yield Static(self.mode_label, id="badge", classes="badge " + ("-demo" if demo else "-live"))
            yield Static(self._stats_text, id="stats")
        yield Static(self._tabs(), id="tabs")

    def _tabs(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for number, (mode, _, label) in enumerate(MODULES, 1):
            click = Style(meta={"@click": f"app.go('{mode}')"})
            if mode == self.module:
                text.append(f" {number} {label} ", style=Style(bold=True, reverse=True) + click)
            else:
                text.append(f" {number}", style=Style(bold=True) + click)
                text.append(f" {label} ", style=click)
            text.append(" ")
        return text

    def on_mount(self) -> None:
        self.refresh_stats()
        self.set_interval(SLOW_REFRESH, self.refresh_stats)

    def note_job_event(self, event: JobEvent) -> None:
        """Thread-safe: a job changed, so the counters may have changed."""
        if not self._dirty_posted:
            self._dirty_posted = True
            self.post_message(self._Dirty())

    def refresh_stats(self) -> None:
        """Re-read the counters, at most once per MIN_QUERY_INTERVAL; skipped while the screen is hidden."""
        if not self.screen.is_current:
            return
        wait = MIN_QUERY_INTERVAL - (time.monotonic() - self._last_query)
        if wait > 0:
            if not self._timer_pending:
                self._timer_pending = True
                self.set_timer(wait, self._timer_fired)
            return
        self._last_query = time.monotonic()
        source = self._stats_source

        def work() -> None:
            self.post_message(self._Counted(source()))

        start_thread(self, work, name="Reading the job counters", group="header-stats")

    def _timer_fired(self) -> None:
        self._timer_pending = False
        self.refresh_stats()

    def on_pixflow_header__dirty(self, message: _Dirty) -> None:
        self._dirty_posted = False
        self.refresh_stats()

    def on_pixflow_header__counted(self, message: _Counted) -> None:
        self.stats = message.stats
        text = stats_text(message.stats)
        if text == self._stats_text:
            return
        # a layout of the whole screen costs tens of ms on a busy small machine: only when the width changes
        layout = len(text) != len(self._stats_text)
        self._stats_text = text
        self.query_one("#stats", Static).update(text, layout=layout)
