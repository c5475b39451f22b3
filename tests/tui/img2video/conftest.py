"""Fixtures for the Img2Video tests: the real app on the demo provider or on the fal emulator, with its engine."""
from __future__ import annotations

import dataclasses
import multiprocessing.resource_tracker
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from pixflow_tui.config import Settings
from tests.emulators.fal_emulator import FalEmulator
from tests.emulators.fixtures import FAL_TEST_KEY, fal_emulator, fal_env  # noqa: F401  (fixtures)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tui_helpers, next to tests/tui/conftest.py
sys.path.insert(0, str(Path(__file__).resolve().parent))  # i2v_helpers


@pytest.fixture(autouse=True, scope="session")
def resource_tracker_started() -> None:
    """Demo drawing runs in a spawn process pool, and spawning first starts multiprocessing's resource tracker
    with `sys.stderr.fileno()`; inside a Textual app that is the print capture (-1) and the demo job fails with
    "bad value(s) in fds_to_keep". Start it while stderr is real. The real TUI has the same problem (reported:
    `providers/offload.py` should start the tracker itself)."""
    multiprocessing.resource_tracker.ensure_running()


class Notes(list[str]):
    def text(self) -> str:
        return "\n".join(self)


@pytest.fixture
def notes(monkeypatch: pytest.MonkeyPatch) -> Notes:
    """Every notification's text (notifications are not rendered under run_test)."""
    from pixflow_tui.tui.app import PixflowApp

    recorded = Notes()
    original = PixflowApp.notify

    def notify(self, message, *args, **kwargs):  # type: ignore[no-untyped-def]
        recorded.append(str(message))
        return original(self, message, *args, **kwargs)

    monkeypatch.setattr(PixflowApp, "notify", notify)
    return recorded


def draw_photo(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (96, 160)) -> Path:
    """A small portrait with some structure (the demo's camera moves need texture to show)."""
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 5), fill=(235, 220, 200))
    draw.rectangle((4, 4, size[0] // 3, size[1] // 8), fill=(20, 20, 20))
    image.save(path)
    return path


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "photos"
    folder.mkdir()
    colours = [(200, 60, 40), (40, 110, 200), (60, 170, 90), (180, 160, 40), (120, 60, 160)]
    return [draw_photo(folder / f"photo_{i}.png", colour) for i, colour in enumerate(colours)]


@pytest.fixture
def make_i2v_app(settings: Settings) -> Callable[..., Any]:
    from pixflow_tui.tui.app import PixflowApp

    def factory(**overrides: Any) -> PixflowApp:
        return PixflowApp(dataclasses.replace(settings, **overrides))

    return factory


@pytest.fixture
def live_settings(settings: Settings, fal_env: FalEmulator) -> Settings:  # noqa: F811
    return dataclasses.replace(settings, provider_mode="live", fal_key=FAL_TEST_KEY, concurrency=8)


@pytest.fixture
def make_live_app(live_settings: Settings) -> Callable[..., Any]:
    from pixflow_tui.tui.app import PixflowApp

    def factory(**overrides: Any) -> PixflowApp:
        return PixflowApp(dataclasses.replace(live_settings, **overrides))

    return factory
