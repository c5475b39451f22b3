"""The CLI tests' one way to run a command in-process and read what it printed."""
from __future__ import annotations

import argparse
import json
from typing import Any

import pytest

from pixflow_tui.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    code, out, err = run(capsys, *args, "--json")
    assert out, err
    return code, json.loads(out)


def subcommands() -> dict[tuple[str, ...], tuple[argparse.ArgumentParser, str | None]]:
    """Every command path of `pixflow` ("library", "images") with its parser and its one-line help."""
    from pixflow_tui.cli import build_parser

    found: dict[tuple[str, ...], tuple[argparse.ArgumentParser, str | None]] = {}

    def visit(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helps = {choice.dest: choice.help for choice in action._choices_actions}
                for name, sub in action.choices.items():
                    found[(*path, name)] = (sub, helps.get(name))
                    visit(sub, (*path, name))

    visit(build_parser(), ())
    return found
