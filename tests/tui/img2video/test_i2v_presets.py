"""Video presets: save an entry's camera, duration and aspect under a name, use it on one entry or all, export and
import as JSON, delete."""
from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from i2v_helpers import add_images, confirm, dialog, name_it, open_img2video, pick, select_row, type_text, wait_for
from pixflow_tui.tui.screens.dialogs import PathInputDialog
from pixflow_tui.workflows.img2video_camera import video_presets

CAMERA = {"movements": ["the camera zooms in", "camera pans right"], "speed": "slow", "shots": ["medium shot"],
          "duration": "10", "aspect_ratio": "16:9"}


async def test_presets_are_saved_reused_exported_and_imported(make_i2v_app, photos, tmp_path: Path, notes) -> None:
    app = make_i2v_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_img2video(pilot)
        await add_images(pilot, screen, photos[:3])
        first, second, third = screen.queue.entries
        first.settings = first.settings.copy(prompt="turns her head", model="hailuo", **CAMERA)
        second.settings = second.settings.copy(prompt="the dog runs")
        screen.panel.show_queue(select=first.id)
        await select_row(pilot, screen, 0)
        # save
        await pilot.press("p")
        await pick(pilot, "save")
        await name_it(pilot, "push and pan")
        (preset,) = await wait_for(pilot, lambda: video_presets(app.context), what="the preset")
        assert preset.name == "push and pan" and preset.kind == "video" and preset.data == CAMERA
        # use on one entry: camera, duration and aspect change; its prompt and model stay
        await select_row(pilot, screen, 1)
        await pilot.press("p")
        await pick(pilot, f"use:{preset.id}")
        await pick(pilot, "one")
        assert second.settings.movements == CAMERA["movements"] and second.settings.speed == "slow"
        assert second.settings.shots == ["medium shot"] and (second.settings.duration, second.settings.aspect_ratio) \
            == ("10", "16:9")
        assert second.settings.prompt == "the dog runs" and second.settings.model == "kling"
        assert third.settings.movements == []
        assert second.composed_prompt() == "the dog runs, the camera zooms in, camera pans right, slow, medium shot"
        # saving under the same name replaces it
        await select_row(pilot, screen, 2)
        await pilot.press("p")
        await pick(pilot, "save")
        await name_it(pilot, "push and pan")
        await wait_for(pilot, lambda: "Replaced video preset" in notes.text(), what="the replacement")
        (replaced,) = video_presets(app.context)
        assert replaced.data["movements"] == [] and replaced.data["duration"] == "5"
        # export to JSON
        await pilot.press("p")
        await pick(pilot, "export")
        await dialog(pilot, PathInputDialog)
        target = tmp_path / "shared" / "video-presets.json"
        target.parent.mkdir()
        await type_text(pilot, str(target))
        await pilot.press("enter")
        await wait_for(pilot, target.is_file, what="the export")
        document = json.loads(target.read_text())
        assert document["format"] == "pixflow-presets"
        assert [(p["name"], p["kind"], p["data"]) for p in document["presets"]] == [
            ("push and pan", "video", replaced.data)]
        # delete, then import it back and use it on every entry not on its way
        await pilot.press("p")
        await pick(pilot, "delete")
        await pick(pilot, str(replaced.id))
        await confirm(pilot)
        await wait_for(pilot, lambda: video_presets(app.context) == [], what="the delete")
        document["presets"][0]["data"] = CAMERA
        target.write_text(json.dumps(document))
        await pilot.press("p")
        await pick(pilot, "import")
        await dialog(pilot, PathInputDialog)
        await type_text(pilot, str(target))
        await pilot.press("enter")
        (imported,) = await wait_for(pilot, lambda: video_presets(app.context), what="the import")
        await pilot.press("p")
        await pick(pilot, f"use:{imported.id}")
        await pick(pilot, "all")
        assert all(e.settings.movements == CAMERA["movements"] for e in screen.queue.entries)
        assert [e.settings.prompt for e in screen.queue.entries] == ["turns her head", "the dog runs", ""]
        # new images start with it too; a portrait photo stays portrait (a new draft keeps its image's orientation)
        await add_images(pilot, screen, photos[3:4])
        assert screen.queue.entries[-1].settings.movements == CAMERA["movements"]
        assert screen.queue.entries[-1].settings.aspect_ratio == "9:16"
        wide = tmp_path / "wide.png"
        Image.new("RGB", (160, 96), (90, 90, 90)).save(wide)
        await add_images(pilot, screen, [wide])
        assert screen.queue.entries[-1].settings.aspect_ratio == "16:9"
