"""A small HTTP/1.1 load generator: N keep-alive connections in one asyncio loop, each
sending its next request as soon as the previous response is read (a closed loop).

Requests are pre-encoded bytes and responses are read by Content-Length (or chunks), so
the client costs little next to the server (docs/PERFORMANCE.md, Measured figures); it
runs in the benchmark process, the server in another.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is installed with uvicorn[standard]
    uvloop = None


@dataclass
class Run:
    """What one load run measured."""

    latencies: list[float] = field(default_factory=list)  # seconds, one per response
    elapsed: float = 0.0
    failures: int = 0
    first_body: bytes = b""

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        return percentile(self.latencies, p)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100), nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def request(
    method: str, path: str, body: bytes = b"", host: str = "127.0.0.1", json_body: bool = True
) -> bytes:
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Accept: application/json"]
    if body:
        if json_body:
            head.append("Content-Type: application/json")
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def graphql(query: str, variables: dict[str, Any] | None = None) -> bytes:
    payload = json.dumps({"query": query, "variables": variables or {}}).encode()
    return request("POST", "/graphql", payload)


def get(path: str) -> bytes:
    return request("GET", path)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = None
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if length is not None:
        return status, await reader.readexactly(length)
    if not chunked:
        return status, b""
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return status, bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)


async def _connection(
    port: int,
    requests: Sequence[bytes],
    run: Run,
    deadline: float,
    count: int | None,
    keep_first: bool,
    expect: bytes | None,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for sent, payload in enumerate(itertools.cycle(requests)):
            now = time.perf_counter()
            if now >= deadline or (count is not None and sent >= count):
                return
            writer.write(payload)
            status, body = await _read_response(reader)
            run.latencies.append(time.perf_counter() - now)
            if status != 200 or (expect is not None and expect not in body):
                run.failures += 1
            if keep_first and not run.first_body:
                run.first_body = body
    finally:
        writer.close()


async def _load(
    port: int | Sequence[int],
    requests: Sequence[Sequence[bytes]],
    seconds: float,
    count: int | None,
    warmup: float,
    expect: bytes | None,
) -> Run:
    if warmup > 0:
        await _load(port, requests, warmup, None, 0, expect)
    ports = [port] if isinstance(port, int) else list(port)
    run = Run()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _connection(ports[index % len(ports)], mine, run, deadline, count, index == 0, expect)
            for index, mine in enumerate(requests)
        )
    )
    run.elapsed = time.perf_counter() - started
    return run


def load(
    port: int | Sequence[int],
    requests: Sequence[bytes] | Sequence[Sequence[bytes]],
    *,
    connections: int = 1,
    seconds: float = 3.0,
    count: int | None = None,
    warmup: float = 0.0,
    expect: bytes | None = None,
) -> Run:
    """Closed-loop load on 127.0.0.1:`port` for `seconds` (or `count` requests a
    connection). `requests` is cycled by every connection, or is one list per connection;
    a response that is not 200, or lacks `expect`, is a failure. Given several ports,
    the connections are spread over them in turn (connection i to port i % len(ports))."""
    if requests and isinstance(requests[0], bytes):
        per_connection: list[Sequence[bytes]] = [requests] * connections  # type: ignore[list-item]
    else:
        per_connection = list(requests)  # type: ignore[arg-type]
    runner = uvloop.run if uvloop is not None else asyncio.run
    return runner(_load(port, per_connection, seconds, count, warmup, expect))  # type: ignore[no-any-return]


async def _alternate(
    targets: Sequence[tuple[int, Sequence[bytes]]], rounds: int
) -> list[list[float]]:
    connections = [await asyncio.open_connection("127.0.0.1", port) for port, _ in targets]
    latencies: list[list[float]] = [[] for _ in targets]
    try:
        for round_ in range(rounds):
            for index, (_, payloads) in enumerate(targets):
                reader, writer = connections[index]
                start = time.perf_counter()
                writer.write(payloads[round_ % len(payloads)])
                status, _ = await _read_response(reader)
                latencies[index].append(time.perf_counter() - start)
                if status != 200:
                    raise RuntimeError(f"request failed with HTTP {status}")
    finally:
        for _, writer in connections:
            writer.close()
    return latencies


def alternate(port: int, payloads: Sequence[bytes], rounds: int) -> list[list[float]]:
    """Latencies of each payload, sent in turn, one at a time, `rounds` times (each on
    its own connection): a slow moment of the machine falls on all of them alike."""
    return alternate_targets([(port, [payload]) for payload in payloads], rounds)


def alternate_targets(
    targets: Sequence[tuple[int, Sequence[bytes]]], rounds: int
) -> list[list[float]]:
    """`alternate` over several servers: each target (a port and the payloads it cycles
    through) gets one request in turn, `rounds` times."""
    runner = uvloop.run if uvloop is not None else asyncio.run
    return runner(_alternate(targets, rounds))  # type: ignore[no-any-return]


def fetch(port: int, payload: bytes) -> tuple[int, Any]:
    """One request; its status and JSON body."""

    async def once() -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(payload)
            return await _read_response(reader)
        finally:
            writer.close()

    status, body = asyncio.run(once())
    return status, json.loads(body) if body else None
