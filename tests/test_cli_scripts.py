"""`pixflow scripts ...`, run in-process on the demo text provider; a restart is a new Python process."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pixflow_tui.cli import main
from tests.cli_helpers import run, run_json

CONCEPT = "a budgeting app for students"




def usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    assert exited.value.code == 2
    return capsys.readouterr().err


def test_generate_refine_undo_redo_restart_translate_edit(capsys) -> None:
    code, out, err = run(capsys, "scripts", "generate", "--concept", CONCEPT, "--duration", "20", "--tone", "casual")
    assert code == 0, err
    assert "words · ~" in out and " s" in out and "nothing to undo or redo" in out
    code, first = run_json(capsys, "scripts", "list")  # type: ignore[assignment]
    (listed,) = first  # type: ignore[misc]
    script_id = str(listed["script_id"])
    code, shown = run_json(capsys, "scripts", "show", script_id)
    assert code == 0 and shown["action"] == "generated" and shown["duration"] == 20 and shown["language"] == "EN"
    original = shown["text"]
    code, out, err = run(capsys, "scripts", "show", script_id)
    assert original in out and f"{shown['words']} words · ~{shown['seconds']:g} s" in out

    code, shorter = run_json(capsys, "scripts", "refine", script_id, "--shorter")
    assert code == 0 and shorter["action"] == "shorter" and shorter["words"] < shown["words"]
    assert shorter["can_undo"] and not shorter["can_redo"]

    code, undone = run_json(capsys, "scripts", "undo", script_id)
    assert code == 0 and undone["text"] == original and undone["can_redo"] and not undone["can_undo"]
    code, out, err = run(capsys, "scripts", "undo", script_id)
    assert code == 2 and "nothing to undo" in err

    code, out, err = run(capsys, "scripts", "redo", script_id)
    assert code == 0 and shorter["text"] in out and "can undo" in out
    code, out, err = run(capsys, "scripts", "redo", script_id)
    assert code == 2 and "nothing to redo" in err

    # a restart: a new process reading the same data folder stands on the redone version
    restarted = subprocess.run([sys.executable, "-m", "pixflow_tui", "scripts", "show", script_id, "--json"],
                               capture_output=True, text=True, env=dict(os.environ), timeout=120, check=False)
    assert restarted.returncode == 0, restarted.stderr
    after = json.loads(restarted.stdout)
    assert after["version_id"] == shorter["version_id"] and after["text"] == shorter["text"]
    assert after["can_undo"] and not after["can_redo"]

    code, out, err = run(capsys, "scripts", "translate", script_id, "--lang", "tr", "es")
    assert code == 0, err
    assert "[TR Turkish]" in out and "[ES Spanish]" in out
    assert out.index("[TR Turkish]") < out.index("[ES Spanish]")
    code, shown = run_json(capsys, "scripts", "show", script_id)
    assert shown["version_id"] == shorter["version_id"]  # translations do not become the current version
    assert set(shown["translations"]) == {"TR", "ES"}
    code, out, err = run(capsys, "scripts", "show", script_id)
    assert "[TR Turkish]" in out and "[ES Spanish]" in out

    code, edited = run_json(capsys, "scripts", "edit", script_id, "--text", "My own words for this video now.")
    assert code == 0 and edited["action"] == "edited" and edited["text"] == "My own words for this video now."
    assert edited["translations"] == {} and edited["can_undo"]
    code, back = run_json(capsys, "scripts", "undo", script_id)
    assert back["version_id"] == shorter["version_id"] and set(back["translations"]) == {"TR", "ES"}

    code, history = run_json(capsys, "scripts", "show", script_id, "--versions")
    actions = [v["action"] for v in history["versions"]]
    assert actions == ["generated", "shorter", "translated", "translated", "edited"]
    assert [v["current"] for v in history["versions"]] == [False, True, False, False, False]
    code, out, err = run(capsys, "scripts", "show", script_id, "--versions")
    assert code == 0 and "versions:" in out and "translated  TR" in out


def test_new_from_text_file_and_stdin(capsys, tmp_path: Path, monkeypatch) -> None:
    code, made = run_json(capsys, "scripts", "new", "--text", "Hello there, this is my own script for you.",
                          "--title", "mine")
    assert code == 0 and made["action"] == "typed" and made["title"] == "mine" and made["duration"] is None
    path = tmp_path / "script.txt"
    path.write_text("Bu uygulama çok güzel, hemen dene!", encoding="utf-8")
    code, made = run_json(capsys, "scripts", "new", "--file", str(path))
    assert code == 0 and made["language"] == "TR"
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("Read from standard input, with the words you need.\n"))
    code, out, err = run(capsys, "scripts", "new", "-")
    assert code == 0 and "Read from standard input" in out and "9 words · ~3.6 s" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("A second version typed on stdin.\n"))
    code, edited = run_json(capsys, "scripts", "edit", str(made["script_id"]), "-")
    assert code == 0 and edited["text"] == "A second version typed on stdin." and edited["can_undo"]
    code, listed, err = run(capsys, "scripts", "list")
    assert code == 0 and len(listed.strip().splitlines()) == 3


def test_warning_is_printed_when_off_target(capsys) -> None:
    code, made = run_json(capsys, "scripts", "generate", "--concept", CONCEPT, "--duration", "30")
    code, edited = run_json(capsys, "scripts", "edit", str(made["script_id"]), "--text", "Far too short for that.")
    assert edited["warning"]
    code, out, err = run(capsys, "scripts", "show", str(made["script_id"]))
    assert f"warning: {edited['warning']}" in out and "too short for 30 s" in out


def test_refine_variants(capsys) -> None:
    code, made = run_json(capsys, "scripts", "generate", "--concept", CONCEPT, "--duration", "20")
    script_id = str(made["script_id"])
    code, longer = run_json(capsys, "scripts", "refine", script_id, "--longer")
    assert code == 0 and longer["words"] > made["words"]
    code, fitted = run_json(capsys, "scripts", "refine", script_id, "--duration", "10")
    assert code == 0 and fitted["action"] == "duration" and fitted["duration"] == 10
    code, improved = run_json(capsys, "scripts", "refine", script_id, "--improve", "--feedback", "more punch")
    assert code == 0 and improved["action"] == "improved"
    code, out, err = run(capsys, "scripts", "refine", script_id, "--shorter", "--feedback", "x")
    assert code == 2 and "--feedback goes with --improve" in err
    code, out, err = run(capsys, "scripts", "refine", script_id, "--duration", "200")
    assert code == 2 and "5–120 seconds" in err
    assert "one of the arguments" in usage_error(capsys, "scripts", "refine", script_id)


@pytest.mark.parametrize("args, message", [
    (["generate", "--concept", "   ", "--duration", "20"], "the concept is empty"),
    (["generate", "--concept", CONCEPT, "--duration", "200"], "the duration must be 5–120 seconds"),
    (["generate", "--concept", CONCEPT, "--duration", "4"], "the duration must be 5–120 seconds"),
    (["generate", "--concept", CONCEPT, "--duration", "20", *["--example", "e"] * 6], "at most 5"),
    (["new", "--text", "   "], "the script is empty"),
    (["new", "--file", "/no/such/script.txt"], "/no/such/script.txt cannot be read"),
    (["show", "999"], "there is no script 999"),
    (["undo", "999"], "there is no script 999"),
    (["translate", "999", "--lang", "tr"], "there is no script 999"),
])
def test_bad_input_is_one_line_with_exit_2(capsys, args: list[str], message: str) -> None:
    code, out, err = run(capsys, "scripts", *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_bad_tone_and_language(capsys) -> None:
    assert "invalid choice: 'loud'" in usage_error(capsys, "scripts", "generate", "--concept", CONCEPT,
                                                   "--duration", "20", "--tone", "loud")
    code, made = run_json(capsys, "scripts", "generate", "--concept", CONCEPT, "--duration", "20")
    code, out, err = run(capsys, "scripts", "translate", str(made["script_id"]), "--lang", "XX")
    assert code == 2 and "language XX is not offered" in err
    code, shown = run_json(capsys, "scripts", "show", str(made["script_id"]))
    assert shown["translations"] == {}


def test_translate_into_its_own_language_is_said(capsys) -> None:
    code, made = run_json(capsys, "scripts", "generate", "--concept", CONCEPT, "--duration", "20")
    code, out, err = run(capsys, "scripts", "translate", str(made["script_id"]), "--lang", "EN", "de")
    assert code == 0 and "already in EN English" in out and "[DE German]" in out
    code, result = run_json(capsys, "scripts", "translate", str(made["script_id"]), "--lang", "fr")
    assert result["requested"] == ["FR"] and set(result["translations"]) == {"DE", "FR"}


def test_a_failing_text_provider_is_one_line_with_exit_1(capsys, monkeypatch) -> None:
    from pixflow_tui.providers.base import ProviderError
    from pixflow_tui.providers.demo.text import DemoTextProvider

    async def broken(self, *args, **kwargs):
        raise ProviderError("the model is overloaded", transient=True)

    monkeypatch.setattr(DemoTextProvider, "write_script", broken)
    code, out, err = run(capsys, "scripts", "generate", "--concept", CONCEPT, "--duration", "20")
    assert code == 1 and err.strip() == "pixflow: the provider failed: the model is overloaded"


def test_empty_list(capsys) -> None:
    code, out, err = run(capsys, "scripts", "list")
    assert code == 0 and "no scripts yet" in out
    assert run_json(capsys, "scripts", "list") == (0, [])


def test_transcribe_a_file_into_a_new_script(capsys, tmp_path: Path) -> None:
    import math
    import struct
    import wave

    audio = tmp_path / "voice.wav"
    with wave.open(str(audio), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 10))) for i in range(32_000)))
    code, made = run_json(capsys, "scripts", "transcribe", str(audio))
    assert code == 0 and made["action"] == "transcribed" and made["source"] == str(audio)
    assert made["text"].startswith("[demo transcript]") and made["words"] > 0
    from pixflow_tui.config import load_settings
    from pixflow_tui.workflows.context import AppContext
    from pixflow_tui.workflows.scripts import versions

    ctx = AppContext(load_settings())
    try:
        (version,) = versions(ctx, made["script_id"])
    finally:
        ctx.close()
    assert version.settings == {"source": str(audio), "seconds": 2.0, "demo": True}
    code, out, err = run(capsys, "scripts", "transcribe", str(tmp_path / "missing.wav"))
    assert code == 2 and "missing.wav does not exist" in err


def test_transcribe_uses_the_transcription_workflow(capsys, monkeypatch) -> None:
    from pixflow_tui.core.transcripts import Transcript
    from pixflow_tui.workflows import transcription

    asked: list[str] = []

    async def fake(ctx, source: str) -> Transcript:
        asked.append(source)
        return Transcript(text="Hola a todos, esto es lo que dije en el video.", language="ES", seconds=4.0,
                          source=source)

    monkeypatch.setattr(transcription, "transcribe", fake)
    code, out, err = run(capsys, "scripts", "transcribe", "https://example.com/v.mp4", "--title", "from a URL")
    assert code == 0 and asked == ["https://example.com/v.mp4"]
    assert "from a URL" in out and "ES Spanish" in out and "Hola a todos" in out and "11 words · ~4.4 s" in out
