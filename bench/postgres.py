"""A PostgreSQL server for the benchmarks, started the same way the tests start theirs."""

from __future__ import annotations

import atexit
import uuid

from tests.support.postgres import PostgresServer

_server: PostgresServer | None = None


def server() -> PostgresServer:
    global _server
    if _server is None:
        _server = PostgresServer.start()
        atexit.register(_server.destroy)
    return _server


def fresh_database() -> str:
    return server().create_database(f"bench_{uuid.uuid4().hex[:10]}")
