"""The offline text provider: prompts from a local vocabulary, image analysis from real pixels, scripts from
tone phrases. There is no offline translator: translations are the source text, clearly labelled."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pixflow_tui.core.scripts import guess_language
from pixflow_tui.core import catalog
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.core.taste import TasteGuidance
from pixflow_tui.providers.base import ImageAnalysis, PermanentProviderError, Script
from pixflow_tui.providers.demo import prompts, scripts
from pixflow_tui.providers.demo.analysis import analyze_image

if TYPE_CHECKING:
    from pixflow_tui.core.research import KeywordResearch, ResearchBrief, SubTheme

TRANSLATION_LABEL = "[demo translation to {language}] "


class DemoTextProvider:
    """Implements TextProvider without a network; `latency` seconds are slept per answer (per prompt)."""

    name = "demo"

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = max(0.0, float(latency))

    async def _pause(self, share: float = 1.0) -> None:
        if self.latency > 0:
            await asyncio.sleep(self.latency * share)

    async def concept_prompts(self, concept: str, count: int, *, reference: ImageAnalysis | None = None,
                              product: str | None = None, taste: TasteGuidance | None = None,
                              sub_themes: Sequence[SubTheme] = (),
                              brief: ResearchBrief | None = None) -> AsyncIterator[PromptOutput]:
        """`count` varied prompts for `concept`, favouring the liked patterns of `taste` and avoiding its disliked
        ones, prompt i in `sub_themes[i]`'s aesthetic and mood when given. `product` does not change prompts (as in
        the original app). Written `PROMPTS_AT_ONCE` at a time as on the live path (one latency per group)."""
        cleaned = prompts.clean_concept(concept)
        if not concept.strip():
            raise PermanentProviderError("concept is empty")
        for start in range(0, max(0, count), catalog.PROMPTS_AT_ONCE):
            await self._pause()
            for index in range(start, min(count, start + catalog.PROMPTS_AT_ONCE)):
                yield prompts.concept_prompt(cleaned, index, reference, taste,
                                             sub_themes[index] if index < len(sub_themes) else None)

    async def research_keyword(self, keyword: str, concept: str, *, web: bool) -> KeywordResearch:
        """From the local vocabulary (no web offline: `effective_mode` is "demo")."""
        from pixflow_tui.providers.demo import research

        if not keyword.strip():
            raise PermanentProviderError("keyword is empty")
        await self._pause(0.1)
        return research.research_keyword(keyword)

    async def sub_themes(self, brief: ResearchBrief, keywords: Sequence[str]) -> list[SubTheme]:
        from pixflow_tui.providers.demo import research

        await self._pause(0.1)
        return research.sub_themes(brief, keywords)

    async def analyze_reference(self, image: Path) -> ImageAnalysis:
        await self._pause(0.5)
        return await asyncio.to_thread(analyze_image, Path(image))

    async def image_to_prompt(self, image: Path, context: str = "") -> PromptOutput:
        analysis = await self.analyze_reference(image)
        await self._pause(0.5)
        return prompts.analysis_prompt(analysis, context)

    async def text_to_prompt(self, text: str, *, convert: bool = False) -> PromptOutput:
        """Kept verbatim; with `convert`, every field is filled from the local vocabulary around the text (the
        style keeps the text first)."""
        if not text.strip():
            raise PermanentProviderError("text is empty")
        if len(text) > catalog.TEXT_TO_JSON_MAX_CHARS:
            raise PermanentProviderError(f"text is {len(text)} characters; the limit is "
                                         f"{catalog.TEXT_TO_JSON_MAX_CHARS}")
        if convert:
            await self._pause(0.5)
            return prompts.converted_text_prompt(text)
        return prompts.text_prompt(text)

    async def write_script(self, concept: str, duration: int, tone: str, app_name: str = "",
                           examples: tuple[str, ...] = ()) -> Script:
        """A spoken script in the tone's phrasing; `examples` are not imitated offline."""
        if not concept.strip():
            raise PermanentProviderError("concept is empty")
        await self._pause()
        return scripts.write(concept, duration, tone, app_name)

    async def refine_script(self, script: str, feedback: str, duration: int) -> Script:
        if not script.strip():
            raise PermanentProviderError("script is empty")
        await self._pause()
        return scripts.refine(script, feedback, duration)

    async def translate(self, text: str, languages: tuple[str, ...]) -> dict[str, str]:
        """Offline there is no translator: each entry is the source text prefixed with
        "[demo translation to <Language>] ". Keys are the languages exactly as given (names or codes)."""
        await self._pause()
        return {lang: TRANSLATION_LABEL.format(language=catalog.LANGUAGES.get(lang.upper(), lang)) + text
                for lang in languages}

    async def detect_language(self, text: str) -> str:
        """From the letters and common words (no model offline)."""
        return guess_language(text)

    async def aclose(self) -> None:
        return None
