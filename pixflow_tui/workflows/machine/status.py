"""The Machine's runs as the front ends show them: each step's state, progress, cost and outputs; retry from a
step (never paying for what finished); export everything a run made as one zip."""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixflow_tui.core.jobs import JobState
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.store.records import JobRecord, PipelineRunRecord
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.machine.runs import (
    PAID_STEPS, STEP_OF_KIND, STEPS, TEXT_STEPS, MachineInputs, _existing_batch, _run,
)
from pixflow_tui.workflows.paid_work import RETRYABLE, PaidPlan, commit, plan_retry
from pixflow_tui.workflows.scripts import script_view


# ---- status ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepStatus:
    name: str
    state: str  # pending | running | done | partial | failed
    done: int = 0
    total: int = 0
    cost: float = 0.0
    outputs: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        return {"step": self.name, "state": self.state, "done": self.done, "total": self.total,
                "cost": round(self.cost, 4), "outputs": self.outputs, "errors": self.errors}


@dataclass(frozen=True)
class MachineStatus:
    run_id: int
    concept: str
    status: str  # running | confirming | stopped | done | partial | failed
    step: str
    failed_step: str | None
    error: str | None
    batch_id: int | None
    steps: tuple[StepStatus, ...]
    scripts: dict[str, str]  # language -> the script's text

    @property
    def cost(self) -> float:
        return round(sum(s.cost for s in self.steps), 4)

    def step_named(self, name: str) -> StepStatus:
        return next(s for s in self.steps if s.name == name)

    def describe(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "concept": self.concept, "status": self.status, "step": self.step,
                "failed_step": self.failed_step, "error": self.error, "batch_id": self.batch_id,
                "cost": self.cost, "steps": [s.describe() for s in self.steps], "scripts": self.scripts}


def _job_step(name: str, jobs: list[JobRecord]) -> StepStatus:
    done = [j for j in jobs if j.status == JobState.DONE]
    failed = [j for j in jobs if j.status in RETRYABLE]
    finished = len(done) + len(failed) == len(jobs)
    if not jobs:
        state = "pending"
    elif len(done) == len(jobs):
        state = "done"
    elif failed and finished:
        state = "partial" if done else "failed"
    elif all(j.status == JobState.PENDING for j in jobs):
        state = "pending"
    else:
        state = "running"
    return StepStatus(name, state, len(done), len(jobs), sum(j.cost or 0.0 for j in jobs),
                      [j.output_path for j in done if j.output_path],
                      [f"job {j.id}: {j.error or j.status}" for j in failed])


def run_status(ctx: AppContext, run_id: int) -> MachineStatus:
    """Each step's state, progress, cost so far and outputs; the row's step/status are brought up to date."""
    run = _run(ctx, run_id)
    inputs = MachineInputs.from_settings(run.settings)
    batch_id = _existing_batch(ctx, run)
    jobs = ctx.store.jobs.list(batch_id=batch_id) if batch_id is not None else []
    steps: list[StepStatus] = []
    scripts: dict[str, str] = {}
    for name in STEPS:
        if name == "videos" and not inputs.videos:
            continue
        if name in TEXT_STEPS:
            steps.append(_text_step(ctx, run, name, scripts))
        else:
            steps.append(_job_step(name, [j for j in jobs if STEP_OF_KIND[j.kind] == name]))
    status, step, failed_step = run.status, run.step, run.failed_step
    if batch_id is not None:
        paid = [s for s in steps if s.name in PAID_STEPS]
        states = {s.state for s in paid}
        if states == {"done"}:
            status, step, failed_step = "done", "done", None
        elif states & {"running", "pending"} and any(j.status not in RETRYABLE and j.status != JobState.DONE
                                                     for j in jobs):
            status = "running"
            step = next(s.name for s in paid if s.state in ("running", "pending"))
            failed_step = None
        else:
            broken = next((s for s in paid if s.state in ("partial", "failed")), paid[-1])
            status = "partial" if any(s.done for s in paid) else "failed"
            step = failed_step = broken.name
        if (status, step, failed_step) != (run.status, run.step, run.failed_step):
            ctx.store.pipeline_runs.update(run_id, status=status, step=step, failed_step=failed_step)
    return MachineStatus(run.id, run.concept, status, step, failed_step, run.error, batch_id, tuple(steps), scripts)


def _text_step(ctx: AppContext, run: PipelineRunRecord, name: str, scripts: dict[str, str]) -> StepStatus:
    artefacts = run.artefacts
    if run.failed_step == name and run.status == "failed":
        return StepStatus(name, "failed", errors=[run.error or "failed"])
    if name == "prompts":
        history = ctx.store.history.get(artefacts["history_id"]) if artefacts.get("history_id") else None
        if history is None:
            return StepStatus(name, "running" if run.step == name and run.status == "running" else "pending")
        texts = [PromptOutput.model_validate(p).short(200) for p in history.prompts]
        return StepStatus(name, "done", len(texts), len(texts), 0.0, texts)
    script_id = artefacts.get("script_id")
    if not script_id or "languages" not in artefacts:
        return StepStatus(name, "running" if run.step == name and run.status == "running" else "pending")
    try:
        view = script_view(ctx, script_id)
    except InputError as exc:
        return StepStatus(name, "failed", errors=[str(exc)])
    for code in artefacts["languages"]:
        text = view.translations[code].text if code in view.translations else view.text
        scripts[code] = text
    return StepStatus(name, "done", len(scripts), len(scripts), 0.0, [f"{c}: {t}" for c, t in scripts.items()])


def list_runs(ctx: AppContext, limit: int = 50) -> list[MachineStatus]:
    return [run_status(ctx, run.id) for run in ctx.store.pipeline_runs.list(limit)]


# ---- retry ----------------------------------------------------------------------------------------------


def plan_retry_machine(ctx: AppContext, run_id: int, from_step: str | None = None) -> PaidPlan:
    """The failed (cancelled, unknown) jobs of `from_step` and the steps after it — or of every step — sent
    round again through the door; nothing that finished is paid again."""
    run = _run(ctx, run_id)
    if from_step is not None and from_step not in STEPS:
        raise InputError(f"there is no step {from_step!r}; choose one of {', '.join(STEPS)}")
    batch_id = _existing_batch(ctx, run)
    if batch_id is None:
        if run.status == "failed" and run.failed_step in TEXT_STEPS:
            raise InputError(f"run {run_id} failed at its free {run.failed_step} step; resume it "
                             f"(`pixflow machine resume {run_id}`) to redo that step")
        raise InputError(f"run {run_id} has no paid jobs to retry")
    wanted = set(STEPS[STEPS.index(from_step):]) if from_step else set(STEPS)
    again = [j.id for j in ctx.store.jobs.list(batch_id=batch_id)
             if STEP_OF_KIND[j.kind] in wanted and j.status in RETRYABLE]
    if not again:
        where = f" from {from_step} on" if from_step else ""
        raise InputError(f"nothing to retry in run {run_id}{where}: no job failed")
    return plan_retry(ctx, again)


def commit_retry(ctx: AppContext, run_id: int, plan: PaidPlan) -> None:
    """Commit a retry plan (after confirmation) and mark the run running again."""
    commit(ctx, plan)
    ctx.store.pipeline_runs.update(run_id, status="running", failed_step=None, error=None)


# ---- export ---------------------------------------------------------------------------------------------


def export_machine(ctx: AppContext, run_id: int, path: str | Path) -> Path:
    """A zip of the run: images/, videos/, script_<LANG>.txt per language, prompts.json, audio/ and final/
    (the lipsync videos). Written to a temporary file first, then renamed into place."""
    status = run_status(ctx, run_id)
    target = Path(path).expanduser()
    if target.suffix.lower() != ".zip":
        target = target.with_suffix(target.suffix + ".zip") if target.suffix else target.with_suffix(".zip")
    if not target.parent.is_dir():
        raise InputError(f"cannot export to {target}: the folder {target.parent} does not exist")
    if target.is_dir():
        raise InputError(f"cannot export to {target}: it is a folder")
    files: list[tuple[Path, str]] = []
    missing: list[str] = []
    for step, folder in (("images", "images"), ("videos", "videos"), ("speech", "audio"), ("lipsync", "final")):
        if step == "videos" and not any(s.name == "videos" for s in status.steps):
            continue
        for output in status.step_named(step).outputs:
            source = Path(output)
            if source.is_file():
                files.append((source, f"{folder}/{source.name}"))
            else:
                missing.append(str(source))
    prompts = status.step_named("prompts").outputs
    run = _run(ctx, run_id)
    history = ctx.store.history.get(run.artefacts["history_id"]) if run.artefacts.get("history_id") else None
    if not files and not status.scripts and history is None:
        raise InputError(f"run {run_id} has nothing to export yet")
    try:
        handle, temp = tempfile.mkstemp(prefix=".machine-", suffix=".zip.part", dir=target.parent)
        os.close(handle)
        try:
            with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("prompts.json", json.dumps(history.prompts if history else prompts, indent=2,
                                                            ensure_ascii=False))
                for code, text in status.scripts.items():
                    archive.writestr(f"script_{code}.txt", text + "\n")
                for source, name in files:
                    archive.write(source, name)
                if missing:
                    archive.writestr("MISSING.txt", "\n".join(missing) + "\n")
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(f"cannot export run {run_id} to {target}: {exc.strerror or exc}") from None
    return target
