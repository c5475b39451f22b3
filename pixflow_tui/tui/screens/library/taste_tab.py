"""Taste: the strongest liked and disliked prompt patterns per section for a product (or all), with their counts
and confidence, the images behind the highlighted one (shown in the preview panel, enter steps through them),
how ratings trend week by week, and a summary to copy (core/taste.py explains the counting)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from pixflow_tui.core.taste import SECTION_TITLES, TASTE_FIELDS, PatternStat
from pixflow_tui.tui.screens.library.base import LibraryTab
from pixflow_tui.tui.widgets.row_list import RowList
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows import taste as taste_flow
from pixflow_tui.workflows.library_queries import LibraryRow

PER_SECTION = 5  # strongest patterns shown per section and side
TREND_WEEKS = 8


@dataclass(frozen=True)
class TastePage:
    """What one read of the tab shows (a Page to the tab's loader: rows, no more pages)."""

    scope: taste_flow.ProductScope
    person: str
    rows: list[tuple[str, PatternStat]]  # (side, stat), liked first within each section
    summary: str
    trend: list[str]
    totals: tuple[int, int]
    more: bool = False
    cursor: Any = None
    scopes: list[taste_flow.ProductScope] = field(default_factory=list)


class TasteTab(LibraryTab):
    TITLE = "Taste"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("full_stop", "scope(1)", "Next product", id="taste-product-next"),
        Binding("comma", "scope(-1)", "Previous product", id="taste-product-previous"),
        Binding("enter", "next_image", "Next image", id="taste-next-image"),
        Binding("y", "copy_summary", "Copy summary", id="taste-copy"),
    ]

    class _Evidence(Message, bubble=False):
        def __init__(self, key: str, images: list[Any]) -> None:
            super().__init__()
            self.key, self.images = key, images

    def __init__(self, context: Any, *, id: str | None = None) -> None:
        super().__init__(context, id=id)
        self.scope = taste_flow.ProductScope(None, taste_flow.ALL_PRODUCTS_NAME)
        self.page: TastePage | None = None
        self.rows: dict[str, tuple[str, PatternStat]] = {}
        self.evidence: list[Any] = []
        self.evidence_key: str | None = None
        self.shown_image = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="taste-header", markup=False)
        yield RowList([("side", "", 2), ("section", "Section", 15), ("value", "Pattern", None),
                       ("liked", "Liked", 6), ("disliked", "Disliked", 8), ("share", "Share", 6),
                       ("confidence", "Conf.", 6)], id="taste-table",
                      empty="No pattern leans clearly yet: rate images with l (like) and d (dislike).")
        yield Static("", id="taste-evidence", markup=False)
        yield Static("", id="taste-trend", markup=False)

    def list_widget(self) -> Widget:
        return self.query_one(RowList)

    # -- reading ----------------------------------------------------------------------------------------

    def fetch(self, query: str, after: Any) -> TastePage:
        scope = self.scope
        profile = taste_flow.profile(self.context, scope)
        words = query.lower().split()
        rows = [(side, stat) for section in TASTE_FIELDS for side in ("liked", "disliked")
                for stat in profile.leaning(side, section, PER_SECTION)
                if all(w in f"{stat.section} {stat.value}".lower() for w in words)]
        trend = taste_flow.trend_lines(taste_flow.trend(self.context, scope, TREND_WEEKS))
        return TastePage(scope, taste_flow.person(self.context), rows, profile.summary(), trend, (profile.total_liked, profile.total_disliked),
                         scopes=taste_flow.scopes(self.context))

    def show_page(self, page: Any, first: bool) -> None:
        self.page = page
        self.rows = {f"t{n}": row for n, row in enumerate(page.rows)}
        cells = []
        for key, (side, stat) in self.rows.items():
            mark = Text("♥", style="bold green") if side == "liked" else Text("✗", style="bold red")
            cells.append((key, (mark, SECTION_TITLES[stat.section], stat.value, str(stat.liked), str(stat.disliked),
                                f"{stat.share:.0%}", f"{stat.confidence:.2f}")))
        self.query_one(RowList).replace_rows(cells, False)
        liked, disliked = page.totals
        self.query_one("#taste-header", Static).update(
            f"Taste of {page.person} for {page.scope.name}: {liked} liked, {disliked} disliked images  "
            "(, . product · enter next image · y copy summary)")
        trend = "\n".join(page.trend) if page.trend else "No ratings yet."
        self.query_one("#taste-trend", Static).update(f"Ratings per week (liked share)\n{trend}")
        if not self.rows:
            self.query_one("#taste-evidence", Static).update("")

    # -- the highlighted pattern and the images behind it -----------------------------------------------

    @property
    def current(self) -> tuple[str, PatternStat] | None:
        key = self.query_one(RowList).highlighted_key
        return self.rows.get(key) if key else None

    def announce(self) -> None:
        key = self.query_one(RowList).highlighted_key
        found = self.rows.get(key) if key else None
        if key is None or found is None:
            self.post_message(self.Preview(self, "output", None))
            return
        side, stat = found
        self.query_one("#taste-evidence", Static).update(f"{stat.value}: {stat.explain()} · finding its images…")
        context, scope, pattern = self.context, self.scope, (stat.section, stat.value)

        def work() -> None:
            self.post_message(self._Evidence(key, taste_flow.evidence(context, pattern, side, scope)))

        start_thread(self, work, name="Finding the images behind a pattern", group="library-taste-evidence")

    def on_taste_tab__evidence(self, message: _Evidence) -> None:
        if message.key != self.query_one(RowList).highlighted_key:
            return  # the cursor moved on meanwhile
        self.evidence, self.evidence_key, self.shown_image = message.images, message.key, 0
        self._show_image()

    def _show_image(self) -> None:
        found = self.current
        if found is None:
            return
        side, stat = found
        ids = " ".join(f"#{image.id}" for image in self.evidence) or "none found among the newest ratings"
        where = f" (showing {self.shown_image + 1} of {len(self.evidence)})" if self.evidence else ""
        self.query_one("#taste-evidence", Static).update(
            f"{stat.value}: {stat.explain()}\n{side.capitalize()} images with it: {ids}{where}")
        image = self.evidence[self.shown_image] if self.evidence else None
        self.post_message(self.Preview(self, "output", LibraryRow.of_image(image) if image is not None else None))

    def on_row_list_highlighted(self, message: RowList.Highlighted) -> None:
        self.announce()

    def on_row_list_selected(self, message: RowList.Selected) -> None:
        message.stop()
        self.action_next_image()

    def action_next_image(self) -> None:
        if self.evidence and self.evidence_key == self.query_one(RowList).highlighted_key:
            self.shown_image = (self.shown_image + 1) % len(self.evidence)
            self._show_image()

    # -- product and summary ----------------------------------------------------------------------------

    def action_scope(self, step: int) -> None:
        scopes = self.page.scopes if self.page is not None and self.page.scopes else [self.scope]
        ids = [s.id for s in scopes]
        at = ids.index(self.scope.id) if self.scope.id in ids else 0
        self.scope = scopes[(at + step) % len(scopes)]
        self.reload()

    def action_copy_summary(self) -> None:
        if self.page is not None:
            self.app.copy_to_clipboard(self.page.summary)
            self.notify("Taste summary copied to the clipboard.")
