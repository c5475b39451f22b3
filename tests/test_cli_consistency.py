"""The CLI's paid commands all take --yes and --dry-run; favourites from the CLI (`library favorite add`);
`--product` where the TUI has a product choice (`prompts generate`)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from PIL import Image

from pixflow_tui.cli import build_parser
from pixflow_tui.config import load_settings
from pixflow_tui.store import Store
from tests.cli_helpers import run, run_json

# --yes here confirms something that is not spending (replacing the database, deleting history)
CONFIRMATIONS = {("db", "restore"), ("library", "history")}
PAYING = {("images", "generate"), ("images", "transform"), ("videos", "generate"), ("avatars", "generate"),
          ("avatars", "green"), ("speech", "generate"), ("lipsync", "generate"), ("avatar", "run"),
          ("reactions", "generate"), ("voices", "preview"),
          ("machine", "run"), ("machine", "resume"), ("machine", "retry"), ("jobs", "retry")}


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], set[str]]:
    found: dict[tuple[str, ...], set[str]] = {}
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subparsers:
        found[path] = {option for action in parser._actions for option in action.option_strings}
    for action in subparsers:
        for name, child in action.choices.items():
            found.update(_leaves(child, (*path, name)))
    return found


def test_every_paid_command_takes_yes_and_dry_run() -> None:
    leaves = _leaves(build_parser())
    assert PAYING <= set(leaves), PAYING - set(leaves)
    for path in PAYING:
        assert {"--yes", "--dry-run"} <= leaves[path], path
    for path, options in leaves.items():
        if "--yes" in options and path not in CONFIRMATIONS:
            assert "--dry-run" in options, f"{' '.join(path)} takes --yes but not --dry-run"


def test_machine_resume_dry_run_does_nothing(capsys) -> None:
    code, out, err = run(capsys, "machine", "resume", "999", "--dry-run")
    assert code == 2 and "999" in err  # the run is looked up, nothing else happens


@pytest.fixture
def image_id(capsys, tmp_path: Path) -> int:
    photo = tmp_path / "portrait.png"
    Image.new("RGB", (90, 160), (30, 90, 200)).save(photo)
    code, summary = run_json(capsys, "images", "transform", str(photo), "--prompt", "a neon sign behind her")
    assert code == 0, summary
    (image,) = Store.open(load_settings()).images.list()
    return image.id


def test_favorite_an_images_prompt_under_a_product(capsys, image_id: int) -> None:
    code, saved = run_json(capsys, "library", "favorite", "add", "--image", f"image:{image_id}", "--product",
                           "fyro", "--name", "  neon  ")
    assert code == 0 and saved["product"] == "Fyro" and saved["name"] == "neon"
    store = Store.open(load_settings())
    favorite = store.favorites.get(saved["favorite_id"])
    assert favorite.prompt == store.images.get(image_id).prompt and favorite.product_id is not None
    code, listed = run_json(capsys, "library", "favorites")
    assert [f["id"] for f in listed] == [saved["favorite_id"]]


def test_favorite_a_prompt_from_text_or_a_file(capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "library", "favorite", "add", "--text", "a red fox in fresh snow")
    assert code == 0 and "a red fox in fresh snow" in out
    prompt_file = tmp_path / "prompt.json"
    prompt_file.write_text(json.dumps({"style": "rooftop at dusk", "lighting": {"setup": "rim light"}}))
    code, saved = run_json(capsys, "library", "favorite", "add", "--prompt-file", str(prompt_file))
    assert code == 0
    favorite = Store.open(load_settings()).favorites.get(saved["favorite_id"])
    assert favorite.prompt["style"] == "rooftop at dusk" and favorite.prompt["lighting"]["setup"] == "rim light"


@pytest.mark.parametrize("args, message", [
    (["--image", "999"], "there is no image 999"),
    (["--image", "fox"], "--image takes an image id"),
    (["--text", "x", "--product", "Nope"], "there is no product 'Nope'; the products are Clone AI, Fyro"),
    (["--text", "  "], "--text is empty"),
])
def test_bad_favourites_are_named(capsys, args: list[str], message: str) -> None:
    code, out, err = run(capsys, "library", "favorite", "add", *args)
    assert code == 2 and message in err
    assert Store.open(load_settings()).favorites.list() == []


def test_prompts_for_a_product(capsys) -> None:
    code, result = run_json(capsys, "prompts", "generate", "--concept", "summer streetwear", "-n", "2",
                            "--product", "Zurna")
    assert code == 0 and result["product"] == "Zurna"
    entry = Store.open(load_settings()).history.get(result["history_id"])
    assert entry.product_id is not None
    code, out, err = run(capsys, "prompts", "generate", "--concept", "x y", "--product", "nothing")
    assert code == 2 and "there is no product 'nothing'" in err
