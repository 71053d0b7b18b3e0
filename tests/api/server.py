"""A real Accord server for API tests: uvicorn in a thread, on a free port, over a real
SQLite file; it is a `GraphQLClient` of itself."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from accord.runtime import Runtime
from accord.web.server import server_config
from tests.support.graphql_client import GraphQLClient


class ApiServer(GraphQLClient):
    """A running server: `post` a GraphQL operation, `subscriber` for websockets."""

    def __init__(
        self, runtime: Runtime, server: uvicorn.Server, thread: threading.Thread, port: int
    ) -> None:
        super().__init__(f"http://127.0.0.1:{port}")
        self.runtime = runtime
        self.server = server
        self.thread = thread
        self.port = port

    def stop(self) -> None:
        self.close()
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
