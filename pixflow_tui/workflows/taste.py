"""A person's taste, learned from their ratings (core/taste.py explains the counting and the confidence): the
profile per product, the guidance Prompt Factory gives its text provider, and the images behind a pattern."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

from pixflow_tui.core.taste import MIN_RATINGS_FOR_GUIDANCE, Pattern, TasteGuidance, TasteProfile
from pixflow_tui.store.records import ImageRecord
from pixflow_tui.store.taste_repo import TrendPoint
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError

ALL_PRODUCTS_NAME = "all products"
NO_PRODUCT_NAME = "no product"


@dataclass(frozen=True)
class ProductScope:
    """Whose images a profile counts: one product (id, name), the images of no product (0) or all (None)."""

    id: int | None
    name: str


def person(ctx: AppContext) -> str:
    """Whose taste it is: the person this process acts for (`pixflow --user NAME`, else the login name)."""
    return ctx.store.current_user().name


def scopes(ctx: AppContext) -> list[ProductScope]:
    """All products first, then each product, then the images made for no product."""
    return ([ProductScope(None, ALL_PRODUCTS_NAME)] + [ProductScope(p.id, p.name) for p in ctx.store.products()]
            + [ProductScope(0, NO_PRODUCT_NAME)])


def scope_named(ctx: AppContext, product: str | None) -> ProductScope:
    """The scope of a product given by name or slug (any case); None or "all" for all products."""
    if product is None or product.strip().lower() in ("", "all", ALL_PRODUCTS_NAME):
        return ProductScope(None, ALL_PRODUCTS_NAME)
    wanted = product.strip().lower()
    if wanted in ("none", NO_PRODUCT_NAME):
        return ProductScope(0, NO_PRODUCT_NAME)
    for choice in ctx.store.products():
        if wanted in (choice.name.lower(), choice.slug.lower()):
            return ProductScope(choice.id, choice.name)
    names = ", ".join(p.name for p in ctx.store.products())
    raise InputError(f"there is no product {product!r}; the products are {names} (or all, none)")


def scope_of(ctx: AppContext, product_id: int | None) -> ProductScope:
    return next((s for s in scopes(ctx) if s.id == product_id), ProductScope(None, ALL_PRODUCTS_NAME))


def profile(ctx: AppContext, scope: ProductScope) -> TasteProfile:
    return ctx.store.taste.profile(scope.id, scope.name)


def rated_count(ctx: AppContext, product_id: int | None) -> int:
    return ctx.store.taste.rated_count(product_id)


def taste_by_default(ctx: AppContext, product_id: int | None) -> bool:
    """"Use my taste" starts on for a product with at least MIN_RATINGS_FOR_GUIDANCE rated images."""
    return rated_count(ctx, product_id) >= MIN_RATINGS_FOR_GUIDANCE


def guidance(ctx: AppContext, product_id: int | None) -> TasteGuidance | None:
    """The guidance for prompts of a product from its own ratings, or from all the person's ratings while the
    product has fewer than MIN_RATINGS_FOR_GUIDANCE (or none was chosen); None when no pattern leans yet."""
    scope = scope_of(ctx, product_id)
    if product_id is None or rated_count(ctx, product_id) < MIN_RATINGS_FOR_GUIDANCE:
        scope = ProductScope(None, ALL_PRODUCTS_NAME)
    found = profile(ctx, scope).guidance()
    return None if found.empty else found


TASTE_MODES = ("auto", "on", "off")


def guidance_for_run(ctx: AppContext, mode: str, product_id: int | None) -> TasteGuidance | None:
    """The guidance a run follows under "use my taste" `mode`: "on", "off", or "auto" (on from
    MIN_RATINGS_FOR_GUIDANCE rated images of the product, or of all products when none is chosen)."""
    if mode not in TASTE_MODES:
        raise InputError(f"use my taste must be one of {', '.join(TASTE_MODES)}, not {mode!r}")
    if mode == "off" or (mode == "auto" and not taste_by_default(ctx, product_id)):
        return None
    return guidance(ctx, product_id)


async def guidance_before_run(ctx: AppContext, mode: str, product_id: int | None) -> TasteGuidance | None:
    """`guidance_for_run` off the event loop, in a worker thread whose connection is closed after."""
    def read() -> TasteGuidance | None:
        try:
            return guidance_for_run(ctx, mode, product_id)
        finally:
            ctx.store.close_thread_connection()

    return await asyncio.to_thread(read)


def evidence(ctx: AppContext, pattern: Pattern, side: str, scope: ProductScope, limit: int = 6) -> list[ImageRecord]:
    """The newest images behind a pattern: liked ones for a liked pattern, disliked ones for a disliked one."""
    ids = ctx.store.taste.images_with(pattern, 1 if side == "liked" else -1, scope.id, limit)
    return [image for image in (ctx.store.images.get(i) for i in ids) if image is not None]


def trend(ctx: AppContext, scope: ProductScope, weeks: int = 12) -> list[TrendPoint]:
    return ctx.store.taste.trend(scope.id, weeks)


def trend_lines(points: list[TrendPoint]) -> list[str]:
    """One line per week: counts and a bar of the liked share."""
    lines = []
    for point in points:
        total = point.liked + point.disliked
        share = point.liked / total if total else 0.0
        bar = "█" * round(share * 10) + "░" * (10 - round(share * 10))
        lines.append(f"{point.week}  {bar} {share:4.0%} liked  ({point.liked} liked, {point.disliked} disliked)")
    return lines
