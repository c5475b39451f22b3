"""Jobs and batches: the durable ledger behind the job engine."""
from __future__ import annotations

import builtins  # in the repositories, `list` names their list() method

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from peewee import fn

from pixflow_tui.core.jobs import RESUMABLE_STATES, JobKind, JobState
from pixflow_tui.store import job_requests
from pixflow_tui.store.fields import dollars
from pixflow_tui.store.models import IS_UNFINISHED, UNFINISHED, Batch, BatchTag, GeneratedImage, Job, tuples, utcnow
from pixflow_tui.store.records import BatchRecord, JobRecord, job_record

_JSON_FIELDS = {"handle", "result"}


def _image_prompts(image_ids: Iterable[int]) -> dict[int, str]:
    """The stored prompt JSON of each image (the prompts jobs point at once their image is saved)."""
    wanted = sorted(set(image_ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        query = GeneratedImage.select(GeneratedImage.id, GeneratedImage.prompt).where(
            GeneratedImage.id.in_(wanted[start:start + 500]))
        found.update(tuples(query))
    return found


def _image_prompt(image_id: int) -> str | None:
    return _image_prompts([image_id]).get(image_id)


def point_job_at_image(job_id: int, image_id: int, prompt_json: str) -> None:
    """Once a job's image is saved (with the job's structured prompt), the job keeps no copy of that prompt: its
    stored request points at the image's. The job's `updated_at` stays: the job itself did not change.

    Plain SQL: this runs for every image the engine saves, and peewee's two query builds cost more than both reads."""
    database = Job._meta.database
    p = database.param
    found = database.execute_sql(f'SELECT "request" FROM "jobs" WHERE "id" = {p}', (job_id,)).fetchone()
    stored = job_requests.point_at_image(found[0], image_id, prompt_json) if found and found[0] else None
    if stored is not None:
        database.execute_sql(f'UPDATE "jobs" SET "request" = {p} WHERE "id" = {p}', (stored, job_id))


def give_prompt_back(image_id: int) -> None:
    """Before an image's prompt changes or the image goes: a job pointing at its prompt gets its own copy back."""
    found = builtins.list(tuples(GeneratedImage.select(GeneratedImage.job, GeneratedImage.prompt).where(
        GeneratedImage.id == image_id)))
    if not found:
        return
    job_id, prompt_json = found[0]
    text = Job.select(Job.request).where(Job.id == job_id).scalar()
    stored = job_requests.with_prompt_back(text, image_id, prompt_json) if text else None
    if stored is not None:
        Job.update(request=stored).where(Job.id == job_id).execute()


def job_records(rows: Iterable[Job]) -> builtins.list[JobRecord]:
    """The records of many rows, reading the prompts their requests point at in one query."""
    rows = builtins.list(rows)
    pointing = [job_requests.image_holding_prompt(json.loads(row.request)) for row in rows
                if row.request and '"meta_prompt"' in row.request]
    prompts = _image_prompts(image_id for image_id in pointing if image_id is not None)
    return [job_record(row, prompts.get) for row in rows]


def _column_values(fields: dict[str, Any]) -> dict[Any, Any]:
    values: dict[Any, Any] = {}
    for name, value in fields.items():
        if name in _JSON_FIELDS and value is not None and not isinstance(value, str):
            value = json.dumps(value)
        if name == "request" and isinstance(value, dict):
            value = job_requests.encode(value)
        if name == "status":
            value = str(value)
        if name == "parent_job_id":
            name = "parent"
        values[getattr(Job, name)] = value
    values[Job.updated_at] = utcnow()
    return values


class _HotSql:
    """Statements for the engine's per-job path, written once per shape. Peewee builds a query anew on every call
    (0.2–0.7 ms of CPU each); these cost a few hundredths of that. Plain SQL with the backend's placeholder."""

    def __init__(self) -> None:
        self._texts: dict[tuple[Any, ...], str] = {}
        self._fields = Job._meta.sorted_fields

    def _text(self, key: tuple[Any, ...], build: Any) -> str:
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = build(Job._meta.database.param)
        return text

    def execute(self, key: tuple[Any, ...], build: Any, params: Sequence[Any]) -> Any:
        return Job._meta.database.execute_sql(self._text(key, build), params)

    def select_one(self, job_id: int) -> SimpleNamespace | None:
        def build(p: str) -> str:
            return f'SELECT {", ".join(_q(f.column_name) for f in self._fields)} FROM "jobs" WHERE "id" = {p}'
        row = self.execute(("get",), build, (job_id,)).fetchone()
        if row is None:
            return None
        values = {f.name: f.python_value(v) for f, v in zip(self._fields, row)}
        return SimpleNamespace(**values, batch_id=values["batch"], parent_job_id=values["parent"])

    def update(self, job_id: int, fields: dict[str, Any], from_states: list[str] | None) -> int:
        columns, values = [], []
        for field, value in _column_values(fields).items():
            columns.append(field.column_name)
            values.append(field.db_value(value))

        def build(p: str) -> str:
            where = f'"id" = {p}'
            if from_states is not None:
                where += f' AND "status" IN ({", ".join([p] * len(from_states))})'
            return f'UPDATE "jobs" SET {", ".join(f"{_q(c)} = {p}" for c in columns)} WHERE {where}'
        key = ("update", tuple(columns), None if from_states is None else len(from_states))
        return self.execute(key, build, [*values, job_id, *(from_states or [])]).rowcount


def _q(name: str) -> str:
    return f'"{name}"'


class JobRepository:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self._sql = _HotSql()

    def create(
        self,
        *,
        kind: JobKind,
        provider: str,
        model: str,
        request: dict[str, Any],
        batch_id: int | None = None,
        job_index: int = 0,
        prompt_index: int = 0,
        variant_index: int = 0,
        cost_estimate: float = 0.0,
        parent_job_id: int | None = None,
        lease_owner: str | None = None,
        lease_expires: float | None = None,
    ) -> JobRecord:
        """Only the one door for paid work (workflows/paid_work.py) calls this; a test enforces it. A lease given
        here keeps the new job with the process that created it while that process lives."""
        row = Job.create(
            user=self.user_id,
            batch=batch_id,
            kind=str(kind),
            provider=provider,
            model=model,
            request=job_requests.encode(request),
            job_index=job_index,
            prompt_index=prompt_index,
            variant_index=variant_index,
            cost_estimate=cost_estimate,
            parent=parent_job_id,
            lease_owner=lease_owner,
            lease_expires=lease_expires,
        )
        return job_record(Job.get_by_id(row.id), _image_prompt)

    def requeue(self, job_id: int, from_state: JobState, target: JobState, **fields: Any) -> bool:
        """Send a finished job round again (only the one door for paid work calls this; a test enforces it)."""
        return self.transition(job_id, [from_state], status=target, error=None, finished_at=None, **fields)

    def in_flight_estimate(self) -> float:
        """What unfinished paid jobs are expected to cost: counted against the budget before they are billed."""
        # a paused job the provider has is still made (and billed) there
        states = [str(s) for s in (*RESUMABLE_STATES, JobState.UNKNOWN, JobState.PAUSED)]
        total = (
            Job.select(fn.SUM(Job.cost_estimate))
            .where((Job.user == self.user_id) & Job.status.in_(states) & Job.cost.is_null()
                   & (Job.provider != "demo"))
            .scalar()
        )
        return dollars(total)  # SUM is not converted by the field: micro-dollars

    def get(self, job_id: int) -> JobRecord | None:
        row = self._sql.select_one(job_id)
        return job_record(row, _image_prompt) if row else None

    def list(
        self,
        *,
        batch_id: int | None = None,
        statuses: Iterable[JobState] | None = None,
        provider: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> builtins.list[JobRecord]:
        query = Job.select().where(Job.user == self.user_id)
        if batch_id is not None:
            query = query.where(Job.batch == batch_id)
        if statuses is not None:
            wanted = {str(s) for s in statuses}
            query = query.where(Job.status.in_(sorted(wanted)))
            if wanted <= set(UNFINISHED):  # lets the planner take the small index of unfinished jobs
                query = query.where(IS_UNFINISHED)
        if provider is not None:
            query = query.where(Job.provider == provider)
        query = query.order_by(Job.id.desc() if newest_first else Job.id)
        if limit:
            query = query.limit(limit)
        return job_records(query)

    def update(self, job_id: int, **fields: Any) -> None:
        self._sql.update(job_id, fields, None)

    def transition(self, job_id: int, from_states: Iterable[JobState], **fields: Any) -> bool:
        """Update only while the job is still in one of `from_states`; True when the row changed."""
        return self._sql.update(job_id, fields, [str(s) for s in from_states]) == 1

    def claim(self, job_id: int, owner: str, now: float, lease_seconds: float) -> bool:
        """Take the lease on a job unless another live owner holds it."""
        free = Job.lease_owner.is_null() | (Job.lease_owner == owner) | (Job.lease_expires < now)
        changed = (
            Job.update(lease_owner=owner, lease_expires=now + lease_seconds)
            .where((Job.id == job_id) & free)
            .execute()
        )
        return changed == 1

    def claim_many(self, job_ids: builtins.list[int], owner: str, now: float, lease_seconds: float) -> set[int]:
        """Take the lease on each job no other live owner holds (one write per 500 jobs); returns those now ours."""
        free = Job.lease_owner.is_null() | (Job.lease_owner == owner) | (Job.lease_expires < now)
        ours: set[int] = set()
        for start in range(0, len(job_ids), 500):
            chunk = job_ids[start:start + 500]
            Job.update(lease_owner=owner, lease_expires=now + lease_seconds).where(Job.id.in_(chunk) & free).execute()
            ours.update(job_id for (job_id,) in tuples(Job.select(Job.id).where(
                Job.id.in_(chunk) & (Job.lease_owner == owner))))
        return ours

    def claimable(self, owner: str, now: float,
                  *, states: Iterable[JobState] | None = None) -> builtins.list[tuple[int, JobState, int | None]]:
        """(id, status, batch id) of unfinished jobs whose lease is free, expired or already ours, oldest first.

        The lease test and the order are applied here: in SQL they tempt the planner to walk every job."""
        query = Job.select(Job.id, Job.status, Job.batch, Job.lease_owner, Job.lease_expires).where(
            (Job.user == self.user_id)
            & (IS_UNFINISHED if states is None else Job.status.in_([str(s) for s in states])))
        return sorted((job_id, JobState(status), batch_id)
                      for job_id, status, batch_id, lease_owner, expires in tuples(query)
                      if lease_owner is None or lease_owner == owner or (expires is not None and expires < now))

    def status_of(self, job_id: int) -> JobState | None:
        row = self._sql.execute(("status",), lambda p: f'SELECT "status" FROM "jobs" WHERE "id" = {p}',
                                (job_id,)).fetchone()
        return JobState(row[0]) if row and row[0] else None

    def leased_by_others(self, owner: str, now: float) -> builtins.list[JobRecord]:
        """Unfinished jobs another owner holds a live lease on."""
        query = Job.select().where(
            (Job.user == self.user_id) & IS_UNFINISHED
            & Job.lease_owner.is_null(False) & (Job.lease_owner != owner) & (Job.lease_expires >= now)
        )
        return job_records(query)

    def take_over(self, job_id: int, previous_owner: str, owner: str, expires: float) -> bool:
        """Take a lease from an owner known to be dead; only one taker wins."""
        changed = Job.update(lease_owner=owner, lease_expires=expires).where(
            (Job.id == job_id) & (Job.lease_owner == previous_owner)
        ).execute()
        return changed == 1

    def renew_leases(self, owner: str, job_ids: Iterable[int], expires: float) -> None:
        ids = list(job_ids)
        if ids:
            Job.update(lease_expires=expires).where(Job.id.in_(ids) & (Job.lease_owner == owner)).execute()

    def release(self, job_id: int, owner: str) -> None:
        self._sql.execute(("release",), lambda p: 'UPDATE "jobs" SET "lease_owner" = NULL, "lease_expires" = NULL '
                          f'WHERE "id" = {p} AND "lease_owner" = {p}', (job_id, owner))

    def release_all(self, owner: str) -> int:
        """Give up every lease `owner` holds (a process closing): others may take those jobs over at once."""
        return Job.update(lease_owner=None, lease_expires=None).where(Job.lease_owner == owner).execute()

    def count_by_status(self, batch_id: int | None = None) -> dict[JobState, int]:
        query = Job.select(Job.status, fn.COUNT(Job.id)).where(Job.user == self.user_id)
        if batch_id is not None:
            query = query.where(Job.batch == batch_id)
        return {JobState(status): count for status, count in tuples(query.group_by(Job.status))}

    def active_count(self) -> int:
        return Job.select().where((Job.user == self.user_id) & IS_UNFINISHED).count()

    def active_by_status(self) -> dict[JobState, int]:
        """The unfinished jobs per state (read from the unfinished-jobs index, never the finished ones)."""
        query = Job.select(Job.status, fn.COUNT(Job.id)).where((Job.user == self.user_id) & IS_UNFINISHED)
        return {JobState(status): count for status, count in tuples(query.group_by(Job.status))}

    def request_ids_sent_since(self, model: str, since: datetime) -> set[str]:
        """The request ids that jobs of `model` (anyone's) sent since `since` follow: for finding an `unknown` job's
        own request among look-alikes. A rare recovery read, not indexed."""
        query = Job.select(Job.request_id).where((Job.model == model) & (Job.submitted_at >= since)
                                                 & Job.request_id.is_null(False))
        return {str(request_id) for (request_id,) in tuples(query)}

    def spend_since(self, since: datetime) -> float:
        """What the provider billed: a job's cost is set when the provider finishes it (state downloading), so a
        job still downloading, or one that failed locally afterwards, counts too (by its submit time until it
        has a finish time)."""
        finished = Job.finished_at >= since
        unfinished = Job.finished_at.is_null() & (Job.submitted_at >= since)
        total = 0
        for when in (finished, unfinished):  # two range reads of one index; an OR of both tempts a full walk
            part = Job.select(fn.SUM(Job.cost)).where((Job.user == self.user_id) & when & Job.cost.is_null(False))
            total += int(part.scalar() or 0)  # SUM is not converted by the field: micro-dollars
        return dollars(total)


def batch_record(row: Batch, tags: Iterable[str] = ()) -> BatchRecord:
    return BatchRecord(
        id=row.id,
        module=row.module,
        name=row.name,
        concept=row.concept,
        settings=json.loads(row.settings or "{}"),
        status=row.status,
        cost_estimate=row.cost_estimate,
        cost_actual=row.cost_actual,
        created_at=row.created_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
        tags=tuple(sorted(tags)),
    )


class BatchRepository:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    def create(
        self, *, module: str, name: str = "", concept: str = "", settings: dict[str, Any] | None = None,
        cost_estimate: float = 0.0,
    ) -> BatchRecord:
        row = Batch.create(
            user=self.user_id, module=module, name=name, concept=concept,
            settings=json.dumps(settings or {}), cost_estimate=cost_estimate,
        )
        return batch_record(Batch.get_by_id(row.id))

    def get(self, batch_id: int) -> BatchRecord | None:
        row = Batch.get_or_none((Batch.id == batch_id) & (Batch.user == self.user_id))
        return batch_record(row, self.tags(batch_id)) if row else None

    def list(
        self, *, module: str | None = None, tag: str | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[BatchRecord]:
        query = Batch.select().where(Batch.user == self.user_id)
        if module:
            query = query.where(Batch.module == module)
        if tag:
            query = query.where(Batch.id.in_(BatchTag.select(BatchTag.batch).where(BatchTag.tag == tag)))
        rows = list(query.order_by(Batch.created_at.desc(), Batch.id.desc()).limit(limit).offset(offset))
        tags: dict[int, list[str]] = {}
        if rows:
            for batch_id, text in tuples(BatchTag.select(BatchTag.batch, BatchTag.tag).where(
                BatchTag.batch.in_([r.id for r in rows])
            )):
                tags.setdefault(batch_id, []).append(text)
        return [batch_record(row, tags.get(row.id, ())) for row in rows]

    def latest(self, module: str) -> BatchRecord | None:
        found = self.list(module=module, limit=1)
        return found[0] if found else None

    def update(self, batch_id: int, **fields: Any) -> None:
        values: dict[Any, Any] = {Batch.updated_at: utcnow()}
        for name, value in fields.items():
            if name == "settings" and not isinstance(value, str):
                value = json.dumps(value)
            values[getattr(Batch, name)] = value
        Batch.update(values).where(Batch.id == batch_id).execute()

    def add_cost(self, batch_id: int, amount: float) -> None:
        """Add what a job billed to its batch (once per finished job: plain SQL, as the engine's other per-job
        writes; peewee's query building cost more than the write)."""
        cost, updated = Batch.cost_actual, Batch.updated_at
        database = Batch._meta.database
        p = database.param
        database.execute_sql(f'UPDATE "{Batch._meta.table_name}" SET "{cost.column_name}" = "{cost.column_name}" + {p}, '
                             f'"{updated.column_name}" = {p} WHERE "id" = {p}',
                             (cost.db_value(amount), updated.db_value(utcnow()), batch_id))

    def tags(self, batch_id: int) -> builtins.list[str]:
        return sorted(t for (t,) in tuples(BatchTag.select(BatchTag.tag).where(BatchTag.batch == batch_id)))

    def add_tag(self, batch_id: int, tag: str) -> None:
        tag = tag.strip()
        if not tag:
            raise ValueError("a tag cannot be empty")
        BatchTag.insert(batch=batch_id, tag=tag).on_conflict_ignore().execute()

    def remove_tag(self, batch_id: int, tag: str) -> None:
        BatchTag.delete().where((BatchTag.batch == batch_id) & (BatchTag.tag == tag)).execute()

    def all_tags(self) -> builtins.list[str]:
        query = (
            BatchTag.select(BatchTag.tag).join(Batch).where(Batch.user == self.user_id).distinct().order_by(BatchTag.tag)
        )
        return [t for (t,) in tuples(query)]
