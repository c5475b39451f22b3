"""`pixflow voices list|preview`: the ten voices and a short sample of each (made once, then kept)."""
from __future__ import annotations

import argparse
from typing import Any

from pixflow_tui.cli.common import ExitCode, print_json
from pixflow_tui.cli.paid import add_spending_flags, spend_and_drive
from pixflow_tui.cli.session import with_context
from pixflow_tui.config import Settings
from pixflow_tui.workflows.context import AppContext


def register(subparsers: Any) -> None:
    voices = subparsers.add_parser("voices", help="the voices for speech, with a preview sample of each")
    commands = voices.add_subparsers(dest="voices_command", metavar="COMMAND", required=True)
    listing = commands.add_parser("list", help="the ten voices, their descriptions and samples made so far")
    listing.add_argument("--json", action="store_true", help="print the result as JSON")
    listing.set_defaults(handler=run_list)
    preview = commands.add_parser("preview", help="a voice's sample: made once (a short paid speech job), then "
                                                  "played where there is a display, else its path printed")
    preview.add_argument("voice", metavar="NAME", help="the voice (see `voices list`)")
    add_spending_flags(preview)
    preview.add_argument("--json", action="store_true", help="print the result as JSON")
    preview.set_defaults(handler=run_preview)


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    from pixflow_tui.workflows.voices import list_voices

    def body(ctx: AppContext) -> int:
        listed = list_voices(ctx)
        if args.json:
            print_json([v.describe() for v in listed])
        else:
            for voice in listed:
                print(f"{voice.name:<8} {voice.description:<22} {voice.preview or '(no sample yet)'}")
        return ExitCode.OK

    return with_context(settings, body)


def run_preview(args: argparse.Namespace, settings: Settings) -> int:
    from pixflow_tui.workflows.asset_monster import ViewerLauncher
    from pixflow_tui.workflows.voices import plan_voice_preview, voice_info

    def body(ctx: AppContext) -> int:
        plan = plan_voice_preview(ctx, args.voice)
        if plan is not None:
            spent = spend_and_drive(ctx, plan, args, details={"voice": args.voice},
                                    human=[f"plan: a preview sample of {args.voice}"])
            stop = spent.stop if spent.stop is not None else spent.stopped(args, {"voice": args.voice})
            if stop is not None:
                return stop
        voice = voice_info(ctx, args.voice)
        if voice.preview is None:
            print(f"pixflow: the sample of {voice.name} could not be made; see `pixflow jobs list`")
            return ExitCode.FAILED
        played = None if args.json else ViewerLauncher().open(voice.preview)
        if args.json:
            print_json(voice.describe())
        else:
            print(played or f"playing {voice.preview}")
        return ExitCode.OK

    return with_context(settings, body)
