"""GraphQL over HTTP (API.md, Transport): which media type to answer with, whether a
result is a request error, and the status a response gets.

A client that accepts `application/graphql-response+json` gets it, with the status codes
the GraphQL over HTTP specification asks for: 4xx for a request that never reached
execution (unparsable JSON, a missing or malformed parameter, a document that does not
parse or validate, variables that cannot be coerced), with no `data` entry; 200 once
execution started, with `data`. Any other client (`application/json`, `*/*`, no Accept
header) gets `application/json` as before: 200 and `"data": null` for those errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import orjson
from cross_web import HTTPException
from starlette.responses import Response
from starlette.types import Scope
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.graphql import OperationType

GRAPHQL_RESPONSE: Final = "application/graphql-response+json"
JSON: Final = "application/json"
CONTENT_TYPES: Final = {
    GRAPHQL_RESPONSE: f"{GRAPHQL_RESPONSE}; charset=utf-8",
    JSON: JSON,
}
"""The Content-Type of a response in each media type."""

STATE_KEY: Final = "accord_media_type"
"""Where the negotiated media type is kept in the request's scope state."""

CODES: Final = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}
"""`extensions.code` of an error answered with an HTTP status of its own."""

_UTF8: Final = frozenset({"utf-8", "utf8"})


def _quality(params: Sequence[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value.strip()), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def response_media_type(accept: str | None) -> str | None:
    """The media type to answer with, given the request's Accept header; None when the
    client accepts neither (HTTP 406).

    `application/graphql-response+json` when the client names it and does not prefer
    `application/json`; otherwise `application/json`, also for `*/*`, `application/*`
    and a missing or empty header (legacy clients)."""
    if accept is None or not accept.strip():
        return JSON
    best: dict[str, float] = {}
    for media_range in accept.split(","):
        kind, *params = media_range.split(";")
        kind = kind.strip().lower()
        if kind in (GRAPHQL_RESPONSE, JSON, "*/*", "application/*"):
            best[kind] = max(best.get(kind, 0.0), _quality(params))
    graphql_response = best.get(GRAPHQL_RESPONSE, 0.0)
    json = best.get(JSON, max(best.get("*/*", 0.0), best.get("application/*", 0.0)))
    if graphql_response > 0 and graphql_response >= best.get(JSON, 0.0):
        return GRAPHQL_RESPONSE
    if json > 0:
        return JSON
    return None


def media_type_of(scope: Scope) -> str:
    """The media type negotiated for this request (JSON when none is acceptable)."""
    media_type = scope.get("state", {}).get(STATE_KEY)
    if isinstance(media_type, str):
        return media_type
    accept = next((value for name, value in scope.get("headers", ()) if name == b"accept"), None)
    return response_media_type(accept.decode("latin-1") if accept is not None else None) or JSON


def content_type_of(media_type: str | None) -> str:
    return CONTENT_TYPES.get(media_type or JSON, JSON)


def check_request_content_type(content_type: str | None) -> None:
    """Refuse (HTTP 415) a POST body that is not `application/json` in UTF-8."""
    kind, *params = (content_type or "").split(";")
    if kind.strip().lower() != JSON:
        raise HTTPException(415, f"a POST body must be {JSON}")
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in _UTF8:
            raise HTTPException(415, f"a POST body must be {JSON} in UTF-8")


def check_parameters(params: Mapping[str, Any]) -> None:
    """Refuse (HTTP 400) request parameters of the wrong type. `query` may be missing
    here (strawberry then answers 400); `variables` and `extensions` are objects."""
    query, operation_name = params.get("query"), params.get("operationName")
    if query is not None and not isinstance(query, str):
        raise HTTPException(400, "the request's `query` must be a string")
    if operation_name is not None and not isinstance(operation_name, str):
        raise HTTPException(400, "the request's `operationName` must be a string")
    for name in ("variables", "extensions"):
        value = params.get(name)
        if value is not None and not isinstance(value, dict):
            raise HTTPException(400, f"the request's `{name}` must be an object")


def is_request_error(result: ExecutionResult) -> bool:
    """Whether the result comes from a request that never reached execution: a document
    that does not parse or validate (strawberry's `PreExecutionError`), or variables that
    cannot be coerced (no data, and no error with a path: no field ran)."""
    if isinstance(result, PreExecutionError):
        return True
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )


def request_error_status(errors: Sequence[object] | None) -> int:
    """The status of a request error, given its formatted errors: 400 for the client's
    own mistake, 500 when the server failed before execution (an error masked as
    INTERNAL_SERVER_ERROR)."""
    for error in errors or ():
        extensions = error.get("extensions") if isinstance(error, Mapping) else None
        if isinstance(extensions, Mapping) and extensions.get("code") == "INTERNAL_SERVER_ERROR":
            return 500
    return 400


def error_body(status: int, message: str, code: str | None = None) -> GraphQLHTTPResponse:
    """A GraphQL response, without `data`, for a request refused with `status`."""
    code = code or CODES.get(status, "ERROR")
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def error_response(
    media_type: str | None,
    status: int,
    message: str,
    headers: Mapping[str, str] | None = None,
    *,
    code: str | None = None,
) -> Response:
    """A request refused with `status`, answered as a GraphQL response in `media_type`
    (`extensions.code`: `code`, or the status's own)."""
    return Response(
        orjson.dumps(error_body(status, message, code)),
        status_code=status,
        headers={**(headers or {}), "content-type": content_type_of(media_type)},
    )


def as_response(media_type: str | None, refused: HTTPException, method: str) -> Response:
    """strawberry's refusal of a request (`HTTPException`), answered as a GraphQL response
    in `media_type` rather than as plain text. A mutation sent with GET is 405 with
    `Allow: POST`, as the specification asks."""
    cause = refused.__cause__
    if (
        method == "GET"
        and isinstance(cause, InvalidOperationTypeError)
        and cause.operation_type is OperationType.MUTATION
    ):
        return error_response(media_type, 405, refused.reason, {"allow": "POST"})
    return error_response(media_type, refused.status_code, refused.reason)
