"""`pixflow videos generate`, run in-process on the demo provider (zero latency)."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from pixflow_tui.cli import main
from pixflow_tui.config import load_settings
from pixflow_tui.core import catalog
from pixflow_tui.store import Store
from tests.cli_helpers import run, run_json




@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "portrait.png"
    image = Image.new("RGB", (90, 160), (30, 90, 200))
    image.paste((240, 220, 200), (20, 40, 70, 110))
    image.save(path)
    return path


def test_dry_run_composes_the_prompt_like_the_reference_and_spends_nothing(capsys, photo: Path) -> None:
    code, plan = run_json(capsys, "videos", "generate", str(photo), str(photo), "--prompt", "slow push",
                          "--camera", "the camera zooms in", "--camera", "camera pans right", "--speed", "slow",
                          "--shot", "medium shot", "--duration", "10", "--aspect", "16:9", "--dry-run")
    assert code == 0 and plan["dry_run"] is True and plan["videos"] == 2
    assert plan["prompt"] == "slow push, the camera zooms in, camera pans right, slow, medium shot"
    assert plan["model"] == catalog.VIDEO_MODELS["kling"] and plan["provider"] == "demo"
    assert plan["cost_estimate"] == 0 and plan["live_estimate"] == pytest.approx(2 * 10 * 0.07)
    assert plan["settings"]["negative_prompt"] == "blur, distort, and low quality"
    assert plan["settings"]["cfg_scale"] == 0.5
    store = Store.open(load_settings())
    assert store.jobs.list() == [] and store.batches.list() == []


def test_default_prompt_and_human_plan(capsys, photo: Path) -> None:
    code, out, err = run(capsys, "videos", "generate", str(photo), "--model", "hailuo", "--dry-run")
    assert code == 0, err
    assert f"prompt: {catalog.VIDEO_DEFAULT_PROMPT}" in out
    # Hailuo has no 5 s video: it is sent (and priced) as the 6 s it makes
    assert "plan: 1 video with fal-ai/minimax/hailuo-02" in out and "$0.27 live" in out
    assert "length: 6 s (the model has no 5 s)" in out


def test_generate_makes_a_real_video_with_lineage(capsys, photo: Path) -> None:
    code, summary = run_json(capsys, "videos", "generate", str(photo), "--camera", "camera tilts up",
                             "--duration", "5", "--aspect", "1:1")
    assert code == 0, summary
    assert summary["done"] == summary["total"] == 1 and summary["demo"] is True
    (job,) = summary["jobs"]
    output = Path(job["output_path"])
    assert output.suffix == ".mp4" and output.stat().st_size > 1000
    store = Store.open(load_settings())
    (asset,) = store.assets.list(kind="video")
    assert asset.local_path == str(output) and asset.duration == pytest.approx(5.0, abs=0.3)
    assert asset.prompt == f"{catalog.VIDEO_DEFAULT_PROMPT}, camera tilts up"
    assert asset.metadata["width"] == asset.metadata["height"]  # 1:1
    assert Path(asset.metadata["thumbnail"]).is_file()
    (stored,) = store.jobs.list()
    assert stored.request["meta"]["source_path"] == str(photo.resolve())
    code, out, err = run(capsys, "videos", "generate", str(photo))
    assert code == 0 and "batch 2: 1/1 video," in out


@pytest.mark.parametrize("args, message", [
    (["--camera", "spin wildly"], "camera movement 'spin wildly' is not offered"),
    (["--camera", "camera tilts up", "--camera", "camera tilts down", "--camera", "camera pans right",
      "--camera", "camera orbits around"], "4 camera movements chosen; at most 3"),
    (["--shot", "medium shot", "--shot", "profile shot", "--shot", "Close-up", "--shot", "Shallow Depth of Field"],
     "4 shot types chosen; at most 3"),
    (["--shot", "extreme wide"], "shot type 'extreme wide' is not offered"),
])
def test_bad_camera_choices_are_named(capsys, photo: Path, args: list[str], message: str) -> None:
    code, out, err = run(capsys, "videos", "generate", str(photo), *args, "--dry-run")
    assert code == 2 and message in err


def test_bad_images_are_refused_with_their_message(capsys, tmp_path: Path, photo: Path) -> None:
    fake = tmp_path / "fake.png"
    fake.write_text("hello")
    code, out, err = run(capsys, "videos", "generate", str(photo), str(fake))
    assert code == 2 and f"source image {fake} cannot be used: it is not an image" in err
    code, out, err = run(capsys, "videos", "generate", str(tmp_path / "missing.jpg"), "--dry-run")
    assert code == 2 and "does not exist" in err
    assert Store.open(load_settings()).jobs.list() == []  # nothing queued when any image is bad


def test_choices_are_checked_by_the_parser(capsys, photo: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["videos", "generate", str(photo), "--duration", "7"])
    assert exited.value.code == 2 and "invalid choice: '7'" in capsys.readouterr().err


def test_budget_cap_refuses_with_exit_code_4(capsys, monkeypatch, photo: Path, live_cli) -> None:
    monkeypatch.setenv("PIXFLOW_BUDGET_CAP", "0.5")
    code, out, err = run(capsys, "videos", "generate", str(photo), "--duration", "10")
    assert code == 4 and "budget cap of $0.50" in err
    assert Store.open(load_settings()).batches.list() == []
