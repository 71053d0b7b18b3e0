"""Fuzzing the served API over HTTP, as an authenticated ADMIN and as an outsider.

- hypothesis-graphql generates queries and mutations from the schema the server serves
  (read by introspection); hypothesis generates inputs for every mutation, most of them
  wrong in some way (types, ranges, ids, lengths, NUL, lone surrogates, instants).
- Whatever is sent: no 5xx, no unexpected (masked) error, no traceback text; the write
  side moves by at most one event per successful mutation and by none without one; the
  views answer with the write side's version; the hash chain stays valid (`audit`).
- An outsider never sees, nor changes, the partnership it has no role in.

`ACCORD_FUZZ_EXAMPLES` is the budget of examples for the file (default 60, so it runs
in well under a minute); `make fuzz` runs `-k fuzz` with 2,000.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from tests.api.secured import UNKNOWN_ID, SecuredServer
from tests.api.seeding import MUTATIONS, Seeder
from tests.support.operations import Recorder, mutation_document

BUDGET = int(os.environ.get("ACCORD_FUZZ_EXAMPLES", "60"))
QUERY_EXAMPLES = max(4, BUDGET // 4)
OPERATION_EXAMPLES = max(4, BUDGET // 4)
INPUT_EXAMPLES = max(2, BUDGET // 2 // len(MUTATIONS))
MARKER = "Riverside-" + uuid.uuid4().hex[:8]
"""In the seeded partnership's name, purpose, goals and partners, and nowhere else."""

LEAKS = ("Traceback", 'File "', "site-packages", "Exception:", "Error:")


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


@dataclass
class Fuzzed:
    server: SecuredServer
    admin: str
    outsider: str
    seeder: Seeder
    own: str
    """The outsider's own partnership."""
    event_ids: list[str]
    schema: graphql.GraphQLSchema
    """As served (by introspection)."""

    @property
    def partnership_id(self) -> str:
        return self.seeder.partnership_id

    def log_position(self) -> int:
        """How many events the store holds, over every partnership."""
        return int(self.server.api.runtime.app.recorder.max_notification_id() or 0)

    def answer(self, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        """The response body, checked: no 5xx, nothing unexpected, nothing leaked."""
        response = self.server.post(token, query, variables)
        return checked(response, query, variables)

    def assert_consistent(self) -> None:
        """The views answer with the write side's version; the chain is valid."""
        version = self.server.version(self.partnership_id)
        seen = self.server.data(
            self.admin,
            "query($id: ID!) { partnership(id: $id) { version audit { valid eventsChecked } } }",
            {"id": self.partnership_id},
        )["partnership"]
        assert seen == {"version": version, "audit": {"valid": True, "eventsChecked": version}}


def checked(response: httpx.Response, query: str, variables: Any = None) -> Any:
    assert response.status_code < 500, (response.status_code, response.text, query, variables)
    assert response.status_code in (200, 413), (response.status_code, response.text, query)
    for leak in LEAKS:
        assert leak not in response.text, (leak, response.text, query, variables)
    body = response.json()
    for error in body.get("errors") or ():
        assert error["message"] != "Unexpected error.", (body, query, variables)
    return body


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    server = SecuredServer(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'accord.db'}")
    try:
        admin, outsider = server.issue("alice"), server.issue("mallory")
        seeder = Seeder.new(Recorder(server.api, admin), MARKER)
        seeder.record(
            "joinPartner",
            {"partnerId": "gone", "name": MARKER, "sector": "OTHER", "occurredAt": "2024-01-02"},
        )
        seeder.record("recordPartnerLeaving", {"partnerId": "gone", "occurredAt": "2024-01-03"})
        early = {"occurredAt": "2024-01-03"}  # before anything the fuzzer dates
        for goal in ("g1", "g2"):
            seeder.record("setGoal", {**early, "goalId": goal, "statement": MARKER})
        seeder.record(
            "recordDecision",
            {
                **early,
                "decisionId": "d1",
                "title": "Pool",
                "category": "STRATEGY",
                "method": "CONSENSUS",
                "decidedBy": ["nhs", "council"],
            },
        )
        seeder.record(
            "makeCommitment",
            {
                **early,
                "commitmentId": "c1",
                "partnerId": "nhs",
                "kind": "FUNDING",
                "quantity": 1000,
                "dueAt": "2030-01-01",
            },
        )
        seeder.record(
            "appointLeader", {**early, "role": "Chair", "partnerId": "nhs", "person": "Pat"}
        )
        for actor, role in (("vera", "VIEWER"), ("rick", "RECORDER")):
            seeder.record("grantRole", {"actor": actor, "role": role})
        own = Recorder(server.api, outsider).form("Mallory's own")
        history = server.data(
            admin,
            "query($id: ID!) { partnership(id: $id) { history(first: 500) { edges "
            "{ node { id } } } } }",
            {"id": seeder.partnership_id},
        )["partnership"]["history"]["edges"]
        introspection = server.data(admin, graphql.get_introspection_query())
        schema = graphql.build_client_schema(introspection)  # type: ignore[arg-type]
        yield Fuzzed(
            server,
            admin,
            outsider,
            seeder,
            own,
            [edge["node"]["id"] for edge in history],
            schema,
        )
    finally:
        server.stop()


# ------------------------------------------------------- values worth trying

INSTANTS = [
    "2024-06-01",
    "2024-01-01",
    "2023-12-31",
    "2030-01-01",
    "2024-06-01T10:00:00+02:00",
    "2024-06-01T10:00:00Z",
    "2024-06-01T10:00:00",  # no offset
    "2024-02-30",
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:59:59.999999-23:59",
    "not a date",
    "",
    "2" * 65,
]
TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=30),  # lone surrogates too
    st.sampled_from(["", " ", "\n", "a\x00b", "<script>", "'; DROP TABLE events; --", "null"]),
    st.sampled_from([1, 199, 200, 201, 4_999, 5_000, 5_001]).map(lambda n: "x" * n),
)


def _ids(fuzzed: Fuzzed) -> list[str]:
    """Ids that mean something somewhere (this partnership, another, none)."""
    return [
        fuzzed.partnership_id,
        fuzzed.partnership_id.upper(),
        fuzzed.own,
        UNKNOWN_ID,
        *fuzzed.event_ids[:4],
        "nhs",
        "council",
        "gone",
        "g1",
        "p-1",
        "c-3",
        "Chair-5",
        "",
        "a b",
        "x" * 65,
    ]


# -------------------------------------------- generated queries and mutations


def _graphql_scalars(fuzzed: Fuzzed) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    return {
        "ID": st.sampled_from(_ids(fuzzed)).map(nodes.String),
        "DateTime": st.sampled_from(INSTANTS).map(nodes.String),
    }


def with_typename(document: graphql.DocumentNode) -> str:
    """The document with `__typename` on every root field's result, so a mutation's
    success can be told from a refusal whatever else was selected."""
    definitions = []
    for definition in document.definitions:
        if isinstance(definition, graphql.OperationDefinitionNode):
            fields = []
            for field in definition.selection_set.selections:
                assert isinstance(field, graphql.FieldNode)
                typename = graphql.FieldNode(
                    name=graphql.NameNode(value="__typename"), arguments=(), directives=()
                )
                inner = field.selection_set.selections if field.selection_set else ()
                fields.append(
                    graphql.FieldNode(
                        alias=field.alias,
                        name=field.name,
                        arguments=field.arguments,
                        directives=field.directives,
                        selection_set=(
                            graphql.SelectionSetNode(selections=(*inner, typename))
                            if field.selection_set
                            else None
                        ),
                    )
                )
            definition = graphql.OperationDefinitionNode(
                operation=definition.operation,
                name=definition.name,
                variable_definitions=definition.variable_definitions,
                directives=definition.directives,
                selection_set=graphql.SelectionSetNode(selections=tuple(fields)),
            )
        definitions.append(definition)
    return graphql.print_ast(graphql.DocumentNode(definitions=tuple(definitions)))


def test_fuzz_generated_queries_fail_only_as_documented_and_hide_what_they_should(
    fuzzed: Fuzzed,
) -> None:
    @fuzz_settings(QUERY_EXAMPLES)
    @given(queries(fuzzed.schema, custom_scalars=_graphql_scalars(fuzzed)))
    def run(query: str) -> None:
        fuzzed.answer(fuzzed.admin, query)
        hidden = fuzzed.answer(fuzzed.outsider, query)
        assert MARKER not in json.dumps(hidden.get("data")), (query, hidden)

    run()


def _successes(body: dict[str, Any]) -> int:
    results = (body.get("data") or {}).values()
    return sum(
        1
        for result in results
        if isinstance(result, dict) and str(result.get("__typename", "")).endswith("Success")
    )


def test_fuzz_generated_mutations_write_at_most_what_they_report(fuzzed: Fuzzed) -> None:
    @fuzz_settings(OPERATION_EXAMPLES)
    @given(
        mutations(fuzzed.schema, custom_scalars=_graphql_scalars(fuzzed), print_ast=with_typename)
    )
    def run(mutation: str) -> None:
        position, version = fuzzed.log_position(), fuzzed.server.version(fuzzed.partnership_id)
        body = fuzzed.answer(fuzzed.admin, mutation)
        successes = _successes(body)
        assert 0 <= fuzzed.log_position() - position <= successes, (mutation, body)
        assert 0 <= fuzzed.server.version(fuzzed.partnership_id) - version <= successes

        # The same operation from the outsider changes nothing of the hidden partnership.
        version = fuzzed.server.version(fuzzed.partnership_id)
        hidden = fuzzed.answer(fuzzed.outsider, mutation)
        assert fuzzed.server.version(fuzzed.partnership_id) == version, (mutation, hidden)
        assert MARKER not in json.dumps(hidden.get("data"))
        fuzzed.assert_consistent()

    run()


# ------------------------------------------------- generated mutation inputs

CURRENT = "<the partnership's current version>"
PLAIN_TEXT = st.text(
    st.characters(categories=["L", "N", "P", "Zs"], max_codepoint=0x2FFF), min_size=1, max_size=20
)
FRESH = st.from_regex(r"[a-z]{1,2}-[0-9]{1,3}", fullmatch=True)
PARTNERS = st.sampled_from(["nhs", "council"])
PLAUSIBLE_BY_NAME: dict[str, st.SearchStrategy[Any]] = {
    # What the seeded partnership holds, or a new id where one is chosen.
    "partnerId": PARTNERS | FRESH,
    "respondentId": PARTNERS,
    "aboutId": PARTNERS,
    "decidedBy": PARTNERS,
    "consulted": PARTNERS,
    "dissentedBy": PARTNERS,
    "goalId": st.sampled_from(["g1", "g2"]) | FRESH,
    "commitmentId": st.just("c1") | FRESH,
    "decisionId": FRESH,
    "actor": st.sampled_from(["vera", "rick"]),
    "role": st.sampled_from(["Chair", "Lead"]),
    "unit": st.just("GBP"),
    "occurredAt": st.sampled_from(["2024-06-01", "2024-03-01T09:30:00+01:00"]),
    "dueAt": st.just("2030-01-01"),
    "expectedVersion": st.just(CURRENT),
    "idempotencyKey": st.sampled_from(["k1", "k2"]) | FRESH,
    "share": st.sampled_from([0.5, 1.0]),
    "quantity": st.sampled_from([1.0, 2.5, 100.0]),
}


def _plausible(fuzzed: Fuzzed, name: str, kind: graphql.GraphQLInputType) -> Any:
    """A value that could well be accepted: the right type, a known id, a sane number."""
    inner = graphql.get_nullable_type(kind)
    if isinstance(inner, graphql.GraphQLList):
        if name == "shares":
            return st.just(
                [{"partnerId": "nhs", "share": 0.5}, {"partnerId": "council", "share": 0.5}]
            )
        return st.lists(_plausible(fuzzed, name, inner.of_type), min_size=1, max_size=2)
    if isinstance(inner, graphql.GraphQLInputObjectType):
        return _object(fuzzed, inner, wild=False)
    if name == "partnershipId":
        return st.just(fuzzed.partnership_id)
    if name == "eventId":
        return st.sampled_from(fuzzed.event_ids)
    if isinstance(inner, graphql.GraphQLEnumType):
        return st.sampled_from(sorted(inner.values))
    if name in PLAUSIBLE_BY_NAME:
        return PLAUSIBLE_BY_NAME[name]
    assert isinstance(inner, graphql.GraphQLScalarType)
    return {
        "ID": FRESH,
        "String": PLAIN_TEXT,
        "DateTime": st.just("2024-06-01"),
        "Int": st.integers(1, 3),
        "Float": st.sampled_from([0.5, 1.0]),
        "Boolean": st.booleans(),
    }[inner.name]


def _wild(fuzzed: Fuzzed, name: str, kind: graphql.GraphQLInputType) -> Any:
    """Anything of roughly the right shape, or not."""
    inner = graphql.get_nullable_type(kind)
    if isinstance(inner, graphql.GraphQLList):
        return st.lists(
            _plausible(fuzzed, name, inner.of_type) | _wild(fuzzed, name, inner.of_type),
            max_size=4,
        )
    if isinstance(inner, graphql.GraphQLInputObjectType):
        return _object(fuzzed, inner, wild=True)
    if isinstance(inner, graphql.GraphQLEnumType):
        return st.just("NOT_A_VALUE")
    if name == "partnershipId":
        return st.sampled_from([fuzzed.partnership_id.upper(), fuzzed.own, UNKNOWN_ID, "x", ""])
    if name == "expectedVersion":
        return st.integers(-2, 80)
    assert isinstance(inner, graphql.GraphQLScalarType)
    wild: st.SearchStrategy[Any] = {
        "ID": st.sampled_from(_ids(fuzzed))
        | st.from_regex(r"[A-Za-z0-9_.:-]{1,64}", fullmatch=True)
        | TEXT,
        "String": TEXT,
        "DateTime": st.sampled_from(INSTANTS),
        "Int": st.integers(-(2**31), 2**31 - 1) | st.sampled_from([-1, 0, 6, 2**40]),
        "Float": st.floats() | st.sampled_from([0.0, -1.0, 1e308, 1e-300]),
        "Boolean": st.booleans(),
    }[inner.name]
    return wild | st.none()


def _object(
    fuzzed: Fuzzed, kind: graphql.GraphQLInputObjectType, *, wild: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """An input: every field plausible, but (when `wild`, mostly) one field, which may
    be anything; optional fields come and go."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        names = list(kind.fields)
        odd = draw(st.sampled_from([None, *names])) if wild else None
        given: dict[str, Any] = {}
        for name, field in kind.fields.items():
            required = isinstance(field.type, graphql.GraphQLNonNull)
            if name == odd:
                given[name] = draw(_wild(fuzzed, name, field.type))
            elif required or draw(st.booleans()):
                given[name] = draw(_plausible(fuzzed, name, field.type))
        return given

    return build()


def _resolved(fuzzed: Fuzzed, given: dict[str, Any]) -> dict[str, Any]:
    if given.get("expectedVersion") == CURRENT:
        given = {**given, "expectedVersion": fuzzed.server.version(fuzzed.partnership_id)}
    return given


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_fuzz_inputs_of_every_mutation(fuzzed: Fuzzed, mutation: str) -> None:
    field = fuzzed.schema.mutation_type.fields[mutation]  # type: ignore[union-attr]
    input_type = graphql.get_named_type(field.args["input"].type)
    assert isinstance(input_type, graphql.GraphQLInputObjectType)
    document = mutation_document(mutation)

    @fuzz_settings(INPUT_EXAMPLES)
    @given(_object(fuzzed, input_type))
    def run(given_input: dict[str, Any]) -> None:
        given_input = _resolved(fuzzed, given_input)
        position, version = fuzzed.log_position(), fuzzed.server.version(fuzzed.partnership_id)
        body = fuzzed.answer(fuzzed.admin, document, {"input": given_input})
        result = (body.get("data") or {}).get("result")
        moved = fuzzed.log_position() - position
        if result is not None and result["__typename"].endswith("Success"):
            assert moved <= 1, (given_input, result)  # 0: an idempotent replay
            assert result["event"]["recordedBy"] == "alice"
        else:
            assert moved == 0, (given_input, body)  # refused: no partial write
            assert fuzzed.server.version(fuzzed.partnership_id) == version
        fuzzed.assert_consistent()

    run()


def test_fuzz_left_every_chain_valid(fuzzed: Fuzzed) -> None:
    listing = fuzzed.server.data(
        fuzzed.admin, "{ partnerships(first: 500) { edges { node { id version } } } }"
    )["partnerships"]["edges"]
    assert listing
    for edge in listing:
        report = fuzzed.server.api.runtime.app.verify(uuid.UUID(edge["node"]["id"]))
        assert report.valid and report.events_checked == edge["node"]["version"]
