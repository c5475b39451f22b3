"""Who is working: each person is one row of `users`; their ratings, favourites and history are their own."""
from __future__ import annotations

from pixflow_tui.store.records import UserRecord
from pixflow_tui.workflows.context import AppContext


def current_user(ctx: AppContext) -> UserRecord:
    """The person this process acts for (`pixflow --user NAME`, else the setting `user`, else the login name)."""
    return ctx.store.current_user()


def people(ctx: AppContext) -> list[UserRecord]:
    """Everyone who has used this library, by name."""
    return ctx.store.users.list()
