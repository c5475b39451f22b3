"""People: each person who uses a shared library is a row in `users` (their login name, or `--user` / the setting
`user`). Ratings, favourites, history, presets and jobs belong to a person; assets are shared."""
from __future__ import annotations

import builtins

from pixflow_tui.store.models import User, tuples
from pixflow_tui.store.records import UserRecord


def user_record(row: User) -> UserRecord:
    return UserRecord(id=row.id, name=row.name, email=row.email, created_at=row.created_at)


class UserRepository:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    def current(self) -> UserRecord:
        """The person this store acts for (the one function to ask who "I" am)."""
        return user_record(User.get_by_id(self.user_id))

    def list(self) -> builtins.list[UserRecord]:
        return [user_record(row) for row in User.select().order_by(User.name, User.id)]

    def by_name(self, name: str) -> UserRecord | None:
        row = User.get_or_none(User.email == f"{name}@local")
        return user_record(row) if row else None

    def names(self) -> dict[int, str]:
        return {user_id: name for user_id, name in tuples(User.select(User.id, User.name))}
