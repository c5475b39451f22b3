"""The results: the prompt list (one row per slot, filled as prompts arrive), the checks, and the prompt itself."""
from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import OptionList, Static

from pixflow_tui.tui import action_keys
from pixflow_tui.tui.screens.prompt_factory.batch import Batch

EMPTY_HINT = (
    "No prompts yet.\n\nc: type a concept · i: turn an image into a prompt · t: paste a text or JSON prompt, "
    "then enter.\n\nPrompts appear here as they are written, ready to send to Asset Monster (g)."
)


class PromptList(OptionList):
    """One row per prompt: selection mark, number, quality score and band, the start of its style."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="pf-down"),
        Binding("k", "cursor_up", "Up", show=False, id="pf-up"),
        Binding("enter", "screen.focus_prompt", "Read prompt", show=False, id="pf-read"),
    ]

    def show_batch(self, batch: Batch, keep: int | None = None) -> None:
        """Rebuild every row (a handful at most); the highlight stays on `keep` when given."""
        self.set_options([batch.row(i) for i in range(len(batch.slots))])
        if keep is not None and batch.slots:
            self.highlighted = min(keep, len(batch.slots) - 1)

    def refresh_row(self, batch: Batch, index: int) -> None:
        self.replace_option_prompt_at_index(index, batch.row(index))


class ResultsPane(Horizontal):
    """Holds the prompt actions, so they work from the list and from the prompt view alike."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "screen.edit_prompt", "Edit", tooltip="Edit the prompt in $EDITOR", id="pf-edit"),
        Binding("E", "screen.edit_json", "Edit JSON", tooltip="Edit the prompt's JSON here", id="pf-edit-json"),
        Binding("f", "screen.favourite", "Favourite", tooltip="Save the prompt to favourites", id=action_keys.FAVOURITE),
        Binding("y", "screen.copy_prompt", "Copy", tooltip="Copy the prompt as JSON", id=action_keys.COPY_PROMPT),
        Binding("s,space", "screen.toggle_select", "Select", tooltip="Select or unselect for sending",
                id="pf-select"),
        Binding("g", "screen.send_prompts", "Send", tooltip="Send the selected prompts to Asset Monster",
                id="pf-send"),
        Binding("ctrl+s", "screen.save_history", "Save", tooltip="Save the prompts to history", id="pf-save"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="list-column"):
            yield Static(EMPTY_HINT, id="list-empty")
            yield PromptList(id="prompt-list")
            with VerticalScroll(id="checks-box"):
                yield Static("", id="checks")
        # PromptView (pydantic, pygments) is mounted just after the first frame: see `mount_view`
        yield Static("No prompt selected.", id="prompt-view-placeholder", classes="prompt-view")

    def on_mount(self) -> None:
        self.query_one("#list-column").border_title = "Prompts"
        self.query_one("#prompt-view-placeholder").border_title = "Prompt"
        self.show_empty(True)

    async def mount_view(self) -> None:
        """Put the real PromptView where the placeholder is (once; its modules were loaded off the UI thread)."""
        from pixflow_tui.tui.widgets.prompt_view import PromptView

        placeholders = self.query("#prompt-view-placeholder")
        if not placeholders:
            return
        view = PromptView(id="prompt-view", classes="prompt-view")
        view.border_title = "Prompt"
        await self.mount(view, after=placeholders.first())
        await placeholders.remove()

    def show_empty(self, empty: bool) -> None:
        self.query_one("#list-empty").display = empty
        self.query_one(PromptList).display = not empty
        self.query_one("#checks-box").display = not empty

    def show_checks(self, text: Text) -> None:
        self.query_one("#checks", Static).update(text)
