"""Every HTTP request and websocket connection gets an id, so a client's report of a
failure can be matched with the log: the id is in `scope["state"]["request_id"]` (the
GraphQL context takes it from there), in the `X-Request-ID` response header, in the
`extensions.requestId` of a masked GraphQL error, and in the log line of anything that
went wrong. An exception nothing else handled is logged with its traceback and answered
with a masked HTTP 500 (no stack trace, no exception text)."""

from __future__ import annotations

import itertools
import json
import logging
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("accord.web")

HEADER = b"x-request-id"
UNEXPECTED = "Unexpected error."


_PROCESS = secrets.token_hex(10)  # 80 random bits: ids unique across processes
_NEXT = itertools.count(1)


def new_request_id() -> str:
    """32 hex digits, as a uuid4's: this process's random prefix and a counter (a
    uuid4 per request costs a system call)."""
    return f"{_PROCESS}{next(_NEXT):012x}"


def request_id_of(scope: Scope) -> str | None:
    request_id = scope.get("state", {}).get("request_id")
    return request_id if isinstance(request_id, str) else None


class RequestIds:
    """Gives each request an id; masks what no one else handled."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [*message.get("headers", []), (HEADER, request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unexpected error (request %s)", request_id)
            if started:  # too late to answer: the server closes the connection
                raise
            body = json.dumps(
                {
                    "errors": [
                        {
                            "message": UNEXPECTED,
                            "extensions": {
                                "code": "INTERNAL_SERVER_ERROR",
                                "requestId": request_id,
                            },
                        }
                    ]
                }
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (HEADER, request_id.encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
