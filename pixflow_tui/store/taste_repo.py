"""Taste counters: per (person, product, section, value) how many liked and disliked images carry a prompt
pattern (core/taste.py). The rating writer (images_repo.RatingRepository) moves them in the rating's own
transaction through `apply_change`, so a profile is one indexed read; `rebuild` recounts them from the ratings
(migration 0005 and the consistency check). An image's product is its batch's `product_id` setting (0: none)."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from peewee import EXCLUDED, JOIN, Database, fn

from pixflow_tui.core.taste import MIN_EVIDENCE, Pattern, TasteProfile, prompt_patterns
from pixflow_tui.store.models import Batch, GeneratedImage, ImageRating, TasteCount, tuples, utcnow

TOTALS: Pattern = ("", "")  # the row holding a person's rated-image totals for a product
WEEK = "#week"  # rows (WEEK, Monday's date): the ratings first made that week, for the trend
ALL_PRODUCTS = None


def product_of(settings: str | None) -> int:
    """The product an image was made for, from its batch's settings JSON (0 when none was recorded)."""
    if not settings:
        return 0
    try:
        value = json.loads(settings).get("product_id")
    except (ValueError, AttributeError):
        return 0
    return value if isinstance(value, int) and value > 0 else 0


def patterns_of(prompt: str | None) -> frozenset[Pattern]:
    try:
        data = json.loads(prompt or "{}")
    except ValueError:
        return frozenset()
    return prompt_patterns(data) if isinstance(data, dict) else frozenset()


def apply_change(user_id: int, prompt: str | None, settings: str | None, old: int | None, new: int | None,
                 rated_at: datetime | str | None = None) -> None:
    """Move the counters of one image's patterns from rating `old` to `new` (1, -1 or None); `rated_at` is when
    the image was first rated (None: now). Call it inside the transaction that writes the rating."""
    liked = (new == 1) - (old == 1)
    disliked = (new == -1) - (old == -1)
    if not liked and not disliked:
        return
    product = product_of(settings)
    keys = patterns_of(prompt) | {TOTALS, (WEEK, _week_of(rated_at or utcnow()))}
    rows = [{"user": user_id, "product_id": product, "section": section, "value": value, "liked": liked,
             "disliked": disliked} for section, value in sorted(keys)]
    TasteCount.insert_many(rows).on_conflict(
        conflict_target=[TasteCount.user, TasteCount.product_id, TasteCount.section, TasteCount.value],
        update={TasteCount.liked: TasteCount.liked + EXCLUDED.liked,
                TasteCount.disliked: TasteCount.disliked + EXCLUDED.disliked}).execute()


def _rated_images(user_id: int | None = None) -> Any:
    """(user, rating, prompt, batch settings, rated_at) of every rating of an image (images are shared; the
    counts are the rater's)."""
    query = (ImageRating.select(ImageRating.user, ImageRating.rating, GeneratedImage.prompt, Batch.settings,
                                ImageRating.rated_at)
             .join(GeneratedImage, on=(GeneratedImage.id == ImageRating.image))
             .join(Batch, JOIN.LEFT_OUTER, on=(Batch.id == GeneratedImage.batch)))
    return query.where(ImageRating.user == user_id) if user_id is not None else query


def count_from_ratings(user_id: int | None = None) -> Counter[tuple[int, int, str, str, int]]:
    """The counters recounted from the ratings: (user, product, section, value, rating) → images."""
    counts: Counter[tuple[int, int, str, str, int]] = Counter()
    settings_products: dict[str | None, int] = {}
    prompt_patterns_: dict[str | None, frozenset[Pattern]] = {}  # variants of a prompt share its text
    for user, rating, prompt, settings, rated_at in tuples(_rated_images(user_id)):
        product = settings_products.get(settings)
        if product is None:
            product = settings_products[settings] = product_of(settings)
        found = prompt_patterns_.get(prompt)
        if found is None:
            found = prompt_patterns_[prompt] = patterns_of(prompt)
            if len(prompt_patterns_) > 10_000:
                prompt_patterns_.clear()
        for section, value in found | {TOTALS, (WEEK, _week_of(rated_at))}:
            counts[(user, product, section, value, rating)] += 1
    return counts


def rebuild(db: Database, user_id: int | None = None) -> int:
    """Recount the taste counters (of one person, or everyone) from the ratings; returns the rows written."""
    counts = count_from_ratings(user_id)
    merged: dict[tuple[int, int, str, str], list[int]] = {}
    for (user, product, section, value, rating), images in counts.items():
        merged.setdefault((user, product, section, value), [0, 0])[0 if rating == 1 else 1] += images
    rows = [{"user": user, "product_id": product, "section": section, "value": value, "liked": liked,
             "disliked": disliked} for (user, product, section, value), (liked, disliked) in merged.items()]
    with db.atomic():
        stale = TasteCount.delete()
        (stale.where(TasteCount.user == user_id) if user_id is not None else stale).execute()
        for start in range(0, len(rows), 500):
            TasteCount.insert_many(rows[start:start + 500]).execute()
    return len(rows)


@dataclass(frozen=True)
class TrendPoint:
    week: str  # the Monday of the week, YYYY-MM-DD
    liked: int
    disliked: int


class TasteRepository:
    """A person's taste counters and the ratings behind them."""

    def __init__(self, db: Database, user_id: int) -> None:
        self.db = db
        self.user_id = user_id

    def _counters(self, product_id: int | None) -> Any:
        mine = TasteCount.user == self.user_id
        return mine if product_id is ALL_PRODUCTS else mine & (TasteCount.product_id == product_id)

    def profile(self, product_id: int | None, product_name: str) -> TasteProfile:
        """The profile of one product (0: images of no product) or of all products (None): totals and every
        pattern with enough evidence to lean (MIN_EVIDENCE rated images)."""
        liked, disliked = fn.SUM(TasteCount.liked), fn.SUM(TasteCount.disliked)
        rows = tuples(TasteCount.select(TasteCount.section, TasteCount.value, liked, disliked)
                      .where(self._counters(product_id) & (TasteCount.section != WEEK))
                      .group_by(TasteCount.section, TasteCount.value)
                      .having((liked + disliked >= MIN_EVIDENCE) | (TasteCount.section == "")))
        counts: dict[Pattern, tuple[int, int]] = {}
        totals = (0, 0)
        for section, value, likes, dislikes in rows:
            if (section, value) == TOTALS:
                totals = (int(likes), int(dislikes))
            else:
                counts[(section, value)] = (int(likes), int(dislikes))
        return TasteProfile(product_name, totals[0], totals[1], counts)

    def rated_count(self, product_id: int | None) -> int:
        """How many of the person's images of the product are rated (liked or disliked)."""
        total = (TasteCount.select(fn.SUM(TasteCount.liked + TasteCount.disliked))
                 .where(self._counters(product_id) & (TasteCount.section == "") & (TasteCount.value == "")).scalar())
        return int(total or 0)

    def stored(self) -> dict[tuple[int, str, str], tuple[int, int]]:
        """Every non-empty counter of the person: (product, section, value) → (liked, disliked)."""
        rows = tuples(TasteCount.select(TasteCount.product_id, TasteCount.section, TasteCount.value,
                                        TasteCount.liked, TasteCount.disliked)
                      .where((TasteCount.user == self.user_id) & ((TasteCount.liked != 0) | (TasteCount.disliked != 0))))
        return {(product, section, value): (liked, disliked) for product, section, value, liked, disliked in rows}

    def images_with(self, pattern: Pattern, rating: int, product_id: int | None, limit: int = 6,
                    scan: int = 5000) -> list[int]:
        """Ids of the newest rated images (rated `rating`) whose prompt carries `pattern`: the evidence behind
        it. Walks at most `scan` ratings, newest first."""
        query = (ImageRating.select(GeneratedImage.id, GeneratedImage.prompt, Batch.settings)
                 .join(GeneratedImage, on=(GeneratedImage.id == ImageRating.image))
                 .join(Batch, JOIN.LEFT_OUTER, on=(Batch.id == GeneratedImage.batch))
                 .where((ImageRating.user == self.user_id) & (ImageRating.rating == rating))
                 .order_by(ImageRating.id.desc()).limit(scan))
        # only prompts holding the value's longest plain word are parsed (the stored JSON escapes the rest)
        words = sorted((w for w in pattern[1].split() if w.isascii() and w.isalnum()), key=len)
        if words:
            query = query.where(GeneratedImage.prompt.contains(words[-1]))
        found: list[int] = []
        for image_id, prompt, settings in tuples(query):
            if product_id is not ALL_PRODUCTS and product_of(settings) != product_id:
                continue
            if pattern in patterns_of(prompt):
                found.append(image_id)
                if len(found) >= limit:
                    break
        return found

    def trend(self, product_id: int | None, weeks: int = 12) -> list[TrendPoint]:
        """Liked and disliked ratings per week (by when the images were first rated), the last `weeks` weeks
        that have any: the week counters, one indexed read."""
        liked, disliked = fn.SUM(TasteCount.liked), fn.SUM(TasteCount.disliked)
        rows = tuples(TasteCount.select(TasteCount.value, liked, disliked)
                      .where(self._counters(product_id) & (TasteCount.section == WEEK))
                      .group_by(TasteCount.value).having((liked != 0) | (disliked != 0))
                      .order_by(TasteCount.value.desc()).limit(weeks))
        return [TrendPoint(week, int(likes), int(dislikes)) for week, likes, dislikes in reversed(list(rows))]

    def rated_rows(self, batch: int = 1000) -> Iterator[tuple[Any, ...]]:
        """Every rated image of the person with its rating (for the export), oldest rating first:
        (image id, rating, notes, rated_at, updated_at)."""
        last = 0
        while True:
            rows = list(tuples(ImageRating.select(ImageRating.id, ImageRating.image, ImageRating.rating,
                                                  ImageRating.notes, ImageRating.rated_at, ImageRating.updated_at)
                               .where((ImageRating.user == self.user_id) & (ImageRating.id > last))
                               .order_by(ImageRating.id).limit(batch)))
            if not rows:
                return
            for row in rows:
                yield row[1:]
            last = rows[-1][0]


def _week_of(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    monday = value.date() - timedelta(days=value.weekday())
    return monday.isoformat()


def changes_for_image(user_ratings: Iterable[tuple[int, int, datetime]], prompt: str | None, settings: str | None,
                      new_prompt: str | None) -> None:
    """Move the counters of an image whose prompt changes (new_prompt) or that is deleted (new_prompt None):
    each (user, rating, rated_at) of it is taken out with the old prompt and put back with the new one."""
    for user, rating, rated_at in user_ratings:
        apply_change(user, prompt, settings, rating, None, rated_at)
        if new_prompt is not None:
            apply_change(user, new_prompt, settings, None, rating, rated_at)
