"""Wiring: the write side, the views and the projector for one database."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from accord.application.accounts import Accounts
from accord.application.rounds import CheckInRounds
from accord.application.service import AccordApplication, Outcome
from accord.settings import (
    Database,
    SettingsError,
    database_from_url,
    oidc_settings,
    round_check_seconds,
)
from accord.storage.accounts import SqlAccountStore
from accord.storage.async_reads import AsyncReads, ThreadedReads
from accord.storage.event_store import open_application, open_views
from accord.storage.postgres.listener import PostgresListener, announce_views
from accord.storage.postgres.reader import AsyncViewReader
from accord.storage.projector import Projector, ProjectorThread
from accord.storage.reader import ViewReader
from accord.storage.rounds import RoundCloser, SqlRoundStore, open_rounds
from accord.storage.views import ViewDatabase


def _single_sign_on() -> bool:
    """Whether people sign in with OpenID Connect here (a setting refused: as if they
    did, the stricter reading of a grantee; `accord serve` stops on it anyway)."""
    try:
        return oidc_settings() is not None
    except SettingsError:
        return True


@dataclass
class Runtime:
    """Everything a command-line command or a server process needs for one database."""

    database: Database
    app: AccordApplication
    views: ViewDatabase
    reader: ViewReader
    rounds: CheckInRounds
    accounts: Accounts
    projector_thread: ProjectorThread | None = None
    round_closer: RoundCloser | None = None
    listener: PostgresListener | None = None
    views_moved: threading.Condition = field(default_factory=threading.Condition)
    _reads: AsyncReads | None = None

    @classmethod
    def open(cls, url: str | None = None, *, project: bool = True) -> Runtime:
        database = database_from_url(url)
        views = open_views(database)
        with views.schema_lock():  # the event store's tables, then the views'
            app = open_application(database)
            reader = ViewReader(views)
        rounds = open_rounds(app, views)  # these take the schema lock themselves
        account_store = SqlAccountStore(views, single_sign_on=_single_sign_on())
        accounts = Accounts(account_store)
        app.directory = account_store  # grantees named by e-mail, on every path
        runtime = cls(database, app, views, reader, rounds, accounts)
        if project:
            runtime.round_closer = RoundCloser(rounds, round_check_seconds())
            runtime.round_closer.start()
            announce = runtime._announcer() if database.kind == "postgresql" else None
            thread = ProjectorThread(Projector(app, views), on_progress=announce)
            app.listeners.append(thread.wake)
            thread.start()
            runtime.projector_thread = thread
        if database.kind == "postgresql":
            runtime.listener = PostgresListener(database.psycopg_conninfo, runtime._notified)
            runtime.listener.start()
        return runtime

    @property
    def reads(self) -> AsyncReads:
        """Async reads for the API: an asyncpg pool on PostgreSQL (made on first use, in
        the server's event loop), the SQLite reader in worker threads otherwise."""
        if self._reads is None:
            if self.database.kind == "postgresql":
                self._reads = AsyncViewReader(self.database.url)
            else:
                self._reads = ThreadedReads(self.reader)
        return self._reads

    def _announcer(self) -> Any:
        connection: Any = None

        def announce(position: int) -> None:
            nonlocal connection
            try:
                if connection is None or connection.closed:
                    connection = self.views.connect()
                announce_views(connection, position)
            except Exception:  # the listeners poll too: a lost NOTIFY only delays them
                connection = None

        return announce

    def _notified(self) -> None:
        if self.projector_thread is not None:
            self.projector_thread.wake()
        with self.views_moved:
            self.views_moved.notify_all()

    def shown(self, outcome: Outcome) -> bool:
        """Whether the views took the outcome's event in with it (`storage.postgres.recorder`)."""
        shown = getattr(self.app.recorder, "shown", None)
        return bool(shown and shown(str(outcome.partnership_id), outcome.version))

    def wait_for(self, notification_id: int, timeout: float = 5.0) -> bool:
        """Read-your-writes: wait until the views include a recorded event."""
        if self.projector_thread is not None:
            return self.projector_thread.wait_for(notification_id, timeout)
        deadline = time.monotonic() + timeout
        while self.reader.position() < notification_id:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self.views_moved:
                # Woken by NOTIFY on PostgreSQL; a short poll otherwise.
                self.views_moved.wait(min(remaining, 0.05 if self.listener else 0.01))
        return True

    def close(self) -> None:
        if self.round_closer is not None:
            self.round_closer.stop()
        if self.listener is not None:
            self.listener.stop()
        if self.projector_thread is not None:
            self.projector_thread.stop()
        self.app.close()
        for store in (self.rounds.store, self.accounts.store):
            if isinstance(store, SqlRoundStore | SqlAccountStore):
                store.close()
