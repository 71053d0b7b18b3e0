"""Compressed answers (br where accepted, else gzip) and cached static files (issue 19)."""

from __future__ import annotations

import gzip
import json
import re
import time

import brotli
import httpx
import pytest

from accord.web.app import STATIC
from accord.web.compression import MINIMUM_BYTES, chosen_encoding
from tests.api.server import ApiServer
from tests.support.graphql_client import websocket
from tests.support.operations import Recorder

LARGE = "{ __schema { types { name description fields { name description } } } }"


def _aliases(extra: int) -> str:
    """A query whose answer grows by a byte for each `extra` and compresses well: one field
    under 30 aliases (the most allowed), the first one's name `extra` letters longer."""
    names = [f"a{index:02d}" + "x" * (10 + (extra if index == 0 else 0)) for index in range(30)]
    return "{ " + " ".join(f"{name}: __typename" for name in names) + " }"


def _post(api: ApiServer, query: str, encoding: str) -> httpx.Response:
    """The answer as sent: its body not decoded."""
    with httpx.Client(base_url=api.url, timeout=30) as client:
        request = client.build_request(
            "POST",
            "/graphql",
            json={"query": query},
            headers={"accept": "application/json", "accept-encoding": encoding},
        )
        response = client.send(request, stream=True)
        response.raw_body = b"".join(response.iter_raw())  # type: ignore[attr-defined]
        response.close()
        return response


def _decoded(response: httpx.Response) -> object:
    raw: bytes = response.raw_body  # type: ignore[attr-defined]
    encoding = response.headers.get("content-encoding")
    if encoding == "br":
        raw = brotli.decompress(raw)
    elif encoding == "gzip":
        raw = gzip.decompress(raw)
    else:
        assert encoding is None
    return json.loads(raw)


def test_large_answers_are_compressed_as_br_or_gzip_and_decode_to_the_same_json(
    api: ApiServer,
) -> None:
    plain = _post(api, LARGE, "identity")
    assert "content-encoding" not in plain.headers
    assert len(plain.raw_body) > 10_000  # type: ignore[attr-defined]
    expected = _decoded(plain)
    for accepted, used in (
        ("gzip, deflate, br", "br"),
        ("br;q=0, gzip", "gzip"),
        ("gzip", "gzip"),
        ("br", "br"),
    ):
        response = _post(api, LARGE, accepted)
        assert response.status_code == 200
        assert response.headers["content-encoding"] == used
        assert "accept-encoding" in response.headers["vary"].lower()
        raw: bytes = response.raw_body  # type: ignore[attr-defined]
        assert int(response.headers["content-length"]) == len(raw)
        assert len(raw) * 3 < len(plain.raw_body)  # type: ignore[attr-defined]
        assert _decoded(response) == expected
    assert "accept-encoding" in plain.headers["vary"].lower()


def test_an_answer_is_compressed_from_minimum_bytes_on_and_sent_as_it_is_below(
    api: ApiServer,
) -> None:
    """Two answers of the same kind, one just under MINIMUM_BYTES and one just over: only
    the larger is compressed, though compressing the smaller would shrink it too."""

    def size(extra: int) -> int:
        raw: bytes = _post(api, _aliases(extra), "identity").raw_body  # type: ignore[attr-defined]
        return len(raw)

    low, high = 0, 2 * MINIMUM_BYTES  # then: the least `extra` whose answer reaches it
    assert size(low) < MINIMUM_BYTES <= size(high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if size(middle) < MINIMUM_BYTES else (low, middle)
    under, over = _post(api, _aliases(low), "identity"), _post(api, _aliases(high), "identity")
    under_body: bytes = under.raw_body  # type: ignore[attr-defined]
    over_body: bytes = over.raw_body  # type: ignore[attr-defined]
    assert len(under_body) + 1 == MINIMUM_BYTES == len(over_body)
    for encoding in ("br", "gzip"):
        # It would shrink: only the threshold keeps it as it is.
        shrunk = brotli.compress(under_body) if encoding == "br" else gzip.compress(under_body)
        assert len(shrunk) < len(under_body) // 2
        small = _post(api, _aliases(low), encoding)
        assert small.status_code == 200
        assert "content-encoding" not in small.headers
        assert "accept-encoding" in small.headers["vary"].lower()
        assert small.raw_body == under_body  # type: ignore[attr-defined]
        large = _post(api, _aliases(high), encoding)
        assert large.status_code == 200
        assert large.headers["content-encoding"] == encoding
        assert "accept-encoding" in large.headers["vary"].lower()
        assert len(large.raw_body) < len(over_body)  # type: ignore[attr-defined]
        assert _decoded(large) == json.loads(over_body)


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("", None),
        ("identity", None),
        ("gzip", "gzip"),
        ("gzip, br", "br"),
        ("br;q=0, gzip;q=0.5", "gzip"),
        ("*", "br"),
        ("*;q=0", None),
        ("gzip;q=0, br;q=0", None),
        ("GZIP", "gzip"),
    ],
)
def test_the_encoding_is_br_if_accepted_else_gzip(header: str, chosen: str | None) -> None:
    assert chosen_encoding(header) == chosen


def test_the_page_links_its_files_by_content_hash_cached_for_good(api: ApiServer) -> None:
    with httpx.Client(base_url=api.url, timeout=30) as client:
        page = client.get("/", headers={"accept-encoding": "br"})
        assert page.status_code == 200
        assert page.headers["content-encoding"] == "br"
        links = re.findall(r'(?:href|src)="(static/[^"]+)"', page.text)
        assert "static/js/main.js" in {link.split("?")[0] for link in links}
        for link in links:
            assert re.search(r"\?v=[0-9a-f]{16}$", link), link
            response = client.get(f"/{link}", headers={"accept-encoding": "gzip, br"})
            assert response.status_code == 200
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
            etag = response.headers["etag"]
            assert "accept-encoding" in response.headers["vary"].lower()
            again = client.get(
                f"/{link}", headers={"if-none-match": etag, "accept-encoding": "gzip, br"}
            )
            assert again.status_code == 304
            assert again.content == b""
        vendor = client.get("/static/vendor/echarts.min.js", headers={"accept-encoding": "br"})
        assert vendor.headers["content-encoding"] == "br"
        assert int(vendor.headers["content-length"]) * 3 < len(vendor.content)


def test_a_static_file_is_answered_at_once_then_kept_as_small_as_brotli_makes_it(
    api: ApiServer,
) -> None:
    """The first asker gets quick brotli (quality 11 takes seconds for the largest
    libraries); the smallest, made in the background, then answers every later request."""
    original = (STATIC / "vendor" / "echarts.min.js").read_bytes()

    def fetched(client: httpx.Client) -> tuple[str, bytes]:
        request = client.build_request(
            "GET", "/static/vendor/echarts.min.js", headers={"accept-encoding": "br"}
        )
        response = client.send(request, stream=True)
        raw = b"".join(response.iter_raw())
        response.close()
        assert response.status_code == 200 and response.headers["content-encoding"] == "br"
        assert brotli.decompress(raw) == original
        return response.headers["etag"], raw

    with httpx.Client(base_url=api.url, timeout=30) as client:
        etag, first = fetched(client)
        deadline = time.monotonic() + 120
        while True:
            again, later = fetched(client)
            assert again == etag
            if len(later) < len(first):
                break
            assert time.monotonic() < deadline, "the smallest brotli never replaced the first"
            time.sleep(0.2)
    assert len(later) == len(brotli.compress(original, quality=11))
    assert len(first) == len(brotli.compress(original, quality=5))


def test_files_not_named_by_hash_are_revalidated_by_etag(api: ApiServer) -> None:
    with httpx.Client(base_url=api.url, timeout=30) as client:
        for path in ("/static/js/api.js", "/static/app.css?v=0000000000000000"):
            response = client.get(path, headers={"accept-encoding": "identity"})
            assert response.status_code == 200
            assert response.headers["cache-control"] == "no-cache"
            again = client.get(path, headers={"if-none-match": response.headers["etag"]})
            assert again.status_code == 304


REPRESENTATION = ("etag", "vary", "content-type", "content-encoding", "content-length")
"""The headers a HEAD says as its GET does."""


def _raw(
    client: httpx.Client, method: str, path: str, headers: dict[str, str]
) -> tuple[httpx.Response, bytes]:
    """An answer as sent (its body not decoded)."""
    response = client.send(client.build_request(method, path, headers=headers), stream=True)
    raw = b"".join(response.iter_raw())
    response.close()
    return response, raw


def _vary(response: httpx.Response) -> set[str]:
    return {name.strip().lower() for name in response.headers.get("vary", "").split(",")}


@pytest.mark.parametrize(
    "path",
    [
        "/static/js/dom.js",  # compressed when br or gzip is accepted
        "/static/signin.css",  # under MINIMUM_BYTES: never compressed
        "/forms.json",  # not a file: names its type on its 304
    ],
)
@pytest.mark.parametrize("accepted", ["br", "gzip", "identity"])
def test_a_304_and_a_head_say_the_etag_and_vary_of_the_200(
    api: ApiServer, path: str, accepted: str
) -> None:
    """RFC 9110: a 304 carries the ETag and Vary its 200 would; a HEAD, the headers its
    GET would (the compressed answer's Content-Length, its encoding, its weak ETag)."""
    with httpx.Client(base_url=api.url, timeout=30) as client:
        asked = {"accept-encoding": accepted}
        # A static file's first brotli is replaced by its smallest, made in the background:
        # compare with the answer every later GET gets.
        full, body = _raw(client, "GET", path, asked)
        for _ in range(100):
            time.sleep(0.05)
            previous, (full, body) = body, _raw(client, "GET", path, asked)
            if body == previous:
                break
        assert full.status_code == 200
        etag = full.headers["etag"]
        identity_size = len(
            body
            if "content-encoding" not in full.headers
            else brotli.decompress(body)
            if full.headers["content-encoding"] == "br"
            else gzip.decompress(body)
        )
        compressed = accepted != "identity" and identity_size >= MINIMUM_BYTES
        assert full.headers.get("content-encoding") == (accepted if compressed else None)
        assert etag.startswith("W/") == compressed
        assert "accept-encoding" in _vary(full)
        assert int(full.headers["content-length"]) == len(body)

        for sent in (etag, etag.removeprefix("W/")):
            again, empty = _raw(client, "GET", path, {**asked, "if-none-match": sent})
            assert (again.status_code, empty) == (304, b"")
            assert again.headers["etag"] == etag
            assert "accept-encoding" in _vary(again)
            assert "content-encoding" not in again.headers
            assert again.headers.get("content-length", "0") == "0"

        head, nothing = _raw(client, "HEAD", path, asked)
        assert (head.status_code, nothing) == (200, b"")
        for name in REPRESENTATION:
            assert head.headers.get(name) == full.headers.get(name), name
        unchanged, _ = _raw(client, "HEAD", path, {**asked, "if-none-match": etag})
        assert unchanged.status_code == 304
        assert unchanged.headers["etag"] == etag
        assert "accept-encoding" in _vary(unchanged)


def _get(api: ApiServer, path: str, etag: str | None = None) -> httpx.Response:
    headers = {"if-none-match": etag} if etag else {}
    return api.client.get(path, headers=headers, timeout=120)


def test_the_xlsx_export_has_an_etag_and_is_not_sent_again_unchanged(api: ApiServer) -> None:
    recorder = Recorder(api)
    pid = recorder.form()
    path = f"/partnerships/{pid}/export.xlsx?asOf=2024-06-30"
    first = _get(api, path)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    assert "content-encoding" not in first.headers  # a workbook is already compressed
    again = _get(api, path, etag)
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    assert _get(api, path, f"W/{etag}").status_code == 304
    # Another day, or another "as known at", is another workbook.
    other = _get(api, f"/partnerships/{pid}/export.xlsx?asOf=2024-07-31", etag)
    assert other.status_code == 200 and other.headers["etag"] != etag
    known = _get(api, f"{path}&knownAt=2024-06-30", etag)
    assert known.status_code == 200 and known.headers["etag"] != etag
    # A new entry changes it.
    recorder.record(
        "joinPartner",
        {
            "partnershipId": pid,
            "partnerId": "nhs",
            "name": "NHS Trust",
            "sector": "NHS_TRUST",
            "occurredAt": "2024-02-01",
        },
    )
    changed = _get(api, path, etag)
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    # "As of" left out is now, which moves: no ETag.
    now = _get(api, f"/partnerships/{pid}/export.xlsx")
    assert now.status_code == 200 and "etag" not in now.headers


def test_the_board_pack_has_an_etag_and_is_not_made_again_unchanged(api: ApiServer) -> None:
    pid = Recorder(api).form()
    path = f"/partnerships/{pid}/report.pdf?asOf=2024-06-30"
    first = _get(api, path)
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    again = _get(api, path, etag)
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    other = _get(api, f"{path}&windowDays=90", etag)
    assert other.status_code == 200 and other.headers["etag"] != etag


def test_subscriptions_websockets_may_use_permessage_deflate(api: ApiServer) -> None:
    """The websockets client offers permessage-deflate: the server accepts it."""
    with websocket(api) as client:
        response = client.connection.response
        assert response is not None
        extensions = response.headers.get("sec-websocket-extensions", "")
        assert extensions.startswith("permessage-deflate"), extensions
