"""`pixflow prompts research` and `prompts generate --research` on the demo provider and against the OpenAI
emulator (web research through the Responses API)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from cli_helpers import run, run_json
from emulators.fixtures import bypass_proxies
from emulators.openai_emulator import OpenAIEmulator

from pixflow_tui.config import load_settings
from pixflow_tui.store import Store


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIEmulator]:
    bypass_proxies(monkeypatch)
    with OpenAIEmulator() as emulator:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", emulator.base_url)
        yield emulator


def test_research_prints_the_report_in_demo_mode(capsys) -> None:
    code, out, err = run(capsys, "prompts", "research", "rainy night, neon portrait")
    assert code == 0, err
    assert "[demo research]" in out and "grounding 0/100" in out and "cache 0/2" in out
    assert "sub-themes (" in out and "rainy night" in out
    code, data = run_json(capsys, "prompts", "research", "rainy night, neon portrait", "--mode", "model")
    assert code == 0 and data["demo"] and data["cache_hits"] == 2  # demo research is cached per keyword
    assert data["keywords"] == ["rainy night", "neon portrait"] and 6 <= len(data["brief"]["sub_themes"]) <= 8


def test_research_on_the_web_with_sources_and_the_cache(capsys, emu: OpenAIEmulator) -> None:
    emu.web_sources = [("https://www.vogue.com/a", "a"), ("https://petapixel.com/b", "b"), ("https://vogue.com/c", "c")]
    code, data = run_json(capsys, "prompts", "research", "rainy night", "--mode", "web")
    assert code == 0
    assert data["grounding"] == {"requested_mode": "web", "effective_mode": "web", "sources": 3,
                                 "domains": ["vogue.com", "petapixel.com"], "grounding_score": 15 + 12,
                                 "cache_hits": 0, "cache_misses": 1, "cache_hit_rate": 0.0, "used_web_search": True}
    assert len(emu.responses_requests) == 3
    code, data = run_json(capsys, "prompts", "research", "rainy night", "--mode", "web")
    assert data["grounding"]["cache_hit_rate"] == 1.0 and len(emu.responses_requests) == 3


def test_research_falls_back_when_the_server_cannot_search(capsys, emu: OpenAIEmulator) -> None:
    emu.web_search = False
    code, out, err = run(capsys, "prompts", "research", "rainy night")
    assert code == 0, err
    assert "research · model" in out and "no web-search tool" in out and "(asked for web)" in out


def test_generate_with_and_without_research(capsys) -> None:
    code, data = run_json(capsys, "prompts", "generate", "--concept", "rainy night", "-n", "2", "--research", "model")
    assert code == 0 and data["research"]["grounding"]["effective_mode"] == "demo"
    code, data = run_json(capsys, "prompts", "generate", "--concept", "rainy night", "-n", "2", "--research", "off")
    assert code == 0 and data["research"] is None
    store = Store.open(load_settings())
    try:
        kept = [h.research is not None for h in store.history.list()]
    finally:
        store.close_thread_connection()
    assert kept == [False, True]  # newest first


def test_a_refused_key_stops_the_research_with_exit_1(capsys, emu: OpenAIEmulator) -> None:
    emu.queue_response(status=401, endpoint="responses")
    code, out, err = run(capsys, "prompts", "research", "rainy night", "--mode", "web")
    assert code == 1 and "research failed" in err and "401" in err and "sk-test" not in err


def test_from_text_converts_with_the_model_when_asked(capsys, tmp_path, emu: OpenAIEmulator) -> None:
    source = tmp_path / "idea.txt"
    source.write_text("a dancer on a rooftop at dusk", encoding="utf-8")
    code, data = run_json(capsys, "prompts", "from-text", str(source))
    assert code == 0 and data["prompt"]["style"] == "a dancer on a rooftop at dusk" and emu.chat_requests == []
    code, data = run_json(capsys, "prompts", "from-text", str(source), "--convert")
    assert code == 0 and emu.chat_requests[0]["model"] == "gpt-5.2" and data["prompt"]["lighting"]["setup"]
