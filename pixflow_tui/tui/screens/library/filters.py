"""The All assets filter form: rating, kind, concept, batch, date range, model, batch tag, and who made or rated
an output."""
from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from pixflow_tui.workflows import library_queries as lq
from pixflow_tui.workflows.inputs import InputError

KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("every kind", ()), ("images", ("image",)), ("videos", ("video",)), ("audio", ("audio",)),
    ("avatars and lipsync", ("lipsync", "avatar")),
)
RATINGS = (("any rating", "any"), ("liked", "like"), ("disliked", "dislike"), ("unrated", "none"))


def _date_text(flt: lq.LibraryFilter) -> str:
    if not flt.since and not flt.until:
        return ""
    from datetime import timedelta

    since = flt.since.strftime("%Y-%m-%d") if flt.since else ""
    until = (flt.until - timedelta(days=1)).strftime("%Y-%m-%d") if flt.until else ""
    return f"{since}..{until}"


class FilterDialog(ModalScreen[lq.LibraryFilter | None]):
    """Returns the new filter (the search text is kept), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="filters-cancel"),
        Binding("ctrl+s", "apply", "Apply", id="filters-apply"),
    ]

    def __init__(self, current: lq.LibraryFilter, *, models: list[str], tags: list[str],
                 people: list[str]) -> None:
        super().__init__(classes="dialog")
        self.current, self.models, self.tags, self.people = current, models, tags, people

    def compose(self) -> ComposeResult:
        kinds = [label for label, value in KINDS if value == self.current.kinds] or ["every kind"]
        with Vertical(classes="dialog-box filter-box"):
            yield Static("Filter every output", classes="dialog-title")
            with Horizontal(classes="filter-row"):
                yield Label("Rating", classes="filter-label")
                yield Select([(label, value) for label, value in RATINGS], value=self.current.rating,
                             allow_blank=False, id="filter-rating")
            with Horizontal(classes="filter-row"):
                yield Label("Kind", classes="filter-label")
                yield Select([(label, label) for label, _ in KINDS], value=kinds[0], allow_blank=False,
                             id="filter-kind")
            with Horizontal(classes="filter-row"):
                yield Label("Concept", classes="filter-label")
                yield Input(self.current.concept or "", placeholder="words in the concept", id="filter-concept")
            with Horizontal(classes="filter-row"):
                yield Label("Batch", classes="filter-label")
                yield Input(str(self.current.batch_id or ""), placeholder="batch id", id="filter-batch",
                            restrict=r"\d*")
            with Horizontal(classes="filter-row"):
                yield Label("Dates", classes="filter-label")
                yield Input(_date_text(self.current), placeholder="7d · 2024-05 · 2024-05-01..2024-06-15",
                            id="filter-dates")
            with Horizontal(classes="filter-row"):
                yield Label("Model", classes="filter-label")
                yield Select([(m, m) for m in self.models], value=self.current.model or Select.NULL,
                             prompt="any model", id="filter-model")
            with Horizontal(classes="filter-row"):
                yield Label("Batch tag", classes="filter-label")
                yield Select([(f"#{t}", t) for t in self.tags], value=self.current.tag or Select.NULL,
                             prompt="any tag", id="filter-tag")
            with Horizontal(classes="filter-row") as people_row:
                people_row.display = len(self.people) > 1 or bool(self.current.made_by or self.current.rated_by)
                yield Label("People", classes="filter-label")
                yield Select([(f"made by {p}", p) for p in self.people], value=self.current.made_by or Select.NULL,
                             prompt="made by anyone", id="filter-made-by")
                yield Select([(f"rated by {p}", p) for p in self.people], value=self.current.rated_by or Select.NULL,
                             prompt="rated by anyone", id="filter-rated-by")
            yield Static("", id="error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Clear all", id="filter-clear")
                yield Button("Cancel", id="filter-cancel")
                yield Button("Apply (ctrl+s)", id="filter-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#filter-rating", Select).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "filter-ok":
            self.action_apply()
        elif event.button.id == "filter-clear":
            self.dismiss(lq.LibraryFilter(query=self.current.query))
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_apply(self) -> None:
        try:
            since, until = lq.parse_dates(self.query_one("#filter-dates", Input).value)
        except InputError as exc:
            error = self.query_one("#error", Static)
            error.update(str(exc))
            error.display = True
            return
        kind_label = self.query_one("#filter-kind", Select).value
        batch = self.query_one("#filter-batch", Input).value.strip()
        model = self.query_one("#filter-model", Select).value
        tag = self.query_one("#filter-tag", Select).value
        made_by = self.query_one("#filter-made-by", Select).value
        rated_by = self.query_one("#filter-rated-by", Select).value
        self.dismiss(lq.LibraryFilter(
            query=self.current.query,
            rating=str(self.query_one("#filter-rating", Select).value),
            kinds=dict(KINDS).get(str(kind_label), ()),
            concept=self.query_one("#filter-concept", Input).value.strip() or None,
            batch_id=int(batch) if batch else None,
            model=str(model) if model is not Select.NULL else None,
            tag=str(tag) if tag is not Select.NULL else None,
            made_by=str(made_by) if made_by is not Select.NULL else None,
            rated_by=str(rated_by) if rated_by is not Select.NULL else None,
            since=since, until=until,
        ))
