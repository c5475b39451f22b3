"""Fixtures for driving PixflowApp under Pilot."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from pixflow_tui.config import Settings
from pixflow_tui.tui.app import PixflowApp


@pytest.fixture
def make_app(settings: Settings) -> Callable[..., PixflowApp]:
    def factory(**overrides: Any) -> PixflowApp:
        return PixflowApp(replace(settings, **overrides) if overrides else settings)

    return factory
