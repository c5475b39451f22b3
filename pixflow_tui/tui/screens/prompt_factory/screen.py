"""Prompt Factory: a concept → prompts streamed into a list, an image → a prompt, a text → a prompt.

The screen composes the inputs panel, the status line and the results pane, and wires them: enter in a form
starts a run in the results pane; what either says lands on the status line."""
from __future__ import annotations

import logging
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from pixflow_tui.tui.screens.base import ModuleScreen
from pixflow_tui.tui.screens.prompt_factory.actions import ResultsPane
from pixflow_tui.tui.screens.prompt_factory.forms import FormError
from pixflow_tui.tui.screens.prompt_factory.inputs import InputsPanel
from pixflow_tui.tui.screens.prompt_factory.status import Status, StatusLine
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows.products import products_now

log = logging.getLogger(__name__)


class PromptFactoryScreen(ModuleScreen):
    MODULE = "prompt_factory"
    INTRO = "Turn a concept, a photo or a pasted text into structured 9-section prompts for Asset Monster."
    EMPTY = "No prompts yet."
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+g", "generate", "Write", tooltip="Write prompts from the form", id="pf-generate"),
        Binding("x", "cancel_run", "Cancel run", id="pf-cancel"),
        Binding("R", "toggle_research", "Research", tooltip="Show the research or the prompt", id="pf-research"),
        Binding("escape", "escape", "Cancel run / leave field", show=False, id="pf-escape"),
        Binding("c", "form('concept')", "Concept form", show=False, id="pf-form-concept"),
        Binding("i", "form('image')", "Image form", show=False, id="pf-form-image"),
        Binding("t", "form('text')", "Text form", show=False, id="pf-form-text"),
    ]

    def __init__(self) -> None:
        super().__init__()
        # The breakpoint class the first resize will ask for, set now: adding it then restyles every widget.
        fitting = [point for point in self.VERTICAL_BREAKPOINTS if point[0] <= self.app.size.height]
        if fitting:
            self.add_class(max(fitting)[1], update=False)

    def compose_body(self) -> ComposeResult:
        yield InputsPanel(id="inputs")
        yield StatusLine(id="message")
        yield ResultsPane(self.context, id="results")

    @property
    def inputs(self) -> InputsPanel:
        return self.query_one(InputsPanel)

    @property
    def results(self) -> ResultsPane:
        return self.query_one(ResultsPane)

    @property
    def busy(self) -> bool:
        """A run is writing prompts."""
        return self.results.running

    def on_mount(self) -> None:
        self.inputs.set_products(products_now(self.context))
        self.query_one(StatusLine).say(self.inputs.hint)
        self.app_.after_first_frame(self._warm_up)

    def _warm_up(self) -> None:
        """Once the first frame is up, off the UI thread: load what the first run and the first prompt shown need
        (pydantic, pygments, Pillow, the text provider), so that neither waits for it."""
        start_thread(self, self._load, name="Loading the Prompt Factory", group="pf-warm-up")

    def _load(self) -> None:
        import rich.syntax  # noqa: F401  (the prompt view's JSON)

        from pixflow_tui.workflows import prompts  # noqa: F401

        _ = self.context.text

    def on_screen_resume(self) -> None:
        self._take_history()

    def _take_history(self) -> None:
        """Show what the Library's History sent back (`enter` on an entry); one concept at a time."""
        parcels = self.context.handoff.take_history()
        if not parcels:
            return
        parcel = parcels[-1]
        if self.busy:
            self.query_one(StatusLine).say(
                f"A run is writing prompts: “{parcel.concept}” was not loaded. Cancel the run (x), then press "
                "enter on it in the Library again.", "warning")
            return
        self.results.keep_edits()
        self.results.load(parcel)

    @on(events.Unmount)
    async def close_text_provider(self) -> None:
        try:  # the text provider's HTTP connections belong to this loop: close them while it runs
            await self.context.text.aclose()
        except Exception:
            log.debug("closing the text provider failed", exc_info=True)

    # ---- wiring ----------------------------------------------------------------------------------------

    def on_status(self, message: Status) -> None:
        if not (message.hint and self.busy):
            self.query_one(StatusLine).say(message.text, message.kind)

    def on_results_pane_bad_input(self, message: ResultsPane.BadInput) -> None:
        self.query_one(StatusLine).say(message.problem, "error")
        self.inputs.focus_field(message.field)

    def on_results_pane_sent(self, message: ResultsPane.Sent) -> None:
        self.app_.action_go("asset_monster")

    def on_inputs_panel_submitted(self, message: InputsPanel.Submitted) -> None:
        self.action_generate()

    # ---- keys ------------------------------------------------------------------------------------------

    async def on_key(self, event: events.Key) -> None:
        """Keys that come in one burst (an SSH packet holding `c` and the first words of a concept) are all
        routed before `c` has moved the focus. So the form keys act here, at once; the app hands the keys
        behind them on to the field they opened (PixflowApp.on_key)."""
        if not self._in_text_field():
            active = self.active_bindings.get(event.key)
            if active is not None and active.node is self and active.binding.action.startswith("form("):
                event.stop()
                event.prevent_default()
                await self.action_form(active.binding.action[len("form('"):-len("')")])

    def _in_text_field(self) -> bool:
        focused = self.focused
        return focused is not None and focused.check_consume_key("a", "a")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            return self.busy
        if action == "toggle_research":
            return self.results.shown is not None
        if action == "escape":
            return self._in_text_field() or self.busy or self.results.view_focused
        return super().check_action(action, parameters)

    async def action_form(self, mode: str) -> None:
        """Switch to the concept, image or text form and put the cursor in its first field."""
        await self.inputs.show_form(mode)

    def action_generate(self) -> None:
        if self.busy:
            self.notify("Still writing the last prompts: wait for them, or press x to cancel.", severity="warning")
            return
        try:
            request = self.inputs.read()
        except FormError as exc:
            self.query_one(StatusLine).say(str(exc), "error")
            self.inputs.focus_field(exc.field)
            return
        self.results.start_run(request)

    def action_cancel_run(self) -> None:
        self.results.cancel_run()

    def action_toggle_research(self) -> None:
        """The research report in the prompt view's place, or back."""
        results = self.results
        results.show_research(not results.research_shown)
        if results.research_shown:
            self.set_focus(results.research_panel)
        else:
            results.focus_list()

    def action_escape(self) -> None:
        if self._in_text_field():
            self.set_focus(None)
        elif self.busy:
            self.action_cancel_run()
        elif self.results.view_focused:
            self.results.focus_list()
