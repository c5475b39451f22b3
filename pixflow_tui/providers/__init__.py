"""Provider factory: which implementation serves text and media work for the given settings.

Implementations are imported inside the functions: the live ones pull in the openai and fal SDKs (slow to import,
and not needed in demo mode), and importing this package must stay cheap for the TUI's start-up.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from pixflow_tui.providers.base import MediaProvider, PermanentProviderError, TextProvider

if TYPE_CHECKING:
    from pixflow_tui.config import Settings

MEDIA_PROVIDER_NAMES = ("fal", "hedra", "demo")
log = logging.getLogger(__name__)

__all__ = ["MEDIA_PROVIDER_NAMES", "build_media_provider", "build_text_provider", "provider_for",
           "text_is_live", "media_is_live", "hedra_lipsync", "close_clients"]


def text_is_live(settings: Settings) -> bool:
    """Live text work: mode "live", or mode "auto" with an OpenAI key."""
    if settings.provider_mode == "auto":
        return bool(settings.openai_api_key)
    return settings.provider_mode == "live"


def media_is_live(settings: Settings) -> bool:
    """Live media work: mode "live", or mode "auto" with a fal key."""
    if settings.provider_mode == "auto":
        return bool(settings.fal_key)
    return settings.provider_mode == "live"


def hedra_lipsync(settings: Settings) -> bool:
    """Lipsync goes to Hedra: live media work and a Hedra key."""
    return media_is_live(settings) and bool(settings.hedra_api_key)


def build_text_provider(settings: Settings) -> TextProvider:
    """In "live" mode this never fails for a missing key: the first call raises MissingKeyError instead."""
    if text_is_live(settings):
        from pixflow_tui.providers.openai_text import OpenAITextProvider

        return OpenAITextProvider(settings.openai_api_key, base_url=settings.openai_base_url,
                                  research_web_model=settings.research_web_model,
                                  convert_model=settings.convert_model)
    from pixflow_tui.providers.demo import DemoTextProvider

    return DemoTextProvider(latency=settings.demo_latency)


def build_media_provider(settings: Settings) -> MediaProvider:
    return provider_for("fal" if media_is_live(settings) else "demo", settings)


def provider_for(name: str, settings: Settings) -> MediaProvider:
    """The media provider registered under `name` (a job's stored provider), so a job resumes where it lives."""
    if name == "fal":
        from pixflow_tui.providers.fal_media import FalMediaProvider

        return FalMediaProvider(settings.fal_key, base_url=settings.fal_base_url)
    if name == "hedra":
        from pixflow_tui.providers.hedra import HedraLipsyncProvider

        return HedraLipsyncProvider(settings.hedra_api_key, model_id=settings.hedra_model_id,
                                    base_url=settings.hedra_base_url)
    if name == "demo":
        from pixflow_tui.providers.demo import DemoMediaProvider

        return DemoMediaProvider(state_dir=settings.demo_dir, latency=settings.demo_latency)
    raise PermanentProviderError(f"unknown media provider {name!r}; known: {', '.join(MEDIA_PROVIDER_NAMES)}")


async def close_clients(providers: Iterable[MediaProvider]) -> None:
    """Close the providers' HTTP clients of the running event loop, which is ending: one left open warns when it is
    collected. Best effort: a failure is logged, never raised."""
    for provider in providers:
        try:
            await provider.aclose()
        except Exception:
            log.debug("closing %s's client failed", provider.name, exc_info=True)
