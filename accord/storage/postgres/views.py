"""The views in PostgreSQL: the same database as the event store, through psycopg."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from accord.storage.views import ViewDatabase

SCHEMA_LOCK_KEY = 7_316_452_020  # an advisory lock shared by every Accord process


class PostgresViews(ViewDatabase):
    kind = "postgresql"
    row_lock = " FOR UPDATE"

    def sql(self, text: str) -> str:
        return text.replace("?", "%s")

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.target, autocommit=True)

    @contextmanager
    def transaction(self, connection: Any) -> Iterator[None]:
        with connection.transaction():
            yield

    @contextmanager
    def schema_lock(self) -> Iterator[None]:
        """`CREATE ... IF NOT EXISTS` run at once by several sessions can fail ("tuple
        concurrently updated", a duplicate type), so processes started together on an
        empty database take turns (SQLite's write lock already serialises them)."""
        with psycopg.connect(self.target, autocommit=True) as connection:
            connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
            yield  # the lock ends with the session

    def log_select(self, recorder: Any) -> str:
        schema, table = recorder.datastore.schema, recorder.events_table_name
        return (
            "SELECT notification_id, originator_id::text, originator_version, topic, "
            f'state FROM "{schema}"."{table}" '
            "WHERE notification_id >= %s ORDER BY notification_id LIMIT %s"
        )

    def insert_many(self, connection: Any, statement: str, rows: list[tuple[Any, ...]]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(statement, rows)
