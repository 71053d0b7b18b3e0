"""Accounts, sessions, sign-in throttles and the sign-in log, in the event store's
database beside the views (`application.accounts`), so that they hold across API
processes; `accord rebuild` leaves them alone (they are not views).

A sign-in attempt is checked against its throttles and registered in one transaction
(`register_attempt`) that concurrent attempts for the same account or address take in
turn (`ViewDatabase.lock_names`: on SQLite, `BEGIN IMMEDIATE` holds the database's write
lock; on PostgreSQL, a transaction-scoped advisory lock per throttle key).

The sign-in log is only ever appended to. OpenID users' display data (the e-mail
address a provider gave) is kept in `oidc_users`, outside the event log, so a person can
be forgotten without rewriting history.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from accord.application.accounts import (
    AccountInfo,
    LogLine,
    Method,
    Outcome,
    SessionRecord,
    locked_until,
)
from accord.storage.tokens import TABLE as TOKENS_TABLE
from accord.storage.views import ViewDatabase

TABLES = (
    """CREATE TABLE IF NOT EXISTS accounts (
        actor TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created_at TEXT NOT NULL,
        disabled_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS sessions (
        session_hash TEXT PRIMARY KEY, actor TEXT NOT NULL, method TEXT NOT NULL,
        csrf TEXT NOT NULL, created_at TEXT NOT NULL, last_seen TEXT NOT NULL,
        ended_at TEXT)""",
    "CREATE INDEX IF NOT EXISTS sessions_by_actor ON sessions (actor)",
    """CREATE TABLE IF NOT EXISTS signin_failures (
        throttle_key TEXT NOT NULL, at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS signin_failures_by_key ON signin_failures (throttle_key, at)",
    """CREATE TABLE IF NOT EXISTS signin_log (
        at TEXT NOT NULL, actor TEXT NOT NULL, address TEXT NOT NULL,
        outcome TEXT NOT NULL, method TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS signin_log_by_actor ON signin_log (actor, at)",
    """CREATE TABLE IF NOT EXISTS oidc_users (
        actor TEXT PRIMARY KEY, issuer TEXT NOT NULL, subject TEXT NOT NULL,
        display TEXT, email TEXT, seen_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS oidc_users_by_email ON oidc_users (email)",
    """CREATE TABLE IF NOT EXISTS oidc_logins (
        state_hash TEXT PRIMARY KEY, nonce TEXT NOT NULL, verifier TEXT NOT NULL,
        created_at TEXT NOT NULL)""",
)


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class SqlAccountStore:
    """`application.accounts.AccountStore` (and the OpenID users and pending logins) on
    the views' database: one connection, one operation at a time."""

    def __init__(self, views: ViewDatabase, *, single_sign_on: bool = False) -> None:
        self.views = views
        self.single_sign_on = single_sign_on
        """Whether people sign in with OpenID Connect here (`unknown_address`)."""
        self._lock = threading.Lock()
        self.connection: Any = views.connect()
        with views.schema_lock():
            for statement in (*TABLES, TOKENS_TABLE):
                self.connection.execute(statement)

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._lock:
            if getattr(self.connection, "closed", False):  # the server restarted
                self.connection = self.views.connect()
            with self.views.transaction(self.connection):
                yield self.connection

    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._transaction() as connection:
            return connection.execute(self.views.sql(sql), params)

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._transaction() as connection:
            return list(connection.execute(self.views.sql(sql), params).fetchall())

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    # --------------------------------------------------------------- accounts

    def add_account(self, actor: str, password_hash: str, now: datetime) -> bool:
        with self._transaction() as connection:
            exists = connection.execute(
                self.views.sql("SELECT 1 FROM accounts WHERE actor = ?"), (actor,)
            ).fetchone()
            if exists:
                return False
            connection.execute(
                self.views.sql(
                    "INSERT INTO accounts (actor, password_hash, created_at) VALUES (?, ?, ?)"
                ),
                (actor, password_hash, _text(now)),
            )
            return True

    def account(self, actor: str) -> tuple[str, datetime | None] | None:
        row = self._one("SELECT password_hash, disabled_at FROM accounts WHERE actor = ?", (actor,))
        return (row[0], _instant(row[1])) if row else None

    def set_password(self, actor: str, password_hash: str) -> bool:
        cursor = self._run(
            "UPDATE accounts SET password_hash = ? WHERE actor = ?", (password_hash, actor)
        )
        return int(cursor.rowcount) == 1

    def disable(self, actor: str, now: datetime) -> bool:
        cursor = self._run(
            "UPDATE accounts SET disabled_at = ? WHERE actor = ? AND disabled_at IS NULL",
            (_text(now), actor),
        )
        return int(cursor.rowcount) == 1

    def accounts(self) -> list[AccountInfo]:
        rows = self._all("SELECT actor, created_at, disabled_at FROM accounts ORDER BY actor")
        return [
            AccountInfo(row[0], datetime.fromisoformat(row[1]), _instant(row[2])) for row in rows
        ]

    # --------------------------------------------------------------- sessions

    def add_session(self, digest: str, record: SessionRecord) -> None:
        self._run(
            "INSERT INTO sessions (session_hash, actor, method, csrf, created_at, last_seen) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                digest,
                record.actor,
                record.method.value,
                record.csrf,
                _text(record.created_at),
                _text(record.last_seen),
            ),
        )

    def session(self, digest: str) -> SessionRecord | None:
        row = self._one(
            "SELECT actor, method, csrf, created_at, last_seen, ended_at FROM sessions "
            "WHERE session_hash = ?",
            (digest,),
        )
        if row is None:
            return None
        return SessionRecord(
            row[0],
            Method(row[1]),
            row[2],
            datetime.fromisoformat(row[3]),
            datetime.fromisoformat(row[4]),
            _instant(row[5]),
        )

    def touch(self, digest: str, now: datetime) -> None:
        self._run("UPDATE sessions SET last_seen = ? WHERE session_hash = ?", (_text(now), digest))

    def end_session(self, digest: str, now: datetime) -> bool:
        cursor = self._run(
            "UPDATE sessions SET ended_at = ? WHERE session_hash = ? AND ended_at IS NULL",
            (_text(now), digest),
        )
        return int(cursor.rowcount) == 1

    def end_sessions_of(self, actor: str, now: datetime) -> int:
        cursor = self._run(
            "UPDATE sessions SET ended_at = ? WHERE actor = ? AND ended_at IS NULL",
            (_text(now), actor),
        )
        return int(cursor.rowcount)

    # --------------------------------------------------------------- throttles

    def register_attempt(self, limits: Mapping[str, int], now: datetime, window: timedelta) -> bool:
        """`AccountStore.register_attempt`: one transaction, its locks taken first. On
        SQLite `_transaction` begins `IMMEDIATE`, holding the write lock (every process's)
        to the end; on PostgreSQL it waits for each key's advisory lock, held to the end,
        in the keys' sorted order (so no two attempts wait for each other), and an attempt reads the
        failures registered by every attempt before it."""
        keys = sorted(limits)
        # A lock ends `window` after a failure and the failures `window` before that one
        # decide it: older ones can lock nothing now, and go.
        horizon = _text(now - 2 * window)
        with self._transaction() as connection:
            self.views.lock_names(connection, keys)
            for key in keys:
                connection.execute(
                    self.views.sql(
                        "DELETE FROM signin_failures WHERE throttle_key = ? AND at <= ?"
                    ),
                    (key, horizon),
                )
                rows = connection.execute(
                    self.views.sql("SELECT at FROM signin_failures WHERE throttle_key = ?"),
                    (key,),
                ).fetchall()
                end = locked_until(
                    [datetime.fromisoformat(row[0]) for row in rows], limits[key], window
                )
                if end is not None and now < end:
                    return False  # locked: nothing registered
            for key in keys:
                connection.execute(
                    self.views.sql("INSERT INTO signin_failures (throttle_key, at) VALUES (?, ?)"),
                    (key, _text(now)),
                )
            return True

    def forgive_attempt(self, key: str, at: datetime) -> None:
        row_id = self.views.row_id
        self._run(
            f"DELETE FROM signin_failures WHERE {row_id} IN (SELECT {row_id} FROM "
            "signin_failures WHERE throttle_key = ? AND at = ? LIMIT 1)",
            (key, _text(at)),
        )

    def clear_failures(self, key: str) -> None:
        self._run("DELETE FROM signin_failures WHERE throttle_key = ?", (key,))

    # -------------------------------------------------------------------- log

    def append_log(self, line: LogLine) -> None:
        self._run(
            "INSERT INTO signin_log (at, actor, address, outcome, method) VALUES (?, ?, ?, ?, ?)",
            (_text(line.at), line.actor, line.address, line.outcome.value, line.method.value),
        )

    def log(self, actor: str | None = None) -> list[LogLine]:
        where, params = ("WHERE actor = ?", (actor,)) if actor is not None else ("", ())
        rows = self._all(
            f"SELECT at, actor, address, outcome, method FROM signin_log {where} ORDER BY at",
            params,
        )
        return [
            LogLine(datetime.fromisoformat(r[0]), r[1], r[2], Outcome(r[3]), Method(r[4]))
            for r in rows
        ]

    # ------------------------------------------------------------ OpenID users

    def remember_oidc_user(
        self,
        actor: str,
        issuer: str,
        subject: str,
        display: str | None,
        email: str | None,
        now: datetime,
    ) -> None:
        with self._transaction() as connection:
            updated = connection.execute(
                self.views.sql(
                    "UPDATE oidc_users SET display = ?, email = ?, seen_at = ? WHERE actor = ?"
                ),
                (display, email, _text(now), actor),
            )
            if int(updated.rowcount) == 0:
                connection.execute(
                    self.views.sql(
                        "INSERT INTO oidc_users (actor, issuer, subject, display, email, seen_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)"
                    ),
                    (actor, issuer, subject, display, email, _text(now)),
                )

    def oidc_actor_for_email(self, email: str) -> str | None:
        """The OpenID actor seen with this e-mail address (for `grantRole`); None when
        none is, or when more than one is (a provider may let people change the claim:
        a grant must not go to whoever claimed an address last)."""
        rows = self._all(
            "SELECT DISTINCT actor FROM oidc_users WHERE lower(email) = lower(?)", (email,)
        )
        return str(rows[0][0]) if len(rows) == 1 else None

    def oidc_display(self, actor: str) -> str | None:
        row = self._one("SELECT display FROM oidc_users WHERE actor = ?", (actor,))
        return str(row[0]) if row and row[0] else None

    def unknown_address(self, name: str) -> bool:
        """`application.oidc_actors.OidcDirectory.unknown_address`: with single sign-on,
        a name no local account and no live bearer token goes by."""
        if not self.single_sign_on:
            return False
        row = self._one(
            "SELECT 1 FROM accounts WHERE actor = ? "
            "UNION ALL SELECT 1 FROM auth_tokens WHERE actor = ? AND revoked_at IS NULL",
            (name, name),
        )
        return row is None

    def put_login(self, state_hash: str, nonce: str, verifier: str, now: datetime) -> None:
        self._run(
            "INSERT INTO oidc_logins (state_hash, nonce, verifier, created_at) VALUES (?, ?, ?, ?)",
            (state_hash, nonce, verifier, _text(now)),
        )

    def take_login(self, state_hash: str, since: datetime) -> tuple[str, str] | None:
        """(nonce, PKCE verifier) of a pending login started after `since`, once: it is
        deleted as it is read."""
        with self._transaction() as connection:
            row = connection.execute(
                self.views.sql(
                    "SELECT nonce, verifier, created_at FROM oidc_logins WHERE state_hash = ?"
                    + self.views.row_lock
                ),
                (state_hash,),
            ).fetchone()
            connection.execute(
                self.views.sql("DELETE FROM oidc_logins WHERE state_hash = ? OR created_at < ?"),
                (state_hash, _text(since)),
            )
        if row is None or datetime.fromisoformat(row[2]) < since:
            return None
        return str(row[0]), str(row[1])

    def close(self) -> None:
        with self._lock:
            self.connection.close()
