"""Avatar Studio's runs: per language, speech from the script in that language, then a lipsync of the avatar
speaking it (or a lipsync of the user's own audio). The whole run is one plan through the one door: every paid
call is priced and confirmed at once; a lipsync waits for its speech (engine/dependencies.py)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pixflow_tui.core import catalog
from pixflow_tui.core import scripts as rules
from pixflow_tui.core.jobs import FINISHED_STATES, JobKind, JobState
from pixflow_tui.core.requests import RequestError, checked_request, lipsync_request, speech_request
from pixflow_tui.store.records import JobRecord
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError, check_image_file
from pixflow_tui.workflows.paid_work import NewBatch, NewJob, PaidPlan, plan_ref, plan_retry, plan_work
from pixflow_tui.workflows.scripts import check_languages, script_view

MODULE = "avatar_studio"
MAX_AUDIO_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class LanguageRun:
    """One language of a run: its speech and lipsync jobs (either may be absent) and what they made."""

    language: str
    speech: JobRecord | None
    lipsync: JobRecord | None

    @property
    def state(self) -> str:
        jobs = [j for j in (self.speech, self.lipsync) if j is not None]
        if any(j.status in (JobState.FAILED, JobState.CANCELLED, JobState.UNKNOWN) for j in jobs):
            return "failed"
        if all(j.status == JobState.DONE for j in jobs):
            return "done"
        return "queued" if all(j.status == JobState.PENDING for j in jobs) else "generating"

    @property
    def deliverable(self) -> str | None:
        """The video (or, without an avatar, the audio) this language produced."""
        last = self.lipsync or self.speech
        return last.output_path if last is not None and last.status == JobState.DONE else None

    @property
    def error(self) -> str:
        return next((j.error or "" for j in (self.speech, self.lipsync) if j is not None and j.error), "")


def check_voice(voice: str) -> str:
    names = [v.name for v in catalog.VOICES]
    if voice not in names:
        raise InputError(f"voice {voice!r} is not offered; choose one of {', '.join(names)}")
    return voice


def check_audio_file(path: str | Path) -> tuple[Path, float]:
    """An audio file the lipsync model takes: exists, ≤ 50 MB, really audio, within the model's length."""
    import av

    file = Path(path).expanduser()
    if not file.is_file():
        raise InputError(f"audio file {file} does not exist")
    if file.stat().st_size > MAX_AUDIO_BYTES:
        raise InputError(f"audio file {file.name} is {file.stat().st_size / 2**20:.1f} MB; at most 50 MB")
    try:
        with av.open(str(file)) as container:
            if not container.streams.audio:
                raise InputError(f"{file.name} has no sound to lipsync")
            seconds = float(container.duration or 0) / av.time_base
    except av.FFmpegError:
        raise InputError(f"{file.name} is not an audio file Pixflow can read") from None
    _check_length(seconds, file.name)
    return file.resolve(), seconds


def _check_length(seconds: float, what: str) -> None:
    if seconds > catalog.LIPSYNC_MAX_AUDIO_SECONDS:
        raise InputError(f"{what} is about {seconds:.0f} s; the lipsync model takes at most "
                         f"{catalog.LIPSYNC_MAX_AUDIO_SECONDS:.0f} s (shorten the script or the audio)")


def _speech_job_audio(ctx: AppContext, job_id: int) -> tuple[str, float, dict[str, Any]]:
    """A finished speech job's audio, as a `job:<id>` input (so the lipsync records where its audio came from)."""
    from pixflow_tui.engine.dependencies import job_ref

    job = ctx.store.jobs.get(job_id)
    if job is None:
        raise InputError(f"there is no job {job_id}")
    if job.kind != JobKind.SPEECH or job.status != JobState.DONE or not job.output_path:
        raise InputError(f"job {job_id} is a {job.kind} job that is {job.status}: only a finished speech job's "
                         "audio can be lipsynced")
    assets = ctx.store.assets.list(job_id=job_id, limit=1)
    seconds = (assets[0].duration if assets and assets[0].duration else None) or check_audio_file(job.output_path)[1]
    _check_length(seconds, f"the audio of job {job_id}")
    language = job.request.get("meta", {}).get("language")
    return job_ref(job_id), seconds, {"language": language} if language else {}


def _avatar(ctx: AppContext, avatar: str | Path | None) -> tuple[str | None, dict[str, Any]]:
    if avatar is None:
        return None, {}
    path = str(check_image_file(avatar, what="avatar image"))
    image = ctx.store.images.find_by_path(path)
    return path, ({"source_image_id": image.id} if image is not None else {})


def _texts(ctx: AppContext, script_id: int | None, text: str | None,
           languages: list[str] | None) -> tuple[dict[str, str], dict[str, Any]]:
    """language code -> the words to speak, and what they came from."""
    if script_id is not None:
        view = script_view(ctx, script_id)
        own = view.language or "EN"  # a script whose language was not detected is taken as English
        wanted = check_languages(languages) if languages else (own,)
        texts: dict[str, str] = {}
        for code in wanted:
            if code == own and code not in view.translations:
                texts[code] = view.text
            elif code in view.translations:
                texts[code] = view.translations[code].text
            else:
                raise InputError(f"the script has no {catalog.LANGUAGES[code]} version yet; translate it first")
        return texts, {"script_id": view.id, "script_version_id": view.version.id}
    words = (text or "").strip()
    if not words:
        raise InputError("there is nothing to say: give a script, a text or an audio file")
    if len(words) > rules.MAX_SCRIPT_CHARS:
        raise InputError(f"the text has {len(words)} characters; speech takes at most {rules.MAX_SCRIPT_CHARS}")
    chosen = check_languages(languages) if languages else ()
    if len(chosen) > 1:
        raise InputError("a text is spoken in one language; to speak it in several, save it as a script and "
                         "translate it")
    code = (chosen[0] if chosen else rules.guess_language(words)) or "EN"
    return {code: words}, {}


def _lipsync_job(ctx: AppContext, avatar: str, audio: str, meta: dict[str, Any]) -> NewJob:
    """A lipsync job for the provider lipsync goes to: Hedra Character-3 (live, with a Hedra key) or fal's model."""
    provider = ctx.provider_name_for(JobKind.LIPSYNC)
    request = lipsync_request(avatar, audio, meta=meta)
    if provider == "hedra":
        request = checked_request(JobKind.LIPSYNC, catalog.HEDRA_LIPSYNC_MODEL, {
            "ai_model_id": ctx.settings.hedra_model_id, "resolution": catalog.HEDRA_RESOLUTION,
            "aspect_ratio": catalog.HEDRA_ASPECT_RATIO, "text_prompt": ""}, request.files, request.meta)
    return NewJob(request, provider)


def plan_avatar_run(ctx: AppContext, *, voice: str | None = None, avatar: str | Path | None = None,
                    script_id: int | None = None, text: str | None = None, audio: str | Path | None = None,
                    audio_job: int | None = None, languages: list[str] | None = None) -> PaidPlan:
    """A talking-avatar run. With a script or text: per language a speech job, then (with an avatar) a lipsync of
    it. With the user's own audio, or a finished speech job's (`audio_job`): one lipsync. No avatar → the audio is
    the deliverable."""
    if sum(x is not None for x in (script_id, text, audio, audio_job)) != 1:
        raise InputError("give exactly one of a script, a text, an audio file or a speech job")
    avatar_path, lineage = _avatar(ctx, avatar)
    provider = ctx.media_provider_name
    meta: dict[str, Any] = {"module": MODULE, "concept": "talking avatar", "avatar": avatar_path, **lineage}
    jobs: list[NewJob] = []
    if audio is not None or audio_job is not None:
        if avatar_path is None:
            raise InputError("an audio needs an avatar to lipsync")
        if audio_job is not None:
            source, seconds, extra = _speech_job_audio(ctx, audio_job)
        else:
            file, seconds = check_audio_file(audio)  # type: ignore[arg-type]  # one of the two is given
            source, extra = str(file), {}
        jobs.append(_lipsync_job(ctx, avatar_path, source, {**meta, **extra, "audio_seconds": seconds}))
        name = f"Lipsync · {Path(source).name if audio is not None else f'speech job {audio_job}'}"
    else:
        voice = check_voice(voice or "")
        texts, origin = _texts(ctx, script_id, text, languages)
        for code, words in texts.items():
            seconds = rules.spoken_seconds(words)
            if avatar_path is not None:
                _check_length(seconds, f"the {catalog.LANGUAGES[code]} script")
            speech_meta = {**meta, **origin, "language": code, "voice": voice}
            try:
                jobs.append(NewJob(speech_request(words, voice, meta=speech_meta), provider))
            except RequestError as exc:
                raise InputError(str(exc)) from None
            if avatar_path is not None:
                jobs.append(_lipsync_job(ctx, avatar_path, plan_ref(len(jobs) - 1),
                                         {**speech_meta, "audio_seconds": seconds}))
        name = f"Avatar run · {voice} · {', '.join(texts)}"
    settings = {"avatar": avatar_path, "voice": voice, "languages": [j.request.meta.get("language") for j in jobs]}
    return plan_work(ctx, jobs, batch=NewBatch(MODULE, name, "talking avatar", settings), action="avatar run")


def run_languages(ctx: AppContext, batch_id: int) -> list[LanguageRun]:
    """The run's table: one row per language (a lipsync of the user's own audio is one row)."""
    rows: dict[str, dict[JobKind, JobRecord]] = {}
    for job in ctx.store.jobs.list(batch_id=batch_id):
        if job.kind in (JobKind.SPEECH, JobKind.LIPSYNC):
            code = str(job.request.get("meta", {}).get("language") or "-")
            current = rows.setdefault(code, {}).get(job.kind)
            if current is None or job.id > current.id:  # a regenerated job replaces its parent in the table
                rows[code][job.kind] = job
    return [LanguageRun(code, kinds.get(JobKind.SPEECH), kinds.get(JobKind.LIPSYNC)) for code, kinds in rows.items()]


def plan_retry_language(ctx: AppContext, batch_id: int, language: str) -> PaidPlan:
    """Send a language's failed steps round again; a finished speech is never paid again."""
    row = next((r for r in run_languages(ctx, batch_id) if r.language == language.upper() or r.language == language),
               None)
    if row is None:
        raise InputError(f"run {batch_id} has no language {language}")
    again = [j.id for j in (row.speech, row.lipsync)
             if j is not None and (j.status in FINISHED_STATES or j.status == JobState.UNKNOWN)
             and j.status != JobState.DONE]
    if not again:
        raise InputError(f"nothing to retry in {language}: it is {row.state}")
    return plan_retry(ctx, again)


def plan_reaction(ctx: AppContext, avatar: str | Path, reaction: str, *, duration: str = "5") -> PaidPlan:
    """A reaction video: the avatar's face moving into one emotion, through the image-to-video model."""
    from pixflow_tui.core.avatars import REACTION_SUFFIX, REACTIONS
    from pixflow_tui.core.requests import video_request

    if reaction not in REACTIONS:
        raise InputError(f"reaction {reaction!r} is not offered; choose one of {', '.join(REACTIONS)}")
    avatar_path, lineage = _avatar(ctx, avatar)
    assert avatar_path is not None
    try:
        request = video_request(avatar_path, prompt=f"{REACTIONS[reaction]}. {REACTION_SUFFIX}", duration=duration,
                                aspect_ratio="9:16", meta={"module": MODULE, "concept": f"reaction · {reaction}",
                                                           "reaction": reaction, "source_path": avatar_path,
                                                           **lineage})
    except RequestError as exc:
        raise InputError(str(exc)) from None
    return plan_work(ctx, [NewJob(request, ctx.media_provider_name)],
                     batch=NewBatch(MODULE, f"Reaction · {reaction} · {Path(avatar_path).name}", "reaction",
                                    {"reaction": reaction, "avatar": avatar_path}), action="reaction video")
