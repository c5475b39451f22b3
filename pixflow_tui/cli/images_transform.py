"""`pixflow images transform`: Img2Img — remake images with a prompt through the edit model (paid when live)."""
from __future__ import annotations

import argparse
from typing import Any

from pixflow_tui.cli.paid import PlannedCommand, add_spending_flags, run_planned_batch
from pixflow_tui.config import RESOLUTIONS, Settings
from pixflow_tui.core import catalog
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.img2img import TransformSettings, plan_transform


def register(commands: Any) -> None:
    low, high = catalog.IMG2IMG_OUTPUTS_RANGE
    transform = commands.add_parser(
        "transform", help="remake images with a prompt (Img2Img, the edit model)",
        description="Each image is remade as the prompt says, N outputs each; every output links to its source. "
                    "Exit codes: 0 all images made, 1 some failed, 2 bad input (or a paid run without --yes and no "
                    "terminal to ask on), 3 config/database, 4 over budget, 130 interrupted.")
    transform.add_argument("images", nargs="+", metavar="IMG",
                           help="image files, or Library images as image:ID (up to "
                                f"{catalog.IMG2IMG_MAX_SOURCES})")
    transform.add_argument("--prompt", required=True, help="what to change")
    transform.add_argument("-n", "--outputs", type=int, default=1, help=f"outputs per image, {low}–{high} (default 1)")
    transform.add_argument("--aspect", choices=catalog.IMG2IMG_ASPECT_RATIOS, default="9:16",
                           help="aspect ratio (default 9:16)")
    transform.add_argument("--resolution", choices=RESOLUTIONS, default="2K", help="resolution (default 2K)")
    transform.add_argument("--format", choices=catalog.IMG2IMG_FORMATS, default="jpeg", help="format (default jpeg)")
    add_spending_flags(transform)
    transform.add_argument("--json", action="store_true", help="print the result as JSON")
    transform.set_defaults(handler=run_transform)


def run_transform(args: argparse.Namespace, settings: Settings) -> int:
    chosen = TransformSettings(args.prompt, args.outputs, args.aspect, args.resolution, args.format)

    def plan_images(ctx: AppContext) -> PlannedCommand:
        plan = plan_transform(ctx, args.images, chosen)
        sources = len(args.images)
        human = [f"plan: {plan.count} image{'' if plan.count == 1 else 's'} from {sources} source"
                 f"{'' if sources == 1 else 's'}, {args.aspect} {args.resolution} {args.format}",
                 f"prompt: {' '.join(args.prompt.split())}"]
        return PlannedCommand(plan, {"images": sources, "outputs": plan.count, **chosen.to_dict()}, human)

    return run_planned_batch(settings, args, plan_images, noun="image")
