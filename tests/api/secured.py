"""A server with bearer tokens on, its tokens issued and revoked through `TokenStore` as
`accord token issue|revoke` does (in another connection than the one that checks them),
and operations sent with a given token."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from accord.runtime import Runtime
from accord.storage.tokens import TokenStore
from accord.web.server import token_check
from tests.api.server import ApiServer, start_server
from tests.support.graphql_client import bearer

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
"""A well-formed partnership id that names no partnership."""


def forged_token() -> str:
    """Shaped like an issued token, but never issued."""
    return "acc_" + uuid.uuid4().hex + uuid.uuid4().hex[:11]


class SecuredServer:
    """`serve(..., auth=True)` over a SQLite file, as `accord serve` runs it."""

    def __init__(self, database_url: str) -> None:
        # The tokens' own runtime: the store `accord token` writes to, and the checker
        # `serve` builds with `token_check` (its own connection, as in production).
        self.tokens_runtime = Runtime.open(database_url, project=False)
        self.tokens = TokenStore(self.tokens_runtime.views)
        check, self._check_store = token_check(self.tokens_runtime)
        self.api: ApiServer = start_server(database_url, auth=True, check_token=check)

    def stop(self) -> None:
        self.api.stop()
        self._check_store.close()
        self.tokens.close()
        self.tokens_runtime.close()

    def issue(self, actor: str) -> str:
        return self.tokens.issue(actor)

    def revoke(self, token: str) -> None:
        """Revoke one token by the id `accord token list` shows."""
        matching = [info for info in self.tokens.list() if token_id(token) == info.token_id]
        assert len(matching) == 1
        assert self.tokens.revoke(matching[0].token_id) == 1

    def post(
        self, token: str | None, query: str, variables: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        """An HTTP POST of one GraphQL operation with that bearer token (None: without)."""
        return self.api.send(query, variables, headers=bearer(token))

    def body(
        self, token: str | None, query: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The whole response of an operation that must be answered with HTTP 200."""
        return self.api.post(query, variables, headers=bearer(token))

    def data(
        self, token: str | None, query: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The data of an operation that must succeed without errors."""
        return self.api.data(query, variables, headers=bearer(token))

    def version(self, partnership_id: str) -> int:
        """The partnership's version on the write side (what a refused command must leave)."""
        return int(self.api.runtime.app.partnership(uuid.UUID(partnership_id)).version)

    def partnership_count(self) -> int:
        return len(self.api.runtime.app.partnership_ids())


def token_id(token: str) -> str:
    """The id `accord token list` shows for a token: the start of its hash."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]
