"""The page's static files, cached (issue 19).

Every file under /static carries an ETag (its size and modification time, Starlette's)
and answers `If-None-Match` with 304. A request naming the file's content hash
(`?v=HASH`, as the home page writes its links: `versioned_page`) is cached for a year
as immutable: a new version of the file has a new URL. Any other request (the page's
ES modules import one another by plain relative URLs) may be kept but is revalidated
(`no-cache`), so a deployment's new files are seen at once, at the cost of a 304.
A 304 names the file's type and size as its 200 does (`Content-Type`, `Content-Length`),
so that compression (`accord.web.compression`) gives it the 200's ETag and Vary; it
drops the Content-Length before the 304 is sent.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Final

from starlette.datastructures import QueryParams
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE: Final = "public, max-age=31536000, immutable"
REVALIDATE: Final = "no-cache"

# The home page's links to its files: href="static/..." and src="static/...".
_LINK = re.compile(r'(?P<attribute>(?:href|src)=")(?P<path>static/[^"?#]+)(?P<end>")')


_HASHES: dict[tuple[str, int, int], str] = {}


def content_hash(path: Path) -> str:
    """The first 16 hex digits of the file's SHA-256 (kept while its size and modification
    time are unchanged)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    digest = _HASHES.get(key)
    if digest is None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        _HASHES[key] = digest
    return digest


def versioned_page(html: str, static: Path) -> str:
    """The page with each link to a file under `static` given `?v=` its content hash."""

    def versioned(match: re.Match[str]) -> str:
        file = static / match["path"].removeprefix("static/")
        if not file.is_file():
            return match.group(0)
        return f"{match['attribute']}{match['path']}?v={content_hash(file)}{match['end']}"

    return _LINK.sub(versioned, html)


class CachedStaticFiles(StaticFiles):
    """StaticFiles with Cache-Control: immutable for a content-hashed URL whose hash
    matches the file, else revalidated with the ETag."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        """StaticFiles' answer, its 304 naming the file's type and size (module docstring)."""
        response = super().file_response(full_path, stat_result, scope, status_code)
        if response.status_code == 304:
            served = FileResponse(full_path, stat_result=stat_result)  # its headers only
            for name in ("content-type", "content-length"):
                response.headers[name] = served.headers[name]
        return response

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code not in (200, 304):
            return response
        wanted = QueryParams(scope.get("query_string", b"")).get("v")
        immutable = False
        if wanted is not None:
            full_path, _ = self.lookup_path(path)
            immutable = bool(full_path) and content_hash(Path(full_path)) == wanted
        response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
        return response
