"""API tests run against a real server (uvicorn on a free port) over a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.server import ApiServer, start_server


@pytest.fixture
def api(sqlite_url: str) -> Iterator[ApiServer]:
    server = start_server(sqlite_url)
    yield server
    server.stop()
