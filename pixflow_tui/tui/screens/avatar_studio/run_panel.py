"""The run panel: voice, languages and avatar → one run through the door (per language speech, then a lipsync),
a live per-language table, retry of a failed language, reaction videos of the avatar, and the highlighted
deliverable's poster frame, length and size with open (`o`) and copy-path (`y`). Owns its keys; the screen tells it
what the user chose (`set_inputs`) and forwards job events (`note_job_event`); it posts `Started` up."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from pixflow_tui.core import catalog
from pixflow_tui.core.avatars import REACTIONS
from pixflow_tui.core.jobs import JobEvent, JobState
from pixflow_tui.tui import action_keys
from pixflow_tui.tui.clipboard import copy_text
from pixflow_tui.tui.paid import redo, spend
from pixflow_tui.tui.screens.avatar_studio.media import MediaFacts, media_facts
from pixflow_tui.tui.screens.avatar_studio.voice_sample import play_voice_sample
from pixflow_tui.tui.screens.dialogs import ChoiceDialog
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows import avatar_runs as runs
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.paid_work import Committed, PaidPlan

MODULE = "avatar_studio"
REFRESH_DELAY = 0.15  # seconds after a job event before the table reads again (events come in floods)
POLL_EVERY = 2.0  # seconds; while a row is unfinished (another process may drive the jobs)
STATE_MARK = {"queued": "· queued", "generating": "◐ generating", "done": "✓ done", "failed": "✗ failed"}
JOB_MARK = {JobState.DONE: "✓ done", JobState.FAILED: "✗ failed", JobState.CANCELLED: "✗ cancelled",
            JobState.UNKNOWN: "? unknown", JobState.PENDING: "· waiting"}
NO_RUN = "No run yet. v: voice · a: with/without the avatar · r: start the run · e: a reaction video."


@dataclass(frozen=True)
class RunInputs:
    """What the rest of the screen chose: the avatar, an audio file, the script and its ticked languages."""

    avatar: Path | None = None
    audio: Path | None = None
    script_id: int | None = None
    script_language: str = ""
    ticked: tuple[str, ...] = ()

    @property
    def languages(self) -> list[str]:
        """The ticked languages, or the script's own."""
        return list(self.ticked) or ([self.script_language] if self.script_language else [])


@dataclass(frozen=True)
class RunRow:
    """One row of the table: a language of the run, or a reaction video (key "reaction:<job id>")."""

    key: str
    label: str
    speech: str
    video: str
    state: str
    deliverable: str | None
    error: str
    language: str = ""  # set for a language of the run
    job_id: int | None = None  # set for a reaction


def job_mark(status: JobState | None) -> str:
    if status is None:
        return "—"
    return JOB_MARK.get(status, f"◐ {status.value if hasattr(status, 'value') else status}")


def language_row(run: runs.LanguageRun) -> RunRow:
    label = f"{run.language} {catalog.LANGUAGES.get(run.language, 'own audio')}"
    return RunRow(f"lang:{run.language}", label, job_mark(run.speech.status if run.speech else None),
                  job_mark(run.lipsync.status if run.lipsync else None), run.state, run.deliverable, run.error,
                  language=run.language)


def reaction_row(context: AppContext, batch_id: int) -> RunRow | None:
    jobs = context.store.jobs.list(batch_id=batch_id)
    if not jobs:
        return None
    job = max(jobs, key=lambda j: j.id)
    name = str(job.request.get("meta", {}).get("reaction") or "reaction")
    state = runs.LanguageRun("", None, job).state
    return RunRow(f"reaction:{batch_id}", f"☺ {name}", "—", job_mark(job.status), state,
                  job.output_path if job.status == JobState.DONE else None, job.error or "", job_id=job.id)


def latest_run(context: AppContext) -> int | None:
    """The newest talking-avatar run (a batch whose settings name a voice; reactions have none)."""
    for batch in context.store.batches.list(module=MODULE, limit=50):
        if "voice" in batch.settings:
            return batch.id
    return None


class RunTable(DataTable[str]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="avatar-run-down"),
        Binding("k", "cursor_up", "Up", show=False, id="avatar-run-up"),
    ]


class RunPanel(Vertical):
    """Keys: v voice, p hear it, a with/without the avatar, s script or audio, r start, R retry the language, e reaction,
    o open, y copy the path."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r,ctrl+g", "start", "Start run", id="avatar-run-start"),
        Binding("v", "voice", "Voice", id="avatar-run-voice"),
        Binding("p", "hear_voice", "Hear the voice", show=False, id="avatar-run-hear-voice"),
        Binding("a", "toggle_avatar", "With/without avatar", show=False, id="avatar-run-audio-only"),
        Binding("s", "toggle_source", "Script or audio", show=False, id="avatar-run-source"),
        Binding("R", "retry", "Retry language", id="avatar-run-retry"),
        Binding("e", "reaction", "Reaction video", id="avatar-run-reaction"),
        Binding("o", "open", "Open", id=action_keys.OPEN),
        Binding("y", "copy", "Copy path", id=action_keys.COPY_PROMPT),
    ]

    class Started(Message):
        """A run (or a reaction video) was committed: its batch."""

        def __init__(self, batch_id: int, what: str) -> None:
            super().__init__()
            self.batch_id, self.what = batch_id, what

    class _Changed(Message, bubble=False):
        pass

    class _Rows(Message, bubble=False):
        def __init__(self, batch_id: int | None, rows: list[RunRow], voice: str | None) -> None:
            super().__init__()
            self.batch_id, self.rows, self.voice = batch_id, rows, voice

    class _Facts(Message, bubble=False):
        def __init__(self, key: str, facts: MediaFacts) -> None:
            super().__init__()
            self.key, self.facts = key, facts

    def __init__(self, context: AppContext, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.inputs = RunInputs()
        self.voice = catalog.VOICES[0].name
        self.without_avatar = False
        self.use_script = False  # with both an audio file and a script: the audio, unless the user says otherwise
        self.batch_id: int | None = None
        self.reactions: list[int] = []  # reaction batches made in this session
        self.rows: dict[str, RunRow] = {}
        self.facts: dict[str, MediaFacts] = {}
        self.loaded = False
        self._refresh_timer: Any = None

    def compose(self) -> ComposeResult:
        yield Static("", id="run-choice", markup=False)
        with Horizontal(id="run-body"):
            yield RunTable(id="run-table", cursor_type="row", zebra_stripes=False)
            with Vertical(id="run-side"):
                settings = self.context.settings
                yield ImagePreview(renderer=settings.image_renderer, cache_dir=settings.thumbnails_dir,
                                   id="run-poster")
                yield Static(NO_RUN, id="run-facts", markup=False)
        yield Static("", id="run-status", markup=False)

    def on_mount(self) -> None:
        self.border_title = "Run"
        table = self.table
        for key, label in (("language", "Language"), ("speech", "Speech"), ("video", "Lipsync"),
                           ("file", "Deliverable")):
            table.add_column(label, key=key)
        self.query_one("#run-status").display = False
        self.query_one("#run-poster").display = False
        self.show_choice()
        self.set_interval(POLL_EVERY, self._poll)
        context = self.context

        def work() -> None:
            batch_id = latest_run(context)
            voice = None
            if batch_id is not None:
                batch = context.store.batches.get(batch_id)
                voice = batch.settings.get("voice") if batch is not None else None
            self.post_message(self._Rows(batch_id, self._read(batch_id, []), voice))

        # after the first frame: the screen shows before its loads compete with it
        self.call_after_refresh(start_thread, self, work, name="Loading the last avatar run",
                                group="avatar-run-load")

    @property
    def table(self) -> RunTable:
        return self.query_one(RunTable)

    def say(self, text: str, kind: str = "info") -> None:
        status = self.query_one("#run-status", Static)
        status.update(text)
        status.display = bool(text)
        for name in ("info", "ok", "busy", "warning", "error"):
            status.set_class(name == kind, f"-{name}")

    # -- what the run will use ---------------------------------------------------------------------------

    def set_inputs(self, **changes: Any) -> None:
        self.inputs = replace(self.inputs, **changes)
        self.show_choice()

    @property
    def avatar(self) -> Path | None:
        return None if self.without_avatar else self.inputs.avatar

    @property
    def from_audio(self) -> bool:
        return self.inputs.audio is not None and not (self.use_script and self.inputs.script_id is not None)

    def show_choice(self) -> None:
        voice = next((v for v in catalog.VOICES if v.name == self.voice), catalog.VOICES[0])
        avatar = f"avatar {self.avatar.name}" if self.avatar else "no avatar → audio only"
        if self.from_audio and self.inputs.audio is not None:
            line = f"Own audio {self.inputs.audio.name} → lipsync with {avatar}"
        else:
            if self.inputs.script_id is None:
                source = "no script yet (write one, or a: an audio file, in the script panel)"
            else:
                languages = ", ".join(self.inputs.languages) or "its own language"
                source = f"{languages} from script #{self.inputs.script_id}"
            line = f"Voice {voice.name} ({voice.description}) · {source} · {avatar}"
        self.query_one("#run-choice", Static).update(line)

    def action_voice(self) -> None:
        def chosen(name: str | None) -> None:
            if name:
                self.voice = name
                self.show_choice()

        choices = [(v.name, f"{v.name:<8} {v.description}") for v in catalog.VOICES]
        self.app.push_screen(ChoiceDialog("Voice", choices, selected=self.voice), chosen)

    def action_hear_voice(self) -> None:
        play_voice_sample(self, self.context, self.voice)

    def action_toggle_avatar(self) -> None:
        self.without_avatar = not self.without_avatar
        self.show_choice()

    def action_toggle_source(self) -> None:
        self.use_script = not self.use_script
        self.show_choice()

    # -- paid steps (all through the door) ---------------------------------------------------------------

    def _plan_run(self) -> PaidPlan:
        context, inputs, avatar = self.context, self.inputs, self.avatar
        if self.from_audio:
            return runs.plan_avatar_run(context, avatar=avatar, audio=inputs.audio)
        if inputs.script_id is None:
            from pixflow_tui.workflows.inputs import InputError

            raise InputError("there is no script yet: write or generate one (or use an audio file)")
        return runs.plan_avatar_run(context, voice=self.voice, avatar=avatar, script_id=inputs.script_id,
                                    languages=inputs.languages or None)

    def action_start(self) -> None:
        self.say("Pricing the run…", "busy")
        spend(self, self.context, self._plan_run, title="Start this avatar run?", yes="Start",
              on_done=self._started, on_refused=lambda message: self.say(message, "warning"))

    def _started(self, committed: Committed) -> None:
        if committed.batch_id is None:
            return
        self.batch_id = committed.batch_id
        self.rows.clear()
        self.table.clear()
        self.say(f"Run {committed.batch_id} started: the table follows it.", "ok")
        self.post_message(self.Started(committed.batch_id, "run"))
        self.refresh_rows()
        self.table.focus()

    def action_retry(self) -> None:
        row = self.current
        if row is None:
            return
        if row.state != "failed":
            self.say(f"{row.label} is {row.state}: only a failed row is retried.", "warning")
            return
        if row.job_id is not None:
            redo(self, self.context, row.job_id, on_done=lambda _: self.refresh_rows())
            return
        context, batch_id, language = self.context, self.batch_id, row.language
        assert batch_id is not None
        spend(self, context, lambda: runs.plan_retry_language(context, batch_id, language),
              title=f"Retry {row.label}?", yes="Retry", on_done=lambda _: self._retried(row),
              on_refused=lambda message: self.say(message, "warning"))

    def _retried(self, row: RunRow) -> None:
        self.say(f"{row.label} goes round again.", "ok")
        self.refresh_rows()

    def action_reaction(self) -> None:
        avatar = self.inputs.avatar
        if avatar is None:
            self.say("Choose an avatar first ([ then enter): a reaction video moves its face.", "warning")
            return

        def chosen(reaction: str | None) -> None:
            if not reaction:
                return
            context = self.context
            spend(self, context, lambda: runs.plan_reaction(context, avatar, reaction),
                  title=f"Make a “{reaction}” reaction video?", yes="Make it",
                  on_done=lambda committed: self._reaction_started(committed, reaction),
                  on_refused=lambda message: self.say(message, "warning"))

        choices = [(name, f"{name:<13} {prompt[:60]}…") for name, prompt in REACTIONS.items()]
        self.app.push_screen(ChoiceDialog(f"Reaction video of {avatar.name}", choices), chosen)

    def _reaction_started(self, committed: Committed, reaction: str) -> None:
        if committed.batch_id is None:
            return
        self.reactions.append(committed.batch_id)
        self.say(f"Making the “{reaction}” reaction video: it joins the table.", "ok")
        self.post_message(self.Started(committed.batch_id, "reaction"))
        self.refresh_rows()

    # -- the table ---------------------------------------------------------------------------------------

    def note_job_event(self, event: JobEvent) -> None:
        """On the engine's thread: a job of this module moved."""
        if event.batch_id is not None and (event.batch_id == self.batch_id or event.batch_id in self.reactions):
            self.post_message(self._Changed())

    def on_run_panel__changed(self, _: _Changed) -> None:
        if self._refresh_timer is None:
            self._refresh_timer = self.set_timer(REFRESH_DELAY, self.refresh_rows)

    def _poll(self) -> None:
        if any(row.state in ("queued", "generating") for row in self.rows.values()):
            self.refresh_rows()

    def _read(self, batch_id: int | None, reactions: list[int]) -> list[RunRow]:
        """Blocking: the run's languages and the reactions (in a thread)."""
        rows = [language_row(run) for run in runs.run_languages(self.context, batch_id)] if batch_id else []
        found = (reaction_row(self.context, reaction) for reaction in reactions)
        return rows + [row for row in found if row is not None]

    def refresh_rows(self) -> None:
        self._refresh_timer = None
        batch_id, reactions = self.batch_id, list(self.reactions)

        def work() -> None:
            self.post_message(self._Rows(batch_id, self._read(batch_id, reactions), None))

        start_thread(self, work, name="Reading the avatar run", group="avatar-run-rows")

    def on_run_panel__rows(self, message: _Rows) -> None:
        first = not self.loaded
        self.loaded = True
        if first and message.voice:
            self.voice = message.voice
            self.show_choice()
        if first and self.batch_id is None:
            self.batch_id = message.batch_id  # the last run, unless one was started before it was read
        if message.batch_id != self.batch_id:
            return  # a newer run started meanwhile
        table = self.table
        for row in message.rows:
            cells = (row.label, row.speech, row.video, Path(row.deliverable).name if row.deliverable else
                     (f"✗ {row.error[:40]}" if row.error else ""))
            if row.key in self.rows:
                for column, value in zip(("language", "speech", "video", "file"), cells, strict=True):
                    table.update_cell(row.key, column, value)
            else:
                table.add_row(*cells, key=row.key)
            self.rows[row.key] = row
        self.show_current()

    # -- the highlighted row -----------------------------------------------------------------------------

    @property
    def current(self) -> RunRow | None:
        table = self.table
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        message.stop()
        self.show_current()

    def show_current(self) -> None:
        row, text = self.current, self.query_one("#run-facts", Static)
        poster = self.query_one("#run-poster", ImagePreview)
        if row is None:
            text.update(NO_RUN)
            poster.display = False
            return
        if row.deliverable is None:
            poster.display = False
            detail = f"\n{row.error}\nR retries it." if row.state == "failed" else ""
            text.update(f"{row.label}: {row.state}{detail}")
            return
        facts = self.facts.get(row.deliverable)
        if facts is None:
            text.update(f"{row.label}: reading {Path(row.deliverable).name}…")
            path, cache = row.deliverable, self.context.settings.thumbnails_dir

            def work() -> None:
                self.post_message(self._Facts(path, media_facts(path, cache)))

            start_thread(self, work, name="Reading a deliverable", group="avatar-run-facts")
            return
        poster.display = facts.poster is not None
        if facts.poster is not None and poster.path != facts.poster:
            poster.show(facts.poster)
        text.update(f"{row.label}\n{facts.line()}\n{facts.path}\no: play · y: copy the path")

    def on_run_panel__facts(self, message: _Facts) -> None:
        self.facts[message.key] = message.facts
        row = self.current
        if row is not None and row.deliverable == message.key:
            self.show_current()

    def action_open(self) -> None:
        row = self.current
        if row is None or row.deliverable is None:
            self.say("Nothing to open yet: the highlighted row has no finished file.", "warning")
            return
        from pixflow_tui.workflows.asset_monster import ViewerLauncher

        problem = ViewerLauncher().open(row.deliverable)
        self.notify(problem or f"Opened {Path(row.deliverable).name}.",
                    severity="warning" if problem else "information")

    def action_copy(self) -> None:
        row = self.current
        if row is None or row.deliverable is None:
            self.say("Nothing to copy yet: the highlighted row has no finished file.", "warning")
            return
        copy_text(self, row.deliverable, f"The path {row.deliverable}")
