"""The shared words-and-numbers helpers (core/formatting.py) used by the TUI and the CLI."""
from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest

from pixflow_tui.core.formatting import iso_time, local_time, money, plural, plural_word


@pytest.mark.parametrize("count,word,expected", [
    (1, "prompt", "1 prompt"), (0, "prompt", "0 prompts"), (3, "image", "3 images"), (2, "batch", "2 batches"),
    (2, "entry", "2 entries"), (2, "day", "2 days"), (1200, "job", "1,200 jobs"), (1, "job", "1 job"),
])
def test_plural_agrees_with_the_count(count: int, word: str, expected: str) -> None:
    assert plural(count, word) == expected


def test_plural_takes_an_explicit_plural() -> None:
    assert plural(2, "was", "were") == "2 were"
    assert plural_word(1, "is") == "is" and plural_word(4, "is") == "are"


def test_local_time_moves_a_stored_utc_moment_into_the_local_zone_and_names_it(local_zone) -> None:
    local_zone("Europe/Berlin")
    stored = datetime(2026, 12, 7, 0, 8)  # naive = UTC, as the store keeps it
    assert local_time(stored) == "2026-12-07 01:08 CET"
    assert local_time(stored, zone=False, seconds=True) == "2026-12-07 01:08:00"
    assert local_time(None) == ""


def test_local_time_shows_an_offset_when_the_zone_has_no_name(local_zone) -> None:
    local_zone("<+0530>-5:30")
    assert local_time(datetime(2026, 12, 7, 0, 8)) == "2026-12-07 05:38 +0530"


def test_iso_time_carries_the_offset(local_zone) -> None:
    local_zone("America/New_York")
    assert iso_time(datetime(2026, 7, 1, 12, 0)) == "2026-07-01T08:00:00-04:00"
    assert iso_time(datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)) == "2026-07-01T08:00:00-04:00"
    assert iso_time(None) is None
    assert os.environ["TZ"] == "America/New_York"


def test_money_marks_an_estimate() -> None:
    assert money(1.5) == "$1.50"
    assert money(1234.5, estimate=True) == "≈ $1,234.50"
