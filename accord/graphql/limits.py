"""Limits that keep abusive queries cheap to refuse (API.md, Limits), and the caches.

- More than 5,000 tokens: the parser stops at the limit.
- Deeper than 15 or more than 30 aliases: refused before GraphQL's own validation runs.
- Also refused before validation, because GraphQL's check that same-named fields can be
  merged takes time quadratic in them: more than 2,000 fields once fragments are
  expanded, or more than 5,000 pairs of same-named fields to compare.
- Parsing, the checks and validation run in a worker thread, never on the event loop,
  and are cached by query text: a repeated query is neither parsed nor validated again.
- Request bodies over 64 KiB are refused by the web layer (HTTP 413) before parsing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from accord.threads import in_worker_thread

MAX_BODY_BYTES: Final = 64 * 1024
MAX_DEPTH: Final = 15
MAX_ALIASES: Final = 30
MAX_TOKENS: Final = 5_000
MAX_FIELDS: Final = 2_000
"""Fields in an operation once fragments are expanded."""
MAX_MERGE_PAIRS: Final = 5_000
"""Pairs of same-named fields at one path that validation must compare."""
MAX_PAGE: Final = 500
"""The largest `first` a connection accepts."""
MAX_SERIES_SAMPLES: Final = 2_000
"""The most samples one `healthSeries` returns."""
MAX_WINDOW_DAYS: Final = 36_500
CACHED_QUERIES: Final = 256
REFUSED: Final = "QUERY_REFUSED"


class _TooComplex(Exception):
    pass


class _Measure:
    """Walks an operation with same-named fields merged by path, as validation and
    execution see them: depth, aliases, fields and pairs of same-named fields."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.depth = 0
        self.aliases = 0
        self.fields = 0
        self.pairs = 0
        self.truncated = False

    def walk(self, selection_sets: Iterable[SelectionSetNode], level: int) -> None:
        if level > MAX_DEPTH + 1:
            self.truncated = True
            return  # deep enough to refuse; fragments that spread themselves end here too
        groups: dict[str, list[FieldNode]] = defaultdict(list)
        for selection_set in selection_sets:
            self._collect(selection_set, groups, set())
        for fields in groups.values():
            self.pairs += len(fields) * (len(fields) - 1) // 2
            if self.pairs > MAX_MERGE_PAIRS:
                raise _TooComplex
            inner = [field.selection_set for field in fields if field.selection_set is not None]
            if not inner:
                continue
            if fields[0].name.value.startswith("__"):  # introspection: its depth is not counted
                self._count_only(inner)
                continue
            self.depth = max(self.depth, level + 1)
            self.walk(inner, level + 1)

    def _count_only(self, selection_sets: list[SelectionSetNode]) -> None:
        groups: dict[str, list[FieldNode]] = defaultdict(list)
        for selection_set in selection_sets:
            self._collect(selection_set, groups, set())
        for fields in groups.values():
            self.pairs += len(fields) * (len(fields) - 1) // 2
            if self.pairs > MAX_MERGE_PAIRS:
                raise _TooComplex
            inner = [field.selection_set for field in fields if field.selection_set is not None]
            if inner:
                self._count_only(inner)

    def _collect(
        self,
        selection_set: SelectionSetNode,
        groups: dict[str, list[FieldNode]],
        spread: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.fields += 1
                if self.fields > MAX_FIELDS:
                    raise _TooComplex
                if selection.alias is not None:
                    self.aliases += 1
                    name = selection.alias.value
                else:
                    name = selection.name.value
                groups[name].append(selection)
            elif isinstance(selection, InlineFragmentNode):
                self._collect(selection.selection_set, groups, spread)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                definition = self.fragments.get(name)
                if name in spread or definition is None:  # unknown: validation says so
                    continue
                spread.add(name)
                self._collect(definition.selection_set, groups, spread)


def _refusal(message: str, node: OperationDefinitionNode, limit: str) -> GraphQLError:
    return GraphQLError(message, [node], extensions={"code": REFUSED, "limit": limit})


def limit_errors(document: DocumentNode) -> list[GraphQLError]:
    """Why the document is refused by the depth, alias and size limits (empty if it is not)."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    errors: list[GraphQLError] = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        name = f"'{definition.name.value}'" if definition.name else "the operation"
        measure = _Measure(fragments)
        try:
            measure.walk([definition.selection_set], 0)
        except _TooComplex:
            errors.append(
                _refusal(
                    f"{name} is too large: at most {MAX_FIELDS:,} fields with fragments "
                    f"expanded, and at most {MAX_MERGE_PAIRS:,} pairs of same-named fields",
                    definition,
                    "size",
                )
            )
            continue
        if measure.depth > MAX_DEPTH:
            errors.append(
                _refusal(
                    f"{name} is more than {MAX_DEPTH} levels deep"
                    if measure.truncated
                    else f"{name} is {measure.depth} levels deep; at most {MAX_DEPTH} are allowed",
                    definition,
                    "depth",
                )
            )
        if measure.aliases > MAX_ALIASES:
            errors.append(
                _refusal(
                    f"{name} uses {measure.aliases} aliases; at most {MAX_ALIASES} are allowed",
                    definition,
                    "aliases",
                )
            )
    return errors


@dataclass(frozen=True)
class Checked:
    """A parsed query text and the errors that refuse it (empty: it may run)."""

    document: DocumentNode
    errors: list[GraphQLError] | None
    """None until checked and validated."""


class QueryCache:
    """Parsed and checked queries by text (least recently used dropped first)."""

    def __init__(self, size: int = CACHED_QUERIES) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, str], Checked] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, schema: GraphQLSchema, query: str) -> Checked | None:
        key = (id(schema), query)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, schema: GraphQLSchema, query: str, checked: Checked) -> None:
        with self._lock:
            self._entries[(id(schema), query)] = checked
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


QUERIES = QueryCache()


def parse_query(query: str) -> DocumentNode | None:
    """The document, or None when it does not parse (strawberry then reports why)."""
    try:
        return parse(query, max_tokens=MAX_TOKENS)
    except GraphQLSyntaxError:
        return None


def check_query(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type, ...]
) -> list[GraphQLError]:
    """Refuse by the limits first; only a document within them is validated."""
    return limit_errors(document) or validate_document(schema, document, rules)


class QueryLimits(SchemaExtension):
    """Token, depth, alias and size limits; parsing and validation off the event loop
    and cached by query text."""

    async def on_operation(self) -> AsyncIterator[None]:
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        yield

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        query = context.query
        if query and context.graphql_document is None:
            schema = context.schema._schema
            cached = QUERIES.get(schema, query)
            if cached is None:
                document = await in_worker_thread(parse_query, query)
                if document is not None:
                    cached = Checked(document, None)
                    QUERIES.put(schema, query, cached)
            if cached is not None:
                context.graphql_document = cached.document
        # A query that does not parse is parsed again by strawberry, which reports why.
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        query, document = context.query, context.graphql_document
        if document is not None and _subscription_over_http(context):
            context.pre_execution_errors = [
                GraphQLError(
                    "subscriptions are served over websockets (graphql-transport-ws) at /graphql",
                    extensions={"code": "BAD_REQUEST"},
                )
            ]
        if query and document is not None and context.pre_execution_errors is None:
            schema = context.schema._schema
            cached = QUERIES.get(schema, query)
            if cached is None or cached.document is not document or cached.errors is None:
                rules = tuple(context.validation_rules)
                errors = await in_worker_thread(check_query, schema, document, rules)
                cached = Checked(document, errors)
                QUERIES.put(schema, query, cached)
            context.pre_execution_errors = list(cached.errors or [])
        yield


def _subscription_over_http(context: ExecutionContext) -> bool:
    try:
        operation = context.operation_type
    except RuntimeError:  # no such operation: validation says so
        return False
    over_websocket = getattr(context.context, "over_websocket", True)
    return operation is OperationType.SUBSCRIPTION and not over_websocket


__all__ = [
    "MAX_ALIASES",
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "MAX_FIELDS",
    "MAX_MERGE_PAIRS",
    "MAX_PAGE",
    "MAX_SERIES_SAMPLES",
    "MAX_TOKENS",
    "MAX_WINDOW_DAYS",
    "QueryLimits",
    "limit_errors",
]
