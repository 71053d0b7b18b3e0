"""On PostgreSQL the views are written in the same transaction as the events they show,
where they are current for the partnership; elsewhere the projector writes them, in
order, and skips whatever was written with its events. Either way the views equal a
rebuild."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from accord.application.service import Outcome, fingerprint
from accord.runtime import Runtime
from accord.storage.postgres.recorder import VIEW_STATEMENTS, ViewingPostgresRecorder
from accord.storage.projector import Projector
from bench.generate import generate_history
from tests.support.scenarios import record_steps

TABLES = ("view_events", "view_partnerships", "view_access")


def view_rows(url: str) -> dict[str, list[Any]]:
    with psycopg.connect(url) as connection:
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in TABLES
        }


@pytest.fixture
def runtime(postgres_url: str) -> Iterator[Runtime]:
    runtime = Runtime.open(postgres_url, project=False)
    yield runtime
    runtime.close()


def test_a_recorded_event_is_in_the_views_when_its_insert_commits(
    runtime: Runtime, postgres_url: str
) -> None:
    formed = runtime.app.execute(
        "formPartnership", {"name": "Riverside", "purpose": "Joined-up care"}, actor="alice"
    )
    assert runtime.shown(formed)
    pid = str(formed.partnership_id)
    granted = runtime.app.execute(
        "grantRole", {"partnershipId": pid, "actor": "bob", "role": "VIEWER"}, actor="alice"
    )
    assert runtime.shown(granted)
    rows = view_rows(postgres_url)
    assert [row[:2] for row in rows["view_events"]] == [(pid, 1), (pid, 2)]
    assert rows["view_partnerships"][0][4] == 2
    assert sorted(row[1:] for row in rows["view_access"]) == [("alice", "ADMIN"), ("bob", "VIEWER")]
    assert runtime.reader.position() == 0  # no projector has run


def test_where_the_views_are_behind_the_projector_writes_them_in_order(
    runtime: Runtime, postgres_url: str
) -> None:
    pid, _ = runtime.app.import_steps(generate_history(60, seed=4)["steps"], actor="alice")
    # An import's chunks are left to the projector: the views do not hold this
    # partnership, so the next command's views are not written with it either.
    outcome = runtime.app.execute(
        "grantRole", {"partnershipId": str(pid), "actor": "bob", "role": "VIEWER"}, actor="alice"
    )
    assert not runtime.shown(outcome)
    Projector(runtime.app, runtime.views).run_until_current()
    revoked = runtime.app.execute(
        "revokeRole", {"partnershipId": str(pid), "actor": "bob"}, actor="alice"
    )
    assert runtime.shown(revoked)  # current again: written with the event
    incremental = view_rows(postgres_url)
    assert ("bob",) not in [row[1:2] for row in incremental["view_access"]]
    projector = Projector(runtime.app, runtime.views)
    projector.reset()
    projector.run_until_current()
    assert view_rows(postgres_url) == incremental


def test_views_written_with_their_events_and_by_the_projector_equal_a_rebuild(
    runtime: Runtime, postgres_url: str
) -> None:
    steps = generate_history(240, seed=12)["steps"]
    chooser = random.Random(3)
    projector = Projector(runtime.app, runtime.views)
    for index, outcome in enumerate(record_steps(runtime.app, steps, actor="alice")):
        pid = str(outcome.partnership_id)
        recorded = outcome.version
        if index and chooser.random() < 0.1:  # access changes between the steps
            actor = f"actor-{chooser.randint(1, 3)}"
            role = chooser.choice(["VIEWER", "RECORDER", "ADMIN"])
            change = {"partnershipId": pid, "actor": actor, "role": role}
            recorded = runtime.app.execute("grantRole", change, actor="alice").version
            if chooser.random() < 0.5:
                change = {"partnershipId": pid, "actor": actor}
                recorded = runtime.app.execute("revokeRole", change, actor="alice").version
        if chooser.random() < 0.1:
            projector.run_batch(limit=chooser.randint(1, 30))
    projector.run_until_current()
    incremental = view_rows(postgres_url)
    assert len(incremental["view_events"]) == recorded
    projector.reset()
    projector.run_until_current()
    assert view_rows(postgres_url) == incremental


def test_concurrent_histories_share_transactions_and_still_equal_a_rebuild(
    runtime: Runtime, postgres_url: str
) -> None:
    histories = [generate_history(40, seed=70 + index)["steps"] for index in range(6)]
    outcomes: list[list[Outcome]] = [[] for _ in histories]

    def record(index: int) -> None:
        outcomes[index] = list(record_steps(runtime.app, histories[index], actor="alice"))

    commits_before = _commits(postgres_url)
    threads = [threading.Thread(target=record, args=(i,)) for i in range(len(histories))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    events = sum(len(history) for history in histories)
    assert [len(recorded) for recorded in outcomes] == [len(h) for h in histories]
    # Grouped: fewer transactions than events (other statements commit too, so this
    # only shows that some events shared a transaction).
    assert _commits(postgres_url) - commits_before < events
    incremental = view_rows(postgres_url)
    assert len(incremental["view_events"]) == events
    for recorded in outcomes:
        ids = [outcome.notification_id for outcome in recorded]
        assert ids == sorted(ids)  # each caller got its own events' ids, in order
    projector = Projector(runtime.app, runtime.views)
    projector.reset()
    projector.run_until_current()
    assert view_rows(postgres_url) == incremental


def test_a_failed_shared_transaction_leaves_nothing_of_anyone_behind(runtime: Runtime) -> None:
    ours = runtime.app.execute("formPartnership", {"name": "Ours", "purpose": "p"}, actor="a")
    theirs = runtime.app.execute("formPartnership", {"name": "Theirs", "purpose": "p"}, actor="a")
    recorder = runtime.app.recorder
    assert isinstance(recorder, ViewingPostgresRecorder)
    ours_next = _judged_not_saved(runtime, ours, {"actor": "bob", "role": "VIEWER"})
    (theirs_again,) = recorder.select_events(theirs.partnership_id)  # version 1 is taken
    with pytest.raises(IntegrityError):
        recorder._insert_groups([[ours_next], [theirs_again]])
    assert [e.originator_version for e in recorder.select_events(ours.partnership_id)] == [1]
    ((ids, shown),) = recorder._insert_groups([[ours_next]])
    assert ids and shown == {str(ours.partnership_id): 2}


def _judged_not_saved(runtime: Runtime, formed: Outcome, grant: dict[str, str]) -> StoredEvent:
    """The stored form of a role granted in the partnership, judged but not saved."""
    app, pid = runtime.app, formed.partnership_id
    raw = {"partnershipId": str(pid), **grant}
    judged = app._judge(app._load(pid), "grantRole", raw, "a", False, fingerprint("grantRole", raw))
    app._evict(pid)  # the cached aggregate holds the unsaved event
    assert isinstance(judged, tuple)
    return app.mapper.to_stored_event(judged[0])


def _commits(url: str) -> int:
    with psycopg.connect(url) as connection:
        query = "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        row = connection.execute(query).fetchone()
        assert row is not None
        return int(row[0])


def test_without_the_views_an_event_is_still_recorded_and_the_projector_shows_it_later(
    runtime: Runtime, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    formed = runtime.app.execute("formPartnership", {"name": "R", "purpose": "P"}, actor="a")
    pid = str(formed.partnership_id)
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("ALTER TABLE view_events RENAME TO view_events_away")
    try:
        granted = runtime.app.execute(
            "grantRole", {"partnershipId": pid, "actor": "bob", "role": "VIEWER"}, actor="a"
        )
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute("ALTER TABLE view_events_away RENAME TO view_events")
    assert granted.version == 2 and not runtime.shown(granted)
    assert "views not written with the events" in caplog.text
    Projector(runtime.app, runtime.views).run_until_current()
    assert [row[:2] for row in view_rows(postgres_url)["view_events"]] == [(pid, 1), (pid, 2)]


def test_each_connection_prepares_the_statements_once_a_new_one_again(
    runtime: Runtime, postgres_url: str
) -> None:
    recorder = runtime.app.recorder
    assert isinstance(recorder, ViewingPostgresRecorder)
    expected = {"accord_insert_event", *(statement.name for statement in VIEW_STATEMENTS)}
    for _ in range(2):  # a connection the pool replaces is a new connection
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            recorder._prepare(connection, with_views=False)
            recorder._prepare(connection, with_views=True)
            recorder._prepare(connection, with_views=True)  # again: it would fail (exists)
            del recorder._prepared[connection]  # forgotten (after a failure, say)
            recorder._prepare(connection, with_views=True)  # prepared already: harmless
            query = "SELECT name FROM pg_prepared_statements"
            assert {row[0] for row in connection.execute(query)} == expected


def test_statements_deallocated_under_a_connection_are_prepared_again(
    runtime: Runtime, postgres_url: str
) -> None:
    formed = runtime.app.execute("formPartnership", {"name": "R", "purpose": "P"}, actor="a")
    pid = str(formed.partnership_id)
    pool = runtime.app.recorder.datastore.pool  # type: ignore[attr-defined]
    idle = list(pool._pool)
    assert idle
    for connection in idle:  # as psycopg does after a rollback that follows its own
        connection.execute("DEALLOCATE ALL")
    for index in range(2 * len(idle)):  # the pool hands out each connection in turn
        granted = runtime.app.execute(
            "grantRole", {"partnershipId": pid, "actor": f"actor-{index}", "role": "VIEWER"},
            actor="a",
        )  # fmt: skip
        assert runtime.shown(granted)
    assert len(view_rows(postgres_url)["view_events"]) == 1 + 2 * len(idle)
