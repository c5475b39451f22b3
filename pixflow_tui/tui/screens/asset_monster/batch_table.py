"""Asset Monster's job table: the shown batch's jobs, with the keys that act on the highlighted row (or on the
marked rows): view, rate, regenerate or retry, cancel, mark, favourite, send to Img2Video, open, copy."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from pixflow_tui.core.formatting import plural
from pixflow_tui.core.jobs import JobView
from pixflow_tui.tui import action_keys
from pixflow_tui.tui.clipboard import copy_text
from pixflow_tui.tui.paid import redo
from pixflow_tui.tui.screens.asset_monster.background import in_thread
from pixflow_tui.tui.screens.dialogs import cancel_dialog, favourite_name_dialog, where_job_is
from pixflow_tui.tui.screens.image_viewer import ImageViewerScreen, ViewerItem
from pixflow_tui.tui.widgets.job_table import JobTable, rating_text
from pixflow_tui.workflows.asset_monster import (
    ImageRecord, JobDetail, ViewerLauncher, batch_images, cancel_job, image_for_job, images_for_jobs, job_detail,
)
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.library import favorite_image_prompt, rate_image
from pixflow_tui.workflows.ui_support import job_views_by_id

MARK = "● "
ROW_ACTIONS = frozenset({"rate", "redo", "cancel_job", "favorite", "send_to_video", "open_file", "copy_prompt"})
Rated = tuple[int, int | None, bool]  # job id, the rating stored, whether the job had an image to rate


class BatchJobTable(JobTable):
    """The batch's jobs. Keys act on the highlighted row; `space` marks rows for export and Img2Video.
    The results pane sets `batch_id` and `detail` (the highlighted job's, once read)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "View", key_display="⏎", id="am-view"),
        Binding("l", "rate('like')", "Like", id=action_keys.LIKE),
        Binding("d", "rate('dislike')", "Dislike", id=action_keys.DISLIKE),
        Binding("0", "rate('clear')", "Clear rating", show=False, id=action_keys.CLEAR_RATING),
        Binding("r", "redo", "Regenerate", id=action_keys.REGENERATE),
        Binding("x", "cancel_job", "Cancel", id=action_keys.CANCEL_JOB),
        Binding("space", "toggle_mark", "Mark", id="am-mark"),
        Binding("f", "favorite", "Favourite prompt", show=False, id=action_keys.FAVOURITE),
        Binding("v", "send_to_video", "Img2Video", id=action_keys.SEND_TO_IMG2VIDEO),
        Binding("I", "transform", "Img2Img", show=False, id=action_keys.TRANSFORM),
        Binding("o", "open_file", "Open", show=False, id=action_keys.OPEN),
        Binding("y", "copy_prompt", "Copy prompt", show=False, id=action_keys.COPY_PROMPT),
        Binding("M", "clear_marks", "Clear marks", show=False, id="am-clear-marks"),
    ]

    class JobChanged(Message):
        """Job `job_id` changed here (its rating): its details should be read again."""

        def __init__(self, job_id: int) -> None:
            super().__init__()
            self.job_id = job_id

    class BatchChanged(Message):
        """A job was cancelled: the batch's rows should be read again (they show the stored states)."""

    def __init__(self, context: AppContext, *, renderer: str, cache_dir: Path, id: str | None = None) -> None:
        super().__init__(loader=lambda ids: job_views_by_id(context, ids), id=id)
        self.context = context
        self.renderer, self.cache_dir = renderer, cache_dir
        self.launcher = ViewerLauncher()
        self.marked: set[int] = set()
        self.batch_id: int | None = None
        self.detail: JobDetail | None = None
        self._ratings_wanted: dict[int, str] = {}  # job id -> the newest key, not yet being written
        self._writing_ratings = False

    # -- rows and marks --------------------------------------------------------------------------------

    @property
    def selected_job_id(self) -> int | None:
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return int(row_key.value) if row_key.value is not None else None

    def job_ids(self) -> list[int]:
        return [int(key.value) for key in self.rows if key.value is not None]

    def chosen_job_ids(self) -> list[int]:
        """The marked jobs in table order, or else the highlighted one."""
        if self.marked:
            return [job_id for job_id in self.job_ids() if job_id in self.marked]
        selected = self.selected_job_id
        return [selected] if selected is not None else []

    def _cells(self, view: JobView) -> tuple[str | Text, ...]:
        cells = super()._cells(view)
        return ((MARK if view.job_id in self.marked else "") + str(cells[0]), *cells[1:])

    def load(self, views: list[JobView]) -> None:  # type: ignore[override]
        self.marked &= {v.job_id for v in views}
        super().load(views)

    def _show_mark(self, job_id: int) -> None:
        key = str(job_id)
        if key not in self.rows:
            return
        index = str(self.get_cell(key, "index")).removeprefix(MARK)
        self.update_cell(key, "index", (MARK if job_id in self.marked else "") + index)

    def action_toggle_mark(self) -> None:
        job_id = self.selected_job_id
        if job_id is None:
            return
        self.marked.symmetric_difference_update({job_id})
        self._show_mark(job_id)
        self.action_cursor_down()
        self.screen.refresh_bindings()

    def action_clear_marks(self) -> None:
        marked, self.marked = self.marked, set()
        for job_id in marked:
            self._show_mark(job_id)
        self.screen.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ROW_ACTIONS:
            return self.is_mounted and self.selected_job_id is not None
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.screen.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_view()

    def _with_detail(self, then: Callable[[JobDetail], None]) -> None:
        """Call `then` with the highlighted job's details (read again when the ones held are another job's)."""
        job_id = self.selected_job_id
        if job_id is None:
            return
        if self.detail is not None and self.detail.job.id == job_id:
            then(self.detail)
            return
        context = self.context
        in_thread(self, lambda: job_detail(context, job_id), lambda detail: then(detail) if detail else None,
                  name="Loading the job", group="results")

    # -- rating ----------------------------------------------------------------------------------------

    def action_rate(self, rating: str) -> None:
        job_id = self.selected_job_id
        if job_id is not None:
            self.rate_job(job_id, rating)

    def rate_job(self, job_id: int, rating: str) -> None:
        """Ratings are written by one thread at a time, each job's newest key only: keys pressed quickly end on
        the last one."""
        self._ratings_wanted[job_id] = rating
        if not self._writing_ratings:
            self._write_ratings()

    def _write_ratings(self) -> None:
        wanted, self._ratings_wanted = self._ratings_wanted, {}
        self._writing_ratings = True
        context = self.context

        def work() -> list[Rated]:
            try:
                done: list[Rated] = []
                for job_id, rating in wanted.items():
                    image = image_for_job(context, job_id)
                    done.append((job_id, rate_image(context, image.id, rating) if image else None, image is not None))
                return done
            except Exception:
                self.app.call_from_thread(self._ratings_written, [])
                raise

        in_thread(self, work, self._ratings_written, name="Saving the rating", group="results")

    def _ratings_written(self, done: list[Rated]) -> None:
        self._writing_ratings = False
        for job_id, value, had_image in done:
            if not had_image:
                self.notify(f"Job {job_id} has no image yet; rate it once it is done.", severity="warning")
                continue
            if str(job_id) in self.rows:
                self.update_cell(str(job_id), "rating", rating_text(value))
            self.post_message(self.JobChanged(job_id))
        if self._ratings_wanted:
            self._write_ratings()

    # -- viewing -----------------------------------------------------------------------------------------

    def action_view(self) -> None:
        job_id, batch_id, context = self.selected_job_id, self.batch_id, self.context
        if job_id is not None and batch_id is not None:
            in_thread(self, lambda: batch_images(context, batch_id), lambda images: self._show_viewer(job_id, images),
                      name="Loading the batch's images", group="results")

    def _show_viewer(self, job_id: int, images: list[ImageRecord]) -> None:
        start = next((n for n, image in enumerate(images) if image.job_id == job_id), None)
        if start is None:
            state = self.detail.job.status if self.detail and self.detail.job.id == job_id else "not done"
            self.notify(f"Job {job_id} has no image yet ({state}).", severity="warning")
            return
        items = [ViewerItem(image.local_path, f"job {image.job_id} · {image.prompt.get('style', '')[:120]}",
                            f"{image.width}×{image.height} · {image.local_path}", image.rating, image.job_id)
                 for image in images]
        self.app.push_screen(ImageViewerScreen(
            items, start, renderer=self.renderer, cache_dir=self.cache_dir,
            on_rate=lambda item, rating: self.rate_job(int(item.key or 0), rating),
            on_open=lambda item: self.open_path(item.path), on_move=self._follow))

    def _follow(self, item: ViewerItem) -> None:
        key = str(item.key)
        if key in self.rows:
            self.move_cursor(row=self.get_row_index(key), animate=False)

    # -- regenerate, retry, cancel -------------------------------------------------------------------

    def action_redo(self) -> None:
        job_id = self.selected_job_id
        if job_id is not None:
            redo(self, self.context, job_id)

    def action_cancel_job(self) -> None:
        job_id, context = self.selected_job_id, self.context
        if job_id is None:
            return

        def cancelled(message: str) -> None:
            self.notify(message)
            self.post_message(self.BatchChanged())

        def answered(yes: bool | None) -> None:
            if yes:  # tells the provider, so it blocks: never on the UI thread
                in_thread(self, lambda: cancel_job(context, job_id), cancelled, name=f"Cancelling job {job_id}",
                          group="results", refused=lambda message: self.notify(message, severity="warning"))

        state = self.get_cell(str(job_id), "status")
        state_text = (state.plain if hasattr(state, "plain") else str(state)).split()[0] if state else "pending"
        self.app.push_screen(cancel_dialog(f"Job {job_id}", where_job_is(state_text), title="Cancel this job?"),
                             answered)

    # -- prompt, files, hand-off -------------------------------------------------------------------------

    def action_favorite(self) -> None:
        self._with_detail(self._ask_favourite_name)

    def _ask_favourite_name(self, detail: JobDetail) -> None:
        image = detail.image
        if image is None:
            self.notify(f"Job {detail.job.id} has no image yet.", severity="warning")
            return
        default = (detail.prompt.short(40) if detail.prompt and detail.prompt.style else "") or image.concept \
            or image.file_name
        context = self.context

        def named(name: str | None) -> None:
            if name is not None:
                in_thread(self, lambda: favorite_image_prompt(context, image.id, name.strip()),
                          lambda favorite: self.notify(f"Prompt saved to favourites as “{favorite.name}”."),
                          name="Saving the favourite", group="results")

        self.app.push_screen(favourite_name_dialog(default), named)

    def action_copy_prompt(self) -> None:
        self._with_detail(self._copy_prompt)

    def _copy_prompt(self, detail: JobDetail) -> None:
        if detail.prompt is None:
            self.notify("This job has no structured prompt.", severity="warning")
            return
        copy_text(self, detail.prompt.to_json(), "Prompt JSON")

    def open_path(self, path: str) -> None:
        message = self.launcher.open(path)
        self.notify(message or "Opened in the system viewer.", timeout=10 if message else 3)

    def action_open_file(self) -> None:
        self._with_detail(self._open_image)

    def _open_image(self, detail: JobDetail) -> None:
        if detail.image is None:
            self.notify(f"Job {detail.job.id} has no image yet.", severity="warning")
            return
        self.open_path(detail.image.local_path)

    def action_send_to_video(self) -> None:
        job_ids, context = self.chosen_job_ids(), self.context
        in_thread(self, lambda: [image.local_path for image in images_for_jobs(context, job_ids)], self._send,
                  name="Sending images to Img2Video", group="results")

    def action_transform(self) -> None:
        from pixflow_tui.tui.screens.transform_dialog import transform_images

        job_ids, context = self.chosen_job_ids(), self.context
        in_thread(self, lambda: [f"image:{image.id}" for image in images_for_jobs(context, job_ids)],
                  lambda keys: transform_images(self, context, keys), name="Img2Img", group="results")

    def _send(self, paths: list[str]) -> None:
        if not paths:
            self.notify("No finished images to send: pick done rows (space marks several).", severity="warning")
            return
        self.context.handoff.send_images(paths)
        self.action_clear_marks()
        self.app.switch_mode("img2video")
        self.app.notify(f"{plural(len(paths), 'image')} sent to Img2Video.")
