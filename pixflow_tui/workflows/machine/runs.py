"""The Machine: the whole chain (prompts → images → videos? → script → speech → lipsync) as one durable,
resumable run, recorded in a `pipeline_runs` row.

- The free text steps (prompts, script and its translations) run first; their outputs (history id, script id)
  are written to the row's artefacts as each finishes, so a run that died in one redoes only that step.
- Every paid call is then ONE plan through the one door (`paid_work`): images (one per prompt, the avatars as
  references), videos chained on their images (`plan:<n>`), per language a speech and a lipsync chained on it.
  The caller's `confirm` sees the real plan before it is committed; the batch (module "machine") carries the
  run id in its settings, so a resume never plans it twice — the engine resumes its jobs by request id.
- A failed job is retried with `plan_retry` (never paying for anything that finished).

The functions are synchronous (they run their own event loop for the text provider): call them from a thread.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixflow_tui.core import catalog
from pixflow_tui.core import scripts as rules
from pixflow_tui.core.jobs import JobKind, JobState, MediaRequest
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.core.requests import RequestError, video_request
from pixflow_tui.store.records import PipelineRunRecord
from pixflow_tui.workflows.avatar_runs import check_voice, plan_avatar_run
from pixflow_tui.workflows.avatars import green_check
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.images import plan_image_batch
from pixflow_tui.workflows.inputs import InputError, check_concept, check_count, check_image_file
from pixflow_tui.workflows.paid_work import (
    PLAN_REF,
    NewBatch,
    NewJob,
    PaidPlan,
    commit,
    live_cost,
    plan_ref,
    plan_work,
)
from pixflow_tui.workflows.prompts import PromptGenerationError, generate_prompts
from pixflow_tui.workflows.scripts import (
    ScriptProviderError,
    check_languages,
    check_tone,
    generate_script,
    script_view,
    translate_script,
)
from pixflow_tui.workflows.videos import VideoSettings

if TYPE_CHECKING:
    from pixflow_tui.engine.runner import EngineSummary

MODULE = "machine"
STEPS = ("prompts", "images", "videos", "script", "speech", "lipsync")
TEXT_STEPS = ("prompts", "script")
PAID_STEPS = ("images", "videos", "speech", "lipsync")
STEP_OF_KIND = {JobKind.IMAGE: "images", JobKind.VIDEO: "videos", JobKind.SPEECH: "speech",
                JobKind.LIPSYNC: "lipsync"}
DURATIONS = (10, 15, 20, 25, 30)
DEFAULT_APP = "Clone AI"
DEFAULT_COUNT = 5
DEFAULT_DURATION = 15
STOPPED_BEFORE_PAYING = "stopped before paying"
PLACEHOLDER_WORD = "words"  # a dry run prices speech from the duration's target word count of such words

Confirm = Callable[[PaidPlan], bool]


# ---- inputs ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MachineInputs:
    """What a run is made from. `avatars[0]` is the lipsync avatar (it must stand on backdrop green); every avatar
    and reference image goes to the image model as a reference. No languages: the script's detected one."""

    concept: str
    avatars: tuple[str, ...]
    voice: str
    count: int = DEFAULT_COUNT
    references: tuple[str, ...] = ()
    app: str = DEFAULT_APP
    duration: int = DEFAULT_DURATION
    tone: str = catalog.DEFAULT_TONE
    languages: tuple[str, ...] = ()
    videos: bool = False
    camera: str | None = None

    @property
    def lipsync_avatar(self) -> str:
        return self.avatars[0]

    @property
    def image_references(self) -> list[str]:
        return [*self.avatars, *self.references]

    def to_settings(self) -> dict[str, Any]:
        return {"concept": self.concept, "avatars": list(self.avatars), "voice": self.voice, "count": self.count,
                "references": list(self.references), "app": self.app, "duration": self.duration,
                "tone": self.tone, "languages": list(self.languages), "videos": self.videos, "camera": self.camera}

    @classmethod
    def from_settings(cls, data: dict[str, Any]) -> MachineInputs:
        return cls(concept=data["concept"], avatars=tuple(data.get("avatars", ())), voice=data.get("voice", ""),
                   count=int(data.get("count", DEFAULT_COUNT)), references=tuple(data.get("references", ())),
                   app=data.get("app", DEFAULT_APP), duration=int(data.get("duration", DEFAULT_DURATION)),
                   tone=data.get("tone", catalog.DEFAULT_TONE), languages=tuple(data.get("languages", ())),
                   videos=bool(data.get("videos")), camera=data.get("camera"))


def check_inputs(inputs: MachineInputs) -> MachineInputs:
    """The inputs, normalised, or an InputError naming what is wrong. The lipsync avatar's green-box check runs
    first of the file checks."""
    concept = check_concept(inputs.concept)
    if not inputs.avatars:
        raise InputError("choose an avatar: the first one is the lipsync avatar (it must stand on backdrop green)")
    lipsync = str(check_image_file(inputs.avatars[0], what="lipsync avatar"))
    try:
        check = green_check(lipsync)
    except IndexError:
        raise InputError(f"lipsync avatar {lipsync} is too small or too narrow to check for backdrop green") from None
    if not check.ok:
        raise InputError(f"the lipsync avatar {Path(lipsync).name} failed the green-box check: {check.describe()}")
    avatars = [lipsync] + [str(check_image_file(a, what="avatar image")) for a in inputs.avatars[1:]]
    references = [str(check_image_file(r)) for r in inputs.references]
    if len(references) > catalog.MAX_REFERENCE_IMAGES:
        raise InputError(f"{len(references)} reference images given; at most {catalog.MAX_REFERENCE_IMAGES}")
    if len(avatars) + len(references) > catalog.MAX_REFERENCE_IMAGES:
        raise InputError(f"{len(avatars)} avatars and {len(references)} reference images are "
                         f"{len(avatars) + len(references)} images for the image model; it takes at most "
                         f"{catalog.MAX_REFERENCE_IMAGES}")
    count = check_count(inputs.count, *catalog.PROMPT_COUNT_RANGE, "the prompt count")
    if inputs.duration not in DURATIONS:
        raise InputError(f"the script duration must be one of {', '.join(map(str, DURATIONS))} seconds, "
                         f"not {inputs.duration}")
    app = inputs.app.strip() or DEFAULT_APP
    if len(app) > rules.MAX_APP_NAME_CHARS:
        raise InputError(f"the app name has {len(app)} characters; at most {rules.MAX_APP_NAME_CHARS}")
    voice = check_voice(inputs.voice)
    languages = check_languages(list(inputs.languages)) if inputs.languages else ()
    camera = inputs.camera or None
    if camera is not None and camera not in catalog.CAMERA_MOVEMENTS:
        raise InputError(f"camera preset {camera!r} is not offered; choose one of {', '.join(catalog.CAMERA_MOVEMENTS)}")
    return MachineInputs(concept, tuple(avatars), voice, count, tuple(references), app, inputs.duration,
                         check_tone(inputs.tone), languages, inputs.videos or camera is not None, camera)


# ---- the paid jobs --------------------------------------------------------------------------------------


def _tagged(request: MediaRequest, step: str, run_id: int | None, concept: str, offset: int = 0) -> MediaRequest:
    """The request as one of this run's jobs: module "machine", its step, and its `plan:<n>` refs shifted."""
    def shift(value: Any) -> Any:
        if isinstance(value, list):
            return [shift(v) for v in value]
        if isinstance(value, str) and value.startswith(PLAN_REF):
            return plan_ref(int(value[len(PLAN_REF):]) + offset)
        return value

    meta = {**request.meta, "module": MODULE, "machine_step": step, "concept": concept}
    if run_id is not None:
        meta["machine_run_id"] = run_id
    return replace(request, files={k: shift(v) for k, v in request.files.items()}, meta=meta)


def _video_settings(inputs: MachineInputs) -> VideoSettings:
    return VideoSettings(movements=[inputs.camera] if inputs.camera else [], aspect_ratio="9:16")


def _paid_jobs(ctx: AppContext, inputs: MachineInputs, prompts: list[PromptOutput], run_id: int | None,
               speech: Callable[[], PaidPlan]) -> list[NewJob]:
    """Images, then (optionally) a video per image chained on it, then the speech/lipsync jobs of `speech()`."""
    provider = ctx.media_provider_name
    images = plan_image_batch(ctx, prompts, concept=inputs.concept, references=inputs.image_references,
                              aspect_ratio="9:16", resolution="2K", output_format="jpeg",
                              source={"machine_run_id": run_id} if run_id is not None else {})
    jobs = [NewJob(_tagged(job.request, "images", run_id, inputs.concept), provider, job.prompt_index)
            for job in images.jobs]
    if inputs.videos:
        video = _video_settings(inputs)
        for index in range(len(images.jobs)):
            try:
                request = video_request(plan_ref(index), prompt=video.prompt, movements=video.movements,
                                        duration=video.duration, aspect_ratio=video.aspect_ratio, model=video.model,
                                        negative_prompt=video.negative_prompt, cfg_scale=video.cfg_scale,
                                        meta={"camera": video.to_dict(), "prompt_index": index})
            except RequestError as exc:
                raise InputError(str(exc)) from None
            jobs.append(NewJob(_tagged(request, "videos", run_id, inputs.concept), provider, index))
    offset = len(jobs)
    for job in speech().jobs:
        step = STEP_OF_KIND[job.request.kind]
        jobs.append(NewJob(_tagged(job.request, step, run_id, inputs.concept, offset), job.provider))
    return jobs


def _batch(inputs: MachineInputs, run_id: int | None) -> NewBatch:
    return NewBatch(MODULE, f"Machine · {inputs.concept[:50]}", inputs.concept,
                    {"run_id": run_id, **inputs.to_settings()})


# ---- the dry run ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedStep:
    name: str
    model: str  # the model id, or the text provider's name for a free step
    calls: int  # paid calls (0 for a free text step)
    estimate: float
    live_estimate: float = 0.0  # what the same calls cost at the live provider (a demo run stands in for it)

    def describe(self) -> dict[str, Any]:
        return {"step": self.name, "model": self.model, "paid_calls": self.calls, "estimate": self.estimate,
                "live_estimate": self.live_estimate}

    def cost_text(self, demo: bool) -> str:
        if not self.calls:
            return "free"
        calls = f"{self.calls} paid call{'' if self.calls == 1 else 's'}"
        if demo:
            return f"{calls}, $0.00 demo (${self.live_estimate:.2f} live)"
        return f"{calls}, about ${self.estimate:.2f}"


@dataclass(frozen=True)
class MachinePlan:
    """The dry run: each step's model, paid calls and estimate, and the door's plan of the paid work (priced
    with placeholder prompts and a script of the duration's target length; nothing is written)."""

    inputs: MachineInputs
    steps: tuple[PlannedStep, ...]
    paid: PaidPlan

    @property
    def estimate(self) -> float:
        return self.paid.estimate

    @property
    def refusal(self) -> str | None:
        return self.paid.refusal

    def lines(self) -> list[str]:
        head = [f"The Machine · {self.inputs.concept}"]
        head += [f"  {n}. {s.name:<8} {s.model}  ({s.cost_text(self.paid.demo)})" for n, s in enumerate(self.steps, 1)]
        return head + self.paid.lines()

    def describe(self) -> dict[str, Any]:
        return {"concept": self.inputs.concept, "inputs": self.inputs.to_settings(),
                "steps": [s.describe() for s in self.steps], "paid_calls": self.paid.count,
                "estimate": self.paid.estimate, "refusal": self.paid.refusal}


def _placeholder_script(inputs: MachineInputs) -> str:
    return " ".join([PLACEHOLDER_WORD] * rules.target_words(inputs.duration))


def plan_machine(ctx: AppContext, inputs: MachineInputs) -> MachinePlan:
    """Price the whole run before anything is written: the images/videos from placeholder prompts (as
    `pixflow images generate --concept` does), speech and lipsync from the duration's target word count."""
    inputs = check_inputs(inputs)
    prompts = [PromptOutput(style=inputs.concept)] * inputs.count
    languages = list(inputs.languages) or ["EN"]
    text = _placeholder_script(inputs)

    def speech() -> PaidPlan:
        jobs: list[NewJob] = []
        for code in languages:
            part = plan_avatar_run(ctx, voice=inputs.voice, avatar=inputs.lipsync_avatar, text=text, languages=[code])
            jobs += [replace(j, request=_tagged(j.request, STEP_OF_KIND[j.request.kind], None, inputs.concept,
                                                len(jobs))) for j in part.jobs]
        return plan_work(ctx, jobs, batch=_batch(inputs, None))

    jobs = _paid_jobs(ctx, inputs, prompts, None, speech)
    paid = plan_work(ctx, jobs, batch=_batch(inputs, None), action="machine run")
    steps: list[PlannedStep] = []
    for name in STEPS:
        if name in TEXT_STEPS:
            steps.append(PlannedStep(name, ctx.text.name, 0, 0.0))
            continue
        mine = [j for j in paid.jobs if j.request.meta.get("machine_step") == name]
        if mine:
            steps.append(PlannedStep(name, mine[0].request.model, len(mine), round(sum(j.cost for j in mine), 4),
                                     round(sum(live_cost(j.request) for j in mine), 4)))
    return MachinePlan(inputs, tuple(steps), paid)


# ---- running --------------------------------------------------------------------------------------------


def _run(ctx: AppContext, run_id: int) -> PipelineRunRecord:
    run = ctx.store.pipeline_runs.get(run_id)
    if run is None:
        raise InputError(f"there is no Machine run {run_id} (see `pixflow machine list`)")
    return run


def _note(ctx: AppContext, run_id: int, **artefacts: Any) -> dict[str, Any]:
    merged = {**_run(ctx, run_id).artefacts, **artefacts}
    ctx.store.pipeline_runs.update(run_id, artefacts=merged)
    return merged


def _text_steps(ctx: AppContext, run_id: int) -> None:
    """Prompts then the script (and its translations), each skipped when its output is recorded already."""
    run = _run(ctx, run_id)
    inputs = MachineInputs.from_settings(run.settings)
    artefacts = run.artefacts
    step = "prompts"
    try:
        if not artefacts.get("history_id"):
            ctx.store.pipeline_runs.update(run_id, step=step, status="running", failed_step=None, error=None)
            written = asyncio.run(generate_prompts(ctx, inputs.concept, inputs.count))
            if not written.prompts:
                raise PromptGenerationError("the text provider wrote no prompts")
            artefacts = _note(ctx, run_id, history_id=written.history_id, prompt_count=len(written.prompts))
        step = "script"
        ctx.store.pipeline_runs.update(run_id, step=step, status="running", failed_step=None, error=None)
        script_id = artefacts.get("script_id")
        if not script_id:
            view = asyncio.run(generate_script(ctx, inputs.concept, inputs.duration, inputs.tone,
                                               app_name=inputs.app))
            script_id = view.id
            artefacts = _note(ctx, run_id, script_id=script_id)
        view = script_view(ctx, script_id)
        languages = list(inputs.languages) or [view.language or "EN"]
        missing = [code for code in languages if code != view.language and code not in view.translations]
        if missing:
            asyncio.run(translate_script(ctx, script_id, missing))
        _note(ctx, run_id, languages=languages)
    except (PromptGenerationError, ScriptProviderError, InputError) as exc:
        ctx.store.pipeline_runs.update(run_id, status="failed", failed_step=step, error=str(exc))
        raise type(exc)(f"run {run_id} stopped at its {step} step: {exc}; `pixflow machine resume {run_id}` "
                        "redoes the step (it is free)") from exc


def _existing_batch(ctx: AppContext, run: PipelineRunRecord) -> int | None:
    """The run's paid batch: recorded in the artefacts, or (after a kill between the commit and that note)
    found by the run id the batch carries in its settings."""
    recorded = run.artefacts.get("batch_id")
    if recorded:
        return int(recorded)
    for batch in ctx.store.batches.list(module=MODULE, limit=500):
        if batch.settings.get("run_id") == run.id:
            _note(ctx, run.id, batch_id=batch.id, jobs=_jobs_by_step(ctx, batch.id))
            return batch.id
    return None


def _jobs_by_step(ctx: AppContext, batch_id: int) -> dict[str, list[int]]:
    steps: dict[str, list[int]] = {}
    for job in ctx.store.jobs.list(batch_id=batch_id):
        steps.setdefault(STEP_OF_KIND[job.kind], []).append(job.id)
    return steps


def plan_paid_steps(ctx: AppContext, run_id: int) -> PaidPlan:
    """The door's plan of the run's paid work from its recorded prompts and script (nothing written)."""
    run = _run(ctx, run_id)
    inputs = MachineInputs.from_settings(run.settings)
    history = ctx.store.history.get(run.artefacts["history_id"])
    if history is None:
        raise InputError(f"run {run_id}'s prompts (history entry {run.artefacts['history_id']}) are gone")
    prompts = [PromptOutput.model_validate(p) for p in history.prompts]
    script_id = run.artefacts["script_id"]
    languages = run.artefacts.get("languages") or None

    def speech() -> PaidPlan:
        return plan_avatar_run(ctx, voice=inputs.voice, avatar=inputs.lipsync_avatar, script_id=script_id,
                               languages=languages)

    jobs = _paid_jobs(ctx, inputs, prompts, run_id, speech)
    return plan_work(ctx, jobs, batch=_batch(inputs, run_id), action="machine run")


def _pay(ctx: AppContext, run_id: int, confirm: Confirm) -> int | None:
    """Plan the paid steps, ask `confirm`, commit them as one batch; None when the caller said no."""
    plan = plan_paid_steps(ctx, run_id)
    ctx.store.pipeline_runs.update(run_id, step="images", status="confirming")
    if not confirm(plan):
        ctx.store.pipeline_runs.update(run_id, status="stopped", error=STOPPED_BEFORE_PAYING)
        return None
    try:
        done = commit(ctx, plan)
    except InputError as exc:  # BudgetExceeded: another process spent meanwhile; nothing was written
        ctx.store.pipeline_runs.update(run_id, status="stopped", error=f"{STOPPED_BEFORE_PAYING}: {exc}")
        raise
    assert done.batch_id is not None
    steps: dict[str, list[int]] = {}
    for job, job_id in zip(plan.jobs, done.job_ids, strict=True):
        steps.setdefault(str(job.request.meta["machine_step"]), []).append(job_id)
    _note(ctx, run_id, batch_id=done.batch_id, jobs=steps, estimate=plan.estimate)
    ctx.store.pipeline_runs.update(run_id, step="images", status="running", error=None, failed_step=None)
    return done.batch_id


def start_machine(ctx: AppContext, inputs: MachineInputs, confirm: Confirm) -> int:
    """Write the run, run its free text steps, then (when `confirm` accepts the real plan) commit every paid job
    as one batch. Returns the run id; the jobs are then driven by the engine (`drive_machine` in the CLI).
    Raises InputError (bad inputs; the green-box check), PromptGenerationError / ScriptProviderError (a text
    step failed: the run is marked failed there and `resume_machine` redoes it) or BudgetExceeded."""
    inputs = check_inputs(inputs)
    run = ctx.store.pipeline_runs.create(concept=inputs.concept, settings=inputs.to_settings(), step="prompts",
                                         status="running")
    _text_steps(ctx, run.id)
    _pay(ctx, run.id, confirm)
    return run.id


def drive_machine(ctx: AppContext, run_id: int) -> EngineSummary | None:
    """Drive the run's jobs (and wait for those another live process drives) until every one has ended."""
    from pixflow_tui.workflows.cli_support import drive_until_done
    from pixflow_tui.workflows.machine.status import run_status  # status reads what runs writes

    batch_id = _existing_batch(ctx, _run(ctx, run_id))
    if batch_id is None:
        return None
    summary = asyncio.run(drive_until_done(ctx, batch_ids=[batch_id]))
    run_status(ctx, run_id)  # brings the row up to date
    return summary


def resume_machine(ctx: AppContext, run_id: int, confirm: Confirm | None = None, *,
                   drive: bool = True) -> EngineSummary | None:
    """Pick a run up after a quit or a kill: a text step it died in is redone (free); with no paid batch yet the
    paid plan goes to `confirm` (None: refused with an InputError saying confirmation is needed); an existing
    batch is never planned again — its jobs resume by request id (unknown ones are asked about first)."""
    run = _run(ctx, run_id)
    batch_id = _existing_batch(ctx, run)
    if batch_id is None:
        _text_steps(ctx, run_id)
        if confirm is None:
            raise InputError(f"run {run_id} has not paid for its media yet; confirm the plan to go on")
        batch_id = _pay(ctx, run_id, confirm)
        if batch_id is None:
            return None
    else:
        unknown = [j.id for j in ctx.store.jobs.list(batch_id=batch_id, statuses=[JobState.UNKNOWN])]
        if unknown:
            from pixflow_tui.workflows.reconcile import reconcile_unknown

            reconcile_unknown(ctx, unknown)  # free: follows what the provider already has
        ctx.store.pipeline_runs.update(run_id, status="running", error=None)
    return drive_machine(ctx, run_id) if drive else None
