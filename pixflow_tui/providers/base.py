"""Capability protocols shared by the live (fal, OpenAI) and demo providers.

The engine and the workflows only see these types, so they cannot tell the implementations apart.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Container, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from pixflow_tui.core.jobs import MediaRequest

if TYPE_CHECKING:  # pydantic loads with the first prompt, not with every import of the protocols
    from pixflow_tui.core.prompt_schema import PromptOutput
    from pixflow_tui.core.taste import TasteGuidance
    from pixflow_tui.core.research import KeywordResearch, ResearchBrief, SubTheme


class ProviderError(Exception):
    """A provider call failed. `transient` errors are worth retrying; permanent ones carry the provider's words."""

    def __init__(self, message: str, *, transient: bool, retry_after: float | None = None,
                 status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient
        self.retry_after = retry_after
        self.status_code = status_code


class TransientProviderError(ProviderError):
    def __init__(self, message: str, *, retry_after: float | None = None, status_code: int | None = None) -> None:
        super().__init__(message, transient=True, retry_after=retry_after, status_code=status_code)


class PermanentProviderError(ProviderError):
    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message, transient=False, status_code=status_code)


class MissingKeyError(PermanentProviderError):
    """A live call was attempted without its API key."""


@dataclass(frozen=True)
class RemoteHandle:
    """What identifies a submitted task at the provider; stored in the job row and enough to resume after a restart."""

    request_id: str
    model: str
    status_url: str | None = None
    response_url: str | None = None
    cancel_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"request_id": self.request_id, "model": self.model, "status_url": self.status_url,
                "response_url": self.response_url, "cancel_url": self.cancel_url}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RemoteHandle:
        fields: dict[str, Any] = {k: data.get(k) for k in ("request_id", "model", "status_url", "response_url",
                                                           "cancel_url")}  # stored JSON, as to_dict wrote it
        return cls(**fields)


@dataclass(frozen=True)
class HistoryAnswer:
    """Whether the provider got a submit whose answer was lost. `found`: its handle; `no_record`: the provider has
    none (safe to send again); neither: it cannot tell yet (a request still running may not be listed)."""

    found: RemoteHandle | None = None
    no_record: bool = False


@dataclass(frozen=True)
class PreparedSubmit:
    """A request made ready to send: references uploaded, client set up. Nothing payable has left yet."""

    request: MediaRequest
    arguments: dict[str, Any]  # what goes on the wire (uploaded files replaced by their URLs)

    @property
    def model(self) -> str:
        return self.request.model


RemoteState = Literal["queued", "running", "completed", "failed"]


@dataclass(frozen=True)
class RemoteStatus:
    state: RemoteState
    queue_position: int | None = None
    progress: float | None = None  # 0..1 when the provider reports it
    logs: tuple[str, ...] = ()
    error: str | None = None  # set when state == "failed"
    error_transient: bool = False


@dataclass(frozen=True)
class RemoteOutput:
    """One file a finished task produced: where to fetch it and what it is."""

    url: str  # http(s):// from a live provider, file:// from the demo provider
    content_type: str
    file_name: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class MediaProvider(Protocol):
    """Queue-based media work (image, video, speech, lipsync): prepare → send → status → result, and cancel.

    `prepare` does everything before the payable call (validation, uploads); `send` is that one call, so the
    engine can mark a job `submitting` only while its answer may be lost. `submit` is both, for simple callers."""

    name: str  # "fal" | "demo"

    async def prepare(self, request: MediaRequest) -> PreparedSubmit: ...

    async def send(self, prepared: PreparedSubmit) -> RemoteHandle: ...

    async def submit(self, request: MediaRequest) -> RemoteHandle: ...

    async def status(self, handle: RemoteHandle) -> RemoteStatus: ...

    async def result(self, handle: RemoteHandle) -> list[RemoteOutput]:
        """The outputs of a request whose status said "completed" (the engine asks only then)."""
        ...

    async def cancel(self, handle: RemoteHandle) -> None: ...

    async def find_submitted(self, request: MediaRequest, sent_from: datetime, sent_to: datetime,
                             taken: Container[str] = frozenset()) -> HistoryAnswer:
        """Whether the provider got `request` between the two moments (naive UTC; `sent_from` is when the submit
        began): for `unknown` jobs. A request in `taken` (another job follows it) is never the answer."""
        ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class ImageAnalysis:
    """What a reference image looks like, used to guide prompt style."""

    summary: str
    width: int
    height: int
    orientation: str  # portrait | landscape | square
    dominant_colors: tuple[str, ...]  # colour names, most common first
    brightness: float  # 0..1
    contrast: float  # 0..1
    described_by: str = "pixels"  # the vision model that wrote `summary`, or "pixels" for local statistics


@dataclass(frozen=True)
class Script:
    text: str
    word_count: int
    estimated_duration: float  # seconds at 2.5 words per second


@runtime_checkable
class TextProvider(Protocol):
    """Text work: research, prompts from a concept, an image or free text; voiceover scripts."""

    name: str  # "openai" | "demo"

    def concept_prompts(self, concept: str, count: int, *, reference: ImageAnalysis | None = None,
                        product: str | None = None, taste: TasteGuidance | None = None,
                        sub_themes: Sequence[SubTheme] = (),
                        brief: ResearchBrief | None = None) -> AsyncIterator[PromptOutput]:
        """Yield `count` prompts one by one as each is ready, following the person's `taste` when given; prompt
        i follows `sub_themes[i]` when given (the research step assigns them round-robin) and the brief's
        recommendations."""
        ...

    async def research_keyword(self, keyword: str, concept: str, *, web: bool) -> KeywordResearch:
        """Trends, competitors and technical analyses of one keyword; `web` searches the web when the server
        can (the answer's `effective_mode` and `note` say when it fell back to the model)."""
        ...

    async def sub_themes(self, brief: ResearchBrief, keywords: Sequence[str]) -> list[SubTheme]:
        """6–8 sub-themes for the brief, every keyword in one or two of them."""
        ...

    async def analyze_reference(self, image: Path) -> ImageAnalysis:
        """What a reference photo looks like (the vision model where there is one), to guide prompt style."""
        ...

    async def image_to_prompt(self, image: Path, context: str = "") -> PromptOutput: ...

    async def text_to_prompt(self, text: str, *, convert: bool = False) -> PromptOutput:
        """The text kept verbatim (or mapped from JSON); with `convert`, written into the schema by the model."""
        ...

    async def write_script(self, concept: str, duration: int, tone: str, app_name: str = "",
                           examples: tuple[str, ...] = ()) -> Script: ...

    async def refine_script(self, script: str, feedback: str, duration: int) -> Script: ...

    async def translate(self, text: str, languages: tuple[str, ...]) -> dict[str, str]: ...

    async def detect_language(self, text: str) -> str:
        """The catalog code (EN, TR, ...) of the language `text` is in; "" when it cannot tell."""
        ...

    async def aclose(self) -> None: ...
