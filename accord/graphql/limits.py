"""Limits that keep abusive queries cheap to refuse (API.md, Limits), and the caches.

- More than 5,000 tokens: the parser stops at the limit.
- Deeper than 15 or more than 30 aliases: refused before GraphQL's own validation runs,
  by one pass over the document that measures each fragment once (so fragments spread
  many times cost nothing extra).
- Parsing, the limit checks and validation are cached by query text, so a repeated
  query is neither parsed nor validated again.
- Request bodies over 64 KiB are refused by the web layer (HTTP 413) before parsing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

MAX_BODY_BYTES: Final = 64 * 1024
MAX_DEPTH: Final = 15
MAX_ALIASES: Final = 30
MAX_TOKENS: Final = 5_000
MAX_PAGE: Final = 500
"""The largest `first` a connection accepts."""
MAX_SERIES_SAMPLES: Final = 2_000
"""The most samples one `healthSeries` returns."""
MAX_WINDOW_DAYS: Final = 36_500
CACHED_QUERIES: Final = 256
REFUSED: Final = "QUERY_REFUSED"


@dataclass(frozen=True)
class Shape:
    """How deep a selection goes and how many aliases it holds (spreads expanded)."""

    depth: int
    aliases: int


class _Measure:
    """Depth and aliases of an operation; each fragment is measured once."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.measured: dict[str, Shape] = {}
        self.measuring: set[str] = set()

    def selections(self, selection_set: SelectionSetNode | None) -> Shape:
        depth = aliases = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):  # introspection: not counted
                    shape = Shape(0, 0)
                else:
                    inner = self.selections(selection.selection_set)
                    nested = 1 + inner.depth if selection.selection_set else 0
                    shape = Shape(nested, inner.aliases + (1 if selection.alias else 0))
            elif isinstance(selection, InlineFragmentNode):
                shape = self.selections(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                shape = self.fragment(selection.name.value)
            else:  # pragma: no cover - no other selection kinds exist
                continue
            depth = max(depth, shape.depth)
            aliases += shape.aliases
        return Shape(depth, aliases)

    def fragment(self, name: str) -> Shape:
        known = self.measured.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None or name in self.measuring:  # unknown or cyclic: validation says so
            return Shape(0, 0)
        self.measuring.add(name)
        shape = self.selections(definition.selection_set)
        self.measuring.discard(name)
        self.measured[name] = shape
        return shape


def limit_errors(document: DocumentNode) -> list[GraphQLError]:
    """Why the document is refused by the depth and alias limits (empty when it is not)."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    measure = _Measure(fragments)
    errors: list[GraphQLError] = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        shape = measure.selections(definition.selection_set)
        name = definition.name.value if definition.name else "the operation"
        if shape.depth > MAX_DEPTH:
            errors.append(
                GraphQLError(
                    f"{name} is {shape.depth} levels deep; at most {MAX_DEPTH} are allowed",
                    [definition],
                    extensions={"code": REFUSED, "limit": "depth"},
                )
            )
        if shape.aliases > MAX_ALIASES:
            errors.append(
                GraphQLError(
                    f"{name} uses {shape.aliases} aliases; at most {MAX_ALIASES} are allowed",
                    [definition],
                    extensions={"code": REFUSED, "limit": "aliases"},
                )
            )
    return errors


@dataclass(frozen=True)
class Checked:
    """A parsed query text and the errors that refuse it (empty: it may run)."""

    document: DocumentNode
    errors: list[GraphQLError]


class QueryCache:
    """Parsed and checked queries by text (least recently used dropped first)."""

    def __init__(self, size: int = CACHED_QUERIES) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, str], Checked] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, schema: GraphQLSchema, query: str) -> Checked | None:
        with self._lock:
            entry = self._entries.get((id(schema), query))
            if entry is not None:
                self._entries.move_to_end((id(schema), query))
            return entry

    def check(
        self, schema: GraphQLSchema, query: str, document: DocumentNode, rules: tuple[type, ...]
    ) -> Checked:
        """Refuse by the limits first, else validate; remember the outcome."""
        errors = limit_errors(document)
        if not errors:
            errors = validate_document(schema, document, rules)
        checked = Checked(document, errors)
        with self._lock:
            self._entries[(id(schema), query)] = checked
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return checked


QUERIES = QueryCache()


class QueryLimits(SchemaExtension):
    """Token, depth and alias limits, with parsing and validation cached by query text."""

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query and context.graphql_document is None:
            cached = QUERIES.get(context.schema._schema, query)
            if cached is not None:
                context.graphql_document = cached.document
        # Not cached: strawberry parses (with the token limit) after this hook.
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        document = context.graphql_document
        if query and document is not None and context.pre_execution_errors is None:
            schema = context.schema._schema
            cached = QUERIES.get(schema, query)
            if cached is None or cached.document is not document:
                rules = tuple(context.validation_rules)
                cached = QUERIES.check(schema, query, document, rules)
            context.pre_execution_errors = list(cached.errors)
        yield


__all__ = [
    "MAX_ALIASES",
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "MAX_PAGE",
    "MAX_SERIES_SAMPLES",
    "MAX_TOKENS",
    "MAX_WINDOW_DAYS",
    "QueryLimits",
    "limit_errors",
]
