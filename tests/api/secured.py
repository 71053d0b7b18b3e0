"""A server with bearer tokens on, its tokens issued and revoked through `TokenStore` as
`accord token issue|revoke` does (in another connection than the one that checks them),
and a small HTTP client per token."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from accord.runtime import Runtime
from accord.storage.tokens import TokenStore
from accord.web.server import token_check
from tests.api.server import ApiServer, start_server

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
        self,
        token: str | None,
        query: str,
        variables: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """An HTTP POST of one GraphQL operation with that bearer token (None: without)."""
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        # JSON with every non-ASCII character escaped: a lone surrogate goes as `\ud800`.
        body = json.dumps({"query": query, "variables": dict(variables or {})})
        return self.api.client.post(
            "/graphql",
            content=body.encode("ascii"),
            headers={**headers, "content-type": "application/json"},
        )

    def body(
        self, token: str | None, query: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The whole response of an operation that must be answered with HTTP 200."""
        response = self.post(token, query, variables)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(
        self, token: str | None, query: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The data of an operation that must succeed without errors."""
        body = self.body(token, query, variables)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def version(self, partnership_id: str) -> int:
        """The partnership's version on the write side (what a refused command must leave)."""
        return int(self.api.runtime.app.partnership(uuid.UUID(partnership_id)).version)

    def partnership_count(self) -> int:
        return len(self.api.runtime.app.partnership_ids())


def token_id(token: str) -> str:
    """The id `accord token list` shows for a token: the start of its hash."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
