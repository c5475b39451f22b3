"""The ten voices, each with a short preview sample: made once through the one door (a speech job), then kept."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobState
from pixflow_tui.core.requests import speech_request
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.paid_work import NewBatch, NewJob, PaidPlan, plan_work

MODULE = "voices"
PREVIEW_TEXT = "Hi! This is how I sound. I can read your script in a clear, natural voice, in any of ten languages."


@dataclass(frozen=True)
class VoiceInfo:
    name: str
    description: str
    preview: str | None  # the sample's file, once made

    def describe(self) -> dict[str, str | None]:
        return {"name": self.name, "description": self.description, "preview": self.preview}


def _previews(ctx: AppContext) -> dict[str, str]:
    found: dict[str, str] = {}
    for batch in ctx.store.batches.list(module=MODULE, limit=200):
        for job in ctx.store.jobs.list(batch_id=batch.id, statuses=[JobState.DONE]):
            voice = job.request.get("meta", {}).get("voice")
            if voice and voice not in found and job.output_path and Path(job.output_path).is_file():
                found[voice] = job.output_path
    return found


def list_voices(ctx: AppContext) -> list[VoiceInfo]:
    previews = _previews(ctx)
    return [VoiceInfo(v.name, v.description, previews.get(v.name)) for v in catalog.VOICES]


def voice_info(ctx: AppContext, name: str) -> VoiceInfo:
    for voice in list_voices(ctx):
        if voice.name.lower() == name.strip().lower():
            return voice
    raise InputError(f"voice {name!r} is not offered; choose one of {', '.join(v.name for v in catalog.VOICES)}")


def plan_voice_preview(ctx: AppContext, name: str) -> PaidPlan | None:
    """The plan for a voice's sample, or None when it was made before (it is kept: never paid twice)."""
    voice = voice_info(ctx, name)
    if voice.preview is not None:
        return None
    request = speech_request(PREVIEW_TEXT, voice.name, meta={"module": MODULE, "voice": voice.name,
                                                              "concept": f"voice preview · {voice.name}"})
    return plan_work(ctx, [NewJob(request, ctx.media_provider_name)],
                     batch=NewBatch(MODULE, f"Voice preview · {voice.name}", "voice preview", {"voice": voice.name}),
                     action="voice preview")
