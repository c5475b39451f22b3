"""The avatar gallery: the empty hint, importing, generating through the door, the green-box check and version."""
from __future__ import annotations

from textual.widgets import Input

from studio_helpers import RED, gallery, grid_keys, open_studio, portrait, studio, text_of, type_text, wait_screen
from tui_helpers import settle, wait_for
from pixflow_tui.tui.screens.avatar_studio.dialogs import GenerateAvatarsDialog
from pixflow_tui.tui.screens.avatar_studio.gallery import AvatarGrid
from pixflow_tui.tui.screens.dialogs import ConfirmDialog, PathInputDialog


async def test_an_empty_gallery_says_how_to_add_avatars(make_app, settings) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        hint = text_of(app, "#grid-empty")
        assert str(settings.avatars_folder) in hint
        assert "mark a Library image" in hint and "generate" in hint
        assert isinstance(app.focused, AvatarGrid)  # never a text field: 1–6 still switch modules
        await pilot.press("6")
        await settle(pilot)
        assert app.current_mode == "library"


async def test_import_an_image_puts_it_in_the_grid_with_its_green_check(make_app, tmp_path) -> None:
    source = portrait(tmp_path / "photos" / "anna.png")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        await pilot.press("i")
        dialog = await wait_screen(pilot, PathInputDialog)
        dialog.query_one(Input).value = str(source)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(k.endswith("anna.png") for k in grid_keys(app)), what="imported")
        assert source.exists()  # the original stays where it was
        await wait_for(pilot, lambda: "green box: yes" in text_of(app, "#avatar-check"), what="green check")
        assert "imported anna" in text_of(app, "#avatar-note").lower()


async def test_import_of_a_file_that_is_not_an_image_says_why(make_app, tmp_path) -> None:
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        await pilot.press("i")
        dialog = await wait_screen(pilot, PathInputDialog)
        dialog.query_one(Input).value = str(bad)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Not imported" in text_of(app, "#avatar-note"), what="the refusal")
        assert grid_keys(app) == []


async def test_generate_two_avatars_through_the_door(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        await pilot.press("g")
        form = await wait_screen(pilot, GenerateAvatarsDialog)
        assert form.query_one("#count").value == "2"
        await pilot.press("ctrl+s")
        confirm = await wait_screen(pilot, ConfirmDialog, "the door's confirmation")
        assert "2" in confirm.message and "avatar" in confirm.title_text.lower()
        await pilot.press("y")
        await wait_for(pilot, lambda: len(grid_keys(app)) == 2, what="two generated avatars")
        assert all(key.startswith("image:") for key in grid_keys(app))
        await wait_for(pilot, lambda: "green box: yes" in text_of(app, "#avatar-check"), what="green check")
        assert not gallery(app).check_action("green_version", ())  # already on green: nothing to make
        await pilot.press("enter")
        await settle(pilot)
        assert studio(app).current_avatar is not None
        assert studio(app).current_avatar.key == grid_keys(app)[0]


async def test_a_red_backdrop_fails_the_check_and_gets_a_green_box_version(make_app, settings) -> None:
    portrait(settings.avatars_folder / "red.png", backdrop=RED)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        await wait_for(pilot, lambda: "green box: no" in text_of(app, "#avatar-check"), what="the failed check")
        await pilot.press("b")
        confirm = await wait_screen(pilot, ConfirmDialog, "the door's confirmation")
        assert "green-box" in confirm.title_text.lower()
        await pilot.press("y")
        await wait_for(pilot, lambda: len(grid_keys(app)) == 2, what="the green-box version")
        assert grid_keys(app)[1].startswith("image:")
        gallery(app).grid.go_to(grid_keys(app)[1])
        await wait_for(pilot, lambda: "green box: yes" in text_of(app, "#avatar-check"), what="the new check")


async def test_bad_generator_input_reopens_the_form_as_it_was(make_app, tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        await pilot.press("g")
        form = await wait_screen(pilot, GenerateAvatarsDialog)
        form.query_one("#outfit").value = "business"
        form.query_one("#reference", Input).value = str(tmp_path / "missing.png")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, GenerateAvatarsDialog) and app.screen is not form,
                       what="the form again")
        again = app.screen
        assert "missing.png" in str(again.query_one("#form-error").render())
        assert again.query_one("#outfit").value == "business"
        assert again.query_one("#reference", Input).value.endswith("missing.png")
        await pilot.press("escape")
        await settle(pilot)
        assert grid_keys(app) == []


async def test_marking_a_library_image_that_does_not_exist_says_so(make_app) -> None:
    from pixflow_tui.tui.screens.dialogs import TextInputDialog

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        await pilot.press("m")
        dialog = await wait_screen(pilot, TextInputDialog)
        dialog.query_one(Input).value = "abc"
        await pilot.press("enter")
        assert app.screen is dialog  # not a number: the dialog says so and stays
        dialog.query_one(Input).value = "99"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Not marked: there is no image 99" in text_of(app, "#avatar-note"),
                       what="the refusal")
