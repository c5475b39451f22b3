"""Jobs that use another job's output (a lipsync of a speech job's audio): a file named `job:<id>` in the request
is that job's output. The whole chain is planned, priced and confirmed at once; the engine sends a dependent job
only once what it needs is done, and fails it (with the reason) when that job failed."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pixflow_tui.core.jobs import FINISHED_STATES, JobState
from pixflow_tui.store import Store
from pixflow_tui.store.records import JobRecord

PREFIX = "job:"
WAIT_SECONDS = 1.0  # between looks at the job waited on (a ledger read, no provider call)


def job_ref(job_id: int) -> str:
    return f"{PREFIX}{job_id}"


def needed_jobs(request: dict[str, Any]) -> list[int]:
    refs = []
    for value in request.get("files", {}).values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.startswith(PREFIX) and item[len(PREFIX):].isdigit():
                refs.append(int(item[len(PREFIX):]))
    return refs


@dataclass(frozen=True)
class Readiness:
    job: JobRecord | None  # the job with its inputs filled in, when it can be sent
    waiting: bool = False  # a job it needs is still on its way
    failure: str = ""  # why it cannot be made


def resolve(store: Store, job: JobRecord) -> Readiness:
    """Fill in the outputs of the jobs `job` needs (stored, so lineage and a resume see them)."""
    needed = needed_jobs(job.request)
    if not needed:
        return Readiness(job)
    paths: dict[int, str] = {}
    meta = dict(job.request.get("meta", {}))
    for needed_id in needed:
        other = store.jobs.get(needed_id)
        if other is None:
            return Readiness(None, failure=f"the job it needs (#{needed_id}) no longer exists")
        if other.status != JobState.DONE:
            if other.status in FINISHED_STATES or other.status == JobState.UNKNOWN:
                return Readiness(None, failure=f"the job it needs (#{needed_id}) is {other.status}; retry that one "
                                               "first, then this one")
            return Readiness(None, waiting=True)
        if not other.output_path:
            return Readiness(None, failure=f"the job it needs (#{needed_id}) left no output")
        paths[needed_id] = other.output_path
        assets = store.assets.list(job_id=needed_id, limit=1)
        if assets:
            meta.setdefault("source_asset_id", assets[0].id)
    files = {name: _filled(value, paths) for name, value in job.request.get("files", {}).items()}
    request = {**job.request, "files": files, "meta": {**meta, "made_from_jobs": needed}}
    store.jobs.update(job.id, request=request)
    return Readiness(replace(job, request=request))


def _filled(value: Any, paths: dict[int, str]) -> Any:
    if isinstance(value, list):
        return [_filled(item, paths) for item in value]
    if isinstance(value, str) and value.startswith(PREFIX) and value[len(PREFIX):].isdigit():
        return paths[int(value[len(PREFIX):])]
    return value
