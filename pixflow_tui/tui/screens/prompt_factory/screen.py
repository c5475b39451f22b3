"""Prompt Factory: a concept → prompts streamed into a list, an image → a prompt, a text → a prompt."""
from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget
from textual.css.query import NoMatches
from textual.widgets import ContentSwitcher, Input, OptionList, Static
from textual.worker import Worker

from pixflow_tui.tui.screens.base import ModuleScreen
from pixflow_tui.tui.screens.dialogs import PathInput
from pixflow_tui.tui.screens.prompt_factory.actions import PROMPT_ACTIONS, PromptActions, flow
from pixflow_tui.tui.screens.prompt_factory.batch import Batch
from pixflow_tui.tui.screens.prompt_factory.forms import (
    ConceptForm,
    FormError,
    ImageForm,
    ModeSwitch,
    ModeTab,
    TextForm,
)
from pixflow_tui.tui.screens.prompt_factory.results import PromptList, ResultsPane
from pixflow_tui.tui.screens.prompt_factory.runs import PromptRuns, sentence
from pixflow_tui.tui.workers import start_thread

log = logging.getLogger(__name__)
FORMS = {"concept": ConceptForm, "image": ImageForm, "text": TextForm}
HINTS = {
    "concept": "enter or ctrl+g writes the prompts · tab: next field · escape: leave the field",
    "image": "enter or ctrl+g writes one prompt from the image · tab completes the path",
    "text": "ctrl+g turns the text into a prompt · escape leaves the text box",
}
SUBMITTING_FIELDS = frozenset({"concept", "count", "reference", "image", "context"})


class PromptFactoryScreen(PromptRuns, PromptActions, ModuleScreen):
    MODULE = "prompt_factory"
    INTRO = "Turn a concept, a photo or a pasted text into structured 9-section prompts for Asset Monster."
    EMPTY = "No prompts yet."
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (30, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+g", "generate", "Write", tooltip="Write prompts from the form", id="pf-generate"),
        Binding("x", "cancel_run", "Cancel run", id="pf-cancel"),
        Binding("escape", "escape", "Cancel run / leave field", show=False, id="pf-escape"),
        Binding("c", "form('concept')", "Concept form", show=False, id="pf-form-concept"),
        Binding("i", "form('image')", "Image form", show=False, id="pf-form-image"),
        Binding("t", "form('text')", "Text form", show=False, id="pf-form-text"),
    ]

    class _ProductsLoaded(Message, bubble=False):
        def __init__(self, products: list[Any]) -> None:
            super().__init__()
            self.products = products

    def __init__(self) -> None:
        super().__init__()
        self.batch: Batch | None = None
        self.form_mode = "concept"
        self.busy = False
        self._run: Worker[None] | None = None
        self._resumed = False
        # The breakpoint class the first resize will ask for, set now: adding it then restyles every widget.
        fitting = [point for point in self.VERTICAL_BREAKPOINTS if point[0] <= self.app.size.height]
        if fitting:
            self.add_class(max(fitting)[1], update=False)

    # ---- layout ----------------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield ModeSwitch(id="mode-switch")
        with ContentSwitcher(initial="concept-form", id="forms"):
            yield ConceptForm(id="concept-form")  # the image and text forms mount when first asked for
        yield Static("", id="message", markup=False)
        yield ResultsPane(id="results")

    def on_mount(self) -> None:
        self.query_one(ModeSwitch).show(self.form_mode)
        self.show_message(HINTS[self.form_mode])
        self.app_.after_first_frame(self._warm_up)

    def _warm_up(self) -> None:
        """After the first frame, off the UI thread: load the products, the prompt view's and the workflows'
        modules (pydantic, pygments, Pillow) and the text provider, so neither start-up nor the first run waits."""
        context = self.context

        def load() -> None:
            import pixflow_tui.core.scoring  # noqa: F401
            import pixflow_tui.tui.widgets.prompt_view  # noqa: F401

            self.post_message(self._ProductsLoaded(flow().list_products(context)))
            _ = context.text

        start_thread(self, load, name="Loading products", group="pf-products")

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Styles were computed when the widgets mounted, a moment ago: restyling all of them again on the first
        # resume (Textual's default) only delays the first frame. Later resumes restyle as usual.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False
        self.load_history()

    async def on_prompt_factory_screen__products_loaded(self, message: _ProductsLoaded) -> None:
        self.query_one(ConceptForm).set_products(message.products)
        await self._ensure_view()

    async def _ensure_view(self) -> None:
        await self.query_one(ResultsPane).mount_view()
        self.show_current()

    async def on_unmount(self) -> None:
        if self.batch is not None and self.batch.unsaved_edits and not self.batch.running:
            self.save_batch_now(self.batch)
        try:  # the text provider's HTTP connections belong to this loop: close them while it runs
            await self.context.text.aclose()
        except Exception:
            log.debug("closing the text provider failed", exc_info=True)

    # ---- messages and small helpers --------------------------------------------------------------------

    def show_message(self, text: str, kind: str = "info") -> None:
        """The line under the form: hints, progress, and every error in the provider's or checker's words."""
        line = self.query_one("#message", Static)
        line.update(sentence(text))
        for name in ("info", "ok", "busy", "warning", "error"):
            line.set_class(name == kind, f"-{name}")

    def run_async(self, work: Coroutine[Any, Any, None], name: str) -> Worker[None]:
        """An asyncio worker on the app (whose handler reports unexpected failures), grouped per screen."""
        return self.app.run_worker(work, name=name, group=f"pf-{id(self)}-{name}", exit_on_error=False)

    def show_current(self) -> None:
        """Show the highlighted prompt and its checks."""
        index = self.highlighted()
        slot = self.batch.get(index) if self.batch is not None else None
        if self.batch is not None:
            self.query_one(ResultsPane).show_checks(self.batch.checks(index))
        try:
            view = self.query_one("#prompt-view")
        except NoMatches:  # not mounted yet (a run that beat the warm-up): mount it, then show
            if self.batch is not None:
                self.call_later(self._ensure_view)
            return
        view.show(slot.prompt if slot is not None else None)
        view.border_title = (f"Prompt {index + 1} · quality {slot.score} {slot.band}"
                             if slot is not None and index is not None else "Prompt")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if isinstance(event.option_list, PromptList):
            self.show_current()

    def focus_now(self, widget: Widget) -> None:
        """Focus before the next key is handled. (`Widget.focus` waits a turn, and over SSH the keys typed
        right after `c` often arrive in the same packet: they would land in the wrong place.)"""
        self.set_focus(widget)

    async def on_key(self, event: events.Key) -> None:
        """Keys that come in one burst (an SSH packet holding `c` and the first words of a concept) are all
        routed before `c` has moved the focus. So the form keys act here, at once; the app hands the keys
        behind them on to the field they opened (PixflowApp.on_key)."""
        focused = self.focused
        if focused is None or not focused.check_consume_key("a", "a"):
            active = self.active_bindings.get(event.key)
            if active is not None and active.node is self and active.binding.action.startswith("form("):
                event.stop()
                event.prevent_default()
                await self.action_form(active.binding.action[len("form('"):-len("')")])

    def _focus_is(self, widget_id: str) -> bool:
        return self.focused is not None and self.focused.id == widget_id

    def _in_text_field(self) -> bool:
        focused = self.focused
        return focused is not None and focused.check_consume_key("a", "a")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            return self.busy
        if action == "escape":
            return self._in_text_field() or self.busy or self._focus_is("prompt-view")
        if action in PROMPT_ACTIONS:
            return self.check_prompt_action(action)
        return super().check_action(action, parameters)

    # ---- forms -----------------------------------------------------------------------------------------

    async def action_form(self, mode: str) -> None:
        """Switch to the concept, image or text form and put the cursor in its first field."""
        self.form_mode = mode
        switcher = self.query_one("#forms", ContentSwitcher)
        if not switcher.query_children(f"#{mode}-form"):
            await switcher.mount(FORMS[mode](id=f"{mode}-form"))
        switcher.current = f"{mode}-form"
        self.query_one(ModeSwitch).show(mode)
        form = self.query_one(FORMS[mode])
        self.focus_now(form.query_one(form.FIRST))
        if not self.busy:
            self.show_message(HINTS[mode])

    async def on_mode_tab_chosen(self, message: ModeTab.Chosen) -> None:
        await self.action_form(message.mode)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in SUBMITTING_FIELDS:
            event.stop()
            self.action_generate()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        """A path is checked (decoded) as soon as the cursor leaves its field."""
        field = event.input.id
        if field in ("reference", "image") and event.value.strip() and not self.busy:
            what = "reference image" if field == "reference" else "image"
            self.run_async(self._check_path(event.value.strip(), what, field), "Checking an image")

    async def _check_path(self, value: str, what: str, field: str) -> None:
        try:
            await flow().check_image(value, what=what)
        except flow().InputError as exc:
            if not self.busy:
                self.show_message(str(exc), "error")
            return
        if not self.busy:
            self.show_message(f"{sentence(what)} OK. " + HINTS[self.form_mode], "ok")

    def on_path_input_listed(self, event: PathInput.Listed) -> None:
        event.stop()
        if not self.busy:
            self.show_message(f"{event.count} matches: {event.listing}" if event.listing else HINTS[self.form_mode])

    def focus_field(self, field: str) -> None:
        self.focus_now(self.query_one(f"#{field}"))

    # ---- running ---------------------------------------------------------------------------------------

    def action_generate(self) -> None:
        if self.busy:
            self.notify("Still writing the last prompts: wait for them, or press x to cancel.", severity="warning")
            return
        try:
            request = self.query_one(FORMS[self.form_mode]).read()
        except FormError as exc:
            self.show_message(str(exc), "error")
            self.focus_field(exc.field)
            return
        self.set_busy(True)
        self._run = self.run_async(self.execute(request), "Writing prompts")

    def action_cancel_run(self) -> None:
        if self._run is not None and self._run.is_running:
            self._run.cancel()

    def action_escape(self) -> None:
        if self._in_text_field():
            self.set_focus(None)
        elif self.busy:
            self.action_cancel_run()
        elif self._focus_is("prompt-view"):
            self.focus_now(self.query_one(PromptList))

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.refresh_bindings()
