"""Every bad input named in the issue gives its message, inline, and nothing is written or saved."""
from __future__ import annotations

from pathlib import Path

import pytest

from pf_helpers import fill, make_image, message, pf, results, settle, write_concept

MB = 1024 * 1024


def oversized_png(folder: Path) -> Path:
    """A real PNG just over 10 MB (random pixels do not compress)."""
    path = folder / "huge.png"
    image = make_image(folder, "seed.png", size=(8, 8))
    data = image.read_bytes()
    # a valid PNG with a large ancillary chunk appended before IEND keeps the header honest; the size check
    # comes before decoding anyway
    path.write_bytes(data[:-12] + _chunk(b"zzZz", b"\0" * (10 * MB + 1)) + data[-12:])
    return path


def _chunk(kind: bytes, payload: bytes) -> bytes:
    import struct
    import zlib

    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


@pytest.mark.parametrize(
    ("concept", "count", "expected", "field"),
    [
        ("", 3, "The concept is empty; describe what to create (1–300 characters)", "concept"),
        ("   ", 3, "The concept is empty", "concept"),
        ("a" * 301, 3, "The concept has 301 characters; the limit is 300", "concept"),
        ("neon portrait", 0, "The prompt count must be 1–10, not 0", "count"),
        ("neon portrait", 11, "The prompt count must be 1–10, not 11", "count"),
        ("neon portrait", "", "The prompt count must be a number 1–10", "count"),
    ],
    ids=["empty", "blank", "301-chars", "count-0", "count-11", "count-missing"],
)
async def test_bad_concept_form_inputs(make_app, concept: str, count: object, expected: str, field: str) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await fill(pilot, "#concept", concept, typed=len(concept) < 40)
        await fill(pilot, "#count", str(count))
        await pilot.press("enter")
        await settle(pilot)
        assert expected in message(app)
        assert pf(app).query_one("#message").has_class("-error")
        assert app.focused is pf(app).query_one(f"#{field}")  # the cursor goes where the problem is
        assert results(app).shown is None
        assert app.context.store.history.count() == 0


async def test_300_characters_is_accepted(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await fill(pilot, "#concept", "b" * 300, typed=False)
        assert str(pf(app).query_one("#concept-length").render()) == "300/300"
        await fill(pilot, "#count", "1")
        await pilot.press("enter")
        await settle(pilot)
        assert app.context.store.history.count() == 1


def bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    text = folder / "notes.png"
    text.write_text("this is not an image", encoding="utf-8")
    gif = make_image(folder, "anim.gif", fmt="GIF")
    return {
        "missing": (folder / "nope.png", "does not exist"),
        "not-an-image": (text, "cannot be used: it is not an image"),
        "oversized": (oversized_png(folder), "is 10.0 MB; the limit is 10 MB"),
        "wrong-format": (gif, "is GIF; use JPEG, PNG or WebP"),
        "folder": (folder, "is not a file"),
    }


@pytest.mark.parametrize("case", ["missing", "not-an-image", "oversized", "wrong-format", "folder"])
async def test_bad_reference_image(make_app, tmp_path: Path, case: str) -> None:
    path, expected = bad_files(tmp_path)[case]
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await fill(pilot, "#concept", "neon portrait")
        await fill(pilot, "#reference", str(path), typed=False)
        await pilot.press("enter")
        await settle(pilot)
        assert expected in message(app), message(app)
        assert message(app).startswith("Reference image ")
        assert app.focused is pf(app).query_one("#reference")
        assert results(app).shown is None
        assert app.context.store.history.count() == 0


@pytest.mark.parametrize("case", ["missing", "not-an-image", "oversized", "wrong-format"])
async def test_bad_image_in_image_mode(make_app, tmp_path: Path, case: str) -> None:
    path, expected = bad_files(tmp_path)[case]
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await fill(pilot, "#image", str(path), typed=False)
        await pilot.press("enter")
        await settle(pilot)
        assert expected in message(app), message(app)
        assert app.context.store.history.count() == 0
        assert results(app).shown is None  # nothing came of it, so no empty list either
        assert pf(app).query_one("#list-empty").display
        assert app.is_running


async def test_a_bad_reference_is_reported_when_leaving_the_field(make_app, tmp_path: Path) -> None:
    path, expected = bad_files(tmp_path)["not-an-image"]
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await fill(pilot, "#reference", str(path), typed=False)
        await pilot.press("escape")  # leave the field: the file is decoded and judged at once
        await settle(pilot)
        assert expected in message(app)
        good = make_image(tmp_path, "good.png")
        await fill(pilot, "#reference", str(good), typed=False)
        await pilot.press("escape")
        await settle(pilot)
        assert "Reference image OK" in message(app)


async def test_empty_image_path_and_empty_text(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("i", "enter")
        await settle(pilot)
        assert "Type the path of an image" in message(app)
        await pilot.press("escape", "t")
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert "The text is empty; paste a prompt or a JSON object" in message(app)
        assert app.focused is pf(app).query_one("#text")


async def test_too_long_image_context(make_app, tmp_path: Path) -> None:
    image = make_image(tmp_path)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await fill(pilot, "#image", str(image), typed=False)
        await fill(pilot, "#context", "c" * 301, typed=False)
        await pilot.press("enter")
        await settle(pilot)
        assert "The context has 301 characters; the limit is 300" in message(app)


async def test_malformed_json_text_is_reported(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await fill(pilot, "#text", '{"scene": "rooftop",')
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert "The text starts like JSON but is not valid JSON" in message(app)
        assert app.context.store.history.count() == 0


async def test_a_failed_run_keeps_the_previous_prompts_on_screen(make_app, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await write_concept(pilot, "neon portrait", 2)
        before = results(app).shown
        await pilot.press("i")
        await fill(pilot, "#image", str(tmp_path / "missing.png"), typed=False)
        await pilot.press("enter")
        await settle(pilot)
        assert "does not exist" in message(app)
        assert results(app).shown is before and len(before.prompts) == 2
