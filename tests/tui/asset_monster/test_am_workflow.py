"""workflows/asset_monster.py without the UI: prompt sources, runs that extend a batch, summaries, the viewer."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from pixflow_tui.core.jobs import JobState
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.workflows import asset_monster as am
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.paid_work import BudgetExceeded, commit, plan_redo
from pixflow_tui.workflows.inputs import InputError

from am_helpers import make_image


@pytest.fixture
def ctx(settings):  # type: ignore[no-untyped-def]
    context = AppContext(settings)
    yield context
    context.close()


@pytest.fixture
def live_ctx(settings):  # type: ignore[no-untyped-def]
    """Jobs priced as fal would bill them; nothing here submits (no engine runs)."""
    from dataclasses import replace

    context = AppContext(replace(settings, provider_mode="live", fal_key="test-key"))
    yield context
    context.close()


def entry(text: str, concept: str = "c", source: str = "typed") -> am.PromptEntry:
    return am.PromptEntry(PromptOutput(style=text), concept, source)


def test_estimate_eta_is_the_average_time_per_image_times_the_rounds_left() -> None:
    assert am.estimate_eta([], 4, 2) is None
    assert am.estimate_eta([2.0, 4.0], 0, 2) is None
    assert am.estimate_eta([2.0, 4.0], 4, 2) == 6.0  # 3 s each, two rounds of two
    assert am.estimate_eta([3.0], 5, 4) == 6.0


def test_prompt_files_and_their_errors(tmp_path: Path) -> None:
    jsonl = tmp_path / "set.jsonl"
    jsonl.write_text('{"style": "one"}\n\n{"scene": "a dock"}\n')
    entries = am.prompts_from_file(jsonl)
    assert [e.prompt.style for e in entries][0] == "one" and entries[1].prompt.set_design.backdrop == "a dock"
    assert {e.concept for e in entries} == {"set"} and {e.source for e in entries} == {"file"}
    with pytest.raises(InputError, match="does not exist"):
        am.prompts_from_file(tmp_path / "nope.txt")
    (tmp_path / "empty.txt").write_text("  \n")
    with pytest.raises(InputError, match="holds no prompts"):
        am.prompts_from_file(tmp_path / "empty.txt")
    (tmp_path / "bad.json").write_text("[1, 2")
    with pytest.raises(InputError, match="not valid JSON"):
        am.prompts_from_file(tmp_path / "bad.json")
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError, match="not a text file"):
        am.prompts_from_file(tmp_path / "binary.txt")
    with pytest.raises(InputError, match="is a folder"):
        am.prompts_from_file(tmp_path)
    assert am.prompt_from_typed('{"style": "json style"}').prompt.style == "json style"
    with pytest.raises(InputError, match="empty"):
        am.prompt_from_typed("   ")


def test_presets_round_trip_and_drop_what_no_longer_applies(tmp_path: Path) -> None:
    face = make_image(tmp_path / "face.png")
    base = am.BatchSettings("9:16", "2K", "jpeg", 1)
    saved = am.BatchSettings("1:1", "4K", "png", 3, (str(face),)).to_preset()
    loaded, notes = am.settings_from_preset(base, saved)
    assert loaded == am.BatchSettings("1:1", "4K", "png", 3, (str(face.resolve()),)) and notes == []
    face.unlink()
    loaded, notes = am.settings_from_preset(base, {**saved, "aspect_ratio": "7:5", "variants": 9})
    assert loaded.aspect_ratio == "9:16" and loaded.variants == 4 and loaded.references == ()
    assert any("7:5" in n for n in notes) and any("does not exist" in n for n in notes)


def test_a_run_groups_prompts_by_concept_and_a_second_run_extends_the_batch(live_ctx: AppContext) -> None:
    ctx = live_ctx
    settings = am.BatchSettings("1:1", "1K", "png", 2)
    first = am.run_prompts(ctx, [entry("fox", "animals"), entry("owl", "animals"), entry("car", "cars")], settings)
    assert first.new_batch and first.added == 6 and first.cost_estimate == 0.9
    jobs = ctx.store.jobs.list(batch_id=first.batch.id)
    assert [(j.job_index, j.prompt_index, j.variant_index) for j in jobs] == [
        (0, 0, 0), (1, 0, 1), (2, 1, 0), (3, 1, 1), (4, 2, 0), (5, 2, 1)]
    assert [j.request["meta"]["concept"] for j in jobs] == ["animals"] * 4 + ["cars"] * 2
    assert ctx.store.batches.get(first.batch.id).cost_estimate == 0.9

    more = am.run_prompts(ctx, [entry("boat", "sea")], am.BatchSettings("1:1", "4K", "png", 1),
                          batch_id=first.batch.id)
    assert not more.new_batch and more.added == 1 and more.batch.id == first.batch.id
    added = ctx.store.jobs.list(batch_id=first.batch.id)[-1]
    assert (added.job_index, added.prompt_index) == (6, 3) and added.request["arguments"]["resolution"] == "4K"
    assert ctx.store.batches.get(first.batch.id).cost_estimate == 1.2
    assert len(ctx.store.jobs.list()) == 7  # nothing else was queued again

    summary = am.batch_summary(ctx, first.batch.id)
    assert summary.total == 7 and summary.active == 7 and summary.finished == 0


def test_the_budget_is_checked_for_the_whole_run_before_anything_is_written(settings) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    context = AppContext(replace(settings, budget_cap=0.4, provider_mode="live", fal_key="test-key"))
    try:
        with pytest.raises(BudgetExceeded, match=r"estimated at \$0.45"):
            am.run_prompts(context, [entry("a", "x"), entry("b", "y"), entry("c", "z")],
                           am.BatchSettings("1:1", "1K", "png", 1))
        assert context.store.batches.latest("asset_monster") is None and context.store.jobs.list() == []
    finally:
        context.close()


def test_redo_regenerates_done_jobs_and_retries_failed_ones(ctx: AppContext) -> None:
    result = am.run_prompts(ctx, [entry("fox"), entry("owl")], am.BatchSettings("1:1", "1K", "png", 1))
    done, failed = ctx.store.jobs.list(batch_id=result.batch.id)
    with pytest.raises(InputError, match="still pending"):
        plan_redo(ctx, done.id)
    ctx.store.jobs.update(done.id, status=JobState.DONE)
    ctx.store.jobs.update(failed.id, status=JobState.FAILED, error="boom")
    plan = plan_redo(ctx, done.id)
    again = commit(ctx, plan)
    assert plan.action == "regenerate" and again.job_ids[0] != done.id
    assert ctx.store.jobs.get(again.job_ids[0]).parent_job_id == done.id
    plan = plan_redo(ctx, failed.id)
    retried = commit(ctx, plan)
    assert plan.action == "retry" and retried.requeued == [failed.id]
    assert ctx.store.jobs.get(failed.id).status == JobState.PENDING


def test_views_carry_ratings_and_durations(ctx: AppContext) -> None:
    result = am.run_prompts(ctx, [entry("a"), entry("b"), entry("c")], am.BatchSettings("1:1", "1K", "png", 1))
    first, second, _ = ctx.store.jobs.list(batch_id=result.batch.id)
    start = first.created_at
    ctx.store.jobs.update(first.id, status=JobState.DONE, submitted_at=start, finished_at=start + timedelta(seconds=8))
    ctx.store.jobs.update(second.id, status=JobState.FAILED, submitted_at=start, finished_at=start)
    image = ctx.store.images.add(job_id=first.id, batch_id=result.batch.id, local_path="/x/a.png", file_name="a.png",
                                 concept="c", prompt={"style": "a"})
    ctx.store.ratings.rate(image.id, -1)
    views = am.batch_job_views(ctx, result.batch.id)
    assert [v.rating for v in views] == [-1, None, None]
    assert am.finished_durations(views) == {first.id: 8.0}
    summary = am.batch_summary(ctx, result.batch.id)
    assert (summary.total, summary.finished, summary.active) == (3, 2, 1)
    assert summary.count(JobState.FAILED) == 1


def test_viewer_launcher_needs_a_display(tmp_path: Path) -> None:
    image = make_image(tmp_path / "x.png")
    calls: list[list[str]] = []
    ssh = am.ViewerLauncher(env={"SSH_CONNECTION": "1"}, platform="linux", popen=lambda a, **k: calls.append(a))
    assert ssh.open(image) == f"No display here (SSH?); the file is {image}" and calls == []
    missing_tool = am.ViewerLauncher(env={"WAYLAND_DISPLAY": "w"}, platform="linux", which=lambda c: None)
    assert "xdg-open is not installed" in (missing_tool.open(image) or "")
    desktop = am.ViewerLauncher(env={"WAYLAND_DISPLAY": "w"}, platform="linux", which=lambda c: c,
                                popen=lambda a, **k: calls.append(a))
    assert desktop.open(image) is None and calls == [["xdg-open", str(image)]]
    assert "missing" in (desktop.open(tmp_path / "gone.png") or "")


def test_export_path_and_references(ctx: AppContext, tmp_path: Path) -> None:
    result = am.run_prompts(ctx, [entry("Fox: in/the snow!", "Fox: in/the snow!")],
                            am.BatchSettings("1:1", "1K", "png", 1))
    path = am.default_export_path(ctx, result.batch)
    assert path == ctx.settings.home / "exports" / f"fox-in-the-snow_batch{result.batch.id}.zip"
    face = make_image(tmp_path / "face.webp", fmt="WEBP")
    assert am.check_reference(face) == str(face.resolve())
    with pytest.raises(InputError, match="already a reference"):
        am.check_reference(face, (str(face.resolve()),))
    with pytest.raises(InputError, match="at most 5"):
        am.check_reference(face, tuple(f"/x/{n}.png" for n in range(5)))
    gif = tmp_path / "anim.gif"
    make_image(gif, fmt="GIF")
    with pytest.raises(InputError, match="use JPEG, PNG or WebP"):
        am.check_reference(gif)
    assert json.loads(json.dumps(am.BatchSettings("1:1", "1K", "png", 1).to_preset()))["variants"] == 1
