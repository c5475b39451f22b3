"""How the text form turns free text into a prompt: kept verbatim as the style (no call, free), or written into
every field of the schema by the conversion model (setting convert_model). Space, enter or a click switches."""
from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.widgets import Static

WORDS = {False: "keep the text verbatim", True: "convert with the model"}


class ConvertToggle(Static, can_focus=True):
    convert: reactive[bool] = reactive(False)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space", "switch", "Verbatim / convert", show=False, id="pf-text-convert"),
    ]

    def render(self) -> str:
        return f"{'◉' if self.convert else '○'} {WORDS[self.convert]} ▸"

    def action_switch(self) -> None:
        self.convert = not self.convert

    def on_click(self) -> None:
        self.action_switch()
