"""Liked (a thumbnail grid of the outputs rated +1) and All assets (every output, with filters)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Static

from pixflow_tui.tui.screens.library.base import rating_mark, short, when
from pixflow_tui.tui.screens.library.filters import FilterDialog
from pixflow_tui.tui.screens.library.output_actions import OutputTab
from pixflow_tui.tui.widgets.row_list import RowList
from pixflow_tui.tui.widgets.thumbnail_grid import GridEntry, ThumbnailGrid
from pixflow_tui.workflows import library_queries as lq

KIND_CYCLE: tuple[tuple[str, ...], ...] = ((), ("image",), ("video",), ("audio",), ("lipsync", "avatar"))
KIND_LABELS = {"image": "image", "video": "video", "audio": "audio", "lipsync": "lipsync", "avatar": "avatar"}


def caption(row: lq.LibraryRow) -> str:
    mark = {1: "♥ ", -1: "✗ "}.get(row.rating or 0, "")
    return f"{mark}{row.concept or Path(row.local_path).name}"


def picture_of(row: lq.LibraryRow) -> str | None:
    """What the grid shows for an output: its thumbnail (a video's first frame) or, for an image, the file."""
    if row.thumbnail:
        return row.thumbnail
    return row.local_path if row.kind == "image" else None


class LikedTab(OutputTab):
    TITLE = "Liked"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("M", "clear_marks", "Clear marks", show=False, id="liked-unmark")]

    def compose(self) -> ComposeResult:
        settings = self.context.settings
        yield ThumbnailGrid(renderer=settings.image_renderer, cache_dir=settings.thumbnails_dir, id="liked-grid",
                            empty="Nothing liked yet — press l on an output to like it.")

    def list_widget(self) -> Widget:
        return self.query_one(ThumbnailGrid)

    def fetch(self, query: str, after: Any) -> Any:
        return lq.liked_page(self.context, query, after)

    def show_page(self, page: Any, first: bool) -> None:
        if first:
            self.outputs.clear()
        new = {r.key: r for r in page.rows}
        self.outputs.update(new)
        entries = [GridEntry(key, picture_of(r), caption(r)) for key, r in new.items()]
        grid = self.query_one(ThumbnailGrid)
        if first:
            grid.replace(entries, page.more)
        else:
            grid.extend(entries, page.more)

    def current_key(self) -> str | None:
        entry = self.query_one(ThumbnailGrid).current
        return entry.key if entry else None

    def current_row_key(self) -> str | None:
        return self.current_key()

    def restore_cursor(self, key: str) -> None:
        self.query_one(ThumbnailGrid).go_to(key)

    def selected_keys(self) -> list[str]:
        return self.query_one(ThumbnailGrid).selection

    def show_rating(self, key: str, rating: int | None) -> None:
        row = self.outputs.get(key)
        if row is not None:
            self.query_one(ThumbnailGrid).update_entry(key, caption(row))

    def on_thumbnail_grid_highlighted(self, message: ThumbnailGrid.Highlighted) -> None:
        self.announce()

    def on_thumbnail_grid_selected(self, message: ThumbnailGrid.Selected) -> None:
        self.post_message(self.Preview(self, "focus", self.current))

    def on_thumbnail_grid_near_end(self, message: ThumbnailGrid.NearEnd) -> None:
        self.load_more()

    def action_clear_marks(self) -> None:
        self.query_one(ThumbnailGrid).clear_marks()


class AssetsTab(OutputTab):
    TITLE = "All assets"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("F", "filters", "Filters", id="assets-filters"),
        Binding("R", "cycle_rating", "Rating filter", show=False, id="assets-rating-filter"),
        Binding("K", "cycle_kind", "Kind filter", show=False, id="assets-kind-filter"),
        Binding("C", "clear_filters", "Clear filters", show=False, id="assets-clear-filters"),
        Binding("space", "mark", "Mark", show=False, id="assets-mark"),
        Binding("M", "clear_marks", "Clear marks", show=False, id="assets-unmark"),
    ]

    def __init__(self, context: Any, *, id: str | None = None) -> None:
        super().__init__(context, id=id)
        self.filter = lq.LibraryFilter()
        self.marked: set[str] = set()
        self._count_generation = 0

    def compose(self) -> ComposeResult:
        yield Static(self._filter_line(None), id="assets-filter-line", markup=False)
        # the least needed column last: a narrow terminal cuts it first
        yield RowList([("mark", " ", 1), ("kind", "Kind", 7), ("date", "Date (local)", 16), ("rating", "Rating", 6),
                       ("concept", "Concept", None), ("model", "Model", 16)], id="assets-table",
                      empty="No outputs match. Everything you make appears here.")

    def list_widget(self) -> Widget:
        return self.query_one(RowList)

    def _filter_line(self, count: int | None) -> str:
        shown = "" if count is None else (f"{count:,}+ outputs" if count >= 10_000 else f"{count:,} outputs")
        search = f" matching “{self.query_text.strip()}”" if self.query_text.strip() else ""
        return (f"{shown}{search}{' · ' if shown or search else ''}{lq.describe_filter(self.filter)}"
                "  (F filters · R rating · K kind)")

    def fetch(self, query: str, after: Any) -> Any:
        return lq.outputs_page(self.context, replace(self.filter, query=query), after)

    def show_page(self, page: Any, first: bool) -> None:
        if first:
            self.outputs.clear()
            self.marked.clear()
            self.query_one("#assets-filter-line", Static).update(self._filter_line(None))
            self._count()
        new = {r.key: r for r in page.rows}
        self.outputs.update(new)
        cells = [(key, ("", r.kind, when(r.created_at), rating_mark(r.rating),
                        short(r.concept or Path(r.local_path).name), short((r.model or "").removeprefix("fal-ai/"), 16)))
                 for key, r in new.items()]
        table = self.query_one(RowList)
        (table.replace_rows if first else table.append_rows)(cells, page.more)

    def _count(self) -> None:
        """The total for the filter line, counted (capped) after the page is on screen."""
        self._count_generation += 1
        generation, context, flt = self._count_generation, self.context, replace(self.filter, query=self.query_text)

        def counted(count: int) -> None:
            if generation == self._count_generation:
                self.query_one("#assets-filter-line", Static).update(self._filter_line(count))

        self.run_in_thread(lambda: lq.count_outputs(context, flt), counted, name="Counting outputs")

    def current_key(self) -> str | None:
        return self.query_one(RowList).highlighted_key

    def selected_keys(self) -> list[str]:
        table = self.query_one(RowList)
        if self.marked:
            return [key for key in table.keys() if key in self.marked]
        key = table.highlighted_key
        return [key] if key else []

    def show_rating(self, key: str, rating: int | None) -> None:
        self.query_one(RowList).set_cell(key, "rating", rating_mark(rating))

    def on_row_list_near_end(self, message: RowList.NearEnd) -> None:
        self.load_more()

    def on_row_list_highlighted(self, message: RowList.Highlighted) -> None:
        self.announce()

    def on_row_list_selected(self, message: RowList.Selected) -> None:
        message.stop()
        self.post_message(self.Preview(self, "focus", self.current))

    # -- filters ---------------------------------------------------------------------------------------

    def apply_filter(self, flt: lq.LibraryFilter) -> None:
        self.filter = flt
        self.query_one("#assets-filter-line", Static).update(self._filter_line(None))
        self.reload()

    def action_filters(self) -> None:
        context = self.context

        def answer(flt: lq.LibraryFilter | None) -> None:
            if flt is not None:
                self.apply_filter(flt)

        def ask(found: tuple[list[str], list[str], list[str]]) -> None:
            models, tags, people = found
            self.app.push_screen(FilterDialog(self.filter, models=models, tags=tags, people=people), callback=answer)

        self.run_in_thread(lambda: (lq.models(context), lq.tags(context), lq.people_names(context)), ask,
                           name="Reading the filter choices")

    def action_cycle_rating(self) -> None:
        order = lq.RATING_FILTERS
        self.apply_filter(replace(self.filter, rating=order[(order.index(self.filter.rating) + 1) % len(order)]))

    def action_cycle_kind(self) -> None:
        current = KIND_CYCLE.index(self.filter.kinds) if self.filter.kinds in KIND_CYCLE else 0
        self.apply_filter(replace(self.filter, kinds=KIND_CYCLE[(current + 1) % len(KIND_CYCLE)]))

    def action_clear_filters(self) -> None:
        self.apply_filter(lq.LibraryFilter())

    def can_refresh_live(self) -> bool:
        return not self.marked and super().can_refresh_live()  # a first page read again clears the marks

    # -- marks -----------------------------------------------------------------------------------------

    def action_mark(self) -> None:
        table = self.query_one(RowList)
        key = table.highlighted_key
        if key is None:
            return
        self.marked.symmetric_difference_update({key})
        table.set_cell(key, "mark", Text("●", style="bold green") if key in self.marked else "")
        table.action_cursor_down()

    def action_clear_marks(self) -> None:
        table = self.query_one(RowList)
        for key in self.marked:
            table.set_cell(key, "mark", "")
        self.marked.clear()
