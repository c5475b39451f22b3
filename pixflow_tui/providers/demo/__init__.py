"""Offline demo providers: the same protocols as the live ones, with everything made locally.

The classes are loaded on first use, so importing a submodule (e.g. `analysis`) does not pull in PyAV.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pixflow_tui.providers.demo.media import DemoMediaProvider
    from pixflow_tui.providers.demo.text import DemoTextProvider

__all__ = ["DemoMediaProvider", "DemoTextProvider"]


def __getattr__(name: str) -> Any:
    if name == "DemoMediaProvider":
        from pixflow_tui.providers.demo.media import DemoMediaProvider

        return DemoMediaProvider
    if name == "DemoTextProvider":
        from pixflow_tui.providers.demo.text import DemoTextProvider

        return DemoTextProvider
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
