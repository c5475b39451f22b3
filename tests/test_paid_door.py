"""The one door for paid work (docs/architecture.md, "Paid work: one door").

1. Only workflows/paid_work.py calls the store's job-creating and re-queueing functions (an AST scan of the package).
2. Every paid path of the CLI and the TUI, driven as a user would:
   (a) asks before spending — the TUI shows one ConfirmDialog and "n" writes nothing; the CLI without a terminal
       exits 2 asking for --yes (and on a terminal, answering no writes nothing);
   (b) refuses over the budget cap — the TUI shows no dialog but a refusal naming the budget cap; the CLI exits 4
       with "budget cap" on stderr; nothing is written;
   (c) a demo run is never refused, even with a budget cap of $0.01 (demo work costs $0).
"""
from __future__ import annotations

import ast
import asyncio
import dataclasses
import io
import multiprocessing.resource_tracker
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from pixflow_tui.cli import main
from pixflow_tui.config import Settings, load_settings
from pixflow_tui.core.jobs import JobKind, JobState
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.store import Store
from tests.emulators.fixtures import FAL_TEST_KEY
from tests.tui.tui_helpers import wait_for, workers_done

PACKAGE = Path(__file__).resolve().parents[1] / "pixflow_tui"
DOOR = PACKAGE / "workflows" / "paid_work.py"
STORE = PACKAGE / "store"
TINY_CAP = 0.01
IMAGE_MODEL = "fal-ai/nano-banana-pro"


# ---- 1. only the door writes payable work -----------------------------------------------------------------


MODEL_WRITES = {"create", "insert", "insert_many", "insert_from", "bulk_create", "get_or_create", "replace",
                "replace_many"}
RAW_INSERT = re.compile(r'INSERT\s+(OR\s+\w+\s+)?INTO\s+["`]?(jobs|batches)\b', re.IGNORECASE)


def _owner_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def payable_references(tree: ast.AST) -> list[tuple[int, str]]:
    """Uses (calls, or references such as `make = store.jobs.create`) of what creates jobs or batches or sends a
    job round again: `<x>.jobs.create`, `<x>.batches.create` (also through a local named `jobs`/`batches`),
    `Job.create`/`Batch.create` and the peewee models' other row-making methods, any `<x>.requeue`, and SQL
    text inserting into jobs or batches."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = _owner_name(node.value)
            if (node.attr == "create" and owner in ("jobs", "batches")) or node.attr == "requeue" or (
                    node.attr in MODEL_WRITES and owner in ("Job", "Batch")):
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and RAW_INSERT.search(node.value):
            found.append((node.lineno, "SQL " + node.value[:60]))
    return sorted(found)


def test_only_the_door_creates_or_requeues_jobs() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 50, files  # the scan really walks the package
    offending, in_door = [], []
    for path in files:
        found = payable_references(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        if path == DOOR:
            in_door.extend(found)
        elif STORE not in path.parents:
            offending.extend(f"{path.relative_to(PACKAGE.parent)}:{line}: {what}" for line, what in found)
    assert not offending, ("only pixflow_tui/workflows/paid_work.py may create or re-queue jobs and batches "
                           "(pixflow_tui/store/ defines them):\n" + "\n".join(offending))
    kinds = {".".join(what.split(".")[-2:]) for _, what in in_door}
    # not vacuous: the door itself makes batches and jobs and re-queues them
    assert {"batches.create", "jobs.create", "jobs.requeue"} <= kinds, in_door


def test_the_scan_sees_every_form_it_forbids() -> None:
    source = """
store.jobs.create(kind="image")
ctx.store.batches.create(module="x")
self.jobs.requeue(1, "failed", "pending")
Job.create(user=1)
Batch.create(user=1)
jobs.create()
make = ctx.store.jobs.create
Job.insert_many([]).execute()
db.execute_sql('INSERT INTO "jobs" (status) VALUES (?)')
store.jobs.list()
store.images.create()
store.jobs.update(1, status="pending")
"""
    assert [line for line, _ in payable_references(ast.parse(source))] == [2, 3, 4, 5, 6, 7, 8, 9, 10]


# ---- 2. every paid path asks, is capped, and demo work is free ----------------------------------------------


@pytest.fixture(autouse=True, scope="module")
def resource_tracker_started() -> None:
    """Demo drawing runs in a spawn process pool, and the first spawn starts multiprocessing's resource tracker
    with sys.stderr's fd, which inside a Textual app is the print capture (-1): start it while stderr is real
    (as tests/tui/img2video/conftest.py does)."""
    multiprocessing.resource_tracker.ensure_running()


def snapshot(store: Store) -> tuple[list[Any], list[int]]:
    """Every job (whole record: state, lease, request id, attempts…) and every batch id."""
    return store.jobs.list(), sorted(b.id for b in store.batches.list())


def draw_photo(path: Path, colour: tuple[int, int, int] = (200, 60, 40)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (96, 160), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((24, 40, 72, 96), fill=(235, 220, 200))
    draw.rectangle((4, 4, 32, 20), fill=(20, 20, 20))
    image.save(path)
    return path


def image_request(prompt: str = "a red fox in fresh snow") -> dict[str, Any]:
    return {"kind": "image", "model": IMAGE_MODEL,
            "arguments": {"prompt": prompt, "aspect_ratio": "9:16", "resolution": "1K", "output_format": "png",
                          "num_images": 1},
            "files": {}, "meta": {"prompt": {"style": prompt}, "module": "asset_monster", "concept": "fox"}}


def seed_job(settings: Settings, status: JobState, provider: str, *, with_image: bool = False) -> int:
    """One finished Asset Monster job with a complete request (and, `with_image`, its PNG in the Library)."""
    store = Store.open(settings)
    try:
        batch = store.batches.create(module="asset_monster", name="fox", concept="fox",
                                     settings={"aspect_ratio": "9:16", "resolution": "1K"})
        job = store.jobs.create(kind=JobKind.IMAGE, provider=provider, model=IMAGE_MODEL, request=image_request(),
                                batch_id=batch.id, cost_estimate=0.15)
        if status == JobState.FAILED:
            store.jobs.update(job.id, status=status, error="the provider refused it (seeded)", attempts=1)
        else:
            store.jobs.update(job.id, status=status)
        if with_image:
            path = draw_photo(settings.home / "outputs" / "seed" / "fox.png")
            store.images.add(job_id=job.id, local_path=str(path), file_name=path.name, concept="fox",
                             prompt={"style": "a red fox in fresh snow"}, batch_id=batch.id, aspect_ratio="9:16",
                             model=IMAGE_MODEL, provider=provider, width=96, height=160)
        return job.id
    finally:
        store.close_thread_connection()


@dataclass
class Case:
    """What one parametrized run has to hand: the check, the mode and the per-test fixtures."""

    check: str  # "asks", "capped", "demo"
    live: bool
    settings: Settings
    tmp_path: Path
    monkeypatch: pytest.MonkeyPatch


# -- CLI paths: each seeds what it needs and gives its argv (without --yes) -----------------------------


def cli_images(case: Case) -> list[str]:
    prompts = case.tmp_path / "prompts.txt"
    prompts.write_text("a lighthouse in fog with gulls circling\n")
    return ["images", "generate", "--prompts-file", str(prompts), "--resolution", "1K"]


def cli_videos(case: Case) -> list[str]:
    return ["videos", "generate", str(draw_photo(case.tmp_path / "portrait.png")), "--duration", "5"]


def cli_transform(case: Case) -> list[str]:
    return ["images", "transform", str(draw_photo(case.tmp_path / "portrait.png")), "--prompt", "make it night"]


def cli_start_end(case: Case) -> list[str]:
    first, last = draw_photo(case.tmp_path / "first.png"), draw_photo(case.tmp_path / "last.png", (40, 60, 200))
    return ["videos", "generate", str(first), "--end-frame", str(last)]


def cli_retry(case: Case) -> list[str]:
    job_id = seed_job(case.settings, JobState.FAILED, "fal" if case.live else "demo")
    return ["jobs", "retry", str(job_id)]


# -- TUI paths: each seeds, opens its screen with the target selected, and presses the paid key ------------


class Tui:
    def __init__(self, pilot: Any, app: Any, case: Case) -> None:
        self.pilot, self.app, self.case = pilot, app, case


async def _open_asset_monster(t: Tui) -> Any:
    from pixflow_tui.tui.screens.asset_monster import AssetMonsterScreen

    pilot = t.pilot
    await pilot.pause()
    await pilot.press("2")
    screen = await wait_for(pilot, lambda: isinstance(t.app.screen, AssetMonsterScreen) and t.app.screen,
                            what="Asset Monster")
    await wait_for(pilot, lambda: screen._loaded, what="the first batch load")
    await pilot.pause()
    return screen


def am_seed(status: JobState) -> Callable[[Case], None]:
    def seed(case: Case) -> None:
        seed_job(case.settings, status, "fal" if case.live else "demo")
    return seed


async def am_run(t: Tui) -> None:
    t.app.context.handoff.send_prompts("animals", [PromptOutput(style="a red fox in fresh snow, golden hour")])
    screen = await _open_asset_monster(t)
    await wait_for(t.pilot, lambda: len(screen.setup_panel.items) == 1, what="the prompt in the set-up panel")


async def am_redo(t: Tui) -> None:
    screen = await _open_asset_monster(t)
    table = screen.table
    await wait_for(t.pilot, lambda: table.row_count == 1, what="the seeded job in the table")
    table.focus()
    table.move_cursor(row=0)
    await t.pilot.pause()
    assert table.selected_job_id is not None


def library_seed(case: Case) -> None:
    seed_job(case.settings, JobState.DONE, "fal" if case.live else "demo", with_image=True)


async def library_r(t: Tui) -> None:
    from pixflow_tui.tui.screens.library import LibraryScreen

    pilot = t.pilot
    await pilot.pause()
    await pilot.press("6")
    screen = await wait_for(pilot, lambda: isinstance(t.app.screen, LibraryScreen)
                            and t.app.screen.first_page_at is not None and t.app.screen, what="the Library")
    await workers_done(t.app)
    screen.show_tab("assets")
    tab = await wait_for(pilot, lambda: (found := screen.tab("assets")) is not None and found.loaded and found,
                         what="the assets tab")
    await workers_done(t.app)
    await pilot.pause()
    await wait_for(pilot, lambda: tab.current is not None and tab.current.kind == "image", what="the image row")


def am_seed_image(case: Case) -> None:
    seed_job(case.settings, JobState.DONE, "fal" if case.live else "demo", with_image=True)


async def transform_answer(t: Tui) -> None:
    from pixflow_tui.tui.screens.transform_dialog import TransformDialog

    dialog = await wait_for(t.pilot, lambda: isinstance(t.app.screen, TransformDialog) and t.app.screen,
                            what="the Img2Img dialog")
    dialog.query_one("#transform-prompt").value = "the same scene at night"
    await t.pilot.press("enter")


async def workers_settled(t: Tui) -> None:
    await workers_done(t.app)


async def palette_file_transform(t: Tui) -> None:
    """ctrl+p opened the palette: choose "Img2Img: an image file…", give a file, then answer the Img2Img dialog."""
    from textual.command import CommandPalette
    from textual.widgets import Input

    from pixflow_tui.tui.screens.dialogs import PathInputDialog

    palette = await wait_for(t.pilot, lambda: isinstance(t.app.screen, CommandPalette) and t.app.screen,
                             what="the command palette")
    await t.pilot.press(*"image file")
    await wait_for(t.pilot, lambda: "Img2Img: an image file" in str(
        palette.query_one("CommandList").get_option_at_index(0).prompt), what="the palette entry")
    await t.pilot.press("enter")
    dialog = await wait_for(t.pilot, lambda: isinstance(t.app.screen, PathInputDialog) and t.app.screen,
                            what="the path dialog")
    dialog.query_one(Input).value = str(draw_photo(t.case.tmp_path / "photos" / "street.png"))
    await t.pilot.press("enter")
    await transform_answer(t)


async def img2video_start_end(t: Tui) -> None:
    from pixflow_tui.tui.screens.img2video import Img2VideoScreen

    await img2video(t)
    screen = t.app.screen
    assert isinstance(screen, Img2VideoScreen)
    screen.queue.entries[0].end_image = str(draw_photo(t.case.tmp_path / "photos" / "end.png", (40, 60, 200)))


async def img2video(t: Tui) -> None:
    from textual.widgets import Input

    from pixflow_tui.tui.screens.dialogs import PathInputDialog
    from pixflow_tui.tui.screens.img2video import Img2VideoScreen

    pilot = t.pilot
    await pilot.pause()
    await pilot.press("3")
    screen = await wait_for(pilot, lambda: isinstance(t.app.screen, Img2VideoScreen) and t.app.screen,
                            what="Img2Video")
    await wait_for(pilot, lambda: screen.queue is not None, what="the queue")
    await pilot.press("a")  # i2v-add
    dialog = await wait_for(pilot, lambda: isinstance(t.app.screen, PathInputDialog) and t.app.screen)
    dialog.query_one(Input).value = str(draw_photo(t.case.tmp_path / "photos" / "photo.png"))
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: len(screen.queue.entries) == 1 and t.app.screen is screen, what="the image added")
    screen.table.focus()
    screen.table.move_cursor(row=0, animate=False)
    await pilot.pause()


@dataclass(frozen=True)
class PaidPath:
    name: str
    cli: Callable[[Case], list[str]] | None = None  # the CLI: its argv
    seed: Callable[[Case], None] | None = None  # the TUI: what the database holds before the app starts
    open: Callable[[Tui], Awaitable[None]] | None = None  # the TUI: the screen, with the target selected
    key: str = ""  # the TUI: the paid key (its binding id in the comment of the table)
    answer: Callable[[Tui], Awaitable[None]] | None = None  # the TUI: fills the dialog the key opens first
    requeues: bool = False  # goes round again instead of adding a job

    def __str__(self) -> str:
        return self.name


PAID_PATHS = [
    PaidPath("cli: images generate --prompts-file", cli=cli_images),
    PaidPath("cli: videos generate IMG", cli=cli_videos),
    PaidPath("cli: images transform IMG --prompt", cli=cli_transform),
    PaidPath("cli: videos generate IMG --end-frame IMG", cli=cli_start_end),
    PaidPath("cli: jobs retry ID (failed, no result)", cli=cli_retry, requeues=True),
    PaidPath("tui: Asset Monster run (ctrl+r)", open=am_run, key="ctrl+r"),  # am-run
    PaidPath("tui: Asset Monster r on a done job (regenerate)", seed=am_seed(JobState.DONE), open=am_redo,
             key="r"),  # am-regenerate
    PaidPath("tui: Asset Monster r on a failed job (retry)", seed=am_seed(JobState.FAILED), open=am_redo,
             key="r", requeues=True),  # am-regenerate (retries a failed job)
    PaidPath("tui: Library r on an image (regenerate)", seed=library_seed, open=library_r,
             key="r"),  # library-regenerate
    PaidPath("tui: Library i on an image (Img2Img)", seed=library_seed, open=library_r, key="i",
             answer=transform_answer),  # transform-image
    PaidPath("tui: Asset Monster I on a done image (Img2Img)", seed=am_seed_image, open=am_redo, key="I",
             answer=transform_answer),  # transform-image
    PaidPath("tui: command palette Img2Img on an image file", open=workers_settled, key="ctrl+p",
             answer=palette_file_transform),  # app: transform_file
    PaidPath("tui: Img2Video r on a start/end draft", open=img2video_start_end, key="r"),  # i2v-generate-one
    PaidPath("tui: Img2Video generate all (ctrl+g)", open=img2video, key="ctrl+g"),  # i2v-generate
    PaidPath("tui: Img2Video r on one (draft) entry", open=img2video, key="r"),  # i2v-generate-one
]
CHECKS = ["asks", "capped", "demo"]


# -- the CLI side ---------------------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def check_cli(path: PaidPath, case: Case, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> None:
    mp = case.monkeypatch
    # live: FAL_KEY, provider_mode=live, the real fal-client aimed at the local emulator
    emulator = request.getfixturevalue("live_cli") if case.live else None
    if case.check in ("capped", "demo"):
        mp.setenv("PIXFLOW_BUDGET_CAP", str(TINY_CAP))
    argv = path.cli(case)  # type: ignore[misc]
    before = snapshot(Store.open(load_settings()))

    def after() -> tuple[list[Any], list[int]]:
        assert emulator is None or emulator.total_submissions == 0  # nothing reached the provider either
        return snapshot(Store.open(load_settings()))

    if case.check == "asks":
        mp.setattr(sys, "stdin", io.StringIO(""))  # no terminal
        code, out, err = run_cli(argv, capsys)
        assert code == 2 and "--yes" in err, (code, out, err)
        assert after() == before
        mp.setattr(sys, "stdin", _Terminal("n\n"))  # a terminal, and the answer is no
        code, out, err = run_cli(argv, capsys)
        assert "Go ahead? [y/N]" in out and "Estimated cost: about $" in err, (code, out, err)
        assert code not in (0, 2) and "nothing was run" in err, (code, out, err)
        assert after() == before
        return
    if case.check == "capped":
        code, out, err = run_cli([*argv, "--yes"], capsys)
        assert code == 4 and "budget cap" in err, (code, out, err)
        assert after() == before
        return
    mp.setattr(sys, "stdin", io.StringIO(""))  # no terminal, no --yes: demo work costs nothing, so no question
    code, out, err = run_cli(argv, capsys)
    assert code == 0, (code, out, err)
    jobs_after, _ = after()
    if path.requeues:
        assert [j.status for j in jobs_after] == [JobState.DONE], jobs_after
    else:
        assert len(jobs_after) == len(before[0]) + 1 and jobs_after[-1].status == JobState.DONE, jobs_after


# -- the TUI side ---------------------------------------------------------------------------------------------


async def check_tui(path: PaidPath, case: Case, emulator: Any) -> None:
    from pixflow_tui.tui.app import PixflowApp
    from pixflow_tui.tui.screens.dialogs import ConfirmDialog

    notes: list[str] = []
    pushed: list[Any] = []
    real_notify, real_push = PixflowApp.notify, PixflowApp.push_screen

    def notify(self: Any, message: Any, *args: Any, **kwargs: Any) -> Any:
        notes.append(str(message))
        return real_notify(self, message, *args, **kwargs)

    def push_screen(self: Any, screen: Any, *args: Any, **kwargs: Any) -> Any:
        pushed.append(screen)
        return real_push(self, screen, *args, **kwargs)

    case.monkeypatch.setattr(PixflowApp, "notify", notify)
    case.monkeypatch.setattr(PixflowApp, "push_screen", push_screen)

    overrides: dict[str, Any] = {}
    if case.live:
        overrides.update(provider_mode="live", fal_key=FAL_TEST_KEY)
    if case.check in ("capped", "demo"):
        overrides["budget_cap"] = TINY_CAP
    if path.seed is not None:
        path.seed(case)
    app = PixflowApp(dataclasses.replace(case.settings, **overrides))
    store = app.context.store
    assert app.context.media_provider_name == ("fal" if case.live else "demo")

    def dialogs() -> list[Any]:
        return [s for s in pushed if isinstance(s, ConfirmDialog)]

    def refused() -> bool:
        return any("budget cap" in n for n in notes)

    async with app.run_test(size=(140, 44)) as pilot:
        await path.open(Tui(pilot, app, case))  # type: ignore[misc]
        await workers_done(app)
        before = snapshot(store)
        await pilot.press(path.key)
        if path.answer is not None:
            await path.answer(Tui(pilot, app, case))
        # the door answers with its confirmation or its refusal
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) or refused(),
                       what="a confirmation or a refusal", timeout=15)

        if case.check == "asks":
            dialog = app.screen
            assert isinstance(dialog, ConfirmDialog), notes
            assert "Estimated cost: about $" in dialog.message, dialog.message
            await pilot.press("n")
            await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmDialog), what="the dialog closed")
            await pilot.pause(0.3)
            await workers_done(app)
            assert len(dialogs()) == 1
            assert snapshot(store) == before
        elif case.check == "capped":
            assert refused(), (pushed, notes)
            await pilot.pause(0.3)
            await workers_done(app)
            assert dialogs() == [] and not isinstance(app.screen, ConfirmDialog), (pushed, notes)
            assert snapshot(store) == before
        else:
            dialog = app.screen
            assert isinstance(dialog, ConfirmDialog), f"demo work was refused: {notes}"
            assert "$0.00 (demo" in dialog.message, dialog.message
            await pilot.press("y")
            old_jobs = before[0]
            if path.requeues:
                (job,) = old_jobs
                await wait_for(pilot, lambda: store.jobs.get(job.id).status != JobState.FAILED
                               or store.jobs.get(job.id).attempts != job.attempts,
                               what="the failed job sent round again", timeout=15)
                assert len(store.jobs.list()) == len(old_jobs)
            else:
                await wait_for(pilot, lambda: len(store.jobs.list()) == len(old_jobs) + 1,
                               what="the new job", timeout=15)
            assert not refused(), notes
        if emulator is not None:
            assert case.check == "demo" or emulator.total_submissions == 0


# -- the table ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("path", PAID_PATHS, ids=str)
def test_every_paid_path_asks_is_capped_and_demo_is_free(path: PaidPath, check: str, settings: Settings,
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         request: pytest.FixtureRequest,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    live = check != "demo"
    case = Case(check, live, settings, tmp_path, monkeypatch)
    if path.cli is not None:
        check_cli(path, case, request, capsys)
    else:
        # live: the real fal-client aimed at the local emulator
        emulator = request.getfixturevalue("fal_env") if live else None
        asyncio.run(check_tui(path, case, emulator))
