"""Machines sharing a library and its outputs root keep thumbnails in their own home: a machine that finds no
thumbnail at the stored path makes one of the output itself, once, in its own thumbnails folder."""
from __future__ import annotations

from pathlib import Path

from PIL import Image

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobKind, JobState
from pixflow_tui.tui.screens.library.output_tabs import picture_of
from pixflow_tui.workflows import avatars
from pixflow_tui.workflows import img2video
from pixflow_tui.workflows import library_queries as lq
from pixflow_tui.workflows.context import AppContext
from tests.emulators.media import mp4_bytes


def shared_outputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A video and an image in an outputs root shared by two machines, and the other machine's thumbnails folder."""
    shared = tmp_path / "shared-outputs"
    shared.mkdir()
    video_file = shared / "v.mp4"
    video_file.write_bytes(mp4_bytes(64, 48, duration_s=0.5, fps=8, seed=3))
    image_file = shared / "i.png"
    Image.new("RGB", (32, 24), (10, 200, 30)).save(image_file)
    return video_file, image_file, tmp_path / "other-machine-home" / "thumbnails"


def test_a_thumbnail_made_on_another_machine_is_made_again_here(settings: Settings, tmp_path: Path) -> None:
    video_file, image_file, elsewhere = shared_outputs(tmp_path)
    shared = video_file.parent
    ctx = AppContext(settings)
    try:
        store = ctx.store
        video = store.assets.add(kind="video", local_path=str(video_file),
                                 metadata={"thumbnail": str(elsewhere / "a.jpg")})
        job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={})
        image = store.images.add(job_id=job.id, local_path=str(image_file), file_name="i.png", concept="c",
                                 prompt={}, thumbnail_path=str(elsewhere / "b.jpg"))
        rows = {r.key: r for r in lq.outputs_page(ctx, lq.LibraryFilter()).rows}
        made = Path(rows[f"asset:{video.id}"].thumbnail or "")
        assert made.parent == settings.thumbnails_dir and made.is_file()
        with Image.open(made) as picture:
            assert picture.size[0] <= 384 and picture.format == "JPEG"
        assert rows[f"image:{image.id}"].thumbnail is None  # the grid shows the image itself
        assert picture_of(rows[f"image:{image.id}"]) == str(image_file)
        before = made.stat().st_mtime_ns
        again = lq.output(ctx, f"asset:{video.id}")
        assert again is not None and again.thumbnail == str(made) and made.stat().st_mtime_ns == before
        audio = store.assets.add(kind="audio", local_path=str(video_file))
        assert lq.output(ctx, f"asset:{audio.id}").thumbnail is None
        gone = store.assets.add(kind="video", local_path=str(shared / "missing.mp4"),
                                metadata={"thumbnail": str(elsewhere / "c.jpg")})
        assert lq.output(ctx, f"asset:{gone.id}").thumbnail is None
    finally:
        ctx.close()


def test_a_thumbnail_on_this_machine_is_used_as_stored(settings: Settings, tmp_path: Path) -> None:
    thumb = tmp_path / "t.jpg"
    Image.new("RGB", (8, 8)).save(thumb)
    ctx = AppContext(settings)
    try:
        video = ctx.store.assets.add(kind="video", local_path=str(tmp_path / "none.mp4"),
                                     metadata={"thumbnail": str(thumb)})
        assert lq.output(ctx, f"asset:{video.id}").thumbnail == str(thumb)
    finally:
        ctx.close()


def test_img2video_and_the_avatar_gallery_show_what_this_machine_has(settings: Settings, tmp_path: Path) -> None:
    video_file, image_file, elsewhere = shared_outputs(tmp_path)
    ctx = AppContext(settings)
    try:
        store = ctx.store
        job = store.jobs.create(kind=JobKind.VIDEO, provider="demo", model="m", request={})
        store.jobs.update(job.id, status=JobState.DONE, output_path=str(video_file))
        store.assets.add(kind="video", local_path=str(video_file), job_id=job.id,
                         metadata={"thumbnail": str(elsewhere / "v.jpg")})
        entry = img2video.QueueEntry("e1", str(image_file), img2video.VideoSettings(), job_ids=[job.id])
        video = img2video.entry_status(ctx, entry).video
        assert video is not None and video.thumbnail is not None
        assert Path(video.thumbnail).parent == settings.thumbnails_dir and Path(video.thumbnail).is_file()

        image_job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={})
        image = store.images.add(job_id=image_job.id, local_path=str(image_file), file_name="i.png",
                                 concept="a face", prompt={}, thumbnail_path=str(elsewhere / "face.jpg"))
        marked = avatars.mark_as_avatar(ctx, image.id)
        assert marked.thumbnail is None and marked.path == str(image_file)  # the gallery shows the image itself
        here = tmp_path / "face-thumb.jpg"
        Image.new("RGB", (8, 8)).save(here)
        store.db.execute_sql("UPDATE generated_images SET thumbnail_path = ? WHERE id = ?", (str(here), image.id))
        assert next(a for a in avatars.gallery(ctx) if a.image_id == image.id).thumbnail == str(here)
    finally:
        ctx.close()
