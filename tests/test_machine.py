"""The Machine: the whole chain as one durable, resumable run — text steps, then one paid plan through the door
(videos chained on images, lipsync on speech); dry run, budget, a partial run retried, a killed run resumed."""
from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pixflow_tui.cli import main
from pixflow_tui.config import Settings, load_settings
from pixflow_tui.core import catalog
from pixflow_tui.core.avatars import GREEN_RGB
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.store import Store
from pixflow_tui.workflows import machine
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.paid_work import PaidPlan
from tests.emulators.fal_emulator import FalEmulator
from tests.emulators.fixtures import FAL_TEST_KEY

CONCEPT = "a cozy coffee shop morning"


@pytest.fixture
def demo(settings: Settings) -> Iterator[AppContext]:
    ctx = AppContext(dataclasses.replace(settings, provider_mode="demo", demo_latency=0.0))
    yield ctx
    ctx.close()


@pytest.fixture
def live(settings: Settings, fal_env: FalEmulator) -> Iterator[AppContext]:
    # media at the fal emulator, text on the demo provider (no OpenAI key)
    ctx = AppContext(dataclasses.replace(settings, provider_mode="auto", fal_key=FAL_TEST_KEY))
    yield ctx
    ctx.close()


def face(folder: Path, color: tuple[int, int, int] = GREEN_RGB, name: str = "face.png") -> str:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (288, 512), color).save(folder / name)
    return str(folder / name)


def inputs(avatar: str, **changes: object) -> machine.MachineInputs:
    base = machine.MachineInputs(CONCEPT, (avatar,), "Aria", count=2)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def yes(plan: PaidPlan) -> bool:
    return True


def test_a_full_run_makes_every_step_with_lineage_and_exports(demo: AppContext, tmp_path: Path) -> None:
    avatar = face(tmp_path)
    run_id = machine.start_machine(demo, inputs(avatar, languages=("EN", "TR"), videos=True,
                                                camera="camera pans right"), yes)
    machine.drive_machine(demo, run_id)
    status = machine.run_status(demo, run_id)
    assert status.status == "done"
    assert {s.name: s.state for s in status.steps} == {name: "done" for name in machine.STEPS}
    assert {s.name: (s.done, s.total) for s in status.steps} == {
        "prompts": (2, 2), "images": (2, 2), "videos": (2, 2), "script": (2, 2), "speech": (2, 2), "lipsync": (2, 2)}
    assert set(status.scripts) == {"EN", "TR"} and all(status.scripts.values())
    assert all(Path(p).is_file() for s in status.steps if s.name in machine.PAID_STEPS for p in s.outputs)
    jobs = {j.id: j for j in demo.store.jobs.list(batch_id=status.batch_id)}
    images = [j for j in jobs.values() if j.kind == JobKind.IMAGE]
    for job in jobs.values():
        if job.kind == JobKind.VIDEO:  # made from its image job
            (source,) = job.request["meta"]["made_from_jobs"]
            assert jobs[source].kind == JobKind.IMAGE
            assert job.request["files"]["image_url"] == jobs[source].output_path
            assert "camera pans right" in job.request["arguments"]["prompt"]
        if job.kind == JobKind.LIPSYNC:  # made from its speech job, on the lipsync avatar
            (source,) = job.request["meta"]["made_from_jobs"]
            assert jobs[source].kind == JobKind.SPEECH
            assert jobs[source].request["meta"]["language"] == job.request["meta"]["language"]
            assert job.request["files"]["image_url"] == avatar
    assert all(j.request["arguments"]["aspect_ratio"] == "9:16" and j.request["arguments"]["resolution"] == "2K"
               and j.request["files"]["image_urls"] == [avatar] for j in images)
    run = demo.store.pipeline_runs.get(run_id)
    assert run is not None and run.artefacts["history_id"] and run.artefacts["script_id"]
    assert sorted(sum(run.artefacts["jobs"].values(), [])) == sorted(jobs)
    zipped = machine.export_machine(demo, run_id, tmp_path / "run.zip")
    names = zipfile.ZipFile(zipped).namelist()
    assert {"prompts.json", "script_EN.txt", "script_TR.txt"} <= set(names)
    assert {n.split("/")[0] for n in names if "/" in n} == {"images", "videos", "audio", "final"}
    assert len(json.loads(zipfile.ZipFile(zipped).read("prompts.json"))) == 2
    with pytest.raises(InputError, match="does not exist"):
        machine.export_machine(demo, run_id, tmp_path / "nowhere" / "run.zip")


def test_the_dry_run_spends_nothing_and_names_each_step(live: AppContext, tmp_path: Path) -> None:
    plan = machine.plan_machine(live, inputs(face(tmp_path), count=3, videos=True))
    steps = {s.name: s for s in plan.steps}
    assert list(steps) == ["prompts", "images", "videos", "script", "speech", "lipsync"]
    assert steps["images"].model == catalog.IMAGE_EDIT_MODEL and steps["images"].calls == 3
    assert steps["videos"].model == catalog.VIDEO_MODELS["kling"] and steps["videos"].calls == 3
    assert steps["speech"].model == catalog.SPEECH_MODEL and steps["lipsync"].model == catalog.LIPSYNC_MODEL
    assert steps["prompts"].calls == 0 and steps["script"].calls == 0
    assert plan.paid.count == 8 and plan.estimate == pytest.approx(sum(s.estimate for s in plan.steps))
    # the lipsync is priced from the 15 s script's target length
    assert steps["lipsync"].estimate == pytest.approx(0.14 * 37 / catalog.WORDS_PER_SECOND, abs=0.01)
    assert plan.estimate > 0 and plan.refusal is None
    assert any(catalog.LIPSYNC_MODEL in line for line in plan.lines())
    assert live.store.jobs.list() == [] and live.store.pipeline_runs.list() == [] and live.store.history.count() == 0


def test_the_budget_cap_refuses_before_anything_is_written(settings: Settings, fal_env: FalEmulator,
                                                          tmp_path: Path) -> None:
    ctx = AppContext(dataclasses.replace(settings, provider_mode="auto", fal_key=FAL_TEST_KEY, budget_cap=1.0))
    try:
        plan = machine.plan_machine(ctx, inputs(face(tmp_path)))
        assert plan.refusal and "budget cap" in plan.refusal
    finally:
        ctx.close()


def test_bad_inputs_are_refused_by_name(demo: AppContext, tmp_path: Path) -> None:
    red = face(tmp_path, (200, 20, 20), "red.png")
    with pytest.raises(InputError, match="failed the green-box check"):
        machine.plan_machine(demo, inputs(red))
    with pytest.raises(InputError, match="failed the green-box check"):
        machine.start_machine(demo, inputs(red), yes)
    good = face(tmp_path)
    with pytest.raises(InputError, match="duration"):
        machine.plan_machine(demo, inputs(good, duration=12))
    with pytest.raises(InputError, match="camera preset"):
        machine.plan_machine(demo, inputs(good, camera="spin wildly"))
    with pytest.raises(InputError, match="voice"):
        machine.plan_machine(demo, inputs(good, voice="Nobody"))
    with pytest.raises(InputError, match="choose an avatar"):
        machine.plan_machine(demo, inputs(good, avatars=()))
    assert demo.store.pipeline_runs.list() == [] and demo.store.jobs.list() == []


def test_saying_no_stops_before_paying(demo: AppContext, tmp_path: Path) -> None:
    run_id = machine.start_machine(demo, inputs(face(tmp_path)), lambda plan: False)
    status = machine.run_status(demo, run_id)
    assert status.status == "stopped" and status.error == machine.STOPPED_BEFORE_PAYING
    assert demo.store.jobs.list() == []
    assert status.step_named("prompts").state == "done" and status.step_named("images").state == "pending"
    machine.resume_machine(demo, run_id, yes)  # the text steps are not written again
    assert machine.run_status(demo, run_id).status == "done"
    assert demo.store.history.count() == 1


def test_a_failed_image_makes_the_run_partial_and_a_retry_pays_only_for_it(live: AppContext, fal_env: FalEmulator,
                                                                         tmp_path: Path) -> None:
    fal_env.inject("content_policy", on="submit", times=1, app=catalog.IMAGE_EDIT_MODEL)
    run_id = machine.start_machine(live, inputs(face(tmp_path), videos=True), yes)
    machine.drive_machine(live, run_id)
    status = machine.run_status(live, run_id)
    assert status.status == "partial" and status.failed_step == "images"
    assert status.step_named("images").state == "partial" and status.step_named("images").done == 1
    assert status.step_named("videos").state == "partial"  # the failed image's video could not be made
    assert status.step_named("lipsync").state == "done"
    first = dict(fal_env.submissions)
    plan = machine.plan_retry_machine(live, run_id, "images")
    assert plan.count == 2 and plan.models == {catalog.IMAGE_EDIT_MODEL: 1, catalog.VIDEO_MODELS["kling"]: 1}
    machine.commit_retry(live, run_id, plan)
    machine.drive_machine(live, run_id)
    assert machine.run_status(live, run_id).status == "done"
    # first: two images sent (one refused by the provider), one video (the other waited on the failed image)
    assert first == {catalog.IMAGE_EDIT_MODEL: 2, catalog.VIDEO_MODELS["kling"]: 1, catalog.SPEECH_MODEL: 1,
                     catalog.LIPSYNC_MODEL: 1}
    # the retry sent only the failed image and its video: nothing that finished was paid twice
    assert dict(fal_env.submissions) == {catalog.IMAGE_EDIT_MODEL: 3, catalog.VIDEO_MODELS["kling"]: 2,
                                         catalog.SPEECH_MODEL: 1, catalog.LIPSYNC_MODEL: 1}
    images = [r.arguments["prompt"] for r in fal_env.requests.values() if r.app_id == catalog.IMAGE_EDIT_MODEL]
    assert len(set(images)) == 2  # the third submission is the failed prompt's, sent again
    with pytest.raises(InputError, match="nothing to retry"):
        machine.plan_retry_machine(live, run_id)


def test_cli_dry_run_and_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    avatar = face(tmp_path)
    code = main(["machine", "run", "--concept", CONCEPT, "--avatar", avatar, "--voice", "Aria", "-n", "2",
                 "--dry-run", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["dry_run"] and [s["step"] for s in out["steps"]][:2] == ["prompts", "images"]
    assert main(["machine", "list"]) == 0 and "no Machine runs" in capsys.readouterr().out
    assert main(["machine", "run", "--concept", CONCEPT, "--avatar", avatar, "--voice", "Aria", "-n", "1", "--yes",
                 "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "done"
    assert main(["machine", "show", str(shown["run_id"]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["run_id"] == shown["run_id"]
    assert main(["machine", "export", str(shown["run_id"]), "-o", str(tmp_path / "out.zip")]) == 0
    assert main(["machine", "show", "99"]) == 2


def _wait_for_jobs(process: subprocess.Popen[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    database = load_settings().database_path
    while time.monotonic() < deadline and process.poll() is None:
        if database.exists():
            store = Store.open(load_settings())
            count = len(store.jobs.list())
            store.close_thread_connection()
            if count:
                return
        time.sleep(0.05)
    raise AssertionError(f"no jobs appeared; the run said: {process.stderr.read() if process.stderr else ''}")


def test_a_run_killed_mid_way_is_finished_by_resume(tmp_path: Path) -> None:
    env = {**os.environ, "PIXFLOW_PROVIDER_MODE": "demo", "PIXFLOW_DEMO_LATENCY": "1.5"}
    run = subprocess.Popen([sys.executable, "-m", "pixflow_tui", "machine", "run", "--concept", CONCEPT,
                            "--avatar", face(tmp_path), "--voice", "Aria", "-n", "2", "--yes", "--json"],
                           env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for_jobs(run)
    time.sleep(0.5)
    run.send_signal(signal.SIGKILL)
    run.wait(10)
    store = Store.open(load_settings())
    try:
        (record,) = store.pipeline_runs.list()
        assert any(j.status != "done" for j in store.jobs.list())  # the kill really interrupted the run
        jobs_before = len(store.jobs.list())
    finally:
        store.close_thread_connection()
    resume = subprocess.run([sys.executable, "-m", "pixflow_tui", "machine", "resume", str(record.id), "--json"],
                            env={**env, "PIXFLOW_DEMO_LATENCY": "0.2"}, text=True, capture_output=True, timeout=120)
    assert resume.returncode == 0, resume.stderr
    result = json.loads(resume.stdout)
    assert result["status"] == "done"
    store = Store.open(load_settings())
    try:
        assert len(store.jobs.list()) == jobs_before  # nothing planned twice
        assert len(store.batches.list(module="machine")) == 1 and store.history.count() == 1
    finally:
        store.close_thread_connection()


def test_a_run_that_died_in_a_text_step_redoes_only_that_step(demo: AppContext, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from pixflow_tui.providers.base import ProviderError
    from pixflow_tui.workflows.scripts import ScriptProviderError

    async def broken(*args: object, **kwargs: object) -> object:
        raise ProviderError("the text model is down", transient=False)

    with monkeypatch.context() as patched, pytest.raises(ScriptProviderError, match="stopped at its script step"):
        patched.setattr(type(demo.text), "write_script", broken)
        machine.start_machine(demo, inputs(face(tmp_path)), yes)
    (run,) = demo.store.pipeline_runs.list()
    status = machine.run_status(demo, run.id)
    assert status.status == "failed" and status.failed_step == "script"
    assert status.step_named("prompts").state == "done" and status.step_named("script").state == "failed"
    assert demo.store.jobs.list() == []
    machine.resume_machine(demo, run.id, yes)
    assert machine.run_status(demo, run.id).status == "done"
    assert demo.store.history.count() == 1  # the prompts were not written again


@pytest.mark.parametrize("step, model, retried", [
    ("videos", catalog.VIDEO_MODELS["kling"], {catalog.VIDEO_MODELS["kling"]: 1}),
    ("speech", catalog.SPEECH_MODEL, {catalog.SPEECH_MODEL: 1, catalog.LIPSYNC_MODEL: 1}),
    ("lipsync", catalog.LIPSYNC_MODEL, {catalog.LIPSYNC_MODEL: 1}),
])
def test_a_failure_at_each_paid_step_is_retried_from_it_paying_only_for_what_failed(
        live: AppContext, fal_env: FalEmulator, tmp_path: Path, step: str, model: str,
        retried: dict[str, int]) -> None:
    fal_env.inject("content_policy", on="submit", times=1, app=model)
    run_id = machine.start_machine(live, inputs(face(tmp_path), videos=True), yes)
    machine.drive_machine(live, run_id)
    status = machine.run_status(live, run_id)
    assert status.status in ("partial", "failed") and status.failed_step == step
    before = dict(fal_env.submissions)
    plan = machine.plan_retry_machine(live, run_id, step)
    assert plan.models == retried  # only the failed job (and what waited on it)
    machine.commit_retry(live, run_id, plan)
    machine.drive_machine(live, run_id)
    assert machine.run_status(live, run_id).status == "done"
    after = dict(fal_env.submissions)
    assert {m: after[m] - before.get(m, 0) for m in after if after[m] != before.get(m, 0)} == retried
