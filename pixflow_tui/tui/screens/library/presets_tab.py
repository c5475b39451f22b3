"""Presets: prompts, batch settings and video camera settings saved under a name. Built-in ones are read-only;
user presets can be created, renamed, deleted, and shared as a JSON file."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from pixflow_tui.core.formatting import plural
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.tui.screens.dialogs import ConfirmDialog, PathInputDialog, TextInputDialog
from pixflow_tui.tui.screens.library.base import LibraryTab, short
from pixflow_tui.tui.widgets.row_list import RowList
from pixflow_tui.workflows import presets as presets_flow
from pixflow_tui.workflows.exports import exports_folder
from pixflow_tui.workflows.library_queries import Page
from pixflow_tui.workflows.videos import VideoSettings

KIND_LABELS = {"prompt": "prompt", "batch": "batch settings", "video": "video camera"}


def template(kind: str, settings: Any) -> dict[str, Any]:
    if kind == "batch":
        return {"aspect_ratio": settings.default_aspect_ratio, "resolution": settings.default_resolution,
                "output_format": settings.default_format, "variants": 1}
    if kind == "video":
        return VideoSettings().to_dict()
    return PromptOutput().model_dump()


class PresetDialog(ModalScreen[tuple[str, str, str, dict[str, Any]] | None]):
    """A new preset → (name, kind, description, data), or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="preset-dialog-cancel"),
        Binding("ctrl+s", "save", "Save", id="preset-dialog-save"),
    ]

    def __init__(self, settings: Any, kind: str = "prompt") -> None:
        super().__init__(classes="dialog")
        self.settings, self.kind = settings, kind

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box preset-box"):
            yield Static("New preset", classes="dialog-title")
            with Horizontal(classes="filter-row"):
                yield Label("Kind", classes="filter-label")
                yield Select([(label, kind) for kind, label in KIND_LABELS.items()], value=self.kind,
                             allow_blank=False, id="preset-kind")
            with Horizontal(classes="filter-row"):
                yield Label("Name", classes="filter-label")
                yield Input(placeholder="1–200 characters", id="preset-name")
            with Horizontal(classes="filter-row"):
                yield Label("About", classes="filter-label")
                yield Input(placeholder="optional description", id="preset-description")
            yield TextArea(json.dumps(template(self.kind, self.settings), indent=2), id="preset-data",
                           show_line_numbers=False)
            yield Static("", id="error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="preset-cancel")
                yield Button("Save (ctrl+s)", id="preset-save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#preset-kind", Select).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        area = self.query_one("#preset-data", TextArea)
        if event.value != self.kind and area.text.strip() == json.dumps(template(self.kind, self.settings), indent=2):
            self.kind = str(event.value)
            area.load_text(json.dumps(template(self.kind, self.settings), indent=2))
        self.kind = str(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "preset-save":
            self.action_save()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _error(self, text: str) -> None:
        error = self.query_one("#error", Static)
        error.update(text)
        error.display = True

    def action_save(self) -> None:
        name = self.query_one("#preset-name", Input).value.strip()
        if not name or len(name) > 200:
            self._error("give the preset a name of 1–200 characters")
            return
        try:
            data = json.loads(self.query_one("#preset-data", TextArea).text)
        except json.JSONDecodeError as exc:
            self._error(f"the settings are not valid JSON: {exc.msg} at line {exc.lineno}")
            return
        if not isinstance(data, dict):
            self._error("the settings must be a JSON object { … }")
            return
        self.dismiss((name, self.kind, self.query_one("#preset-description", Input).value.strip(), data))


class PresetsTab(LibraryTab):
    TITLE = "Presets"
    SEARCHABLE = True  # filters by name, locally (there are few presets)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("N", "create", "New", id="preset-new"),
        Binding("n", "rename", "Rename", id="preset-rename"),
        Binding("delete,x", "delete", "Delete", id="preset-delete"),
        Binding("E", "export", "Export", id="preset-export"),
        Binding("I", "import_file", "Import", id="preset-import"),
    ]

    def __init__(self, context: Any, *, id: str | None = None) -> None:
        super().__init__(context, id=id)
        self.rows: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield RowList([("name", "Name", None), ("kind", "Kind", 15), ("origin", "Origin", 9),
                          ("about", "Description", 36)], id="presets-table",
                      empty="No presets yet: N makes one, I imports a file.")

    def list_widget(self) -> Widget:
        return self.query_one(RowList)

    def fetch(self, query: str, after: Any) -> Any:
        words = query.lower().split()
        found = [p for p in presets_flow.list_presets(self.context)
                 if all(w in f"{p.name} {p.description or ''} {p.kind}".lower() for w in words)]
        return Page(found, False, None)

    def show_page(self, page: Any, first: bool) -> None:
        self.rows = {f"p{p.id}": p for p in page.rows}
        cells = [(key, (short(p.name), KIND_LABELS.get(p.kind, p.kind),
                        Text("built-in", style="dim") if p.is_builtin else "yours", short(p.description or "", 36)))
                 for key, p in self.rows.items()]
        self.query_one(RowList).replace_rows(cells, False)

    @property
    def current(self) -> Any:
        key = self.query_one(RowList).highlighted_key
        return self.rows.get(key) if key else None

    def announce(self) -> None:
        self.post_message(self.Preview(self, "preset", self.current))

    def on_row_list_highlighted(self, message: RowList.Highlighted) -> None:
        self.announce()

    def _own(self) -> Any:
        preset = self.current
        if preset is not None and preset.is_builtin:
            self.notify(f"“{preset.name}” is built in and read-only.", severity="warning")
            return None
        return preset

    def action_create(self) -> None:
        context = self.context

        def answer(result: tuple[str, str, str, dict[str, Any]] | None) -> None:
            if result is not None:
                name, kind, about, data = result
                def saved(preset: Any) -> None:
                    self.notify(f"Preset “{preset.name}” saved.")
                    self.reload()

                self.run_in_thread(lambda: presets_flow.save_preset(context, name, kind, data, about), saved,
                                   name="Saving a preset")

        self.app.push_screen(PresetDialog(context.settings), callback=answer)

    def action_rename(self) -> None:
        preset = self._own()
        if preset is None:
            return
        context = self.context

        def answer(name: str | None) -> None:
            if name is not None:
                self.run_in_thread(lambda: presets_flow.rename_preset(context, preset.id, name),
                                   lambda _: self.reload(keep_cursor=True),
                                   name="Renaming a preset")

        self.app.push_screen(TextInputDialog("Rename preset", value=preset.name,
                                             validator=lambda v: None if v.strip() else "the name cannot be empty"),
                             callback=answer)

    def action_delete(self) -> None:
        preset = self._own()
        if preset is None:
            return
        context = self.context

        def answer(confirmed: bool | None) -> None:
            if confirmed:
                self.run_in_thread(lambda: presets_flow.delete_preset(context, preset.id), lambda _: self.reload(),
                                   name="Deleting a preset")

        self.app.push_screen(ConfirmDialog(f"Delete the preset “{short(preset.name, 60)}”?", title="Delete preset",
                                           yes="Delete", no="Keep"), callback=answer)

    def action_export(self) -> None:
        context = self.context
        suggested = str(exports_folder(context) / "presets.json")

        def answer(path: Path | None) -> None:
            if path is not None:
                self.run_in_thread(lambda: presets_flow.export_presets(context, path),
                                   lambda result: self.notify(f"{plural(result[1], 'preset')} written to {result[0]}."),
                                   name="Exporting presets")

        self.app.push_screen(PathInputDialog("Export your presets to a JSON file", "Built-in presets are left out.",
                                             value=suggested, must_exist=False, want="file"), callback=answer)

    def action_import_file(self) -> None:
        context = self.context

        def answer(path: Path | None) -> None:
            if path is not None:
                def imported(created: list[Any]) -> None:
                    self.notify(f"{plural(len(created), 'preset')} imported.")
                    self.reload()

                self.run_in_thread(lambda: presets_flow.import_presets(context, path), imported,
                                   name="Importing presets")

        self.app.push_screen(PathInputDialog("Import presets from a JSON file", want="file"), callback=answer)
