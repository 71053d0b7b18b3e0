"""The team deployment, as real processes on one PostgreSQL database.

Two API processes without projectors and one projection worker (`accord project`), or
an API process with its own projector, are started as `python -m accord ...`; then
processes are killed with SIGKILL and PostgreSQL is restarted under load. Nothing
acknowledged is lost, nothing is recorded twice, the hash chains stay valid, and every
process finds its way back by itself.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from websockets.exceptions import WebSocketException

from accord.application.service import AccordApplication
from accord.domain.partnership import PartnershipEvent
from accord.runtime import Runtime
from accord.settings import audit_key, database_from_url
from accord.storage.tokens import TokenStore
from bench.generate import generate_history
from tests.support.graphql_client import GraphQLClient, subscriber
from tests.support.operations import HEALTH_QUERY, Recorder, mutation_document
from tests.support.postgres import PostgresServer
from tests.support.probes import check_probes
from tests.support.processes import AccordProcess, Processes, issue_token, logs, run_accord
from tests.support.scenarios import SCENARIO_NAMES, replay_over_api

HOLDING = "holding the projector lock"
WAITING = "waiting for the projector lock"
VIEW_TABLES = {
    "view_events": "partnership_id, position",
    "view_partnerships": "id",
    "view_access": "partnership_id, actor",
}

EVENTS = """
subscription Follow($id: ID!, $after: Int) {
  partnershipEvents(partnershipId: $id, afterPosition: $after) { id position }
}"""

SEEN = """
query Seen($id: ID!, $event: ID!) {
  partnership(id: $id) { version }
  node(id: $event) { ... on Event { id position } }
}"""


# ------------------------------------------------------------------ helpers


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        print(logs(started))  # shown when the test fails
        started.stop_all()


def _connect(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(database_from_url(url).psycopg_conninfo, autocommit=True)


def views_position(url: str) -> int:
    """The views' position; 0 while they are being dropped and made again."""
    try:
        with _connect(url) as connection:
            row = connection.execute("SELECT position FROM view_tracking").fetchone()
    except psycopg.errors.UndefinedTable:
        return 0
    return int(row[0]) if row else 0


def store_head(url: str) -> int:
    with _connect(url) as connection:
        row = connection.execute("SELECT MAX(notification_id) FROM accord_events").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def view_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    with _connect(url) as connection:
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
            for table, order in VIEW_TABLES.items()
        }


def wait_until(condition: Any, timeout: float, message: str, interval: float = 0.02) -> float:
    """Seconds until `condition()` held; fails the test after `timeout`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{message} (after {timeout} s)")
        time.sleep(interval)
    return time.monotonic() - start


def write_side(url: str) -> AccordApplication:
    return AccordApplication(database_from_url(url).eventsourcing_env, audit_key=audit_key())


def stored_by_key(app: AccordApplication, partnership_id: str) -> dict[str, PartnershipEvent]:
    """The partnership's stored events by idempotency key, checking each key is stored
    once and the aggregate's key map points at that very event."""
    pid = uuid.UUID(partnership_id)
    events = list(app.stored_events(pid))
    keyed = [e for e in events if e.idempotency_key]
    by_key = {str(e.idempotency_key): e for e in keyed}
    assert len(by_key) == len(keyed), "an idempotency key is stored more than once"
    remembered = app.partnership(pid).idempotency
    for key, event in by_key.items():
        assert int(remembered[key][1]) == event.position, key
    return by_key


def decision(partnership_id: str, key: str) -> dict[str, Any]:
    return {
        "partnershipId": partnership_id,
        "title": f"Decision {key}",
        "category": "DELIVERY",
        "method": "SINGLE_PARTNER",
        "decidedBy": ["p1"],
        "occurredAt": "2024-02-01",
        "idempotencyKey": key,
    }


def form_with_partner(api: AccordProcess, name: str = "Riverside Care Partnership") -> str:
    recorder = Recorder(api)
    partnership_id = recorder.form(name)
    recorder.record(
        "joinPartner",
        {
            "partnershipId": partnership_id,
            "partnerId": "p1",
            "name": "P1",
            "sector": "NHS_TRUST",
            "occurredAt": "2024-01-02",
        },
    )
    return partnership_id


RECORD_DECISION = mutation_document("recordDecision")


class Threads:
    """Threads whose failures fail the test."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    def start(self, target: Any, *args: Any) -> None:
        def run() -> None:
            try:
                target(*args)
            except BaseException as error:
                self.errors.append(error)

        thread = threading.Thread(target=run, daemon=True)
        self.threads.append(thread)
        thread.start()

    def join(self, timeout: float = 30) -> None:
        for thread in self.threads:
            thread.join(timeout)
            assert not thread.is_alive(), "a thread is stuck"
        assert not self.errors, self.errors


def try_record(http: GraphQLClient, given: dict[str, Any]) -> dict[str, Any] | None:
    """The recorded event, or None when the mutation was not acknowledged."""
    try:
        response = http.send(RECORD_DECISION, {"input": given})
        body = response.json()
    except (httpx.HTTPError, ValueError):
        return None
    if response.status_code != 200 or body.get("errors") or not body.get("data"):
        return None
    result = body["data"]["result"]
    if result["__typename"] != "RecordDecisionSuccess":
        raise AssertionError(f"refused: {result}")
    event: dict[str, Any] = result["event"]
    return event


# ----------------------------------------------- two API processes, one worker


@dataclass
class Team:
    database: str
    writer: AccordProcess
    reader: AccordProcess
    worker: AccordProcess
    processes: Processes


@pytest.fixture(scope="module")
def team(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Team]:
    database = postgres_server.create_database(f"accord_team_{uuid.uuid4().hex[:8]}")
    started = Processes(tmp_path_factory.mktemp("team"))
    try:
        # All at once, on an empty database, as `docker compose up` starts them.
        worker = started.project(database)
        writer = started.serve(database, "api-1", wait=False)
        reader = started.serve(database, "api-2", wait=False)
        writer.wait_healthy()
        reader.wait_healthy()
        worker.wait_for_log(HOLDING)
        yield Team(database, writer, reader, worker, started)
    finally:
        print(logs(started))
        started.stop_all()


@dataclass
class Follower:
    """Collects a subscription's events, with when each arrived, in a thread."""

    expected: int
    arrivals: dict[int, float] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)
    error: BaseException | None = None

    def follow(self, api: AccordProcess, partnership_id: str, after: int) -> threading.Thread:
        ready = threading.Event()

        def run() -> None:
            try:
                with subscriber(api) as live:
                    live.subscribe(EVENTS, {"id": partnership_id, "after": after})
                    ready.set()
                    while len(self.order) < self.expected:
                        payload = live.next_payloads(1, timeout=20)[0]
                        assert not payload.get("errors"), payload
                        position = payload["data"]["partnershipEvents"]["position"]
                        self.arrivals[position] = time.monotonic()
                        self.order.append(position)
            except BaseException as error:  # reported by the test
                self.error = error
                ready.set()

        thread = threading.Thread(target=run, name="follower", daemon=True)
        thread.start()
        assert ready.wait(20)
        time.sleep(0.2)  # the subscription is in place before anything is recorded
        return thread


def test_two_api_processes_and_a_worker_show_every_event_everywhere_in_order(
    team: Team,
) -> None:
    """Every event recorded through one process reaches a subscriber of the other, in
    order, none missed. How soon is measured by `make bench` (`fanout_p99_ms`), not here:
    a timed assertion fails on a loaded machine for nothing."""
    partnership_id = form_with_partner(team.writer, "Across processes")
    sequential, threads, per_thread = 30, 4, 10
    total = sequential + threads * per_thread
    follower = Follower(expected=total)
    following = follower.follow(team.reader, partnership_id, after=2)
    sent_at: dict[int, float] = {}
    lock = threading.Lock()

    def record(http: GraphQLClient, key: str) -> None:
        sent = time.monotonic()
        event = try_record(http, decision(partnership_id, key))
        assert event is not None, key
        with lock:
            sent_at[event["position"]] = sent
        # Read your writes in the other process, as soon as the response is in.
        seen = team.reader.data(SEEN, {"id": partnership_id, "event": event["id"]})
        assert seen["node"] == {"id": event["id"], "position": event["position"]}
        assert seen["partnership"]["version"] >= event["position"]

    with closing(GraphQLClient(team.writer.url, timeout=10)) as http:
        for index in range(sequential):
            record(http, f"one-by-one-{index}")

    def burst(number: int) -> None:
        with closing(GraphQLClient(team.writer.url, timeout=10)) as http:
            for index in range(per_thread):
                record(http, f"burst-{number}-{index}")

    writers = Threads()
    for number in range(threads):
        writers.start(burst, number)
    writers.join()
    following.join(20)
    assert follower.error is None, follower.error
    assert follower.order == list(range(3, total + 3))
    latencies = {p: follower.arrivals[p] - sent_at[p] for p in sent_at}
    slowest = max(latencies.values())
    print(f"subscription latency: max {slowest:.3f} s over {len(latencies)} events")


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_the_shared_scenarios_recorded_in_one_process_read_the_same_in_another(
    team: Team, name: str
) -> None:
    replayed = replay_over_api(team.writer, name)
    check_probes(
        name,
        lambda probe: team.reader.data(
            HEALTH_QUERY,
            {
                "id": replayed.partnership_id,
                "asOf": probe.as_of,
                "knownAt": replayed.known_at[probe.known_phase],
                "windowDays": probe.window_days,
            },
        )["partnership"]["health"],
    )


def test_processes_starting_together_on_an_empty_database_all_come_up(postgres_url: str) -> None:
    # What `docker compose up` does: replicas and workers create their tables at once.
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        runtime = Runtime.open(postgres_url, project=False)
        TokenStore(runtime.views).close()
        runtime.close()

    starting = Threads()
    for _ in range(8):
        starting.start(start)
    starting.join()


# ------------------------------------------------------------ killing processes

HISTORY_EVENTS = 40_000


def test_a_standby_worker_finishes_a_rebuild_when_the_active_one_is_killed(
    postgres_url: str, processes: Processes, tmp_path: Path
) -> None:
    history = tmp_path / "history.json"
    history.write_text(json.dumps(generate_history(HISTORY_EVENTS)), encoding="utf-8")
    imported = run_accord("import", str(history), "--database", postgres_url, timeout=150)
    assert imported.returncode == 0, imported.stderr
    projected = view_rows(postgres_url)
    assert len(projected["view_events"]) == HISTORY_EVENTS
    head = store_head(postgres_url)

    # A new views version, as after an upgrade: the next worker rebuilds from position 0.
    with _connect(postgres_url) as connection:
        connection.execute("UPDATE view_tracking SET version = 0")
    # Both start at once (a rebuild of this history is short): whichever
    # takes the lock rebuilds, the other waits.
    workers = [processes.project(postgres_url, name) for name in ("worker-a", "worker-b")]
    wait_until(
        lambda: (
            any(HOLDING in w.log() for w in workers) and any(WAITING in w.log() for w in workers)
        ),
        30,
        "no worker took the lock with the other waiting",
        interval=0.005,
    )
    active, standby = workers if HOLDING in workers[0].log() else workers[::-1]

    wait_until(
        lambda: 0 < views_position(postgres_url) < head // 2,
        30,
        "worker A never got part of the way",
        interval=0.005,
    )
    active.kill()
    killed_at = time.monotonic()
    position_at_kill = views_position(postgres_url)
    assert 0 < position_at_kill < head

    standby.wait_for_log(HOLDING, timeout=10)
    took_over = time.monotonic() - killed_at
    observed: list[int] = []

    def finished() -> bool:
        observed.append(views_position(postgres_url))
        return observed[-1] == head

    finishing = wait_until(finished, 60, "B did not finish")
    print(f"standby took over {took_over:.2f} s after the kill; finished {finishing:.2f} s later")
    # B went on from where A stopped: the views never went back.
    assert observed == sorted(observed) and observed[0] >= position_at_kill
    assert took_over < 5.0
    assert standby.alive()
    assert view_rows(postgres_url) == projected

    rebuilt = run_accord("rebuild", "--database", postgres_url, timeout=150)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert view_rows(postgres_url) == projected


BURST = 500
CLIENTS = 4
KILL_AFTER = 150


def test_an_api_process_killed_mid_burst_keeps_every_acknowledged_mutation_once(
    postgres_url: str, processes: Processes
) -> None:
    api = processes.serve(postgres_url, "api", projector=True)
    partnerships = [form_with_partner(api, f"Burst {n}") for n in range(2)]
    plan = [
        [(f"burst-{c}-{i}", partnerships[c % 2]) for i in range(BURST // CLIENTS)]
        for c in range(CLIENTS)
    ]
    acknowledged: dict[str, dict[str, Any]] = {}
    unacknowledged: set[str] = set()
    lock = threading.Lock()

    def client(number: int) -> None:
        with closing(GraphQLClient(api.url, timeout=10)) as http:
            for key, partnership_id in plan[number]:
                event = try_record(http, decision(partnership_id, key))
                with lock:
                    if event is None:
                        unacknowledged.add(key)
                        return  # the server is gone
                    acknowledged[key] = event

    clients = Threads()
    for number in range(CLIENTS):
        clients.start(client, number)
    wait_until(lambda: len(acknowledged) >= KILL_AFTER, 60, "the burst stalled", 0.001)
    api.kill()
    clients.join()
    keys = {key for share in plan for key, _ in share}
    unsent = keys - set(acknowledged) - unacknowledged
    assert KILL_AFTER <= len(acknowledged) < BURST

    app = write_side(postgres_url)
    try:
        stored: dict[str, PartnershipEvent] = {}
        for partnership_id in partnerships:
            stored.update(stored_by_key(app, partnership_id))
            assert app.verify(uuid.UUID(partnership_id)).valid
        for key, event in acknowledged.items():
            assert key in stored, f"acknowledged {key} was lost"
            assert stored[key].event_id == event["id"]
            assert stored[key].position == event["position"]
        for key in unacknowledged:  # wholly there, or wholly absent
            if key in stored:
                assert stored[key].data["title"] == f"Decision {key}"
        assert not unsent & set(stored)
        print(
            f"killed after {len(acknowledged)} acknowledged; of {len(unacknowledged)} in "
            f"flight, {len(unacknowledged & set(stored))} were stored"
        )
    finally:
        app.close()

    # A new process (its own projector catches the views up) takes the retries: those
    # already stored answer with the first result; the rest are recorded now, once.
    again = processes.serve(postgres_url, "api-again", projector=True)

    def retry(number: int) -> None:
        with closing(GraphQLClient(again.url, timeout=10)) as http:
            for key, partnership_id in plan[number]:
                if key in acknowledged:
                    continue
                event = try_record(http, decision(partnership_id, key))
                assert event is not None, key
                if key in stored:
                    assert event["id"] == stored[key].event_id

    retries = Threads()
    for number in range(CLIENTS):
        retries.start(retry, number)
    retries.join()
    app = write_side(postgres_url)
    try:
        everything: dict[str, PartnershipEvent] = {}
        for partnership_id in partnerships:
            everything.update(stored_by_key(app, partnership_id))
            assert app.verify(uuid.UUID(partnership_id)).valid
            assert app.partnership(uuid.UUID(partnership_id)).version == 2 + BURST // 2
    finally:
        app.close()
    assert set(everything) == keys
    wait_until(lambda: views_position(postgres_url) == store_head(postgres_url), 10, "behind")
    views = {row[2]: row for row in view_rows(postgres_url)["view_events"]}
    for event in everything.values():
        assert views[event.event_id][1] == event.position
        assert views[event.event_id][8] == event.hash


def test_postgresql_restarting_under_load_loses_nothing_and_everyone_reconnects(
    postgres_server: PostgresServer, processes: Processes
) -> None:
    url = postgres_server.create_database(f"accord_restart_{uuid.uuid4().hex[:8]}")
    token = issue_token(url, "alice")  # tokens are checked in the database too
    worker = processes.project(url)
    writer_api = processes.serve(url, "api-with-projector", projector=True, token=token, wait=False)
    reader_api = processes.serve(url, "api-without-projector", token=token, wait=False)
    writer_api.wait_healthy()
    reader_api.wait_healthy()
    worker.wait_for_log(HOLDING)
    partnership_id = form_with_partner(writer_api, "Through a restart")
    first_event = reader_api.data(
        "query($id: ID!) { partnership(id: $id) { history(first: 1) { edges { node { id } } } } }",
        {"id": partnership_id},
    )["partnership"]["history"]["edges"][0]["node"]["id"]

    acknowledged: dict[str, dict[str, Any]] = {}
    took: list[tuple[float, float]] = []  # seconds until acknowledged; of the last attempt
    lock = threading.Lock()
    writing = threading.Event()
    writing.set()

    def write(number: int) -> None:
        with closing(GraphQLClient(writer_api.url, writer_api.headers, timeout=10)) as http:
            index = 0
            while writing.is_set():
                key = f"load-{number}-{index}"
                first_sent = time.monotonic()
                deadline = first_sent + 30
                while True:
                    sent = time.monotonic()
                    event = try_record(http, decision(partnership_id, key))
                    if event is not None:
                        break
                    assert time.monotonic() < deadline, f"{key} never acknowledged"
                    time.sleep(0.1)  # then retry, with the same key
                with lock:
                    acknowledged[key] = event
                    took.append((time.monotonic() - first_sent, time.monotonic() - sent))
                index += 1

    seen: list[int] = []
    resubscribed = 0
    following = threading.Event()
    following.set()
    drop = threading.Event()  # set: the client drops its connection, as a browser might

    def follow() -> None:
        nonlocal resubscribed
        while following.is_set():
            try:
                with subscriber(reader_api, writer_api.headers) as live:
                    after = seen[-1] if seen else 0
                    live.subscribe(EVENTS, {"id": partnership_id, "after": after})
                    while following.is_set():
                        if drop.is_set():
                            drop.clear()
                            break
                        try:
                            message = live.receive(timeout=0.5)
                        except TimeoutError:
                            continue
                        if message["type"] == "ping":
                            live.send({"type": "pong"})
                            continue
                        if message["type"] != "next" or message["payload"].get("errors"):
                            break  # the stream ended: subscribe again after the last seen
                        event = message["payload"]["data"]["partnershipEvents"]
                        seen.append(event["position"])
            except (WebSocketException, OSError, TimeoutError, AssertionError):
                pass
            if following.is_set():
                resubscribed += 1
                time.sleep(0.2)

    writers = Threads()
    for number in range(2):
        writers.start(write, number)
    follower = Threads()
    follower.start(follow)
    try:
        wait_until(lambda: len(acknowledged) >= 40, 30, "no load before the restart")
        before = len(acknowledged)
        restart_started = time.monotonic()
        postgres_server.restart()
        restarted = time.monotonic()
        # Reads work again at once, in both processes (no stale pooled connection).
        for api in (reader_api, writer_api):
            assert api.data(SEEN, {"id": partnership_id, "event": first_event})["node"]
        wait_until(lambda: len(acknowledged) >= before + 30, 30, "no load after the restart")
        drop.set()  # whatever the restart did to it, the subscriber reconnects once more
        wait_until(lambda: len(acknowledged) >= before + 60, 30, "no load after the restart")
        stalled = max(seconds for seconds, _ in took)
        print(
            f"the restart took {restarted - restart_started:.2f} s; the longest wait for an "
            f"acknowledgement (retries included) was {stalled:.2f} s"
        )
        assert stalled < 5.0
    finally:
        writing.clear()
        writers.join(40)

    app = write_side(url)
    try:
        stored = stored_by_key(app, partnership_id)
        assert app.verify(uuid.UUID(partnership_id)).valid
        version = app.partnership(uuid.UUID(partnership_id)).version
    finally:
        app.close()
    assert set(stored) == set(acknowledged)
    for key, event in acknowledged.items():
        assert stored[key].event_id == event["id"]
    assert version == 2 + len(acknowledged)

    # Every process reconnected by itself: the worker projects, the projector in the
    # writing process answers read-your-writes at once again (no 5 s timeouts), and the
    # other process reads what was written, over its asyncpg pool.
    wait_until(lambda: views_position(url) == store_head(url), 10, "the views fell behind")
    assert worker.alive() and writer_api.alive() and reader_api.alive()
    assert "reconnecting" in worker.log()
    latest = [seconds for _, seconds in took[-20:]]
    assert max(latest) < 1.0, latest
    assert writer_api.healthz() == {"status": "ok", "viewsPosition": store_head(url)}
    last = max(acknowledged.values(), key=lambda e: int(e["position"]))
    assert reader_api.data(SEEN, {"id": partnership_id, "event": last["id"]}) == {
        "partnership": {"version": version},
        "node": {"id": last["id"], "position": version},
    }
    # The subscription, resumed after the last event it saw, got each event once, in order.
    try:
        wait_until(lambda: bool(seen) and seen[-1] == version, 10, f"stuck at {seen[-1:]}")
    finally:
        following.clear()
        follower.join(5)
    assert seen == list(range(1, version + 1))
    assert resubscribed >= 1
    print(f"the subscription was resumed {resubscribed} time(s)")
