"""`pixflow prompts generate|research|analyze|from-text`: the Prompt Factory from the command line."""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from pixflow_tui.cli.common import ExitCode, error, print_json
from pixflow_tui.config import Settings
from pixflow_tui.core.formatting import plural
from pixflow_tui.core.prompt_schema import PromptOutput, PromptParseError
from pixflow_tui.core.research import ResearchOutcome
from pixflow_tui.core.scoring import band, prompt_issues, prompt_score
from pixflow_tui.core.taste import TasteGuidance
from pixflow_tui.workflows import prompts as flow
from pixflow_tui.workflows.cli_support import open_context
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.research import ResearchError


def register(subparsers: Any) -> None:
    prompts = subparsers.add_parser("prompts", help="write structured prompts (Prompt Factory)",
                                    description="Exit codes: 0 success, 1 the provider failed, 2 bad input, "
                                                "3 config/database.")
    commands = prompts.add_subparsers(dest="prompts_command", metavar="COMMAND", required=True)
    gen = commands.add_parser("generate", help="prompts from a concept")
    gen.add_argument("--concept", required=True, help="what to create (1–300 characters)")
    gen.add_argument("-n", "--count", type=int, default=4, help="how many prompts, 1–10 (default 4)")
    gen.add_argument("--ref", type=Path, help="a reference image whose look guides the style")
    gen.add_argument("--taste", choices=["auto", "on", "off"], default="auto",
                     help="use my taste: favour patterns of liked images, avoid disliked ones (auto: on from 5 "
                          "rated images; see `pixflow taste show`)")
    gen.add_argument("--product", metavar="NAME", help="write them for a product (name or slug), as Prompt "
                                                      "Factory's product choice does")
    gen.add_argument("--research", choices=("web", "model", "off"),
                     help="research the concept first: web-grounded, by the model, or off (default: the research "
                          "setting, web)")
    gen.add_argument("--json", action="store_true", help="print the result (prompts and research) as JSON")
    gen.set_defaults(handler=run_generate)
    research = commands.add_parser("research", help="research a concept (trends, competitors, technique, "
                                                     "sub-themes) without writing prompts")
    research.add_argument("concept", help="what to research (1–300 characters; keywords split on , and ;)")
    research.add_argument("--mode", choices=("web", "model"), default=None,
                          help="web-grounded or by the model alone (default: the research setting, or web)")
    research.add_argument("--json", action="store_true", help="print the research as JSON")
    research.set_defaults(handler=run_research)
    analyze = commands.add_parser("analyze", help="one prompt from an image")
    analyze.add_argument("image", type=Path, help="the image to describe as a prompt")
    analyze.add_argument("--context", default="", help="optional context that guides the analysis")
    analyze.add_argument("--json", action="store_true", help="print the result as JSON")
    analyze.set_defaults(handler=run_analyze)
    text = commands.add_parser("from-text", help="schema prompts from free text or JSON (FILE, or - for stdin); "
                               "blank-line-separated blocks (else lines) are separate prompts, as in --prompts-file")
    text.add_argument("source", help="a file, or - to read standard input")
    text.add_argument("--convert", action="store_true",
                      help="write free text into every field with the model (setting convert_model) instead of "
                           "keeping it verbatim as the style")
    text.add_argument("--json", action="store_true", help="print the result as JSON")
    text.set_defaults(handler=run_from_text)


def _report(prompt: PromptOutput, taste: TasteGuidance | None = None) -> dict[str, Any]:
    score = prompt_score(prompt)
    report: dict[str, Any] = {"prompt": prompt.model_dump(), "quality_score": score, "band": band(score),
              "issues": prompt_issues(prompt)}
    if taste is not None:
        report["taste"] = taste.note_for(report["prompt"]).to_json()
    return report


def _print_prompt(number: int, prompt: PromptOutput, taste: TasteGuidance | None = None) -> None:
    report = _report(prompt)
    print(f"── prompt {number} · quality {report['quality_score']} ({report['band']})")
    print(prompt.to_json())
    for issue in report["issues"]:
        print(f"   · {issue}")
    if taste is not None:
        print(f"   taste: {taste.note_for(report['prompt']).text()}")


def _run(settings: Settings, body: Any) -> int:
    ctx = open_context(settings)
    if ctx is None:
        return ExitCode.CONFIG
    try:
        return int(asyncio.run(body(ctx)))
    except (InputError, PromptParseError) as exc:
        error(str(exc))
        return ExitCode.USAGE
    except (flow.PromptGenerationError, ResearchError) as exc:
        error(str(exc))
        return ExitCode.FAILED
    except KeyboardInterrupt:
        error("interrupted; prompts written so far are in the history")
        return ExitCode.INTERRUPTED
    finally:
        ctx.close()


def run_generate(args: argparse.Namespace, settings: Settings) -> int:
    async def body(ctx) -> int:  # type: ignore[no-untyped-def]
        from pixflow_tui.workflows.taste import guidance_before_run

        product = flow.product_named(ctx, args.product) if args.product else None
        taste = await guidance_before_run(ctx, args.taste, product.id if product else None)
        on_prompt = None if args.json else (lambda index, prompt: _print_prompt(index + 1, prompt, taste))
        on_research = None if args.json else _print_research
        result = await flow.generate_prompts(ctx, args.concept, args.count, reference=args.ref, on_prompt=on_prompt,
                                             taste=taste, product=product, research_with=args.research,
                                             on_research=on_research)
        if args.json:
            print_json({"concept": result.concept, "history_id": result.history_id, "provider": ctx.text.name,
                        "product": product.name if product else None,
                        "prompts": [_report(p, taste) for p in result.prompts], "quality": result.quality,
                        "variety": result.variety,
                        "research": result.research.to_dict() if result.research is not None else None})
        else:
            variety = result.variety
            print(f"variety {variety['score']} ({'passed' if variety['passed'] else 'weak'})"
                  + "".join(f"\n   · {w}" for w in variety["weaknesses"]))
            print(f"saved to history as entry {result.history_id}"
                  f"{' (demo prompts)' if ctx.text.name == 'demo' else ''}")
        return ExitCode.OK

    return _run(settings, body)


def _print_research(outcome: ResearchOutcome) -> None:
    print(f"── research · {outcome.effective_mode} · grounding {outcome.grounding_score}/100 · "
          f"cache {outcome.cache_hits}/{outcome.cache_hits + outcome.cache_misses}")
    print(outcome.summary())
    for title, lines in (("insights", outcome.insights), ("warnings", outcome.warnings), ("notes", outcome.notes)):
        for line in lines:
            print(f"   {title[:-1]}: {line}")
    print(f"sub-themes ({len(outcome.sub_themes)}):")
    for number, theme in enumerate(outcome.sub_themes, 1):
        print(f"  {number}. {theme.name} · {theme.aesthetic} · {theme.mood} — {', '.join(theme.key_elements)}")
    if outcome.source_domains:
        print(f"sources: {len(outcome.source_urls)} from {', '.join(outcome.source_domains)}")


def run_research(args: argparse.Namespace, settings: Settings) -> int:
    async def body(ctx) -> int:  # type: ignore[no-untyped-def]
        mode = args.mode or (settings.research if settings.research != "off" else "web")
        outcome = await flow.research(ctx, args.concept, mode)
        assert outcome is not None  # the mode is web or model
        if args.json:
            print_json({"concept": outcome.brief.concept, "provider": ctx.text.name, **outcome.to_dict()})
        else:
            _print_research(outcome)
        return ExitCode.OK

    return _run(settings, body)


def run_analyze(args: argparse.Namespace, settings: Settings) -> int:
    async def body(ctx) -> int:  # type: ignore[no-untyped-def]
        prompt, history_id = await flow.analyze_image(ctx, args.image, args.context)
        if args.json:
            print_json({"history_id": history_id, "provider": ctx.text.name, **_report(prompt)})
        else:
            _print_prompt(1, prompt)
            print(f"saved to history as entry {history_id}")
        return ExitCode.OK

    return _run(settings, body)


def run_from_text(args: argparse.Namespace, settings: Settings) -> int:
    if args.source == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(args.source).read_text(encoding="utf-8")
        except OSError as exc:
            error(f"{args.source} cannot be read: {exc.strerror}")
            return ExitCode.USAGE
        except UnicodeDecodeError:
            error(f"{args.source} is not UTF-8 text")
            return ExitCode.USAGE

    async def body(ctx) -> int:  # type: ignore[no-untyped-def]
        converted, history_id = await flow.prompts_from_text(ctx, text, convert=args.convert)
        if args.json:  # the first prompt's fields stay at the top, as before several could be made
            print_json({"history_id": history_id, **_report(converted[0]),
                        "prompts": [_report(p) for p in converted]})
        else:
            for number, prompt in enumerate(converted, 1):
                _print_prompt(number, prompt)
            print(f"{plural(len(converted), 'prompt')} saved to history as entry {history_id}")
        return ExitCode.OK

    return _run(settings, body)
