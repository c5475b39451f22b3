"""The products prompts can be made for, as the Prompt Factory lists them (kept apart from workflows/prompts.py,
which loads pydantic: the first screen shows the products before that loads)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pixflow_tui.workflows.context import AppContext


@dataclass(frozen=True)
class ProductChoice:
    id: int
    name: str
    slug: str


def list_products(ctx: AppContext) -> list[ProductChoice]:
    """The products prompts can be made for (Clone AI, Fyro, Fling, Zurna, Impresso)."""
    return [ProductChoice(p.id, p.name, p.slug) for p in ctx.store.products()]


def products_now(ctx: AppContext) -> list[ProductChoice]:
    """The products without waiting for the store: from the look taken before the TUI started, when it took one
    (the store opens after the first frame then), else from the store."""
    look = ctx.first_look
    return list(look.products) if look is not None else list_products(ctx)
