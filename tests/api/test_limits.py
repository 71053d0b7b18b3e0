"""Abusive queries are refused quickly, with a top-level error (API.md, Limits)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from accord.storage.reader import PartnershipEntry
from tests.api.server import ApiServer
from tests.support.graphql_client import subscriber

QUICKLY = 1.0
"""Seconds within which a refusal must come back."""


def refused(api: ApiServer, query: str) -> tuple[list[dict[str, object]], float]:
    started = time.perf_counter()
    response = api.send(query)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("data") is None and body["errors"], body
    errors: list[dict[str, object]] = body["errors"]
    return errors, elapsed


def test_a_thousand_aliases_are_refused(api: ApiServer) -> None:
    query = "{ " + " ".join(f"a{i}: partnerships {{ totalCount }}" for i in range(1000)) + " }"
    assert len(query) < 64 * 1024
    errors, elapsed = refused(api, query)
    assert "5000 tokens" in str(errors[0]["message"]) or "aliases" in str(errors[0]["message"])
    assert elapsed < QUICKLY
    small = "{ " + " ".join(f"a{i}: __typename" for i in range(1000)) + " }"
    errors, elapsed = refused(api, small)
    assert errors[0]["message"] == "the operation uses 1000 aliases; at most 30 are allowed"
    assert errors[0]["extensions"] == {"code": "QUERY_REFUSED", "limit": "aliases"}
    assert elapsed < QUICKLY


def test_thirty_aliases_are_allowed(api: ApiServer) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(30)) + " }"
    assert api.data(query)["a29"] == "Query"


def test_a_query_fifty_deep_is_refused(api: ApiServer) -> None:
    query = "{ " + "partnerships { " * 50 + "totalCount" + " }" * 50 + " }"
    errors, elapsed = refused(api, query)
    assert errors[0]["message"] == "the operation is more than 15 levels deep"
    assert errors[0]["extensions"] == {"code": "QUERY_REFUSED", "limit": "depth"}
    assert elapsed < QUICKLY
    sixteen = "{ " + "a { " * 16 + "b" + " }" * 16 + " }"
    errors, _ = refused(api, sixteen)
    assert errors[0]["message"] == "the operation is 16 levels deep; at most 15 are allowed"
    fifteen = "{ " + "a { " * 15 + "b" + " }" * 15 + " }"
    errors, _ = refused(api, fifteen)  # refused by validation (no such fields), not depth
    assert "levels deep" not in str(errors[0]["message"])


def test_a_query_fifteen_deep_is_allowed(api: ApiServer) -> None:
    query = (
        "{ partnerships { edges { node { history { edges { node { id } } } "
        "decisions { edges { node { decidedBy { id } } } } } } } }"
    )
    assert api.post(query).get("errors") is None


def test_more_than_five_thousand_tokens_are_refused(api: ApiServer) -> None:
    query = "{ " + "__typename " * 5_001 + "}"
    errors, elapsed = refused(api, query)
    assert "5000 tokens" in str(errors[0]["message"])
    assert elapsed < QUICKLY


def test_many_repeated_fields_are_refused_before_validation(api: ApiServer) -> None:
    query = "{ " + "partnerships { totalCount } " * 1_200 + "}"
    errors, elapsed = refused(api, query)
    assert errors[0]["extensions"] == {"code": "QUERY_REFUSED", "limit": "size"}
    assert elapsed < QUICKLY


@pytest.mark.parametrize("size", [1_000_000, 64 * 1024 + 1])
def test_a_body_over_64_kib_is_refused_with_413(api: ApiServer, size: int) -> None:
    started = time.perf_counter()
    response = api.client.post(
        "/graphql",
        content=b'{"query": "{ __typename }", "padding": "' + b"x" * size + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert time.perf_counter() - started < QUICKLY


def test_a_streamed_body_over_64_kib_is_refused_with_413(api: ApiServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ __typename }", "padding": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    response = api.client.post(
        "/graphql",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


def test_a_body_just_under_the_limit_is_answered(api: ApiServer) -> None:
    padding = "x" * (60 * 1024)
    response = api.send("{ __typename }", {"padding": padding})
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


def test_a_websocket_message_over_64_kib_closes_the_socket(api: ApiServer) -> None:
    with subscriber(api) as client, pytest.raises(ConnectionClosed):
        client.send({"id": "1", "type": "subscribe", "payload": {"query": "x" * 70_000}})
        client.receive(timeout=5)


def test_a_page_over_500_is_refused(api: ApiServer) -> None:
    errors, _ = refused(api, "{ partnerships(first: 501) { totalCount } }")
    assert errors[0]["message"] == "first: at most 500 items per page (got 501)"
    assert api.post("{ partnerships(first: 500) { totalCount } }").get("errors") is None


def test_a_bad_cursor_or_instant_is_a_top_level_error(api: ApiServer) -> None:
    errors, _ = refused(api, '{ partnerships(after: "nonsense") { totalCount } }')
    assert errors[0]["message"] == "after: not a cursor of this list"
    body = api.post(
        'query { node(id: "x") { id } partnership(id: "00000000-0000-0000-0000-000000000000") '
        '{ health(asOf: "2024-01-01T10:00:00") { windowDays } } }'
    )
    assert "offset" in body["errors"][0]["message"]


def test_an_unexpected_failure_is_masked(api: ApiServer) -> None:
    # A partnership id that exists but whose events cannot be read is not possible through
    # the API; an internal error is simulated by a broken reader.
    original = api.runtime.reader.partnerships

    def broken(*args: object, **kwargs: object) -> list[PartnershipEntry]:
        raise RuntimeError("secret detail")

    api.runtime.reader.partnerships = broken  # type: ignore[method-assign]
    try:
        body = api.post("{ partnerships { totalCount } }")
    finally:
        api.runtime.reader.partnerships = original  # type: ignore[method-assign]
    assert body["errors"][0]["message"] == "Unexpected error."
    assert "secret" not in str(body)


def test_get_queries_work_and_get_mutations_do_not(api: ApiServer) -> None:
    response = api.client.get("/graphql", params={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}
    response = api.client.get(
        "/graphql",
        params={
            "query": 'mutation { formPartnership(input: {name: "x", purpose: "y"}) { __typename } }'
        },
    )
    assert response.status_code != 200 or response.json().get("errors")
    assert isinstance(response, httpx.Response)
