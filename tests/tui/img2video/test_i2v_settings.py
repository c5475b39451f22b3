"""Entry settings: the composed prompt exactly as the reference composes it, the camera selection rules, apply to
one or all, keys and focus."""
from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from i2v_helpers import add_images, choose, confirm, open_img2video, open_settings, select_row, wait_for
from pixflow_tui.core import catalog
from pixflow_tui.core.requests import compose_video_prompt
from pixflow_tui.tui import action_keys
from pixflow_tui.tui.screens.img2video.detail import EntryDetail
from pixflow_tui.tui.screens.img2video.settings_dialog import VideoSettingsDialog
from pixflow_tui.tui.widgets.camera_presets import CameraPresetList

EXPECTED = "slow push, the camera zooms in, camera pans right, slow, medium shot"


def composed_text(dialog: VideoSettingsDialog) -> str:
    return str(dialog.query_one("#i2v-composed", Static).render())


async def test_composed_prompt_is_exactly_the_references(make_i2v_app, photos: list[Path]) -> None:
    assert compose_video_prompt("slow push", ["the camera zooms in", "camera pans right"], "slow",
                                ["medium shot"]) == EXPECTED
    app = make_i2v_app(demo_latency=0.5)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_img2video(pilot)
        await add_images(pilot, screen, photos[:1])
        dialog = await open_settings(pilot)
        assert not isinstance(app.focused, Input)  # the dialog opens on the list, not a text field
        presets = dialog.query_one(CameraPresetList)
        await choose(pilot, presets, "movement:the camera zooms in")
        await choose(pilot, presets, "movement:camera pans right")
        await choose(pilot, presets, "speed:slow")
        await choose(pilot, presets, "shot:medium shot")
        # an empty prompt sends the default motion prompt in front of the presets
        assert composed_text(dialog).startswith(f"Sends {catalog.VIDEO_DEFAULT_PROMPT}, the camera zooms in")
        dialog.query_one("#i2v-prompt-input", Input).focus()
        await pilot.press(*"slow", "space", *"push")
        await pilot.pause()
        assert composed_text(dialog).startswith(f"Sends {EXPECTED}\n")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, VideoSettingsDialog), what="the dialog to close")
        entry = screen.queue.entries[0]
        assert entry.composed_prompt() == EXPECTED
        assert EXPECTED.replace(", ", ",") in str(screen.query_one("#i2v-prompt", Static).render()).replace(
            "\n", " ").replace(", ", ",")
        # and it is what the job sends
        await pilot.press("ctrl+g")
        await confirm(pilot)
        job = await wait_for(pilot, lambda: app.context.store.jobs.list(), what="the job")
        assert job[0].request["arguments"]["prompt"] == EXPECTED
        assert job[0].request["arguments"]["negative_prompt"] == catalog.VIDEO_DEFAULT_NEGATIVE
        assert job[0].request["arguments"]["cfg_scale"] == catalog.VIDEO_DEFAULT_CFG


async def test_fourth_movement_drops_the_oldest_and_fourth_shot_is_refused(make_i2v_app, photos) -> None:
    app = make_i2v_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_img2video(pilot)
        await add_images(pilot, screen, photos[:1])
        dialog = await open_settings(pilot)
        presets = dialog.query_one(CameraPresetList)
        moves = ["camera tilts up", "the camera zooms out", "handheld device filming", "camera orbits around"]
        for move in moves:
            await choose(pilot, presets, f"movement:{move}")
        assert presets.settings.movements == moves[1:]
        labels = {m: str(presets.get_option(f"movement:{m}").prompt) for m in moves}
        assert labels[moves[0]].strip().startswith("[ ]")
        assert [labels[m].strip()[:3] for m in moves[1:]] == ["[1]", "[2]", "[3]"]
        shots = list(catalog.SHOT_TYPES[:4])
        for shot in shots:
            await choose(pilot, presets, f"shot:{shot}")
        assert presets.settings.shots == shots[:3]
        assert "up to 3 shot types" in str(dialog.query_one("#i2v-note", Static).render())
        # speed is one: choosing another replaces it, choosing it again clears it
        await choose(pilot, presets, "speed:fast")
        await choose(pilot, presets, "speed:normal")
        assert presets.settings.speed == "normal"
        await choose(pilot, presets, "speed:normal")
        assert presets.settings.speed is None
        await choose(pilot, presets, "duration:10")
        await choose(pilot, presets, "aspect:16:9")
        await choose(pilot, presets, "model:hailuo")
        await pilot.press("ctrl+s")
        await pilot.pause()
        settings = screen.queue.entries[0].settings
        assert (settings.movements, settings.shots, settings.duration, settings.aspect_ratio, settings.model) == (
            moves[1:], shots[:3], "10", "16:9", "hailuo")
        await pilot.press("ctrl+g")
        await confirm(pilot)
        (job,) = await wait_for(pilot, lambda: app.context.store.jobs.list(), what="the job")
        assert job.model == catalog.VIDEO_MODELS["hailuo"]
        # Hailuo follows the image's shape: the aspect stays a setting of the entry but is not sent to it
        assert job.request["arguments"]["duration"] == "10" and "aspect_ratio" not in job.request["arguments"]


async def test_save_to_all_keeps_each_prompt_and_skips_entries_on_their_way(make_i2v_app, photos) -> None:
    app = make_i2v_app(demo_latency=60)  # the third video stays on its way through the test
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_img2video(pilot)
        await add_images(pilot, screen, photos[:3])
        await select_row(pilot, screen, 2)
        await pilot.press("r")
        await confirm(pilot)
        await wait_for(pilot, lambda: screen.panel.status_of(screen.queue.entries[2]).active
                       and screen.queue.entries[2].job_id, what="the third on its way")
        await pilot.press("s")  # an entry on its way cannot be edited
        await pilot.pause()
        assert not isinstance(app.screen, VideoSettingsDialog)
        await select_row(pilot, screen, 1)
        dialog = await open_settings(pilot)
        dialog.query_one("#i2v-prompt-input", Input).focus()
        await pilot.press(*"wind")
        await pilot.press("escape")  # leaves the field, the dialog stays
        assert isinstance(app.screen, VideoSettingsDialog) and isinstance(app.focused, CameraPresetList)
        await choose(pilot, dialog.query_one(CameraPresetList), "movement:camera orbits around")
        await pilot.press("ctrl+s")
        await pilot.pause()
        first, second, third = screen.queue.entries
        assert second.settings.prompt == "wind" and second.settings.movements == ["camera orbits around"]
        assert first.settings.movements == [] and third.settings.movements == []
        await select_row(pilot, screen, 0)
        dialog = await open_settings(pilot)
        assert "ctrl+a: to all 2," in " ".join(str(w.render()) for w in dialog.query(Static))
        await choose(pilot, dialog.query_one(CameraPresetList), "duration:10")
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert [e.settings.duration for e in screen.queue.entries] == ["10", "10", "5"]
        assert [e.settings.prompt for e in screen.queue.entries] == ["", "wind", ""]
        assert second.settings.movements == [] and third.settings.duration == "5"  # all but prompts, and the
        # entry on its way keeps what it was sent with
        # a new image starts with the settings saved last (without a prompt)
        await add_images(pilot, screen, photos[3:4])
        assert screen.queue.entries[-1].settings.duration == "10" and screen.queue.entries[-1].settings.prompt == ""
        # escape from the list cancels without saving
        dialog = await open_settings(pilot)
        await choose(pilot, dialog.query_one(CameraPresetList), "duration:5")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, VideoSettingsDialog)
        assert screen.queue.entries[-1].settings.duration == "10"


async def test_keys_have_ids_and_no_text_field_on_arrival(make_i2v_app, photos) -> None:
    app = make_i2v_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_img2video(pilot)
        assert not isinstance(app.focused, Input)
        await add_images(pilot, screen, photos[:1])
        ids = {b.id for b in screen.panel.BINDINGS}  # type: ignore[union-attr]
        # regenerate, cancel and export carry the shared ids (tui/action_keys.py), as in every module
        assert {"i2v-add", "i2v-edit", "i2v-generate", "i2v-generate-one", action_keys.REGENERATE,
                action_keys.CANCEL_JOB, "i2v-play", action_keys.EXPORT, "i2v-presets"} <= ids
        active = {b.binding.id for b in screen.active_bindings.values()}
        assert {"i2v-add", "i2v-edit", "i2v-generate", "i2v-generate-one", "i2v-presets"} <= active
        assert action_keys.REGENERATE not in active and action_keys.CANCEL_JOB not in active
        assert "i2v-play" not in active
        await pilot.press("question_mark")
        await pilot.pause()
        text = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "Make one" in text and "Video presets" in text and "i2v-presets" in text
        await pilot.press("escape")
        await pilot.pause()
        # the side panel shows the composed prompt of the highlighted entry
        detail = screen.query_one(EntryDetail)
        assert catalog.VIDEO_DEFAULT_PROMPT in str(detail.query_one("#i2v-prompt", Static).render()).replace("\n", " ")
        # j/k move in the queue
        await add_images(pilot, screen, photos[1:2])
        await select_row(pilot, screen, 0)
        await pilot.press("j")
        assert screen.panel.selected is screen.queue.entries[1]
        await pilot.press("k")
        assert screen.panel.selected is screen.queue.entries[0]
        await pilot.press("4")  # module keys still work here
        await pilot.pause()
        assert app.current_mode == "avatar_studio"
