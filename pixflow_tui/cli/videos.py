"""`pixflow videos generate`: image-to-video with camera presets."""
from __future__ import annotations

import argparse
from typing import Any

from pixflow_tui.cli.paid import PlannedCommand, add_spending_flags, run_planned_batch
from pixflow_tui.config import Settings
from pixflow_tui.core import catalog
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.videos import VideoSettings, build_video_request, video_work


def register(subparsers: Any) -> None:
    videos = subparsers.add_parser("videos", help="turn images into short videos with camera moves")
    commands = videos.add_subparsers(dest="videos_command", metavar="COMMAND", required=True)
    gen = commands.add_parser(
        "generate", help="one video per image",
        description="Camera presets are the exact strings the model understands; quote them. "
                    "Exit codes: 0 all videos made, 1 some failed, 2 bad input (or a paid run without --yes and no terminal "
                    "to ask on), 3 config/database, 4 over budget.",
        epilog="camera movements: " + "; ".join(catalog.CAMERA_MOVEMENTS)
               + "\nshot types: " + "; ".join(catalog.SHOT_TYPES),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    gen.add_argument("images", nargs="+", metavar="IMG", help="source images (JPEG, PNG or WebP up to 10 MB)")
    gen.add_argument("--end-frame", metavar="IMG",
                     help="make a start/end video: a transition from the one IMG to this image "
                          f"(default prompt: {catalog.TRANSITION_DEFAULT_PROMPT})")
    gen.add_argument("--prompt", default="", help=f"motion prompt (default: {catalog.VIDEO_DEFAULT_PROMPT})")
    gen.add_argument("--camera", action="append", default=[], metavar="PRESET",
                     help=f"camera movement, up to {catalog.MAX_CAMERA_MOVEMENTS}")
    gen.add_argument("--speed", choices=catalog.CAMERA_SPEEDS, help="camera speed")
    gen.add_argument("--shot", action="append", default=[], metavar="TYPE",
                     help=f"shot type, up to {catalog.MAX_SHOT_TYPES}")
    gen.add_argument("--duration", choices=catalog.VIDEO_DURATIONS, default="5", help="seconds (default 5; Hailuo makes 6 for 5)")
    gen.add_argument("--aspect", choices=catalog.VIDEO_ASPECT_RATIOS, default="9:16", help="aspect (default 9:16)")
    gen.add_argument("--model", choices=list(catalog.VIDEO_MODELS), default=catalog.DEFAULT_VIDEO_MODEL,
                     help=f"the video model (default: {catalog.DEFAULT_VIDEO_MODEL})")
    gen.add_argument("--negative-prompt", default=catalog.VIDEO_DEFAULT_NEGATIVE,
                     help="what the video should avoid (default: the usual artefacts)")
    gen.add_argument("--cfg", type=float, default=catalog.VIDEO_DEFAULT_CFG, help="cfg scale (default 0.5)")
    add_spending_flags(gen)
    gen.add_argument("--json", action="store_true", help="print the result as JSON")
    gen.set_defaults(handler=run_generate)


def run_generate(args: argparse.Namespace, settings: Settings) -> int:
    video = VideoSettings(prompt=args.prompt, movements=args.camera, speed=args.speed, shots=args.shot,
                          duration=args.duration, aspect_ratio=args.aspect, model=args.model,
                          negative_prompt=args.negative_prompt, cfg_scale=args.cfg)

    def plan_videos(ctx: AppContext) -> PlannedCommand:
        if args.end_frame and len(args.images) != 1:
            raise InputError(f"a start/end video takes one start frame and --end-frame; {len(args.images)} "
                             "images were given")
        requests = [build_video_request(ctx, image, video, end_image=args.end_frame) for image in args.images]
        count = len(requests)
        seconds = str(requests[0].arguments.get("duration", video.duration))
        details = {"videos": count, "model": requests[0].model, "provider": ctx.media_provider_name,
                   "prompt": requests[0].arguments["prompt"], "duration": seconds, "settings": video.to_dict()}
        length = f"length: {seconds} s" + (f" (the model has no {video.duration} s)"
                                           if seconds != video.duration else "")
        human = [f"plan: {count} video{'' if count == 1 else 's'} with {details['model']} via {details['provider']}",
                 f"prompt: {details['prompt']}", length]
        return PlannedCommand(video_work(ctx, requests), details, human)

    return run_planned_batch(settings, args, plan_videos, noun="video")
