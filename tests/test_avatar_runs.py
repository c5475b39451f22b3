"""Avatar Studio runs: per language a speech job, then a lipsync that waits for it; one plan through the door;
a failed language is retried alone and nothing finished is paid again."""
from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core import catalog
from pixflow_tui.core.avatars import GREEN_RGB
from pixflow_tui.core.jobs import JobKind, JobState
from pixflow_tui.workflows import avatar_runs as runs
from pixflow_tui.workflows import scripts
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.paid_work import commit
from tests.emulators.fal_emulator import FalEmulator
from tests.emulators.fixtures import FAL_TEST_KEY

TEXT = "Hey there, I made my whole portfolio in one afternoon and it looks great. Try it today, it is free."


@pytest.fixture
def demo(settings: Settings) -> Iterator[AppContext]:
    ctx = AppContext(dataclasses.replace(settings, provider_mode="demo", demo_latency=0.0))
    yield ctx
    ctx.close()


@pytest.fixture
def live(settings: Settings, fal_env: FalEmulator) -> Iterator[AppContext]:
    # media at the fal emulator, text on the demo provider (no OpenAI key): "auto" goes live per capability
    ctx = AppContext(dataclasses.replace(settings, provider_mode="auto", fal_key=FAL_TEST_KEY))
    yield ctx
    ctx.close()


def avatar_file(ctx: AppContext) -> str:
    from PIL import Image

    path = ctx.settings.avatars_folder / "face.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (288, 512), GREEN_RGB).save(path)
    return str(path)


def write_audio(path: Path, seconds: float) -> Path:
    rate = 16000
    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=rate)
        stream.layout = "mono"
        samples = (np.sin(np.arange(int(rate * seconds)) * 0.05) * 8000).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def three_language_script(ctx: AppContext) -> int:
    view = asyncio.run(scripts.new_script(ctx, TEXT))
    return asyncio.run(scripts.translate_script(ctx, view.id, ["TR", "ES"])).id


def test_a_three_language_run_makes_speech_then_lipsync_with_lineage(demo: AppContext) -> None:
    script_id = three_language_script(demo)
    plan = runs.plan_avatar_run(demo, voice="Aria", avatar=avatar_file(demo), script_id=script_id,
                                languages=["EN", "TR", "ES"])
    assert plan.count == 6 and plan.estimate == 0 and plan.live_estimate > 0
    done = commit(demo, plan)
    asyncio.run(demo.run_jobs(batch_ids=[done.batch_id]))
    rows = runs.run_languages(demo, done.batch_id)
    assert {r.language: r.state for r in rows} == {"EN": "done", "TR": "done", "ES": "done"}
    assert all(r.deliverable and r.deliverable.endswith(".mp4") for r in rows)
    for row in rows:  # lipsync → its speech's audio asset
        (video,) = demo.store.assets.list(kind="lipsync", job_id=row.lipsync.id)
        (audio,) = demo.store.assets.list(job_id=row.speech.id)
        assert video.source_asset_id == audio.id
        assert row.lipsync.request["meta"]["made_from_jobs"] == [row.speech.id]


def test_without_an_avatar_the_audio_is_the_deliverable(demo: AppContext) -> None:
    plan = runs.plan_avatar_run(demo, voice="Roger", text=TEXT)
    assert plan.count == 1 and plan.models == {catalog.SPEECH_MODEL: 1}
    done = commit(demo, plan)
    asyncio.run(demo.run_jobs(batch_ids=[done.batch_id]))
    (row,) = runs.run_languages(demo, done.batch_id)
    assert row.state == "done" and row.deliverable and row.lipsync is None


def test_own_audio_goes_straight_to_lipsync_and_too_long_is_refused_before_paying(demo: AppContext,
                                                                                  tmp_path: Path) -> None:
    face = avatar_file(demo)
    short = write_audio(tmp_path / "short.wav", 2.0)
    plan = runs.plan_avatar_run(demo, avatar=face, audio=short)
    assert plan.models == {catalog.LIPSYNC_MODEL: 1}
    long = write_audio(tmp_path / "long.wav", catalog.LIPSYNC_MAX_AUDIO_SECONDS + 5)
    with pytest.raises(InputError, match="at most 60 s"):
        runs.plan_avatar_run(demo, avatar=face, audio=long)
    (tmp_path / "notes.wav").write_text("not audio")
    with pytest.raises(InputError, match="not an audio file"):
        runs.plan_avatar_run(demo, avatar=face, audio=tmp_path / "notes.wav")
    with pytest.raises(InputError, match="at most 60 s"):
        runs.plan_avatar_run(demo, voice="Aria", avatar=face, text=" ".join(["word"] * 200))
    assert demo.store.jobs.list() == []


def test_bad_choices_are_named(demo: AppContext) -> None:
    with pytest.raises(InputError, match="voice 'Nobody'"):
        runs.plan_avatar_run(demo, voice="Nobody", text=TEXT)
    script_id = asyncio.run(scripts.new_script(demo, TEXT)).id
    with pytest.raises(InputError, match="no German version"):
        runs.plan_avatar_run(demo, voice="Aria", script_id=script_id, languages=["DE"])
    with pytest.raises(InputError, match="exactly one"):
        runs.plan_avatar_run(demo, voice="Aria", text=TEXT, script_id=script_id)


def test_a_failed_lipsync_is_retried_alone_and_no_speech_is_paid_twice(live: AppContext,
                                                                      fal_env: FalEmulator) -> None:
    script_id = three_language_script(live)
    fal_env.inject("content_policy", on="submit", times=1, app=catalog.LIPSYNC_MODEL)
    done = commit(live, runs.plan_avatar_run(live, voice="Aria", avatar=avatar_file(live), script_id=script_id,
                                             languages=["EN", "TR", "ES"]))
    asyncio.run(live.run_jobs(batch_ids=[done.batch_id]))
    states = {r.language: r.state for r in runs.run_languages(live, done.batch_id)}
    assert sorted(states.values()) == ["done", "done", "failed"]
    failed = next(code for code, state in states.items() if state == "failed")
    plan = runs.plan_retry_language(live, done.batch_id, failed)
    assert plan.count == 1 and plan.models == {catalog.LIPSYNC_MODEL: 1}  # the finished speech is not in it
    commit(live, plan)
    asyncio.run(live.run_jobs(batch_ids=[done.batch_id]))
    assert {r.state for r in runs.run_languages(live, done.batch_id)} == {"done"}
    assert fal_env.submissions[catalog.SPEECH_MODEL] == 3
    assert fal_env.submissions[catalog.LIPSYNC_MODEL] == 4  # three, and the one retried


def test_a_lipsync_whose_speech_failed_says_so_and_both_go_round_again(live: AppContext,
                                                                       fal_env: FalEmulator) -> None:
    fal_env.inject("content_policy", on="submit", times=1, app=catalog.SPEECH_MODEL)
    done = commit(live, runs.plan_avatar_run(live, voice="Aria", avatar=avatar_file(live), text=TEXT))
    asyncio.run(live.run_jobs(batch_ids=[done.batch_id]))
    (row,) = runs.run_languages(live, done.batch_id)
    assert row.speech.status == JobState.FAILED and row.lipsync.status == JobState.FAILED
    assert "retry that one first" in (row.lipsync.error or "")
    plan = runs.plan_retry_language(live, done.batch_id, row.language)
    assert sorted(r.job.kind for r in plan.requeues) == sorted([JobKind.SPEECH, JobKind.LIPSYNC])
    commit(live, plan)
    asyncio.run(live.run_jobs(batch_ids=[done.batch_id]))
    (row,) = runs.run_languages(live, done.batch_id)
    assert row.state == "done" and fal_env.submissions[catalog.LIPSYNC_MODEL] == 1


def test_a_reaction_video_moves_the_avatar_into_the_emotion(demo: AppContext) -> None:
    plan = runs.plan_reaction(demo, avatar_file(demo), "surprised")
    assert plan.models == {catalog.VIDEO_MODELS["kling"]: 1}
    assert "eyebrows shoot up" in plan.jobs[0].request.arguments["prompt"]
    done = commit(demo, plan)
    asyncio.run(demo.run_jobs(batch_ids=[done.batch_id]))
    (job,) = demo.store.jobs.list(batch_id=done.batch_id)
    assert job.status == JobState.DONE and job.output_path.endswith(".mp4")
    with pytest.raises(InputError, match="reaction 'bored'"):
        runs.plan_reaction(demo, avatar_file(demo), "bored")


@pytest.mark.slow
def test_a_kill_during_a_lipsync_then_resume_pays_each_step_once(settings: Settings) -> None:
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    from pixflow_tui.store import Store

    face = avatar_file(AppContext(settings, open_store=False))
    env = {**os.environ, "PIXFLOW_PROVIDER_MODE": "demo", "PIXFLOW_DEMO_LATENCY": "1.5"}
    run = subprocess.Popen([sys.executable, "-m", "pixflow_tui", "avatar", "run", "--avatar", face, "--text", TEXT,
                            "--voice", "Aria", "--yes", "--json"], env=env, text=True, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:  # until the lipsync is at the (demo) provider, i.e. its speech is done
        assert time.monotonic() < deadline and run.poll() is None, run.stderr.read() if run.stderr else ""
        if settings.database_path.exists():
            store = Store.open(settings)
            lipsync = [j for j in store.jobs.list() if j.kind == JobKind.LIPSYNC and j.request_id]
            store.close_thread_connection()
            if lipsync:
                break
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait(10)
    resume = subprocess.run([sys.executable, "-m", "pixflow_tui", "jobs", "resume", "--json"],
                            env={**env, "PIXFLOW_DEMO_LATENCY": "0.2"}, text=True, capture_output=True, timeout=120)
    assert resume.returncode == 0, resume.stderr
    assert json.loads(resume.stdout)["states"]["done"] >= 1
    store = Store.open(settings)
    try:
        jobs = store.jobs.list()
        assert sorted(j.kind for j in jobs) == sorted([JobKind.SPEECH, JobKind.LIPSYNC])
        assert all(j.status == JobState.DONE for j in jobs)
    finally:
        store.close_thread_connection()
    submitted = list(settings.demo_dir.glob("*/request.json"))  # the demo provider keeps every request it got
    assert len(submitted) == 2  # one speech, one lipsync: nothing sent twice
