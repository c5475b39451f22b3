"""JobTable: rows keyed by job id, updated in place from engine events arriving on other threads."""
from __future__ import annotations

import threading

from textual.app import App, ComposeResult
from textual.containers import Container
from textual.strip import Strip
from textual.widgets.data_table import ColumnKey

from pixflow_tui.core.jobs import JobEvent, JobKind, JobState, JobView
from pixflow_tui.store import Store
from pixflow_tui.tui.widgets.job_table import JobTable, format_elapsed, status_text
from tui_helpers import held_elsewhere, settle


def view(job_id: int, state: JobState = JobState.PENDING, **fields: object) -> JobView:
    return JobView(job_id=job_id, batch_id=1, index=job_id - 1, kind=JobKind.IMAGE, prompt=f"prompt {job_id}",
                   state=state, **fields)  # type: ignore[arg-type]


class TableApp(App[None]):
    def __init__(self, table: JobTable) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield self.table


def cell(table: JobTable, job_id: int, column: str) -> str:
    value = table.get_cell(str(job_id), column)
    return value if isinstance(value, str) else value.plain


def test_status_and_elapsed_texts() -> None:
    assert status_text(JobState.QUEUED, queue_position=3).plain == "queued #3"
    assert status_text(JobState.RUNNING, progress=0.4).plain == "running 40%"
    assert status_text(JobState.DONE).plain == "done"
    assert [format_elapsed(s) for s in (None, 5, 65, 3725)] == ["", "5s", "1m05s", "1h02m"]


async def test_load_shows_every_column() -> None:
    table = JobTable()
    app = TableApp(table)
    async with app.run_test() as pilot:
        table.load([view(1, JobState.DONE, cost=0.04, rating=1, elapsed=12.0), view(2, JobState.QUEUED,
                    queue_position=2)])
        await pilot.pause()
        assert [cell(table, 1, c) for c in ("index", "prompt", "status", "elapsed", "cost", "rating")] == [
            "1·1", "prompt 1", "done", "12s", "$0.04", "+1"]
        assert cell(table, 2, "status") == "queued #2"


async def test_a_burst_of_events_from_a_thread_updates_rows_in_place() -> None:
    table = JobTable()
    app = TableApp(table)
    async with app.run_test() as pilot:
        table.load([view(job_id) for job_id in range(1, 11)])
        await pilot.pause()
        flushes = 0
        original = table.flush

        def counting_flush() -> None:
            nonlocal flushes
            flushes += 1
            original()

        table.flush = counting_flush  # type: ignore[method-assign]

        def burst() -> None:
            for n in range(1000):
                job_id = n % 10 + 1
                table.apply_event(JobEvent(job_id, 1, JobState.RUNNING, progress=n / 1000))
            for job_id in range(1, 11):
                state = JobState.QUEUED if job_id == 3 else JobState.DONE
                table.apply_event(JobEvent(job_id, 1, state, queue_position=4 if job_id == 3 else None,
                                           cost=None if job_id == 3 else 0.04))

        sender = threading.Thread(target=burst)
        sender.start()
        sender.join()
        await pilot.pause(0.3)
        assert table.row_count == 10
        assert cell(table, 3, "status") == "queued #4"
        for job_id in (1, 2, 4, 10):
            assert cell(table, job_id, "status") == "done"
            assert cell(table, job_id, "cost") == "$0.04"
            assert cell(table, job_id, "prompt") == f"prompt {job_id}"
        assert 1 <= flushes <= 20, flushes  # coalesced: nowhere near one repaint per event


async def test_unknown_job_gets_a_row_and_its_details_from_the_loader() -> None:
    table = JobTable(loader=lambda ids: [view(job_id, JobState.RUNNING) for job_id in ids])
    app = TableApp(table)
    async with app.run_test() as pilot:
        table.load([])
        table.apply_event(JobEvent(7, 1, JobState.RUNNING, progress=0.5))
        await pilot.pause(0.2)
        await settle(pilot)
        assert table.row_count == 1
        assert cell(table, 7, "prompt") == "prompt 7"
        assert cell(table, 7, "index") == "1·7"


async def test_vim_keys_and_top_bottom() -> None:
    table = JobTable()
    app = TableApp(table)
    async with app.run_test() as pilot:
        table.load([view(job_id) for job_id in range(1, 6)])
        table.focus()
        await pilot.pause()
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == 4
        await pilot.press("g")
        assert table.cursor_row == 0


async def test_module_screen_shows_its_jobs_live(make_app, settings) -> None:
    store = Store.open(settings)
    batch = store.batches.create(module="asset_monster", name="test")
    other = store.batches.create(module="img2video", name="other")
    first = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", batch_id=batch.id,
                              request={"arguments": {"prompt": "a red fox"}})
    held_elsewhere(store, first.id)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one(JobTable)
        assert table.display and table.row_count == 1 and app.focused is table
        assert cell(table, first.id, "prompt") == "a red fox"
        second = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", batch_id=batch.id,
                                   job_index=1, request={"arguments": {"prompt": "a blue owl"}})
        elsewhere = store.jobs.create(kind=JobKind.VIDEO, provider="demo", model="m", batch_id=other.id,
                                      request={})
        held_elsewhere(store, second.id, elsewhere.id)
        events = [JobEvent(first.id, batch.id, JobState.RUNNING, progress=0.25),
                  JobEvent(second.id, batch.id, JobState.QUEUED, queue_position=1),
                  JobEvent(elsewhere.id, other.id, JobState.QUEUED, queue_position=1)]
        sender = threading.Thread(target=lambda: [app.context.events.publish(e) for e in events])
        sender.start()
        sender.join()
        await pilot.pause(0.3)
        await settle(pilot)
        assert table.row_count == 2
        assert cell(table, first.id, "status") == "running 25%"
        assert cell(table, second.id, "status") == "queued #1"
        assert cell(table, second.id, "prompt") == "a blue owl"

        # another process (the CLI) sends us no events: returning to the screen reloads from the database
        third = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", batch_id=batch.id,
                                  job_index=2, request={"arguments": {"prompt": "a green frog"}})
        held_elsewhere(store, third.id)
        store.jobs.update(first.id, status=JobState.DONE, cost=0.04)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert table.row_count == 3
        assert cell(table, third.id, "prompt") == "a green frog"
        assert cell(table, first.id, "status") == "done" and cell(table, first.id, "cost") == "$0.04"
    store.close_thread_connection()


async def test_a_changed_cell_repaints_its_row_and_keeps_the_other_rows_cached() -> None:
    table = JobTable(flush_interval=0.01, min_flush_gap=0.0)
    app = TableApp(table)
    async with app.run_test() as pilot:
        table.load([view(job_id) for job_id in range(1, 6)])
        await pilot.pause()
        generation = table._update_count
        cached_rows = {key[0] for key in table._row_render_cache.keys()}
        assert {str(r.value) for r in cached_rows} >= {"1", "2", "4"}
        table.apply_event(JobEvent(3, 1, JobState.DONE, cost=0.04))
        await pilot.pause(0.1)
        await pilot.pause()
        assert cell(table, 3, "status") == "done" and cell(table, 3, "cost") == "$0.04"
        assert table._update_count == generation  # no table-wide invalidation: other rows were not re-rendered
        assert "done" in table.render_line(3).text and "pending" in table.render_line(2).text
        table.update_cell("4", "status", "odd")  # a caller outside the table is repainted as well
        await pilot.pause()
        assert "odd" in table.render_line(4).text


class PaintWidths(JobTable):
    """Records the prompt column's width at each paint of the table's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.painted_widths: list[int] = []

    def render_line(self, y: int) -> Strip:
        self.painted_widths.append(self.columns[ColumnKey("prompt")].width)
        return super().render_line(y)


class HiddenTableApp(App[None]):
    def __init__(self, table: JobTable) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        with Container(id="holder"):
            yield self.table

    def on_mount(self) -> None:
        self.query_one("#holder").display = False


async def test_a_table_shown_after_mounting_hidden_paints_its_cells_once_at_the_fitted_width() -> None:
    table = PaintWidths()
    app = HiddenTableApp(table)
    async with app.run_test(size=(100, 30)) as pilot:
        table.load([view(job_id) for job_id in range(1, 21)])
        await settle(pilot)
        assert table.painted_widths == []
        app.query_one("#holder").display = True
        await settle(pilot)
        fitted = table.columns[ColumnKey("prompt")].width
        assert fitted > 12
        assert table.painted_widths and set(table.painted_widths) == {fitted}
        assert cell(table, 1, "prompt") == "prompt 1"
        assert "prompt 1" in table.render_line(1).text  # the rows are on screen, not blank
