"""A real Accord server for API tests: uvicorn in a thread, on a free port, over a real
SQLite file; an HTTP client and a graphql-transport-ws client for it."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from websockets.sync.client import ClientConnection, connect

from accord.runtime import Runtime
from accord.web.server import server_config

WS_PROTOCOL = "graphql-transport-ws"


@dataclass
class ApiServer:
    """A running server: `post` a GraphQL operation, `subscribe` over websockets."""

    runtime: Runtime
    server: uvicorn.Server
    thread: threading.Thread
    port: int
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.url, timeout=30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def post(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The whole GraphQL response (data and errors) of an HTTP POST."""
        response = self.client.post("/graphql", json={"query": query, "variables": variables or {}})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The data of a query that must succeed."""
        body = self.post(query, variables)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def stop(self) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.runtime.close()


def start_server(database_url: str, *, auth: bool = False, **options: Any) -> ApiServer:
    runtime = Runtime.open(database_url)
    config = server_config(runtime, port=0, auth=auth, log_level="warning", **options)
    server = uvicorn.Server(config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="accord-test-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            runtime.close()
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    return ApiServer(runtime, server, thread, port)


class Subscriber:
    """One graphql-transport-ws connection."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self._ids = 0

    def send(self, message: Mapping[str, Any]) -> None:
        self.connection.send(json.dumps(message))

    def receive(self, timeout: float = 10) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.connection.recv(timeout=timeout))
        return message

    def subscribe(self, query: str, variables: Mapping[str, Any] | None = None) -> str:
        self._ids += 1
        operation = str(self._ids)
        self.send(
            {
                "id": operation,
                "type": "subscribe",
                "payload": {"query": query, "variables": dict(variables or {})},
            }
        )
        return operation

    def next_payloads(self, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        """The next `count` `next` payloads (any other message fails the test)."""
        payloads: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while len(payloads) < count:
            message = self.receive(timeout=max(0.01, deadline - time.monotonic()))
            if message["type"] == "ping":
                self.send({"type": "pong"})
                continue
            assert message["type"] == "next", message
            payloads.append(message["payload"])
        return payloads

    def nothing_within(self, seconds: float) -> bool:
        try:
            message = self.receive(timeout=seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected message {message}")


@contextmanager
def subscriber(server: ApiServer, payload: Mapping[str, Any] | None = None) -> Iterator[Subscriber]:
    with connect(
        server.ws_url,
        subprotocols=[WS_PROTOCOL],  # type: ignore[list-item]
        open_timeout=10,
        close_timeout=2,
        max_queue=None,  # keep reading: a client that closes sees the server's close at once
    ) as connection:
        client = Subscriber(connection)
        client.send({"type": "connection_init", "payload": dict(payload or {})})
        ack = client.receive()
        assert ack["type"] == "connection_ack", ack
        yield client
