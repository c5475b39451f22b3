"""The keys shared by the tabs that list outputs (Liked, All assets): rate, favourite the prompt, copy,
regenerate, send to Img2Video, open, export the selection."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, ClassVar

from textual.binding import Binding, BindingType

from pixflow_tui.core.formatting import plural
from pixflow_tui.tui import action_keys
from pixflow_tui.tui.clipboard import copy_text
from pixflow_tui.tui.paid import redo
from pixflow_tui.tui.screens.dialogs import PathInputDialog, favourite_name_dialog
from pixflow_tui.tui.screens.library.base import LibraryTab
from pixflow_tui.workflows import library_queries as lq
from pixflow_tui.workflows.inputs import InputError

RATING_VALUES = {"like": 1, "dislike": -1, "clear": None}


class OutputTab(LibraryTab):
    """A tab whose rows are outputs (LibraryRow, by key). Subclasses keep `self.outputs` and implement
    `current_key`, `selected_keys` and `show_rating`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "rate('like')", "Like", id=action_keys.LIKE),
        Binding("d", "rate('dislike')", "Dislike", id=action_keys.DISLIKE),
        Binding("0", "rate('clear')", "Clear rating", show=False, id=action_keys.CLEAR_RATING),
        Binding("f", "favorite", "Favourite prompt", show=False, id=action_keys.FAVOURITE),
        Binding("y", "copy", "Copy prompt", show=False, id=action_keys.COPY_PROMPT),
        Binding("r", "regenerate", "Regenerate", show=False, id=action_keys.REGENERATE),
        Binding("v", "to_video", "To Img2Video", id=action_keys.SEND_TO_IMG2VIDEO),
        Binding("i", "transform", "Img2Img", show=False, id=action_keys.TRANSFORM),
        Binding("o", "open", "Open", show=False, id=action_keys.OPEN),
        Binding("e", "export", "Export", id=action_keys.EXPORT),
        Binding("A", "mark_avatar", "Mark as avatar", show=False, id="library-mark-avatar"),
    ]

    def __init__(self, context: Any, *, id: str | None = None) -> None:
        super().__init__(context, id=id)
        self.outputs: dict[str, lq.LibraryRow] = {}
        self.rated_at: dict[str, float] = {}  # key -> when its rating was stored

    def current_key(self) -> str | None:
        raise NotImplementedError

    def selected_keys(self) -> list[str]:
        raise NotImplementedError

    def show_rating(self, key: str, rating: int | None) -> None:
        raise NotImplementedError

    @property
    def current(self) -> lq.LibraryRow | None:
        key = self.current_key()
        return self.outputs.get(key) if key else None

    def announce(self) -> None:
        self.post_message(self.Preview(self, "output", self.current))

    def _replace(self, key: str, **changes: Any) -> lq.LibraryRow | None:
        from dataclasses import replace

        row = self.outputs.get(key)
        if row is not None:
            row = replace(row, **changes)
            self.outputs[key] = row
        return row

    # -- actions -----------------------------------------------------------------------------------------

    def action_rate(self, rating: str) -> None:
        """Shown and written at once (a bounded write; a busy database hands it to a thread); put back when
        the database refuses it."""
        row = self.current
        if row is None:
            return
        before, after = row.rating, RATING_VALUES[rating]
        self._replace(row.key, rating=after)
        self.show_rating(row.key, after)
        context, key = self.context, row.key

        def failed() -> None:
            self._replace(key, rating=before)
            self.show_rating(key, before)

        try:
            if lq.rate_output_now(context, key, rating):
                self._rated(key)
                return
        except InputError as exc:
            failed()
            self.notify(str(exc), severity="warning")
            return

        def work() -> Any:
            try:
                return lq.rate_output(context, key, rating)
            except Exception:
                self.app.call_from_thread(failed)
                raise

        self.run_in_thread(work, lambda _: self._rated(key), name="Saving a rating")

    def _rated(self, key: str) -> None:
        self.rated_at[key] = time.perf_counter()
        self.post_message(self.Changed(self))
        self.post_message(self.Preview(self, "rating", self.outputs[key]))

    def action_favorite(self) -> None:
        row = self.current
        if row is None or row.kind != "image":
            self.notify("Only an image's prompt can be favourited.", severity="warning")
            return
        context, key = self.context, row.key

        def saved(name: str) -> None:
            self.notify(f"Prompt saved to favourites as “{name}”.")
            self.post_message(self.Changed(self))

        def named(name: str | None) -> None:
            if name is not None:
                self.run_in_thread(lambda: lq.favorite_output(context, key, name.strip()), saved,
                                   name="Saving a favourite")

        self.app.push_screen(favourite_name_dialog(row.concept or Path(row.local_path).name), named)

    def action_mark_avatar(self) -> None:
        """Offer the highlighted image in Avatar Studio's gallery (the image stays where it is)."""
        row = self.current
        if row is None or row.kind != "image":
            self.notify("Only an image can be an avatar.", severity="warning")
            return
        context, key = self.context, row.key
        self.run_in_thread(lambda: lq.mark_output_as_avatar(context, key),
                           lambda name: self.notify(f"“{name}” is in Avatar Studio's gallery now (press 4)."),
                           name="Marking an avatar")

    def action_copy(self) -> None:
        row = self.current
        if row is None:
            return
        text = json.dumps(row.prompt, indent=2, ensure_ascii=False) if isinstance(row.prompt, dict) else row.prompt
        if not text:
            self.notify("This output has no prompt.", severity="warning")
            return
        copy_text(self, text, "Prompt")

    def action_regenerate(self) -> None:
        row = self.current
        if row is None:
            return
        if row.job_id is None:
            self.notify("This output was not made by a job, so it cannot be regenerated.", severity="warning")
            return
        redo(self, self.context, row.job_id)

    def action_to_video(self) -> None:
        keys = self.selected_keys()
        if not keys:
            return
        context = self.context
        self.run_in_thread(lambda: lq.send_to_img2video(context, keys),
                           lambda n: self.notify(f"{plural(n, 'image')} sent to Img2Video (press 3)."),
                           name="Sending to Img2Video")

    def action_transform(self) -> None:
        from pixflow_tui.tui.screens.transform_dialog import transform_images

        transform_images(self, self.context, [k for k in self.selected_keys() if k.startswith("image:")])

    def action_open(self) -> None:
        row = self.current
        if row is None:
            return
        from pixflow_tui.workflows.asset_monster import ViewerLauncher

        problem = ViewerLauncher().open(row.local_path)
        self.notify(problem or f"Opened {Path(row.local_path).name}.", severity="warning" if problem else "information")

    def action_export(self) -> None:
        keys = self.selected_keys()
        if not keys:
            self.notify("Nothing to export.", severity="warning")
            return
        context = self.context
        suggested = str(lq.default_export_path(context, len(keys)))

        def exported(result: Any) -> None:
            missing = f"; {plural(len(result.missing), 'file')} missing" if result.missing else ""
            self.notify(f"Exported {plural(result.files, 'file')} to {result.path}{missing}.")

        def answer(path: Path | None) -> None:
            if path is not None:
                self.run_in_thread(lambda: lq.export_outputs(context, keys, path), exported, name="Exporting")

        self.app.push_screen(PathInputDialog(f"Export {plural(len(keys), 'output')} as a zip",
                                             "Images with their prompts and ratings (prompts.json), plus video and "
                                             "audio files; an existing file is never overwritten.", value=suggested, must_exist=False, want="file"),
                             callback=answer)
