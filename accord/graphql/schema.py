"""The Accord schema: queries, mutations and subscriptions, with limits and caches."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from accord.graphql.errors import should_mask_error
from accord.graphql.execution import AccordExecutionContext
from accord.graphql.limits import QueryLimits
from accord.graphql.mutations import Mutation
from accord.graphql.queries import Query
from accord.graphql.rounds import RoundMutations
from accord.graphql.scalars import SCALARS
from accord.graphql.subscriptions import Subscription

log = logging.getLogger("accord.graphql")


def request_id_of(execution_context: ExecutionContext | None) -> str:
    """The id of the request (or websocket connection) an operation runs in."""
    context = execution_context.context if execution_context is not None else None
    request_id = getattr(context, "request_id", None)
    return request_id if isinstance(request_id, str) else "-"


class MaskUnexpectedErrors(MaskErrors):
    """`Unexpected error.` in place of an unexpected exception's message, with the request
    id the log line carries (`extensions.requestId`) and no detail of the exception."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return GraphQLError(
            message=self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={
                "code": "INTERNAL_SERVER_ERROR",
                "requestId": request_id_of(self.execution_context),
            },
        )


def _mask_errors() -> MaskErrors:
    return MaskUnexpectedErrors(should_mask_error=should_mask_error)


class AccordSchema(strawberry.Schema):
    """Logs unexpected errors with their traceback and request id; the client's own
    mistakes (bad queries, refused queries) only at debug level, briefly, so they cannot
    flood the log."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if should_mask_error(error):
                log.error(
                    "unexpected error (request %s) at %s: %s",
                    request_id_of(execution_context),
                    ".".join(str(part) for part in error.path or ()),
                    error.message,
                    exc_info=error.original_error,
                )
            else:
                log.debug("query refused: %.200s", error.message)


@strawberry.type(
    name="Mutation",
    description=(
        "Record what happened in a partnership: one mutation per event type (the check-in "
        "round's three: its own)."
    ),
)
class Mutations(Mutation, RoundMutations):  # type: ignore[misc]
    """The catalogue's generic mutations, then the check-in round's."""


def build_schema() -> strawberry.Schema:
    """A new schema object (the module-level `schema` serves the application)."""
    return AccordSchema(
        query=Query,
        mutation=Mutations,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=SCALARS),
        extensions=[QueryLimits, _mask_errors],
        execution_context_class=AccordExecutionContext,
    )


schema = build_schema()
