"""Helpers for driving the Library under Pilot (imported as a plain module)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from textual.pilot import Pilot
import tui_helpers
from tui_helpers import wait_for  # noqa: F401  (the tests import it from here)

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobKind, JobState
from pixflow_tui.store import Store
from pixflow_tui.tui.app import PixflowApp
from pixflow_tui.tui.screens.library import LibraryScreen
from pixflow_tui.tui.widgets.row_list import RowList

COLOURS = [(230, 40, 40), (40, 200, 60), (40, 80, 230), (240, 200, 30), (200, 40, 200), (30, 200, 210)]


def make_png(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (36, 64)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)
    return path


@dataclass
class Seeded:
    images: list[Any] = field(default_factory=list)
    videos: list[Any] = field(default_factory=list)
    history: list[Any] = field(default_factory=list)
    favorites: list[Any] = field(default_factory=list)
    batch: Any = None


def seed(settings: Settings, *, images: int = 6, liked: tuple[int, ...] = (1, 3), history: int = 3,
         concept: str = "red fox") -> Seeded:
    """Real small PNGs (with thumbnails) for the image rows, one video made from the first image, history,
    favourites and a batch; `liked` are image positions rated +1."""
    store = Store.open(settings)
    made = Seeded()
    made.batch = store.batches.create(module="asset_monster", name=f"{concept} run", concept=concept,
                                      settings={"aspect_ratio": "9:16", "resolution": "1K"})
    folder = settings.home / "outputs" / "test"
    for n in range(images):
        job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="fal-ai/nano-banana-pro",
                                request={"kind": "image", "model": "fal-ai/nano-banana-pro",
                                         "arguments": {"prompt": f"{concept} look number {n}"}, "files": {},
                                         "meta": {"concept": concept}}, batch_id=made.batch.id, job_index=n)
        store.jobs.update(job.id, status=JobState.DONE)
        path = make_png(folder / f"image-{n}.png", COLOURS[n % len(COLOURS)])
        thumb = make_png(settings.thumbnails_dir / f"image-{n}.png", COLOURS[n % len(COLOURS)], (18, 32))
        made.images.append(store.images.add(
            job_id=job.id, local_path=str(path), file_name=path.name, concept=f"{concept} {n}",
            prompt={"style": f"{concept} look number {n}", "lighting": {"setup": "soft window light"}},
            batch_id=made.batch.id, batch_index=n, aspect_ratio="9:16", model="fal-ai/nano-banana-pro",
            provider="demo", width=36, height=64, thumbnail_path=str(thumb)))
    for position in liked:
        if position < len(made.images):
            store.ratings.rate(made.images[position].id, 1)
    if made.images:
        frame = make_png(settings.thumbnails_dir / "video-0.png", (250, 250, 250), (32, 18))
        made.videos.append(store.assets.add(
            kind="video", local_path=str(folder / "video-0.mp4"), prompt="slow push in", model="kling",
            provider="demo", source_image=made.images[0].id, batch=made.batch.id,
            metadata={"concept": made.images[0].concept, "thumbnail": str(frame)}))
    for n in range(history):
        made.history.append(store.history.add(concept=f"history idea {n}",
                                              prompts=[{"style": f"idea {n} prompt {k}"} for k in range(n + 1)]))
    made.favorites.append(store.favorites.add(prompt={"style": "silk charmeuse in teal"}, name="Teal silk",
                                              concept="silk"))
    store.close_thread_connection()
    return made


def open_store(settings: Settings) -> Store:
    return Store.open(settings)


def library(pilot: Pilot[Any]) -> LibraryScreen:
    screen = pilot.app.screen_stack[0]
    assert isinstance(screen, LibraryScreen), type(screen)
    return screen


async def open_library(pilot: Pilot[Any]) -> LibraryScreen:
    await pilot.pause()
    await pilot.press("6")
    screen = await wait_for(pilot, lambda: isinstance(pilot.app.screen, LibraryScreen)
                            and pilot.app.screen.first_page_at is not None and pilot.app.screen, what="library")
    await settle(pilot)
    return screen


async def settle(pilot: Pilot[Any]) -> None:
    """The shared settle, twice over: a Library tab's load posts a result that starts the next load."""
    await tui_helpers.settle(pilot, rounds=2)


async def show_tab(pilot: Pilot[Any], name: str) -> Any:
    screen = library(pilot)
    screen.show_tab(name)
    tab = await wait_for(pilot, lambda: (t := screen.tab(name)) is not None and t.loaded and t, what=name)
    await settle(pilot)
    return tab


def table_of(tab: Any) -> RowList:
    return tab.query_one(RowList)


def column(table: RowList, name: str) -> list[str]:
    return [str(table.get_cell(key, name)) for key in table.keys()]


def record_notes(monkeypatch: Any) -> list[str]:
    """The text of every notification from now on (toasts are not rendered under run_test)."""
    notes: list[str] = []
    real = PixflowApp.notify

    def notify(self: PixflowApp, message: str, *args: Any, **kwargs: Any) -> None:
        notes.append(str(message))
        real(self, message, *args, **kwargs)

    monkeypatch.setattr(PixflowApp, "notify", notify)
    return notes
