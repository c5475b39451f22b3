"""Img2Img (`pixflow images transform`, workflows/img2img.py) and start/end videos (`videos generate --end-frame`):
on the demo provider and live against the fal emulator."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from pixflow_tui.config import load_settings
from pixflow_tui.core import catalog
from pixflow_tui.store import Store
from pixflow_tui.workflows.cli_support import open_context
from pixflow_tui.workflows.lineage import lineage
from tests.cli_helpers import run, run_json


def _photo(path: Path, colour: tuple[int, int, int]) -> Path:
    image = Image.new("RGB", (90, 160), colour)
    image.paste((240, 220, 200), (20, 40, 70, 110))
    image.save(path)
    return path


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    return _photo(tmp_path / "portrait.png", (30, 90, 200))


def test_dry_run_prices_every_output_and_spends_nothing(capsys, photo: Path, tmp_path: Path) -> None:
    other = _photo(tmp_path / "other.png", (200, 90, 30))
    code, plan = run_json(capsys, "images", "transform", str(photo), str(other), "--prompt", "make it  night",
                          "-n", "3", "--resolution", "4K", "--dry-run")
    assert code == 0 and plan["dry_run"] is True and plan["jobs"] == 6
    assert plan["models"] == {catalog.IMAGE_EDIT_MODEL: 6} and plan["cost_estimate"] == 0
    assert plan["live_estimate"] == pytest.approx(6 * 0.15 * 2)  # 4K costs twice
    assert plan["prompt"] == "make it  night" and plan["aspect_ratio"] == "9:16"
    assert Store.open(load_settings()).jobs.list() == []


def test_transform_makes_images_linked_to_their_source(capsys, photo: Path) -> None:
    # the source is a Library image: a first transform of the file makes one
    code, first = run_json(capsys, "images", "transform", str(photo), "--prompt", "golden hour light")
    assert code == 0 and first["done"] == first["total"] == 1, first
    store = Store.open(load_settings())
    (source,) = store.images.list()
    code, second = run_json(capsys, "images", "transform", f"image:{source.id}", "--prompt", "snowing",
                            "-n", "2", "--aspect", "1:1", "--format", "png")
    assert code == 0 and second["done"] == 2, second
    made = [i for i in store.images.list() if i.batch_id == second["batch_id"]]
    assert len(made) == 2 and all(Path(i.local_path).suffix == ".png" for i in made)
    assert all(i.local_path.split("/outputs/")[1].startswith("img2img/") for i in made)
    assert {i.width == i.height for i in made} == {True}  # 1:1
    (job, _) = store.jobs.list(batch_id=second["batch_id"])
    assert job.request["files"]["image_urls"] == [source.local_path]
    assert job.request["arguments"]["prompt"] == "snowing"
    ctx = open_context(load_settings())
    assert ctx is not None
    try:
        into = lineage(ctx, f"image:{source.id}").made_into
        assert {n.key for n in into} >= {f"image:{i.id}" for i in made}
        assert all(n.label.startswith("transformed: ") for n in into if n.key in {f"image:{i.id}" for i in made})
        made_from = lineage(ctx, f"image:{made[0].id}").made_from
        assert [n.key for n in made_from][-2:] == [f"image:{source.id}", f"image:{made[0].id}"]
    finally:
        ctx.close()


@pytest.mark.parametrize("args, message", [
    (["-n", "5"], "outputs per image must be 1–4, not 5"),
    (["--prompt", "   "], "the transform prompt is empty"),
])
def test_bad_input_is_named(capsys, photo: Path, args: list[str], message: str) -> None:
    argv = ["images", "transform", str(photo), "--prompt", "x", *args, "--dry-run"]
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err


def test_unknown_library_image_and_missing_file(capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "images", "transform", "image:999", "--prompt", "x", "--dry-run")
    assert code == 2 and "there is no image 999" in err
    code, out, err = run(capsys, "images", "transform", str(tmp_path / "gone.jpg"), "--prompt", "x", "--dry-run")
    assert code == 2 and "does not exist" in err


def test_live_transform_sends_what_the_edit_model_takes(capsys, photo: Path, live_cli) -> None:
    code, summary = run_json(capsys, "images", "transform", str(photo), "--prompt", "neon sign", "--yes",
                             "--resolution", "1K")
    assert code == 0 and summary["done"] == 1, summary
    (request,) = live_cli.requests.values()  # type: ignore[attr-defined]
    assert request.app_id == catalog.IMAGE_EDIT_MODEL
    assert set(request.arguments) == {"prompt", "image_urls", "aspect_ratio", "resolution", "output_format",
                                      "num_images"}
    assert request.arguments["image_urls"][0].startswith("http")  # uploaded to fal storage first


def test_start_end_video_on_the_demo_provider(capsys, photo: Path, tmp_path: Path) -> None:
    end = _photo(tmp_path / "end.png", (220, 40, 40))
    code, summary = run_json(capsys, "videos", "generate", str(photo), "--end-frame", str(end), "--duration", "5")
    assert code == 0 and summary["done"] == 1, summary
    (job,) = Store.open(load_settings()).jobs.list()
    assert job.request["files"] == {"image_url": str(photo.resolve()), "tail_image_url": str(end.resolve())}
    assert job.request["arguments"]["prompt"] == catalog.TRANSITION_DEFAULT_PROMPT
    assert job.request["meta"]["video_kind"] == "start_end"
    frames = _first_and_last_frames(Path(summary["jobs"][0]["output_path"]))
    assert frames[0][2] > frames[0][0] and frames[1][0] > frames[1][2]  # starts blue, ends red


def _first_and_last_frames(path: Path) -> list[tuple[float, float, float]]:
    import av

    with av.open(str(path)) as container:
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    return [tuple(float(frames[i][..., c].mean()) for c in range(3)) for i in (0, -1)]  # type: ignore[misc]


def test_start_end_takes_one_start_frame(capsys, photo: Path) -> None:
    code, out, err = run(capsys, "videos", "generate", str(photo), str(photo), "--end-frame", str(photo),
                         "--dry-run")
    assert code == 2 and "one start frame" in err


def test_live_start_end_with_hailuo_sends_its_end_frame_field(capsys, photo: Path, tmp_path: Path,
                                                               live_cli) -> None:
    end = _photo(tmp_path / "end.png", (220, 40, 40))
    code, summary = run_json(capsys, "videos", "generate", str(photo), "--end-frame", str(end), "--model",
                             "hailuo", "--yes")
    assert code == 0 and summary["done"] == 1, summary
    (request,) = live_cli.requests.values()  # type: ignore[attr-defined]
    assert set(request.arguments) == {"prompt", "image_url", "end_image_url", "duration"}
