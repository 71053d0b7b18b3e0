"""The execution context's short path for plain fields answers exactly what
graphql-core's own path answers: the same data, and the same errors at the same paths
with the same nulls propagated, whatever the fields hold."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from enum import Enum
from typing import Any

import pytest
import strawberry

from accord.graphql.execution import AccordExecutionContext


@strawberry.enum
class Colour(Enum):
    RED = "red"
    GREEN = "green"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Leaf(Named):
    value: int
    maybe: str | None
    colour: Colour
    tags: list[str]
    loose: list[str | None]

    @strawberry.field
    def doubled(self) -> int:
        return self.value * 2

    @strawberry.field
    def broken(self) -> int:
        raise ValueError("broken resolver")


@strawberry.type
class Holder:
    leaf: Leaf
    optional_leaf: Leaf | None
    leaves: list[Leaf]
    loose_leaves: list[Leaf | None] | None
    maybe_leaves: list[Leaf] | None


def _leaf(number: int, **changes: Any) -> Leaf:
    fields: dict[str, Any] = {
        "name": f"leaf {number}",
        "value": number,
        "maybe": None,
        "colour": Colour.GREEN,
        "tags": ["a", "b"],
        "loose": ["x", None],
    }
    fields.update(changes)
    return Leaf(**fields)


HOLDERS: dict[str, Any] = {
    "good": lambda: Holder(
        leaf=_leaf(1),
        optional_leaf=None,
        leaves=[_leaf(2), _leaf(3)],
        loose_leaves=[_leaf(4), None],
        maybe_leaves=None,
    ),
    "null in a non-null leaf": lambda: Holder(
        leaf=_leaf(1),
        optional_leaf=_leaf(2, value=None),
        leaves=[_leaf(3)],
        loose_leaves=[_leaf(4, value=None), _leaf(5)],
        maybe_leaves=[_leaf(6, value=None)],
    ),
    "null in a non-null leaf, up to the root": lambda: Holder(
        leaf=_leaf(1, value=None),
        optional_leaf=None,
        leaves=[_leaf(2)],
        loose_leaves=None,
        maybe_leaves=None,
    ),
    "null in a non-null list item": lambda: Holder(
        leaf=_leaf(1),
        optional_leaf=None,
        leaves=[_leaf(2)],
        loose_leaves=[None, _leaf(3, tags=["ok", None])],
        maybe_leaves=[_leaf(4), None],  # type: ignore[list-item]
    ),
    "a value a scalar refuses": lambda: Holder(
        leaf=_leaf(1),
        optional_leaf=_leaf(2, colour="blue"),
        leaves=[_leaf(3)],
        loose_leaves=[_leaf(4, tags="not a list"), _leaf(5, value="many")],
        maybe_leaves=[_leaf(6, value=2**40)],
    ),
    "not a list": lambda: Holder(
        leaf=_leaf(1),
        optional_leaf=None,
        leaves=[_leaf(2)],
        loose_leaves=None,
        maybe_leaves=_leaf(3),  # type: ignore[arg-type]
    ),
}

QUERY = """
query ($with: Boolean!) {
  holder {
    __typename
    leaf { name value doubled colour tags loose maybe }
    optionalLeaf { value colour }
    alias: leaves { v: value ...Parts }
    looseLeaves { value tags ... on Leaf { name } }
    maybeLeaves { value skipped: name @skip(if: true) kept: name @include(if: $with) }
  }
}
fragment Parts on Leaf { colour tags doubled }
"""
BROKEN = "{ holder { leaf { value } optionalLeaf { broken } looseLeaves { value broken } } }"


def _schema(fast: bool, holder: Any) -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        def holder(self) -> Holder | None:
            return holder()  # type: ignore[no-any-return]

    if fast:
        return strawberry.Schema(query=Query, execution_context_class=AccordExecutionContext)
    return strawberry.Schema(query=Query)


def _answer(fast: bool, holder: Any, query: str) -> tuple[Any, list[tuple[str, Any]]]:
    schema = _schema(fast, holder)
    # A thread of its own: an earlier test (Playwright's sync API) may leave an event loop
    # running in this one, where asyncio.run() refuses to start.
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(
            asyncio.run, schema.execute(query, variable_values={"with": True})
        ).result()
    errors = sorted((error.message, error.path) for error in result.errors or ())
    return result.data, errors


@pytest.mark.parametrize("case", sorted(HOLDERS))
def test_plain_fields_answer_as_graphql_core_does(case: str) -> None:
    assert _answer(True, HOLDERS[case], QUERY) == _answer(False, HOLDERS[case], QUERY)


def test_failing_resolvers_answer_as_graphql_core_does() -> None:
    holder = HOLDERS["null in a non-null leaf"]
    fast, slow = _answer(True, holder, BROKEN), _answer(False, holder, BROKEN)
    assert fast == slow
    assert fast[1]  # the resolver's errors are reported
