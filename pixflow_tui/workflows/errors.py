"""InputError on its own, so a command that only reads (workflows/quick_reads.py) raises it without loading the
input checks and the catalog they consult (inputs.py re-exports it, where most code imports it from)."""
from __future__ import annotations


class InputError(ValueError):
    """A user input is not acceptable; the message says which and why."""
