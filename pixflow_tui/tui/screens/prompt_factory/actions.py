"""The results pane: the prompt keys (edit in $EDITOR or inline JSON, favourite, copy, select, send, save) and
the run that writes prompts into it. Posts `Status` for the line under the form, `BadInput` when a field of the
form is wrong, and `Sent` when prompts went to Asset Monster."""
from __future__ import annotations

import asyncio
import logging
from contextlib import aclosing
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.worker import Worker

from pixflow_tui.core.formatting import plural
from pixflow_tui.tui import action_keys
from pixflow_tui.tui.clipboard import copy_text
from pixflow_tui.tui.screens.dialogs import favourite_name_dialog
from pixflow_tui.tui.screens.prompt_factory.runs import BadImage, Began, Checking, write
from pixflow_tui.tui.screens.prompt_factory.batch import Batch
from pixflow_tui.tui.screens.prompt_factory.editor import JsonEditorDialog, edit_in_editor, editor_command
from pixflow_tui.tui.screens.prompt_factory.forms import Request
from pixflow_tui.tui.screens.prompt_factory.research_panel import headline
from pixflow_tui.tui.screens.prompt_factory.research_run import Researched, Researching
from pixflow_tui.tui.screens.prompt_factory.results import ResultsView
from pixflow_tui.tui.screens.prompt_factory.status import Status, sentence
from pixflow_tui.tui.workers import start_thread

if TYPE_CHECKING:
    from pixflow_tui.core.prompt_schema import PromptOutput

log = logging.getLogger(__name__)
PROMPT_ACTIONS = frozenset({"edit_prompt", "edit_json", "favourite", "copy_prompt", "toggle_select",
                            "send_prompts", "save_history"})


def flow() -> Any:
    """The prompt workflows, imported on first use (they bring Pillow and the providers)."""
    from pixflow_tui.workflows import prompts

    return prompts


def sending(batch: Batch) -> str:
    """What `g` sends now, said on the status line whenever it changes."""
    count = len(batch.to_send())
    if batch.selected:
        return f"g sends {'it' if count == 1 else f'these {count}'} to Asset Monster"
    return "g sends it to Asset Monster" if count == 1 else f"g sends all {count} to Asset Monster"


class ResultsPane(ResultsView):
    """The keys act on the highlighted prompt, from the list and from the prompt view alike."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit_prompt", "Edit", tooltip="Edit the prompt in $EDITOR", id="pf-edit"),
        Binding("E", "edit_json", "Edit JSON", tooltip="Edit the prompt's JSON here", id="pf-edit-json"),
        Binding("f", "favourite", "Favourite", tooltip="Save the prompt to favourites", id=action_keys.FAVOURITE),
        Binding("y", "copy_prompt", "Copy", tooltip="Copy the prompt as JSON", id=action_keys.COPY_PROMPT),
        Binding("s,space", "toggle_select", "Select", tooltip="Select or unselect for sending", id="pf-select"),
        Binding("g", "send_prompts", "Send", tooltip="Send the selected prompts (all when none is selected) to "
                "Asset Monster", id="pf-send"),
        Binding("ctrl+s", "save_history", "Save", tooltip="Save the prompts to history", id="pf-save"),
    ]

    running: reactive[bool] = reactive(False, init=False)

    class BadInput(Message):
        """The form's `field` holds something unusable (said in `problem`): nothing was written."""

        def __init__(self, problem: str, field: str) -> None:
            super().__init__()
            self.problem, self.field = problem, field

    class Sent(Message):
        """Prompts were handed to Asset Monster."""

    _run: Worker[None] | None = None

    def watch_running(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Prompt keys are shown dimmed (None) while there is no prompt to act on."""
        if action == "save_history":
            return True if self.shown is not None and self.shown.prompts else None
        if action in PROMPT_ACTIONS:
            return True if self.current() is not None else None
        return True

    def keep_edits(self) -> None:
        """Save edits of the prompts on screen now (blocking): they are about to be replaced, or the app closes."""
        if self.shown is not None and self.shown.unsaved_edits and not self.shown.running:
            self._store(self.shown)

    def on_unmount(self) -> None:
        self.keep_edits()

    # ---- copy, select, send ----------------------------------------------------------------------------

    def action_copy_prompt(self) -> None:
        if (found := self.current()) is None:
            return
        index, slot = found
        copy_text(self, slot.prompt.to_json(), f"Prompt {index + 1} as JSON")

    def action_toggle_select(self) -> None:
        if (found := self.current()) is None or self.shown is None:
            return
        self.shown.toggle(found[0])
        self.refresh_rows()
        self.prompt_list.action_cursor_down()
        chosen = len(self.shown.selected)
        self.post_message(Status(f"{chosen} selected · {sending(self.shown)}" if chosen
                                 else f"None selected · {sending(self.shown)}"))

    def action_send_prompts(self) -> None:
        if self.shown is None:
            return
        prompts, chosen = self.shown.to_send(), bool(self.shown.selected)
        if not prompts:
            self.notify("There is no written prompt to send yet.", severity="warning")
            return
        self.context.handoff.send_prompts(self.shown.concept, prompts, self.shown.history_id,
                                          product_id=self.shown.product_id, references=self.shown.references)
        self.shown.selected.clear()
        self.refresh_rows()
        what = "the selected" if chosen else ("all" if len(prompts) > 1 else "the")
        follows = f" with {plural(len(self.shown.references), 'reference image')}" if self.shown.references else ""
        self.notify(f"Sent {what} {plural(len(prompts), 'prompt')}{follows} to Asset Monster.")
        self.post_message(self.Sent())

    # ---- favourites and history (in thread workers) ----------------------------------------------------

    def action_favourite(self) -> None:
        if (found := self.current()) is None or self.shown is None:
            return
        index, slot = found
        default = f"{' '.join(self.shown.concept.split()[:6])} #{index + 1}"
        self.app.push_screen(favourite_name_dialog(default),
                             callback=partial(self._favourite_named, slot.prompt, self.shown))

    def _favourite_named(self, prompt: PromptOutput, batch: Batch, name: str | None) -> None:
        if name is not None:
            start_thread(self, partial(self._save_favourite, prompt, name.strip(), batch),
                         name="Saving a favourite", group="pf-favourite", exclusive=False)

    def _save_favourite(self, prompt: PromptOutput, name: str, batch: Batch) -> None:
        """In a thread."""
        try:
            flow().save_favorite(self.context, prompt, name, batch.concept, product_id=batch.product_id)
        except Exception as exc:
            log.exception("saving a favourite failed")
            self.post_message(Status(f"Could not save the favourite: {exc}", "error"))
            return
        self.app.call_from_thread(self.notify, f"Saved to favourites as “{name}”.")

    def action_save_history(self) -> None:
        batch = self.shown
        if batch is None or not batch.prompts:
            return
        if batch.running:
            self.notify("These prompts are saved to history as soon as the run ends.")
            return
        if batch.history_id is not None and not batch.unsaved_edits:
            self.notify(f"Already saved in history (#{batch.history_id}).")
            return
        start_thread(self, partial(self._save_and_announce, batch), name="Saving to history", group="pf-save")

    def _save_and_announce(self, batch: Batch) -> None:
        """In a thread."""
        if self._store(batch):
            self.app.call_from_thread(self.notify, f"Saved to history (#{batch.history_id}).")

    def _store(self, batch: Batch) -> bool:
        """Save `batch` to history (blocking: called in a thread, or where there is no time to wait)."""
        try:
            history_id, _, _ = flow().save_to_history(self.context, batch.concept, batch.prompts,
                                                      source=batch.source, product_id=batch.product_id,
                                                      taste=batch.taste, researched=batch.research)
        except Exception as exc:
            log.exception("saving prompts to history failed")
            self.post_message(Status(f"Could not save to history: {exc}", "error"))
            return False
        batch.history_id, batch.unsaved_edits = history_id, False
        return True

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
        self.app.push_screen(
            JsonEditorDialog(text, title=f"Prompt {index + 1} as JSON", validate=flow().parse_edited_prompt,
                             error=error),
            callback=partial(self._json_edited, self.shown, index),
        )

    def _json_edited(self, batch: Batch | None, index: int, prompt: PromptOutput | None) -> None:
        if prompt is None or batch is None or batch is not self.shown:
            return
        current = batch.get(index)
        if current is not None and current.prompt == prompt:
            self.notify("No changes.")
        else:
            self.apply_edit(index, prompt)

    def apply_edit(self, index: int, prompt: PromptOutput) -> None:
        if self.shown is None or self.shown.get(index) is None:
            return
        self.shown.replace(index, prompt)
        self.prompt_list.refresh_row(self.shown, index)
        self.show_current()
        self.post_message(Status(f"Prompt {index + 1} edited · ctrl+s saves it (the next run saves it anyway)",
                                 "ok"))

    # ---- the run ---------------------------------------------------------------------------------------

    def start_run(self, request: Request) -> None:
        """Write prompts for `request` into this pane. An app worker, so an unexpected failure reaches the
        app's error handler; the run's own failures are said on the status line."""
        self.running = True
        self._run = self.app.run_worker(self._write(request), name="Writing prompts", group=f"pf-run-{id(self)}",
                                        exit_on_error=False)

    def cancel_run(self) -> None:
        if self._run is not None and self._run.is_running:
            self._run.cancel()

    async def _write(self, request: Request) -> None:
        previous, batch, problem = self.shown, None, ""
        try:
            if previous is not None and previous.unsaved_edits and not previous.running:
                await asyncio.to_thread(self._store, previous)  # edits of the previous prompts are never lost
            try:
                async with aclosing(write(self.context, request)) as events:
                    async for event in events:
                        if isinstance(event, Checking):
                            self.post_message(Status(event.text, "busy"))
                        elif isinstance(event, BadImage):
                            self.post_message(self.BadInput(event.problem, event.field))
                        elif isinstance(event, Began):
                            batch = event.batch
                            self.show_batch(batch)
                            self.post_message(Status(f"{event.busy_text}  x or escape cancels", "busy"))
                        elif isinstance(event, Researching):
                            self.research_panel.show_progress(event.text, batch.concept if batch else "")
                            self.show_research(True)
                            self.post_message(Status(f"{event.text}  x or escape cancels", "busy"))
                        elif isinstance(event, Researched):
                            self.research_panel.show_outcome(event.outcome)
                            self.post_message(Status(f"{sentence(headline(event.outcome))} · writing the prompts…"
                                                     "  x or escape cancels", "busy"))
                        elif batch is not None:
                            self.arrive(batch, event.prompt)
            except asyncio.CancelledError:
                if batch is not None:
                    self.finish(batch, previous, "")
                    if batch.prompts:
                        self._store(batch)  # no awaiting in a cancelled task: save now, then report
                    self._report(batch, "cancelled", "")
                raise
            except (flow().PromptGenerationError, flow().InputError) as exc:
                problem = str(exc)
            except Exception as exc:
                if batch is None:
                    raise
                log.exception("writing prompts failed")
                problem = f"writing prompts failed: {exc}"
            if batch is None:
                if problem:
                    self.post_message(Status(problem, "error"))
                return
            self.finish(batch, previous, problem)
            if batch.prompts:
                await asyncio.to_thread(self._store, batch)
            self._report(batch, "failed" if problem else "done", problem)
        finally:
            self.running = False

    def _report(self, batch: Batch, outcome: str, problem: str) -> None:
        count = plural(len(batch.prompts), "prompt")
        saved = f" · saved to history #{batch.history_id}" if batch.history_id is not None else ""
        kept = batch.prompts and batch is self.shown
        research = f" · {headline(batch.research)} (R)" if batch.research is not None else ""
        if outcome == "done":
            self.post_message(Status(f"{count} written{saved}{research} · {sending(batch)}", "ok"))
        elif outcome == "cancelled":
            what = f"kept the {count} already written{saved}" if kept else "nothing was written"
            self.post_message(Status(f"Cancelled: {what}.", "warning"))
        else:
            self.post_message(Status(f"{problem}{f' (kept the {count} already written{saved})' if kept else ''}",
                                     "error"))
