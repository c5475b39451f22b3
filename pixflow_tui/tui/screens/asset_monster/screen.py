"""Asset Monster: set up a batch (prompts, references, settings), run it, watch it live, curate the results."""
from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Static

from pixflow_tui.tui import action_keys
from pixflow_tui.tui.screens.asset_monster.batch_table import BatchJobTable
from pixflow_tui.tui.screens.asset_monster.results import ResultsPane
from pixflow_tui.tui.screens.asset_monster.setup_panel import SetupPanel
from pixflow_tui.tui.screens.base import ModuleScreen
from pixflow_tui.workflows.asset_monster import BatchSummary, JobDetail

WIDE_RESULTS = 118  # results narrower than this put the preview under the table instead of beside it
SETUP_WIDTH = 36
MIN_RESULTS = 64  # the job table's columns need this much; less and the set-up panel shows alone
ALWAYS_SETUP = 150  # terminals at least this wide keep the set-up panel in view


class AssetMonsterScreen(ModuleScreen):
    """Composes the set-up panel (prompts, settings, run) and the results pane (the batch, its jobs); owns
    only the keys that work wherever the focus is, and the layout between the two."""

    MODULE = "asset_monster"
    INTRO = "Generate image batches from prompts, with reference images to keep identity."
    EMPTY = (
        "No batches yet. Add prompts with a (from Prompt Factory, favourites, history, a file or typed), "
        "choose the settings on the left, then press ctrl+r to run the batch."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "run", "Run", id="am-run"),
        Binding("a", "add_prompts", "Add prompts", id="am-add-prompts"),
        Binding("i", "add_reference", "Add reference", show=False, id="am-add-reference"),
        Binding("s", "toggle_setup", "Set-up", show=False, id="am-toggle-setup"),
        Binding("p", "presets", "Presets", show=False, id="am-presets"),
        Binding("e", "export", "Export", id=action_keys.EXPORT),
        Binding("b", "batches", "Batches", show=False, id="am-batches"),
        Binding("X", "cancel_batch", "Cancel batch", show=False, id="am-cancel-batch"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._setup_choice: bool | None = None  # the user's `s` choice; None follows the layout rule

    def compose_body(self) -> ComposeResult:
        settings = self.app_.settings
        renderer, cache = settings.image_renderer, settings.thumbnails_dir
        with Horizontal(id="am-body"):
            yield SetupPanel(self.context, renderer=renderer, cache_dir=cache, id="setup")
            yield ResultsPane(self.context, empty=self.EMPTY, renderer=renderer, cache_dir=cache, id="results")

    def on_mount(self) -> None:
        self._cleanups.append(self.app_.router.add(self.MODULE, self.results.note_job_event))
        self.setup_panel.take_waiting_prompts()

    def on_screen_resume(self) -> None:
        self.setup_panel.take_waiting_prompts()
        self.results.refresh_batch()

    # -- the parts, and what tests and other modules read --------------------------------------------------

    @property
    def setup_panel(self) -> SetupPanel:
        return self.query_one(SetupPanel)

    @property
    def results(self) -> ResultsPane:
        return self.query_one(ResultsPane)

    @property
    def table(self) -> BatchJobTable:
        return self.results.table

    @property
    def batch_id(self) -> int | None:
        return self.results.batch_id

    @property
    def summary(self) -> BatchSummary | None:
        return self.results.summary

    @property
    def detail(self) -> JobDetail | None:
        return self.results.detail

    @property
    def _loaded(self) -> bool:  # read by tests waiting for the first batch load
        return self.results.loaded

    def take_waiting_prompts(self) -> None:
        self.setup_panel.take_waiting_prompts()

    # -- layout ----------------------------------------------------------------------------------------

    def on_resize(self) -> None:
        self._layout()

    def _setup_wanted(self) -> bool:
        if self._setup_choice is not None:
            return self._setup_choice
        fresh = any(not item.sent for item in self.setup_panel.items)
        return self.batch_id is None or fresh or self.size.width >= ALWAYS_SETUP

    def _layout(self) -> None:
        """Set-up beside the results when both fit; on a narrow terminal `s` flips between them."""
        setup, results = self.setup_panel, self.results
        setup.display = self._setup_wanted()
        alone = setup.display and self.size.width - SETUP_WIDTH < MIN_RESULTS
        setup.set_class(alone, "-alone")
        back = " · s shows the batch" if alone and self.batch_id is not None else ""
        setup.query_one("#setup-title", Static).update(f"Set-up{back}")
        results.display = not alone
        results.fit(self.size.width - (SETUP_WIDTH if setup.display else 0) >= WIDE_RESULTS)
        if not setup.display and setup.has_focus_within:
            self.set_focus(self.table if self.table.row_count else None)

    def action_toggle_setup(self) -> None:
        self._setup_choice = not self.setup_panel.display
        self._layout()
        if self.setup_panel.display:
            self.setup_panel.query_one("#setup-list").focus()
        elif self.table.row_count:
            self.table.focus()

    def show_setup(self) -> None:
        """Bring the set-up panel into view (prompts arrived, or a run needs them)."""
        if not self.setup_panel.display:
            self._setup_choice = True
            self._layout()

    # -- wiring ----------------------------------------------------------------------------------------

    def on_setup_panel_needs_view(self, message: SetupPanel.NeedsView) -> None:
        self.show_setup()

    def on_setup_panel_batch_started(self, message: SetupPanel.BatchStarted) -> None:
        self._setup_choice = None  # the layout rule hides the set-up on small screens: results now
        if message.batch_id == self.batch_id:
            self.results.refresh_batch()
        elif message.batch_id is not None:
            self.results.open_batch(message.batch_id)

    def on_results_pane_batch_shown(self, message: ResultsPane.BatchShown) -> None:
        self.setup_panel.batch_id = message.batch_id
        self._layout()
        setup = self.setup_panel
        if self.focused is None or (message.switched and message.has_rows and not setup.has_focus_within):
            if message.has_rows:
                self.table.focus()
            else:
                setup.query_one("#setup-list").focus()

    # -- keys that work wherever the focus is ----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("export", "cancel_batch"):
            return self.is_mounted and self.batch_id is not None
        return True

    def action_run(self) -> None:
        self.setup_panel.run()

    def action_add_prompts(self) -> None:
        self.setup_panel.add_prompts()

    def action_add_reference(self) -> None:
        self.setup_panel.add_reference()

    def action_presets(self) -> None:
        self.setup_panel.presets()

    def action_export(self) -> None:
        table = self.table
        self.results.bar.export(table.chosen_job_ids() if table.marked else [])

    def action_batches(self) -> None:
        self.results.bar.pick()

    def action_cancel_batch(self) -> None:
        self.results.bar.cancel_batch()
