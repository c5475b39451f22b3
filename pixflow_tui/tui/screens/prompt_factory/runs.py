"""One run as a stream of events, free of widgets: a request is checked, a Batch begins, prompts arrive. The
results pane drives it in its run worker and decides what is kept (everything that arrived, however it ends)."""
from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pixflow_tui.core.formatting import plural
from pixflow_tui.tui.screens.prompt_factory.batch import Batch
from pixflow_tui.tui.screens.prompt_factory.forms import ConceptRequest, ImageRequest, Request
from pixflow_tui.tui.screens.prompt_factory.research_run import Researched, Researching, research_events

if TYPE_CHECKING:
    from pixflow_tui.core.prompt_schema import PromptOutput
    from pixflow_tui.workflows.context import AppContext


@dataclass(frozen=True)
class Checking:
    """An image is being checked."""

    text: str


@dataclass(frozen=True)
class BadImage:
    """The image in `field` is not usable: nothing was written."""

    problem: str
    field: str


@dataclass(frozen=True)
class Began:
    """Writing started: `batch` has a slot for each prompt asked for."""

    batch: Batch
    busy_text: str


@dataclass(frozen=True)
class Arrived:
    prompt: PromptOutput


RunEvent = Checking | BadImage | Began | Researching | Researched | Arrived


async def _checked_image(path: Path, field: str) -> Path | BadImage:
    from pixflow_tui.workflows import prompts

    try:
        return await prompts.check_image(path, what="reference image" if field == "reference" else "image")
    except prompts.InputError as exc:
        return BadImage(str(exc), field)


def _checking(field: str) -> Checking:
    return Checking(f"Checking the {'reference ' if field == 'reference' else ''}image…")


async def write(context: AppContext, request: Request) -> AsyncGenerator[RunEvent, None]:
    """The events of one run. Provider and input errors raise out of the iteration."""
    from pixflow_tui.workflows import prompts

    if isinstance(request, ConceptRequest):
        reference = request.reference
        if reference is not None:
            yield _checking("reference")
            checked = await _checked_image(reference, "reference")
            if isinstance(checked, BadImage):
                yield checked
                return
            reference = checked
        from pixflow_tui.workflows.taste import guidance_before_run

        product_id = request.product.id if request.product else None
        taste = await guidance_before_run(context, request.taste, product_id)
        batch = Batch("generated", request.concept, request.count, product_id=product_id, taste=taste,
                      references=(str(reference),) if reference is not None else ())
        following = f" following your taste ({taste.ratings} ratings)" if taste is not None else ""
        yield Began(batch, f"Writing {plural(request.count, 'prompt')} for “{request.concept}”{following}…")
        product = request.product.name if request.product else None
        analysis = None
        if reference is not None:
            yield Checking("Reading the reference image…")
            analysis = await prompts.describe_reference(context, reference)
        researched = None
        async with aclosing(research_events(context, request.concept)) as steps:
            async for step in steps:
                if isinstance(step, Researched):
                    researched = batch.research = step.outcome
                yield step
        async with aclosing(prompts.stream_prompts(context, request.concept, request.count, reference=reference,
                                                   product=product, taste=taste, researched=researched,
                                                   analysis=analysis)) as stream:
            async for prompt in stream:
                yield Arrived(prompt)
    elif isinstance(request, ImageRequest):
        yield _checking("image")
        image = await _checked_image(request.image, "image")
        if isinstance(image, BadImage):
            yield image
            return
        yield Began(Batch("analyzed", prompts.image_concept(image, request.context), 1), "Reading the image…")
        yield Arrived(await prompts.image_prompt(context, image, request.context))
    else:
        blocks = prompts.text_blocks(request.text)
        batch = Batch("text", "", len(blocks))
        what = "a prompt" if len(blocks) == 1 else \
            f"{plural(len(blocks), 'prompt')} (one per blank-line-separated block, or per line)"
        yield Began(batch, f"Converting the text into {what} with the model…" if request.convert
                    else f"Turning the text into {what}…")
        for block in blocks:
            prompt = await prompts.text_prompt(context, block, convert=request.convert)
            batch.concept = batch.concept or prompts.text_concept(prompt)
            yield Arrived(prompt)
