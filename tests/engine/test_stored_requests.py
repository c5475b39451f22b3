"""A job of an earlier version (its request holding the prompt twice) is rewritten by migration 0014 and is then
sent, retried and regenerated with exactly the arguments it had, on both backends."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobState
from pixflow_tui.providers.demo.prompts import concept_prompt
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.images import create_image_batch, plan_image_batch
from pixflow_tui.workflows.paid_work import commit, plan_redo, plan_retry
from tests.db_helpers import sql
from tests.emulators.fal_emulator import FalEmulator
from tests.engine.conftest import write_reference

pytestmark = pytest.mark.both_backends


def stored(ctx: AppContext, job_id: int) -> str:
    return str(sql(ctx.store.db, "SELECT request FROM jobs WHERE id = ?", (job_id,)).fetchone()[0])


def sent(fal: FalEmulator, app: str) -> list[dict[str, Any]]:
    """The arguments fal received for `app`, oldest first, uploaded references counted rather than compared."""
    found = [dict(r.arguments) for r in fal.requests.values() if r.app_id == app]
    for arguments in found:
        if "image_urls" in arguments:
            arguments["image_urls"] = len(arguments["image_urls"])
    return found


def expected_arguments(request: dict[str, Any]) -> dict[str, Any]:
    arguments = {**request["arguments"], **request["files"]}
    if "image_urls" in arguments:
        arguments["image_urls"] = len(arguments["image_urls"])
    return arguments


async def test_an_earlier_versions_jobs_are_sent_retried_and_regenerated_alike(
        live_settings: Settings, fal_env: FalEmulator, tmp_path: Path) -> None:
    reference = write_reference(tmp_path / "ref.png")
    ctx = AppContext(live_settings)
    plain = create_image_batch(ctx, plan_image_batch(ctx, [concept_prompt("florist at dawn", 1)], resolution="1K"))
    edited = create_image_batch(ctx, plan_image_batch(ctx, [concept_prompt("surfer by the sea", 2)],
                                                      references=[str(reference)], resolution="1K"))
    jobs = [*ctx.store.jobs.list(batch_id=plain.id), *ctx.store.jobs.list(batch_id=edited.id)]
    whole = {job.id: job.request for job in jobs}
    flat = {job.id: job.request["arguments"]["prompt"] for job in jobs}
    assert all(flat[job.id] not in stored(ctx, job.id) for job in jobs)  # stored once, the text made again
    for job in jobs:  # as an earlier version stored them: the flattened text beside the structured prompt
        sql(ctx.store.db, "UPDATE jobs SET request = ? WHERE id = ?", (json.dumps(job.request), job.id))
    sql(ctx.store.db, "DELETE FROM schema_migrations WHERE version >= 14")
    ctx.close()

    ctx = AppContext(live_settings)  # opening migrates
    try:
        assert ctx.store.schema_version >= 14
        for job in jobs:
            assert flat[job.id] not in stored(ctx, job.id)
            assert json.dumps(ctx.store.jobs.get(job.id).request) == json.dumps(whole[job.id])
        fal_env.inject("400", on="submit", times=1, app="fal-ai/nano-banana-pro/edit")
        await ctx.run_jobs(batch_ids=[plain.id, edited.id])
        plain_job, edited_job = jobs
        assert ctx.store.jobs.get(plain_job.id).status == JobState.DONE
        assert ctx.store.jobs.get(edited_job.id).status == JobState.FAILED
        assert sent(fal_env, "fal-ai/nano-banana-pro") == [expected_arguments(whole[plain_job.id])]

        (image,) = ctx.store.images.for_job(plain_job.id)
        assert json.loads(image.prompt_text) == whole[plain_job.id]["meta"]["prompt"]
        assert '"style"' not in stored(ctx, plain_job.id)  # its image holds the prompt now
        assert json.dumps(ctx.store.jobs.get(plain_job.id).request) == json.dumps(whole[plain_job.id])

        commit(ctx, plan_retry(ctx, [edited_job.id]))
        commit(ctx, plan_redo(ctx, plain_job.id))  # regenerate: a new job with the same request
        await ctx.run_jobs(batch_ids=[plain.id, edited.id])
        assert [j.status for j in ctx.store.jobs.list(batch_id=plain.id)] == [JobState.DONE, JobState.DONE]
        assert ctx.store.jobs.get(edited_job.id).status == JobState.DONE
        assert sent(fal_env, "fal-ai/nano-banana-pro") == [expected_arguments(whole[plain_job.id])] * 2
        assert sent(fal_env, "fal-ai/nano-banana-pro/edit") == [expected_arguments(whole[edited_job.id])]
    finally:
        ctx.close()


async def test_a_job_whose_image_changes_or_goes_keeps_its_own_prompt(live_ctx: AppContext,
                                                                      fal_env: FalEmulator) -> None:
    chosen = [concept_prompt("chef in a jazz club", 0), concept_prompt("boxer in the snow", 3)]
    batch = create_image_batch(live_ctx, plan_image_batch(live_ctx, chosen, resolution="1K"))
    await live_ctx.run_jobs(batch_ids=[batch.id])
    changed, deleted = live_ctx.store.jobs.list(batch_id=batch.id)
    whole = {job.id: json.dumps(job.request) for job in (changed, deleted)}
    assert all('"style"' not in stored(live_ctx, job_id) for job_id in whole)
    (image,) = live_ctx.store.images.for_job(changed.id)
    live_ctx.store.images.update(image.id, prompt={"style": "someone else's words"})
    (image,) = live_ctx.store.images.for_job(deleted.id)
    live_ctx.store.images.delete(image.id)
    for job_id, request in whole.items():
        assert json.dumps(live_ctx.store.jobs.get(job_id).request) == request
        plan = plan_redo(live_ctx, job_id)
        assert json.dumps(plan.jobs[0].request.to_dict()) == request
