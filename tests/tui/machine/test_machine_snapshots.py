"""The Machine with an empty form and a seeded avatar gallery, at 80×24 and 160×48
(regenerate with `pytest tests/tui/machine --snapshot-update`)."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from textual.pilot import Pilot

from machine_helpers import RED_SIZE, open_machine, portrait
from tui_helpers import settle
from pixflow_tui.tui.app import PixflowApp

AVATARS = Path("/tmp/pixflow-machine-snapshot-avatars")  # fixed, so nothing shown depends on the test's folder


def seed() -> Path:
    shutil.rmtree(AVATARS, ignore_errors=True)
    for name in ("Anna", "Ben", "Cleo"):
        portrait(AVATARS / f"{name}.png", size=RED_SIZE)
    return AVATARS


async def shown(pilot: Pilot[None]) -> None:
    await open_machine(pilot)
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_the_machine_with_an_empty_form(snap_compare, settings, size: tuple[int, int]) -> None:
    app = PixflowApp(dataclasses.replace(settings, avatars_dir=seed()))
    assert snap_compare(app, terminal_size=size, run_before=shown)
