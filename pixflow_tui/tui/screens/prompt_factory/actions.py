"""What can be done with a written prompt: edit ($EDITOR or inline JSON), favourite, copy, select, send, save."""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from textual.app import SuspendNotSupported

from pixflow_tui.tui.screens.dialogs import TextInputDialog
from pixflow_tui.tui.screens.prompt_factory.batch import Batch, Checked
from pixflow_tui.tui.screens.prompt_factory.editor import JsonEditorDialog, edit_in_editor, editor_command
from pixflow_tui.tui.screens.prompt_factory.results import PromptList

if TYPE_CHECKING:
    from pixflow_tui.core.prompt_schema import PromptOutput
    from pixflow_tui.workflows.context import AppContext

log = logging.getLogger(__name__)
PROMPT_ACTIONS = frozenset({"edit_prompt", "edit_json", "favourite", "copy_prompt", "toggle_select",
                            "send_prompts", "save_history"})


def flow() -> Any:
    """The prompt workflows, imported on first use (they bring Pillow and the providers)."""
    from pixflow_tui.workflows import prompts

    return prompts


class PromptActions:
    """Mixed into the Prompt Factory screen; the keys are bound on its ResultsPane."""

    batch: Batch | None

    if TYPE_CHECKING:  # provided by the screen
        context: AppContext
        app: Any
        app_: Any

        def query_one(self, *args: Any) -> Any: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...
        def show_message(self, text: str, kind: str = "info") -> None: ...
        def show_current(self) -> None: ...
        def run_async(self, work: Any, name: str) -> Any: ...
        def focus_now(self, widget: Any) -> None: ...

    # ---- what the keys act on --------------------------------------------------------------------------

    def highlighted(self) -> int | None:
        return self.query_one(PromptList).highlighted

    def current(self) -> tuple[int, Checked] | None:
        index = self.highlighted()
        slot = self.batch.get(index) if self.batch is not None else None
        return (index, slot) if slot is not None and index is not None else None

    def check_prompt_action(self, action: str) -> bool | None:
        """Prompt keys are shown dimmed (None) while there is no prompt to act on."""
        if action == "save_history":
            return True if self.batch is not None and self.batch.prompts else None
        return True if self.current() is not None else None

    def refresh_rows(self) -> None:
        if self.batch is not None:
            prompt_list = self.query_one(PromptList)
            for index in range(len(self.batch.slots)):
                prompt_list.refresh_row(self.batch, index)
            selected = len(self.batch.selected)
            self.query_one("#list-column").border_subtitle = f"{selected} selected" if selected else ""

    # ---- copy, select, send ----------------------------------------------------------------------------

    def action_copy_prompt(self) -> None:
        if (found := self.current()) is None:
            return
        index, slot = found
        self.app.copy_to_clipboard(slot.prompt.to_json())
        self.notify(f"Prompt {index + 1} copied as JSON.")

    def action_toggle_select(self) -> None:
        if (found := self.current()) is None or self.batch is None:
            return
        self.batch.toggle(found[0])
        self.refresh_rows()
        self.query_one(PromptList).action_cursor_down()

    def action_send_prompts(self) -> None:
        if self.batch is None:
            return
        prompts = self.batch.to_send(self.highlighted())
        if not prompts:
            self.notify("There is no written prompt to send yet.", severity="warning")
            return
        self.context.handoff.send_prompts(self.batch.concept, prompts, self.batch.history_id)
        self.batch.selected.clear()
        self.refresh_rows()
        count = f"{len(prompts)} prompt{'s' if len(prompts) > 1 else ''}"
        self.notify(f"Sent {count} to Asset Monster.")
        self.app_.action_go("asset_monster")

    # ---- favourites and history ------------------------------------------------------------------------

    def action_favourite(self) -> None:
        if (found := self.current()) is None or self.batch is None:
            return
        index, slot = found
        batch = self.batch
        default = f"{' '.join(batch.concept.split()[:6])} #{index + 1}"

        def named(name: str | None) -> None:
            if name is not None:
                self.run_async(self._save_favourite(slot.prompt, name.strip(), batch), "Saving a favourite")

        self.app.push_screen(
            TextInputDialog("Save to favourites", "A name to find this prompt by in the Library (6).",
                            value=default, validator=lambda text: None if text.strip() else "type a name"),
            callback=named,
        )

    async def _save_favourite(self, prompt: PromptOutput, name: str, batch: Batch) -> None:
        try:
            await asyncio.to_thread(flow().save_favorite, self.context, prompt, name, batch.concept,
                                    product_id=batch.product_id)
        except Exception as exc:
            log.exception("saving a favourite failed")
            self.show_message(f"Could not save the favourite: {exc}", "error")
            return
        self.notify(f"Saved to favourites as “{name}”.")

    def action_save_history(self) -> None:
        batch = self.batch
        if batch is None or not batch.prompts:
            return
        if batch.running:
            self.notify("These prompts are saved to history as soon as the run ends.")
            return
        if batch.history_id is not None and not batch.unsaved_edits:
            self.notify(f"Already saved in history (#{batch.history_id}).")
            return
        self.run_async(self.save_batch(batch, announce=True), "Saving to history")

    async def save_batch(self, batch: Batch, *, announce: bool = False) -> None:
        try:
            history_id, _, _ = await asyncio.to_thread(
                flow().save_to_history, self.context, batch.concept, batch.prompts, source=batch.source,
                product_id=batch.product_id)
        except Exception as exc:
            log.exception("saving prompts to history failed")
            self.show_message(f"Could not save to history: {exc}", "error")
            return
        batch.history_id, batch.unsaved_edits = history_id, False
        if announce:
            self.notify(f"Saved to history (#{history_id}).")

    def save_batch_now(self, batch: Batch) -> None:
        """Blocking save for when there is no time to wait (a run being cancelled, the app closing)."""
        try:
            history_id, _, _ = flow().save_to_history(self.context, batch.concept, batch.prompts,
                                                      source=batch.source, product_id=batch.product_id)
        except Exception:
            log.exception("saving prompts to history failed")
            return
        batch.history_id, batch.unsaved_edits = history_id, False

    # ---- editing ---------------------------------------------------------------------------------------

    def action_edit_prompt(self) -> None:
        """$EDITOR on the prompt's JSON; falls back to the inline editor where the terminal can't be handed over."""
        if (found := self.current()) is None:
            return
        index, slot = found
        original = slot.prompt.to_json()
        command = editor_command()
        if command is None:
            self.notify("$EDITOR is not set, so the prompt opens in the inline editor.")
            self.open_json_editor(index, original)
            return
        try:
            edited = edit_in_editor(self.app, command, original)
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to $EDITOR; editing here instead.")
            self.open_json_editor(index, original)
            return
        except OSError as exc:
            self.notify(f"Could not start {command[0]}: {exc.strerror or exc}; editing here instead.",
                        severity="warning")
            self.open_json_editor(index, original)
            return
        if edited.strip() == original.strip():
            self.notify("No changes.")
            return
        from pixflow_tui.core.prompt_schema import PromptParseError

        try:
            prompt = flow().parse_edited_prompt(edited)
        except PromptParseError as exc:
            self.open_json_editor(index, edited, error=str(exc))  # the edit is kept, with what is wrong
            return
        self.apply_edit(index, prompt)

    def action_edit_json(self) -> None:
        if (found := self.current()) is not None:
            self.open_json_editor(found[0], found[1].prompt.to_json())

    def open_json_editor(self, index: int, text: str, error: str = "") -> None:
        batch = self.batch

        def done(prompt: PromptOutput | None) -> None:
            if prompt is None or batch is not self.batch or batch is None:
                return
            current = batch.get(index)
            if current is not None and current.prompt == prompt:
                self.notify("No changes.")
            else:
                self.apply_edit(index, prompt)

        self.app.push_screen(
            JsonEditorDialog(text, title=f"Prompt {index + 1} as JSON", validate=flow().parse_edited_prompt,
                             error=error),
            callback=done,
        )

    def apply_edit(self, index: int, prompt: PromptOutput) -> None:
        if self.batch is None or self.batch.get(index) is None:
            return
        self.batch.replace(index, prompt)
        self.query_one(PromptList).refresh_row(self.batch, index)
        self.show_current()
        self.show_message(f"Prompt {index + 1} edited · ctrl+s saves it (the next run saves it anyway)", "ok")

    def action_focus_prompt(self) -> None:
        self.focus_now(self.query_one("#prompt-view"))
