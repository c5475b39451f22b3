"""The batch and prompt commands, run in-process on the demo providers (zero latency)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image


from pixflow_tui.config import load_settings
from pixflow_tui.store import Store
from tests.cli_helpers import run, run_json




@pytest.fixture
def prompts_txt(tmp_path: Path) -> Path:
    path = tmp_path / "prompts.txt"
    path.write_text("Prompt 1: a lighthouse in fog\nwith gulls circling\n\nPrompt 2: a desert road at noon\n")
    return path


def test_dry_run_prints_plan_and_cost_and_spends_nothing(capsys, prompts_txt: Path) -> None:
    code, plan = run_json(capsys, "images", "generate", "--prompts-file", str(prompts_txt), "--variants", "3",
                          "--resolution", "4K", "--dry-run")
    assert code == 0 and plan["dry_run"] is True
    assert plan["prompts"] == 2 and plan["images"] == 6
    assert plan["cost_estimate"] == 0 and plan["demo"] is True  # demo work costs nothing
    assert plan["live_estimate"] == pytest.approx(6 * 0.30)
    assert plan["prompt_texts"] == ["a lighthouse in fog with gulls circling", "a desert road at noon"]
    store = Store.open(load_settings())
    assert store.jobs.list() == [] and store.batches.list() == []


def test_generate_from_file_makes_files_and_rows(capsys, prompts_txt: Path) -> None:
    code, summary = run_json(capsys, "images", "generate", "--prompts-file", str(prompts_txt), "--variants", "2",
                             "--resolution", "1K", "--aspect", "1:1", "--format", "png")
    assert code == 0, summary
    assert summary["done"] == summary["total"] == 4 and summary["demo"] is True
    for job in summary["jobs"]:
        with Image.open(job["output_path"]) as image:
            assert image.size == (1024, 1024) and image.format == "PNG"
    code, listed = run_json(capsys, "jobs", "list", "--batch", str(summary["batch_id"]))
    assert code == 0 and sorted(j["status"] for j in listed) == ["done"] * 4
    code, shown = run_json(capsys, "jobs", "show", str(listed[0]["job_id"]))
    assert shown["request"]["arguments"]["aspect_ratio"] == "1:1" and shown["result"]["outputs"]


def test_prompts_file_formats(capsys, tmp_path: Path) -> None:
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text('"plain text prompt"\n{"scene": "a misty pier", "subject": "a sailor"}\n')
    code, plan = run_json(capsys, "images", "generate", "--prompts-file", str(jsonl), "--dry-run")
    assert code == 0 and plan["prompts"] == 2
    bad = tmp_path / "bad.json"
    bad.write_text("[{\"style\": 3}, ")
    code, out, err = run(capsys, "images", "generate", "--prompts-file", str(bad), "--dry-run")
    assert code == 2 and "bad.json is not valid JSON" in err


def test_generate_from_history_and_favorite(capsys) -> None:
    code, generated = run_json(capsys, "prompts", "generate", "--concept", "copper kettle still life", "-n", "2",
                               "--product", "fyro")
    assert code == 0 and len(generated["prompts"]) == 2
    code, plan = run_json(capsys, "images", "generate", "--from-history", str(generated["history_id"]), "--dry-run")
    assert code == 0 and plan["prompts"] == 2 and plan["history_id"] == generated["history_id"]
    store = Store.open(load_settings())
    fyro = next(p for p in store.products() if p.slug == "fyro")
    assert plan["product_id"] == fyro.id  # its images' ratings count for Fyro's taste
    favorite = store.favorites.add(prompt=generated["prompts"][0]["prompt"], name="kettle", concept="kettle")
    code, plan = run_json(capsys, "images", "generate", "--from-favorite", str(favorite.id), "--dry-run")
    assert code == 0 and plan["prompts"] == 1 and "product_id" not in plan
    code, out, err = run(capsys, "images", "generate", "--from-history", "999", "--dry-run")
    assert code == 2 and "no history entry 999" in err


def test_concept_batch_writes_prompts_then_images(capsys) -> None:
    code, summary = run_json(capsys, "images", "generate", "--concept", "orchid greenhouse", "-n", "2",
                             "--resolution", "1K")
    assert code == 0 and summary["done"] == 2
    store = Store.open(load_settings())
    (entry,) = store.history.list()
    assert entry.concept == "orchid greenhouse" and entry.prompt_count == 2


def test_budget_cap_refuses_with_exit_code_4(capsys, monkeypatch, prompts_txt: Path, live_cli) -> None:
    monkeypatch.setenv("PIXFLOW_BUDGET_CAP", "0.5")
    code, out, err = run(capsys, "images", "generate", "--prompts-file", str(prompts_txt), "--variants", "4")
    assert code == 4 and "budget cap of $0.50" in err
    assert Store.open(load_settings()).batches.list() == []


@pytest.mark.parametrize("args, message", [
    (["--concept", "x" * 301], "301 characters"),
    (["--concept", "ok", "-n", "11"], "1–10"),
    (["--concept", "ok", "--variants", "5"], "images per prompt must be 1–4"),
    (["--concept", "ok", "--ref", "/no/such.png"], "/no/such.png does not exist"),
])
def test_bad_inputs_are_named(capsys, args: list[str], message: str) -> None:
    code, out, err = run(capsys, "images", "generate", *args, "--dry-run")
    assert code == 2 and message in err


def test_non_image_reference_is_refused(capsys, tmp_path: Path) -> None:
    fake = tmp_path / "notes.png"
    fake.write_text("not an image")
    code, out, err = run(capsys, "images", "generate", "--concept", "ok", "--ref", str(fake), "--dry-run")
    assert code == 2 and "it is not an image" in err


def test_cancel_and_retry_commands(capsys, prompts_txt: Path) -> None:
    from pixflow_tui.workflows.context import AppContext
    from pixflow_tui.workflows.images import create_image_batch, plan_image_batch
    from pixflow_tui.core.prompt_schema import PromptOutput

    ctx = AppContext(load_settings())
    batch = create_image_batch(ctx, plan_image_batch(ctx, [PromptOutput(style="a"), PromptOutput(style="b")],
                                                     resolution="1K"))
    first, second = ctx.store.jobs.list(batch_id=batch.id)
    for job in (first, second):  # as if the process that made them were gone: the commands may take them over
        ctx.store.jobs.release(job.id, ctx.owner)
    code, result = run_json(capsys, "jobs", "cancel", str(first.id))
    assert code == 0 and result == {str(first.id): "cancelled"}
    code, result = run_json(capsys, "jobs", "resume")
    assert result["states"]["done"] == 1 and result["states"]["cancelled"] == 0
    code, result = run_json(capsys, "jobs", "retry", str(first.id))
    assert code == 0 and result["states"]["done"] == 1
    code, out, err = run(capsys, "jobs", "retry", str(second.id))
    assert code == 1 and "only failed, cancelled or unknown jobs can be retried" in err


def test_prompt_commands(capsys, tmp_path: Path) -> None:
    image = tmp_path / "blue.png"
    Image.new("RGB", (120, 60), (20, 40, 220)).save(image)
    code, analyzed = run_json(capsys, "prompts", "analyze", str(image), "--context", "summer campaign")
    assert code == 0 and "blue" in json.dumps(analyzed["prompt"]).lower()
    source = tmp_path / "free.txt"
    source.write_text("a quiet reading nook by a rainy window")
    code, converted = run_json(capsys, "prompts", "from-text", str(source))
    assert code == 0 and converted["prompt"]["style"] == "a quiet reading nook by a rainy window"
    code, out, err = run(capsys, "prompts", "generate", "--concept", "  ")
    assert code == 2 and "the concept is empty" in err


def test_from_text_splits_blank_line_blocks_as_the_prompts_file_does(capsys, tmp_path: Path) -> None:
    source = tmp_path / "three.txt"
    source.write_text("a heron at dawn\nin still water\n\na lynx in fog\n\na fox in snow\n", encoding="utf-8")
    code, converted = run_json(capsys, "prompts", "from-text", str(source))
    assert code == 0
    assert [p["prompt"]["style"] for p in converted["prompts"]] == ["a heron at dawn in still water",
                                                                     "a lynx in fog", "a fox in snow"]
    code, planned = run_json(capsys, "images", "generate", "--prompts-file", str(source), "--dry-run")
    assert code == 0 and planned["prompt_texts"] == [p["prompt"]["style"] for p in converted["prompts"]]
    code, out, err = run(capsys, "prompts", "from-text", str(source))
    assert code == 0 and "3 prompts saved to history" in out
