"""Entity tags for answers computed from a partnership's history (issue 19): reports and
exports. An ETag names what the answer is computed from (the partnership, its version
and newest hash, the request's parameters, Accord's version), so a client holding the
answer asks `If-None-Match` and is told 304 without the answer being made again. Only
answers fixed by their request get one: an "as of" left out means now, which moves."""

from __future__ import annotations

import hashlib
from importlib import metadata

from starlette.requests import Request
from starlette.responses import Response

try:
    _VERSION = metadata.version("accord")
except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare tree
    _VERSION = "unknown"

PRIVATE_REVALIDATE = "private, no-cache"
"""Kept by the client that asked, revalidated every time (the answer is private)."""


def etag_of(*parts: object) -> str:
    """A strong ETag naming these parts (with Accord's version: new code, new answers)."""
    text = "\x1f".join(str(part) for part in (_VERSION, *parts))
    return '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'


def matches(request: Request, etag: str) -> bool:
    """Whether the request's If-None-Match names `etag` (weakly: a compressed copy's
    `W/` prefix is the same entity) or is `*`."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or etag in (tag.removeprefix("W/") for tag in tags)


def not_modified(etag: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=304, headers={"ETag": etag, **(headers or {})})
