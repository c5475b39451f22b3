"""The Library's preview panel: the picture, the facts, the lineage and the full prompt of what is highlighted."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from pixflow_tui.core.formatting import local_time, money
from pixflow_tui.core.prompt_schema import PromptOutput, PromptParseError, parse_prompt
from pixflow_tui.tui.screens.library.base import short
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows import lineage as lineage_flow
from pixflow_tui.workflows.context import AppContext

LINEAGE_DELAY = 0.12  # seconds the cursor must rest on an output before its lineage is read
IMAGE_KEYS = "l like · d dislike · 0 clear · f favourite prompt · y copy · r regenerate · v to Img2Video · " \
    "e export · o open"
OTHER_KEYS = "y copy prompt · r regenerate · v its image to Img2Video · e export · o open"
_KIND_ICONS = {"concept": "◆", "history": "☰", "favorite": "★", "prompt": "✎", "reference": "⎘", "job": "↻",
               "image": "▣", "video": "▶", "audio": "♪", "lipsync": "☺", "avatar": "☺"}


def facts(pairs: list[tuple[str, Any]]) -> Text:
    text = Text()
    for label, value in pairs:
        if value in (None, ""):
            continue
        text.append(f"{label:<9}", style="bold")
        text.append(f"{value}\n")
    text.rstrip()
    return text


def as_prompt(data: Any) -> PromptOutput | None:
    if not isinstance(data, dict):
        return None
    try:
        return parse_prompt(data)
    except PromptParseError:
        return None


def lineage_text(found: lineage_flow.Lineage) -> Text:
    text = Text()
    if found.made_from:
        text.append("Made from\n", style="bold underline")
        for number, node in enumerate(found.made_from):
            arrow = "  " if number == 0 else "↳ "
            text.append(f"{arrow}{_KIND_ICONS.get(node.kind, '·')} {node.label}\n",
                        style="bold" if number == len(found.made_from) - 1 else "")
    if found.made_into:
        text.append("Made into\n", style="bold underline")
        for node in found.made_into:
            text.append(f"{'  ' * node.depth}{_KIND_ICONS.get(node.kind, '·')} {node.label}\n")
    elif found.made_from:
        text.append("Nothing made from it yet.\n", style="dim")
    text.rstrip()
    return text


class PreviewPanel(VerticalScroll, can_focus=False):
    class _Lineage(Message, bubble=False):
        def __init__(self, key: str, found: lineage_flow.Lineage) -> None:
            super().__init__()
            self.key, self.found = key, found

    def __init__(self, context: AppContext, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.kind = ""
        self.target: Any = None
        self.key: str | None = None
        self._lineage_timer: Any = None
        self._pending: tuple[str, Any] | None = None
        self._building = False
        self.built = False

    def build(self) -> None:
        """Mount the parts. Called once the first page is on screen: the prompt view alone has dozens of
        widgets, and the list matters first. What is asked for meanwhile is shown once they are ready."""
        if self._building:
            return
        self._building = True
        from pixflow_tui.tui.widgets.image_preview import ImagePreview  # Pillow and textual-image: not before
        from pixflow_tui.tui.widgets.prompt_view import PromptView

        settings = self.context.settings
        mounted = self.mount_all([
            ImagePreview(renderer=settings.image_renderer, cache_dir=settings.thumbnails_dir, id="preview-image"),
            Static("Nothing selected.", id="preview-meta", markup=False),
            Static("", id="preview-lineage", markup=False),
            Static("", id="preview-text", markup=False),
            PromptView(id="preview-prompt"),
        ])

        async def ready() -> None:
            await mounted
            self.built = True
            self._show_pending()

        self.call_later(ready)

    def _show_pending(self) -> None:
        if self._pending is not None:
            kind, target = self._pending
            self._pending = None
            self.show(kind, target)

    def show(self, kind: str, target: Any) -> None:
        if not self.built:
            if kind != "rating":
                self._pending = (kind, target)
            return
        if kind == "rating":
            if self.key == getattr(target, "key", None):
                self.target = target
                self._show_output_facts(target)
            return
        self.kind, self.target = kind, target
        self.key = getattr(target, "key", None) if kind == "output" else None
        image: Any = self.query_one("#preview-image")
        lineage = self.query_one("#preview-lineage", Static)
        text = self.query_one("#preview-text", Static)
        prompt_view: Any = self.query_one("#preview-prompt")
        picture: str | None = None
        prompt: PromptOutput | None = None
        extra: Text | str = ""
        lineage.update("")
        if target is None:
            self.query_one("#preview-meta", Static).update("Nothing selected.")
        elif kind == "output":
            self._show_output_facts(target)
            picture = target.local_path if target.kind == "image" else target.thumbnail
            prompt = as_prompt(target.prompt)
            if prompt is None and target.prompt:
                extra = Text.assemble(("Prompt\n", "bold underline"), str(target.prompt))
            lineage.update(Text("Lineage: reading…", style="dim"))
            self._schedule_lineage(target.key)
        elif kind == "history":
            self.query_one("#preview-meta", Static).update(facts([
                ("Concept", target.concept), ("Prompts", target.prompt_count), ("Date", local_time(target.created_at)),
                ("Source", target.source), ("Model", target.model_used),
                ("Keys", "enter: load into Prompt Factory")]))
            self._load_history_prompts(target.id)
        elif kind == "favorite":
            self.query_one("#preview-meta", Static).update(facts([
                ("Name", target.name), ("Concept", target.concept), ("Date", local_time(target.created_at))]))
            prompt = as_prompt(target.prompt)
        elif kind == "batch":
            self.query_one("#preview-meta", Static).update(facts([
                ("Batch", target.id), ("Name", target.name), ("Concept", target.concept),
                ("Module", target.module.replace("_", " ")), ("Status", target.status),
                ("Cost", f"{money(target.cost_actual)} billed (estimate {money(target.cost_estimate)})"),
                ("Outputs", target.outputs), ("Tags", " ".join(f"#{t}" for t in target.tags) or "—"),
                ("Date", local_time(target.created_at))]))
            extra = Text.assemble(("Settings\n", "bold underline"), facts(
                [(str(k), short(json.dumps(v) if not isinstance(v, str) else v, 120))
                 for k, v in target.settings.items()]))
        elif kind == "preset":
            self.query_one("#preview-meta", Static).update(facts([
                ("Preset", target.name), ("Kind", target.kind), ("Origin", "built-in" if target.is_builtin else "yours"),
                ("About", target.description)]))
            prompt = as_prompt(target.data) if target.kind == "prompt" else None
            if prompt is None:
                extra = Text.assemble(("Settings\n", "bold underline"),
                                      json.dumps(target.data, indent=2, ensure_ascii=False))
        image.display = picture is not None
        image.show(picture)
        text.update(extra)
        text.display = bool(extra)
        prompt_view.display = prompt is not None
        prompt_view.show(prompt)

    def _show_output_facts(self, row: Any) -> None:
        rating = {1: "♥ liked", -1: "✗ disliked"}.get(row.rating or 0, "not rated")
        size = f"{row.width}×{row.height}" if row.width and row.height else None
        self.query_one("#preview-meta", Static).update(facts([
            ("Kind", f"{row.kind} #{row.id}"), ("Concept", row.concept), ("Date", local_time(row.created_at)),
            ("Aspect", row.aspect_ratio), ("Size", size),
            ("Length", f"{row.duration:.1f}s" if row.duration else None), ("Model", row.model),
            ("Provider", row.provider), ("Rating", rating if row.kind == "image" else None),
            ("Batch", row.batch_id), ("File", Path(row.local_path).name),
            ("Keys", IMAGE_KEYS if row.kind == "image" else OTHER_KEYS)]))

    # -- lineage and history prompts, read in threads ------------------------------------------------------

    def _schedule_lineage(self, key: str) -> None:
        if self._lineage_timer is not None:
            self._lineage_timer.stop()
        self._lineage_timer = self.set_timer(LINEAGE_DELAY, lambda: self._read_lineage(key))

    def _read_lineage(self, key: str) -> None:
        if key != self.key:
            return
        context = self.context

        def work() -> None:
            self.post_message(self._Lineage(key, lineage_flow.lineage(context, key)))

        start_thread(self, work, name="Reading lineage", group="library-lineage")

    def on_preview_panel__lineage(self, message: _Lineage) -> None:
        if message.key == self.key:
            self.query_one("#preview-lineage", Static).update(lineage_text(message.found))

    def _load_history_prompts(self, history_id: int) -> None:
        from pixflow_tui.workflows.library_queries import history_prompts

        context = self.context

        def work() -> None:
            try:
                found: Any = history_prompts(context, history_id)
            except Exception:
                found = None
            self.app.call_from_thread(self._show_history_prompts, history_id, found)

        start_thread(self, work, name="Reading history prompts", group="library-history-prompts")

    def _show_history_prompts(self, history_id: int, found: Any) -> None:
        if self.kind != "history" or self.target is None or self.target.id != history_id or found is None:
            return
        _, prompts = found
        lines = Text("Prompts\n", style="bold underline")
        for number, prompt in enumerate(prompts, 1):
            lines.append(f"{number}. {short(prompt.style, 110)}\n")
        lines.rstrip()
        text = self.query_one("#preview-text", Static)
        text.update(lines)
        text.display = True
        view: Any = self.query_one("#preview-prompt")
        view.display = bool(prompts)
        view.show(prompts[0] if prompts else None)
