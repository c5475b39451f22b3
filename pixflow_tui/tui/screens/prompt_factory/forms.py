"""The three ways in: a concept, an image, or a pasted text. Each form reads itself into a request or names
the field that is wrong."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.binding import Binding, BindingType
from textual.widgets import Input, Label, Static

from pixflow_tui.core import catalog
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, PathInput
from pixflow_tui.workflows.products import ProductChoice

FORM_MODES: tuple[tuple[str, str, str], ...] = (  # mode, tab label, key
    ("concept", "Concept", "c"),
    ("image", "Image → prompt", "i"),
    ("text", "Text → prompt", "t"),
)
DEFAULT_COUNT = 4


class FormError(Exception):
    """A field's value is not usable; `field` is the id of the widget to focus."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ConceptRequest:
    concept: str
    count: int
    reference: Path | None
    product: ProductChoice | None
    taste: str = "auto"  # use my taste: auto (on from 5 rated images of the product), on or off


@dataclass(frozen=True)
class ImageRequest:
    image: Path
    context: str


@dataclass(frozen=True)
class TextRequest:
    text: str
    convert: bool = False  # written into the schema by the conversion model, rather than kept verbatim


Request = ConceptRequest | ImageRequest | TextRequest


def _path(value: str) -> Path | None:
    text = value.strip()
    return Path(text).expanduser() if text else None


class FormPathInput(PathInput):
    """Tab completes a path; on an empty field or a finished file path it moves on, like in the other fields."""

    async def action_complete(self) -> None:
        text = self.value.strip()
        if not text or Path(text).expanduser().is_file():
            self.screen.focus_next()
            return
        await super().action_complete()


class ModeTab(Static):
    """One segment of the mode switch; a click picks it (keys c, i, t do the same)."""

    class Chosen(Message):
        def __init__(self, mode: str) -> None:
            super().__init__()
            self.mode = mode

    def __init__(self, mode: str, label: str, key: str) -> None:
        super().__init__(f" {label} [dim]{key}[/] ", id=f"tab-{mode}", classes="mode-tab")
        self.mode = mode

    def on_click(self) -> None:
        self.post_message(self.Chosen(self.mode))


class ModeSwitch(Horizontal):
    def compose(self) -> ComposeResult:
        for mode, label, key in FORM_MODES:
            yield ModeTab(mode, label, key)

    def show(self, mode: str) -> None:
        for tab in self.query(ModeTab):
            tab.set_class(tab.mode == mode, "-active")


class ProductPicker(Static, can_focus=True):
    """The product, one line: enter (or a click) lists the five; ← and → step through them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space", "choose", "Choose product", show=False, id="pf-product"),
        Binding("left", "step(-1)", "Previous product", show=False, id="pf-product-previous"),
        Binding("right", "step(1)", "Next product", show=False, id="pf-product-next"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__("…", **kwargs)  # type: ignore[arg-type]
        self.products: list[ProductChoice] = []
        self.value: str | None = None

    def set_products(self, products: list[ProductChoice]) -> None:
        self.products = products
        self.select(products[0].slug if products else None)

    def select(self, slug: str | None) -> None:
        self.value = slug
        name = next((p.name for p in self.products if p.slug == slug), "—")
        self.update(f"{name} ▾")

    @property
    def chosen(self) -> ProductChoice | None:
        return next((p for p in self.products if p.slug == self.value), None)

    def action_step(self, step: int) -> None:
        slugs = [p.slug for p in self.products]
        if slugs:
            at = slugs.index(self.value) if self.value in slugs else 0
            self.select(slugs[(at + step) % len(slugs)])

    def action_choose(self) -> None:
        if self.products:
            self.app.push_screen(
                ChoiceDialog("Product", [(p.slug, p.name) for p in self.products], selected=self.value),
                callback=lambda slug: self.select(slug) if slug else None,
            )

    def on_click(self) -> None:
        self.action_choose()


class TasteToggle(Static, can_focus=True):
    """"Use my taste": enter, space or a click cycles auto → on → off. Auto follows the taste once the product
    has 5 rated images (workflows/taste.guidance_for_run)."""

    MODES = ("auto", "on", "off")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space", "cycle", "Use my taste: auto, on, off", show=False, id="pf-taste"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.tooltip = "Use my taste: favour patterns of liked images, avoid disliked ones (auto: from 5 ratings)"
        self.set_mode("auto")

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.update(f"Taste {mode}")

    def action_cycle(self) -> None:
        self.set_mode(self.MODES[(self.MODES.index(self.mode) + 1) % len(self.MODES)])

    def on_click(self) -> None:
        self.action_cycle()


class ConceptForm(Vertical):
    """Concept (1–300 characters), prompt count 1–10, optional reference image, product."""

    FIRST = "#concept"

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label("Concept", classes="form-label")
            yield Input(placeholder="what to create, e.g. rainy neon street portrait", id="concept", compact=True)
            yield Static(f"0/{catalog.CONCEPT_MAX_CHARS}", id="concept-length", classes="form-note")
        with Horizontal(classes="form-row"):
            yield Label("Count", classes="form-label")
            yield Input(str(DEFAULT_COUNT), type="integer", id="count", compact=True, max_length=3)
            yield Label("Ref", classes="form-label form-label-inner")
            yield FormPathInput(placeholder="optional reference image", id="reference", compact=True)
            yield Label("Product", classes="form-label form-label-inner")
            yield ProductPicker(id="product")
            yield TasteToggle(id="taste")

    def set_products(self, products: list[ProductChoice]) -> None:
        self.query_one(ProductPicker).set_products(products)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "concept":
            length = len(event.value.strip())
            note = self.query_one("#concept-length", Static)
            note.update(f"{length}/{catalog.CONCEPT_MAX_CHARS}")
            note.set_class(length > catalog.CONCEPT_MAX_CHARS, "-over")

    def read(self) -> ConceptRequest:
        from pixflow_tui.workflows.inputs import InputError, check_concept, check_count

        try:
            concept = check_concept(self.query_one("#concept", Input).value)
        except InputError as exc:
            raise FormError(str(exc), "concept") from None
        low, high = catalog.PROMPT_COUNT_RANGE
        raw = self.query_one("#count", Input).value.strip()
        try:
            count = check_count(int(raw), low, high, "the prompt count")
        except ValueError as exc:
            message = str(exc) if isinstance(exc, InputError) else f"the prompt count must be a number {low}–{high}"
            raise FormError(message, "count") from None
        product = self.query_one(ProductPicker).chosen
        return ConceptRequest(concept, count, _path(self.query_one("#reference", Input).value), product,
                              self.query_one(TasteToggle).mode)


class ImageForm(Vertical):
    """An image file (JPEG, PNG or WebP up to 10 MB) and optional context → one prompt."""

    FIRST = "#image"

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label("Image", classes="form-label")
            yield FormPathInput(placeholder="path to a JPEG, PNG or WebP (tab completes)", id="image", compact=True)
        with Horizontal(classes="form-row"):
            yield Label("Context", classes="form-label")
            yield Input(placeholder="optional: what the prompt is for", id="context", compact=True)

    def read(self) -> ImageRequest:
        image = _path(self.query_one("#image", Input).value)
        if image is None:
            raise FormError("type the path of an image (JPEG, PNG or WebP up to 10 MB)", "image")
        context = self.query_one("#context", Input).value.strip()
        if len(context) > catalog.CONCEPT_MAX_CHARS:
            raise FormError(f"the context has {len(context)} characters; the limit is {catalog.CONCEPT_MAX_CHARS}",
                            "context")
        return ImageRequest(image, context)


class TextForm(Vertical):
    """Free text (kept verbatim as the style) or a JSON prompt, ours or the scene/subject/camera shape."""

    FIRST = "#text"

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea  # with the form, on first use: it is not needed at start-up

        from pixflow_tui.tui.screens.prompt_factory.text_mode import ConvertToggle

        with Horizontal(classes="form-row"):
            yield Label("Paste text or JSON · a blank line between prompts makes several · ctrl+g ·", classes="form-caption")
            yield ConvertToggle(id="text-convert")
        yield TextArea(id="text", soft_wrap=True, tab_behavior="focus", compact=True,
                       placeholder='e.g. {"scene": "…", "subject": "…", "camera": "…"}')

    def read(self) -> TextRequest:
        from textual.widgets import TextArea

        from pixflow_tui.tui.screens.prompt_factory.text_mode import ConvertToggle

        text = self.query_one("#text", TextArea).text
        if not text.strip():
            raise FormError("the text is empty; paste a prompt or a JSON object", "text")
        if len(text.strip()) > catalog.TEXT_TO_JSON_MAX_CHARS:
            raise FormError(f"the text has {len(text.strip())} characters; the limit is "
                            f"{catalog.TEXT_TO_JSON_MAX_CHARS}", "text")
        return TextRequest(text, convert=self.query_one(ConvertToggle).convert)
