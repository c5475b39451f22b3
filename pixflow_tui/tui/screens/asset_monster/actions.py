"""Result actions of the Asset Monster screen: view, rate, regenerate, cancel, favourite, send, export, open."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixflow_tui.core.jobs import JobState
from pixflow_tui.tui.screens.dialogs import ConfirmDialog, PathInputDialog, TextInputDialog
from pixflow_tui.tui.paid import redo
from pixflow_tui.tui.screens.image_viewer import ImageViewerScreen, ViewerItem
from pixflow_tui.tui.widgets.job_table import rating_text
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows.asset_monster import (
    JobDetail, ViewerLauncher, batch_images, cancel_job, default_export_path, image_for_job, images_for_jobs,
    job_detail,
)
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.library import export_zip, favorite_image_prompt, rate_image

if TYPE_CHECKING:
    from pixflow_tui.tui.screens.asset_monster.screen import AssetMonsterScreen

ROW_ACTIONS = {"rate", "redo", "cancel_job", "favorite", "send_to_video", "open_file", "copy_prompt", "view"}
_UNSET = object()


class ResultsActions:
    """Mixed into AssetMonsterScreen. Row actions act on the highlighted job; e and v use the marked rows
    when there are any."""

    launcher = ViewerLauncher()

    def _am(self) -> AssetMonsterScreen:
        return self  # type: ignore[return-value]

    def _worker(self, work: Callable[[], Any], name: str) -> None:
        start_thread(self._am(), work, name=name, group="results", exclusive=False)

    def _on_ui(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self._am().app.call_from_thread(lambda: fn(*args, **kwargs))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        screen = self._am()
        if action in ROW_ACTIONS:
            return screen.is_mounted and screen.table.selected_job_id is not None
        if action in ("export", "cancel_batch"):
            return screen.batch_id is not None
        return True

    def _with_detail(self, then: Callable[[JobDetail], None]) -> None:
        """Call `then` with the highlighted job's details (read again when the cached ones are another job's)."""
        screen = self._am()
        job_id = screen.table.selected_job_id
        if job_id is None:
            return
        if screen.detail is not None and screen.detail.job.id == job_id:
            then(screen.detail)
            return
        context = screen.context

        def work() -> None:
            detail = job_detail(context, job_id)
            if detail is not None:
                self._on_ui(then, detail)

        self._worker(work, "Loading the job")

    # -- rating ----------------------------------------------------------------------------------------

    def action_rate(self, rating: str) -> None:
        job_id = self._am().table.selected_job_id
        if job_id is not None:
            self.rate_job(job_id, rating)

    def rate_job(self, job_id: int, rating: str) -> None:
        """Write the rating in a thread; the newest key wins when several are pressed quickly."""
        screen = self._am()
        context = screen.context
        with screen._rating_lock:
            screen._pending_ratings[job_id] = rating

        def work() -> None:
            with screen._rating_lock:
                wanted = screen._pending_ratings.pop(job_id, _UNSET)
                if wanted is _UNSET:
                    return  # a later key's worker already wrote the newest rating
                image = image_for_job(context, job_id)
                if image is None:
                    self._on_ui(screen.notify, f"Job {job_id} has no image yet; rate it once it is done.",
                                severity="warning")
                    return
                value = rate_image(context, image.id, str(wanted))
            self._on_ui(self._rated, job_id, value)

        self._worker(work, "Saving the rating")

    def _rated(self, job_id: int, value: int | None) -> None:
        screen = self._am()
        if str(job_id) in screen.table.rows:
            screen.table.update_cell(str(job_id), "rating", rating_text(value))
        if screen.table.selected_job_id == job_id:
            screen._load_detail(job_id)

    # -- viewing -----------------------------------------------------------------------------------------

    def action_view(self) -> None:
        screen = self._am()
        job_id, batch_id, context = screen.table.selected_job_id, screen.batch_id, screen.context
        if job_id is None or batch_id is None:
            return

        def work() -> None:
            images = batch_images(context, batch_id)
            self._on_ui(show, images)

        def show(images: list[Any]) -> None:
            start = next((n for n, image in enumerate(images) if image.job_id == job_id), None)
            if start is None:
                state = screen.detail.job.status if screen.detail and screen.detail.job.id == job_id else "not done"
                screen.notify(f"Job {job_id} has no image yet ({state}).", severity="warning")
                return
            items = [ViewerItem(image.local_path, f"job {image.job_id} · {image.prompt.get('style', '')[:120]}",
                                f"{image.width}×{image.height} · {image.local_path}", image.rating, image.job_id)
                     for image in images]
            settings = screen.app_.settings
            screen.app.push_screen(ImageViewerScreen(
                items, start, renderer=settings.image_renderer, cache_dir=settings.thumbnails_dir,
                on_rate=lambda item, rating: self.rate_job(int(item.key or 0), rating),
                on_open=lambda item: self._open_path(item.path), on_move=self._follow))

        self._worker(work, "Loading the batch's images")

    def _follow(self, item: ViewerItem) -> None:
        table = self._am().table
        key = str(item.key)
        if key in table.rows:
            table.move_cursor(row=table.get_row_index(key), animate=False)

    # -- regenerate, retry, cancel -------------------------------------------------------------------

    def action_redo(self) -> None:
        screen = self._am()
        job_id = screen.table.selected_job_id
        if job_id is not None:
            redo(screen, screen.context, job_id)

    def action_cancel_job(self) -> None:
        screen = self._am()
        job_id, context = screen.table.selected_job_id, screen.context
        if job_id is None:
            return

        def work() -> None:  # tells the provider, so it blocks: never on the UI thread
            try:
                message = cancel_job(context, job_id)
            except InputError as exc:
                self._on_ui(screen.notify, str(exc), severity="warning")
                return
            self._on_ui(screen.notify, message)
            self._on_ui(screen.load_batch, screen.batch_id, first=False)  # the row shows the stored state

        self._worker(work, f"Cancelling job {job_id}")

    def action_cancel_batch(self) -> None:
        screen = self._am()
        batch_id, context = screen.batch_id, screen.context
        if batch_id is None:
            return

        def work() -> None:
            counts = context.cancel_batch(batch_id)
            cancelled = counts.get(JobState.CANCELLED, 0)
            self._on_ui(screen.notify, f"{cancelled} job{'s' if cancelled != 1 else ''} of batch #{batch_id} "
                                       "cancelled; finished images are kept.")

        screen.app.push_screen(ConfirmDialog(
            f"Cancel every unfinished job of batch #{batch_id}? Finished images are kept.",
            title="Cancel the batch?", yes="Cancel jobs", no="Keep running"),
            lambda yes: self._worker(work, "Cancelling the batch") if yes else None)

    # -- prompt, files, hand-off -------------------------------------------------------------------------

    def action_favorite(self) -> None:
        screen = self._am()

        def ask(detail: JobDetail) -> None:
            image = detail.image
            if image is None:
                screen.notify(f"Job {detail.job.id} has no image yet.", severity="warning")
                return
            default = (detail.prompt.short(40) if detail.prompt and detail.prompt.style else "") or image.concept \
                or image.file_name

            def named(name: str | None) -> None:
                if name is None:
                    return
                context = screen.context

                def work() -> None:
                    favorite = favorite_image_prompt(context, image.id, name.strip())
                    self._on_ui(screen.notify, f"Prompt saved to favourites as “{favorite.name}”.")

                self._worker(work, "Saving the favourite")

            screen.app.push_screen(TextInputDialog("Favourite this image's prompt", "Name it:", value=default), named)

        self._with_detail(ask)

    def action_copy_prompt(self) -> None:
        screen = self._am()

        def copy(detail: JobDetail) -> None:
            if detail.prompt is None:
                screen.notify("This job has no structured prompt.", severity="warning")
                return
            screen.app.copy_to_clipboard(detail.prompt.to_json())
            screen.notify("Prompt JSON copied to the clipboard.")

        self._with_detail(copy)

    def _open_path(self, path: str) -> None:
        message = self.launcher.open(path)
        self._am().notify(message or "Opened in the system viewer.", timeout=10 if message else 3)

    def action_open_file(self) -> None:
        screen = self._am()

        def open_(detail: JobDetail) -> None:
            if detail.image is None:
                screen.notify(f"Job {detail.job.id} has no image yet.", severity="warning")
                return
            self._open_path(detail.image.local_path)

        self._with_detail(open_)

    def _chosen_job_ids(self) -> list[int]:
        table = self._am().table
        if table.marked:
            return [job_id for job_id in table.job_ids() if job_id in table.marked]
        selected = table.selected_job_id
        return [selected] if selected is not None else []

    def action_send_to_video(self) -> None:
        screen = self._am()
        job_ids, context = self._chosen_job_ids(), screen.context

        def work() -> None:
            paths = [image.local_path for image in images_for_jobs(context, job_ids)]
            self._on_ui(send, paths)

        def send(paths: list[str]) -> None:
            if not paths:
                screen.notify("No finished images to send: pick done rows (space marks several).",
                              severity="warning")
                return
            context.handoff.send_images(paths)
            screen.table.action_clear_marks()
            screen.app.switch_mode("img2video")
            screen.app.notify(f"{len(paths)} image{'s' if len(paths) != 1 else ''} sent to Img2Video.")

        self._worker(work, "Sending images to Img2Video")

    def action_export(self) -> None:
        screen = self._am()
        summary, context = screen.summary, screen.context
        if summary is None:
            screen.notify("No batch to export yet.", severity="warning")
            return
        marked = self._chosen_job_ids() if screen.table.marked else []
        default = default_export_path(context, summary.batch, selection=bool(marked))
        what = f"the {len(marked)} marked images" if marked else f"all images of batch #{summary.batch.id}"

        def chosen(path: Path | None) -> None:
            if path is None:
                return
            target = path / default.name if path.is_dir() else path
            if target.suffix.lower() != ".zip":
                target = target.with_suffix(".zip")
            if target.exists():
                screen.app.push_screen(ConfirmDialog(f"{target} exists. Replace it?", title="Replace the file?",
                                                     yes="Replace", no="Keep it"),
                                       lambda yes: write(target) if yes else None)
            else:
                write(target)

        def write(target: Path) -> None:
            def work() -> None:
                try:
                    images = (images_for_jobs(context, marked) if marked
                              else batch_images(context, summary.batch.id))
                    result = export_zip(context, images, target)
                except InputError as exc:
                    self._on_ui(screen.notify, str(exc), title="Not exported", severity="error", timeout=12)
                    return
                note = f" ({len(result.missing)} files were missing)" if result.missing else ""
                self._on_ui(screen.notify, f"Exported {result.files} images with prompts.json to {result.path}{note}",
                            timeout=12)

            self._worker(work, "Exporting")

        screen.app.push_screen(PathInputDialog(
            f"Export {what} as a zip", "Images plus prompts.json with prompts, settings and ratings.",
            value=str(default), must_exist=False), chosen)
