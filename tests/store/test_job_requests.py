"""How a job's request is stored (store/job_requests.py): the flattened prompt left out only where it is made again
exactly, the whole request back on every read, on both backends."""
from __future__ import annotations

import json

import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core.flatten import flatten_prompt
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.core.requests import image_request, speech_request, transform_request
from pixflow_tui.store import LATEST_VERSION, Store, job_requests
from tests.db_helpers import sql

PROMPT = PromptOutput.model_validate({
    "style": "CRITICAL: a florist at dawn, editorial portrait",
    "pose": {"framing": "waist up", "body_position": "leaning on a counter", "expression": {"facial": "calm"}},
    "lighting": {"setup": "soft window light", "mood": "quiet"},
    "set_design": {"backdrop": "shelves of buckets and stems"},
    "outfit": {"main": "linen apron", "accessories": "garden scissors"},
    "hairstyle": {"style": "loose bun"},
    "makeup": {"style": "natural", "lips": "tinted balm"},
    "camera": {"lens": "85mm", "angle": "eye level"},
    "effects": {"color_grade": "warm pastel", "grain": "fine"},
})


def test_the_flattened_text_is_pinned() -> None:
    """Stored image jobs make their `arguments.prompt` again with flatten_prompt: if this text changes, jobs stored
    before the change would be sent another text. Keep the old flattening for them before changing it."""
    assert flatten_prompt(PROMPT, 1) == (
        "Keep the person from the reference image exactly as they are: same face, identity, age and expression; "
        "show a single person only. CRITICAL: a florist at dawn, editorial portrait. Pose: waist up, leaning on a "
        "counter, calm. Lighting: soft window light, quiet. Background: shelves of buckets and stems. Outfit: linen "
        "apron, garden scissors. Hair: loose bun. Makeup: natural, tinted balm. Camera: 85mm, eye level. Effects: "
        "warm pastel, fine")


def stored_after_create(store: Store, request: dict) -> str:
    job = store.jobs.create(kind=JobKind(request["kind"]), provider="fal", model=request["model"], request=request)
    assert json.dumps(job.request) == json.dumps(request)
    assert json.dumps(store.jobs.get(job.id).request) == json.dumps(request)
    assert [json.dumps(j.request) for j in store.jobs.list() if j.id == job.id] == [json.dumps(request)]
    return str(sql(store.db, "SELECT request FROM jobs WHERE id = ?", (job.id,)).fetchone()[0])


@pytest.mark.both_backends
def test_only_a_text_made_again_exactly_is_left_out(store: Store) -> None:
    flattened = image_request(PROMPT, references=["/refs/a.png"]).to_dict()
    text = flattened["arguments"]["prompt"]
    assert text not in stored_after_create(store, flattened)
    transform = transform_request("make the apron   blue", "/o/1.png").to_dict()
    assert '"prompt": "make the apron blue"' not in stored_after_create(store, transform)
    # a text that is not what the structured prompt makes (written by hand, an earlier flattening) is kept
    own_words = {**flattened, "arguments": {**flattened["arguments"], "prompt": text + " Extra words."}}
    assert "Extra words." in stored_after_create(store, own_words)
    speech = speech_request("Hello there", "Aria").to_dict()
    assert stored_after_create(store, speech) == json.dumps(speech)


def test_a_request_in_its_stored_form_is_refused() -> None:
    stored = job_requests.encode(image_request(PROMPT).to_dict())
    with pytest.raises(ValueError, match="whole"):
        job_requests.encode(json.loads(stored))


def test_an_earlier_versions_text_reads_as_it_is() -> None:
    whole = image_request(PROMPT).to_dict()
    assert json.dumps(job_requests.decode(json.dumps(whole), lambda _: None)) == json.dumps(whole)


@pytest.mark.both_backends
def test_migration_0014_rewrites_earlier_rows(settings: Settings, store: Store) -> None:
    """A done job of an earlier version ends up pointing at its first image's prompt; an unfinished one keeps its
    structured prompt; both read back whole."""
    whole = image_request(PROMPT, references=["/refs/a.png"]).to_dict()
    done = store.jobs.create(kind=JobKind.IMAGE, provider="fal", model=whole["model"], request=whole)
    pending = store.jobs.create(kind=JobKind.IMAGE, provider="fal", model=whole["model"], request=whole)
    first = store.images.add(job_id=done.id, local_path="/o/1.png", file_name="1.png", concept="florist",
                             prompt=whole["meta"]["prompt"])
    store.images.add(job_id=done.id, local_path="/o/2.png", file_name="2.png", concept="florist",
                     prompt=whole["meta"]["prompt"])
    for job in (done, pending):  # as an earlier version stored them
        sql(store.db, "UPDATE jobs SET request = ? WHERE id = ?", (json.dumps(whole), job.id))
    sql(store.db, "DELETE FROM schema_migrations WHERE version >= 14")
    store.close_thread_connection()
    again = Store.open(settings)
    try:
        assert again.schema_version == LATEST_VERSION
        rows = dict(sql(again.db, "SELECT id, request FROM jobs").fetchall())
        assert json.loads(rows[done.id])["rebuilt"] == {"prompt": "flattened", "meta_prompt": first.id}
        assert json.loads(rows[pending.id])["rebuilt"] == {"prompt": "flattened"}
        assert all(whole["arguments"]["prompt"] not in text for text in rows.values())
        assert '"style"' not in rows[done.id] and '"style"' in rows[pending.id]
        for job in (done, pending):
            assert json.dumps(again.jobs.get(job.id).request) == json.dumps(whole)
    finally:
        again.close_thread_connection()
