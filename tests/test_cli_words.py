"""Words and numbers in the CLI, run as the `pixflow` process: --json times are ISO 8601 with their offset, plain
output counts in proper English ("1 prompt", "2 images", never "image(s)")."""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

PIXFLOW = [sys.executable, "-m", "pixflow_tui"]
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def pixflow(*args: str, tz: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"TZ": tz} if tz else {})}
    result = subprocess.run([*PIXFLOW, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                            timeout=120, env=env)
    assert "(s)" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def times_in(value: object) -> list[str]:
    if isinstance(value, dict):
        return [t for key, item in value.items() for t in
                ([item] if key.endswith("_at") and isinstance(item, str) else times_in(item))]
    if isinstance(value, list):
        return [t for item in value for t in times_in(item)]
    return []


def test_json_times_carry_their_offset_and_plain_counts_read_right(hermetic_env: Path, tmp_path: Path) -> None:
    planned = pixflow("images", "generate", "--concept", "lemonade stand", "-n", "1", "--dry-run")
    assert planned.returncode == 0, planned.stderr
    assert "plan: 1 image from 1 prompt × 1 variant," in planned.stdout, planned.stdout

    made = pixflow("images", "generate", "--concept", "lemonade stand", "-n", "2", "--resolution", "1K", "--yes")
    assert made.returncode == 0, made.stderr
    assert re.search(r"batch \d+: done, 2/2 images \(demo output\)", made.stdout), made.stdout

    # the same stored moment, written with the offset of wherever the command runs
    utc = json.loads(pixflow("jobs", "list", "--json", tz="UTC").stdout)
    india = json.loads(pixflow("jobs", "list", "--json", tz="Asia/Kolkata").stdout)
    stamps = times_in(utc) + times_in(india)
    assert stamps and all(ISO_WITH_OFFSET.match(stamp) for stamp in stamps), stamps
    first_utc, first_india = (datetime.fromisoformat(times_in(x)[0]) for x in (utc, india))
    assert first_utc.utcoffset() == timedelta(0) and first_india.utcoffset() == timedelta(hours=5, minutes=30)
    assert first_utc == first_india and abs(datetime.now(timezone.utc) - first_utc) < timedelta(minutes=10)
    for command in (("library", "images"), ("library", "history"), ("library", "batches"), ("jobs", "show", "1")):
        found = times_in(json.loads(pixflow(*command, "--json").stdout))
        assert found and all(ISO_WITH_OFFSET.match(stamp) for stamp in found), (command, found)

    history = pixflow("library", "history", tz="UTC").stdout
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+2 prompts  lemonade stand", history), history
    shown = pixflow("jobs", "show", "1", tz="Asia/Kolkata").stdout
    created = json.loads(pixflow("jobs", "show", "1", "--json", tz="Asia/Kolkata").stdout)["created_at"]
    local = datetime.fromisoformat(created).strftime("%Y-%m-%d %H:%M:%S")
    assert re.search(rf"^created_at +{local} (IST|\+0530)$", shown, re.M) and re.search(r"^error +-$", shown, re.M)
    batches = pixflow("library", "batches").stdout
    assert re.search(r"\b2 outputs\b", batches), batches

    exported = pixflow("export", "1", "-o", str(tmp_path / "one.zip"))
    assert exported.returncode == 0 and exported.stdout.startswith("1 image written to"), exported.stdout
    presets = pixflow("presets", "export", str(tmp_path / "presets.json"))
    assert re.match(r"\d+ presets? written to", presets.stdout) and not presets.stdout.startswith("1 presets")

    stray = hermetic_env / "outputs" / "stray.png"
    stray.write_bytes(b"not ours")
    checked = pixflow("db", "check")
    assert checked.returncode == 1 and checked.stdout.strip().endswith("1 problem found"), checked.stdout


def test_print_json_writes_times_with_offsets_and_money_as_numbers(capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from decimal import Decimal

    from pixflow_tui.cli.common import print_json

    with monkeypatch.context() as patched:
        patched.setenv("TZ", "Asia/Kolkata")
        time.tzset()
        try:
            print_json({"naive_utc": datetime(2026, 1, 2, 3, 4, 5), "aware": datetime(2026, 1, 2, 3, 4, 5,
                                                                                     tzinfo=timezone.utc),
                        "cost": Decimal("0.150000"), "path": Path("/x/y.png"), "none": None})
        finally:
            patched.undo()
            time.tzset()
    data = json.loads(capsys.readouterr().out)
    assert data == {"naive_utc": "2026-01-02T08:34:05+05:30", "aware": "2026-01-02T08:34:05+05:30", "cost": 0.15,
                    "path": "/x/y.png", "none": None}


def test_no_message_in_the_app_counts_with_a_bracketed_plural() -> None:
    """What the TUI and CLI say to people (their string literals outside docstrings and log calls) never reads
    "image(s)". Text written for a model (core's prompt rules) may."""
    found = []
    package = Path(__file__).parents[1] / "pixflow_tui"
    for source in [*package.joinpath("tui").rglob("*.py"), *package.joinpath("cli").rglob("*.py")]:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        skipped: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body \
                    and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
                skipped.add(id(node.body[0].value))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "log":
                skipped.update(id(part) for arg in node.args for part in ast.walk(arg))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped \
                    and re.search(r"[a-z]\(s\)", node.value.replace("http(s)", "")):
                found.append(f"{source.name}:{node.lineno}: {node.value!r}")
    assert found == []
