"""The Img2Video workflow without the UI: queue file, relinking after a crash, planning (never twice), selection
rules, the system player command."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixflow_tui.core.jobs import JobState
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.img2video import (
    DRAFT,
    QueueFile,
    VideoQueue,
    entry_statuses,
    load_queue,
    plan_one,
    plan_pending,
    queue_path,
    run_plan,
)
from pixflow_tui.workflows.img2video_camera import camera_summary, toggle_movement, toggle_shot, toggle_speed
from pixflow_tui.workflows.img2video_export import player_command


@pytest.fixture
def ctx(settings):  # type: ignore[no-untyped-def]
    context = AppContext(settings)
    yield context
    context.close()


def test_jobs_made_before_a_crash_are_relinked_and_never_sent_again(ctx: AppContext, photos: list[Path]) -> None:
    file = QueueFile(queue_path(ctx))
    queue = VideoQueue()
    for photo in photos[:3]:
        queue.add(str(photo))
    file.write(queue.to_dict(), 1)
    plan = plan_pending(ctx, queue.entries, entry_statuses(ctx, queue.entries))
    assert plan.count == 3 and plan.headline() == "Generate 3 videos"
    run_plan(ctx, plan.videos[:2], None)  # jobs written… and the process dies before the queue file is saved
    again, notes = load_queue(ctx, QueueFile(queue_path(ctx)))
    assert notes == []
    linked = [e.job_ids for e in again.entries]
    assert [len(ids) for ids in linked] == [1, 1, 0] and again.batch_id is not None
    statuses = entry_statuses(ctx, again.entries)
    assert [statuses[e.id].state for e in again.entries] == [JobState.PENDING, JobState.PENDING, DRAFT]
    replan = plan_pending(ctx, again.entries, statuses)
    assert [v.entry_id for v in replan.videos] == [again.entries[2].id]
    assert replan.headline() == "Generate 1 more video" and replan.others == 2
    # and the file itself was repaired
    assert [e["job_ids"] for e in json.loads(queue_path(ctx).read_text())["entries"]] == linked


def test_failed_entries_retry_when_unchanged_and_start_anew_when_changed(ctx: AppContext, photos) -> None:
    queue = VideoQueue()
    first, second = queue.add(str(photos[0])), queue.add(str(photos[1]))
    result = run_plan(ctx, plan_pending(ctx, queue.entries, {}), None)
    for entry in queue.entries:
        entry.job_ids.append(result.links[entry.id])
    # the first failed after the provider made it (only the download failed), the second before
    ctx.store.jobs.update(first.job_id, status=JobState.FAILED, result={"outputs": [{"url": "http://x/v.mp4"}]},
                          error="download failed")
    ctx.store.jobs.update(second.job_id, status=JobState.FAILED, error="content policy")
    statuses = entry_statuses(ctx, queue.entries)
    plan = plan_pending(ctx, queue.entries, statuses)
    by_entry = {v.entry_id: v for v in plan.videos}
    assert by_entry[first.id].retry_job_id == first.job_id and by_entry[first.id].cost == 0.0
    assert by_entry[second.id].retry_job_id == second.job_id  # unchanged settings: the same job again
    second.settings.movements = ["camera tilts up"]
    plan = plan_pending(ctx, queue.entries, statuses)
    fresh = next(v for v in plan.videos if v.entry_id == second.id)
    assert fresh.request is not None and fresh.parent_job_id == second.job_id and fresh.cost == 0.35
    assert "camera tilts up" in fresh.request.arguments["prompt"]
    # an entry on its way cannot be planned again
    ctx.store.jobs.update(first.job_id, status=JobState.RUNNING, result=None)
    with pytest.raises(ValueError, match="cancel it first"):
        plan_one(ctx, first, entry_statuses(ctx, [first])[first.id])


def test_missing_source_image_is_refused_by_name(ctx: AppContext, photos, tmp_path: Path) -> None:
    gone = tmp_path / "gone.png"
    gone.write_bytes(photos[0].read_bytes())
    queue = VideoQueue()
    queue.add(str(gone))
    queue.add(str(photos[1]))
    gone.unlink()
    plan = plan_pending(ctx, queue.entries, {})
    assert plan.count == 1 and plan.refused == [f"gone.png: source image {gone} does not exist"]


def test_queue_file_keeps_order_and_sets_damage_aside(ctx: AppContext, photos) -> None:
    file = QueueFile(queue_path(ctx))
    queue = VideoQueue()
    queue.add(str(photos[0]))
    newer = queue.to_dict()
    queue.add(str(photos[1]))
    assert file.write(queue.to_dict(), 2) is True
    assert file.write(newer, 1) is False  # an older save finishing late never wins
    assert len(file.read()[0].entries) == 2
    file.path.write_text("{not json")
    empty, notes = file.read()
    assert empty.entries == [] and "could not be read" in notes[0]
    assert list(file.path.parent.glob("*.damaged-*"))[0].read_text() == "{not json"


def test_selection_rules_and_summary() -> None:
    moves = toggle_movement([], "camera tilts up")
    for move in ("the camera zooms out", "handheld device filming", "camera orbits around"):
        moves = toggle_movement(moves, move)
    assert moves == ["the camera zooms out", "handheld device filming", "camera orbits around"]
    assert toggle_movement(moves, "handheld device filming") == ["the camera zooms out", "camera orbits around"]
    shots, note = toggle_shot(["a", "b", "c"], "d")
    assert shots == ["a", "b", "c"] and note and "up to 3" in note
    assert toggle_speed("slow", "slow") is None and toggle_speed("slow", "fast") == "fast"
    assert camera_summary({"movements": ["the camera zooms in", "camera pans right"], "speed": "slow",
                           "shots": ["medium shot"]}) == "zooms in + pans right · slow · medium shot"


@pytest.mark.parametrize("env, platform, expected", [
    ({}, "linux", None),
    ({"DISPLAY": ":0"}, "linux", ["/usr/bin/xdg-open", "v.mp4"]),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", ["/usr/bin/xdg-open", "v.mp4"]),
    ({}, "darwin", ["open", "v.mp4"]),
    ({"SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"}, "darwin", None),
])
def test_player_only_where_there_is_a_screen(monkeypatch, env, platform, expected) -> None:  # type: ignore[no-untyped-def]
    from pixflow_tui.workflows import img2video_export

    monkeypatch.setattr(img2video_export.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert player_command("v.mp4", env, platform) == expected


@pytest.mark.parametrize("size,preferred,expected", [
    ((1200, 900), "9:16", "16:9"),  # a 4:3 photo stays landscape
    ((900, 1200), "9:16", "9:16"),  # portrait: the saved aspect ratio is kept
    ((1000, 1000), "9:16", "1:1"),
    ((1920, 1080), "1:1", "16:9"),
    ((1920, 1080), "16:9", "16:9"),
])
def test_a_new_draft_keeps_the_image_s_orientation(tmp_path: Path, size, preferred: str, expected: str) -> None:
    from PIL import Image

    photo = tmp_path / "photo.jpg"
    Image.new("RGB", size, "teal").save(photo)
    queue = VideoQueue()
    queue.defaults.aspect_ratio = preferred
    assert queue.add(str(photo)).settings.aspect_ratio == expected
    assert queue.defaults.aspect_ratio == preferred  # the saved settings are not changed
