"""Sixel bytes sent per view change in a thumbnail grid (80×24, 10×20-pixel cells), textual-image 0.12's own sixel
widget against the one Pixflow carries (tui/compat.sixel_image_class: encoded once per image and size, sent only
when the terminal does not already show it there).

Each view change is measured as what Textual would write to the terminal until the screen settles: cursor moves
within a page (no picture changes) and page moves (every picture changes). Over a 1 Mbit/s link 125 KB take a second.

Usage: python benchmarks/sixel_bench.py
"""
from __future__ import annotations

import asyncio
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from textual.app import App, ComposeResult

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pixflow_tui.tui import compat  # noqa: E402
from pixflow_tui.tui.startup import ensure_textual_image  # noqa: E402
from pixflow_tui.tui.widgets.thumbnail_grid import GridEntry, ThumbnailGrid  # noqa: E402

SIXEL = re.compile(r"\x1bP[^\x1b]*q.*?\x1b\\", re.DOTALL)
STEPS = ["right", "right", "down", "pagedown", "pagedown", "left"]


class GridApp(App[None]):
    def __init__(self, entries: list[GridEntry], cache: Path) -> None:
        super().__init__()
        self.grid = ThumbnailGrid(renderer="sixel", cache_dir=cache, cell_width=20)
        self.entries = entries
        self.written: list[str] = []

    def compose(self) -> ComposeResult:
        yield self.grid

    def on_mount(self) -> None:
        self.grid.replace(self.entries, more=False)
        self.grid.focus()

    def _display(self, screen: Any, renderable: Any) -> None:  # what the real driver would write
        from textual._compositor import CompositorUpdate

        if isinstance(renderable, CompositorUpdate):
            self.written.append(renderable.render_segments(self.console))
        super()._display(screen, renderable)


def pictures(folder: Path, count: int) -> list[GridEntry]:
    """Portraits with shapes, gradients and grain (what generated images look like to a sixel encoder)."""
    entries = []
    for n in range(count):
        grain = Image.effect_noise((576, 1024), 40).convert("RGB")
        image = Image.blend(Image.linear_gradient("L").resize((576, 1024)).convert("RGB"), grain, 0.35)
        draw = ImageDraw.Draw(image)
        draw.ellipse((100, 300, 476, 700), fill=(240, 200 - 4 * n, 60))
        draw.rectangle((40 + 5 * n, 760, 300, 980), fill=(30, 90 + 3 * n, 160))
        path = folder / f"{n}.jpg"
        image.save(path, quality=85)
        entries.append(GridEntry(str(n), str(path), f"picture {n}"))
    return entries


async def measure(entries: list[GridEntry], cache: Path) -> list[tuple[str, int, int]]:
    app = GridApp(entries, cache)
    rows: list[tuple[str, int, int]] = []
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(20):
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        for key in STEPS:
            app.written.clear()
            await pilot.press(key)
            for _ in range(20):
                await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            sixels = [m.group(0) for m in SIXEL.finditer("".join(app.written))]
            rows.append((key, len(sixels), sum(len(s) for s in sixels)))
    return rows


def main() -> None:
    ensure_textual_image("sixel")
    from textual_image.widget import SixelImage

    with tempfile.TemporaryDirectory() as folder:
        entries = pictures(Path(folder), 40)
        carried = compat.sixel_image_class
        compat.sixel_image_class = lambda: SixelImage  # type: ignore[assignment]
        before = asyncio.run(measure(entries, Path(folder) / "cache-a"))
        compat.sixel_image_class = carried  # type: ignore[assignment]
        after = asyncio.run(measure(entries, Path(folder) / "cache-b"))
    print(f"{'view change':<12} {'0.12: images':>13} {'KB':>7}   {'carried: images':>16} {'KB':>7}")
    for (key, sent_a, bytes_a), (_, sent_b, bytes_b) in zip(before, after):
        print(f"{key:<12} {sent_a:>13} {bytes_a / 1000:>7.1f}   {sent_b:>16} {bytes_b / 1000:>7.1f}")
    total_a, total_b = sum(r[2] for r in before), sum(r[2] for r in after)
    print(f"{'total':<12} {'':>13} {total_a / 1000:>7.1f}   {'':>16} {total_b / 1000:>7.1f}")


if __name__ == "__main__":
    main()
