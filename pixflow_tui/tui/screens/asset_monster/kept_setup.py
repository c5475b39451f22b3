"""Asset Monster's set-up kept between sessions (settings, references and the prompt list), like the Img2Video
queue: read once when the panel is built, written to its file shortly after each change."""
from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer
from textual.widget import Widget

from pixflow_tui.tui.screens.asset_monster.background import in_thread
from pixflow_tui.workflows.asset_monster import BatchSettings, PromptEntry, SavedSetup, load_setup, setup_path, \
    setup_to_dict
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.state_files import StateFile

KEEP_DELAY = 0.5  # seconds after the last change
Snapshot = tuple[BatchSettings, list[tuple[PromptEntry, bool]]]


class SetupKeeper:
    def __init__(self, owner: Widget, context: AppContext, snapshot: Callable[[], Snapshot]) -> None:
        self.owner, self.context, self.snapshot = owner, context, snapshot
        self.file = StateFile(setup_path(context))
        self.file.what = "kept Asset Monster set-up"
        self._version = 0
        self._timer: Timer | None = None
        self._latest: Snapshot | None = None  # taken at each change (the widgets are gone when the panel unmounts)
        self._ready = False  # nothing is written until the kept set-up was read: it would be overwritten

    def read(self, restore: Callable[[SavedSetup], None]) -> None:
        context, file = self.context, self.file

        def restored(saved: SavedSetup) -> None:
            restore(saved)
            self._ready = True
            self.changed()

        in_thread(self.owner, lambda: load_setup(context, file), restored, name="Reading the kept set-up",
                  group="setup-keep")

    def changed(self) -> None:
        if not self._ready or not self.owner.is_mounted:
            return
        self._latest = self.snapshot()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.owner.set_timer(KEEP_DELAY, self._write_soon)

    def flush(self) -> None:
        """Write a change still waiting for its timer now (the panel is going away)."""
        if self._timer is not None and self._latest is not None:
            self._timer.stop()
            self._timer = None
            self._version += 1
            self._write(self._version, self._latest, from_thread=False)

    def _write_soon(self) -> None:
        self._timer = None
        self._version += 1
        version, latest = self._version, self._latest
        if latest is not None:
            in_thread(self.owner, lambda: self._write(version, latest), name="Keeping the set-up",
                      group="setup-keep")

    def _write(self, version: int, latest: Snapshot, *, from_thread: bool = True) -> None:
        try:
            self.file.write(setup_to_dict(*latest), version)
        except OSError as exc:
            message = f"Cannot keep the set-up in {self.file.path}: {exc.strerror or exc}"
            if from_thread:
                self.owner.app.call_from_thread(self.owner.notify, message, severity="warning")
            else:
                self.owner.notify(message, severity="warning")
