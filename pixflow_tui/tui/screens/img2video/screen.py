"""Img2Video: a queue of images, each with its own video settings, generated progressively.

The screen composes the queue (which owns the keys, the queue file and the live statuses) and the side panel, and
wires them: the queue's `Highlighted` to the side panel, job events to the queue, images sent from other modules
(on arrival and on return) to the queue."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal

from pixflow_tui.tui.screens.base import ModuleScreen
from pixflow_tui.tui.screens.img2video.detail import EntryDetail
from pixflow_tui.tui.screens.img2video.queue_panel import QueuePanel
from pixflow_tui.tui.screens.img2video.queue_table import QueueTable
from pixflow_tui.tui.screens.img2video.queue_view import EMPTY
from pixflow_tui.workflows.img2video import VideoQueue


class Img2VideoScreen(ModuleScreen):
    MODULE = "img2video"
    INTRO = "Images → short videos with camera moves; each image keeps its own settings."
    EMPTY = EMPTY

    def compose_body(self) -> ComposeResult:
        settings = self.context.settings
        with Horizontal(id="i2v-body"):
            yield QueuePanel(self.context, id="i2v-left")
            yield EntryDetail(renderer=settings.image_renderer, cache_dir=settings.thumbnails_dir, id="i2v-detail")

    @property
    def panel(self) -> QueuePanel:
        return self.query_one(QueuePanel)

    @property
    def queue(self) -> VideoQueue | None:
        """The queue, once read (None before)."""
        return self.panel.queue

    @property
    def table(self) -> QueueTable:
        return self.panel.table

    # Textual runs every class's on_x handler up the tree: never call super() in them (it would run twice).
    def on_mount(self) -> None:
        self._cleanups.append(self.app_.router.add(self.MODULE, self.panel.note_job_event))

    def on_queue_view_loaded(self, _: QueuePanel.Loaded) -> None:
        self._take_handoff()

    def on_screen_resume(self) -> None:
        if self.queue is not None:
            self._take_handoff()
            self.panel.refresh_statuses()

    def _take_handoff(self) -> None:
        paths = self.context.handoff.take_images()
        if paths:
            self.panel.add_paths(paths, sent=True)

    def on_queue_view_highlighted(self, message: QueuePanel.Highlighted) -> None:
        self.query_one(EntryDetail).show(message.entry, message.status)
