"""Typed modal dialogs: confirm, text with validation, path with completion, choice."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, Static

from pixflow_tui.tui.screens.dialogs import (
    ChoiceDialog,
    ConfirmDialog,
    PathInputDialog,
    TextInputDialog,
    path_matches,
)

NOTHING = object()


class DialogApp(App[None]):
    def __init__(self, dialog: Screen[Any]) -> None:
        super().__init__()
        self.dialog = dialog
        self.result: Any = NOTHING

    def on_mount(self) -> None:
        self.push_screen(self.dialog, callback=self._done)

    def _done(self, value: Any) -> None:
        self.result = value


async def test_confirm_keys_and_default_focus() -> None:
    for keys, expected in ((["y"], True), (["n"], False), (["escape"], False), (["enter"], False)):
        app = DialogApp(ConfirmDialog("Delete it?"))
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press(*keys)
            await pilot.pause()
        assert app.result is expected, keys


async def test_text_input_validates_inline() -> None:
    dialog = TextInputDialog("Name", validator=lambda text: None if text.strip() else "a name cannot be empty")
    app = DialogApp(dialog)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.focused, Input)
        await pilot.press("enter")
        await pilot.pause()
        error = dialog.query_one("#error", Static)
        assert error.display and "cannot be empty" in str(error.render())
        assert app.result is NOTHING
        await pilot.press(*"fox", "enter")
        await pilot.pause()
    assert app.result == "fox"


async def test_text_input_escape_cancels() -> None:
    app = DialogApp(TextInputDialog("Name", value="x"))
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None


def make_tree(root: Path) -> Path:
    (root / "alpha.png").write_bytes(b"")
    (root / "alpine.jpg").write_bytes(b"")
    (root / "beta.txt").write_bytes(b"")
    (root / "album").mkdir()
    (root / ".hidden").write_bytes(b"")
    return root


def test_path_matches(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    assert path_matches(f"{root}/al") == [f"{root}/album/", f"{root}/alpha.png", f"{root}/alpine.jpg"]
    assert path_matches(f"{root}/") == [f"{root}/album/", f"{root}/alpha.png", f"{root}/alpine.jpg",
                                        f"{root}/beta.txt"]
    assert path_matches(f"{root}/.h") == [f"{root}/.hidden"]
    assert path_matches(f"{root}/nothing/x") == []


async def test_path_input_tab_completes_then_cycles(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    dialog = PathInputDialog("Reference image", value=f"{root}/alp", want="file")
    app = DialogApp(dialog)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        field = dialog.query_one(Input)
        await pilot.press("end", "tab")
        await pilot.pause()
        # "alp" matches alpha.png and alpine.jpg and there is no longer common prefix: the first tab lists them
        # and leaves the text as typed, the next ones cycle
        assert field.value == f"{root}/alp"
        assert "alpine.jpg" in str(dialog.query_one("#matches", Static).render())
        await pilot.press("tab")
        assert field.value == f"{root}/alpha.png"
        await pilot.press("tab")
        assert field.value == f"{root}/alpine.jpg"
        await pilot.press("tab")
        assert field.value == f"{root}/alpha.png"
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == root / "alpha.png"


async def test_typing_after_a_tab_on_several_matches_never_doubles_the_name(tmp_path: Path) -> None:
    for name in ("ref1.jpg", "ref2.jpg"):
        (tmp_path / name).write_bytes(b"")
    dialog = PathInputDialog("Reference image", value=f"{tmp_path}/", want="file")
    app = DialogApp(dialog)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        field = dialog.query_one(Input)
        await pilot.press("r", "e", "f", "tab")  # the folder already there is kept; the tab lists ref1 and ref2
        await pilot.pause()
        assert field.value == f"{tmp_path}/ref"
        await pilot.press("1", "tab")
        await pilot.pause()
        assert field.value == f"{tmp_path}/ref1.jpg"
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == tmp_path / "ref1.jpg"


async def test_path_input_completes_common_prefix_and_suggests(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    dialog = PathInputDialog("Folder", value=f"{root}/b")
    app = DialogApp(dialog)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        field = dialog.query_one(Input)
        await pilot.press("end", "tab")
        await pilot.pause()
        assert field.value == f"{root}/beta.txt"
        field.value = f"{root}/alb"
        await pilot.pause(0.2)
        assert field._suggestion == f"{root}/album/"


async def test_path_input_rejects_missing_files_and_folders_for_files(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    dialog = PathInputDialog("Reference image", value=f"{root}/nope.png", want="file")
    app = DialogApp(dialog)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "no such file" in str(dialog.query_one("#error", Static).render())
        dialog.query_one(Input).value = f"{root}/album"
        await pilot.press("enter")
        await pilot.pause()
        assert "is a folder" in str(dialog.query_one("#error", Static).render())
        assert app.result is NOTHING


async def test_choice_dialog_returns_the_value() -> None:
    dialog = ChoiceDialog("Camera move", [("dolly_in", "Dolly in"), ("orbit", "Orbit"), ("static", "Static")],
                          selected="orbit")
    app = DialogApp(dialog)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
    assert app.result == "static"


async def test_choice_dialog_moves_with_j_and_k() -> None:
    app = DialogApp(ChoiceDialog("Voice", ["Rachel", "Adam", "Bella"]))
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("j", "j", "k", "enter")
        await pilot.pause()
    assert app.result == "Adam"


async def test_choice_dialog_escape_is_none() -> None:
    app = DialogApp(ChoiceDialog("Voice", ["Rachel", "Adam"]))
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None
