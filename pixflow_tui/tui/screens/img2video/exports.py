"""Finished videos: play one with the system player, copy one to a folder, or export them all as a zip."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from textual.widget import Widget

from pixflow_tui.core.formatting import plural
from pixflow_tui.tui.clipboard import copy_text
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, PathInputDialog
from pixflow_tui.tui.screens.img2video.background import in_thread
from pixflow_tui.workflows.img2video import VideoInfo
from pixflow_tui.workflows.img2video_export import ZIP_NAME, VideoExport, copy_video, export_videos_zip, play_video


def play(node: Widget, video: VideoInfo) -> None:
    in_thread(node, "Opening the video", partial(play_video, video.path), partial(_played, node, video))


def _played(node: Widget, video: VideoInfo, shown: bool) -> None:
    if shown:
        node.notify(f"Playing {Path(video.path).name} with the system player", title="Img2Video")
    else:
        node.notify(f"No display here to play it on. The video is at {video.path}", title="Img2Video", timeout=15)
        copy_text(node, video.path, "Its path")


def export(node: Widget, this: VideoInfo | None, videos: list[VideoInfo], folder: Path) -> None:
    """Ask what to export (all as a zip, or only `this` one) when there is a choice, then where (in `folder`,
    the exports folder of every module, unless changed)."""
    choices = [("zip", f"All {plural(len(videos), 'video')} as a zip with their prompts")]
    if this is not None:
        choices.append(("one", f"Only this video, copied to a folder · {Path(this.path).name}"))
    if len(choices) == 1:
        _ask_where(node, this, videos, folder, "zip")
        return
    node.app.push_screen(ChoiceDialog("Export videos", choices),
                         callback=partial(_ask_where, node, this, videos, folder))


def _ask_where(node: Widget, this: VideoInfo | None, videos: list[VideoInfo], folder: Path, how: str | None) -> None:
    if how == "one" and this is not None:
        node.app.push_screen(PathInputDialog("Copy the video to a folder", "The folder is created when missing.",
                                             value=f"{folder}/", must_exist=False, want="dir"),
                             callback=partial(_copy, node, this))
    elif how == "zip":
        node.app.push_screen(PathInputDialog("Export all videos as a zip", "Videos plus prompts.json and "
                                             "prompts.txt; an existing file is never overwritten.",
                                             value=str(folder / ZIP_NAME), must_exist=False, want="any"),
                             callback=partial(_zip, node, videos))


def _copy(node: Widget, video: VideoInfo, target: Path | None) -> None:
    if target:
        in_thread(node, "Exporting videos", partial(copy_video, video, target),
                  lambda path: node.notify(f"Copied to {path}", title="Img2Video", timeout=12))


def _zip(node: Widget, videos: list[VideoInfo], target: Path | None) -> None:
    if target:
        in_thread(node, "Exporting videos", partial(export_videos_zip, videos, target), partial(_zipped, node))


def _zipped(node: Widget, result: VideoExport) -> None:
    missing = f" ({len(result.missing)} missing files skipped)" if result.missing else ""
    node.notify(f"Exported {plural(result.files, 'video')} to {result.path}{missing}", title="Img2Video", timeout=12)
