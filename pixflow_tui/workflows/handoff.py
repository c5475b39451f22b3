"""What one module sends to another inside a session: prompts to Asset Monster, images to Img2Video, and
history entries back to Prompt Factory (the Library's "load back")."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pixflow_tui.core.prompt_schema import PromptOutput


@dataclass(frozen=True)
class PromptParcel:
    concept: str
    prompts: tuple[PromptOutput, ...]
    history_id: int | None = None
    source: str = "generated"  # how a history entry was made: generated, analyzed or text
    origin: str = "prompt_factory"  # who sent prompts to Asset Monster: prompt_factory or favorite
    product_id: int | None = None  # the product the prompts were made for (the images' taste profile)
    research: dict[str, Any] | None = None  # what the research step found (ResearchOutcome.to_dict), if it ran
    taste: dict[str, Any] | None = None  # the taste guidance the prompts followed (TasteGuidance.to_json), if any
    references: tuple[str, ...] = ()  # reference images the prompts were written from (Asset Monster adds them)


@dataclass
class Handoff:
    """Mailboxes between modules; the receiving screen takes what is waiting when it is shown."""

    _prompts: list[PromptParcel] = field(default_factory=list)
    _images: list[str] = field(default_factory=list)
    _history: list[PromptParcel] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send_prompts(self, concept: str, prompts: list[PromptOutput], history_id: int | None = None,
                     origin: str = "prompt_factory", product_id: int | None = None,
                     references: tuple[str, ...] = ()) -> None:
        if prompts:
            with self._lock:
                self._prompts.append(PromptParcel(concept, tuple(prompts), history_id, origin=origin,
                                                  product_id=product_id, references=tuple(references)))

    def take_prompts(self) -> list[PromptParcel]:
        with self._lock:
            taken, self._prompts = self._prompts, []
        return taken

    def send_history(self, concept: str, prompts: list[PromptOutput], history_id: int | None = None,
                     source: str = "generated", research: dict[str, Any] | None = None,
                     taste: dict[str, Any] | None = None) -> None:
        """Prompts for Prompt Factory to show again (the newest parcel wins there: one concept at a time)."""
        if prompts:
            with self._lock:
                self._history.append(PromptParcel(concept, tuple(prompts), history_id, source, research=research,
                                                  taste=taste))

    def take_history(self) -> list[PromptParcel]:
        with self._lock:
            taken, self._history = self._history, []
        return taken

    def send_images(self, paths: list[str]) -> None:
        with self._lock:
            self._images.extend(p for p in paths if p not in self._images)

    def take_images(self) -> list[str]:
        with self._lock:
            taken, self._images = self._images, []
        return taken

    @property
    def waiting(self) -> dict[str, int]:
        with self._lock:
            return {"prompts": sum(len(p.prompts) for p in self._prompts), "images": len(self._images),
                    "history": sum(len(p.prompts) for p in self._history)}
