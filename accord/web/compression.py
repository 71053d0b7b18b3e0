"""Compressed answers: brotli where the client accepts it, else gzip (issue 19).

A pure-ASGI middleware. An HTTP answer whose type is text (JSON, GraphQL's JSON, HTML,
CSS, JavaScript, CSV, SVG, plain text) is compressed as a whole when the client's
`Accept-Encoding` allows `br` (preferred) or `gzip` and the body is at least
`MINIMUM_BYTES`; every such answer says `Vary: Accept-Encoding`, compressed or not.
Left as they are: websockets, event streams and multipart answers (subscriptions and
incremental delivery over HTTP, which must flow as they come), answers already encoded,
bodiless answers (but a 304's headers: below), partial content (206), and other types (PDF,
workbooks, images: already compressed). The page's static files (under /static, with an
ETag) are compressed once per ETag and encoding and kept, so the large vendored
libraries cost nothing after the first request. That first request is not kept waiting
for brotli's smallest output (quality 11 takes seconds for the largest libraries): it
gets the quick one, and one background thread then makes the smallest, which replaces
it in the cache for every later request. An ETag on a compressed answer is made
weak (`W/"..."`), as it is no longer byte-for-byte the identity answer; If-None-Match
comparisons accept it.

A 304 says what its 200 would (RFC 9110, 15.4.5): when it names its type (the page's
static files and /forms.json do), it gets the 200's `Vary: Accept-Encoding` and, when
the 200 would be compressed (by its `Content-Length`, the identity size, when it names
one), the same weak ETag; its `Content-Length` is dropped. A HEAD gets the headers its GET
would (Content-Encoding, weak ETag, Vary, the compressed Content-Length): the body the
application makes for it is compressed as for GET and dropped by the server, and a HEAD
for a static file is answered as its GET (the file is read) for the same reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.threads import in_worker_thread

MINIMUM_BYTES: Final = 1024
"""Smaller bodies are sent as they are: compressing them saves too little."""

COMPRESSIBLE: Final = (
    "application/json",
    "application/graphql-response+json",
    "application/javascript",
    "application/manifest+json",
    "image/svg+xml",
    "text/html",
    "text/css",
    "text/javascript",
    "text/csv",
    "text/plain",
)
"""Media types worth compressing (their parameters, such as charset, aside)."""

BROTLI_QUALITY: Final = 5
"""Dynamic answers: close to gzip's speed, smaller."""
STATIC_BROTLI_QUALITY: Final = 11
"""The page's static files, kept once made (in the background): as small as brotli makes
them."""
GZIP_LEVEL: Final = 6
IN_THREAD_BYTES: Final = 256 * 1024
"""Larger bodies are compressed in a worker thread, not on the event loop."""
STATIC_CACHE_ENTRIES: Final = 128

_log = logging.getLogger("accord.web")


class _Background:
    """One daemon thread for work no request waits for (the static files' smallest
    brotli), one job at a time; a server that stops does not wait for it."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._started = False
        self._lock = threading.Lock()

    async def run(self, make: Callable[[], bytes]) -> bytes:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bytes] = loop.create_future()

        def settle(outcome: Callable[[], None]) -> None:
            if not done.done():
                outcome()

        def job() -> None:
            try:
                made = make()
            except Exception as error:  # handed to the awaiting task
                answer = functools.partial(settle, functools.partial(done.set_exception, error))
            else:
                answer = functools.partial(settle, functools.partial(done.set_result, made))
            with contextlib.suppress(RuntimeError):  # the loop has closed: no one waits
                loop.call_soon_threadsafe(answer)

        self._jobs.put(job)
        with self._lock:
            if not self._started:
                threading.Thread(target=self._work, name="accord-compress", daemon=True).start()
                self._started = True
        return await done

    def _work(self) -> None:
        while True:
            self._jobs.get()()


_background = _Background()


def chosen_encoding(accept_encoding: str) -> str | None:
    """`br` if the header accepts it, else `gzip` if it does, else None (q=0 refuses)."""
    accepted: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, _, params = part.strip().partition(";")
        name = name.strip().lower()
        if not name:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        accepted[name] = quality
    star = accepted.get("*", 0.0)
    for encoding in ("br", "gzip"):
        if accepted.get(encoding, star) > 0:
            return encoding
    return None


def compress(body: bytes, encoding: str, *, static: bool = False) -> bytes:
    if encoding == "br":
        quality = STATIC_BROTLI_QUALITY if static else BROTLI_QUALITY
        return bytes(brotli.compress(body, quality=quality))
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def _compressible(headers: Headers) -> bool:
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type in COMPRESSIBLE


def _add_vary(headers: MutableHeaders) -> None:
    vary = headers.get("vary", "")
    names = [name.strip().lower() for name in vary.split(",") if name.strip()]
    if "accept-encoding" not in names and "*" not in names:
        headers["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"


class Compression:
    """Compress text answers as br or gzip (module docstring)."""

    def __init__(self, app: ASGIApp, minimum_bytes: int = MINIMUM_BYTES) -> None:
        self.app = app
        self.minimum_bytes = minimum_bytes
        self._static: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self._shrinking: dict[tuple[str, str, str], asyncio.Task[None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        encoding = chosen_encoding(Headers(scope=scope).get("accept-encoding", ""))
        path = str(scope.get("path", ""))
        if scope.get("method") == "HEAD" and path.startswith("/static/"):
            # StaticFiles answers HEAD without reading the file: ask for its GET, whose
            # body the server drops, so the headers are the GET's (module docstring).
            scope = {**scope, "method": "GET"}
        start: Message | None = None
        chunks: list[bytes] = []
        passing = False

        async def compressing_send(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                status = int(message["status"])
                if status == 304:
                    passing = True
                    await send(self._not_modified(message, encoding, path))
                    return
                if (
                    not _compressible(headers)
                    or "content-encoding" in headers
                    or status < 200
                    or status in (204, 206)
                ):
                    passing = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._finish(start, b"".join(chunks), encoding, path, send)

        await self.app(scope, receive, compressing_send)

    def _not_modified(self, message: Message, encoding: str | None, path: str) -> Message:
        """A 304 with the ETag and Vary of the 200 it stands for (module docstring)."""
        headers = MutableHeaders(raw=list(message["headers"]))
        if not _compressible(headers) or "content-encoding" in headers:
            return message
        _add_vary(headers)
        length = headers.get("content-length")
        if length is not None:
            del headers["content-length"]
        etag = headers.get("etag")
        if encoding is None or etag is None or etag.startswith("W/"):
            return {**message, "headers": headers.raw}
        compressed = True  # a type it names, with no size: as /forms.json, compressed
        if length is not None and length.isdigit():
            size = int(length)
            kept = self._static.get((path, etag, encoding))
            compressed = size >= self.minimum_bytes and (kept is None or len(kept) < size)
        if compressed:
            headers["ETag"] = f"W/{etag}"
        return {**message, "headers": headers.raw}

    async def _finish(
        self, start: Message, body: bytes, encoding: str | None, path: str, send: Send
    ) -> None:
        headers = MutableHeaders(raw=list(start["headers"]))
        _add_vary(headers)
        if encoding is not None and len(body) >= self.minimum_bytes:
            etag = headers.get("etag")
            static = path.startswith("/static/") and etag is not None
            if static:
                key = (path, str(etag), encoding)
                packed = self._static.get(key)
                if packed is None:
                    packed = await _compressed(body, encoding)
                    self._keep(key, packed)
                    if encoding == "br":
                        self._shrink_later(key, body)
                else:
                    self._static.move_to_end(key)
            else:
                packed = await _compressed(body, encoding)
            if len(packed) < len(body):
                body = packed
                headers["Content-Encoding"] = encoding
                if etag is not None and not etag.startswith("W/"):
                    headers["ETag"] = f"W/{etag}"
        headers["Content-Length"] = str(len(body))
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _keep(self, key: tuple[str, str, str], packed: bytes) -> None:
        self._static[key] = packed
        self._static.move_to_end(key)
        while len(self._static) > STATIC_CACHE_ENTRIES:
            self._static.popitem(last=False)

    def _shrink_later(self, key: tuple[str, str, str], body: bytes) -> None:
        """Replace the kept answer for `key` by brotli's smallest, made in the background."""
        if key in self._shrinking:
            return

        async def shrink() -> None:
            try:
                smallest = await _background.run(lambda: compress(body, "br", static=True))
                if key in self._static:  # not dropped from the cache meanwhile
                    self._keep(key, smallest)
            except Exception:  # the quick answer stays; nothing is lost
                _log.exception("compressing %s in the background failed", key[0])
            finally:
                self._shrinking.pop(key, None)

        self._shrinking[key] = asyncio.get_running_loop().create_task(shrink())


async def _compressed(body: bytes, encoding: str) -> bytes:
    if len(body) < IN_THREAD_BYTES:
        return compress(body, encoding)
    return await in_worker_thread(compress, body, encoding)
