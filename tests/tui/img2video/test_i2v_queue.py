"""The queue on the demo provider: adding (refusals named), drafts across a restart, generate, regenerate, play,
export."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from textual.widgets import Static

from i2v_helpers import (
    add_images,
    add_path,
    confirm,
    dialog,
    dialog_error,
    open_img2video,
    pick,
    select_row,
    states,
    type_text,
    videos_made,
    wait_for,
)
from pixflow_tui.core.jobs import JobState
from pixflow_tui.tui.screens.dialogs import ConfirmDialog, PathInputDialog
from pixflow_tui.tui.screens.img2video.detail import EntryDetail
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.workflows import img2video_export
from pixflow_tui.workflows.inputs import InputError, check_image_file


async def test_bad_images_are_refused_with_their_message(make_i2v_app, photos, tmp_path: Path, notes) -> None:
    fake = tmp_path / "notes.png"
    fake.write_text("not an image at all")
    gif = tmp_path / "anim.gif"
    from PIL import Image

    Image.new("RGB", (8, 8)).save(gif)
    expected = {}
    for path in (fake, gif):
        with pytest.raises(InputError) as refused:
            check_image_file(path, what="source image")
        expected[path] = str(refused.value)
    app = make_i2v_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_img2video(pilot)
        add = await add_path(pilot, fake, keys=True)  # typed key by key, as a user would
        assert isinstance(app.screen, PathInputDialog)
        assert dialog_error(add) == expected[fake] and "it is not an image" in expected[fake]
        await type_text(pilot, str(gif))
        await pilot.press("enter")
        await pilot.pause()
        assert dialog_error(add) == expected[gif] and "use JPEG, PNG or WebP" in expected[gif]
        await type_text(pilot, str(photos[0]))
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.queue.entries) == 1, what="the good image")
        assert screen.queue.entries[0].image == str(photos[0].resolve())
        # images sent from another module are checked too; the bad one is refused by name, the good one added
        app.context.handoff.send_images([str(fake), str(photos[1])])
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("3")
        await wait_for(pilot, lambda: len(screen.queue.entries) == 2, what="the sent image")
        assert expected[fake] in notes.text()
        # a folder adds the images in it
        await add_path(pilot, photos[0].parent)
        await wait_for(pilot, lambda: len(screen.queue.entries) == 2 + len(photos), what="the folder's images")
        assert app.context.store.jobs.list() == []  # adding never spends


async def test_drafts_and_made_videos_survive_a_restart(make_i2v_app, photos) -> None:
    app = make_i2v_app(demo_latency=0.3)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_img2video(pilot)
        await add_images(pilot, screen, photos[:3])
        screen.queue.entries[1].settings.movements = ["camera tilts up"]  # as the settings dialog saves it
        screen.panel.save()
        await select_row(pilot, screen, 0)
        await pilot.press("r")
        await confirm(pilot)
        await wait_for(pilot, lambda: videos_made(screen, 1), what="the first video")
        ids = [e.id for e in screen.queue.entries]
        await pilot.pause(0.2)
    again = make_i2v_app(demo_latency=0.3)
    async with again.run_test(size=(100, 30)) as pilot:
        screen = await open_img2video(pilot)
        assert [e.id for e in screen.queue.entries] == ids
        assert states(screen) == [JobState.DONE, "draft", "draft"]
        assert screen.queue.entries[1].settings.movements == ["camera tilts up"]
        assert screen.panel.status_of(screen.queue.entries[0]).video is not None
        # only the two drafts are generated now
        await pilot.press("ctrl+g")
        found = await dialog(pilot, ConfirmDialog)
        assert found.title_text == "Generate 2 more videos?"
        await pilot.press("y")
        await wait_for(pilot, lambda: states(screen) == [JobState.DONE] * 3, what="all three videos")
        assert len(again.context.store.jobs.list()) == 3


async def test_regenerate_keeps_the_old_video_and_links_the_new_job(make_i2v_app, photos, notes) -> None:
    app = make_i2v_app(demo_latency=0.3)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_img2video(pilot)
        await add_images(pilot, screen, photos[:1])
        await pilot.press("ctrl+g")
        await confirm(pilot)
        await wait_for(pilot, lambda: videos_made(screen, 1), what="the video")
        old = screen.panel.status_of(screen.queue.entries[0]).video
        assert old is not None and Path(old.path).is_file()
        # the side panel shows the first frame and the length
        detail = screen.query_one(EntryDetail)
        await wait_for(pilot, lambda: detail.query_one("#i2v-frame", ImagePreview).path == Path(old.thumbnail),
                       what="the first frame")
        assert "5.0 s" in str(detail.query_one("#i2v-frame-note", Static).render())
        await pilot.press("ctrl+g")  # nothing is pending: nothing is sent again
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmDialog) and "Nothing to generate" in notes.text()
        await pilot.press("r")
        found = await dialog(pilot, ConfirmDialog)
        assert "current video is kept" in found.message
        await pilot.press("y")
        entry = screen.queue.entries[0]
        await wait_for(pilot, lambda: len(entry.job_ids) == 2 and states(screen) == [JobState.DONE],
                       what="the new video")
        jobs = app.context.store.jobs.list()
        assert len(jobs) == 2 and jobs[1].parent_job_id == jobs[0].id
        new = await wait_for(pilot, lambda: screen.panel.status_of(entry).video if screen.panel.status_of(entry).video
                             and screen.panel.status_of(entry).video.job_id == jobs[1].id else None, what="the new video")
        assert Path(old.path).is_file() and Path(new.path).is_file() and new.path != old.path


async def test_export_all_as_zip_and_one_to_a_folder(make_i2v_app, photos, tmp_path: Path, notes) -> None:
    app = make_i2v_app(demo_latency=0.3)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_img2video(pilot)
        await add_images(pilot, screen, photos[:2])
        screen.queue.entries[0].settings.prompt = "hair in the wind"
        screen.queue.entries[0].settings.movements = ["the camera zooms in"]
        await pilot.press("ctrl+g")
        await confirm(pilot)
        await wait_for(pilot, lambda: videos_made(screen, 2), what="both videos")
        await select_row(pilot, screen, 0)
        await pilot.press("e")
        await pick(pilot, "zip")
        await dialog(pilot, PathInputDialog)
        exports = app.context.settings.home / "exports"  # the folder every module exports to
        assert app.screen.query_one("#input").value == str(exports / "img2video_videos.zip")
        await type_text(pilot, str(tmp_path / "out" / "clips.zip"))
        await pilot.press("enter")
        target = tmp_path / "out" / "clips.zip"
        await wait_for(pilot, target.is_file, what="the zip")
        with zipfile.ZipFile(target) as archive:
            names = archive.namelist()
            manifest = json.loads(archive.read("prompts.json"))
            readable = archive.read("prompts.txt").decode()
        videos = sorted(n for n in names if n.startswith("videos/"))
        assert len(videos) == 2 and all(n.endswith(".mp4") for n in videos)
        prompts = {v["file"]: v["prompt"] for v in manifest["videos"]}
        first = next(v for v in manifest["videos"] if v["prompt"].startswith("hair in the wind"))
        assert first["prompt"] == "hair in the wind, the camera zooms in"
        assert first["camera_movements"] == ["the camera zooms in"] and first["duration"] == 5.0
        assert set(prompts) == set(videos) and manifest["demo"] is True
        assert "hair in the wind, the camera zooms in" in readable
        # one video copied into a folder (made when missing), next to its metadata
        await pilot.press("e")
        await pick(pilot, "one")
        await dialog(pilot, PathInputDialog)
        await type_text(pilot, str(tmp_path / "picked"))
        await pilot.press("enter")
        copied = await wait_for(pilot, lambda: list((tmp_path / "picked").glob("*.mp4")), what="the copy")
        assert copied[0].name == Path(screen.panel.status_of(screen.queue.entries[0]).video.path).name
        # a second zip never overwrites the first
        await pilot.press("e")
        await pick(pilot, "zip")
        await dialog(pilot, PathInputDialog)
        await type_text(pilot, str(target))
        await pilot.press("enter")
        await wait_for(pilot, (tmp_path / "out" / "clips-2.zip").is_file, what="the second zip")


async def test_play_uses_the_system_player_only_with_a_display(make_i2v_app, photos, monkeypatch, notes) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(img2video_export.subprocess, "Popen", lambda command, **kw: started.append(command))
    monkeypatch.setattr(img2video_export.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(img2video_export.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = make_i2v_app(demo_latency=0.2)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_img2video(pilot)
        await add_images(pilot, screen, photos[:1])
        await pilot.press("o")  # no video yet: the key does nothing
        await pilot.press("ctrl+g")
        await confirm(pilot)
        video = await wait_for(pilot, lambda: screen.panel.status_of(screen.queue.entries[0]).video, what="the video")
        await pilot.press("o")
        await wait_for(pilot, lambda: "No display here" in notes.text(), what="the path instead")
        assert started == [] and video.path in notes.text() and app.clipboard == video.path
        monkeypatch.setenv("DISPLAY", ":0")
        await pilot.press("o")
        await wait_for(pilot, lambda: started, what="the player")
        assert started == [["/usr/bin/xdg-open", video.path]]
