"""Ask the terminal itself what it can show, through the tty, before the app takes it.

Over SSH only TERM reaches the remote side (not TERM_PROGRAM, KITTY_WINDOW_ID or COLORTERM), so the environment
cannot tell xterm from kitty or a truecolor terminal from a 16-colour one. The terminal can: every query below goes
through SSH and tmux. All are sent at once, device attributes (which every terminal answers) last; the answers
arrive in order, so the device attributes answer ends the wait. A terminal that answers nothing costs the timeout.
"""
from __future__ import annotations

import os
import re
import select
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

# Kitty graphics: a 1×1 image query (a=q) that stores nothing; kitty (and a few others) answer "OK".
KITTY_QUERY = "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
XTVERSION_QUERY = "\x1b[>0q"  # name and version: "\x1bP>|kitty(0.26.5)\x1b\\", "\x1bP>|XTerm(379)\x1b\\"
# Truecolor: set a 24-bit background, ask for the current SGR (DECRQSS) and reset. A terminal that keeps 24-bit
# colours echoes 48:2:…:1:2:3 (or 48;2;1;2;3); one that maps them to its palette answers 48;5;n or nothing.
TRUECOLOR_QUERY = "\x1b[48;2;1;2;3m\x1bP$qm\x1b\\\x1b[m"
DA1_QUERY = "\x1b[c"  # primary device attributes: "\x1b[?63;1;2;4;6;9;15;16;22;28c" (4 = sixel)
QUERIES = KITTY_QUERY + XTVERSION_QUERY + TRUECOLOR_QUERY + DA1_QUERY
# tmux and screen take an APC string (the kitty query) as the window title; kitty graphics do not pass them anyway
MULTIPLEXER_QUERIES = XTVERSION_QUERY + TRUECOLOR_QUERY + DA1_QUERY
CONSOLE_QUERIES = DA1_QUERY  # the Linux console prints strings it does not know
_DA1_ANSWER = re.compile(r"\x1b\[\?[\d;]*c")
TIMEOUT = 0.6  # seconds to wait for the device attributes answer (one round trip, even over a slow SSH link)


def _open_tty(use_stdio: bool) -> tuple[int, int, bool] | None:
    """(input fd, output fd, whether we opened them) of the terminal, or None when there is none."""
    if use_stdio:
        try:
            if os.isatty(0) and os.isatty(1):
                return 0, 1, False
        except OSError:
            pass
        return None
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return None
    if not os.isatty(fd):
        os.close(fd)
        return None
    return fd, fd, True


@contextmanager
def _quiet_mode(fd: int) -> Iterator[None]:
    """No echo, no line buffering, for the length of the probe; the previous mode always comes back."""
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd, termios.TCSANOW)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSAFLUSH, saved)  # also drops anything typed meanwhile


def _read_until_done(fd: int, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    received = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        readable, _, _ = select.select([fd], [], [], left)
        if not readable:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        received += chunk
        if _DA1_ANSWER.search(received.decode("utf-8", "replace")):
            break
    return received.decode("utf-8", "replace")


def probe_terminal(*, use_stdio: bool = True, timeout: float = TIMEOUT, queries: str = QUERIES) -> str | None:
    """Everything the terminal answered to `queries` (escape sequences as a string), or None when there is no
    terminal to ask (stdin or stdout not a tty; with use_stdio=False: no controlling terminal)."""
    if sys.platform == "win32":
        return None  # no termios/select on a console handle: the environment's guess stands
    opened = _open_tty(use_stdio)
    if opened is None:
        return None
    fd_in, fd_out, owned = opened
    try:
        with _quiet_mode(fd_in):
            os.write(fd_out, queries.encode())
            answers = _read_until_done(fd_in, timeout)
            if not _DA1_ANSWER.search(answers):
                time.sleep(0.05)  # late answers: dropped when the mode is restored, not typed into the app
        return answers
    except (OSError, ImportError):
        return None
    finally:
        if owned:
            os.close(fd_in)
