"""Scripts and their versions (Avatar Studio): every generate, refine, translation or edit is a new version
pointing at its parent; the script's current version is where undo and redo stand."""
from __future__ import annotations

import builtins  # in the repositories, `list` names their list() method

import json
from typing import Any

from pixflow_tui.store.models import Script, ScriptVersion, utcnow
from pixflow_tui.store.records import ScriptRecord, ScriptVersionRecord


def version_record(row: ScriptVersion) -> ScriptVersionRecord:
    return ScriptVersionRecord(id=row.id, script_id=row.script_id, parent_id=row.parent_id, text=row.text,
                               language=row.language, action=row.action, settings=json.loads(row.settings or "{}"),
                               created_at=row.created_at)


class ScriptRepository:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    def _record(self, row: Script) -> ScriptRecord:
        current = self.version(row.current_version_id) if row.current_version_id else None
        return ScriptRecord(id=row.id, title=row.title, current=current, created_at=row.created_at,
                            updated_at=row.updated_at)

    def create(self, *, title: str, text: str, action: str, language: str = "",
               settings: dict[str, Any] | None = None) -> ScriptRecord:
        row = Script.create(user=self.user_id, title=title)
        self.add_version(row.id, text=text, action=action, language=language, settings=settings, parent_id=None)
        return self._record(Script.get_by_id(row.id))

    def get(self, script_id: int) -> ScriptRecord | None:
        row = Script.get_or_none((Script.id == script_id) & (Script.user == self.user_id))
        return self._record(row) if row else None

    def list(self, limit: int = 50) -> builtins.list[ScriptRecord]:
        rows = Script.select().where(Script.user == self.user_id).order_by(Script.updated_at.desc(),
                                                                            Script.id.desc()).limit(limit)
        return [self._record(row) for row in rows]

    def add_version(self, script_id: int, *, text: str, action: str, parent_id: int | None, language: str = "",
                    settings: dict[str, Any] | None = None, make_current: bool = True) -> ScriptVersionRecord:
        row = ScriptVersion.create(script=script_id, parent=parent_id, text=text, language=language, action=action,
                                   settings=json.dumps(settings or {}, ensure_ascii=False))
        if make_current:
            self.set_current(script_id, row.id)
        return version_record(row)

    def set_current(self, script_id: int, version_id: int) -> None:
        Script.update(current_version_id=version_id, updated_at=utcnow()).where(
            (Script.id == script_id) & (Script.user == self.user_id)).execute()

    def version(self, version_id: int) -> ScriptVersionRecord | None:
        row = ScriptVersion.get_or_none(ScriptVersion.id == version_id)
        return version_record(row) if row else None

    def versions(self, script_id: int) -> builtins.list[ScriptVersionRecord]:
        query = ScriptVersion.select().where(ScriptVersion.script == script_id).order_by(ScriptVersion.id)
        return [version_record(row) for row in query]

    def newest_child(self, version_id: int, *, exclude_action: str | None = None) -> ScriptVersionRecord | None:
        query = ScriptVersion.select().where(ScriptVersion.parent == version_id)
        if exclude_action is not None:
            query = query.where(ScriptVersion.action != exclude_action)
        row = query.order_by(ScriptVersion.id.desc()).first()
        return version_record(row) if row else None

    def rename(self, script_id: int, title: str) -> None:
        Script.update(title=title, updated_at=utcnow()).where(
            (Script.id == script_id) & (Script.user == self.user_id)).execute()
