"""One run's prompts as the screen holds them: slots filled as they arrive, scores, selection, save state."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.text import Text

if TYPE_CHECKING:  # pydantic and the scoring load after the first frame, not at start-up
    from pixflow_tui.core.prompt_schema import PromptOutput
    from pixflow_tui.core.taste import TasteGuidance
    from pixflow_tui.core.research import ResearchOutcome

BAND_STYLES = {"excellent": "green", "good": "green", "fair": "yellow", "poor": "red"}
SOURCE_WORDS = {"generated": "concept", "analyzed": "image", "text": "text"}


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    text = " ".join(str(value).split())
    return [text] if text else []


def summary(prompt: PromptOutput) -> str:
    """One line for the list: the style, or (for a prompt without one) its first filled-in fields."""
    style = " ".join(prompt.style.split())
    return style or " · ".join(_texts(prompt.model_dump())[:3]) or "(empty prompt)"


@dataclass(frozen=True)
class Checked:
    """A prompt with its local quality check (advisory, never blocking)."""

    prompt: PromptOutput
    score: int
    issues: tuple[str, ...]

    @classmethod
    def of(cls, prompt: PromptOutput) -> Checked:
        from pixflow_tui.core.scoring import prompt_issues, prompt_score

        return cls(prompt, prompt_score(prompt), tuple(prompt_issues(prompt)))

    @property
    def band(self) -> str:
        from pixflow_tui.core.scoring import band

        return band(self.score)


@dataclass
class Batch:
    """What one run produced. `source` is the history source: generated, analyzed or text."""

    source: str
    concept: str
    size: int
    product_id: int | None = None
    slots: list[Checked | None] = field(default_factory=list)
    selected: set[int] = field(default_factory=set)
    history_id: int | None = None
    unsaved_edits: bool = False
    running: bool = True
    taste: TasteGuidance | None = None  # the taste the run followed ("use my taste")
    research: ResearchOutcome | None = None  # what the research step found before the prompts were written
    references: tuple[str, ...] = ()  # the reference image the prompts were written from: it follows them

    def __post_init__(self) -> None:
        if not self.slots:
            self.slots = [None] * self.size

    # ---- content ---------------------------------------------------------------------------------------

    @property
    def prompts(self) -> list[PromptOutput]:
        return [slot.prompt for slot in self.slots if slot is not None]

    @property
    def arrived(self) -> int:
        return sum(slot is not None for slot in self.slots)

    def arrive(self, prompt: PromptOutput) -> int:
        """Put a new prompt in the first empty slot (appending when all are full); returns its index."""
        checked = Checked.of(prompt)
        for index, slot in enumerate(self.slots):
            if slot is None:
                self.slots[index] = checked
                return index
        self.slots.append(checked)
        return len(self.slots) - 1

    def drop_empty(self) -> None:
        """After a run: slots that never filled (cancelled or failed) are removed."""
        self.slots = [slot for slot in self.slots if slot is not None]
        self.selected = {i for i in self.selected if i < len(self.slots)}

    def replace(self, index: int, prompt: PromptOutput) -> None:
        self.slots[index] = Checked.of(prompt)
        self.unsaved_edits = True

    def get(self, index: int | None) -> Checked | None:
        if index is None or not 0 <= index < len(self.slots):
            return None
        return self.slots[index]

    # ---- selection for sending -------------------------------------------------------------------------

    def toggle(self, index: int) -> bool:
        if self.get(index) is None:
            return False
        self.selected.symmetric_difference_update({index})
        return index in self.selected

    def to_send(self) -> list[PromptOutput]:
        """The selected prompts in list order, or every written prompt when none is selected."""
        return [slot.prompt for i, slot in enumerate(self.slots)
                if slot is not None and (not self.selected or i in self.selected)]

    # ---- display ---------------------------------------------------------------------------------------

    def variety(self) -> dict[str, Any] | None:
        from pixflow_tui.core.scoring import variety_score

        prompts = self.prompts
        return variety_score(prompts) if len(prompts) > 1 else None

    def row(self, index: int) -> Text:
        slot = self.slots[index]
        mark = "●" if index in self.selected else " "
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{mark}", style="bold cyan")
        text.append(f"{index + 1:>3} ", style="dim")
        if slot is None:
            text.append("  ⋯  writing…" if self.running else "  —  not written", style="dim italic")
            return text
        text.append(f"{slot.score:>3}  ", style=BAND_STYLES[slot.band])
        text.append(summary(slot.prompt))
        return text

    def checks(self, index: int | None) -> Text:
        """The quality of the highlighted prompt and the variety of the batch, weaknesses listed."""
        text = Text()
        slot = self.get(index)
        if slot is not None and index is not None:
            text.append(f"Prompt {index + 1}: quality {slot.score} ", style="bold")
            text.append(slot.band, style=f"bold {BAND_STYLES[slot.band]}")
            for issue in slot.issues:
                text.append(f"\n · {issue}", style="")
            if not slot.issues:
                text.append("\n · every check passes", style="dim")
            if self.taste is not None:
                text.append("\nTaste: ", style="bold")
                text.append(self.taste.note_for(slot.prompt.model_dump()).text())
        variety = self.variety()
        if variety is not None:
            verdict, style = ("passed", "green") if variety["passed"] else ("weak", "yellow")
            text.append("\n" if text.plain else "")
            text.append(f"Batch variety {variety['score']:g} ", style="bold")
            text.append(verdict, style=f"bold {style}")
            for weakness in variety["weaknesses"]:
                text.append(f"\n · {weakness}")
        return text
