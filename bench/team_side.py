"""Team-mode benchmarks on PostgreSQL, on the team deployment (`accord project` and two
`accord serve --no-projector`): API mutations/s against eventsourcing saving single
events from as many threads, and subscription fan-out, each against its baseline or
target in the same run. Skipped when ACCORD_BENCH_POSTGRES=0."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import random
import statistics
import sys
import threading
import time
import uuid
from typing import Any

import httpx
from websockets.asyncio.client import connect

from accord.application.service import AccordApplication
from accord.domain.partnership import PartnershipEvent
from accord.runtime import Runtime
from bench import load
from bench.common import Results, scaled, stock_app
from bench.generate import generate_history
from bench.servers import ServerProcess

WRITE_SECONDS = 4.0
ROUNDS = 5
CHECK_IN = """mutation CheckIn($input: RecordTrustCheckInInput!) {
  recordTrustCheckIn(input: $input) {
    __typename
    ... on RecordTrustCheckInSuccess { event { position } }
  }
}"""
FOLLOW = """subscription Follow($id: ID!, $after: Int) {
  partnershipEvents(partnershipId: $id, afterPosition: $after) { position }
}"""


def _check_in(partnership_id: str, respondent: str = "p00") -> dict[str, Any]:
    return {
        "input": {
            "partnershipId": partnership_id,
            "respondentId": respondent,
            "reliability": 4,
            "openness": 3,
            "respect": 4,
            "sharedOwnership": 3,
        }
    }


def _partnerships(url: str, count: int, events: int = 30) -> list[str]:
    runtime = Runtime.open(url, project=False)
    try:
        return [
            str(
                runtime.app.import_steps(
                    generate_history(events, seed=900 + i)["steps"], actor="bench"
                )[0]
            )
            for i in range(count)
        ]
    finally:
        runtime.close()


def _template_events(count: int) -> list[PartnershipEvent]:
    app = AccordApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"}, audit_key=b"bench")
    pid, _ = app.import_steps(generate_history(count, seed=77)["steps"], actor="bench")
    return list(app.events.get(pid))  # type: ignore[arg-type]


def baseline_writes(url: str, threads: int, template: list[PartnershipEvent]) -> float:
    """Events/s of eventsourcing saving one event per call, from `threads` threads, each
    into its own aggregate, for WRITE_SECONDS, with its own mapper and recorder."""
    app = stock_app(url)
    counts = [0] * threads
    ended = [0.0] * threads
    started: list[float] = []
    barrier = threading.Barrier(threads, action=lambda: started.append(time.perf_counter()))

    def work(index: int) -> None:
        pid = uuid.uuid4()
        events = [dataclasses.replace(event, originator_id=pid) for event in template]
        barrier.wait()
        deadline = started[0] + WRITE_SECONDS
        for event in events:
            if time.perf_counter() >= deadline:
                break
            app.events.put([event])
            counts[index] += 1
        ended[index] = time.perf_counter()

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    app.close()
    return sum(counts) / (max(ended) - started[0])


def pg_writes(results: Results, fresh_database: Any) -> None:
    """The team deployment (`accord project` and two `accord serve --no-projector`), 16
    clients spread over both API processes, each sending `recordTrustCheckIn` to its own
    partnership, against eventsourcing's single-event saves from 16 threads."""
    clients = 16
    template = _template_events(scaled(3_000, 1_000))
    url = fresh_database()
    pids = _partnerships(url, clients)
    project = ServerProcess.accord("project", "--database", url, serve=False)
    apis = [ServerProcess.accord("serve", "--database", url, "--no-projector") for _ in range(2)]
    try:
        for api in apis:
            api.wait_ready()
            for pid in pids:  # the projector has them all: read-your-writes needs no wait
                _wait_for_version(api.port, pid, 30)
        ports = [api.port for api in apis]
        requests = [[load.graphql(CHECK_IN, _check_in(pid))] for pid in pids]
        ours: list[float] = []
        theirs: list[float] = []
        latencies: list[float] = []
        for _ in range(ROUNDS):  # alternating: this machine's speed drifts
            run = load.load(
                ports,
                requests,
                seconds=WRITE_SECONDS,
                warmup=1.0,
                expect=b"RecordTrustCheckInSuccess",
            )
            if run.failures:
                logs = ", ".join(str(api.log_path) for api in apis)
                raise RuntimeError(f"{run.failures} mutations failed: see {logs}")
            ours.append(run.per_second)
            latencies += [value * 1000 for value in run.latencies]
            theirs.append(baseline_writes(fresh_database(), clients, template))
    finally:
        for process in (*apis, project):
            process.stop()
    label = f"PostgreSQL, team deployment (2 API processes), {clients} clients"
    results.figure(f"{label}: API mutations", "mutations/s", ours)
    results.figure(f"{label}: API mutation latency", "ms", latencies)
    results.figure(
        f"PostgreSQL, {clients} threads: eventsourcing single-event saves", "events/s", theirs
    )
    ratio = statistics.median(ours) / statistics.median(theirs)
    results.target("pg_write_ratio", ratio, ">=", 0.5)


def _wait_for_version(port: int, pid: str, version: int, timeout: float = 60) -> None:
    query = load.graphql("query($id: ID!) { partnership(id: $id) { version } }", {"id": pid})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = load.fetch(port, query)
        partnership = (body or {}).get("data", {}).get("partnership") if status == 200 else None
        if partnership and partnership["version"] >= version:
            return
        time.sleep(0.05)
    raise RuntimeError("the views did not catch up")


async def _subscriber(
    port: int, pid: str, after: int, received: dict[int, float], ready: asyncio.Event
) -> None:
    async with connect(
        f"ws://127.0.0.1:{port}/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        max_queue=None,
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        ack = json.loads(await socket.recv())
        assert ack["type"] == "connection_ack", ack
        payload = {"query": FOLLOW, "variables": {"id": pid, "after": after}}
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        ready.set()
        async for message in socket:
            now = time.perf_counter()
            data = json.loads(message)
            if data["type"] == "next":
                received[data["payload"]["data"]["partnershipEvents"]["position"]] = now
            elif data["type"] == "ping":
                await socket.send(json.dumps({"type": "pong"}))
            else:
                raise RuntimeError(f"subscription ended: {data}")


async def _fanout(
    ports: list[int], pid: str, after: int, subscribers: int, mutations: int, rounds: int
) -> list[tuple[dict[int, tuple[float, float]], list[dict[int, float]]]]:
    """Per round: when each mutation was sent and answered (by position), and when each
    subscriber received each event."""
    received: list[dict[int, float]] = [{} for _ in range(subscribers)]
    readies = [asyncio.Event() for _ in range(subscribers)]
    tasks = [
        asyncio.create_task(_subscriber(ports[i % len(ports)], pid, after, received[i], readies[i]))
        for i in range(subscribers)
    ]
    await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), 60)
    await asyncio.sleep(1.0)  # every stream is past its first read
    clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) for port in ports]
    rng = random.Random(5)
    outcome = []
    for _ in range(rounds):
        sent: dict[int, tuple[float, float]] = {}
        for index in range(mutations):
            client = clients[index % len(clients)]
            start = time.perf_counter()
            response = await client.post(
                "/graphql", json={"query": CHECK_IN, "variables": _check_in(pid)}
            )
            done = time.perf_counter()
            result = response.json()["data"]["recordTrustCheckIn"]
            if result["__typename"] != "RecordTrustCheckInSuccess":
                raise RuntimeError(f"mutation refused: {result}")
            sent[result["event"]["position"]] = (start, done)
            await asyncio.sleep(0.05 + 0.05 * rng.random())
        deadline = time.perf_counter() + 15
        while time.perf_counter() < deadline and any(
            position not in r for r in received for position in sent
        ):
            await asyncio.sleep(0.05)
        outcome.append((sent, [dict(r) for r in received]))
        await asyncio.sleep(0.5)
    for client in clients:
        await client.aclose()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return outcome


def fanout(results: Results, fresh_database: Any) -> None:
    url = fresh_database()
    (pid,) = _partnerships(url, 1, events=10)
    subscribers, mutations, rounds = 100, scaled(50, 20), 3
    project = ServerProcess.accord("project", "--database", url, serve=False)
    apis = [ServerProcess.accord("serve", "--database", url, "--no-projector") for _ in range(2)]
    try:
        for api in apis:
            api.wait_ready()
            _wait_for_version(api.port, pid, 10)
        outcome = asyncio.run(
            _fanout([api.port for api in apis], pid, 10, subscribers, mutations, rounds)
        )
    finally:
        for process in (*apis, project):
            process.stop()
    label = f"fan-out to {subscribers} subscribers on 2 API processes"
    from_response: list[float] = []
    from_request: list[float] = []
    p50s, p99s, missing = [], [], 0
    for sent, received in outcome:
        after_response = []
        for deliveries in received:
            for position, (start, done) in sent.items():
                at = deliveries.get(position)
                if at is None:
                    missing += 1
                    continue
                after_response.append((at - done) * 1000)
                from_request.append((at - start) * 1000)
        from_response += after_response
        p50s.append(load.percentile(after_response, 50))
        p99s.append(load.percentile(after_response, 99))
    if missing:
        results.notes.append(f"fan-out: {missing} deliveries missing")
    results.figure(f"{label}: delivery after the mutation's response", "ms", from_response)
    results.figure(f"{label}: delivery after the mutation was sent", "ms", from_request)
    results.figure(f"{label}: p50 after response, per round of {mutations}", "ms", p50s)
    results.figure(f"{label}: p99 after response, per round of {mutations}", "ms", p99s)
    p99 = statistics.median(p99s)
    results.target("fanout_p99_ms", p99 if not missing else float("inf"), "<=", 100)


def run(results: Results) -> None:
    if os.environ.get("ACCORD_BENCH_POSTGRES", "1") != "1":
        results.notes.append("PostgreSQL benchmarks skipped (ACCORD_BENCH_POSTGRES=0)")
        return
    from bench.postgres import fresh_database

    for name, step in (("PostgreSQL writes", pg_writes), ("subscription fan-out", fanout)):
        print(f"   {name}", file=sys.stderr, flush=True)
        step(results, fresh_database)
