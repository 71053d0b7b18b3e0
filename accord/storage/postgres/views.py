"""The views in PostgreSQL: the same database as the event store, through psycopg."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from accord.storage.views import ViewDatabase

SCHEMA_LOCK_KEY = 7_316_452_020  # an advisory lock shared by every Accord process
NAMED_LOCK_CLASS = 731_645_217
"""The first of the two keys of the advisory locks `lock_names` takes (the second is
from the name's hash): two-key locks never meet the one-key locks taken elsewhere."""


def _name_key(name: str) -> int:
    """A name's advisory lock key (a signed 32-bit number)."""
    digest = hashlib.sha256(name.encode("utf-8", "replace")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


class PostgresViews(ViewDatabase):
    kind = "postgresql"
    row_lock = " FOR UPDATE"
    row_id = "ctid"

    def sql(self, text: str) -> str:
        return text.replace("?", "%s")

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.target, autocommit=True)

    @contextmanager
    def transaction(self, connection: Any) -> Iterator[None]:
        with connection.transaction():
            yield

    def lock_names(self, connection: Any, names: Sequence[str]) -> None:
        """Transaction-scoped advisory locks, one per name."""
        for name in names:
            connection.execute(
                "SELECT pg_advisory_xact_lock(CAST(%s AS integer), CAST(%s AS integer))",
                (NAMED_LOCK_CLASS, _name_key(name)),
            )

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
