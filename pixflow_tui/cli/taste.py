"""`pixflow taste show`: what a person's ratings say they like and dislike, per prompt section, with the counts
and confidence behind each pattern (core/taste.py explains them)."""
from __future__ import annotations

import argparse
from typing import Any

from pixflow_tui.cli.common import ExitCode, error, print_json
from pixflow_tui.config import Settings
from pixflow_tui.workflows.cli_support import open_context
from pixflow_tui.workflows.inputs import InputError

EXIT_HELP = "Exit codes: 0 success, 1 no such product, 2 usage, 3 config/database."


def register(subparsers: Any) -> None:
    taste = subparsers.add_parser("taste", help="your taste, learned from liked and disliked images",
                                  description=EXIT_HELP)
    commands = taste.add_subparsers(dest="taste_command", metavar="COMMAND", required=True)
    show = commands.add_parser("show", help="the strongest liked and disliked prompt patterns per section",
                               description=EXIT_HELP)
    show.add_argument("--product", metavar="NAME",
                      help="one product (name or slug; 'none' for images of no product); default all products")
    show.add_argument("--limit", type=int, default=5, help="patterns per section and side (default 5)")
    show.add_argument("--json", action="store_true", help="the whole profile as JSON, every pattern with its counts")
    show.set_defaults(handler=run_show)


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    from pixflow_tui.core.taste import SECTION_TITLES, TASTE_FIELDS
    from pixflow_tui.workflows import taste

    if args.limit < 1:
        error("--limit must be at least 1")
        return ExitCode.USAGE
    ctx = open_context(settings)
    if ctx is None:
        return ExitCode.CONFIG
    try:
        profile = taste.profile(ctx, taste.scope_named(ctx, args.product))
        person = taste.person(ctx)
    except InputError as exc:
        error(str(exc))
        return ExitCode.FAILED
    finally:
        ctx.close()
    if args.json:
        print_json({"person": person, **profile.to_json()})
        return ExitCode.OK
    print(f"Taste of {person} for {profile.product}: {profile.total_liked} liked, {profile.total_disliked} "
          "disliked images")
    if not profile.ratings:
        print("No rated images yet: rate images with l (like) and d (dislike), or `pixflow rate ID like`.")
        return ExitCode.OK
    for section in TASTE_FIELDS:
        rows = [(side, stat) for side in ("liked", "disliked") for stat in profile.leaning(side, section, args.limit)]
        if not rows:
            continue
        print(f"\n{SECTION_TITLES[section]}")
        for side, stat in rows:
            print(f"  {'+' if side == 'liked' else '-'} {stat.value}: {stat.explain()}")
    if not any(profile.leaning(side, limit=1) for side in ("liked", "disliked")):
        print("\nNo pattern leans clearly yet; rate more images.")
    return ExitCode.OK
