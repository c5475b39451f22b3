"""The results as shown: the prompt list (one row per slot, filled as prompts arrive), the checks, and the prompt
itself. `ResultsView` holds the batch on screen; the results pane (`actions.py`) adds the keys and the run."""
from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static

from pixflow_tui.core.formatting import plural
from pixflow_tui.tui.screens.prompt_factory.batch import SOURCE_WORDS, Batch, Checked
from pixflow_tui.tui.screens.prompt_factory.research_panel import ResearchPanel
from pixflow_tui.tui.screens.prompt_factory.status import Status, sentence
from pixflow_tui.tui.widgets.prompt_view import PromptView
from pixflow_tui.workflows.context import AppContext

if TYPE_CHECKING:
    from pixflow_tui.core.prompt_schema import PromptOutput
    from pixflow_tui.workflows.handoff import PromptParcel

EMPTY_HINT = (
    "No prompts yet.\n\nc: type a concept · i: turn an image into a prompt · t: paste a text or JSON prompt, "
    "then enter.\n\nPrompts appear here as they are written, ready to send to Asset Monster (g)."
)


class PromptList(OptionList):
    """One row per prompt: selection mark, number, quality score and band, the start of its style."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="pf-down"),
        Binding("k", "cursor_up", "Up", show=False, id="pf-up"),
        Binding("enter", "read", "Read prompt", show=False, id="pf-read"),
    ]

    class Read(Message):
        """Enter on a row: read the prompt (focus moves to the prompt view)."""

    def action_read(self) -> None:
        self.post_message(self.Read())

    def show_batch(self, batch: Batch, keep: int | None = None) -> None:
        """Rebuild every row (a handful at most); the highlight stays on `keep` when given."""
        self.set_options([batch.row(i) for i in range(len(batch.slots))])
        if keep is not None and batch.slots:
            self.highlighted = min(keep, len(batch.slots) - 1)

    def refresh_row(self, batch: Batch, index: int) -> None:
        self.replace_option_prompt_at_index(index, batch.row(index))


class ResultsView(Horizontal):
    """The batch on screen (None before the first run) in the list, its checks, and the highlighted prompt."""

    def __init__(self, context: AppContext, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.shown: Batch | None = None  # not `batch`: that is Widget.batch(), which Textual calls

    def compose(self) -> ComposeResult:
        with Vertical(id="list-column"):
            yield Static(EMPTY_HINT, id="list-empty")
            yield PromptList(id="prompt-list")
            with VerticalScroll(id="checks-box"):
                yield Static("", id="checks")
        view = PromptView(id="prompt-view", classes="prompt-view")
        view.border_title = "Prompt"
        yield view
        yield ResearchPanel(id="research-panel")

    def on_mount(self) -> None:
        self.query_one("#list-column").border_title = "Prompts"
        self.show_empty(True)

    # ---- what is highlighted ---------------------------------------------------------------------------

    @property
    def prompt_list(self) -> PromptList:
        return self.query_one(PromptList)

    @property
    def highlighted(self) -> int | None:
        return self.prompt_list.highlighted

    def current(self) -> tuple[int, Checked] | None:
        index = self.highlighted
        slot = self.shown.get(index) if self.shown is not None else None
        return (index, slot) if slot is not None and index is not None else None

    def view(self) -> PromptView:
        return self.query_one(PromptView)

    @property
    def view_focused(self) -> bool:
        return self.view().has_focus

    def focus_view(self) -> None:
        self.screen.set_focus(self.view())

    def focus_list(self) -> None:
        # set_focus, not focus(): the keys typed right after must reach the list
        self.screen.set_focus(self.prompt_list)

    def on_prompt_list_read(self, message: PromptList.Read) -> None:
        message.stop()
        self.focus_view()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if isinstance(event.option_list, PromptList):
            self.show_current()

    # ---- showing -------------------------------------------------------------------------------------

    def show_empty(self, empty: bool) -> None:
        self.query_one("#list-empty").display = empty
        self.prompt_list.display = not empty
        self.query_one("#checks-box").display = not empty

    def show_checks(self, text: Text) -> None:
        self.query_one("#checks", Static).update(text)

    def show_current(self) -> None:
        """Show the highlighted prompt and its checks."""
        index = self.highlighted
        slot = self.shown.get(index) if self.shown is not None else None
        if self.shown is not None:
            self.show_checks(self.shown.checks(index))
        view = self.view()
        view.show(slot.prompt if slot is not None else None)
        view.border_title = (f"Prompt {index + 1} · quality {slot.score} {slot.band}"
                             if slot is not None and index is not None else "Prompt")

    def refresh_rows(self) -> None:
        if self.shown is not None:
            for index in range(len(self.shown.slots)):
                self.prompt_list.refresh_row(self.shown, index)
            selected = len(self.shown.selected)
            self.query_one("#list-column").border_subtitle = f"{selected} selected" if selected else ""

    # ---- the research report (in the prompt view's place while shown) ---------------------------------

    @property
    def research_panel(self) -> ResearchPanel:
        return self.query_one(ResearchPanel)

    @property
    def research_shown(self) -> bool:
        return bool(self.research_panel.display)

    def show_research(self, show: bool) -> None:
        self.research_panel.display = show
        for view in self.query(".prompt-view"):
            view.display = not show

    def show_batch(self, batch: Batch) -> None:
        """A new batch (a run starting, or prompts from history): the list rebuilt, the cursor in it."""
        self.research_panel.show_outcome(batch.research)
        self.show_research(False)
        self.shown = batch
        self.show_empty(False)
        self.prompt_list.show_batch(batch)
        self.prompt_list.highlighted = None
        self.focus_list()
        self.query_one("#list-column").border_title = f"Prompts · {SOURCE_WORDS[batch.source]}"
        self.query_one("#list-column").border_subtitle = ""
        self.refresh_bindings()

    def arrive(self, batch: Batch, prompt: PromptOutput) -> None:
        index = batch.arrive(prompt)
        if batch is not self.shown:
            return
        prompt_list = self.prompt_list
        if index < prompt_list.option_count:
            prompt_list.refresh_row(batch, index)
        else:
            prompt_list.add_option(batch.row(index))
        if prompt_list.highlighted is None:
            prompt_list.highlighted = index  # the first arrival is selected and shown (in place of the research)
            self.show_research(False)
        if prompt_list.highlighted == index:
            self.show_current()
        else:  # the shown prompt is unchanged; only the batch's variety moved
            self.show_checks(batch.checks(prompt_list.highlighted))
        if batch.size > 1:
            self.post_message(Status(f"{batch.arrived} of {plural(batch.size, 'prompt')} written…  x or escape cancels",
                                     "busy"))
        self.refresh_bindings()

    def finish(self, batch: Batch, previous: Batch | None, problem: str) -> None:
        """The run of `batch` ended: its empty slots go; when nothing came of it the previous prompts stay."""
        batch.running = False
        batch.drop_empty()
        shown = batch if batch.slots else previous
        self.shown = shown
        self.show_empty(shown is None)
        if shown is not None:
            self.prompt_list.show_batch(shown, keep=self.prompt_list.highlighted or 0)
            self.query_one("#list-column").border_title = f"Prompts · {SOURCE_WORDS[shown.source]}"
        self.show_current()
        self.refresh_bindings()
        if problem:
            self.notify(sentence(problem), title="Prompt Factory", severity="error", timeout=10)

    def load(self, parcel: PromptParcel) -> None:
        """Show what the Library's History sent back as a finished run, already saved."""
        source = parcel.source if parcel.source in SOURCE_WORDS else "generated"
        batch = Batch(source, parcel.concept, len(parcel.prompts), history_id=parcel.history_id, running=False)
        if parcel.research:
            from pixflow_tui.core.research import ResearchOutcome

            batch.research = ResearchOutcome.from_dict(parcel.research)
        if parcel.taste:
            from pixflow_tui.core.taste import TasteGuidance

            batch.taste = TasteGuidance.from_json(parcel.taste)
        for prompt in parcel.prompts:
            batch.arrive(prompt)
        self.show_batch(batch)
        self.prompt_list.highlighted = 0
        research = " · R shows its research" if batch.research is not None else ""
        self.post_message(Status(f"{plural(len(batch.prompts), 'prompt')} of “{parcel.concept}” loaded from "
                                 f"history #{parcel.history_id}{research} · g sends to Asset Monster", "ok"))
