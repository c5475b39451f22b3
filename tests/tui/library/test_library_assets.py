"""All assets tab: every output, filters, the preview with lineage, and the actions on outputs."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

from PIL import Image
from textual.widgets import Input, Select
from textual_image.widget import HalfcellImage

from lib_helpers import column, open_library, open_store, seed, settle, show_tab, table_of, wait_for
from pixflow_tui.tui.screens.dialogs import ConfirmDialog, PathInputDialog, TextInputDialog
from pixflow_tui.tui.screens.library.filters import FilterDialog
from pixflow_tui.tui.widgets.image_preview import ImagePreview


async def test_every_output_is_listed_and_previewed_with_its_lineage(make_app, settings) -> None:
    made = seed(settings, images=3, liked=(1,))
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_library(pilot)
        tab = await show_tab(pilot, "assets")
        table = table_of(tab)
        assert table.keys() == [
            f"asset:{made.videos[0].id}", *[f"image:{i.id}" for i in reversed(made.images)]]
        assert column(table, "kind") == ["video", "image", "image", "image"]
        assert column(table, "rating") == ["", "", "♥ +1", ""]
        lineage = screen.query_one("#preview-lineage")
        await wait_for(pilot, lambda: "Made from" in str(lineage.render()), what="the lineage")
        text = str(lineage.render())
        assert f"image #{made.images[0].id}" in text and f"video #{made.videos[0].id}" in text
        preview = screen.query_one(ImagePreview)
        await wait_for(pilot, lambda: preview.query_one(HalfcellImage).display, what="the video's first frame")
        frame = preview.query_one(HalfcellImage).image
        assert isinstance(frame, Image.Image) and frame.convert("RGB").getpixel((1, 1)) == (250, 250, 250)
        await pilot.press("down", "down", "down")  # the oldest image: made into the video
        await wait_for(pilot, lambda: "Made into" in str(lineage.render()), what="made into")
        assert f"video #{made.videos[0].id}" in str(lineage.render())
        assert "red fox look number 0" in str(screen.query_one("#section-style").query_one(".section-body").render())


async def test_quick_filters_and_the_filter_form(make_app, settings) -> None:
    made = seed(settings, images=4, liked=(2,))
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "assets")
        table = table_of(tab)
        await pilot.press("R")  # any → liked
        await wait_for(pilot, lambda: table.row_count == 1, what="liked only")
        assert tab.filter.rating == "like" and table.keys()[0] == f"image:{made.images[2].id}"
        await pilot.press("R", "R", "R")  # disliked, unrated, any
        await wait_for(pilot, lambda: tab.filter.rating == "any" and table.row_count == 5)
        await pilot.press("K")  # images only
        await wait_for(pilot, lambda: table.row_count == 4 and set(column(table, "kind")) == {"image"})
        await pilot.press("K")  # videos only
        await wait_for(pilot, lambda: column(table, "kind") == ["video"])
        await pilot.press("C")
        await wait_for(pilot, lambda: table.row_count == 5)

        await pilot.press("F")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, FilterDialog) and app.screen)
        assert not isinstance(app.focused, Input)
        dialog.query_one("#filter-concept", Input).value = "fox 3"
        dialog.query_one("#filter-dates", Input).value = "7d"
        dialog.query_one("#filter-kind", Select).value = "images"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: table.row_count == 1, what="the form's filter")
        assert table.keys()[0] == f"image:{made.images[3].id}"
        assert "concept ~ fox 3" in str(tab.query_one("#assets-filter-line").render())

        await pilot.press("F")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, FilterDialog) and app.screen)
        dialog.query_one("#filter-dates", Input).value = "not a date"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FilterDialog) and "not a date" in str(dialog.query_one("#error").render())
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == 1


async def test_actions_favourite_copy_regenerate_send_and_open(make_app, settings) -> None:
    made = seed(settings, images=2, liked=())
    store = open_store(settings)
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "assets")
        await pilot.press("down")  # the newest image (the video is first)
        image = made.images[1]
        await pilot.press("l")
        await settle(pilot)
        assert store.ratings.get(image.id).rating == 1
        assert str(table_of(tab).get_cell(f"image:{image.id}", "rating")) == "♥ +1"
        await pilot.press("f")  # asks for a name, as in every module, offering the concept
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, TextInputDialog) and app.screen)
        assert dialog.query_one(Input).value == image.concept
        await pilot.press("enter")
        await settle(pilot)
        assert [(f.name, f.concept, f.prompt["style"]) for f in store.favorites.list()][0] == (
            image.concept, image.concept, image.prompt["style"])
        await pilot.press("y")
        assert json.loads(app.clipboard)["style"] == image.prompt["style"]
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the regenerate confirmation")
        assert "Regenerate" in app.screen.title_text and "1 job" in app.screen.message
        await pilot.press("y")
        await settle(pilot)
        regenerated = [j for j in store.jobs.list() if j.parent_job_id == image.job_id]
        assert len(regenerated) == 1 and regenerated[0].request == store.jobs.get(image.job_id).request
        await pilot.press("v")
        await settle(pilot)
        assert app.context.handoff.take_images() == [image.local_path]
        await pilot.press("up", "v")  # a video sends the image it was made from
        await settle(pilot)
        assert app.context.handoff.take_images() == [made.images[0].local_path]
        await pilot.press("d")  # the video is rated itself, not the image it was made from
        await settle(pilot)
        assert store.ratings.get(made.images[0].id) is None
        assert store.library.output(f"asset:{made.videos[0].id}").rating == -1


async def test_a_video_is_liked_cleared_and_found_by_the_rating_filter(make_app, settings) -> None:
    made = seed(settings, images=2, liked=())
    store = open_store(settings)
    video_key = f"asset:{made.videos[0].id}"
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "assets")
        table = table_of(tab)
        assert table.keys()[0] == video_key  # the cursor is on the video
        await pilot.press("l")
        await settle(pilot)
        assert store.library.output(video_key).rating == 1
        assert str(table.get_cell(video_key, "rating")) == "♥ +1"
        await pilot.press("R")  # any → liked
        await wait_for(pilot, lambda: tab.filter.rating == "like" and table.keys() == [video_key], what="liked")
        liked = await show_tab(pilot, "liked")
        assert list(liked.outputs) == [video_key]
        await show_tab(pilot, "assets")
        await pilot.press("0")
        await settle(pilot)
        assert store.library.output(video_key).rating is None
        assert str(table.get_cell(video_key, "rating")) == ""
        await pilot.press("R", "R")  # disliked, unrated
        await wait_for(pilot, lambda: tab.filter.rating == "none" and table.row_count == 3, what="unrated")
    store.close_thread_connection()


async def test_export_the_marked_outputs_as_a_zip(make_app, settings, tmp_path: Path) -> None:
    made = seed(settings, images=3, liked=())
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "assets")
        await pilot.press("down", "space", "space")  # mark the two newest images
        assert tab.selected_keys() == [f"image:{made.images[2].id}", f"image:{made.images[1].id}"]
        assert str(table_of(tab).get_cell(f"image:{made.images[2].id}", "mark")) == "●"
        await pilot.press("e")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, PathInputDialog) and app.screen)
        target = tmp_path / "picked.zip"
        dialog.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: target.exists(), what="the zip")
        await settle(pilot)
        with zipfile.ZipFile(target) as archive:
            manifest = json.loads(archive.read("prompts.json"))
            assert sorted(archive.namelist()) == ["images/image-1.png", "images/image-2.png", "prompts.json"]
        assert [e["image_id"] for e in manifest["images"]] == [made.images[2].id, made.images[1].id]
        await pilot.press("M")
        assert tab.selected_keys() == [f"image:{made.images[0].id}"]  # no marks: the row under the cursor


async def test_an_image_marked_as_avatar_joins_avatar_studios_gallery(make_app, settings) -> None:
    from pixflow_tui.workflows.avatars import gallery
    from pixflow_tui.workflows.context import AppContext

    made = seed(settings, images=2, liked=())
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        await show_tab(pilot, "assets")
        await pilot.press("down")  # the newest image (the video is first)
        await pilot.press("A")
        await settle(pilot)
    ctx = AppContext(settings)
    try:
        marked = [a for a in gallery(ctx) if a.source == "library"]
        assert [a.image_id for a in marked] == [made.images[1].id]
    finally:
        ctx.close()
