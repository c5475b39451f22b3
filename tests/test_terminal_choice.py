"""Renderer and colours chosen from what real terminals answered (tests/fixtures/terminal_answers.json)."""
from __future__ import annotations

import json
import os
import pty
from pathlib import Path

import pytest

from pixflow_tui.workflows import terminal
from pixflow_tui.workflows.terminal_probe import QUERIES, probe_terminal

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "terminal_answers.json").read_text(encoding="utf-8"))
TERMINALS = sorted(name for name in FIXTURES if not name.startswith("_"))


@pytest.mark.parametrize("name", TERMINALS)
def test_renderer_and_colours_from_recorded_answers(name: str) -> None:
    case = FIXTURES[name]
    report = terminal.from_answers(case["answers"], case["env"], tmux_feature_list=case.get("tmux_features", ""),
                                   tmux_outer=case.get("tmux_outer", ""))
    assert (report.renderer, report.colors) == (case["renderer"], case["colors"]), report.reason
    assert report.answered and report.reason


def test_old_kitty_says_why_it_gets_no_kitty_pictures() -> None:
    case = FIXTURES["kitty-0.26"]
    report = terminal.from_answers(case["answers"], case["env"])
    assert report.kitty_graphics and report.terminal == "kitty(0.26.5)"
    assert any("older than kitty 0.28" in note for note in report.notes)


def test_tmux_uses_only_what_tmux_passes_through() -> None:
    case = FIXTURES["tmux-in-xterm-vt340"]
    report = terminal.from_answers(case["answers"], case["env"], tmux_feature_list="256,mouse")
    assert report.tmux == "tmux 3.3a" and report.renderer == "halfcell"
    assert report.colors == "256", "without RGB in tmux's client features, tmux sends no 24-bit colours"
    with_sixel = case["answers"].replace("[?1;2c", "[?1;2;4c")  # a tmux built with sixel lists 4
    assert terminal.from_answers(with_sixel, case["env"]).renderer == "sixel"


@pytest.mark.parametrize(("setting", "name", "expected", "warned"), [
    ("sixel", "tmux-in-xterm-vt340", "halfcell", "does not show sixel images"),
    ("kitty", "tmux-in-xterm-vt340", "halfcell", "do not pass through tmux"),
    ("kitty", "kitty-0.26", "halfcell", "cannot place kitty images"),
    ("sixel", "xterm-vt340", "sixel", None),
    ("kitty", "kitty-0.35", "kitty", None),
    ("halfcell", "xterm-vt340", "halfcell", None),
    ("auto", "mlterm", "sixel", None),
])
def test_a_forced_renderer_that_cannot_show_falls_back_with_a_reason(
        setting: str, name: str, expected: str, warned: str | None) -> None:
    case = FIXTURES[name]
    report = terminal.from_answers(case["answers"], case["env"], tmux_feature_list=case.get("tmux_features", ""),
                                   tmux_outer=case.get("tmux_outer", ""))
    renderer, warning = terminal.resolve_renderer(setting, report)
    assert renderer == expected
    assert (warning is None) if warned is None else (warned in (warning or ""))


@pytest.mark.parametrize(("env", "expected"), [
    ({"TERM": "xterm"}, "halfcell"), ({"TERM": "dumb"}, "unicode"), ({"TERM": "xterm-kitty"}, "kitty"),
    ({"TERM": "tmux-256color", "TMUX": "x"}, "halfcell"),
])
def test_a_terminal_that_does_not_answer_is_guessed_from_the_environment(env: dict[str, str], expected: str) -> None:
    report = terminal.from_answers("", env)
    assert report.renderer == expected and not report.answered
    assert "did not answer" in report.reason


def test_not_a_terminal_is_not_asked() -> None:
    assert terminal.from_answers(None, {"TERM": "xterm"}).renderer == "unicode"


def _run_probe_against(reply: bytes | None, timeout: float, out_to: Path | None = None) -> tuple[list[object], bytes]:
    """probe_terminal in a child on a pty whose other end plays the terminal (answers `reply`, or stays silent).
    With `out_to`, the child's stdout is that file (`pixflow doctor > file`) and the probe asks /dev/tty."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app side
        import termios

        before = termios.tcgetattr(0)
        if out_to is not None:
            os.dup2(os.open(out_to, os.O_WRONLY | os.O_CREAT), 1)
        answers = probe_terminal(use_stdio=out_to is None, timeout=timeout)
        restored = termios.tcgetattr(0) == before
        os.write(2, b"\nRESULT:" + json.dumps([answers, restored]).encode() + b"\n")
        os._exit(0)
    received = b""
    answered = reply is None
    while b"RESULT:" not in received or not received.endswith(b"\n"):
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        received += chunk
        if not answered and b"\x1b[c" in received:
            os.write(fd, reply)
            answered = True
    os.waitpid(pid, 0)
    os.close(fd)
    line = received.split(b"RESULT:")[-1].strip()
    return json.loads(line), received


def test_the_probe_reads_the_answers_through_a_pty() -> None:
    reply = FIXTURES["xterm-vt340"]["answers"].encode()
    (answers, restored), written = _run_probe_against(reply, timeout=5)
    assert QUERIES.encode() in written
    assert answers == FIXTURES["xterm-vt340"]["answers"]
    assert restored, "the terminal's mode is put back"


def test_with_stdout_in_a_file_the_controlling_terminal_is_asked(tmp_path: Path) -> None:
    reply = FIXTURES["kitty-0.26"]["answers"].encode()
    (answers, restored), written = _run_probe_against(reply, timeout=5, out_to=tmp_path / "report.txt")
    assert answers == FIXTURES["kitty-0.26"]["answers"] and restored
    assert QUERIES.encode() in written and (tmp_path / "report.txt").read_bytes() == b""


def test_a_silent_terminal_costs_only_the_timeout() -> None:
    import time

    started = time.monotonic()
    (answers, restored), _ = _run_probe_against(None, timeout=0.3)
    assert answers == "" and restored and time.monotonic() - started < 2


@pytest.mark.parametrize(("env", "asks_kitty"), [
    ({"TERM": "xterm-kitty"}, True),
    ({"TERM": "tmux-256color", "TMUX": "/nonexistent/socket,1,0"}, False),  # tmux would show it as the title
    ({"TERM": "screen-256color"}, False),
    ({"TERM": "linux"}, False),  # the Linux console would print it
])
def test_the_kitty_query_is_not_sent_to_tmux_or_screen(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                                       asks_kitty: bool) -> None:
    from pixflow_tui.workflows import terminal_probe

    sent: list[str] = []

    def fake_probe(*, use_stdio: bool, queries: str) -> str:
        sent.append(queries)
        return FIXTURES["tmux-in-xterm-vt340"]["answers"]

    monkeypatch.setattr(terminal_probe, "probe_terminal", fake_probe)
    monkeypatch.setattr(terminal, "_probed", None)
    terminal.probe(env=env)
    assert sent and ("\x1b_G" in sent[0]) == asks_kitty and sent[0].endswith("\x1b[c")


@pytest.mark.parametrize(("name", "term", "system"), [
    ("xterm", "xterm", "truecolor"),  # over SSH: TERM=xterm and no COLORTERM read as 16 colours
    ("mlterm", "mlterm", "256"),
    ("tmux-in-xterm-vt340", "tmux-256color", "truecolor"),
])
def test_the_colours_the_terminal_said_reach_the_app(monkeypatch: pytest.MonkeyPatch, name: str, term: str,
                                                     system: str) -> None:
    from textual.app import App

    from pixflow_tui.tui.startup import colour_environment

    case = FIXTURES[name]
    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("COLORTERM", raising=False)
    report = terminal.from_answers(case["answers"], case["env"], tmux_feature_list=case.get("tmux_features", ""))
    with colour_environment(report):
        app: App[None] = App()
    assert app.console.color_system == system
    assert os.environ["TERM"] == term
