"""`pixflow images generate`: a batch of images from a concept, a prompts file, history or a favourite."""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
from pathlib import Path
from typing import Any

from pixflow_tui.cli import images_transform
from pixflow_tui.core.formatting import plural
from pixflow_tui.cli.common import ExitCode, error, print_json, stopped_exit
from pixflow_tui.cli.paid import add_spending_flags, settle
from pixflow_tui.cli.progress import batch_progress
from pixflow_tui.config import ASPECT_RATIOS, IMAGE_FORMATS, RESOLUTIONS, Settings
from pixflow_tui.core.prompt_import import prompts_from_file_content
from pixflow_tui.core.prompt_schema import PromptOutput, PromptParseError
from pixflow_tui.workflows import prompts as prompt_flow
from pixflow_tui.workflows.cli_support import drive_until_done, open_context, summarize_batch
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.images import image_batch_work, plan_image_batch, prompt_source
from pixflow_tui.workflows.paid_work import BudgetExceeded, commit
from pixflow_tui.workflows.inputs import InputError, check_concept, check_count


def register(subparsers: Any) -> None:
    images = subparsers.add_parser("images", help="generate batches of images")
    commands = images.add_subparsers(dest="images_command", metavar="COMMAND", required=True)
    gen = commands.add_parser("generate", help="generate a batch of images",
                              description="Generate images from prompts. Exit codes: 0 all images made, 1 some "
                                          "failed, 2 usage, 3 config/database, 4 over budget, 130 interrupted.")
    source = gen.add_mutually_exclusive_group(required=True)
    source.add_argument("--concept", help="write prompts from this concept first (1–300 characters)")
    source.add_argument("--prompts-file", type=Path, help="JSON list, JSONL, or TXT (one per line or blocks)")
    source.add_argument("--from-history", type=int, metavar="ID", help="the prompts of a history entry")
    source.add_argument("--from-favorite", type=int, metavar="ID", help="the prompt of a favourite")
    gen.add_argument("-n", "--count", type=int, default=4, help="prompts to write from --concept (1–10, default 4)")
    gen.add_argument("--ref", action="append", default=[], metavar="IMAGE", help="reference image (up to 5)")
    gen.add_argument("--aspect", choices=ASPECT_RATIOS, help="aspect ratio (default from settings)")
    gen.add_argument("--resolution", choices=RESOLUTIONS, help="resolution (default from settings)")
    gen.add_argument("--format", choices=IMAGE_FORMATS, help="image format (default from settings)")
    gen.add_argument("--variants", type=int, default=1, help="images per prompt, 1–4 (default 1)")
    gen.add_argument("--concurrency", type=int, help="jobs at the provider at once (default from settings)")
    add_spending_flags(gen)
    gen.add_argument("--json", action="store_true", help="print the result as JSON")
    gen.set_defaults(handler=run_generate)
    images_transform.register(commands)


def _load_prompts(ctx: AppContext, args: argparse.Namespace) -> tuple[list[PromptOutput], str, dict[str, Any]]:
    if args.prompts_file is not None:
        path: Path = args.prompts_file
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"prompts file {path} cannot be read: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise InputError(f"prompts file {path} is not UTF-8 text") from None
        prompts = prompts_from_file_content(path.name, text)
        if not prompts:
            raise InputError(f"prompts file {path} holds no prompts")
        return prompts, path.stem, {"source": "file", "source_file": str(path)}
    if args.from_history is not None:
        entry = ctx.store.history.get(args.from_history)
        if entry is None:
            raise InputError(f"there is no history entry {args.from_history} (see `pixflow library history`)")
        return ([PromptOutput.model_validate(p) for p in entry.prompts], entry.concept,
                prompt_source("history", entry.product_id, history_id=entry.id))
    favorite = ctx.store.favorites.get(args.from_favorite)
    if favorite is None:
        raise InputError(f"there is no favourite {args.from_favorite} (see `pixflow library favorites`)")
    return ([PromptOutput.model_validate(favorite.prompt)], favorite.concept or favorite.name,
            prompt_source("favorite", favorite.product_id, favorite_id=favorite.id))


def run_generate(args: argparse.Namespace, settings: Settings) -> int:
    if args.concurrency is not None:
        if not 1 <= args.concurrency <= 64:
            error("--concurrency must be 1–64")
            return ExitCode.USAGE
        settings = dataclasses.replace(settings, concurrency=args.concurrency)
    ctx = open_context(settings)
    if ctx is None:
        return ExitCode.CONFIG
    try:
        return _generate(ctx, args)
    except BudgetExceeded as exc:  # the budget changed between the plan and the commit
        error(str(exc))
        return ExitCode.BUDGET
    except (InputError, PromptParseError, prompt_flow.PromptGenerationError) as exc:
        error(str(exc))
        return ExitCode.FAILED if isinstance(exc, prompt_flow.PromptGenerationError) else ExitCode.USAGE
    except KeyboardInterrupt:
        error("interrupted; submitted jobs keep running at the provider — `pixflow jobs resume` finishes them")
        return ExitCode.INTERRUPTED
    finally:
        ctx.close()


def _generate(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.concept is not None:
        concept = check_concept(args.concept)
        count = check_count(args.count, 1, 10, "the prompt count (-n)")
        # the plan is priced before any prompt is written, so a dry run spends nothing at all
        prompts, source = [PromptOutput(style=concept)] * count, {"source": "concept"}
    else:
        prompts, concept, source = _load_prompts(ctx, args)
    plan = plan_image_batch(ctx, prompts, concept=concept, references=args.ref, aspect_ratio=args.aspect,
                            resolution=args.resolution, output_format=args.format, variants=args.variants,
                            source=source)
    description = plan.describe()
    if args.concept is not None:
        description["prompt_texts"] = [f"(written from the concept when the batch runs: {plural(count, 'prompt')})"]
    stop = settle(image_batch_work(ctx, plan), args, details=description, human=_plan_lines(description))
    if stop is not None:
        return stop
    if args.concept is not None:
        written = asyncio.run(prompt_flow.generate_prompts(ctx, concept, count))
        plan = plan_image_batch(ctx, written.prompts, concept=concept, references=args.ref,
                                aspect_ratio=args.aspect, resolution=args.resolution, output_format=args.format,
                                variants=args.variants, source={"source": "concept", "history_id": written.history_id})
    batch_id = commit(ctx, image_batch_work(ctx, plan)).batch_id
    assert batch_id is not None
    with batch_progress(ctx, {batch_id: len(plan.jobs)}, enabled=not args.json):
        driven = asyncio.run(drive_until_done(ctx, batch_ids=[batch_id]))
    summary = summarize_batch(ctx, batch_id)
    stopped = stopped_exit(driven)
    if stopped is not None:
        if args.json:
            print_json({**summary, "stopped": driven.stopped, "at_provider": driven.at_provider})
        return stopped
    if args.json:
        print_json(summary)
    else:
        for job in summary["jobs"]:
            where = job["output_path"] or job["error"] or job["status"]
            print(f"{job['job_id']:>6}  {job['status']:<10} {where}")
        print(f"batch {batch_id}: {summary['status']}, {summary['done']}/{plural(summary['total'], 'image')}"
              f"{' (demo output)' if plan.provider == 'demo' else ''}, cost ${summary['cost']:.2f}")
    return ExitCode.OK if summary["done"] == summary["total"] else ExitCode.FAILED


def _plan_lines(description: dict[str, Any]) -> list[str]:
    lines = [f"plan: {plural(description['images'], 'image')} from {plural(description['prompts'], 'prompt')} × "
             f"{plural(description['variants'], 'variant')}, {description['aspect_ratio']} {description['resolution']} "
             f"{description['output_format']}, model {description['model']} via {description['provider']}"]
    return lines + [f"  {number:>2}. {text}" for number, text in enumerate(description["prompt_texts"], 1)]
