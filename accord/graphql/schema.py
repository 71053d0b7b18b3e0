"""The Accord schema: queries, mutations and subscriptions, with limits and caches."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from .errors import should_mask_error
from .limits import QueryLimits
from .mutations import Mutation
from .queries import Query
from .scalars import SCALARS
from .subscriptions import Subscription

log = logging.getLogger("accord.graphql")


def _mask_errors() -> MaskErrors:
    return MaskErrors(should_mask_error=should_mask_error)


class AccordSchema(strawberry.Schema):
    """Logs unexpected errors with their traceback; the client's own mistakes (bad
    queries, refused queries) only at debug level, briefly, so they cannot flood the log."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if should_mask_error(error):
                log.error("unexpected error: %s", error.message, exc_info=error.original_error)
            else:
                log.debug("query refused: %.200s", error.message)


def build_schema() -> strawberry.Schema:
    """A new schema object (the module-level `schema` serves the application)."""
    return AccordSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=SCALARS),
        extensions=[QueryLimits, _mask_errors],
    )


schema = build_schema()
