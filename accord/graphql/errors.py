"""Errors: the union members a mutation returns, and the top-level errors of queries.

A refused command is a union member (`ValidationError`, `VersionConflictError`,
`ForbiddenError`), never a top-level error. Top-level `errors` are for malformed
GraphQL, refused queries (limits) and bad query arguments: those are raised as
`QueryError`, which carries `extensions.code`. Anything else that goes wrong is a bug
and is masked as "Unexpected error." (the log keeps the traceback).
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from accord.domain.errors import DomainError, Forbidden, VersionConflict
from accord.graphql.enums import ErrorCode


@strawberry.interface(description="Why a command was refused. Nothing was recorded.")
class Error:
    message: str = strawberry.field(description="What was wrong, in a sentence.")
    code: ErrorCode = strawberry.field(description="What kind of problem it is.")


@strawberry.type(
    description=(
        "An input value breaks a rule (VALIDATION), names something unknown (NOT_FOUND) or "
        "reuses an id or key (DUPLICATE). Nothing was recorded."
    )
)
class ValidationError(Error):
    field: str = strawberry.field(
        description=(
            "The input field at fault as a dotted path with list indexes (`decidedBy.1`, "
            "`shares.0.share`). A conflict with an already-recorded event names `occurredAt` "
            "and gives that event's id in `message`."
        )
    )


@strawberry.type(
    description=(
        "`expectedVersion` is not the partnership's current version: someone else recorded "
        "something first. Nothing was recorded; read the partnership again and retry."
    )
)
class VersionConflictError(Error):
    expected_version: int = strawberry.field(description="The version the input expected.")
    current_version: int = strawberry.field(description="The partnership's current version.")


@strawberry.type(
    description=(
        "The actor can see the partnership, but its role there does not allow this. "
        "Nothing was recorded."
    )
)
class ForbiddenError(Error):
    pass


def command_error(
    error: DomainError | VersionConflict | Forbidden,
) -> ValidationError | VersionConflictError | ForbiddenError:
    """The union member for a refused command."""
    if isinstance(error, VersionConflict):
        return VersionConflictError(
            message=error.message,
            code=ErrorCode.VERSION_CONFLICT,
            expected_version=error.expected,
            current_version=error.current,
        )
    if isinstance(error, Forbidden):
        return ForbiddenError(message=error.message, code=ErrorCode.FORBIDDEN)
    return ValidationError(
        message=error.message, code=ErrorCode(error.code.value), field=error.field
    )


class QueryError(GraphQLError):
    """A query argument that cannot be answered, or a query refused by a limit.

    Shown to the client as a top-level error with `extensions.code`.
    """

    def __init__(self, message: str, *, code: str = "BAD_REQUEST", argument: str | None = None):
        extensions: dict[str, object] = {"code": code}
        if argument is not None:
            extensions["argument"] = argument
        super().__init__(message, extensions=extensions)


def bad_argument(argument: str, message: str) -> QueryError:
    return QueryError(f"{argument}: {message}", code="BAD_REQUEST", argument=argument)


def should_mask_error(error: GraphQLError) -> bool:
    """Mask only unexpected exceptions raised while resolving fields. GraphQL's own errors
    (syntax, validation, input coercion, limits) and `QueryError`s are for the client."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return error.path is not None
