"""workflows.transcription.transcribe: local audio/video files and URLs, demo and live (real fal-client against the
fal emulator). No test touches the network: URLs go through a fake yt_dlp module put in sys.modules."""
from __future__ import annotations

import io
import os
import sys
import tempfile
import types
from dataclasses import replace
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core import catalog
from pixflow_tui.core.transcripts import DEMO_PREFIX, Transcript
from pixflow_tui.providers.base import PermanentProviderError, ProviderError, TransientProviderError
from pixflow_tui.providers.demo.av_io import write_mp4
from pixflow_tui.providers.demo.transcribe import demo_transcript
from pixflow_tui.providers.fal_media import transcript_from_result
from pixflow_tui.workflows import transcription
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.transcription import MAX_AUDIO_BYTES, MAX_VIDEO_BYTES, transcribe
from tests.emulators.fal_emulator import FalEmulator
from tests.emulators.fal_models import transcript_tag
from tests.emulators.fixtures import FAL_TEST_KEY

RATE = 44_100
URL = "https://video.example/watch?v=abc123"


# ------------------------------------------------------------------------------------------------ helpers


def tone(seconds: float, rate: int = RATE) -> np.ndarray:
    """A speech-like tone: a 180 Hz voice with harmonics, switched on and off like syllables."""
    t = np.arange(int(round(seconds * rate)), dtype=np.float32) / rate
    voice = sum(w * np.sin(2 * np.pi * 180 * k * t) for k, w in ((1, 0.5), (2, 0.25), (3, 0.12)))
    syllables = (np.sin(2 * np.pi * 3 * t) > -0.3).astype(np.float32)
    return (0.6 * voice * syllables).astype(np.float32)


def write_wav(path: Path, seconds: float = 2.5, rate: int = RATE) -> Path:
    """A stereo 16-bit WAV written with PyAV (so the extraction has to down-mix and resample it)."""
    samples = tone(seconds, rate)
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w", format="wav") as container:
        stream = container.add_stream("pcm_s16le", rate=rate)
        stream.layout = "stereo"
        frame = av.AudioFrame.from_ndarray(np.stack([samples, samples]), format="fltp", layout="stereo")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def write_video(path: Path, seconds: float = 2.0, *, sound: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = [np.full((32, 48, 3), 10 * i, np.uint8) for i in range(int(seconds * 8))]
    write_mp4(path, 48, 32, 8, frames, {}, audio=(tone(seconds), RATE) if sound else None)
    return path


def sparse(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no disk space."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as handle:
        handle.truncate(size)
    return path


def probe(data: bytes) -> tuple[str, int, str, int, float]:
    """(format, audio streams, layout, sample rate, seconds) of an encoded file, plus whether it has video."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        assert not container.streams.video
        return (container.format.name, len(container.streams.audio), stream.layout.name, stream.sample_rate,
                container.duration / 1_000_000)


@pytest.fixture
def demo_ctx(settings: Settings) -> AppContext:
    assert settings.provider_mode == "auto" and not settings.fal_key
    ctx = AppContext(settings, open_store=False)
    assert ctx.media_provider_name == "demo"
    return ctx


@pytest.fixture
def live_ctx(settings: Settings, fal_env: FalEmulator) -> AppContext:
    ctx = AppContext(replace(settings, provider_mode="live", fal_key=FAL_TEST_KEY), open_store=False)
    assert ctx.media_provider_name == "fal"
    return ctx


def spoken_words(transcript: Transcript) -> list[str]:
    assert transcript.text.startswith(DEMO_PREFIX + " ")
    return transcript.text[len(DEMO_PREFIX):].split()


# ------------------------------------------------------------------------------------------------ demo


async def test_demo_transcribes_a_real_audio_file(demo_ctx: AppContext, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    wav = write_wav(tmp_path / "voice.wav", seconds=2.5)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    first = await transcribe(demo_ctx, str(wav))
    again = await transcribe(demo_ctx, f"  {wav}  ")

    assert first.demo and first.language == "EN"
    assert first.seconds == pytest.approx(2.5, abs=0.05)
    assert len(spoken_words(first)) == round(2.5 * catalog.WORDS_PER_SECOND)
    assert first.segments and first.segments[0].start == 0.0
    assert first.segments[-1].end == pytest.approx(first.seconds, abs=0.1)
    assert " ".join(s.text for s in first.segments) == first.text[len(DEMO_PREFIX) + 1:]
    assert first.source == str(wav) and again.source == str(wav)
    assert again.text == first.text  # deterministic
    assert not list(scratch.iterdir())  # the extracted audio is gone


def test_demo_transcript_follows_the_length_at_two_and_a_half_words_a_second() -> None:
    for seconds in (0.2, 4.0, 10.0, 61.3):
        transcript = demo_transcript(seconds)
        assert len(spoken_words(transcript)) == max(1, round(seconds * 2.5))
        assert transcript.text.rstrip().endswith(".")
    assert demo_transcript(10.0).text == demo_transcript(10.0).text


async def test_demo_extracts_the_audio_of_a_video(demo_ctx: AppContext, tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.mp4", seconds=2.0)

    transcript = await transcribe(demo_ctx, str(video))

    assert transcript.demo
    assert transcript.seconds == pytest.approx(2.0, abs=0.1)  # the audio track's length (AAC adds a few ms)
    assert len(spoken_words(transcript)) == round(transcript.seconds * 2.5)


def test_extract_audio_writes_mono_16khz_mp3(tmp_path: Path) -> None:
    target = tmp_path / "out.mp3"
    seconds = transcription.extract_audio(write_video(tmp_path / "clip.mp4", 2.0), target)

    assert probe(target.read_bytes())[:4] == ("mp3", 1, "mono", 16_000)
    assert seconds == pytest.approx(2.0, abs=0.1)


# ------------------------------------------------------------------------------------------------ live (emulator)


async def test_live_uploads_the_audio_and_runs_wizper(live_ctx: AppContext, fal_env: FalEmulator,
                                                      tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "voice.wav", seconds=2.5)

    transcript = await transcribe(live_ctx, str(wav))

    [upload] = fal_env.uploads
    assert upload.file_name == "audio.mp3" and upload.content_type == "audio/mpeg"
    fmt, _, layout, rate, seconds = probe(upload.data)
    assert (fmt, layout, rate) == ("mp3", "mono", 16_000) and seconds == pytest.approx(2.5, abs=0.1)
    [request] = fal_env.requests.values()
    assert request.app_id == catalog.TRANSCRIBE_MODEL == "fal-ai/wizper"
    assert request.arguments == {"audio_url": upload.url, "task": "transcribe", "language": None,
                                 "chunk_level": "segment"}
    assert fal_env.keys_seen == {FAL_TEST_KEY}

    assert not transcript.demo
    assert transcript.language == "EN"
    words = transcript.text.split()
    emulated_seconds = float(words[0].split(":")[1].rstrip("s"))
    assert words[0] == transcript_tag(emulated_seconds, len(upload.data))  # made from this upload
    assert emulated_seconds == pytest.approx(2.5, abs=0.1)
    assert len(words) - 1 == round(emulated_seconds * 2.5)
    assert transcript.segments and transcript.segments[0].text.startswith(words[0])
    assert transcript.segments[-1].end == pytest.approx(emulated_seconds, abs=0.05)
    assert transcript.seconds == pytest.approx(2.5, abs=0.05)
    assert transcript.source == str(wav)


async def test_live_sends_only_the_audio_of_a_video(live_ctx: AppContext, fal_env: FalEmulator,
                                                    tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.mp4", seconds=2.0)

    transcript = await transcribe(live_ctx, str(video))

    [upload] = fal_env.uploads
    assert upload.content_type == "audio/mpeg"
    assert probe(upload.data)[0] == "mp3"  # probe() also asserts there is no video stream
    assert transcript.text.split()[0] == transcript_tag(float(transcript.text.split()[0].split(":")[1][:-1]),
                                                        len(upload.data))


async def test_live_failure_is_a_provider_error_with_fal_s_words(live_ctx: AppContext, fal_env: FalEmulator,
                                                                 tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "voice.wav", seconds=1.0)
    fal_env.inject("failed", app=catalog.TRANSCRIBE_MODEL)

    with pytest.raises(TransientProviderError, match="Internal error while running the model"):
        await transcribe(live_ctx, str(wav))


async def test_live_refused_key_is_permanent_and_never_shows_the_key(live_ctx: AppContext, fal_env: FalEmulator,
                                                                     tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "voice.wav", seconds=1.0)
    fal_env.inject("401", on="submit", app=catalog.TRANSCRIBE_MODEL)

    with pytest.raises(PermanentProviderError, match="refused the API key") as caught:
        await transcribe(live_ctx, str(wav))
    assert FAL_TEST_KEY not in str(caught.value)


async def test_live_without_a_key_says_how_to_set_one(settings: Settings, fal_env: FalEmulator,
                                                      tmp_path: Path) -> None:
    ctx = AppContext(replace(settings, provider_mode="live", fal_key=None), open_store=False)
    with pytest.raises(ProviderError, match="FAL_KEY is not set"):
        await transcribe(ctx, str(write_wav(tmp_path / "voice.wav", seconds=1.0)))
    assert not fal_env.uploads


async def test_live_gives_up_after_the_timeout_and_cancels(fal_env: FalEmulator, tmp_path: Path) -> None:
    from pixflow_tui.providers.fal_media import FalMediaProvider

    audio = tmp_path / "audio.mp3"
    transcription.extract_audio(write_wav(tmp_path / "voice.wav", seconds=1.0), audio)
    fal_env.set_timing(0.0, float("inf"), app=catalog.TRANSCRIBE_MODEL)
    provider = FalMediaProvider(FAL_TEST_KEY)
    try:
        with pytest.raises(TransientProviderError, match=r"did not finish transcribing audio\.mp3 within 0\.3 s"):
            await provider.transcribe(audio, timeout=0.3)
    finally:
        await provider.aclose()
    [request_id] = fal_env.requests
    assert request_id in fal_env.cancelled


def test_result_parsing_handles_open_ended_chunks_and_language_codes() -> None:
    transcript = transcript_from_result({
        "text": " Merhaba dunya. Nasilsin?",
        "chunks": [{"timestamp": [0.0, 1.5], "text": " Merhaba dunya."},
                   {"timestamp": [1.5, None], "text": " Nasilsin?"}],
        "languages": ["tr"],
    })
    assert transcript.text == "Merhaba dunya. Nasilsin?" and transcript.language == "TR"
    assert [(s.start, s.end, s.text) for s in transcript.segments] == [(0.0, 1.5, "Merhaba dunya."),
                                                                      (1.5, 1.5, "Nasilsin?")]
    assert transcript_from_result({"text": "hi", "chunks": [], "languages": []}).language is None
    with pytest.raises(PermanentProviderError, match="without a transcript text"):
        transcript_from_result({"chunks": []})


# ------------------------------------------------------------------------------------------------ bad files


async def test_a_text_file_named_mp3_is_one_clear_error(demo_ctx: AppContext, tmp_path: Path) -> None:
    fake = tmp_path / "song.mp3"
    fake.write_text("these are the lyrics, not the song\n" * 20, encoding="utf-8")

    with pytest.raises(InputError) as caught:
        await transcribe(demo_ctx, str(fake))
    message = str(caught.value)
    assert str(fake) in message and "not an audio or video file" in message
    assert "\n" not in message


async def test_a_video_without_sound_is_refused(demo_ctx: AppContext, tmp_path: Path) -> None:
    video = write_video(tmp_path / "silent.mp4", sound=False)
    with pytest.raises(InputError, match=r"silent\.mp4 cannot be transcribed: the video has no audio track"):
        await transcribe(demo_ctx, str(video))


async def test_an_image_is_refused(demo_ctx: AppContext, tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (16, 16), (200, 30, 30)).save(tmp_path / "face.png")
    with pytest.raises(InputError, match=r"face\.png cannot be transcribed: it is an image, not audio or video"):
        await transcribe(demo_ctx, str(tmp_path / "face.png"))


async def test_missing_file_empty_file_and_folder(demo_ctx: AppContext, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.mp3 does not exist"):
        await transcribe(demo_ctx, str(tmp_path / "nope.mp3"))
    (tmp_path / "empty.wav").touch()
    with pytest.raises(InputError, match=r"empty\.wav is empty"):
        await transcribe(demo_ctx, str(tmp_path / "empty.wav"))
    with pytest.raises(InputError, match="is not a file"):
        await transcribe(demo_ctx, str(tmp_path))
    with pytest.raises(InputError, match="nothing to transcribe"):
        await transcribe(demo_ctx, "   ")


async def test_size_limits_audio_50_mb_video_500_mb(demo_ctx: AppContext, tmp_path: Path) -> None:
    big_video = sparse(tmp_path / "long.mp4", MAX_VIDEO_BYTES + 1)
    with pytest.raises(InputError, match=r"long\.mp4 is 500\.0 MB; the limit is 500 MB for a video"):
        await transcribe(demo_ctx, str(big_video))

    big_audio = sparse(tmp_path / "long.mp3", MAX_AUDIO_BYTES + 1)
    with pytest.raises(InputError, match=r"long\.mp3 is 50\.0 MB; the limit for an audio file is 50 MB"):
        await transcribe(demo_ctx, str(big_audio))

    # a real MP3 padded (sparsely) past 50 MB under a name that does not say audio: caught once opened
    padded = tmp_path / "recording.dat"
    transcription.extract_audio(write_wav(tmp_path / "short.wav", seconds=0.5), padded)
    sparse(padded, MAX_AUDIO_BYTES + 1024)
    with pytest.raises(InputError, match=r"recording\.dat is 50\.0 MB of audio; the limit .* is 50 MB"):
        await transcribe(demo_ctx, str(padded))
    assert os.stat(padded).st_blocks * 512 < 1024 * 1024  # the test never wrote the bytes


# ------------------------------------------------------------------------------------------------ URLs


def test_url_without_yt_dlp_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "yt_dlp", None)  # import yt_dlp now raises ImportError

    with pytest.raises(InputError) as caught:
        transcription.download_audio(URL, tmp_path)
    message = str(caught.value)
    assert "yt-dlp" in message and "is not installed" in message
    assert ".venv/bin/pip install 'pixflow-tui[transcribe-urls]'" in message and "pip install yt-dlp" in message


async def test_url_without_yt_dlp_from_transcribe(demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yt_dlp", None)
    with pytest.raises(InputError, match=r"pixflow-tui\[transcribe-urls\]"):
        await transcribe(demo_ctx, URL)


class FakeDownloadError(Exception):
    pass


def install_fake_yt_dlp(monkeypatch: pytest.MonkeyPatch, *, media: Path | None = None, ext: str = "m4a",
                        error: str | None = None) -> list[dict[str, Any]]:
    """A stand-in for yt_dlp: YoutubeDL(options) copies `media` to the output template, or raises `error`."""
    calls: list[dict[str, Any]] = []

    class YoutubeDL:
        def __init__(self, options: dict[str, Any]) -> None:
            self.options = options

        def __enter__(self) -> YoutubeDL:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def extract_info(self, url: str, download: bool = True) -> dict[str, Any]:
            calls.append({"url": url, "download": download, **self.options})
            if error is not None:
                raise FakeDownloadError(error)
            if media is not None:
                target = Path(self.options["outtmpl"] % {"ext": ext})
                target.write_bytes(media.read_bytes())
            return {"id": "abc123", "ext": ext}

    module = types.ModuleType("yt_dlp")
    module.YoutubeDL = YoutubeDL  # type: ignore[attr-defined]
    utils = types.ModuleType("yt_dlp.utils")
    utils.DownloadError = FakeDownloadError  # type: ignore[attr-defined]
    module.utils = utils  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "yt_dlp", module)
    monkeypatch.setitem(sys.modules, "yt_dlp.utils", utils)
    return calls


async def test_url_is_downloaded_with_yt_dlp_audio_only(demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    calls = install_fake_yt_dlp(monkeypatch, media=write_wav(tmp_path / "src" / "talk.wav", seconds=3.0))

    transcript = await transcribe(demo_ctx, URL)

    [call] = calls
    assert call["url"] == URL and call["download"] is True
    assert call["format"].startswith("bestaudio") and call["noplaylist"] is True
    assert call["max_filesize"] == MAX_VIDEO_BYTES
    assert transcript.source == URL and transcript.demo
    assert transcript.seconds == pytest.approx(3.0, abs=0.05)
    assert not Path(call["outtmpl"]).parent.exists()  # the temporary folder is gone


async def test_url_video_download_goes_live_as_audio(live_ctx: AppContext, fal_env: FalEmulator,
                                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    install_fake_yt_dlp(monkeypatch, media=write_video(tmp_path / "src" / "ad.mp4", seconds=2.0), ext="mp4")

    transcript = await transcribe(live_ctx, URL)

    [upload] = fal_env.uploads
    assert probe(upload.data)[0] == "mp3"
    assert not transcript.demo and transcript.source == URL


async def test_unreachable_url_is_one_clear_error(demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    install_fake_yt_dlp(monkeypatch, error="\x1b[0;31mERROR:\x1b[0m [generic] Unable to download webpage: "
                                           "<urlopen error [Errno -2] Name or service not known>")
    with pytest.raises(InputError) as caught:
        await transcribe(demo_ctx, URL)
    assert str(caught.value) == (f"could not download {URL}: [generic] Unable to download webpage: "
                                 "<urlopen error [Errno -2] Name or service not known>")


async def test_url_that_yields_no_file(demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    install_fake_yt_dlp(monkeypatch)  # "succeeds" without saving anything, as yt-dlp does over max_filesize
    with pytest.raises(InputError, match="nothing was saved"):
        await transcribe(demo_ctx, URL)


async def test_url_that_is_not_media(demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    page = tmp_path / "src" / "page.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html><body>no media here</body></html>", encoding="utf-8")
    install_fake_yt_dlp(monkeypatch, media=page, ext="html")
    with pytest.raises(InputError, match=rf"{URL.replace('?', '[?]')} cannot be transcribed: it is not an audio"):
        await transcribe(demo_ctx, URL)
