"""Which providers the factory builds for each provider mode and key combination."""
from __future__ import annotations

import subprocess
import sys

import fal_client.client as fc
import pytest

from pixflow_tui.config import Settings, load_settings
from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind, MediaRequest
from pixflow_tui.providers import build_media_provider, build_text_provider, provider_for
from pixflow_tui.providers.base import MediaProvider, MissingKeyError, PermanentProviderError, TextProvider


@pytest.fixture(autouse=True)
def restore_fal_constants(monkeypatch: pytest.MonkeyPatch) -> None:
    # A live media provider with PIXFLOW_FAL_BASE_URL patches fal_client for the process.
    for name in ("QUEUE_URL_FORMAT", "RUN_URL_FORMAT", "REST_URL", "CDN_URL"):
        monkeypatch.setattr(fc, name, getattr(fc, name))


def settings_with(monkeypatch: pytest.MonkeyPatch, mode: str, **env: str) -> Settings:
    monkeypatch.setenv("PIXFLOW_PROVIDER_MODE", mode)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_settings()


@pytest.mark.parametrize(("mode", "env", "text_name", "media_name"), [
    ("demo", {}, "demo", "demo"),
    ("demo", {"FAL_KEY": "k", "OPENAI_API_KEY": "sk-k"}, "demo", "demo"),
    ("live", {}, "openai", "fal"),
    ("auto", {}, "demo", "demo"),
    ("auto", {"FAL_KEY": "k"}, "demo", "fal"),
    ("auto", {"OPENAI_API_KEY": "sk-k"}, "openai", "demo"),
    ("auto", {"FAL_KEY": "k", "OPENAI_API_KEY": "sk-k"}, "openai", "fal"),
])
def test_modes_and_keys_choose_the_providers(monkeypatch: pytest.MonkeyPatch, mode: str, env: dict[str, str],
                                             text_name: str, media_name: str) -> None:
    settings = settings_with(monkeypatch, mode, **env)
    text = build_text_provider(settings)
    media = build_media_provider(settings)
    assert isinstance(text, TextProvider) and isinstance(media, MediaProvider)
    assert (text.name, media.name) == (text_name, media_name)


async def test_live_mode_without_keys_fails_on_the_first_call(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_with(monkeypatch, "live")
    text = build_text_provider(settings)
    media = build_media_provider(settings)
    with pytest.raises(MissingKeyError, match="OPENAI_API_KEY"):
        await text.write_script("x", 10, "casual")
    with pytest.raises(MissingKeyError, match="FAL_KEY"):
        await media.submit(MediaRequest(JobKind.IMAGE, catalog.IMAGE_MODEL, {"prompt": "x"}))


def test_live_media_applies_the_fal_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_with(monkeypatch, "live", PIXFLOW_FAL_BASE_URL="http://127.0.0.1:9/")
    build_media_provider(settings)
    assert fc.QUEUE_URL_FORMAT == "http://127.0.0.1:9/"
    assert fc.REST_URL == fc.CDN_URL == "http://127.0.0.1:9"


def test_provider_for_a_stored_job(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_with(monkeypatch, "demo")  # the mode does not matter: a job resumes where it lives
    assert provider_for("fal", settings).name == "fal"
    assert provider_for("demo", settings).name == "demo"
    with pytest.raises(PermanentProviderError, match="unknown media provider 'replicate'"):
        provider_for("replicate", settings)


def test_importing_the_factory_does_not_import_the_sdks() -> None:
    code = ("import sys, pixflow_tui.providers; "
            "print(any(m in sys.modules for m in ('openai', 'fal_client', 'pixflow_tui.providers.demo')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
