"""`pixflow library …`, `pixflow rate`, `pixflow export`, `pixflow presets`: the Library from the command line.

Exit codes: 0 success, 1 the command ran but failed (no such image, unreadable file), 2 usage, 3 config/database.
"""
from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pixflow_tui.cli import favorites as favorites_cli
from pixflow_tui.core.formatting import local_time, plural
from pixflow_tui.cli.common import NOTHING_FOUND, ExitCode, error, plain_value, print_json
from pixflow_tui.config import Settings
from pixflow_tui.workflows import library_queries as lq
from pixflow_tui.workflows import presets as presets_flow
from pixflow_tui.workflows.cli_support import open_context
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.library import images_for_export
from pixflow_tui.workflows.lineage import lineage

EXIT_HELP = "Exit codes: 0 success, 1 failed (no such image or batch, unreadable file), 2 usage, 3 config/database."
KINDS = {"image": ("image",), "video": ("video",), "audio": ("audio",), "avatar": ("lipsync", "avatar")}


def register(subparsers: Any) -> None:
    library = subparsers.add_parser("library", help="list and curate history, favourites, outputs and batches",
                                    description=EXIT_HELP)
    commands = library.add_subparsers(dest="library_command", metavar="COMMAND", required=True)
    for name, kinds, text in (("images", ("image",), "generated images, newest first"),
                              ("assets", None, "every output: images, videos, audio, avatars")):
        listing = commands.add_parser(name, help=text, description=EXIT_HELP, epilog=NOTHING_FOUND)
        _listing_flags(listing)
        if kinds is None:
            listing.add_argument("--kind", choices=sorted(KINDS), help="only this kind of output")
        listing.add_argument("--rating", choices=["like", "dislike", "none"], help="liked, disliked or unrated")
        listing.add_argument("--concept", help="concept contains this text")
        listing.add_argument("--batch", type=int, help="only this batch")
        listing.add_argument("--model", help="made by this model")
        listing.add_argument("--tag", help="its batch has this tag")
        listing.add_argument("--dates", help="7d, 2w, today, 2024-05, 2024-05-01..2024-06-15")
        listing.set_defaults(handler=run_outputs, kinds=kinds)
    history = commands.add_parser("history", help="prompt history (concept, prompt count, date)",
                                  description=EXIT_HELP, epilog=NOTHING_FOUND)
    _listing_flags(history)
    history.add_argument("--delete", type=int, metavar="ID", help="delete this history entry")
    history.add_argument("--clear", action="store_true", help="delete every history entry (needs --yes)")
    history.add_argument("--yes", action="store_true", help="confirm --clear")
    history.set_defaults(handler=run_history)
    favorites = commands.add_parser("favorites", help="favourite prompts", description=EXIT_HELP,
                                    epilog=NOTHING_FOUND)
    _listing_flags(favorites)
    favorites.add_argument("--rename", nargs=2, metavar=("ID", "NAME"), help="rename a favourite")
    favorites.add_argument("--delete", type=int, metavar="ID", help="delete a favourite")
    favorites.set_defaults(handler=run_favorites)
    favorites_cli.register(commands)
    batches = commands.add_parser("batches", help="batches with settings, status, cost and tags",
                                  description=EXIT_HELP, epilog=NOTHING_FOUND)
    _listing_flags(batches)
    batches.add_argument("--tag", help="only batches with this tag")
    batches.add_argument("--add-tag", nargs=2, metavar=("ID", "TAG"), help="tag a batch")
    batches.add_argument("--remove-tag", nargs=2, metavar=("ID", "TAG"), help="remove a tag from a batch")
    batches.set_defaults(handler=run_batches)
    show = commands.add_parser("show", help="one output with its lineage", description=EXIT_HELP)
    show.add_argument("key", help="an image id, or image:ID / asset:ID")
    show.add_argument("--json", action="store_true", help="print the result as JSON")
    show.set_defaults(handler=run_show)
    ratings = commands.add_parser("export-ratings", description=EXIT_HELP,
                                  help="every rated image as JSON Lines (path, rating, full prompt, settings, model, "
                                       "lineage) for dataset curation or fine-tuning")
    ratings.add_argument("-o", "--output", required=True, metavar="FILE.jsonl", help="the file to write")
    ratings.add_argument("--json", action="store_true", help="print the summary as JSON")
    ratings.set_defaults(handler=run_export_ratings)

    rate = subparsers.add_parser("rate", help="like, dislike or clear the rating of an image", description=EXIT_HELP)
    rate.add_argument("image_id", type=int, help="the image's id")
    rate.add_argument("rating", choices=["like", "dislike", "clear"], help="the new rating")
    rate.add_argument("--json", action="store_true", help="print the result as JSON")
    rate.set_defaults(handler=run_rate)

    export = subparsers.add_parser("export", help="zip images (with prompts and ratings) of a batch or by id",
                                   description=EXIT_HELP)
    export.add_argument("image_ids", type=int, nargs="*", metavar="IMAGE_ID", help="images to include, by id")
    export.add_argument("--batch", type=int, help="every image of this batch")
    export.add_argument("-o", "--output", required=True, metavar="FILE.zip", help="the zip to write")
    export.add_argument("--json", action="store_true", help="print the result as JSON")
    export.set_defaults(handler=run_export)

    presets = subparsers.add_parser("presets", help="list, export or import presets", description=EXIT_HELP)
    preset_commands = presets.add_subparsers(dest="presets_command", metavar="COMMAND", required=True)
    listing = preset_commands.add_parser("list", help="built-in and your presets", epilog=NOTHING_FOUND)
    listing.add_argument("--kind", choices=["prompt", "batch", "video"], help="only presets of this kind")
    listing.add_argument("--json", action="store_true", help="print the result as JSON")
    listing.set_defaults(handler=run_presets_list)
    out = preset_commands.add_parser("export", help="write your presets to a JSON file")
    out.add_argument("file", help="the JSON file to write")
    out.add_argument("--kind", choices=["prompt", "batch", "video"], help="only presets of this kind")
    out.add_argument("--json", action="store_true", help="print the result as JSON")
    out.set_defaults(handler=run_presets_export)
    into = preset_commands.add_parser("import", help="add the presets of a JSON file (all or nothing)")
    into.add_argument("file", help="the JSON file to read (from `presets export`)")
    into.add_argument("--json", action="store_true", help="print the result as JSON")
    into.set_defaults(handler=run_presets_import)


def _listing_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--query", default="", help="full-text search over prompts and concepts")
    parser.add_argument("--limit", type=int, default=50, help="at most this many rows (default 50)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _run(settings: Settings, body: Any) -> int:
    ctx = open_context(settings)
    if ctx is None:
        return ExitCode.CONFIG
    try:
        return int(body(ctx))
    except InputError as exc:
        error(str(exc))
        return ExitCode.FAILED
    finally:
        ctx.close()


def _collect(fetch: Any, limit: int) -> list[Any]:
    """Up to `limit` rows, page after page."""
    rows: list[Any] = []
    after = None
    while len(rows) < limit:
        page = fetch(after, min(500, limit - len(rows)))
        rows.extend(page.rows)
        if not page.more:
            break
        after = page.cursor
    return rows[:limit]


def _check_limit(args: argparse.Namespace) -> bool:
    if args.limit < 1:
        error("--limit must be at least 1")
        return False
    return True


def output_summary(row: lq.LibraryRow) -> dict[str, Any]:
    return {"key": row.key, "id": row.id, "kind": row.kind, "created_at": row.created_at, "concept": row.concept,
            "prompt": row.prompt, "model": row.model, "provider": row.provider, "rating": row.rating,
            "path": row.local_path, "thumbnail": row.thumbnail, "aspect_ratio": row.aspect_ratio,
            "batch_id": row.batch_id, "job_id": row.job_id, "source_image_id": row.source_image_id,
            "source_asset_id": row.source_asset_id}


def _rating_word(rating: int | None) -> str:
    return {1: "like", -1: "dislike"}.get(rating or 0, "-")


def run_outputs(args: argparse.Namespace, settings: Settings) -> int:
    if not _check_limit(args):
        return ExitCode.USAGE
    try:
        since, until = lq.parse_dates(args.dates or "")
    except InputError as exc:
        error(str(exc))
        return ExitCode.USAGE
    kinds = args.kinds or KINDS.get(getattr(args, "kind", None) or "", ())
    flt = lq.LibraryFilter(query=args.query, rating=args.rating or "any", kinds=kinds, concept=args.concept,
                           batch_id=args.batch, model=args.model, tag=args.tag, since=since, until=until)

    def body(ctx: AppContext) -> int:
        rows = _collect(lambda after, n: lq.outputs_page(ctx, flt, after, n), args.limit)
        if args.json:
            print_json([output_summary(r) for r in rows])
        elif not rows:
            print("nothing found")
        for row in rows if not args.json else []:
            print(f"{row.key:<13} {local_time(row.created_at)}  {_rating_word(row.rating):<7} "
                  f"{(row.model or '-')[:28]:<28} {row.concept[:50]:<50} {row.local_path}")
        return ExitCode.OK

    return _run(settings, body)


def run_history(args: argparse.Namespace, settings: Settings) -> int:
    if not _check_limit(args):
        return ExitCode.USAGE
    if args.clear and not args.yes:
        error("--clear deletes every history entry; add --yes to confirm")
        return ExitCode.USAGE

    def body(ctx: AppContext) -> int:
        if args.delete is not None:
            lq.delete_history(ctx, args.delete)
            if args.json:
                print_json({"deleted": args.delete})
            else:
                print(f"history entry {args.delete} deleted")
            return ExitCode.OK
        if args.clear:
            count = lq.clear_history(ctx)
            if args.json:
                print_json({"cleared": count})
            else:
                print(f"{count} history entries deleted")
            return ExitCode.OK
        rows = _collect(lambda after, n: lq.history_page(ctx, args.query, after, n), args.limit)
        if args.json:
            print_json([asdict(r) for r in rows])
        elif not rows:
            print("no history")
        for row in rows if not args.json else []:
            print(f"{row.id:>6}  {local_time(row.created_at)}  {plural(row.prompt_count, 'prompt'):>11}  {row.concept}")
        return ExitCode.OK

    return _run(settings, body)


def run_favorites(args: argparse.Namespace, settings: Settings) -> int:
    if not _check_limit(args):
        return ExitCode.USAGE
    if args.rename and not args.rename[0].isdigit():
        error(f"--rename takes a favourite id and a name, not {args.rename[0]!r}")
        return ExitCode.USAGE

    def body(ctx: AppContext) -> int:
        if args.rename:
            lq.rename_favorite(ctx, int(args.rename[0]), args.rename[1])
            if args.json:
                print_json({"renamed": int(args.rename[0])})
            else:
                print("renamed")
            return ExitCode.OK
        if args.delete is not None:
            lq.delete_favorite(ctx, args.delete)
            if args.json:
                print_json({"deleted": args.delete})
            else:
                print(f"favourite {args.delete} deleted")
            return ExitCode.OK
        rows = _collect(lambda after, n: lq.favorites_page(ctx, args.query, after, n), args.limit)
        if args.json:
            print_json([asdict(r) for r in rows])
        elif not rows:
            print("no favourites")
        for row in rows if not args.json else []:
            print(f"{row.id:>6}  {local_time(row.created_at)}  {row.name}")
        return ExitCode.OK

    return _run(settings, body)


def run_batches(args: argparse.Namespace, settings: Settings) -> int:
    if not _check_limit(args):
        return ExitCode.USAGE
    for flag in ("add_tag", "remove_tag"):
        value = getattr(args, flag)
        if value and not value[0].isdigit():
            error(f"--{flag.replace('_', '-')} takes a batch id and a tag, not {value[0]!r}")
            return ExitCode.USAGE

    def body(ctx: AppContext) -> int:
        if args.add_tag or args.remove_tag:
            batch_id, tag = (args.add_tag or args.remove_tag)
            change = lq.add_tag if args.add_tag else lq.remove_tag
            tags = change(ctx, int(batch_id), tag)
            if args.json:
                print_json({"batch_id": int(batch_id), "tags": tags})
            else:
                print(f"batch {batch_id}: {' '.join('#' + t for t in tags) or 'no tags'}")
            return ExitCode.OK
        rows = _collect(lambda after, n: lq.batches_page(ctx, tag=args.tag, query=args.query, after=after, limit=n),
                        args.limit)
        if args.json:
            print_json([asdict(r) for r in rows])
        elif not rows:
            print("no batches")
        for row in rows if not args.json else []:
            cost = row.cost_actual or row.cost_estimate
            print(f"{row.id:>6}  {local_time(row.created_at)}  {row.module:<13} {row.status:<9} ${cost:>7.2f} "
                  f"{plural(row.outputs, 'output'):>12}  {' '.join('#' + t for t in row.tags):<20} {row.name}")
        return ExitCode.OK

    return _run(settings, body)


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    key = f"image:{args.key}" if args.key.isdigit() else args.key
    if not key.partition(":")[2].isdigit() or key.partition(":")[0] not in ("image", "asset"):
        error(f"{args.key!r} is not an image id or image:ID / asset:ID")
        return ExitCode.USAGE

    def body(ctx: AppContext) -> int:
        row = lq.output(ctx, key)
        if row is None:
            error(f"there is no output {key}")
            return ExitCode.FAILED
        found = lineage(ctx, key)
        data = {**output_summary(row), "lineage": asdict(found)}
        if args.json:
            print_json(data)
            return ExitCode.OK
        for name, value in output_summary(row).items():
            if name != "prompt":
                print(f"{name:<16} {plain_value(value)}")
        print("made from:")
        for node in found.made_from:
            print(f"  {node.kind:<10} {node.label}")
        print("made into:" if found.made_into else "made into: nothing yet")
        for node in found.made_into:
            print(f"  {'  ' * (node.depth - 1)}{node.kind:<10} {node.label}")
        return ExitCode.OK

    return _run(settings, body)


def run_rate(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        stored = lq.rate_output(ctx, f"image:{args.image_id}", args.rating)
        if args.json:
            print_json({"image_id": args.image_id, "rating": stored})
        else:
            print(f"image {args.image_id}: {_rating_word(stored) if stored else 'not rated'}")
        return ExitCode.OK

    return _run(settings, body)


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    if bool(args.image_ids) == (args.batch is not None):
        error("name image ids or --batch ID (one of them)")
        return ExitCode.USAGE

    def body(ctx: AppContext) -> int:
        images = images_for_export(ctx, batch_id=args.batch, image_ids=args.image_ids or None)
        if not images:
            error(f"batch {args.batch} has no images")
            return ExitCode.FAILED
        result = lq.export_outputs(ctx, [f"image:{i.id}" for i in images], Path(args.output))
        if args.json:
            print_json({"path": str(result.path), "files": result.files, "missing": result.missing})
        else:
            print(f"{plural(result.files, 'image')} written to {result.path}")
            for missing in result.missing:
                print(f"missing file: {missing}")
        return ExitCode.FAILED if result.missing else ExitCode.OK

    return _run(settings, body)


def run_export_ratings(args: argparse.Namespace, settings: Settings) -> int:
    from pixflow_tui.workflows.rating_export import export_ratings

    def body(ctx: AppContext) -> int:
        done = export_ratings(ctx, args.output)
        if args.json:
            print_json({"path": str(done.path), "lines": done.lines, "liked": done.liked, "disliked": done.disliked})
        else:
            print(f"{plural(done.lines, 'rated image')} ({done.liked} liked, {done.disliked} disliked) written to "
                  f"{done.path}")
        return ExitCode.OK

    return _run(settings, body)


def run_presets_list(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        found = presets_flow.list_presets(ctx, args.kind)
        if args.json:
            print_json([asdict(p) for p in found])
            return ExitCode.OK
        for preset in found:
            origin = "built-in" if preset.is_builtin else "yours"
            print(f"{preset.id:>5}  {preset.kind:<7} {origin:<9} {preset.name}")
        if not found:
            print("no presets")
        return ExitCode.OK

    return _run(settings, body)


def run_presets_export(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        path, count = presets_flow.export_presets(ctx, args.file, args.kind)
        if args.json:
            print_json({"path": str(path), "presets": count})
        else:
            print(f"{plural(count, 'preset')} written to {path}")
        return ExitCode.OK

    return _run(settings, body)


def run_presets_import(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        created = presets_flow.import_presets(ctx, args.file)
        if args.json:
            print_json({"imported": [{"id": p.id, "name": p.name, "kind": p.kind} for p in created]})
        else:
            print(f"{plural(len(created), 'preset')} imported")
        return ExitCode.OK

    return _run(settings, body)
