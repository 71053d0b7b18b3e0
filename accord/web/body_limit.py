"""Refuse oversized requests before anything reads them (API.md, Limits)."""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.graphql.limits import MAX_BODY_BYTES


def _refusal(status: int, message: str) -> tuple[dict[str, object], bytes]:
    body = json.dumps(
        {"errors": [{"message": message, "extensions": {"code": "REQUEST_TOO_LARGE"}}]}
    ).encode()
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    }
    return start, body


def replaying(body: bytes, receive: Receive) -> Receive:
    """`receive`, giving a body already read (whole) first."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class BodySizeLimit:
    """HTTP 413 for a body over `limit` bytes (declared or streamed), 414 for a URL query
    over it; the request is buffered up to the limit, so the app never sees more."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int = MAX_BODY_BYTES,
        larger: tuple[tuple[re.Pattern[str], int], ...] = (),
    ) -> None:
        """`larger`: (path pattern, limit) for the few routes with a limit of their own:
        more (an upload) or less (the check-in answer form); the first match counts."""
        self.app = app
        self.limit = limit
        self.larger = larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.limit:
            await self._refuse(send, 414, f"the URL's query is over {self.limit:,} bytes")
            return
        path = scope.get("path", "")
        limit = next((size for pattern, size in self.larger if pattern.match(path)), self.limit)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, 413, f"the request body is over {limit:,} bytes")
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(send, 413, f"the request body is over {limit:,} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, replaying(b"".join(chunks), receive), send)

    async def _refuse(self, send: Send, status: int, message: str) -> None:
        start, body = _refusal(status, message)
        await send(start)
        await send({"type": "http.response.body", "body": body})
