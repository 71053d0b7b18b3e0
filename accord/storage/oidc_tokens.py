"""The ID tokens already used to sign in, kept (as SHA-256 hashes) until they expire, so
that one token signs in once (`web.oidc`). In the views' database beside the accounts;
not a view, so `accord rebuild` leaves it alone."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from accord.storage.views import ViewDatabase

TABLE = """CREATE TABLE IF NOT EXISTS oidc_used_tokens (
    token_hash TEXT PRIMARY KEY, expires_at TEXT NOT NULL)"""


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class UsedIdTokens:
    """A connection for each operation (a sign-in is rare), one operation at a time."""

    def __init__(self, views: ViewDatabase) -> None:
        self.views = views
        self._lock = threading.Lock()
        connection = views.connect()
        try:
            with views.schema_lock():
                connection.execute(TABLE)
        finally:
            connection.close()

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        connection = self.views.connect()
        try:
            with self.views.transaction(connection):
                yield connection
        finally:
            connection.close()

    def seen(self, digest: str) -> bool:
        """Whether a token (by its hash) has already signed someone in."""
        with self._lock, self._connection() as connection:
            row = connection.execute(
                self.views.sql("SELECT 1 FROM oidc_used_tokens WHERE token_hash = ?"),
                (digest,),
            ).fetchone()
        return row is not None

    def claim(self, digest: str, expires_at: datetime, now: datetime) -> bool:
        """Mark a token used; False (nothing changed) if it already was. Tokens past
        their expiry are forgotten (they are refused as expired anyway)."""
        with self._lock, self._connection() as connection:
            connection.execute(
                self.views.sql("DELETE FROM oidc_used_tokens WHERE expires_at < ?"),
                (_text(now),),
            )
            cursor = connection.execute(
                self.views.sql(
                    "INSERT INTO oidc_used_tokens (token_hash, expires_at) VALUES (?, ?) "
                    "ON CONFLICT (token_hash) DO NOTHING"
                ),
                (digest, _text(expires_at)),
            )
            return int(cursor.rowcount) == 1
