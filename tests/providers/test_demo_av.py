"""The offline media provider's video, speech and lipsync: real MP4/MP3 files whose motion, length and mouth
movement can be measured."""
from __future__ import annotations

import asyncio

import itertools
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from demo_support import audio_seconds, decode_video, local, run
from PIL import Image

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind, MediaRequest
from pixflow_tui.providers.base import RemoteOutput
from pixflow_tui.providers.demo import DemoMediaProvider
from pixflow_tui.providers.demo import media as demo_media
from pixflow_tui.providers.demo import video as demo_video
from pixflow_tui.providers.demo.common import label_overlay
from pixflow_tui.providers.demo.lipsync import LIPSYNC_FPS, MOUTH_CENTER

KLING = catalog.VIDEO_MODELS["kling"]


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "demo-state"


@pytest.fixture
def provider(state_dir: Path) -> DemoMediaProvider:
    return DemoMediaProvider(state_dir, latency=0)


@pytest.fixture(autouse=True)
def predictable_seeds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each submit draws a random seed; a fixed sequence keeps these tests reproducible."""
    seeds = iter(range(1000, 10**6, 7919))
    monkeypatch.setattr(demo_media.secrets, "randbelow", lambda _limit: next(seeds))


@pytest.fixture
def small_video(monkeypatch: pytest.MonkeyPatch) -> None:
    """Motion tests need no more than 240 px at 6 fps; the real size and rate are checked once.

    Patched constants do not reach the worker processes, so these tests draw in this process."""
    monkeypatch.setattr(demo_video, "VIDEO_LONG_SIDE", 240)
    monkeypatch.setattr(demo_video, "VIDEO_FPS", 6)

    async def in_this_process(function, *args):  # type: ignore[no-untyped-def]
        return await asyncio.to_thread(function, *args)

    monkeypatch.setattr(demo_media, "run_in_process", in_this_process)


@pytest.fixture(scope="module")
def textured_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 9:16 image with structure at several scales, so motion between frames is measurable."""
    rng = np.random.default_rng(7)
    coarse = Image.fromarray(rng.integers(0, 256, (24, 14, 3), dtype=np.uint8)).resize((576, 1024),
                                                                                       Image.Resampling.BICUBIC)
    arr = np.asarray(coarse, dtype=np.float32)
    arr += rng.normal(0, 12, arr.shape[:2])[..., None]
    path = tmp_path_factory.mktemp("src") / "source.png"
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(path)
    return path


def gray(frame: np.ndarray) -> np.ndarray:
    return frame.mean(axis=2)[: int(frame.shape[0] * 0.85)]  # skip the bottom strip with the DEMO badge


def best_shift(before: np.ndarray, after: np.ndarray) -> int:
    """d such that after[x] ≈ before[x + d] (content moved by -d)."""
    size = len(before)
    errors = {d: np.abs(after[max(0, -d):size - max(0, d)] - before[max(0, d):size + min(0, d)]).mean()
              for d in range(-size // 2, size // 2 + 1)}
    return min(errors, key=errors.__getitem__)


def best_zoom(wide: np.ndarray, tight: np.ndarray) -> float:
    """The factor by which `tight` is a centre crop of `wide` blown up (1.0 = same framing)."""
    height, width = wide.shape
    image = Image.fromarray(wide)
    scores = {}
    for factor in np.linspace(1.0, 2.0, 41):
        crop_w, crop_h = width / factor, height / factor
        box = ((width - crop_w) / 2, (height - crop_h) / 2, (width + crop_w) / 2, (height + crop_h) / 2)
        scaled = np.asarray(image.resize((width, height), Image.Resampling.BILINEAR, box=box))
        scores[float(factor)] = np.abs(scaled - tight).mean()
    return min(scores, key=scores.__getitem__)


async def make_video(provider: DemoMediaProvider, source: Path, prompt: str, duration: str = "5",
                     aspect_ratio: str = "9:16") -> tuple[list[np.ndarray], RemoteOutput]:
    request = MediaRequest(JobKind.VIDEO, KLING, {"prompt": prompt, "duration": duration,
                                                  "aspect_ratio": aspect_ratio, "negative_prompt": "blur",
                                                  "cfg_scale": 0.5}, {"image_url": str(source)})
    [output] = await run(provider, request)
    return decode_video(local(output)), output


# --------------------------------------------------------------------------- video


async def test_video_frames_size_codec_and_metadata(provider: DemoMediaProvider, textured_source: Path) -> None:
    frames, output = await make_video(provider, textured_source, "the camera zooms in")
    assert output.content_type == "video/mp4" and output.metadata["demo"] is True
    assert len(frames) == 5 * demo_video.VIDEO_FPS == 60
    assert frames[0].shape == (480, 270, 3)
    with av.open(str(local(output))) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.format.name == "yuv420p"
        assert "demo" in container.metadata.get("comment", "").lower()
        assert "demo" in container.metadata.get("title", "").lower()


@pytest.mark.usefixtures("small_video")
async def test_ten_second_pan_right_moves_content_left(provider: DemoMediaProvider, textured_source: Path) -> None:
    frames, output = await make_video(provider, textured_source, "camera pans right, medium shot", duration="10",
                                      aspect_ratio="16:9")
    assert len(frames) == 10 * demo_video.VIDEO_FPS
    assert frames[0].shape == (136, 240, 3)
    assert output.metadata["camera_moves"] == ["pan_right"]
    shift = best_shift(gray(frames[0]).mean(axis=0), gray(frames[-1]).mean(axis=0))
    assert shift > 20  # the camera moved right, so the picture slid left


@pytest.mark.usefixtures("small_video")
async def test_speed_scales_the_motion(provider: DemoMediaProvider, textured_source: Path) -> None:
    shifts = {}
    for speed in ("slow", "fast"):
        frames, _ = await make_video(provider, textured_source, f"camera pans right, {speed}")
        shifts[speed] = best_shift(gray(frames[0]).mean(axis=0), gray(frames[-1]).mean(axis=0))
    assert shifts["fast"] > shifts["slow"] * 1.8 > 0


@pytest.mark.usefixtures("small_video")
async def test_tilts_move_content_vertically(provider: DemoMediaProvider, textured_source: Path) -> None:
    up, _ = await make_video(provider, textured_source, "camera tilts up")
    down, _ = await make_video(provider, textured_source, "camera tilts down")
    up_shift = best_shift(gray(up[0]).mean(axis=1), gray(up[-1]).mean(axis=1))
    down_shift = best_shift(gray(down[0]).mean(axis=1), gray(down[-1]).mean(axis=1))
    assert up_shift < -15  # looking up: the picture slides down
    assert down_shift > 15


@pytest.mark.usefixtures("small_video")
async def test_zoom_in_and_zoom_out(provider: DemoMediaProvider, textured_source: Path) -> None:
    zin, _ = await make_video(provider, textured_source, "the camera zooms in")
    zout, _ = await make_video(provider, textured_source, "the camera zooms out")
    assert best_zoom(gray(zin[0]), gray(zin[-1])) >= 1.2  # last frame = centre of the first, enlarged
    assert best_zoom(gray(zout[-1]), gray(zout[0])) >= 1.2  # and the other way round


@pytest.mark.usefixtures("small_video")
async def test_default_move_is_a_subtle_zoom(provider: DemoMediaProvider, textured_source: Path) -> None:
    frames, output = await make_video(provider, textured_source, "natural subject motion, cinematic quality")
    assert output.metadata["camera_moves"] == ["subtle_zoom_in"]
    assert 1.04 <= best_zoom(gray(frames[0]), gray(frames[-1])) <= 1.25


@pytest.mark.usefixtures("small_video")
async def test_stationary_orbit_and_handheld(provider: DemoMediaProvider, textured_source: Path) -> None:
    still, _ = await make_video(provider, textured_source, "the camera is stationary")
    orbit, _ = await make_video(provider, textured_source, "camera orbits around")
    handheld, _ = await make_video(provider, textured_source, "handheld device filming")

    def mad(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.abs(gray(a) - gray(b)).mean())

    assert mad(still[0], still[-1]) < 4
    assert mad(orbit[0], orbit[-1]) > 3 * mad(still[0], still[-1])
    jitter = [mad(handheld[i], handheld[i + 3]) for i in range(0, len(handheld) - 3, 3)]
    assert min(jitter) > 0.5 and max(jitter) > 1.5


# --------------------------------------------------------------------------- speech and lipsync


def dominant_pitch(path: Path) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        data = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(stream)])
    spectrum = np.abs(np.fft.rfft(data))
    freqs = np.fft.rfftfreq(len(data), 1 / rate)
    band = (freqs > 60) & (freqs < 400)
    return float(freqs[band][spectrum[band].argmax()])


def speech_request(text: str, voice: str = "Aria") -> MediaRequest:
    return MediaRequest(JobKind.SPEECH, catalog.SPEECH_MODEL, {"text": text, "voice": voice})


async def test_speech_length_follows_the_text(provider: DemoMediaProvider) -> None:
    text = " ".join(["word"] * 25) + "."
    [output] = await run(provider, speech_request(text))
    assert output.content_type == "audio/mpeg" and output.file_name.endswith(".mp3")
    assert abs(audio_seconds(local(output)) - 10.0) < 0.2
    with av.open(str(local(output))) as container:
        assert "demo" in container.metadata.get("comment", "").lower()
    [short] = await run(provider, speech_request("Hi."))
    assert abs(audio_seconds(local(short)) - 1.0) < 0.2


async def test_voice_sets_the_pitch(provider: DemoMediaProvider) -> None:
    text = "This sentence is spoken by two different demo voices today."
    [female] = await run(provider, speech_request(text, "Aria"))
    [male] = await run(provider, speech_request(text, "Roger"))
    assert dominant_pitch(local(female)) > dominant_pitch(local(male)) * 1.4


def write_wav(path: Path, loud_seconds: float, quiet_seconds: float, rate: int = 16000) -> None:
    t = np.arange(int(loud_seconds * rate)) / rate
    loud = 0.6 * np.sin(2 * np.pi * 180 * t)
    samples = np.concatenate([loud, np.zeros(int(quiet_seconds * rate))])
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((samples * 32767).astype("<i2").tobytes())


async def test_lipsync_muxes_audio_and_moves_the_mouth(provider: DemoMediaProvider, tmp_path: Path) -> None:
    avatar, audio = tmp_path / "avatar.jpg", tmp_path / "voice.wav"
    Image.new("RGB", (540, 960), (200, 170, 150)).save(avatar)
    write_wav(audio, loud_seconds=1.0, quiet_seconds=1.0, rate=11_000)  # an odd rate AAC can't take as is
    request = MediaRequest(JobKind.LIPSYNC, catalog.LIPSYNC_MODEL, {},
                           {"image_url": str(avatar), "audio_url": str(audio)})
    [output] = await run(provider, request)
    path = local(output)
    assert output.content_type == "video/mp4" and output.metadata["demo"] is True
    with av.open(str(path)) as container:
        assert container.streams.video and container.streams.audio
        assert container.streams.audio[0].codec_context.name == "aac"
    frames = decode_video(path)
    assert abs(len(frames) / LIPSYNC_FPS - 2.0) < 0.1
    assert abs(audio_seconds(path) - 2.0) < 0.15
    height, width = frames[0].shape[:2]
    cx, cy = int(MOUTH_CENTER[0] * width), int(MOUTH_CENTER[1] * height)
    mouth = [f[cy - 4:cy + 5, cx - 4:cx + 5].mean() for f in frames]
    loud, quiet = np.mean(mouth[3:12]), np.mean(mouth[-8:])
    assert loud < quiet - 40  # open (dark) while the audio is loud, closed (lip colour) in the silence
    corner = [f[10:40, 10:40].mean() for f in frames]
    assert max(corner) - min(corner) < 3  # the rest of the avatar holds still


async def test_lipsync_with_demo_speech(provider: DemoMediaProvider, textured_source: Path) -> None:
    [speech] = await run(provider, speech_request("A short line for the avatar to say out loud."))
    request = MediaRequest(JobKind.LIPSYNC, catalog.LIPSYNC_MODEL, {},
                           {"image_url": str(textured_source), "audio_url": speech.url})
    [output] = await run(provider, request)
    frames = decode_video(local(output))
    assert abs(len(frames) / LIPSYNC_FPS - audio_seconds(local(speech))) < 0.15


@pytest.mark.usefixtures("small_video")
async def test_missing_optional_arguments_use_defaults(provider: DemoMediaProvider, textured_source: Path) -> None:
    [image] = await run(provider, MediaRequest(JobKind.IMAGE, catalog.IMAGE_MODEL, {"prompt": "minimal"}))
    with Image.open(local(image)) as img:
        assert img.size == catalog.image_size("1:1", "1K") and img.format == "PNG"
    [clip] = await run(provider, MediaRequest(JobKind.VIDEO, KLING, {}, {"image_url": str(textured_source)}))
    # no aspect ratio: the source's own (portrait) shape
    assert clip.metadata["duration"] == 5.0 and clip.metadata["height"] == 240 and clip.metadata["width"] < 240


def test_every_combination_of_moves_stays_inside_the_picture() -> None:
    """Up to three presets at any speed: the camera never looks past the source's edges (no black borders)."""
    source = Image.new("RGB", (150, 250), (200, 200, 200))
    badge_x, badge_y, _, _ = label_overlay(46, 80)
    for combo in itertools.combinations(catalog.CAMERA_MOVEMENTS, 3):
        plan = demo_video.parse_camera(", ".join(combo) + ", fast")  # fast travels furthest
        for frame in demo_video.render_frames(source, plan, 46, 80, 3, seed=3):
            assert frame[:badge_y].min() >= 190 and frame[:, :badge_x].min() >= 190, combo


def test_camera_presets_are_recognised() -> None:
    expected = {
        "the camera rotates around the subject": "orbit", "the camera is stationary": "stationary",
        "handheld device filming": "handheld", "the camera zooms out": "zoom_out", "the camera zooms in": "zoom_in",
        "the camera follows the subject moving": "follow", "camera pans right": "pan_right",
        "camera tilts up": "tilt_up", "camera tilts down": "tilt_down", "camera orbits around": "orbit",
    }
    assert set(expected) == set(catalog.CAMERA_MOVEMENTS)
    for phrase, move in expected.items():
        plan = demo_video.parse_camera(f"a woman on a terrace, {phrase}, slow, maintaining a Close Shot")
        assert plan.moves == (move,) and plan.speed == "slow"
    assert demo_video.parse_camera("camera pans right, the camera zooms in, fast").moves == ("pan_right", "zoom_in")
