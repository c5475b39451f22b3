"""Getting Img2Video's videos out: copy one to a folder, zip all with their prompts, play one with the system
player when the machine has a display."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pixflow_tui.workflows.exports import free_path
from pixflow_tui.workflows.img2video import VideoInfo
from pixflow_tui.workflows.inputs import InputError

ZIP_NAME = "img2video_videos.zip"  # the name the original app's zip download used


def copy_video(video: VideoInfo, folder: str | Path) -> Path:
    """Copy the video (and its metadata sidecar) into `folder`, created when missing; returns the new path."""
    source = Path(video.path)
    if not source.is_file():
        raise InputError(f"the video file {source} is missing")
    target_dir = Path(folder).expanduser()
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        target = free_path(target_dir / source.name)
        temporary = target.with_name(f".{target.name}.part")
        shutil.copyfile(source, temporary)
        temporary.replace(target)
        sidecar = source.with_name(source.name + ".json")
        if sidecar.is_file():
            shutil.copyfile(sidecar, target.with_name(target.name + ".json"))
    except OSError as exc:
        raise InputError(f"cannot copy to {target_dir}: {exc.strerror or exc}") from None
    return target


@dataclass(frozen=True)
class VideoExport:
    path: Path
    files: int
    missing: list[str]


def _entry(video: VideoInfo, name: str | None) -> dict[str, Any]:
    camera = video.settings
    return {"file": name, "prompt": video.prompt, "source_image": video.source_image, "duration": video.duration,
            "aspect_ratio": camera.get("aspect_ratio"), "camera_movements": camera.get("movements", []),
            "camera_speed": camera.get("speed"), "shot_types": camera.get("shots", []),
            "negative_prompt": camera.get("negative_prompt"), "cfg_scale": camera.get("cfg_scale"),
            "model": video.model, "provider": video.provider, "job_id": video.job_id,
            "regenerated_from_job": video.parent_job_id}


def export_videos_zip(videos: list[VideoInfo], destination: str | Path) -> VideoExport:
    """A zip of the video files plus `prompts.json` (prompt, camera, source per video) and a readable
    `prompts.txt`. Written under a temporary name first; an existing file is never overwritten."""
    if not videos:
        raise InputError("there are no finished videos to export yet")
    target = Path(destination).expanduser()
    if target.is_dir():
        target = target / ZIP_NAME
    if target.suffix.lower() != ".zip":
        target = target.with_name(target.name + ".zip")
    target = free_path(target)
    temporary = target.with_name(f".{target.name}.part")
    entries, missing, taken = [], [], set()
    lines = []
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED) as archive:
            for video in videos:
                source = Path(video.path)
                name: str | None = None
                if source.is_file():
                    name = f"videos/{source.name}"
                    number = 2
                    while name in taken:
                        name = f"videos/{source.stem}-{number}{source.suffix}"
                        number += 1
                    taken.add(name)
                    archive.write(source, name)
                    lines.append(f"{name}\n  {video.prompt}\n")
                else:
                    missing.append(str(source))
                entries.append(_entry(video, name))
            manifest = {"exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                        "demo": any(v.provider == "demo" for v in videos), "videos": entries}
            archive.writestr("prompts.json", json.dumps(manifest, indent=2, ensure_ascii=False))
            archive.writestr("prompts.txt", "\n".join(lines))
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return VideoExport(target, len(videos) - len(missing), missing)


def player_command(path: str | Path, env: Mapping[str, str] | None = None,
                   platform: str | None = None) -> list[str] | None:
    """The command that plays `path` on this machine's screen, or None when there is no screen to play on
    (a plain SSH session): then the caller shows the path instead."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform == "darwin":
        if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
            return None  # `open` would play it on the remote Mac's screen, not the user's
        return ["open", str(path)]
    if platform.startswith("win"):
        return ["cmd", "/c", "start", "", str(path)]
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        opener = shutil.which("xdg-open")
        return [opener, str(path)] if opener else None
    return None


def play_video(path: str | Path) -> bool:
    """Start the system player without waiting for it; False when this machine cannot show it."""
    if not Path(path).is_file():
        raise InputError(f"the video file {path} is missing")
    command = player_command(path)
    if command is None:
        return False
    try:
        subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError as exc:
        raise InputError(f"cannot start {command[0]}: {exc.strerror or exc}") from None
    return True
