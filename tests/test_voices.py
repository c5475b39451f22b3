"""Voice previews: made once through the door, then kept (never paid twice)."""
from __future__ import annotations

import asyncio
import dataclasses

import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core import catalog
from pixflow_tui.workflows import voices
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.paid_work import commit


def test_a_preview_is_made_once_and_kept(settings: Settings) -> None:
    ctx = AppContext(dataclasses.replace(settings, provider_mode="demo", demo_latency=0.0))
    try:
        listed = voices.list_voices(ctx)
        assert [v.name for v in listed] == [v.name for v in catalog.VOICES] and all(v.preview is None for v in listed)
        plan = voices.plan_voice_preview(ctx, "lily")
        assert plan is not None and plan.models == {catalog.SPEECH_MODEL: 1}
        done = commit(ctx, plan)
        asyncio.run(ctx.run_jobs(batch_ids=[done.batch_id]))
        lily = voices.voice_info(ctx, "Lily")
        assert lily.preview and lily.preview.endswith(".mp3") and lily.description == "female, UK"
        assert voices.plan_voice_preview(ctx, "Lily") is None  # kept: nothing to pay
        with pytest.raises(InputError, match="voice 'Nobody'"):
            voices.plan_voice_preview(ctx, "Nobody")
    finally:
        ctx.close()


def test_cli_lists_voices_and_makes_a_preview_once(capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from pixflow_tui.cli import main

    assert main(["voices", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 10 and listed[0]["preview"] is None
    assert main(["voices", "preview", "Aria", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["name"] == "Aria" and made["preview"].endswith(".mp3")
    assert main(["voices", "preview", "Aria", "--json"]) == 0  # kept: no second job
    capsys.readouterr()
    assert main(["jobs", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert main(["voices", "preview", "Nobody"]) == 2
