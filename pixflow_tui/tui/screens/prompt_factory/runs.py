"""Running a request: prompts stream into pre-allocated slots; whatever arrives is kept and saved to history,
however the run ends (done, failed, cancelled)."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixflow_tui.tui.screens.prompt_factory.actions import flow
from pixflow_tui.tui.screens.prompt_factory.batch import SOURCE_WORDS, Batch
from pixflow_tui.tui.screens.prompt_factory.forms import ConceptRequest, ImageRequest, Request
from pixflow_tui.tui.screens.prompt_factory.results import PromptList, ResultsPane

if TYPE_CHECKING:
    from pixflow_tui.core.prompt_schema import PromptOutput
    from pixflow_tui.workflows.context import AppContext

log = logging.getLogger(__name__)


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class PromptRuns:
    """Mixed into the Prompt Factory screen: `execute` is the body of its one run worker."""

    batch: Batch | None
    busy: bool

    if TYPE_CHECKING:  # provided by the screen
        context: AppContext

        def query_one(self, *args: Any) -> Any: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...
        def show_message(self, text: str, kind: str = "info") -> None: ...
        def show_current(self) -> None: ...
        def focus_now(self, widget: Any) -> None: ...
        def focus_field(self, field: str) -> None: ...
        def set_busy(self, busy: bool) -> None: ...
        async def save_batch(self, batch: Batch, *, announce: bool = False) -> None: ...
        def save_batch_now(self, batch: Batch) -> None: ...

    async def execute(self, request: Request) -> None:
        workflows, context = flow(), self.context
        try:
            if self.batch is not None and self.batch.unsaved_edits and not self.batch.running:
                await self.save_batch(self.batch)  # edits of the previous prompts are never lost
            if isinstance(request, ConceptRequest):
                await self._write_concept(request)
            elif isinstance(request, ImageRequest):
                image = await self._checked_image(request.image, "image")
                if image is not None:
                    concept = workflows.image_concept(image, request.context)
                    await self._write_one("analyzed", concept, "Reading the image…",
                                          lambda: workflows.image_prompt(context, image, request.context))
            else:
                await self._write_one("text", None, "Turning the text into a prompt…",
                                      lambda: workflows.text_prompt(context, request.text))
        finally:
            self.set_busy(False)

    async def _write_concept(self, request: ConceptRequest) -> None:
        workflows = flow()
        reference = request.reference
        if reference is not None:
            reference = await self._checked_image(reference, "reference")
            if reference is None:
                return
        batch = Batch("generated", request.concept, request.count,
                      product_id=request.product.id if request.product else None)
        product = request.product.name if request.product else None

        async def stream() -> None:
            async with aclosing(workflows.stream_prompts(self.context, request.concept, request.count,
                                                         reference=reference, product=product)) as prompts:
                async for prompt in prompts:
                    self._arrived(batch, prompt)

        await self._drive(batch, stream, f"Writing {plural(request.count, 'prompt')} for “{request.concept}”…")

    async def _checked_image(self, path: Path, field: str) -> Path | None:
        """The image decoded and within limits, or None after saying what is wrong with it."""
        workflows = flow()
        self.show_message(f"Checking the {'reference ' if field == 'reference' else ''}image…", "busy")
        try:
            return await workflows.check_image(path, what="reference image" if field == "reference" else "image")
        except workflows.InputError as exc:
            self.show_message(str(exc), "error")
            self.focus_field(field)
            return None

    async def _write_one(self, source: str, concept: str | None, busy_text: str,
                         make: Callable[[], Awaitable[PromptOutput]]) -> None:
        batch = Batch(source, concept or "", 1)

        async def one() -> None:
            prompt = await make()
            if not batch.concept:
                batch.concept = flow().text_concept(prompt)
            self._arrived(batch, prompt)

        await self._drive(batch, one, busy_text)

    async def _drive(self, batch: Batch, work: Callable[[], Awaitable[None]], busy_text: str) -> None:
        """Run `work` filling `batch`; whatever arrived is kept and saved to history, however it ends."""
        workflows = flow()
        previous = self.batch
        self._show_batch(batch)
        self.show_message(f"{busy_text}  x or escape cancels", "busy")
        outcome, problem = "done", ""
        try:
            await work()
        except asyncio.CancelledError:
            outcome = "cancelled"
            self._finish(batch, previous, outcome, problem)
            if batch.prompts:
                self.save_batch_now(batch)  # no awaiting in a cancelled task: save now, then report
            self._report(batch, outcome, problem)
            raise
        except (workflows.PromptGenerationError, workflows.InputError) as exc:
            outcome, problem = "failed", str(exc)
        except Exception as exc:
            log.exception("writing prompts failed")
            outcome, problem = "failed", f"writing prompts failed: {exc}"
        self._finish(batch, previous, outcome, problem)
        if batch.prompts:
            await self.save_batch(batch)
        self._report(batch, outcome, problem)

    def load_history(self) -> None:
        """Show what the Library's History sent back (`enter` on an entry) as a finished run, already saved."""
        parcels = self.context.handoff.take_history()
        if not parcels:
            return
        parcel = parcels[-1]  # one concept at a time: the newest wins
        if self.busy:
            self.show_message(f"A run is writing prompts: “{parcel.concept}” was not loaded. Cancel the run (x), "
                              "then press enter on it in the Library again.", "warning")
            return
        if self.batch is not None and self.batch.unsaved_edits and not self.batch.running:
            self.save_batch_now(self.batch)  # edits of the prompts on screen are never lost
        source = parcel.source if parcel.source in SOURCE_WORDS else "generated"
        batch = Batch(source, parcel.concept, len(parcel.prompts), history_id=parcel.history_id, running=False)
        for prompt in parcel.prompts:
            batch.arrive(prompt)
        self._show_batch(batch)
        self.query_one(PromptList).highlighted = 0
        self.show_message(f"{plural(len(batch.prompts), 'prompt')} of “{parcel.concept}” loaded from history "
                          f"#{parcel.history_id} · g sends to Asset Monster", "ok")

    # ---- showing a batch -------------------------------------------------------------------------------

    def _show_batch(self, batch: Batch) -> None:
        self.batch = batch
        pane = self.query_one(ResultsPane)
        pane.show_empty(False)
        prompt_list = self.query_one(PromptList)
        prompt_list.show_batch(batch)
        prompt_list.highlighted = None
        self.focus_now(prompt_list)
        self.query_one("#list-column").border_title = f"Prompts · {SOURCE_WORDS[batch.source]}"
        self.query_one("#list-column").border_subtitle = ""
        self.show_current()

    def _arrived(self, batch: Batch, prompt: PromptOutput) -> None:
        index = batch.arrive(prompt)
        if batch is not self.batch:
            return
        prompt_list = self.query_one(PromptList)
        if index < prompt_list.option_count:
            prompt_list.refresh_row(batch, index)
        else:
            prompt_list.add_option(batch.row(index))
        if prompt_list.highlighted is None:
            prompt_list.highlighted = index  # the first arrival is selected and shown
        if prompt_list.highlighted == index:
            self.show_current()
        else:  # the shown prompt is unchanged; only the batch's variety moved
            self.query_one(ResultsPane).show_checks(batch.checks(prompt_list.highlighted))
        if batch.size > 1:
            self.show_message(f"{batch.arrived} of {batch.size} prompts written…  x or escape cancels", "busy")

    def _finish(self, batch: Batch, previous: Batch | None, outcome: str, problem: str) -> None:
        batch.running = False
        batch.drop_empty()
        shown = batch if batch.slots else previous  # nothing came of this run: the last prompts stay on screen
        self.batch = shown
        self.query_one(ResultsPane).show_empty(shown is None)
        if shown is not None:
            prompt_list = self.query_one(PromptList)
            prompt_list.show_batch(shown, keep=prompt_list.highlighted or 0)
            self.query_one("#list-column").border_title = f"Prompts · {SOURCE_WORDS[shown.source]}"
        self.show_current()
        if problem:
            self.notify(sentence(problem), title="Prompt Factory", severity="error", timeout=10)

    def _report(self, batch: Batch, outcome: str, problem: str) -> None:
        count = plural(len(batch.prompts), "prompt")
        saved = f" · saved to history #{batch.history_id}" if batch.history_id is not None else ""
        if outcome == "done":
            self.show_message(f"{count} written{saved} · g sends to Asset Monster", "ok")
        elif outcome == "cancelled":
            kept = f"kept the {count} already written{saved}" if batch.prompts and batch is self.batch else \
                "nothing was written"
            self.show_message(f"Cancelled: {kept}.", "warning")
        else:
            kept = f" (kept the {count} already written{saved})" if batch.prompts and batch is self.batch else ""
            self.show_message(f"{problem}{kept}", "error")
