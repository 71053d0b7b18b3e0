"""The tests' one GraphQL client: operations over HTTP and over graphql-transport-ws,
against any Accord server, in this process (`tests.api.server.ApiServer`) or in another
(`tests.support.processes.AccordProcess`), both of which are `GraphQLClient`s."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

WS_PROTOCOL = "graphql-transport-ws"


def bearer(token: str | None) -> dict[str, str]:
    """The header that carries a bearer token (none for None)."""
    return {"Authorization": f"Bearer {token}"} if token is not None else {}


class GraphQLClient:
    """The GraphQL endpoint of the server at `url` (`http://host:port`): `send` one
    operation and get the HTTP response, `post` one that must be answered with 200,
    `data` of one that must succeed. `headers` go with every request."""

    def __init__(
        self, url: str, headers: Mapping[str, str] | None = None, timeout: float = 30
    ) -> None:
        self.url = url
        self.headers = dict(headers or {})
        self.timeout = timeout
        self._client: httpx.Client | None = None

    @property
    def ws_url(self) -> str:
        return "ws" + self.url.removeprefix("http") + "/graphql"

    @property
    def client(self) -> httpx.Client:
        """The HTTP client under it, for requests other than a GraphQL operation."""
        if self._client is None:
            self._client = httpx.Client(
                base_url=self.url, timeout=self.timeout, headers=self.headers
            )
        return self._client

    def send(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """An HTTP POST of one operation. Its JSON escapes every non-ASCII character, so
        even a lone surrogate goes (as `\\ud800`)."""
        body = json.dumps({"query": query, "variables": dict(variables or {})})
        return self.client.post(
            "/graphql",
            content=body.encode("ascii"),
            headers={"content-type": "application/json", **(headers or {})},
        )

    def post(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The whole GraphQL response (data and errors) of an operation answered with 200."""
        response = self.send(query, variables, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The data of an operation that must succeed without errors."""
        body = self.post(query, variables, headers=headers)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def healthz(self, timeout: float = 2.0) -> dict[str, Any] | None:
        """/healthz's body when it answers 200; None otherwise (not yet listening too)."""
        try:
            response = httpx.get(f"{self.url}/healthz", timeout=timeout)
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        return body

    def until_healthy(self, timeout: float = 30, alive: Callable[[], bool] = lambda: True) -> bool:
        """Whether /healthz answered within `timeout` seconds (False at once when the
        server's process is no longer `alive`)."""
        deadline = time.monotonic() + timeout
        while self.healthz(timeout=1.0) is None:
            if not alive() or time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


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

    def init(self, payload: Mapping[str, Any] | None = None) -> None:
        """`connection_init`, which must be acknowledged."""
        self.send({"type": "connection_init", "payload": dict(payload or {})})
        ack = self.receive()
        assert ack["type"] == "connection_ack", ack

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

    def execute(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """A query or mutation sent over the socket: its one `next` payload."""
        operation = self.subscribe(query, variables)
        message = self.receive()
        assert message["type"] == "next" and message["id"] == operation, message
        assert self.receive()["type"] == "complete"
        payload: dict[str, Any] = message["payload"]
        return payload

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
def websocket(
    server: GraphQLClient, headers: Mapping[str, str] | None = None
) -> Iterator[Subscriber]:
    """A graphql-transport-ws connection not yet initialised (`headers` go with the
    upgrade request)."""
    with connect(
        server.ws_url,
        subprotocols=[WS_PROTOCOL],  # type: ignore[list-item]
        additional_headers=dict(headers or {}),
        open_timeout=10,
        close_timeout=2,
        max_queue=None,  # keep reading: a client that closes sees the server's close at once
    ) as connection:
        yield Subscriber(connection)


@contextmanager
def subscriber(
    server: GraphQLClient, payload: Mapping[str, Any] | None = None
) -> Iterator[Subscriber]:
    """A graphql-transport-ws connection, initialised with `payload` and acknowledged."""
    with websocket(server) as client:
        client.init(payload)
        yield client
