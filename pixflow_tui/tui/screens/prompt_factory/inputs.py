"""The inputs: the mode switch over the concept, image and text forms. It reads the form shown into a request,
checks image paths as the cursor leaves them, and posts `Submitted` when enter is pressed in a field."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, Input

from pixflow_tui.tui.screens.dialogs import PathInput
from pixflow_tui.tui.screens.prompt_factory.forms import (
    ConceptForm,
    ImageForm,
    ModeSwitch,
    ModeTab,
    Request,
    TextForm,
)
from pixflow_tui.tui.screens.prompt_factory.status import Status, sentence
from pixflow_tui.workflows.products import ProductChoice

FORMS: dict[str, type[ConceptForm | ImageForm | TextForm]] = {
    "concept": ConceptForm, "image": ImageForm, "text": TextForm,
}
HINTS = {
    "concept": "enter or ctrl+g writes the prompts · tab: next field · escape: leave the field",
    "image": "enter or ctrl+g writes one prompt from the image · tab completes the path",
    "text": "ctrl+g turns the text into a prompt · shift+tab: verbatim or convert · escape leaves the text box",
}
SUBMITTING_FIELDS = frozenset({"concept", "count", "reference", "image", "context"})
PATH_FIELDS = {"reference": "reference image", "image": "image"}


class InputsPanel(Vertical):
    """The forms; `mode` is the one shown. The image and text forms mount when first asked for."""

    mode: reactive[str] = reactive("concept", init=False)

    class Submitted(Message):
        """Enter in a field: write from the form."""

    def compose(self) -> ComposeResult:
        yield ModeSwitch(id="mode-switch")
        with ContentSwitcher(initial="concept-form", id="forms"):
            yield ConceptForm(id="concept-form")

    def on_mount(self) -> None:
        self.query_one(ModeSwitch).show(self.mode)

    @property
    def hint(self) -> str:
        return HINTS[self.mode]

    async def show_form(self, mode: str) -> None:
        """Show the concept, image or text form and put the cursor in its first field."""
        switcher = self.query_one("#forms", ContentSwitcher)
        if not switcher.query_children(f"#{mode}-form"):
            await switcher.mount(FORMS[mode](id=f"{mode}-form"))
        switcher.current = f"{mode}-form"
        self.mode = mode
        form = self.query_one(FORMS[mode])
        # focus before the next key is handled: keys typed right after `c` often arrive in the same packet
        self.screen.set_focus(form.query_one(form.FIRST))
        self.post_message(Status(HINTS[mode], hint=True))

    def watch_mode(self, mode: str) -> None:
        self.query_one(ModeSwitch).show(mode)

    def read(self) -> Request:
        """The shown form as a request; raises FormError naming the field that is wrong."""
        return self.query_one(FORMS[self.mode]).read()

    def focus_field(self, field: str) -> None:
        self.screen.set_focus(self.query_one(f"#{field}"))

    def set_products(self, products: list[ProductChoice]) -> None:
        self.query_one(ConceptForm).set_products(products)

    async def on_mode_tab_chosen(self, message: ModeTab.Chosen) -> None:
        message.stop()
        await self.show_form(message.mode)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in SUBMITTING_FIELDS:
            event.stop()
            self.post_message(self.Submitted())

    def on_input_blurred(self, event: Input.Blurred) -> None:
        """A path is checked (decoded) as soon as the cursor leaves its field."""
        field = event.input.id or ""
        if field in PATH_FIELDS and event.value.strip():
            self.app.run_worker(self._check_path(event.value.strip(), PATH_FIELDS[field]),
                                name="Checking an image", group=f"pf-check-{id(self)}", exit_on_error=False)

    async def _check_path(self, value: str, what: str) -> None:
        from pixflow_tui.workflows import prompts

        try:
            await prompts.check_image(value, what=what)
        except prompts.InputError as exc:
            self.post_message(Status(str(exc), "error", hint=True))
            return
        self.post_message(Status(f"{sentence(what)} OK. " + self.hint, "ok", hint=True))

    def on_path_input_listed(self, event: PathInput.Listed) -> None:
        event.stop()
        self.post_message(Status(f"{event.count} matches: {event.listing}" if event.listing else self.hint,
                                 hint=True))
