"""The avatar gallery: a thumbnail grid of the curated folder, generated avatars and Library images marked as
avatars, with the highlighted one previewed beside it and its green-box check. Owns its keys (import, generate,
green-box version, use this avatar) and posts `Chosen` when the user picks the current avatar."""
from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static

from pixflow_tui.tui.paid import spend
from pixflow_tui.tui.screens.avatar_studio.dialogs import AvatarRequest, GenerateAvatarsDialog
from pixflow_tui.tui.screens.dialogs import PathInputDialog, TextInputDialog
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.tui.widgets.thumbnail_grid import GridEntry, ThumbnailGrid
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows import avatars as flow
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.paid_work import Committed

SOURCE_MARK = {"curated": "", "generated": "✦ ", "library": "♥ "}


class AvatarGrid(ThumbnailGrid, inherit_bindings=False):
    """The grid without the keys the gallery needs (`g` generates; nothing is marked), enter picks the avatar."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(b for b in ThumbnailGrid.BINDINGS
          if isinstance(b, Binding) and b.id not in ("grid-first", "grid-last", "grid-mark", "grid-select")),
        Binding("home", "jump(0)", "First", show=False, id="grid-first"),
        Binding("end", "jump(-1)", "Last", show=False, id="grid-last"),
        Binding("enter", "select", "Use this avatar", id="avatar-use"),
    ]


class AvatarGallery(Vertical):
    """Keys: i import a file, g generate, b green-box version (when the border is not green), enter use it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "import_file", "Import", id="avatar-import"),
        Binding("g", "generate", "Generate", id="avatar-generate"),
        Binding("b", "green_version", "Green-box version", id="avatar-green-version"),
        Binding("m", "mark_library_image", "Mark a Library image as an avatar", show=False, id="avatar-mark"),
        Binding("ctrl+r", "reload", "Reload the gallery", show=False, id="avatar-reload"),
    ]

    class Chosen(Message):
        """The user picked the current avatar."""

        def __init__(self, avatar: flow.Avatar) -> None:
            super().__init__()
            self.avatar = avatar

    class _Loaded(Message, bubble=False):
        def __init__(self, avatars: list[flow.Avatar], hint: str, focus_key: str | None) -> None:
            super().__init__()
            self.avatars, self.hint, self.focus_key = avatars, hint, focus_key

    class _Checked(Message, bubble=False):
        def __init__(self, path: str, result: flow.GreenCheck | str) -> None:
            super().__init__()
            self.path, self.result = path, result

    def __init__(self, context: AppContext, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.avatars: dict[str, flow.Avatar] = {}
        self.current: flow.Avatar | None = None  # the avatar chosen for the video
        self.checks: dict[str, flow.GreenCheck | str] = {}  # path -> check, or why it could not run
        self.loaded = False
        self._last_request = AvatarRequest()

    def compose(self) -> ComposeResult:
        settings = self.context.settings
        with Horizontal(id="avatar-gallery-body"):
            yield AvatarGrid(renderer=settings.image_renderer, cache_dir=settings.thumbnails_dir, cell_width=16,
                             empty="Loading avatars…", id="avatar-grid")
            with Vertical(id="avatar-side"):
                yield ImagePreview(renderer=settings.image_renderer, cache_dir=settings.thumbnails_dir,
                                   id="avatar-preview")
                yield Static("", id="avatar-name", markup=False)
                yield Static("", id="avatar-check", markup=False)
        yield Static("", id="avatar-note", markup=False)

    def on_mount(self) -> None:
        self.query_one("#avatar-note").display = False
        self.call_after_refresh(self.reload)  # after the first frame, which says "Loading avatars…"

    @property
    def grid(self) -> AvatarGrid:
        return self.query_one(AvatarGrid)

    @property
    def highlighted(self) -> flow.Avatar | None:
        entry = self.grid.current
        return self.avatars.get(entry.key) if entry is not None else None

    def say(self, text: str, kind: str = "info") -> None:
        note = self.query_one("#avatar-note", Static)
        note.update(text)
        note.display = bool(text)
        for name in ("info", "ok", "warning", "error"):
            note.set_class(name == kind, f"-{name}")

    # -- loading -----------------------------------------------------------------------------------------

    def reload(self, focus_key: str | None = None) -> None:
        """Read the gallery again (in a thread); the highlighted avatar stays highlighted, or `focus_key`'s."""
        context = self.context
        keep = focus_key or (self.grid.current.key if self.grid.current else None)

        def work() -> None:
            avatars = flow.gallery(context)
            hint = flow.empty_gallery_hint(context) if not avatars else ""
            self.post_message(self._Loaded(avatars, hint, keep))

        start_thread(self, work, name="Loading avatars", group="avatar-gallery")

    def on_avatar_gallery__loaded(self, message: _Loaded) -> None:
        grid = self.grid
        self.avatars = {a.key: a for a in message.avatars}
        entries = [GridEntry(a.key, a.thumbnail or a.path, self._caption(a)) for a in message.avatars]
        if self.loaded and [e.key for e in entries] == [e.key for e in grid.entries]:
            return
        self.loaded = True
        grid.empty_text = message.hint
        grid.query_one("#grid-empty", Static).update(message.hint)
        grid.replace(entries, more=False)
        if message.focus_key:
            grid.go_to(message.focus_key)
        if not entries:
            self._show(None)

    def _caption(self, avatar: flow.Avatar) -> str:
        chosen = "● " if self.current is not None and self.current.key == avatar.key else ""
        return f"{chosen}{SOURCE_MARK.get(avatar.source, '')}{avatar.name}"

    # -- the highlighted avatar --------------------------------------------------------------------------

    def on_thumbnail_grid_highlighted(self, message: ThumbnailGrid.Highlighted) -> None:
        message.stop()
        self._show(self.avatars.get(message.entry.key) if message.entry else None)

    def _show(self, avatar: flow.Avatar | None) -> None:
        self.query_one(ImagePreview).show(avatar.path if avatar else None)
        name = self.query_one("#avatar-name", Static)
        name.update(f"{avatar.name} · {avatar.source}" if avatar else "")
        self._show_check(avatar)
        if avatar is not None and avatar.path not in self.checks:
            self._check(avatar.path)
        self.refresh_bindings()

    def _show_check(self, avatar: flow.Avatar | None) -> None:
        line = self.query_one("#avatar-check", Static)
        result = self.checks.get(avatar.path) if avatar else None
        if avatar is None:
            line.update("")
        elif result is None:
            line.update("green box: checking…")
        elif isinstance(result, str):
            line.update(f"green box: cannot check ({result})")
        else:
            line.update(result.describe() + ("" if result.ok else " (b)"))
        line.set_class(isinstance(result, flow.GreenCheck) and result.ok, "-ok")
        line.set_class(isinstance(result, flow.GreenCheck) and not result.ok, "-warning")

    def _check(self, path: str) -> None:
        def work() -> None:
            try:
                result: flow.GreenCheck | str = flow.green_check(path)
            except (InputError, OSError) as exc:
                result = str(exc)
            self.post_message(self._Checked(path, result))

        start_thread(self, work, name="Checking the green box", group="avatar-check", exclusive=False)

    def on_avatar_gallery__checked(self, message: _Checked) -> None:
        self.checks[message.path] = message.result
        avatar = self.highlighted
        if avatar is not None and avatar.path == message.path:
            self._show_check(avatar)
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "green_version":
            avatar = self.highlighted
            result = self.checks.get(avatar.path) if avatar else None
            return isinstance(result, flow.GreenCheck) and not result.ok or None
        return True

    # -- keys --------------------------------------------------------------------------------------------

    def on_thumbnail_grid_selected(self, message: ThumbnailGrid.Selected) -> None:
        message.stop()
        avatar = self.avatars.get(message.entry.key) if message.entry else None
        if avatar is None:
            return
        self.current = avatar
        for entry in self.grid.entries:
            if entry.key in self.avatars:
                self.grid.update_entry(entry.key, self._caption(self.avatars[entry.key]))
        self.say(f"Current avatar: {avatar.name}.", "ok")
        self.post_message(self.Chosen(avatar))

    def action_reload(self) -> None:
        self.reload()

    def action_import_file(self) -> None:
        def chosen(path: Path | None) -> None:
            if path is not None:
                self._import(path)

        self.app.push_screen(PathInputDialog("Import an avatar image",
                                             "A copy goes into the avatar folder; the file stays where it is.",
                                             want="file"), chosen)

    def _import(self, path: Path) -> None:
        context = self.context

        def work() -> None:
            try:
                avatar = flow.import_avatar(context, path)
            except InputError as exc:
                self.app.call_from_thread(self.say, f"Not imported: {exc}", "warning")
                return
            self.app.call_from_thread(self.say, f"Imported {avatar.name}.", "ok")
            self.app.call_from_thread(self.reload, avatar.key)

        start_thread(self, work, name="Importing an avatar", group="avatar-import", exclusive=False)

    def action_mark_library_image(self) -> None:
        def valid(text: str) -> str | None:
            return None if text.strip().lstrip("#").isdigit() else "type the image's number (the Library shows it)"

        def chosen(text: str | None) -> None:
            if text is not None:
                self._mark(int(text.strip().lstrip("#")))

        self.app.push_screen(TextInputDialog("Mark a Library image as an avatar", "The image's number, as the "
                                             "Library shows it; the image stays where it is.", validator=valid),
                             chosen)

    def _mark(self, image_id: int) -> None:
        context = self.context

        def work() -> None:
            try:
                avatar = flow.mark_as_avatar(context, image_id)
            except InputError as exc:
                self.app.call_from_thread(self.say, f"Not marked: {exc}", "warning")
                return
            self.app.call_from_thread(self.say, f"Image {image_id} is in the gallery now.", "ok")
            self.app.call_from_thread(self.reload, avatar.key)

        start_thread(self, work, name="Marking an avatar", group="avatar-mark", exclusive=False)

    def action_generate(self, request: AvatarRequest | None = None, error: str = "") -> None:
        def chosen(result: object) -> None:
            if isinstance(result, AvatarRequest):
                self._last_request = result
                self._generate(result)

        self.app.push_screen(GenerateAvatarsDialog(request or self._last_request, error), chosen)

    def _generate(self, request: AvatarRequest) -> None:
        context = self.context

        def plan() -> Any:
            return flow.plan_avatars(context, gender=request.gender, age=request.age, ethnicity=request.ethnicity,
                                     outfit=request.outfit, count=request.count, reference=request.reference or None)

        def refused(message: str) -> None:
            if message.startswith("Not run:"):  # the budget: the form was fine
                self.say(message, "error")
            else:  # bad input: the form again, as it was, with the reason
                self.say(f"Not generated: {message}", "warning")
                self.action_generate(request, message)

        def done(committed: Committed) -> None:
            self.say(f"Generating {request.count} avatar{'s' if request.count > 1 else ''}: they appear here when "
                     "done.", "ok")

        many = f"{request.count} avatar{'s' if request.count > 1 else ''}"
        spend(self, context, plan, title=f"Generate {many}?", yes="Generate", on_done=done, on_refused=refused)

    def action_green_version(self) -> None:
        avatar = self.highlighted
        if avatar is None:
            return
        context, path = self.context, avatar.path

        def done(committed: Committed) -> None:
            self.say(f"Making a green-box version of {avatar.name}: it appears here when done.", "ok")

        spend(self, context, lambda: flow.plan_green_version(context, path), title="Make a green-box version?",
              intro=f"{avatar.name} is kept; the new version stands on backdrop green.", yes="Make it",
              on_done=done, on_refused=lambda message: self.say(message, "warning"))
