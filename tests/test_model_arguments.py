"""Every model's arguments come from one table (catalog.MODEL_ARGUMENTS), checked against the fields each model
accepts (the fal emulator's schema of it); Hailuo gets its own lengths and none of Kling's fields, and is priced for
the length it really makes."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from pixflow_tui.config import load_settings
from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind, MediaRequest
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.core.requests import (
    RequestError,
    checked_request,
    estimate_cost,
    image_request,
    lipsync_request,
    speech_request,
    video_request,
)
from pixflow_tui.providers.base import PermanentProviderError
from pixflow_tui.providers.demo.media import validate as demo_validate
from pixflow_tui.store import Store
from tests.cli_helpers import run, run_json
from tests.emulators import fal_models

KLING, HAILUO = catalog.VIDEO_MODELS["kling"], catalog.VIDEO_MODELS["hailuo"]


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "portrait.png"
    Image.new("RGB", (90, 160), (30, 90, 200)).save(path)
    return path


def test_the_catalog_table_holds_only_fields_each_model_accepts() -> None:
    assert catalog.FAL_MODELS == set(fal_models.MODEL_INPUTS)
    for model in catalog.FAL_MODELS:
        table = catalog.MODEL_ARGUMENTS[model]
        assert table.accepted <= fal_models.MODEL_INPUTS[model], model
        for name, values in fal_models.MODEL_CHOICES.get(model, {}).items():
            assert set(table.values(name) or ()) <= set(values), (model, name)


def _requests(photo: Path) -> list[MediaRequest]:
    prompt = PromptOutput(style="a portrait on a rooftop")
    return [
        image_request(prompt),
        image_request(prompt, references=[str(photo)]),
        *(video_request(str(photo), model=key, duration=d, end_image=end)
          for key in catalog.VIDEO_MODELS for d in catalog.VIDEO_DURATIONS for end in (None, str(photo))),
        speech_request("hello there", "Aria"),
        lipsync_request(str(photo), "voice.mp3"),
    ]


def test_every_request_the_app_builds_passes_the_model_schema(photo: Path) -> None:
    for request in _requests(photo):
        arguments = {**request.arguments, **{k: "https://x/y.png" if isinstance(v, str) else ["https://x/y.png"]
                                             for k, v in request.files.items()}}
        assert fal_models.validate(request.model, arguments) == [], (request.model, arguments)


def test_hailuo_takes_its_own_lengths_and_none_of_klings_fields(photo: Path) -> None:
    kling = video_request(str(photo), model="kling", duration="5")
    assert {"aspect_ratio", "negative_prompt", "cfg_scale"} <= set(kling.arguments)
    short = video_request(str(photo), model="hailuo", duration="5", aspect_ratio="16:9")
    assert set(short.arguments) == {"prompt", "duration"} and short.arguments["duration"] == "6"
    long = video_request(str(photo), model="hailuo", duration="10")
    assert long.arguments["duration"] == "10"
    # priced for the length it makes: 6 s and 10 s at Hailuo's price per second
    per_second = catalog.UNIT_PRICES[HAILUO].per_unit
    assert estimate_cost(short) == pytest.approx(6 * per_second)
    assert estimate_cost(long) == pytest.approx(10 * per_second)
    assert estimate_cost(kling) == pytest.approx(5 * catalog.UNIT_PRICES[KLING].per_unit)


def test_a_field_the_model_does_not_take_is_named(photo: Path) -> None:
    with pytest.raises(RequestError, match="does not take aspect_ratio, cfg_scale"):
        checked_request(JobKind.VIDEO, HAILUO, {"prompt": "x", "aspect_ratio": "9:16", "cfg_scale": 0.5},
                        {"image_url": str(photo)}, {})
    with pytest.raises(RequestError, match="needs image_url"):
        checked_request(JobKind.VIDEO, KLING, {"prompt": "x"}, {}, {})
    with pytest.raises(RequestError, match="duration '6' is not offered"):
        checked_request(JobKind.VIDEO, KLING, {"prompt": "x", "duration": "6"}, {"image_url": str(photo)}, {})


def test_the_demo_provider_refuses_what_the_model_would(photo: Path) -> None:
    wrong = MediaRequest(JobKind.VIDEO, HAILUO, {"prompt": "x", "duration": "6", "negative_prompt": "blur"},
                         {"image_url": str(photo)})
    with pytest.raises(PermanentProviderError, match="does not take negative_prompt"):
        demo_validate(wrong)
    with pytest.raises(PermanentProviderError, match="duration: '5' is not one of 6, 10"):
        demo_validate(MediaRequest(JobKind.VIDEO, HAILUO, {"prompt": "x", "duration": "5"},
                                   {"image_url": str(photo)}))
    demo_validate(video_request(str(photo), model="hailuo"))


def test_the_emulator_refuses_klings_fields_sent_to_hailuo() -> None:
    errors = fal_models.validate(HAILUO, {"prompt": "x", "image_url": "https://x/y.png", "duration": "5",
                                          "aspect_ratio": "9:16", "cfg_scale": 0.5})
    assert {(e["loc"][1], e["type"]) for e in errors} == {
        ("aspect_ratio", "value_error.extra"), ("cfg_scale", "value_error.extra"), ("duration", "value_error.const")}


def test_live_hailuo_video_through_the_emulator(capsys, photo: Path, live_cli) -> None:
    code, summary = run_json(capsys, "videos", "generate", str(photo), "--model", "hailuo", "--yes")
    assert code == 0 and summary["done"] == 1, summary
    (request,) = live_cli.requests.values()  # type: ignore[attr-defined]
    assert request.app_id == HAILUO and request.arguments["duration"] == "6"
    assert not {"aspect_ratio", "negative_prompt", "cfg_scale"} & set(request.arguments)
    (job,) = Store.open(load_settings()).jobs.list()
    assert job.cost_estimate == pytest.approx(6 * catalog.UNIT_PRICES[HAILUO].per_unit)


def test_a_demo_batch_is_never_refused_by_the_budget_cap(capsys, monkeypatch, photo: Path) -> None:
    monkeypatch.setenv("PIXFLOW_BUDGET_CAP", "0.01")
    code, out, err = run(capsys, "videos", "generate", str(photo), str(photo), "--duration", "10", "--yes")
    assert code == 0, err
    assert "batch 1: 2/2 videos, cost $0.00" in out
    assert all(job.cost_estimate == 0 for job in Store.open(load_settings()).jobs.list())
