"""Fixtures for the Asset Monster tests: the real app on the demo provider, with its engine thread running."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tui_helpers, next to tests/tui/conftest.py


class Notes(list):
    """Every notification's text, in order."""

    def text(self) -> str:
        return "\n".join(self)


@pytest.fixture
def notes(monkeypatch: pytest.MonkeyPatch):
    """Record what the app notifies (notifications are not rendered under run_test)."""
    from pixflow_tui.tui.app import PixflowApp

    recorded = Notes()
    original = PixflowApp.notify

    def notify(self, message, *args, **kwargs):  # type: ignore[no-untyped-def]
        recorded.append(str(message))
        return original(self, message, *args, **kwargs)

    monkeypatch.setattr(PixflowApp, "notify", notify)
    return recorded
