"""A mutation whose text the server has already validated takes a shorter way through
(`accord.graphql.direct_mutations`); its answer is the usual way's, byte for byte.

Each comparison sends a text the server has not seen (the usual way, which validates
it), then the same request again (the short way). A repeat with the same idempotency key
records nothing and must answer exactly as the first did; the fingerprint of its input
must match too, or the service would answer DUPLICATE."""

from __future__ import annotations

import itertools
import sqlite3
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from accord.web.view import AccordGraphQL
from tests.api.operations import mutation_document
from tests.api.server import ApiServer
from tests.scenario_support import load_steps

_texts = itertools.count()


def graphql_view(api: ApiServer) -> AccordGraphQL:
    for route in api.server.config.app.router.routes:
        if isinstance(route, Route) and isinstance(route.endpoint, AccordGraphQL):
            return route.endpoint
    raise AssertionError("no GraphQL view")


def unseen(document: str) -> str:
    """The document as a text the server has not seen before."""
    return f"{document}\n# text {next(_texts)}"


def send(api: ApiServer, query: str, variables: dict[str, Any]) -> httpx.Response:
    return api.client.post("/graphql", json={"query": query, "variables": variables})


def both_ways(
    api: ApiServer, document: str, variables: dict[str, Any], *, planned: bool = True
) -> tuple[httpx.Response, httpx.Response]:
    """The usual way's response, then the short way's, to the same request (completed by
    its plan, or by graphql-core where `planned` is false)."""
    view = graphql_view(api)
    query = unseen(document)
    before = view.direct_mutations.answered
    usual = send(api, query, variables)
    assert view.direct_mutations.answered == before
    short = send(api, query, variables)
    assert view.direct_mutations.answered == before + 1, "the repeat took the usual way"
    direct = view.direct_mutations.find(query, None)
    assert direct is not None and (direct.plan is not None) is planned
    return usual, short


def without_request_id(response: httpx.Response) -> bytes:
    request_id = response.headers["x-request-id"]
    return response.content.replace(request_id.encode(), b"<request id>")


def planned_document(mutation: str) -> str:
    """The tests' mutation document without `retracted` (a field with an argument, which
    no plan covers)."""
    document = mutation_document(mutation)
    assert " retracted " in document
    return document.replace(" retracted ", " ")


@pytest.mark.parametrize("planned", [True, False], ids=["planned", "graphql-core"])
def test_every_step_of_a_scenario_answers_the_same_the_short_way(
    api: ApiServer, planned: bool
) -> None:
    document = planned_document if planned else mutation_document
    events: list[str] = []
    partnership_id = ""
    for index, step in enumerate(load_steps("hartmoor-a")):
        given = dict(step["input"], idempotencyKey=f"step-{index}")
        if index:
            given["partnershipId"] = partnership_id
        if "eventRef" in step:
            given["eventId"] = events[step["eventRef"]]
        variables = {"input": given}
        usual, short = both_ways(api, document(step["mutation"]), variables, planned=planned)
        assert usual.status_code == short.status_code == 200
        assert short.content == usual.content, index
        result = usual.json()["data"]["result"]
        assert result["__typename"].endswith("Success"), result
        partnership_id = result["partnership"]["id"]
        events.append(result["event"]["id"])


def test_a_refused_mutation_answers_the_same_the_short_way(api: ApiServer) -> None:
    given = {"name": " ", "purpose": "Joined-up care"}
    for document, planned in ((planned_document, True), (mutation_document, False)):
        usual, short = both_ways(
            api, document("formPartnership"), {"input": given}, planned=planned
        )
        assert usual.json()["data"]["result"]["__typename"] == "ValidationError"
        assert short.content == usual.content


def test_variables_that_do_not_coerce_are_reported_as_usual_and_record_nothing(
    api: ApiServer,
) -> None:
    view = graphql_view(api)
    query = unseen(mutation_document("formPartnership"))
    send(api, query, {"input": {"name": "Riverside", "purpose": "Joined-up care"}})
    before = view.direct_mutations.answered
    wrong = {"input": {"name": "Riverside", "purpose": 7, "sector": "NOWHERE"}}
    refused = send(api, query, wrong)
    assert view.direct_mutations.answered == before
    usual = send(api, unseen(mutation_document("formPartnership")), wrong)
    assert refused.json()["errors"] == usual.json()["errors"]
    assert refused.json()["data"] is None
    assert api.data("{ partnerships { totalCount } }")["partnerships"]["totalCount"] == 1


def test_an_unexpected_failure_is_masked_the_short_way_too(api: ApiServer, sqlite_url: str) -> None:
    given = {"name": "Riverside", "purpose": "Joined-up care"}
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as store:
        store.execute("ALTER TABLE stored_events RENAME TO stored_events_away")
    try:
        usual, short = both_ways(api, planned_document("formPartnership"), {"input": given})
    finally:
        with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as store:
            store.execute("ALTER TABLE stored_events_away RENAME TO stored_events")
    assert usual.json()["errors"][0]["message"] == "Unexpected error."
    assert usual.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert without_request_id(short) == without_request_id(usual)


def test_other_operations_take_the_usual_way(api: ApiServer) -> None:
    view = graphql_view(api)
    pid = send(api, mutation_document("formPartnership"), {"input": {"name": "R", "purpose": "P"}})
    pid_value = pid.json()["data"]["result"]["partnership"]["id"]
    check_in = {"partnershipId": pid_value, "actor": "bob", "role": "VIEWER"}
    others = [
        ("{ partnerships { totalCount } }", {}),
        (  # two root fields
            """mutation($a: GrantRoleInput!, $b: GrantRoleInput!) {
              a: grantRole(input: $a) { __typename } b: grantRole(input: $b) { __typename } }""",
            {"a": check_in, "b": check_in},
        ),
        (  # a directive
            """mutation($a: GrantRoleInput!, $skip: Boolean!) {
              grantRole(input: $a) { __typename @skip(if: $skip) } }""",
            {"a": check_in, "skip": False},
        ),
    ]
    before = view.direct_mutations.answered
    for query, variables in others:
        for _ in range(2):
            assert send(api, query, variables).status_code == 200
    assert view.direct_mutations.answered == before
