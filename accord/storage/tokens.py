"""Bearer tokens: issued by the command line, stored only as SHA-256 hashes.

A token belongs to one actor; the actor's role in each partnership comes from the
partnership's own history (`PartnershipFormed`, `RoleGranted`, `RoleRevoked`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from accord.application.accounts import RESERVED_PREFIXES
from accord.storage.views import ViewDatabase

PREFIX = "acc_"
TABLE = """CREATE TABLE IF NOT EXISTS auth_tokens (
    token_hash TEXT PRIMARY KEY, token_id TEXT NOT NULL UNIQUE, actor TEXT NOT NULL,
    issued_at TEXT NOT NULL, revoked_at TEXT)"""


@dataclass(frozen=True)
class TokenInfo:
    """A token as `accord token list` shows it (never the token itself)."""

    token_id: str
    actor: str
    issued_at: str
    revoked_at: str | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    """Issue, revoke, list and resolve tokens in the Accord database."""

    def __init__(self, views: ViewDatabase) -> None:
        self.views = views
        self.connection: Any = views.connect()
        with views.schema_lock():
            self.connection.execute(TABLE)

    def issue(self, actor: str) -> str:
        actor = actor.strip()
        if not actor or len(actor) > 200:
            raise ValueError("--actor: 1 to 200 characters")
        if not actor.isprintable():
            # The actor is every event's `recordedBy`: no control characters (a NUL would
            # stop PostgreSQL's views), no lone surrogates.
            raise ValueError("--actor: printable characters only")
        if actor.lower().startswith(RESERVED_PREFIXES):
            # They name OpenID users (an id derived from the provider's subject) and
            # check-in rounds: no token may act as one.
            raise ValueError(
                f"--actor: names beginning {' or '.join(RESERVED_PREFIXES)} are reserved"
            )
        token = PREFIX + secrets.token_urlsafe(32)
        digest = _digest(token)
        self.connection.execute(
            self.views.sql(
                "INSERT INTO auth_tokens (token_hash, token_id, actor, issued_at) "
                "VALUES (?, ?, ?, ?)"
            ),
            (digest, digest[:12], actor, datetime.now(UTC).isoformat()),
        )
        return token

    def revoke(self, token_id: str | None = None, actor: str | None = None) -> int:
        """Revoke one token (by the id `list` shows) or every token of an actor."""
        now = datetime.now(UTC).isoformat()
        if token_id:
            sql, params = "token_id = ?", (now, token_id)
        elif actor:
            sql, params = "actor = ?", (now, actor)
        else:
            raise ValueError("give a token id or --actor")
        cursor = self.connection.execute(
            self.views.sql(
                f"UPDATE auth_tokens SET revoked_at = ? WHERE {sql} AND revoked_at IS NULL"
            ),
            params,
        )
        return int(cursor.rowcount)

    def list(self) -> list[TokenInfo]:
        rows = self.connection.execute(
            "SELECT token_id, actor, issued_at, revoked_at FROM auth_tokens ORDER BY issued_at"
        ).fetchall()
        return [TokenInfo(*row) for row in rows]

    def actor_for(self, token: str) -> str | None:
        """The actor a valid, unrevoked token belongs to; None otherwise."""
        if not token.startswith(PREFIX) or len(token) > 200 or not token.isascii():
            return None  # issued tokens are short and ASCII: anything else is not one
        sql = self.views.sql("SELECT actor, revoked_at FROM auth_tokens WHERE token_hash = ?")
        try:
            row = self.connection.execute(sql, (_digest(token),)).fetchone()
        except Exception:
            if not getattr(self.connection, "closed", False):
                raise
            # The server closed the connection (a PostgreSQL restart): without a new
            # one, no token would be valid again until the process restarted.
            self.connection = self.views.connect()
            row = self.connection.execute(sql, (_digest(token),)).fetchone()
        if row is None or row[1] is not None:
            return None
        return str(row[0])

    def close(self) -> None:
        self.connection.close()
