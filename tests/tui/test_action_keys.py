"""One binding id per shared action: every screen that offers it uses the same id, so one [keymap] line remaps it
everywhere; ids of earlier versions in a user's config still work."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.binding import Binding

import pixflow_tui.tui as tui
from pixflow_tui.tui import action_keys
from pixflow_tui.tui.action_keys import user_keymap

SHARED = {  # what the key says -> the one id it has everywhere
    "Like": action_keys.LIKE, "Dislike": action_keys.DISLIKE, "Clear rating": action_keys.CLEAR_RATING,
    "Regenerate": action_keys.REGENERATE, "Open": action_keys.OPEN, "Copy prompt": action_keys.COPY_PROMPT,
    "Favourite prompt": action_keys.FAVOURITE, "To Img2Video": action_keys.SEND_TO_IMG2VIDEO,
    "Img2Video": action_keys.SEND_TO_IMG2VIDEO,
}


def all_bindings() -> list[tuple[str, Binding]]:
    found = []
    for module_info in pkgutil.walk_packages(tui.__path__, "pixflow_tui.tui."):
        module = importlib.import_module(module_info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for binding in vars(cls).get("BINDINGS", []):
                if isinstance(binding, Binding):
                    found.append((f"{module.__name__}.{name}", binding))
    return found


def test_each_shared_action_has_one_id_in_every_screen() -> None:
    bindings = all_bindings()
    wrong = [f"{where}: {b.description!r} has id {b.id!r}" for where, b in bindings
             if b.description in SHARED and b.id != SHARED[b.description]
             and not b.action.startswith("select")]  # "Open" on enter opens the row, not the system viewer
    assert wrong == []
    offered = {b.id for _, b in bindings}
    assert {action_keys.LIKE, action_keys.REGENERATE, action_keys.EXPORT, action_keys.CANCEL_JOB} <= offered
    likes = [where for where, b in bindings if b.id == action_keys.LIKE]
    assert len(likes) >= 3  # Asset Monster's table, the Library's outputs, the image viewer


def test_ids_of_earlier_versions_still_remap() -> None:
    assert user_keymap({"am-like": "L", "library-export": "E", "go-library": "f6"}) == {
        "rate-like": "L", "export": "E", "go-library": "f6"}
    assert user_keymap({"pf-copy": "w", "copy-prompt": "c"}) == {"copy-prompt": "c"}  # today's id wins
