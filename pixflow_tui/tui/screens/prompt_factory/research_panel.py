"""The research report beside the prompt list: while the research step runs, its progress; after it, the summary,
insights, warnings, sub-themes, sources (domains), the grounding score and the cache hit rate. It takes the place of
the prompt view (R switches between them), so it fits at 80×24 and scrolls."""
from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

if TYPE_CHECKING:
    from pixflow_tui.core.research import ResearchOutcome

SCORE_STYLES = ((70, "green"), (40, "yellow"), (0, "red"))


def _score_style(score: int) -> str:
    return next(style for floor, style in SCORE_STYLES if score >= floor)


def headline(outcome: ResearchOutcome) -> str:
    """One line: mode, grounding and cache ("research web · grounding 64 · cache 2/3")."""
    mode = outcome.effective_mode
    if outcome.effective_mode != outcome.requested_mode and not outcome.demo:
        mode += f" (asked {outcome.requested_mode})"
    hits, total = outcome.cache_hits, outcome.cache_hits + outcome.cache_misses
    return f"research {mode} · grounding {outcome.grounding_score} · cache {hits}/{total}"


def report(outcome: ResearchOutcome) -> Text:
    text = Text()
    text.append(outcome.summary(), style="italic" if outcome.demo else "")
    score = outcome.grounding_score
    text.append("\nGrounding ", style="bold")
    text.append(f"{score}/100", style=f"bold {_score_style(score)}")
    text.append(f" · {len(outcome.source_urls)} sources, {len(outcome.source_domains)} domains"
                f" · cache hit rate {outcome.cache_hit_rate:.0%}", style="dim")

    def section(title: str, lines: list[str], style: str = "") -> None:
        if lines:
            text.append(f"\n{title}", style="bold")
            for line in lines:
                text.append(f"\n · {line}", style=style)

    section("Insights", outcome.insights)
    section("Warnings", outcome.warnings, "yellow")
    section("Notes", outcome.notes, "dim")
    text.append(f"\nSub-themes ({len(outcome.sub_themes)})", style="bold")
    for number, theme in enumerate(outcome.sub_themes, 1):
        text.append(f"\n{number:>2} ", style="dim")
        text.append(theme.name, style="bold")
        text.append(f" · {theme.aesthetic} · {theme.mood}", style="cyan")
        text.append(f"\n    {', '.join(theme.key_elements)}", style="dim")
    if outcome.source_domains:
        text.append("\nSources ", style="bold")
        text.append(", ".join(outcome.source_domains))
    return text


class ResearchPanel(VerticalScroll, can_focus=True):
    """Scrolls with the arrow keys when focused; R (the screen's key) brings the prompt view back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False, id="pf-research-down"),
        Binding("k", "scroll_up", "Up", show=False, id="pf-research-up"),
    ]

    def compose(self):
        yield Static("", id="research-text")

    def on_mount(self) -> None:
        self.border_title = "Research"

    def show_progress(self, line: str, concept: str) -> None:
        self.border_title = "Research · running"
        self.query_one("#research-text", Static).update(Text.assemble(
            (f"Researching “{concept}” before the prompts are written.\n", "bold"), (line, "italic")))

    def show_outcome(self, outcome: ResearchOutcome | None) -> None:
        self.border_title = (f"Research · {headline(outcome).removeprefix('research ')}" if outcome is not None
                             else "Research")
        self.query_one("#research-text", Static).update(
            report(outcome) if outcome is not None else Text("No research for these prompts (research was off, "
                                                             "or they came from an image or a text).", style="dim"))
        self.scroll_home(animate=False)
