"""Copy tells the truth: where the text went, tmux's buffer inside tmux, a dialog when nothing takes it."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import TextArea

from pixflow_tui.tui.clipboard import copy_text
from pixflow_tui.tui.screens.dialogs import CopyTextDialog
from pixflow_tui.workflows import terminal
from pixflow_tui.workflows.clipboard import copy_outcome

FIXTURES = json.loads((Path(__file__).parents[1] / "fixtures" / "terminal_answers.json").read_text(encoding="utf-8"))


def report(name: str) -> terminal.TerminalReport:
    case = FIXTURES[name]
    return terminal.from_answers(case["answers"], case["env"], tmux_feature_list=case.get("tmux_features", ""),
                                 tmux_outer=case.get("tmux_outer", ""))


def test_where_the_text_goes_per_terminal() -> None:
    assert copy_outcome(report("kitty-0.26"), {}, False).where == "kitty(0.26.5)'s clipboard"
    refused = copy_outcome(report("xterm"), {}, False)
    assert refused.where is None and "XTerm(379) refuses" in refused.why_not
    in_tmux = copy_outcome(report("tmux-in-xterm-vt340"), {"TMUX": "x"}, True)
    assert in_tmux.where is not None and in_tmux.where.startswith("tmux's paste buffer only")
    assert "XTerm(379) refuses" in in_tmux.where
    assert copy_outcome(report("tmux-in-xterm-vt340"), {"TMUX": "x"}, False).where is None
    far_tmux = copy_outcome(report("tmux-in-xterm-vt340"), {}, False).where  # tmux on the user's side of SSH
    assert far_tmux is not None and "only with `set -s set-clipboard on`" in far_tmux
    unknown = copy_outcome(None, {}, False).where
    assert unknown is not None and "where the terminal allows" in unknown


class CopyApp(App[None]):
    pass


@pytest.mark.parametrize(("name", "text", "what"), [("xterm", '{"style": "teal"}', "Prompt JSON"),
                                                   ("kitty-0.35", "hello", "Prompt")])
async def test_a_dialog_when_nothing_takes_it_else_a_message_naming_the_clipboard(
        monkeypatch: pytest.MonkeyPatch, name: str, text: str, what: str) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.setattr(terminal, "_probed", report(name))
    app = CopyApp()
    async with app.run_test() as pilot:
        copy_text(app.screen, text, what)
        await pilot.pause()
        if name == "kitty-0.35":
            assert app.clipboard == "hello" and not isinstance(app.screen, CopyTextDialog)
            assert [n.message for n in app._notifications] == ["Prompt copied to kitty(0.35.2)'s clipboard."]
            return
        assert isinstance(app.screen, CopyTextDialog) and not app._notifications
        area = app.screen.query_one(TextArea)
        assert area.text == text and area.selected_text == text
        assert "XTerm(379) refuses" in app.screen.message
        await pilot.press("escape")
        assert not isinstance(app.screen, CopyTextDialog)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
async def test_inside_tmux_the_text_lands_in_tmuxs_buffer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    socket = tmp_path / "tmux.sock"
    subprocess.run(["tmux", "-S", str(socket), "new-session", "-d", "-x", "80", "-y", "24"], check=True,
                   env={**os.environ, "TMUX": ""})
    try:
        monkeypatch.setenv("TMUX", f"{socket},1,0")  # what tmux sets in its panes: the tmux command finds it
        monkeypatch.setattr(terminal, "_probed", report("tmux-in-xterm-vt340"))
        app = CopyApp()
        async with app.run_test() as pilot:
            copy_text(app.screen, "a red fox", "Prompt")
            await pilot.pause()
            shown = subprocess.run(["tmux", "-S", str(socket), "show-buffer"], capture_output=True, text=True)
            assert shown.stdout == "a red fox"
            message = [n.message for n in app._notifications][0]
            assert message.startswith("Prompt copied to tmux's paste buffer only") and "XTerm(379)" in message
    finally:
        subprocess.run(["tmux", "-S", str(socket), "kill-server"], check=False)
