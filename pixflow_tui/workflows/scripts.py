"""Avatar Studio's scripts: write, generate, refine, translate; every change is a new version, and undo/redo move
the script's current version along them (kept in the database, so they survive a restart)."""
from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from pixflow_tui.core import catalog
from pixflow_tui.core import scripts as rules
from pixflow_tui.core.transcripts import Transcript
from pixflow_tui.providers.base import ProviderError
from pixflow_tui.store.records import ScriptRecord, ScriptVersionRecord
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError

T = TypeVar("T")
REFINES = ("improve", "shorter", "longer", "duration")
TRANSLATED = "translated"


class ScriptProviderError(RuntimeError):
    """The text provider could not write, refine or translate the script; the message carries its words."""


@dataclass(frozen=True)
class ScriptView:
    """A script as the front ends show it: its current version, length against its target, where undo/redo go,
    and the current version's translations (language code -> version)."""

    id: int
    title: str
    version: ScriptVersionRecord
    fit: rules.ScriptFit
    duration: float | None
    can_undo: bool
    can_redo: bool
    translations: dict[str, ScriptVersionRecord]

    @property
    def text(self) -> str:
        return self.version.text

    @property
    def language(self) -> str:
        return self.version.language

    def describe(self) -> dict[str, Any]:
        return {"script_id": self.id, "title": self.title, "version_id": self.version.id, "text": self.text,
                "action": self.version.action, "language": self.language, "words": self.fit.words,
                "seconds": self.fit.seconds, "duration": self.duration, "target_words": self.fit.target,
                "warning": self.fit.warning, "can_undo": self.can_undo, "can_redo": self.can_redo,
                "translations": {code: v.text for code, v in self.translations.items()}}


# ---- checks ---------------------------------------------------------------------------------------------


def check_duration(duration: float) -> int:
    low, high = catalog.SCRIPT_DURATION_RANGE
    if not isinstance(duration, (int, float)) or not low <= duration <= high:
        raise InputError(f"the duration must be {low}–{high} seconds, not {duration}")
    return round(duration)


def check_tone(tone: str) -> str:
    if tone not in catalog.TONES:
        raise InputError(f"tone {tone!r} is not offered; choose one of {', '.join(catalog.TONES)}")
    return tone


def check_languages(codes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
    if not wanted:
        raise InputError("choose at least one language")
    unknown = [code for code in wanted if code not in catalog.LANGUAGES]
    if unknown:
        raise InputError(f"language {', '.join(unknown)} is not offered; choose from {', '.join(catalog.LANGUAGES)}")
    if len(wanted) > rules.MAX_LANGUAGES:
        raise InputError(f"{len(wanted)} languages chosen; at most {rules.MAX_LANGUAGES}")
    return wanted


def check_text(text: str, what: str = "the script") -> str:
    text = text.strip()
    if not text:
        raise InputError(f"{what} is empty")
    if len(text) > rules.MAX_SCRIPT_CHARS:
        raise InputError(f"{what} has {len(text)} characters; at most {rules.MAX_SCRIPT_CHARS}")
    return text


# ---- reading --------------------------------------------------------------------------------------------


def _view(ctx: AppContext, script: ScriptRecord) -> ScriptView:
    version = script.current
    if version is None:
        raise InputError(f"script {script.id} has no text")
    repo = ctx.store.scripts
    duration = version.settings.get("duration")
    translations = {v.language: v for v in repo.versions(script.id)
                    if v.parent_id == version.id and v.action == TRANSLATED}
    return ScriptView(script.id, script.title, version, rules.fit(version.text, duration), duration,
                      can_undo=version.parent_id is not None and version.action != TRANSLATED,
                      can_redo=repo.newest_child(version.id, exclude_action=TRANSLATED) is not None,
                      translations=translations)


def script_view(ctx: AppContext, script_id: int) -> ScriptView:
    script = ctx.store.scripts.get(script_id)
    if script is None:
        raise InputError(f"there is no script {script_id} (see `pixflow scripts list`)")
    return _view(ctx, script)


def list_scripts(ctx: AppContext, limit: int = 50) -> list[ScriptView]:
    return [_view(ctx, s) for s in ctx.store.scripts.list(limit) if s.current is not None]


def versions(ctx: AppContext, script_id: int) -> list[ScriptVersionRecord]:
    script_view(ctx, script_id)  # the user's script, or a clear error
    return ctx.store.scripts.versions(script_id)


# ---- writing --------------------------------------------------------------------------------------------


async def _detect(ctx: AppContext, text: str) -> str:
    try:
        return await ctx.text.detect_language(text)
    except ProviderError:
        return rules.guess_language(text)  # a label only: never worth failing the user's action for


async def _provider(call: Awaitable[T]) -> T:
    try:
        return await call
    except ProviderError as exc:
        raise ScriptProviderError(exc.message) from exc


def _title(text: str) -> str:
    words = text.split()
    return " ".join(words[:8]) + ("…" if len(words) > 8 else "")


async def new_script(ctx: AppContext, text: str, *, action: str = "typed", title: str = "",
                     settings: dict[str, Any] | None = None) -> ScriptView:
    """A script from the user's own text (typed, pasted, from $EDITOR) or a transcript; its language is labelled."""
    text = check_text(text)
    language = await _detect(ctx, text)
    record = ctx.store.scripts.create(title=title or _title(text), text=text, action=action, language=language,
                                      settings=settings)
    return _view(ctx, record)


async def generate_script(ctx: AppContext, concept: str, duration: float, tone: str = catalog.DEFAULT_TONE, *,
                          app_name: str = "", examples: tuple[str, ...] = ()) -> ScriptView:
    concept = concept.strip()
    if not concept:
        raise InputError("the concept is empty; say what the video is about")
    if len(concept) > rules.MAX_CONCEPT_CHARS:
        raise InputError(f"the concept has {len(concept)} characters; at most {rules.MAX_CONCEPT_CHARS}")
    seconds, tone = check_duration(duration), check_tone(tone)
    if len(app_name) > rules.MAX_APP_NAME_CHARS:
        raise InputError(f"the app name has {len(app_name)} characters; at most {rules.MAX_APP_NAME_CHARS}")
    examples = tuple(e.strip() for e in examples if e.strip())
    if len(examples) > rules.MAX_EXAMPLES:
        raise InputError(f"{len(examples)} example scripts given; at most {rules.MAX_EXAMPLES}")
    script = await _provider(ctx.text.write_script(concept, seconds, tone, app_name, examples))
    settings = {"concept": concept, "duration": seconds, "tone": tone, "app_name": app_name,
                "examples": len(examples), "provider": ctx.text.name}
    record = ctx.store.scripts.create(title=_title(concept), text=script.text, action="generated",
                                      language=await _detect(ctx, script.text), settings=settings)
    return _view(ctx, record)


async def refine_script(ctx: AppContext, script_id: int, how: str, *, feedback: str = "",
                        duration: float | None = None) -> ScriptView:
    """improve (with optional feedback), shorter (−20 %), longer (+20 %), or duration (to `duration` seconds)."""
    view = script_view(ctx, script_id)
    if how not in REFINES:
        raise InputError(f"{how!r} is not a refinement; choose one of {', '.join(REFINES)}")
    if len(feedback) > rules.MAX_FEEDBACK_CHARS:
        raise InputError(f"the feedback has {len(feedback)} characters; at most {rules.MAX_FEEDBACK_CHARS}")
    if how == "duration":
        if duration is None:
            raise InputError("say the duration to fit (5–120 seconds)")
        target = check_duration(duration)
    elif how in ("shorter", "longer"):
        target = rules.resized_duration(view.fit.words, how)
    else:
        low, high = catalog.SCRIPT_DURATION_RANGE
        target = int(view.duration or min(high, max(low, round(view.fit.seconds))))
    note = {"shorter": "Make it about 20% shorter.", "longer": "Make it about 20% longer.",
            "duration": f"Fit it to {target} seconds."}.get(how, "")
    script = await _provider(ctx.text.refine_script(view.text, " ".join(p for p in (feedback.strip(), note) if p),
                                                    target))
    ctx.store.scripts.add_version(script_id, text=script.text, action="improved" if how == "improve" else how,
                                  parent_id=view.version.id, language=view.language,
                                  settings={"duration": target, "feedback": feedback.strip(),
                                            "provider": ctx.text.name})
    return script_view(ctx, script_id)


async def edit_script(ctx: AppContext, script_id: int, text: str) -> ScriptView:
    """The user's own change to the current version (a new version; undo goes back)."""
    view = script_view(ctx, script_id)
    text = check_text(text)
    if text == view.text:
        return view
    ctx.store.scripts.add_version(script_id, text=text, action="edited", parent_id=view.version.id,
                                  language=await _detect(ctx, text),
                                  settings={"duration": view.duration} if view.duration else {})
    return script_view(ctx, script_id)


def undo(ctx: AppContext, script_id: int) -> ScriptView:
    view = script_view(ctx, script_id)
    if not view.can_undo or view.version.parent_id is None:
        raise InputError("nothing to undo: this is the first version")
    ctx.store.scripts.set_current(script_id, view.version.parent_id)
    return script_view(ctx, script_id)


def redo(ctx: AppContext, script_id: int) -> ScriptView:
    view = script_view(ctx, script_id)
    child = ctx.store.scripts.newest_child(view.version.id, exclude_action=TRANSLATED)
    if child is None:
        raise InputError("nothing to redo")
    ctx.store.scripts.set_current(script_id, child.id)
    return script_view(ctx, script_id)


async def translate_script(ctx: AppContext, script_id: int, codes: list[str] | tuple[str, ...]) -> ScriptView:
    """Translations of the current version into each language (one call); each is a version pointing at it."""
    view = script_view(ctx, script_id)
    wanted = tuple(code for code in check_languages(codes) if code != view.language)
    if not wanted:
        return view
    names = tuple(catalog.LANGUAGES[code] for code in wanted)
    translated = await _provider(ctx.text.translate(view.text, names))
    for code, name in zip(wanted, names, strict=True):
        ctx.store.scripts.add_version(script_id, text=translated[name], action=TRANSLATED, parent_id=view.version.id,
                                      language=code, make_current=False,
                                      settings={"duration": view.duration, "from": view.language or None,
                                                "provider": ctx.text.name})
    return script_view(ctx, script_id)


async def transcribe_script(ctx: AppContext, source: str, *, title: str = "") -> tuple[ScriptView, Transcript]:
    """A new script from the speech in a local audio/video file or a URL (see workflows/transcription.py)."""
    from pixflow_tui.workflows.transcription import transcribe

    transcript = await _provider(transcribe(ctx, source))
    view = await new_script(ctx, transcript.text, action="transcribed", title=title,
                            settings={"source": transcript.source, "seconds": transcript.seconds,
                                      "demo": transcript.demo})
    return view, transcript
