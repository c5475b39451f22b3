"""The research step of a concept run as events, free of widgets: its progress lines as they come, then what it
found. The run (`runs.write`) yields them between `Began` and the first prompt."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pixflow_tui.core.research import ResearchOutcome
    from pixflow_tui.workflows.context import AppContext


@dataclass(frozen=True)
class Researching:
    """The research step says where it is."""

    text: str


@dataclass(frozen=True)
class Researched:
    outcome: ResearchOutcome


async def research_events(context: AppContext, concept: str) -> AsyncGenerator[Researching | Researched, None]:
    """Progress lines while the research runs (in the `research` setting's mode), then `Researched`; nothing when
    research is off. Closing the generator cancels the research."""
    from pixflow_tui.workflows import prompts

    mode = prompts.research_mode(context)
    if mode == "off":
        return
    lines: asyncio.Queue[str] = asyncio.Queue()
    task = asyncio.create_task(prompts.research(context, concept, mode, on_progress=lines.put_nowait))
    getter: asyncio.Future[str] | None = None
    try:
        while True:
            getter = asyncio.ensure_future(lines.get())
            await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                yield Researching(getter.result())
                continue
            getter.cancel()
            break
        while not lines.empty():
            yield Researching(lines.get_nowait())
        outcome = task.result()
        if outcome is not None:
            yield Researched(outcome)
    finally:
        task.cancel()
        if getter is not None:
            getter.cancel()
