"""Text work (concept → prompts, image → prompt, scripts, translations) with the real `openai.AsyncOpenAI`.

Structured output goes through `chat.completions.parse`; any OpenAI-compatible server works via base_url /
OPENAI_BASE_URL. A refusal, malformed JSON or a cut-off answer is retried once, then reported in the model's words.
"""
from __future__ import annotations

import asyncio
import base64
from dataclasses import replace
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import openai
# The SDK loads these on first use; here they load with the provider (in the TUI, off its loop) instead of
# stalling the screen for ~0.2 s in the middle of the first run.
import openai.resources.chat.completions.completions  # noqa: F401
import openai.resources.responses.responses  # noqa: F401
from openai import AsyncOpenAI
from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ValidationError

from pixflow_tui.core import catalog
from pixflow_tui.core.taste import TasteGuidance
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.core.research import KeywordResearch, ResearchBrief, SubTheme
from pixflow_tui.providers import openai_prompts as P
from pixflow_tui.providers import openai_research
from pixflow_tui.providers.base import (
    ImageAnalysis,
    MissingKeyError,
    PermanentProviderError,
    ProviderError,
    Script,
)
from pixflow_tui.providers.errors import CONTENT_POLICY_PREFIX, OPENAI_KEY_HELP, openai_error, scrub
from pixflow_tui.providers.prompt_text import prompt_from_text

T = TypeVar("T", bound=BaseModel)
MAX_CONCURRENT_PROMPTS = catalog.PROMPTS_AT_ONCE
_MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class _ScriptOut(BaseModel):
    script: str


class _Translation(BaseModel):
    language: str
    text: str


class _Translations(BaseModel):
    # A list rather than {language: text}: strict structured output rejects free-form object keys.
    translations: list[_Translation]


class _LanguageOut(BaseModel):
    language_code: str


class _ReferenceLook(BaseModel):
    """What the vision model sees in a reference photo (style only, never the person)."""

    summary: str
    lighting: str
    palette: str
    composition: str
    wardrobe_and_set: str
    mood: str


class OpenAITextProvider:
    """`TextProvider` backed by OpenAI (or any server speaking its chat-completions API)."""

    name = "openai"

    def __init__(self, api_key: str | None, base_url: str | None = None, model: str = catalog.TEXT_MODEL, *,
                 timeout: float = 60.0, max_retries: int = 2, research_web_model: str = catalog.RESEARCH_WEB_MODEL,
                 convert_model: str = catalog.TEXT_CONVERT_MODEL) -> None:
        self._api_key = api_key or None
        self._base_url = base_url
        self.model = model
        self.research_web_model = research_web_model
        self.convert_model = convert_model
        self.web_search_missing: str | None = None  # why the server cannot search the web, once it said so
        self._timeout = timeout
        self._max_retries = max_retries
        self._client: AsyncOpenAI | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return (f"OpenAITextProvider(model={self.model!r}, key={'set' if self._api_key else 'missing'}, "
                f"base_url={self._base_url!r})")

    # ------------------------------------------------------------------ plumbing

    async def client(self) -> AsyncOpenAI:
        """Built on first use (the SDK refuses to construct without a key), one per event loop. Built in a thread:
        its HTTP client and TLS set-up take tens of milliseconds, which the TUI's loop should not wait for."""
        if not self._api_key:
            raise MissingKeyError(OPENAI_KEY_HELP)
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            client = await asyncio.to_thread(AsyncOpenAI, api_key=self._api_key, base_url=self._base_url,
                                             timeout=self._timeout, max_retries=self._max_retries)
            if self._client is None or self._loop is not loop:  # another call may have built one meanwhile
                self._client, self._loop = client, loop
        assert self._client is not None
        return self._client

    def error(self, exc: BaseException, context: str) -> ProviderError:
        """`exc` as a ProviderError in OpenAI's words, the key scrubbed."""
        return openai_error(exc, context=context, secrets=(self._api_key,))

    async def structured(self, messages: list[dict[str, Any]], response_format: type[T], *, context: str,
                         temperature: float, max_tokens: int,
                         check: Callable[[T], str | None] | None = None, model: str | None = None) -> T:
        """One structured call; a refusal, bad JSON, a cut-off or a failed `check` gets exactly one more try."""
        client = await self.client()
        failure: ProviderError | None = None
        for _attempt in range(2):
            try:
                raw = await client.chat.completions.with_raw_response.parse(
                    model=model or self.model, messages=messages, response_format=response_format,  # type: ignore[arg-type]
                    temperature=temperature, max_completion_tokens=max_tokens,
                )
            except Exception as exc:
                raise self.error(exc, context) from exc
            try:
                completion = raw.parse()
            except ValidationError:
                failure = self._malformed(_raw_content(raw), context)
                continue
            except openai.LengthFinishReasonError:
                failure = PermanentProviderError(
                    f"the model's answer was cut off at the token limit ({context}): {_clip(_raw_content(raw))}")
                continue
            except openai.ContentFilterFinishReasonError:
                failure = PermanentProviderError(
                    f"{CONTENT_POLICY_PREFIX}OpenAI's content filter stopped the answer ({context})")
                continue
            except Exception as exc:
                raise self.error(exc, context) from exc
            message = completion.choices[0].message
            if message.refusal:
                failure = PermanentProviderError(f"the model refused ({context}): {scrub(message.refusal)}")
                continue
            parsed = message.parsed
            if parsed is None:
                failure = self._malformed(message.content or "", context)
                continue
            problem = check(parsed) if check else None
            if problem:
                failure = PermanentProviderError(f"the model's answer was unusable ({context}): {problem}")
                continue
            return parsed
        assert failure is not None
        raise failure

    @staticmethod
    def _malformed(content: str, context: str) -> PermanentProviderError:
        return PermanentProviderError(f"the model returned malformed output ({context}): {_clip(content)}")

    # ------------------------------------------------------------------ prompts

    async def concept_prompts(self, concept: str, count: int, *, reference: ImageAnalysis | None = None,
                              product: str | None = None, taste: TasteGuidance | None = None,
                              sub_themes: Sequence[SubTheme] = (),
                              brief: ResearchBrief | None = None) -> AsyncIterator[PromptOutput]:
        """Yield `count` prompts in the order they finish (not index order), at most 4 calls at a time.

        A failed prompt does not stop the others: every success is yielded first, then the first error is raised.
        """
        _require(concept, "concept")
        if count < 1:
            return
        await self.client()  # a missing key fails here, before any task starts
        system = P.CONCEPT_SYSTEM
        gate = asyncio.Semaphore(min(MAX_CONCURRENT_PROMPTS, count))

        async def one(index: int) -> PromptOutput:
            user = P.concept_user(concept, index, count, reference=reference, product=product, taste=taste,
                                  sub_theme=sub_themes[index] if index < len(sub_themes) else None, brief=brief)
            async with gate:
                return await self.structured(
                    [{"role": "system", "content": system}, {"role": "user", "content": user}], PromptOutput,
                    context=f"prompt {index + 1} of {count}", temperature=0.6, max_tokens=7000,
                )

        tasks = [asyncio.create_task(one(i)) for i in range(count)]
        first_error: ProviderError | None = None
        try:
            for next_done in asyncio.as_completed(tasks):
                try:
                    prompt = await next_done
                except ProviderError as exc:
                    if isinstance(exc, MissingKeyError) or exc.status_code in (401, 403, 404):
                        raise  # every other call would fail the same way (the finally cancels them)
                    first_error = first_error or exc
                    continue
                yield prompt
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if first_error is not None:
            raise first_error

    async def research_keyword(self, keyword: str, concept: str, *, web: bool) -> KeywordResearch:
        _require(keyword, "keyword")
        return await openai_research.research_keyword(self, keyword, concept, web=web)

    async def sub_themes(self, brief: ResearchBrief, keywords: Sequence[str]) -> list[SubTheme]:
        return await openai_research.sub_themes(self, brief, keywords)

    async def analyze_reference(self, image: Path) -> ImageAnalysis:
        """The vision model describes the photo's look (light, palette, composition, styling, mood); the local
        pixel statistics (size, colours, brightness, contrast) come with it."""
        from pixflow_tui.providers.demo.analysis import analyze_image

        data_url = await asyncio.to_thread(image_data_url, Path(image))
        pixels = await asyncio.to_thread(analyze_image, Path(image))
        look = await self.structured(
            [{"role": "system", "content": P.REFERENCE_SYSTEM},
             {"role": "user", "content": [{"type": "text", "text": P.REFERENCE_USER},
                                          {"type": "image_url", "image_url": {"url": data_url, "detail": "high"}}]}],
            _ReferenceLook, context=f"reference image {Path(image).name}", temperature=0.3, max_tokens=1000)
        summary = (f"{look.summary.strip()} Lighting: {look.lighting.strip()}. Palette: {look.palette.strip()}. "
                   f"Composition: {look.composition.strip()}. Wardrobe and set: {look.wardrobe_and_set.strip()}. "
                   f"Mood: {look.mood.strip()}. Measured: {pixels.summary}.")
        return replace(pixels, summary=summary, described_by=self.model)

    async def image_to_prompt(self, image: Path, context: str = "") -> PromptOutput:
        data_url = await asyncio.to_thread(image_data_url, Path(image))
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": P.IMAGE_SYSTEM},
            {"role": "user", "content": [
                {"type": "text", "text": P.image_user(context)},
                {"type": "image_url", "image_url": {"url": data_url, "detail": "high"}},
            ]},
        ]
        return await self.structured(messages, PromptOutput, context=f"image {Path(image).name}",
                                      temperature=0.3, max_tokens=4000)

    async def text_to_prompt(self, text: str, *, convert: bool = False) -> PromptOutput:
        """Without `convert` no call is made (the text is kept verbatim, or mapped when it is JSON); with it, the
        conversion model writes the text into the schema."""
        _require(text, "text")
        if len(text) > catalog.TEXT_TO_JSON_MAX_CHARS:
            raise PermanentProviderError(
                f"text is {len(text)} characters; the limit is {catalog.TEXT_TO_JSON_MAX_CHARS}")
        if not convert:
            return prompt_from_text(text)
        return await self.structured(
            [{"role": "system", "content": P.CONVERT_SYSTEM}, {"role": "user", "content": text.strip()}],
            PromptOutput, context="convert text", temperature=0.65, max_tokens=3500, model=self.convert_model)

    # ------------------------------------------------------------------ scripts

    async def write_script(self, concept: str, duration: int, tone: str, app_name: str = "",
                           examples: tuple[str, ...] = ()) -> Script:
        _require(concept, "concept")
        user = P.script_user(concept, duration, tone, app_name, examples)
        out = await self._script_call(user, "write script", temperature=0.95)
        return await self._fit_length(out.script, duration)

    async def refine_script(self, script: str, feedback: str, duration: int) -> Script:
        _require(script, "script")
        out = await self._script_call(P.refine_user(script, feedback, duration), "refine script", temperature=0.9)
        return await self._fit_length(out.script, duration)

    async def _script_call(self, user: str, context: str, *, temperature: float) -> _ScriptOut:
        return await self.structured(
            [{"role": "system", "content": P.SCRIPT_SYSTEM}, {"role": "user", "content": user}], _ScriptOut,
            context=context, temperature=temperature, max_tokens=1500,
            check=lambda s: None if s.script.strip() else "the script is empty",
        )

    async def _fit_length(self, text: str, duration: int) -> Script:
        """One corrective rewrite when the word count misses the target by more than the tolerance."""
        text = text.strip()
        words = len(text.split())
        if not P.word_target(duration).fits(words):
            fixed = await self._script_call(P.length_fix_user(text, words, duration), "fit script length",
                                            temperature=0.7)
            text = fixed.script.strip()
            words = len(text.split())
        return Script(text=text, word_count=words, estimated_duration=round(words / catalog.WORDS_PER_SECOND, 1))

    async def translate(self, text: str, languages: tuple[str, ...]) -> dict[str, str]:
        wanted = tuple(dict.fromkeys(lang.strip() for lang in languages if lang.strip()))
        if not wanted:
            return {}

        def missing(out: _Translations) -> str | None:
            got = {t.language.strip().lower() for t in out.translations if t.text.strip()}
            absent = [lang for lang in wanted if lang.lower() not in got]
            return f"no translation for {', '.join(absent)}" if absent else None

        out = await self.structured(
            [{"role": "system", "content": P.TRANSLATE_SYSTEM},
             {"role": "user", "content": P.translate_user(text, wanted)}],
            _Translations, context="translate", temperature=0.4, max_tokens=4000, check=missing,
        )
        by_name = {t.language.strip().lower(): t.text.strip() for t in out.translations}
        return {lang: by_name[lang.lower()] for lang in wanted}

    async def detect_language(self, text: str) -> str:
        _require(text, "text")
        out = await self.structured(
            [{"role": "system", "content": P.DETECT_LANGUAGE_SYSTEM}, {"role": "user", "content": text.strip()[:2000]}],
            _LanguageOut, context="detect language", temperature=0.0, max_tokens=20,
            check=lambda o: None if o.language_code.strip() else "no language code",
        )
        code = out.language_code.strip().upper()
        return code if code in catalog.LANGUAGES else ""

    async def aclose(self) -> None:
        client, loop = self._client, self._loop
        self._client = self._loop = None
        if client is not None and loop is asyncio.get_running_loop():
            try:
                await client.close()
            except Exception:  # best effort while shutting down
                pass


def _require(value: str, what: str) -> None:
    if not value.strip():
        raise PermanentProviderError(f"{what} is empty")


def _raw_content(raw: Any) -> str:
    try:
        return str(raw.http_response.json()["choices"][0]["message"]["content"] or "")
    except Exception:
        return ""


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(scrub(text).split())
    return text[:limit] if text else "(empty answer)"


def image_data_url(path: Path) -> str:
    """Base64 data URL of a reference image, after checking it: exists, ≤ 10 MB, a real JPEG/PNG/WebP."""
    if not path.is_file():
        raise PermanentProviderError(f"image {path}: file not found")
    size = path.stat().st_size
    if size > catalog.MAX_UPLOAD_BYTES:
        raise PermanentProviderError(
            f"image {path}: {size / 1_048_576:.1f} MB is over the {catalog.MAX_UPLOAD_BYTES // 1_048_576} MB limit")
    try:
        with Image.open(path) as img:
            fmt = img.format or ""
            img.load()  # a full decode: catches truncated files that a header check lets through
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise PermanentProviderError(f"image {path}: not a readable image ({type(exc).__name__})") from None
    if fmt not in _MIME:
        raise PermanentProviderError(f"image {path}: {fmt or 'unknown'} is not supported; use JPEG, PNG or WebP")
    return f"data:{_MIME[fmt]};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
