"""Check-in rounds' invitations and answers, beside the event store (`application.rounds`).

Three tables, in the event store's database (SQLite file or PostgreSQL), so that every
API process and the projection worker see the same rounds:

- `check_in_rounds`: a round's partnership, closing time, status, what its answer page
  shows, and its key (sealed under the audit key; NULL once closed);
- `check_in_invitations`: one row per person asked, by the SHA-256 of the link's token,
  with the partner, whether it was used, and until then the link and e-mail address
  (sealed under the audit key);
- `check_in_answers`: the answers, sealed under the round's key, with a random id and
  nothing else: no time, no invitation. On SQLite the table has no rowid (its rows are
  kept in the order of their random ids, not of their arrival), and this store's
  connection deletes with `secure_delete` on, so a closed round's answers are
  overwritten in the file, not only unlinked.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import orjson

from accord.application.rounds import (
    CheckInRounds,
    Collected,
    Mailer,
    NewInvitation,
    Refusal,
    RoundStatus,
    StoredRound,
)
from accord.application.service import AccordApplication
from accord.mail import SmtpMailer
from accord.settings import audit_key, smtp_settings
from accord.storage.views import ViewDatabase


def _tables(kind: str) -> tuple[str, ...]:
    no_rowid = " WITHOUT ROWID" if kind == "sqlite" else ""
    return (
        """CREATE TABLE IF NOT EXISTS check_in_rounds (
            round_id TEXT PRIMARY KEY, partnership_id TEXT NOT NULL,
            closes_at TEXT NOT NULL, status TEXT NOT NULL, info TEXT NOT NULL,
            round_key TEXT)""",
        """CREATE TABLE IF NOT EXISTS check_in_invitations (
            token_hash TEXT PRIMARY KEY, round_id TEXT NOT NULL, partner_id TEXT NOT NULL,
            used INTEGER NOT NULL, link TEXT, email TEXT)""",
        "CREATE INDEX IF NOT EXISTS check_in_invitations_by_round "
        "ON check_in_invitations (round_id)",
        f"""CREATE TABLE IF NOT EXISTS check_in_answers (
            id TEXT PRIMARY KEY, round_id TEXT NOT NULL, sealed TEXT NOT NULL){no_rowid}""",
        "CREATE INDEX IF NOT EXISTS check_in_answers_by_round ON check_in_answers (round_id)",
    )


def _round(row: Sequence[Any]) -> StoredRound:
    return StoredRound(
        round_id=row[0],
        partnership_id=row[1],
        closes_at=datetime.fromisoformat(row[2]),
        status=RoundStatus(row[3]),
        info=orjson.loads(row[4]),
    )


_ROUND_COLUMNS = "round_id, partnership_id, closes_at, status, info"


class SqlRoundStore:
    """`application.rounds.RoundStore` on the views' database (one connection, used by
    one operation at a time)."""

    def __init__(self, views: ViewDatabase) -> None:
        self.views = views
        self._lock = threading.Lock()
        self.connection: Any = views.private_connect()
        with views.schema_lock():
            for statement in _tables(views.kind):
                self.connection.execute(statement)

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._lock:
            if getattr(self.connection, "closed", False):  # the server restarted
                self.connection = self.views.private_connect()
            with self.views.transaction(self.connection):
                yield self.connection

    def _q(self, text: str) -> str:
        return self.views.sql(text)

    def create(
        self, stored: StoredRound, round_key: str, invitations: Sequence[NewInvitation]
    ) -> bool:
        with self._transaction() as connection:
            exists = connection.execute(
                self._q("SELECT 1 FROM check_in_rounds WHERE round_id = ?"), (stored.round_id,)
            ).fetchone()
            if exists:
                return False
            connection.execute(
                self._q(
                    "INSERT INTO check_in_rounds (round_id, partnership_id, closes_at, status, "
                    "info, round_key) VALUES (?, ?, ?, ?, ?, ?)"
                ),
                (
                    stored.round_id,
                    stored.partnership_id,
                    stored.closes_at.astimezone(UTC).isoformat(timespec="microseconds"),
                    stored.status.value,
                    orjson.dumps(stored.info).decode(),
                    round_key,
                ),
            )
            self.views.insert_many(
                connection,
                self._q(
                    "INSERT INTO check_in_invitations (token_hash, round_id, partner_id, used, "
                    "link, email) VALUES (?, ?, ?, 0, ?, ?)"
                ),
                [
                    (i.token_hash, stored.round_id, i.partner_id, i.link, i.email)
                    for i in invitations
                ],
            )
            return True

    def find(self, round_id: str) -> StoredRound | None:
        with self._transaction() as connection:
            row = connection.execute(
                self._q(f"SELECT {_ROUND_COLUMNS} FROM check_in_rounds WHERE round_id = ?"),
                (round_id,),
            ).fetchone()
        return _round(row) if row else None

    def discard(self, round_id: str) -> None:
        with self._transaction() as connection:
            for table in ("check_in_answers", "check_in_invitations", "check_in_rounds"):
                connection.execute(self._q(f"DELETE FROM {table} WHERE round_id = ?"), (round_id,))

    def invitation(self, token_hash: str) -> tuple[StoredRound, str, bool] | None:
        with self._transaction() as connection:
            row = connection.execute(
                self._q(
                    "SELECT r.round_id, r.partnership_id, r.closes_at, r.status, r.info, "
                    "i.partner_id, i.used FROM check_in_invitations i "
                    "JOIN check_in_rounds r ON r.round_id = i.round_id WHERE i.token_hash = ?"
                ),
                (token_hash,),
            ).fetchone()
        if row is None:
            return None
        return _round(row[:5]), row[5], bool(row[6])

    def answer(
        self, token_hash: str, now: datetime, sealed: Callable[[str], str]
    ) -> Refusal | None:
        with self._transaction() as connection:
            row = connection.execute(
                self._q(
                    "SELECT i.used, r.status, r.closes_at, r.round_key, r.round_id "
                    "FROM check_in_invitations i JOIN check_in_rounds r "
                    "ON r.round_id = i.round_id WHERE i.token_hash = ?" + self.views.row_lock
                ),
                (token_hash,),
            ).fetchone()
            if row is None:
                return Refusal.UNKNOWN
            used, status, closes_at, round_key, round_id = row
            if (
                status != RoundStatus.OPEN.value
                or round_key is None
                or now >= datetime.fromisoformat(closes_at)
            ):
                return Refusal.CLOSED
            if used:
                return Refusal.USED
            connection.execute(
                self._q(
                    "UPDATE check_in_invitations SET used = 1, link = NULL, email = NULL "
                    "WHERE token_hash = ?"
                ),
                (token_hash,),
            )
            connection.execute(
                self._q("INSERT INTO check_in_answers (id, round_id, sealed) VALUES (?, ?, ?)"),
                (secrets.token_hex(16), round_id, sealed(round_key)),
            )
        return None

    def links(self, round_id: str) -> list[tuple[str, str, str | None]]:
        with self._transaction() as connection:
            rows = connection.execute(
                self._q(
                    "SELECT partner_id, link, email FROM check_in_invitations "
                    "WHERE round_id = ? AND used = 0 AND link IS NOT NULL"
                ),
                (round_id,),
            ).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]

    def answered(self, round_id: str) -> dict[str, int] | None:
        with self._transaction() as connection:
            status = connection.execute(
                self._q("SELECT status FROM check_in_rounds WHERE round_id = ?"), (round_id,)
            ).fetchone()
            if status is None or status[0] != RoundStatus.OPEN.value:
                return None
            rows = connection.execute(
                self._q(
                    "SELECT partner_id, SUM(used) FROM check_in_invitations "
                    "WHERE round_id = ? GROUP BY partner_id"
                ),
                (round_id,),
            ).fetchall()
        return {row[0]: int(row[1]) for row in rows}

    def start_close(self, round_id: str) -> Collected | None:
        with self._transaction() as connection:
            row = connection.execute(
                self._q(
                    "SELECT status, round_key FROM check_in_rounds WHERE round_id = ?"
                    + self.views.row_lock
                ),
                (round_id,),
            ).fetchone()
            if row is None or row[0] == RoundStatus.CLOSED.value:
                return None
            connection.execute(
                self._q("UPDATE check_in_rounds SET status = ? WHERE round_id = ?"),
                (RoundStatus.CLOSING.value, round_id),
            )
            invited: dict[str, int] = {}
            answered: dict[str, int] = {}
            for partner_id, used in connection.execute(
                self._q("SELECT partner_id, used FROM check_in_invitations WHERE round_id = ?"),
                (round_id,),
            ).fetchall():
                invited[partner_id] = invited.get(partner_id, 0) + 1
                answered[partner_id] = answered.get(partner_id, 0) + (1 if used else 0)
            answers = [
                r[0]
                for r in connection.execute(
                    self._q("SELECT sealed FROM check_in_answers WHERE round_id = ?"),
                    (round_id,),
                ).fetchall()
            ]
        return Collected(row[1], invited, answered, answers)

    def finish_close(self, round_id: str) -> None:
        with self._transaction() as connection:
            connection.execute(
                self._q("DELETE FROM check_in_answers WHERE round_id = ?"), (round_id,)
            )
            connection.execute(
                self._q(
                    "UPDATE check_in_invitations SET link = NULL, email = NULL WHERE round_id = ?"
                ),
                (round_id,),
            )
            connection.execute(
                self._q(
                    "UPDATE check_in_rounds SET status = ?, round_key = NULL WHERE round_id = ?"
                ),
                (RoundStatus.CLOSED.value, round_id),
            )
        self.views.forget_deleted(self.connection)

    def due(self, now: datetime) -> list[StoredRound]:
        with self._transaction() as connection:
            rows = connection.execute(
                self._q(
                    f"SELECT {_ROUND_COLUMNS} FROM check_in_rounds "
                    "WHERE status = ? OR (status = ? AND closes_at <= ?)"
                ),
                (
                    RoundStatus.CLOSING.value,
                    RoundStatus.OPEN.value,
                    now.astimezone(UTC).isoformat(timespec="microseconds"),
                ),
            ).fetchall()
        return [_round(row) for row in rows]

    def close(self) -> None:
        with self._lock:
            self.connection.close()


class RoundCloser(threading.Thread):
    """Closes check-in rounds as their `closesAt` comes (in a process that projects:
    the projection worker, or a single `accord serve`)."""

    def __init__(self, rounds: CheckInRounds, every: float) -> None:
        super().__init__(name="accord-round-closer", daemon=True)
        self.rounds = rounds
        self.every = every
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.wait(self.every):
            try:
                self.rounds.close_due()
            except Exception:  # the store went away: try again at the next tick
                continue

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=5)


def open_rounds(app: AccordApplication, views: ViewDatabase) -> CheckInRounds:
    """Check-in rounds over the write side, their store in the views' database, and
    SMTP when `ACCORD_SMTP_URL` is set."""
    smtp = smtp_settings()
    mailer: Mailer | None = SmtpMailer.from_url(*smtp) if smtp else None
    return CheckInRounds(app, SqlRoundStore(views), audit_key(), mailer=mailer)
