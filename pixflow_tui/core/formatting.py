"""Words and numbers for people: counts with the right plural, and moments in the user's own time zone.

The store keeps every moment as naive UTC (`store.models.utcnow`). The TUI shows them in local time with the zone
named (`local_time`); the CLI's machine output uses ISO 8601 with the offset (`iso_time`)."""
from __future__ import annotations

from datetime import datetime, timezone

_IRREGULAR = {"child": "children", "person": "people", "this": "these", "is": "are", "was": "were", "has": "have"}


def plural_word(count: int, word: str, many: str | None = None) -> str:
    """`word` as it reads after `count`: "prompt"/"prompts", "batch"/"batches"; `many` overrides the plural."""
    if count == 1:
        return word
    if many is not None:
        return many
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        return word[:-1] + "ies"
    return word + "s"


def plural(count: int, word: str, many: str | None = None) -> str:
    """"1 prompt", "3 prompts", "0 batches": the count and its word."""
    return f"{count:,} {plural_word(count, word, many)}"


def aware(moment: datetime) -> datetime:
    """A stored moment (naive means UTC) as an aware datetime."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def to_local(moment: datetime) -> datetime:
    """A stored moment in the user's local time zone (aware)."""
    return aware(moment).astimezone()


def local_time(moment: datetime | None, *, seconds: bool = False, zone: bool = True) -> str:
    """A stored moment as local time for a person: "2026-12-07 01:08 CET" (empty for None).
    `zone=False` leaves the zone off where a column header already names it."""
    if moment is None:
        return ""
    local = to_local(moment)
    text = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{text} {zone_name(local)}" if zone else text


def zone_name(local: datetime | None = None) -> str:
    """The local zone's short name ("CET", "UTC"), or its offset ("+0530") when the system has no abbreviation."""
    local = local or datetime.now().astimezone()
    name = local.tzname() or ""
    if not name or name[0] in "+-" or name.isdigit():
        return local.strftime("%z")
    return name


def iso_time(moment: datetime | None) -> str | None:
    """A stored moment as ISO 8601 with its offset, in local time ("2026-12-07T01:08:00+01:00"); None stays None."""
    return None if moment is None else to_local(moment).isoformat(timespec="seconds")


def money(amount: float, *, estimate: bool = False) -> str:
    """Dollars with cents; an estimate is marked "≈" so it is never read as what was billed."""
    return f"{'≈ ' if estimate else ''}${amount:,.2f}"
