"""History, favourites, presets, products, assets and pipeline runs."""
from __future__ import annotations

import builtins  # in the repositories, `list` names their list() method

import json
from typing import Any

from peewee import Database

from pixflow_tui.store import sqlite
from pixflow_tui.store.search_text import asset_search_text, favorite_search_text, history_search_text
from pixflow_tui.store.models import (
    Asset,
    Favorite,
    History,
    PipelineRun,
    Preset,
    Product,
    database_proxy,
    tuples,
    utcnow,
)
from pixflow_tui.store.records import (
    AssetRecord,
    FavoriteRecord,
    HistoryRecord,
    PipelineRunRecord,
    PresetRecord,
    ProductRecord,
)

PRESET_KINDS = ("prompt", "batch", "video")


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None


def history_record(row: History) -> HistoryRecord:
    return HistoryRecord(
        id=row.id, concept=row.concept, prompts=json.loads(row.prompts), prompt_count=row.prompt_count,
        source=row.source, model_used=row.model_used, variety_score=_json(row.variety_score),
        quality_metrics=_json(row.quality_metrics), product_id=row.product_id, created_at=row.created_at,
        research=_json(row.research),
    )


class HistoryRepository:
    def __init__(self, db: Database, user_id: int) -> None:
        self.db = db
        self.user_id = user_id

    def add(self, *, concept: str, prompts: builtins.list[dict[str, Any]], source: str = "generated",
            model_used: str | None = None, variety_score: dict[str, Any] | None = None,
            quality_metrics: dict[str, Any] | None = None, product_id: int | None = None,
            research: dict[str, Any] | None = None) -> HistoryRecord:
        with self.db.atomic():
            row = History.create(
                research=json.dumps(research) if research is not None else None,
                user=self.user_id, product=product_id, concept=concept, prompts=json.dumps(prompts),
                prompt_count=len(prompts), source=source, model_used=model_used,
                variety_score=json.dumps(variety_score) if variety_score is not None else None,
                quality_metrics=json.dumps(quality_metrics) if quality_metrics is not None else None,
            )
            sqlite.index_document(self.db, "history", row.id, history_search_text(concept, prompts))
        return history_record(History.get_by_id(row.id))

    def get(self, history_id: int) -> HistoryRecord | None:
        row = History.get_or_none((History.id == history_id) & (History.user == self.user_id))
        return history_record(row) if row else None

    def list(self, *, query: str = "", limit: int = 50, offset: int = 0) -> builtins.list[HistoryRecord]:
        select = History.select().where(History.user == self.user_id)
        matches = sqlite.search_subquery(self.db, "history", query) if query.strip() else None
        if matches is not None:
            select = select.where(History.id.in_(matches))
        select = select.order_by(History.created_at.desc(), History.id.desc()).limit(limit).offset(offset)
        return [history_record(row) for row in select]

    def count(self) -> int:
        return History.select().where(History.user == self.user_id).count()

    def delete(self, history_id: int) -> bool:
        mine = (History.id == history_id) & (History.user == self.user_id)
        with sqlite.write_transaction(self.db):
            if History.select(History.id).where(mine).exists():  # never another user's row or its search entry
                sqlite.remove_document(self.db, "history", history_id)  # while the row still holds its text
            deleted = History.delete().where(mine).execute()
        return deleted == 1

    def clear(self) -> int:
        with sqlite.write_transaction(self.db):
            ids = [h for (h,) in tuples(History.select(History.id).where(History.user == self.user_id))]
            for history_id in ids:
                sqlite.remove_document(self.db, "history", history_id)
            deleted = History.delete().where(History.user == self.user_id).execute()
        return deleted


def favorite_record(row: Favorite) -> FavoriteRecord:
    return FavoriteRecord(id=row.id, prompt=json.loads(row.prompt), name=row.name or "Untitled",
                          concept=row.concept, product_id=row.product_id, created_at=row.created_at)


class FavoriteRepository:
    def __init__(self, db: Database, user_id: int) -> None:
        self.db = db
        self.user_id = user_id

    def add(self, *, prompt: dict[str, Any], name: str = "", concept: str | None = None,
            product_id: int | None = None) -> FavoriteRecord:
        with self.db.atomic():
            row = Favorite.create(user=self.user_id, prompt=json.dumps(prompt), name=name.strip() or "Untitled",
                                  concept=concept, product=product_id)
            sqlite.index_document(self.db, "favorite", row.id, favorite_search_text(row.name or "Untitled", concept, prompt))
        return favorite_record(Favorite.get_by_id(row.id))

    def get(self, favorite_id: int) -> FavoriteRecord | None:
        row = Favorite.get_or_none((Favorite.id == favorite_id) & (Favorite.user == self.user_id))
        return favorite_record(row) if row else None

    def list(self, *, query: str = "", limit: int = 200, offset: int = 0) -> builtins.list[FavoriteRecord]:
        select = Favorite.select().where(Favorite.user == self.user_id)
        matches = sqlite.search_subquery(self.db, "favorite", query) if query.strip() else None
        if matches is not None:
            select = select.where(Favorite.id.in_(matches))
        select = select.order_by(Favorite.created_at.desc(), Favorite.id.desc()).limit(limit).offset(offset)
        return [favorite_record(row) for row in select]

    def rename(self, favorite_id: int, name: str) -> None:
        name = name.strip()
        if not name:
            raise ValueError("a favourite's name cannot be empty")
        with sqlite.write_transaction(self.db):
            fav = self.get(favorite_id)
            if fav is None:
                return
            sqlite.remove_document(self.db, "favorite", fav.id)  # by the old name, still in the row
            Favorite.update(name=name).where((Favorite.id == favorite_id) & (Favorite.user == self.user_id)).execute()
            sqlite.index_document(self.db, "favorite", fav.id, favorite_search_text(name, fav.concept, fav.prompt))

    def delete(self, favorite_id: int) -> bool:
        mine = (Favorite.id == favorite_id) & (Favorite.user == self.user_id)
        with sqlite.write_transaction(self.db):
            if Favorite.select(Favorite.id).where(mine).exists():
                sqlite.remove_document(self.db, "favorite", favorite_id)  # while the row still holds its text
            deleted = Favorite.delete().where(mine).execute()
        return deleted == 1


def preset_record(row: Preset) -> PresetRecord:
    return PresetRecord(id=row.id, name=row.name, description=row.description, kind=row.kind,
                        data=json.loads(row.prompt), is_builtin=bool(row.is_builtin), product_id=row.product_id,
                        created_at=row.created_at)


class PresetRepository:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    def create(self, *, name: str, kind: str, data: dict[str, Any], description: str | None = None,
               builtin: bool = False, product_id: int | None = None) -> PresetRecord:
        name = name.strip()
        if not name or len(name) > 200:
            raise ValueError("a preset name must be 1–200 characters")
        if kind not in PRESET_KINDS:
            raise ValueError(f"a preset kind must be one of {', '.join(PRESET_KINDS)}, not {kind!r}")
        text = json.dumps(data)
        if len(text) > 50_000:
            raise ValueError("a preset is limited to 50,000 characters of JSON")
        row = Preset.create(name=name, kind=kind, prompt=text, description=description, is_builtin=int(builtin),
                            user=None if builtin else self.user_id, product=product_id)
        return preset_record(row)

    def get(self, preset_id: int) -> PresetRecord | None:
        row = Preset.get_or_none(Preset.id == preset_id)
        return preset_record(row) if row else None

    def list(self, kind: str | None = None) -> builtins.list[PresetRecord]:
        query = Preset.select().where((Preset.user == self.user_id) | (Preset.is_builtin == 1))
        if kind:
            query = query.where(Preset.kind == kind)
        return [preset_record(r) for r in query.order_by(Preset.is_builtin.desc(), Preset.name)]

    def _own(self, preset_id: int) -> Preset:
        row = Preset.get_or_none(Preset.id == preset_id)
        if row is None:
            raise LookupError(f"no preset with id {preset_id}")
        if row.is_builtin:
            raise PermissionError(f"preset {row.name!r} is built in and read-only")
        if row.user_id != self.user_id:
            raise PermissionError(f"preset {row.name!r} belongs to another user")
        return row

    def rename(self, preset_id: int, name: str) -> None:
        row = self._own(preset_id)
        if not name.strip():
            raise ValueError("a preset name cannot be empty")
        row.name = name.strip()
        row.save()

    def delete(self, preset_id: int) -> None:
        self._own(preset_id).delete_instance()


def product_record(row: Product) -> ProductRecord:
    return ProductRecord(id=row.id, name=row.name, slug=row.slug, color_primary=row.color_primary,
                         color_accent=row.color_accent)


def list_products() -> list[ProductRecord]:
    return [product_record(r) for r in Product.select().where(Product.is_active == 1).order_by(Product.id)]


def asset_record(row: Asset) -> AssetRecord:
    return AssetRecord(
        id=row.id, kind=row.kind, job_id=row.job_id, batch_id=row.batch_id, local_path=row.local_path, url=row.url,
        prompt=row.prompt, model=row.model, provider=row.provider, metadata=json.loads(row.metadata or "{}"),
        duration=row.duration, source_image_id=row.source_image_id, source_asset_id=row.source_asset_id,
        created_at=row.created_at, concept=row.concept or "",
    )


class AssetRepository:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    def add(self, *, kind: str, local_path: str, metadata: dict[str, Any] | None = None, **fields: Any) -> AssetRecord:
        metadata = metadata or {}
        if not fields.get("concept") and isinstance(metadata.get("concept"), str):
            fields["concept"] = metadata["concept"]
        db = database_proxy.obj  # the opened database behind the proxy (the search SQL depends on its kind)
        with db.atomic():
            row = Asset.create(user=self.user_id, kind=kind, local_path=local_path, metadata=json.dumps(metadata),
                               **fields)
            sqlite.index_document(db, "asset", row.id, asset_search_text(row.concept or "", row.prompt or "", metadata))
        return asset_record(row)

    def get(self, asset_id: int) -> AssetRecord | None:
        row = Asset.get_or_none(Asset.id == asset_id)  # assets are shared by everyone using the library
        return asset_record(row) if row else None

    def list(self, *, kind: str | None = None, batch_id: int | None = None, job_id: int | None = None,
             source_image_id: int | None = None, limit: int = 100, offset: int = 0) -> builtins.list[AssetRecord]:
        query = Asset.select()
        if kind:
            query = query.where(Asset.kind == kind)
        if batch_id is not None:
            query = query.where(Asset.batch == batch_id)
        if job_id is not None:
            query = query.where(Asset.job == job_id)
        if source_image_id is not None:
            query = query.where(Asset.source_image == source_image_id)
        query = query.order_by(Asset.created_at.desc(), Asset.id.desc()).limit(limit).offset(offset)
        return [asset_record(r) for r in query]


def pipeline_record(row: PipelineRun) -> PipelineRunRecord:
    return PipelineRunRecord(id=row.id, concept=row.concept, settings=json.loads(row.settings), step=row.step,
                             status=row.status, failed_step=row.failed_step, artefacts=json.loads(row.artefacts),
                             error=row.error, created_at=row.created_at, updated_at=row.updated_at)


class PipelineRepository:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    def create(self, *, concept: str, settings: dict[str, Any], step: str = "idle", status: str = "pending",
               artefacts: dict[str, Any] | None = None) -> PipelineRunRecord:
        row = PipelineRun.create(user=self.user_id, concept=concept, settings=json.dumps(settings), step=step,
                                 status=status, artefacts=json.dumps(artefacts or {}))
        return pipeline_record(row)

    def get(self, run_id: int) -> PipelineRunRecord | None:
        row = PipelineRun.get_or_none((PipelineRun.id == run_id) & (PipelineRun.user == self.user_id))
        return pipeline_record(row) if row else None

    def update(self, run_id: int, **fields: Any) -> None:
        values: dict[Any, Any] = {PipelineRun.updated_at: utcnow()}
        for name, value in fields.items():
            if name in ("settings", "artefacts") and not isinstance(value, str):
                value = json.dumps(value)
            values[getattr(PipelineRun, name)] = value
        PipelineRun.update(values).where(PipelineRun.id == run_id).execute()

    def list(self, limit: int = 50) -> builtins.list[PipelineRunRecord]:
        query = PipelineRun.select().where(PipelineRun.user == self.user_id)
        return [pipeline_record(r) for r in query.order_by(PipelineRun.id.desc()).limit(limit)]
