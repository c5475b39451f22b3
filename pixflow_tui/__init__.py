"""Pixflow TUI: a keyboard-driven terminal workspace for AI asset production."""

__version__ = "0.1.0"
