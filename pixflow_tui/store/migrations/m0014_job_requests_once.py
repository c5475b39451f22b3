"""A job's request keeps its prompt once (store/job_requests.py): an image job's flattened `arguments.prompt`
is left out where it can be made again from the structured prompt, and a job whose image is saved points at that
image's prompt (its first image, the one the engine saved first) instead of keeping a copy. Rows are rewritten
in Python, the same way on both backends, a thousand jobs at a time."""
from __future__ import annotations

import json

from peewee import Database

from pixflow_tui.store import job_requests

_CHUNK = 1000


def stored_form(text: str, first_image: tuple[int, str] | None) -> str:
    """What a job's request of an earlier version is stored as now (unchanged when it already is)."""
    request = json.loads(text)
    if not isinstance(request, dict) or job_requests.REBUILT in request:
        return text
    stored = job_requests.encode(request)
    if first_image is not None:
        stored = job_requests.point_at_image(stored, *first_image) or stored
    return stored


def up(db: Database) -> None:
    p = db.param
    last = 0
    while True:
        rows = db.execute_sql(f'SELECT id, request FROM "jobs" WHERE id > {p} AND kind = {p} ORDER BY id LIMIT {_CHUNK}',
                              (last, "image")).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        ids = [job_id for job_id, _ in rows]
        first: dict[int, tuple[int, str]] = {}
        for image_id, job_id, prompt in db.execute_sql(
                f'SELECT id, job_id, prompt FROM "generated_images" WHERE job_id IN ({", ".join([p] * len(ids))}) '
                "ORDER BY id", ids).fetchall():
            first.setdefault(job_id, (image_id, prompt))
        for job_id, text in rows:
            stored = stored_form(text, first.get(job_id)) if text else text
            if stored != text:
                db.execute_sql(f'UPDATE "jobs" SET request = {p} WHERE id = {p}', (stored, job_id))
