"""Every list command does what its --help says when a filter finds nothing (run as the `pixflow` process)."""
from __future__ import annotations

import json
import re
import subprocess
import sys

from pixflow_tui.cli.common import NOTHING_FOUND
from tests.cli_helpers import subcommands

PIXFLOW = [sys.executable, "-m", "pixflow_tui"]
# each list command with a filter that finds nothing in a library holding one demo batch
EMPTY_FILTERS = {
    ("jobs", "list"): ["--status", "failed"],
    ("library", "images"): ["-q", "zebracorn"],
    ("library", "assets"): ["--kind", "video"],
    ("library", "history"): ["-q", "zebracorn"],
    ("library", "favorites"): ["-q", "zebracorn"],
    ("library", "batches"): ["--tag", "zebracorn"],
    ("presets", "list"): ["--kind", "video"],
    ("scripts", "list"): [],
    ("machine", "list"): [],
    ("avatars", "list"): [],
}
NOT_LISTS = {("voices", "list")}  # the ten voices: a fixed list with no filter


def pixflow(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PIXFLOW, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)


def test_every_list_command_says_what_an_empty_result_exits_with() -> None:
    every = {path: parser for path, (parser, _) in subcommands().items()}
    lists = {path for path in every if path[-1] == "list" or path[0] == "library" and path[-1] in
             ("images", "assets", "history", "favorites", "batches")} - NOT_LISTS
    assert lists == set(EMPTY_FILTERS)
    for path in lists:
        assert every[path].epilog == NOTHING_FOUND, path
        assert NOTHING_FOUND in " ".join(every[path].format_help().split()), path


def test_a_filter_that_finds_nothing_exits_as_the_help_says() -> None:
    seeded = pixflow("images", "generate", "--concept", "lemonade stand", "-n", "1", "--resolution", "1K", "--yes")
    assert seeded.returncode == 0, seeded.stderr
    stated = re.search(r"exits (\d+)", NOTHING_FOUND)
    assert stated is not None
    promised = int(stated.group(1))
    for path, filters in EMPTY_FILTERS.items():
        plain = pixflow(*path, *filters)
        assert plain.returncode == promised, (path, plain.stderr)
        assert plain.stdout.strip() and not plain.stderr.strip(), (path, plain.stdout, plain.stderr)
        as_json = pixflow(*path, *filters, "--json")
        assert as_json.returncode == promised and json.loads(as_json.stdout) == [], (path, as_json.stdout)
    # and the same commands do find what is there
    assert json.loads(pixflow("library", "images", "-q", "lemonade", "--json").stdout)
    assert json.loads(pixflow("jobs", "list", "--status", "done", "--json").stdout)
