"""`pixflow library favorite add`: keep a prompt, or an image's prompt, among the favourites (the same workflow
functions Prompt Factory's and the Library's favourite keys call)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixflow_tui.cli.common import ExitCode, print_json
from pixflow_tui.cli.session import with_context
from pixflow_tui.config import Settings

if TYPE_CHECKING:  # loaded when `favorite add` runs: every `library` command registers it (pydantic stays out)
    from pixflow_tui.core.prompt_schema import PromptOutput
    from pixflow_tui.workflows.context import AppContext

EXIT_HELP = "Exit codes: 0 saved, 2 bad input (no such image or product, an unreadable prompt), 3 config/database."


def register(commands: Any) -> None:
    favorite = commands.add_parser("favorite", help="add a favourite prompt", description=EXIT_HELP)
    actions = favorite.add_subparsers(dest="favorite_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="favourite a prompt, or the prompt an image was made from",
                             description=EXIT_HELP)
    source = add.add_mutually_exclusive_group(required=True)
    source.add_argument("--image", metavar="ID", help="the prompt of this Library image (ID or image:ID)")
    source.add_argument("--prompt-file", type=Path, metavar="FILE",
                        help="one prompt: a JSON prompt, or a .txt whose text becomes the style line")
    source.add_argument("--text", help="a prompt as plain text (its style line)")
    add.add_argument("--name", default="", help="the favourite's name (default: the concept or the text)")
    add.add_argument("--product", metavar="NAME", help="file it under a product (name or slug)")
    add.add_argument("--json", action="store_true", help="print the result as JSON")
    add.set_defaults(handler=run_add)


def _prompt_of(args: argparse.Namespace) -> PromptOutput:
    from pixflow_tui.core.prompt_import import prompts_from_file_content
    from pixflow_tui.core.prompt_schema import PromptOutput, PromptParseError
    from pixflow_tui.workflows.inputs import InputError

    if args.text is not None:
        if not args.text.strip():
            raise InputError("--text is empty; give the prompt's text")
        return PromptOutput(style=" ".join(args.text.split()))
    path: Path = args.prompt_file
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"prompt file {path} cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        prompts = prompts_from_file_content(path.name, text)
    except PromptParseError as exc:
        raise InputError(f"prompt file {path}: {exc}") from None
    if len(prompts) != 1:
        raise InputError(f"prompt file {path} holds {len(prompts)} prompts; favourite one at a time")
    return prompts[0]


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    from pixflow_tui.workflows.inputs import InputError
    from pixflow_tui.workflows.library import favorite_image_prompt
    from pixflow_tui.workflows.prompts import product_named, save_favorite

    def body(ctx: AppContext) -> int:
        product = product_named(ctx, args.product) if args.product else None
        product_id = product.id if product else None
        if args.image is not None:
            text = args.image.removeprefix("image:")
            if not text.isdigit():
                raise InputError(f"--image takes an image id (or image:ID), not {args.image!r}")
            record = favorite_image_prompt(ctx, int(text), args.name, product_id=product_id)
            favorite_id, name = record.id, record.name
        else:
            prompt = _prompt_of(args)
            name = " ".join(args.name.split()) or prompt.short(60)
            favorite_id = save_favorite(ctx, prompt, name, product_id=product_id)
        if args.json:
            print_json({"favorite_id": favorite_id, "name": name, "product": product.name if product else None})
        else:
            print(f"favourite {favorite_id}: {name}" + (f" ({product.name})" if product else ""))
        return ExitCode.OK

    return with_context(settings, body)
