"""The CLI tests' one way to run a command in-process and read what it printed."""
from __future__ import annotations

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
