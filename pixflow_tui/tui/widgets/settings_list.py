"""A compact, keyboard-first list of settings: ←/→ step a value, enter picks it from a list or runs an action row.

One line per setting, so a whole set-up panel fits in a few rows of a small terminal."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from pixflow_tui.tui.screens.dialogs import ChoiceDialog


@dataclass
class Setting:
    """A row: with `choices` it holds one of them; without, it is an action (enter posts `Activated`)."""

    key: str
    label: str
    choices: tuple[str, ...] = ()
    value: str = ""
    note: str = ""  # action rows: a short status ("3 · 2 new"); choice rows: shown after the value, dimmed

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)


class SettingsList(OptionList):
    DEFAULT_CSS = """
    SettingsList { height: auto; max-height: 100%; border: none; padding: 0; }
    SettingsList:focus { border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "step(-1)", "Previous value", id="settings-previous"),
        Binding("right,l", "step(1)", "Next value", id="settings-next"),
        Binding("j", "cursor_down", "Down", show=False, id="settings-down-vim"),
        Binding("k", "cursor_up", "Up", show=False, id="settings-up-vim"),
    ]

    class Changed(Message):
        def __init__(self, settings_list: SettingsList, key: str, value: str) -> None:
            super().__init__()
            self.settings_list, self.key, self.value = settings_list, key, value

        @property
        def control(self) -> SettingsList:
            return self.settings_list

    class Activated(Message):
        def __init__(self, settings_list: SettingsList, key: str) -> None:
            super().__init__()
            self.settings_list, self.key = settings_list, key

        @property
        def control(self) -> SettingsList:
            return self.settings_list

    def __init__(self, settings: Sequence[Setting], *, label_width: int = 11, id: str | None = None,
                 classes: str | None = None) -> None:
        self._settings = {s.key: s for s in settings}
        self.label_width = label_width
        super().__init__(*(Option(self._setting_prompt(s), id=s.key) for s in settings), id=id, classes=classes)

    # -- reading and writing -------------------------------------------------------------------------

    def value(self, key: str) -> str:
        return self._settings[key].value

    def set_value(self, key: str, value: str, *, notify: bool = False) -> None:
        setting = self._settings[key]
        if setting.is_choice and value not in setting.choices:
            raise ValueError(f"{value!r} is not one of {setting.choices}")
        changed = setting.value != value
        setting.value = value
        self.replace_option_prompt(key, self._setting_prompt(setting))
        if changed and notify:
            self.post_message(self.Changed(self, key, value))

    def set_note(self, key: str, note: str) -> None:
        setting = self._settings[key]
        if setting.note != note:
            setting.note = note
            self.replace_option_prompt(key, self._setting_prompt(setting))

    def _setting_prompt(self, setting: Setting) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(setting.label.ljust(self.label_width), style="bold" if not setting.is_choice else "")
        if setting.is_choice:
            text.append("‹ ", style="dim")
            text.append(setting.value, style="bold")
            text.append(" ›", style="dim")
            if setting.note:
                text.append(f" {setting.note}", style="dim")
        else:
            text.append(setting.note)
        return text

    @property
    def current_key(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None

    # -- keys ------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step":
            key = self.current_key
            return key is not None and self._settings[key].is_choice
        return True

    def action_step(self, delta: int) -> None:
        key = self.current_key
        if key is None or not self._settings[key].is_choice:
            return
        setting = self._settings[key]
        index = setting.choices.index(setting.value) if setting.value in setting.choices else 0
        self.set_value(key, setting.choices[(index + delta) % len(setting.choices)], notify=True)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.refresh_bindings()  # ←/→ only apply to choice rows

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        key = event.option.id
        if key is None:
            return
        setting = self._settings[key]
        if not setting.is_choice:
            self.post_message(self.Activated(self, key))
            return

        def chosen(value: str | None) -> None:
            if value is not None:
                self.set_value(key, value, notify=True)

        self.app.push_screen(ChoiceDialog(setting.label, list(setting.choices), selected=setting.value), chosen)
