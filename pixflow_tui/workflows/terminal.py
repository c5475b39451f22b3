"""Which image renderer and how many colours, from the setting and what the terminal says it can show.

`auto` asks the terminal (workflows/terminal_probe.py) and reads its answers here; when the terminal answers
nothing (not a tty, or too old to answer) the environment is the guess. Inside tmux only what tmux itself shows
counts: its own device attributes (sixel only when tmux was built with it) and the colours it passes to the
terminal outside (`client_termfeatures`); kitty graphics never pass through tmux.
"""
from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

RENDERER_CLASSES = ("kitty", "sixel", "halfcell", "unicode", "none")
KITTY_PLACEHOLDERS = (0, 28, 0)  # the Unicode placeholders textual-image places images with: kitty 0.28
# Terminals that keep 24-bit colours (their XTVERSION name, lower case).
_TRUECOLOR_NAMES = ("kitty", "wezterm", "iterm2", "mlterm", "foot", "ghostty", "contour", "konsole", "xterm",
                    "alacritty", "rio")


@dataclass(frozen=True)
class TerminalReport:
    """What the terminal can show, and the renderer and colours chosen from it."""

    renderer: str
    colors: str  # "truecolor", "256" or "16"
    reason: str  # one line: why this renderer
    terminal: str = ""  # name and version it gave, e.g. "kitty(0.26.5)", "XTerm(379)"; "" when unknown
    answered: bool = False  # False: nothing was asked or nothing came back; the environment was the guess
    sixel: bool = False
    kitty_graphics: bool = False
    tmux: str = ""  # tmux's version when inside tmux
    outer: str = ""  # inside tmux: the terminal outside it, as tmux names it ("XTerm(379)")
    notes: list[str] = field(default_factory=list)
    answers: str = ""  # what the terminal sent back, as received (for `doctor --json` and test fixtures)


def _answer(pattern: str, answers: str) -> re.Match[str] | None:
    return re.search(pattern, answers, re.DOTALL)


def _version(text: str) -> tuple[int, ...]:
    numbers = re.findall(r"\d+", text)
    return tuple(int(n) for n in numbers[:3]) if numbers else ()


def _in_tmux(env: Mapping[str, str], name: str) -> bool:
    return bool(env.get("TMUX")) or name.lower().startswith("tmux") or env.get("TERM", "").startswith("tmux")


def tmux_client(env: Mapping[str, str]) -> tuple[str, str]:
    """(features, name) of the terminal outside tmux as tmux sees it (`client_termfeatures`, `client_termtype`:
    "256,…,RGB,…" and "XTerm(379)"); ("", "") outside tmux or when tmux does not say."""
    if not env.get("TMUX"):
        return "", ""
    try:
        done = subprocess.run(["tmux", "display-message", "-p", "#{client_termfeatures}|#{client_termtype}"],
                              capture_output=True, text=True, timeout=2, check=False)
    except (OSError, subprocess.SubprocessError):
        return "", ""
    features, _, name = done.stdout.strip().partition("|") if done.returncode == 0 else ("", "", "")
    return features, name


def _colours(env: Mapping[str, str], answers: str, name: str, da1_level: int, tmux: bool, features: str) -> str:
    if env.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return "truecolor"
    if tmux:
        if "RGB" in features.split(","):
            return "truecolor"
    elif _answer(r"\x1bP1\$r[^\x1b]*48[:;]2[:;]{1,2}1[:;]2[:;]3", answers):
        return "truecolor"
    elif any(name.lower().startswith(known) for known in _TRUECOLOR_NAMES):
        return "truecolor"
    term = env.get("TERM", "")
    if "256color" in term or "kitty" in term or da1_level >= 62:
        return "256"
    return "16"


def from_answers(answers: str | None, env: Mapping[str, str], *, tmux_feature_list: str = "",
                 tmux_outer: str = "") -> TerminalReport:
    """The renderer for `auto` and the colours, from what the terminal answered (None: nothing asked)."""
    if not answers or not _answer(r"\x1b\[\?[\d;]*c", answers):
        guess = detect_graphics(env, is_tty=answers is not None)
        colours = "truecolor" if env.get("COLORTERM", "").lower() in ("truecolor", "24bit") else (
            "256" if "256color" in env.get("TERM", "") else "16")
        why = "not a terminal" if answers is None else "the terminal did not answer"
        return TerminalReport(guess, colours, f"{why}; guessed from TERM={env.get('TERM', '')!r}",
                              answers=answers or "")
    da1 = _answer(r"\x1b\[\?([\d;]*)c", answers)
    params = [int(p) for p in da1.group(1).split(";") if p.isdigit()] if da1 else []
    version = _answer(r"\x1bP>\|([^\x1b]*)\x1b\\", answers)
    name = version.group(1).strip() if version else ""
    sixel = 4 in params[1:]
    kitty_ok = bool(_answer(r"\x1b_Gi=31;OK\x1b\\", answers))
    tmux = _in_tmux(env, name)
    tmux_version = name if name.lower().startswith("tmux") else ("tmux" if tmux else "")
    colours = _colours(env, answers, name, params[0] if params else 0, tmux, tmux_feature_list)
    notes: list[str] = []
    common: dict[str, Any] = {"terminal": name, "answered": True, "answers": answers, "outer": tmux_outer,
                              "sixel": sixel, "kitty_graphics": kitty_ok, "tmux": tmux_version}
    shades = {"truecolor": "24-bit colour", "256": "256 colours", "16": "16 colours"}[colours]
    if tmux:
        inside = f"inside {tmux_version}" + (f" in {tmux_outer}" if tmux_outer else "")
        notes.append("kitty graphics do not pass through tmux")
        if sixel:
            return TerminalReport("sixel", colours, f"{inside}, which shows sixel images", notes=notes, **common)
        notes.append("this tmux does not show sixel images (tmux 3.4+ built with sixel does)")
        return TerminalReport("halfcell", colours, f"{inside}: half-block pictures in {shades}", notes=notes,
                              **common)
    lower = name.lower()
    if kitty_ok and lower.startswith("kitty"):
        if _version(name) >= KITTY_PLACEHOLDERS:
            return TerminalReport("kitty", colours, f"{name} shows kitty graphics", **common)
        notes.append(f"{name} is older than kitty 0.28, which the kitty image placement needs")
    elif kitty_ok and lower.startswith("ghostty"):
        return TerminalReport("kitty", colours, f"{name} shows kitty graphics", **common)
    if sixel:
        return TerminalReport("sixel", colours, f"{name or 'the terminal'} shows sixel images", notes=notes, **common)
    return TerminalReport("halfcell", colours,
                          f"{name or 'the terminal'} has no sixel or usable kitty graphics: half-block pictures in "
                          f"{shades}", notes=notes, **common)


def detect_graphics(env: Mapping[str, str] | None = None, *, is_tty: bool | None = None) -> str:
    """Best guess of the terminal's graphics support from the environment, without writing to the terminal."""
    env = os.environ if env is None else env
    if is_tty is None:
        is_tty = os.isatty(1)
    if not is_tty:
        return "unicode"
    term = env.get("TERM", "")
    program = env.get("TERM_PROGRAM", "")
    if env.get("TMUX") or term.startswith(("screen", "tmux")):
        return "halfcell"  # kitty graphics do not pass through tmux; sixel only partly
    if env.get("KITTY_WINDOW_ID") or "kitty" in term or program in ("WezTerm", "ghostty") or "ghostty" in term:
        return "kitty"
    if program in ("iTerm.app",) or "mlterm" in term or "foot" in term or env.get("WT_SESSION") and "sixel" in term:
        return "sixel"
    if term in ("", "dumb"):
        return "unicode"
    return "halfcell"  # any colour terminal: half-block pictures can be made out, grey characters cannot


_probed: TerminalReport | None = None


def probe(*, use_stdio: bool = True, env: Mapping[str, str] | None = None) -> TerminalReport:
    """Ask the terminal (once per process) and read its answers. use_stdio=False asks the controlling terminal
    even when stdout is a file or a pipe (`pixflow doctor > report.txt`)."""
    global _probed
    if _probed is None:
        from pixflow_tui.workflows import terminal_probe as asked

        env = os.environ if env is None else env
        term = env.get("TERM", "")
        queries = asked.MULTIPLEXER_QUERIES if env.get("TMUX") or term.startswith(("screen", "tmux")) else (
            asked.CONSOLE_QUERIES if term == "linux" else asked.QUERIES)
        answers = None if term in ("", "dumb") else asked.probe_terminal(use_stdio=use_stdio, queries=queries)
        features, outer = tmux_client(env) if answers else ("", "")
        _probed = from_answers(answers, env, tmux_feature_list=features, tmux_outer=outer)
    return _probed


def last_report() -> TerminalReport | None:
    """What the probe found in this process (None when it did not run)."""
    return _probed


def choose_renderer(setting: str, env: Mapping[str, str] | None = None, *, is_tty: bool | None = None) -> str:
    """The renderer to use: the setting, or for `auto` what the probe found (the environment's guess when the
    terminal was not asked)."""
    if setting != "auto":
        return setting
    if _probed is not None and env is None and is_tty is None:
        return _probed.renderer
    return detect_graphics(env, is_tty=is_tty)


def resolve_renderer(setting: str, report: TerminalReport) -> tuple[str, str | None]:
    """(renderer, warning): `auto` takes the report's choice; a pixel renderer the terminal cannot show (sixel
    inside a tmux without sixel, kitty graphics inside tmux or in a kitty older than 0.28) falls back to half
    blocks with a warning saying why, instead of blank previews."""
    if setting == "auto":
        return report.renderer, None
    if not report.answered or setting not in ("sixel", "kitty"):
        return setting, None
    if setting == "sixel" and not report.sixel:
        where = report.tmux or report.terminal or "this terminal"
        return report.renderer, (f"image_renderer is sixel, but {where} does not show sixel images: "
                                 f"using {report.renderer}")
    if setting == "kitty" and (report.tmux or not report.kitty_graphics or report.renderer != "kitty"):
        where = report.tmux or report.terminal or "this terminal"
        why = "kitty graphics do not pass through tmux" if report.tmux else f"{where} cannot place kitty images"
        return report.renderer, f"image_renderer is kitty, but {why}: using {report.renderer}"
    return setting, None
