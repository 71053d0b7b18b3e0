"""HTTP benchmarks: the GraphQL API over loopback against plain Starlette endpoints in the
same server process (bench/http_server.py), health latency as partnerships and stores
grow, and the server's memory after serving a large store. PostgreSQL writes and
subscription fan-out are in bench/team_side.py.

Every server runs in its own process and the load generator (bench/load.py) in this
one. GraphQL and its baseline are measured in alternating rounds, so a slower moment of
the machine falls on both. No response is cached anywhere (Accord has no response
cache); the reader's cache of recent histories, by partnership and version, serves both
sides alike, and is off where the store itself is measured (store_growth).
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from accord.runtime import Runtime
from accord.storage.projector import Projector
from bench import load
from bench.common import SCALE, Results, scaled
from bench.servers import ServerProcess
from bench.stores import partnership_ids, partnerships_store, sized_store

CONNECTIONS = 20
ROUNDS = 3
THROUGHPUT_ROUNDS = 8 if SCALE >= 1 else 4
ROUND_SECONDS = 1.5 if SCALE >= 1 else 1.0

HEALTH = """query Health($id: ID!, $asOf: DateTime) {
  partnership(id: $id) {
    health(asOf: $asOf) {
      asOf knownAt windowDays
      power { decisionCount equality equity transparency consensusRate governanceShare
        shares { partner { id } decisionShare contributionShare riskShare } }
      trust { index perceived respondents reciprocityGap reliabilityMean reliabilityMin
        bureaucracySignal reliability { partner { id } kept broken reliability }
        latestRound { roundId closedAt invited answered responseRate } }
      capacity { fulfilment { kind value } outstanding { kind value } vacantRoles
        longestVacancyDays leadershipChanges roles { role partner { id } person since vacant } }
      goals { activeGoals coverage agreement stalenessDays revisions }
      check { classification answers { question status evidence prompt } }
    }
  }
}"""
TIMELINE = """query Timeline($id: ID!, $to: DateTime) {
  partnership(id: $id) {
    timeline(to: $to) {
      groups { id content }
      items { id group content start end type className title eventId }
    }
  }
}"""
HISTORY = """query History($id: ID!, $first: Int) {
  partnership(id: $id) {
    history(first: $first) {
      edges { cursor node { id type position occurredAt recordedAt recordedBy summary data
        retracted hash previousHash partnershipId } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      totalCount
    }
  }
}"""
TRIVIAL = "{ __typename }"


def _last_instant(url: str, partnership_id: str) -> str:
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        (last,) = connection.execute(
            "SELECT MAX(occurred_at) FROM view_events WHERE partnership_id = ?",
            (partnership_id,),
        ).fetchone()
    finally:
        connection.close()
    return str(last)


def _same_answer(port: int, graphql: bytes, plain: bytes, ignore: str | None = None) -> None:
    """The baseline must answer exactly what GraphQL answers (`ignore`: a field of the
    answer that holds the request's own instant; a timeline item's `end` at the request's
    own instant, a tenure still lasting, is compared as "now")."""
    answers = []
    for payload in (graphql, plain):
        status, body = load.fetch(port, payload)
        if status != 200 or "errors" in body:
            raise RuntimeError(f"benchmark request failed: {status} {str(body)[:500]}")
        field = next(iter(body["data"]["partnership"].values()))
        if ignore is not None:
            field.pop(ignore)
        for item in field.get("items", []) if isinstance(field, dict) else []:
            end = item.get("end")
            if end and abs(datetime.fromisoformat(end) - datetime.now(UTC)) < timedelta(minutes=1):
                item["end"] = "now"
        answers.append(body)
    if answers[0] != answers[1]:
        raise RuntimeError("the plain endpoint does not answer what GraphQL answers")


def _ms(values: list[float]) -> list[float]:
    return [value * 1000 for value in values]


def _throughput(results: Results, port: int, label: str, graphql: bytes, plain: bytes) -> float:
    """req/s of each at CONNECTIONS connections, in short alternating rounds; the median
    of GraphQL / plain over adjacent rounds."""
    runs: dict[str, list[load.Run]] = {"GraphQL": [], "plain endpoint": []}
    for payload in (plain, graphql):
        load.load(port, [payload], connections=CONNECTIONS, seconds=0.5)  # warm
    for _ in range(THROUGHPUT_ROUNDS):
        for name, payload in (("plain endpoint", plain), ("GraphQL", graphql)):
            run = load.load(port, [payload], connections=CONNECTIONS, seconds=ROUND_SECONDS)
            if run.failures:
                raise RuntimeError(f"{label}: {run.failures} failed requests")
            runs[name].append(run)
    for name, measured in runs.items():
        prefix = f"{label}, {CONNECTIONS} connections: {name}"
        results.figure(f"{prefix} req/s", "req/s", [run.per_second for run in measured])
        results.figure(f"{prefix} p50", "ms", [run.percentile(50) * 1000 for run in measured])
        results.figure(f"{prefix} p99", "ms", [run.percentile(99) * 1000 for run in measured])
    ratios = [
        ours.per_second / theirs.per_second
        for ours, theirs in zip(runs["GraphQL"], runs["plain endpoint"], strict=True)
    ]
    results.figure(f"{label}: GraphQL req/s / plain req/s", "ratio", ratios)
    return statistics.median(ratios)


def _latency(
    results: Results, port: int, label: str, graphql: bytes, plain: bytes, count: int
) -> float:
    """Latency of each, one request at a time, the two in turn; the median GraphQL time
    over the median plain time."""
    load.alternate(port, [plain, graphql], 2)  # warm
    plain_times, graphql_times = load.alternate(port, [plain, graphql], count)
    results.figure(f"{label}: plain endpoint", "ms", _ms(plain_times))
    results.figure(f"{label}: GraphQL", "ms", _ms(graphql_times))
    ratios = [ours / theirs for ours, theirs in zip(graphql_times, plain_times, strict=True)]
    results.figure(f"{label}: GraphQL time / plain time, request by request", "ratio", ratios)
    return statistics.median(graphql_times) / statistics.median(plain_times)


def health_request(partnership_id: str, as_of: str) -> bytes:
    return load.graphql(HEALTH, {"id": partnership_id, "asOf": as_of})


def api_against_plain(results: Results) -> None:
    sizes = [300, scaled(1_000, 300), scaled(5_000, 500), scaled(10_000, 1_000)]
    url = sized_store("http", sizes)
    ids = dict(zip(sizes, partnership_ids(url), strict=True))
    small, timeline_size = ids[sizes[0]], sizes[2]
    big = ids[timeline_size]
    with ServerProcess.bench_app(url).wait_ready() as server:
        port = server.port
        # A trivial query: the cost of the GraphQL layer itself.
        trivial = load.graphql(TRIVIAL)
        status, body = load.fetch(port, trivial)
        assert status == 200 and body == {"data": {"__typename": "Query"}}, body
        ratio = _throughput(results, port, "trivial query", trivial, load.get("/plain/trivial"))
        results.figure("trivial query: GraphQL req/s / plain req/s (median)", "ratio", [ratio])

        as_of = _last_instant(url, small)
        graphql = health_request(small, as_of)
        plain = load.get(f"/plain/health?id={small}&asOf={quote(as_of)}")
        _same_answer(port, graphql, plain, ignore="knownAt")
        ratio = _throughput(results, port, "health, 300 events", graphql, plain)
        results.target("health_http_ratio", ratio, ">=", 0.5)

        to = _last_instant(url, big)
        graphql = load.graphql(TIMELINE, {"id": big, "to": to})
        plain = load.get(f"/plain/timeline?id={big}&to={quote(to)}")
        _same_answer(port, graphql, plain)
        ratio = _latency(
            results, port, f"timeline of {timeline_size:,} events", graphql, plain, count=25
        )
        results.target("timeline_http_ratio", ratio, "<=", 3.0)

        graphql = load.graphql(HISTORY, {"id": big, "first": 500})
        plain = load.get(f"/plain/history?id={big}&first=500")
        _same_answer(port, graphql, plain)
        ratio = _latency(results, port, "history(first: 500)", graphql, plain, count=80)
        results.target("history_http_ratio", ratio, "<=", 3.0)

        series = results.series.setdefault("health latency (ms) by events in the partnership", [])
        for size in sizes:
            request = health_request(ids[size], _last_instant(url, ids[size]))
            run = load.load(port, [request], count=max(5, 3_000 // size * 5), seconds=600)
            results.figure(f"health, {size:,} events (GraphQL, warm)", "ms", _ms(run.latencies))
            series.append((size, statistics.median(run.latencies) * 1000))


def store_growth(results: Results) -> None:
    """health of a 300-event partnership in stores of 1, 100 and 10,000 such partnerships,
    its events read from the store on every request (the history cache off): the servers
    run side by side and are asked in turn, so the machine's moments fall on all alike."""
    counts = [1, 100, scaled(10_000, 200)]
    urls = [partnerships_store(count) for count in counts]
    servers = [ServerProcess.bench_app(url, history_cache=False) for url in urls]
    try:
        same: list[tuple[int, list[bytes]]] = []
        spread: list[tuple[int, list[bytes]]] = []
        for server, url in zip(servers, urls, strict=True):
            server.wait_ready()
            ids = partnership_ids(url)
            # The same history (seed 0) in every store; and 50 spread over the store.
            same.append((server.port, [health_request(ids[0], "2024-12-31")]))
            chosen = ids[:: max(1, len(ids) // 50)][:50]
            spread.append((server.port, [health_request(pid, "2024-12-31") for pid in chosen]))
        load.alternate_targets(same, 5)  # warm
        same_times = load.alternate_targets(same, 150 if SCALE >= 1 else 60)
        spread_times = load.alternate_targets(spread, 150 if SCALE >= 1 else 60)
    finally:
        for server in servers:
            server.stop()
    series = results.series.setdefault("health latency (ms) by partnerships in the store", [])
    for count, times, others in zip(counts, same_times, spread_times, strict=True):
        label = f"{count:,} partnership{'s' if count > 1 else ''} of 300 events"
        results.figure(f"health in a store of {label} (history read each time)", "ms", _ms(times))
        results.figure(
            f"health in a store of {label}, partnerships spread over it in turn", "ms",
            _ms(others),
        )  # fmt: skip
        series.append((count, statistics.median(times) * 1000))
    if counts[-1] != 10_000:
        results.notes.append(
            f"store_growth used a store of {counts[-1]:,} partnerships (ACCORD_BENCH_SCALE)"
        )
    growth = statistics.median(same_times[-1]) / statistics.median(same_times[0])
    results.target("store_growth", growth, "<=", 1.5)


def _current_views(url: str) -> list[str]:
    """Bring the store's views up to date (the read side's rebuild normally has); its
    partnerships, largest first."""
    runtime = Runtime.open(url, project=False)
    try:
        Projector(runtime.app, runtime.views).run_until_current()
        entries = runtime.reader.partnerships(limit=10_000)
        return [entry.id for entry in sorted(entries, key=lambda e: -e.version)]
    finally:
        runtime.close()


def server_memory(results: Results) -> None:
    """`accord serve` on the 1,000,000-event store of the read side: health and a page of
    history of every partnership, then the process's resident set."""
    from bench.read_side import rebuild_store

    events = scaled(1_000_000, 5_000)
    url = rebuild_store(events, per_partnership=min(100_000, events))
    ids = _current_views(url)
    with ServerProcess.accord("serve", "--database", url).wait_ready() as server:
        before, _ = server.memory_mb()
        health_ms: list[float] = []
        resident: list[float] = []
        for pid in ids:
            as_of = _last_instant(url, pid)
            run = load.load(server.port, [health_request(pid, as_of)], count=2, seconds=600)
            health_ms.append(run.latencies[-1] * 1000)  # the second: its history is read
            page = load.graphql(HISTORY, {"id": pid, "first": 100})
            if load.load(server.port, [page], count=1, seconds=600).failures:
                raise RuntimeError("history failed")
            resident.append(server.memory_mb()[0])
        after, peak = server.memory_mb()
    size = _partnership_size(url, ids[0])
    results.figure(
        f"accord serve RSS at start ({_store_events(url):,}-event store)", "MiB", [before]
    )
    results.figure(f"accord serve RSS after serving {len(ids)} partnerships", "MiB", [after])
    results.figure("accord serve peak RSS (VmHWM)", "MiB", [peak])
    results.figure("accord serve RSS after each partnership", "MiB", resident)
    results.figure(f"health, {size:,} events (GraphQL, history cached)", "ms", health_ms)
    series = results.series.setdefault("health latency (ms) by events in the partnership", [])
    series.append((size, statistics.median(health_ms)))
    results.target("server_rss_mb", after, "<=", 300)


def _partnership_size(url: str, partnership_id: str) -> int:
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        (count,) = connection.execute(
            "SELECT version FROM view_partnerships WHERE id = ?", (partnership_id,)
        ).fetchone()
    finally:
        connection.close()
    return int(count)


def _store_events(url: str) -> int:
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        (count,) = connection.execute("SELECT COUNT(*) FROM view_events").fetchone()
    finally:
        connection.close()
    return int(count)


def run(results: Results) -> None:
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("GraphQL against plain endpoints", lambda: api_against_plain(results)),
        ("store growth", lambda: store_growth(results)),
        ("server memory", lambda: server_memory(results)),
    ]
    for name, step in steps:
        print(f"   {name}", file=sys.stderr, flush=True)
        step()
    try:
        from bench import team_side
    except ImportError:
        return
    team_side.run(results)
