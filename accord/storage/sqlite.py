"""The views in SQLite: the same file as the event store, in WAL mode."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from accord.storage.views import ViewDatabase


class SqliteViews(ViewDatabase):
    kind = "sqlite"

    def connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.target, timeout=30, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        # Views are copies of the event store, so zeroing their freed pages (this
        # SQLite's default) protects nothing and makes a rebuild's drop slower.
        connection.execute("PRAGMA secure_delete=FAST")
        return connection

    @contextmanager
    def transaction(self, connection: Any) -> Iterator[None]:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def log_select(self, recorder: Any) -> str:
        return (
            "SELECT rowid, originator_id, originator_version, topic, state "
            f'FROM "{recorder.events_table_name}" WHERE rowid >= ? ORDER BY rowid LIMIT ?'
        )
