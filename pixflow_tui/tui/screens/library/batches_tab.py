"""Batches: every run with its settings, status, cost and tags; add and remove tags, filter by tag."""
from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from pixflow_tui.core.formatting import money
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, TextInputDialog
from pixflow_tui.tui.screens.library.base import LibraryTab, RowListTab, short, when
from pixflow_tui.tui.widgets.row_list import RowList
from pixflow_tui.workflows import library_queries as lq

_EVERY = "*every*"  # the "no tag filter" choice
def cost_cell(row: lq.BatchRow) -> Text:
    """What the provider billed; while nothing is billed and the batch still runs, the estimate, marked ≈ and dim
    so it is never read as a cost."""
    if row.cost_actual or row.status not in ("pending", "running"):
        return Text(money(row.cost_actual))
    return Text(money(row.cost_estimate, estimate=True), style="dim")


_STATUS_STYLES = {"done": "green", "failed": "bold red", "running": "cyan", "cancelled": "dim", "partial": "yellow"}


def tag_text(tags: tuple[str, ...]) -> str:
    return " ".join(f"#{t}" for t in tags)


class BatchesTab(RowListTab):
    TITLE = "Batches"
    KEY_PREFIX, PREVIEW_KIND = "b", "batch"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "add_tag", "Add tag", id="batch-tag-add"),
        Binding("T", "remove_tag", "Remove tag", id="batch-tag-remove"),
        Binding("F", "filter_tag", "Filter by tag", id="batch-tag-filter"),
        Binding("enter", "show_outputs", "Show outputs", id="batch-outputs"),
    ]

    class ShowOutputs(LibraryTab.Preview):
        """Open All assets filtered to this batch."""

    def __init__(self, context: Any, *, id: str | None = None) -> None:
        super().__init__(context, id=id)
        self.tag: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._filter_line(), id="batches-filter-line", markup=False)
        yield RowList([("id", "Batch", 6), ("date", "Date (local)", 16), ("module", "Module", 13), ("name", "Name", None),
                          ("status", "Status", 9), ("cost", "Cost", 8), ("outputs", "Outputs", 7),
                          ("tags", "Tags", 24)], id="batches-table", empty="No batches match.")

    def _filter_line(self) -> str:
        shown = f"tag #{self.tag}" if self.tag else "every batch"
        return f"{shown}  (t add tag · T remove tag · F filter by tag · enter show outputs)"

    def fetch(self, query: str, after: Any) -> Any:
        return lq.batches_page(self.context, tag=self.tag, query=query, after=after)

    def cells(self, row: lq.BatchRow) -> tuple[str | Text, ...]:
        return (str(row.id), when(row.created_at), row.module.replace("_", " "), short(row.name or row.concept),
                Text(row.status, style=_STATUS_STYLES.get(row.status, "")), cost_cell(row), str(row.outputs),
                tag_text(row.tags))

    def select(self) -> None:
        self.action_show_outputs()

    def _retagged(self, batch_id: int, tags: list[str]) -> None:
        from dataclasses import replace

        key = f"b{batch_id}"
        row = self.rows.get(key)
        if row is not None:
            self.rows[key] = replace(row, tags=tuple(tags))
            self.query_one(RowList).set_cell(key, "tags", tag_text(tuple(tags)))
            self.announce()

    def action_add_tag(self) -> None:
        batch = self.current
        if batch is None:
            return
        context = self.context

        def answer(tag: str | None) -> None:
            if tag:
                self.run_in_thread(lambda: lq.add_tag(context, batch.id, tag),
                                   lambda tags: self._retagged(batch.id, tags), name="Tagging a batch")

        def check(text: str) -> str | None:
            text = text.strip().lstrip("#")
            return None if text and len(text) <= 40 and not any(c.isspace() for c in text) else \
                "a tag is one word of 1–40 characters"

        self.app.push_screen(TextInputDialog(f"Tag batch {batch.id}", short(batch.name or batch.concept, 60),
                                             placeholder="client-a", validator=check), callback=answer)

    def action_remove_tag(self) -> None:
        batch = self.current
        if batch is None:
            return
        if not batch.tags:
            self.notify(f"Batch {batch.id} has no tags.", severity="warning")
            return
        context = self.context

        def answer(tag: str | None) -> None:
            if tag:
                self.run_in_thread(lambda: lq.remove_tag(context, batch.id, tag),
                                   lambda tags: self._retagged(batch.id, tags), name="Untagging a batch")

        self.app.push_screen(ChoiceDialog(f"Remove a tag from batch {batch.id}", [(t, f"#{t}") for t in batch.tags]),
                             callback=answer)

    def action_filter_tag(self) -> None:
        context = self.context

        def answer(tag: str | None) -> None:
            if tag is not None:
                self.tag = None if tag == _EVERY else tag
                self.query_one("#batches-filter-line", Static).update(self._filter_line())
                self.reload()

        def choose(tags: list[str]) -> None:
            choices = [(_EVERY, "every batch"), *[(t, f"#{t}") for t in tags]]
            self.app.push_screen(ChoiceDialog("Show batches tagged", choices, selected=self.tag or _EVERY),
                                 callback=answer)

        self.run_in_thread(lambda: lq.tags(context), choose, name="Reading tags")

    def action_show_outputs(self) -> None:
        batch = self.current
        if batch is not None:
            self.post_message(self.ShowOutputs(self, "batch-outputs", batch))
