"""Shared views: a saved page and its settings behind an unguessable token.

A manager who opens ``/<page>?view=<token>`` sees the page with exactly the
stored settings, read-only. Views live in the workspace catalog, so links
keep working after a restart, and they can be listed and revoked.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kpi_core.errors import InvalidSettingError
from kpi_core.workspace import open_catalog

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")

_SCHEMA = """
create table if not exists shared_views (
    token text primary key,
    page text not null,
    title text not null,
    settings text not null,
    created_at text not null,
    revoked_at text
)
"""


@dataclass(frozen=True)
class SharedView:
    """A stored view: the page path, a title and the widget settings."""

    token: str
    page: str
    title: str
    settings: dict[str, Any]
    created_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ViewStore:
    """Shared views in the SQLite catalog of a workspace folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        with self._connect() as db:
            db.execute(_SCHEMA)

    def create(self, page: str, title: str, settings: dict[str, Any]) -> SharedView:
        """Store a view and return it with a new token of 192 random bits."""
        token = secrets.token_urlsafe(24)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute(
                "insert into shared_views values (?, ?, ?, ?, ?, null)",
                (token, page, title, json.dumps(settings, default=str), created),
            )
        return self.get(token)

    def get(self, token: str) -> SharedView:
        """Return an active view; raise InvalidSettingError for an unknown,
        malformed or revoked token."""
        if not _TOKEN.match(token):
            raise InvalidSettingError("this link is not valid; ask for a new one")
        with self._connect() as db:
            row = db.execute(
                "select * from shared_views where token = ?", (token,)
            ).fetchone()
        if row is None:
            raise InvalidSettingError("this link is unknown; ask for a new one")
        view = _view(row)
        if not view.active:
            raise InvalidSettingError(
                f"this link was revoked on {view.revoked_at[:10]}; ask for a new one"
            )
        return view

    def list(self) -> list[SharedView]:
        with self._connect() as db:
            rows = db.execute(
                "select * from shared_views order by created_at desc"
            ).fetchall()
        return [_view(row) for row in rows]

    def revoke(self, token: str) -> None:
        revoked = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute(
                "update shared_views set revoked_at = ? "
                "where token = ? and revoked_at is null",
                (revoked, token),
            )

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return open_catalog(self.root)


def _view(row: sqlite3.Row) -> SharedView:
    return SharedView(
        token=row["token"],
        page=row["page"],
        title=row["title"],
        settings=json.loads(row["settings"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )
