"""The GraphQL endpoint: strawberry's ASGI view with Accord's context, access and IDE.

Who is asking: without auth, the local actor (everything visible, access not enforced).
With auth, a bearer token names the actor: over HTTP in the `Authorization` header
(missing or invalid: HTTP 401, `extensions.code` UNAUTHENTICATED); over websockets in
the `connection_init` payload (`{"Authorization": "Bearer ..."}`) or the upgrade
request's header (invalid: the socket is closed with 4403).

A person signed in (`web.signin`) is named instead by the session cookie, when there is
no `Authorization`; a request so authenticated must show it comes from the page, since a
browser sends the cookie whoever asks it to: the session's CSRF value in the header
`X-Accord-CSRF` (missing or wrong: HTTP 403, `extensions.code` CSRF), a POST body in
JSON only (no form, multipart or `text/plain` body, which another site can send without
asking), and over websockets the server's own `Origin` and the CSRF value in
`connection_init` (`{"X-Accord-CSRF": ...}`), else the socket is closed with 4403. A
mutation is never run over GET. The session's actor is rechecked as a token's is, so an
open subscription ends with its session (sign-out, expiry, a disabled account).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, overload

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.unset import UNSET, UnsetType

from accord.graphql.context import LOCAL_ACTOR, AccordContext, Actor, Services
from accord.graphql.feed import ViewsFeed
from accord.graphql.schema import schema
from accord.threads import in_worker_thread
from accord.web.pages import graphiql_page
from accord.web.request_ids import request_id_of
from accord.web.signin import (
    COOKIE,
    CSRF_HEADER,
    actor_of_session,
    client_address,
    csrf_matches,
    from_own_origin,
    live_session,
)
from accord.web.transport import (
    GRAPHQL_RESPONSE,
    JSON,
    STATE_KEY,
    as_response,
    check_parameters,
    check_request_content_type,
    content_type_of,
    error_response,
    is_request_error,
    media_type_of,
    request_error_status,
    response_media_type,
)

TokenCheck = Callable[[str], str | None]
"""A bearer token -> the actor it belongs to, or None when it is not valid."""

NOBODY = Actor("", enforce_access=True)
"""Sees nothing: the actor of a page request under auth, which runs no operation."""

UNAUTHENTICATED = "a valid bearer token is required (Authorization: Bearer <token>)"
SESSION_ENDED = "the session has ended: sign in again (or use a bearer token)"
CSRF_REFUSED = (
    f"a request signed in by the session cookie needs the session's {CSRF_HEADER} header "
    "(GET /session gives it)"
)


def bearer_token(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class TransportWSHandler(BaseGraphQLTransportWSHandler[AccordContext, None]):
    """graphql-transport-ws, where a client that goes away mid-stream is not an error, and
    a stream that ends because the partnership is no longer visible (a role revoked) or
    the token no longer valid (revoked) ends with an `error` message, as one refused at
    the start does."""

    async def handle_task_exception(self, error: Exception) -> None:
        if isinstance(error, WebSocketDisconnected):
            return
        await super().handle_task_exception(error)

    async def _send_result_stream(
        self, operation: Operation[AccordContext, None], result_source: Any
    ) -> None:
        first = True
        async for result in result_source:
            if first and isinstance(result, PreExecutionError):
                await self._handle_pre_execution_error(operation, result)
                return
            if not isinstance(result, ExecutionResult):
                await self._reject_incremental_delivery(operation)
                return
            if _ends_stream(result):
                assert result.errors is not None
                await operation.send_initial_errors(result.errors)
                return
            await operation.send_next(result)
            first = False


ENDING_CODES = frozenset({"NOT_FOUND", "UNAUTHENTICATED"})


def _ends_stream(result: ExecutionResult) -> bool:
    """A stream that failed because its partnership is not (or no longer) visible, or
    its token was revoked."""
    return result.data is None and any(
        (error.extensions or {}).get("code") in ENDING_CODES for error in result.errors or ()
    )


class AccordGraphQL(GraphQL[AccordContext, None]):
    """/graphql: queries and mutations over HTTP, subscriptions over graphql-transport-ws,
    GraphiQL for a browser."""

    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(
        self,
        services: Services,
        feed: ViewsFeed,
        *,
        check_token: TokenCheck | None = None,
        auth: bool = False,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql",
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.services = services
        self.feed = feed
        self.auth = auth
        self.check_token = check_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.auth and not _is_ide_request(scope):
            request = Request(scope, receive)
            header = request.headers.get("authorization")
            if header is None and COOKIE in request.cookies:
                found = await self._cookie_actor(request)
                if isinstance(found, Response):
                    await found(scope, receive, send)
                    return
                actor: Actor | None = found
            else:  # a bearer token, as ever: cookies are not looked at
                actor = await self._actor_for(header)
            if actor is None:
                await _unauthenticated(request)(scope, receive, send)
                return
            scope.setdefault("state", {})["accord_actor"] = actor
        await super().__call__(scope, receive, send)

    async def _cookie_actor(self, request: Request) -> Actor | Response:
        """The actor of the request's session cookie, or the refusal: 401 for a session
        that is not live, 403 (CSRF) without the session's CSRF header, 415 for a POST
        body that is not JSON."""
        media_type = response_media_type(request.headers.get("accept"))
        accounts = self.services.accounts
        found = await live_session(request, accounts)
        if found is None:
            return error_response(media_type, 401, SESSION_ENDED, {"WWW-Authenticate": "Bearer"})
        session_id, record = found
        if not csrf_matches(record, request.headers.get(CSRF_HEADER)):
            return error_response(media_type, 403, CSRF_REFUSED, code="CSRF")
        if request.method != "GET":
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind != JSON:
                return error_response(media_type, 415, f"a POST body must be {JSON}")
        return actor_of_session(accounts, session_id, record, client_address(request))

    async def _ws_cookie_actor(
        self, websocket: WebSocket, params: Mapping[str, Any]
    ) -> Actor | None:
        """The actor of a websocket's session cookie, when the upgrade came from this
        server's own origin and `connection_init` carries the session's CSRF value."""
        if not from_own_origin(websocket, referer_allowed=False):
            return None
        found = await live_session(websocket, self.services.accounts)
        if found is None:
            return None
        session_id, record = found
        value = params.get(CSRF_HEADER, params.get(CSRF_HEADER.lower()))
        if not csrf_matches(record, value):
            return None
        return actor_of_session(
            self.services.accounts, session_id, record, client_address(websocket)
        )

    async def _actor_for(self, header: object) -> Actor | None:
        token = bearer_token(header)
        if token is None or self.check_token is None:
            return None
        name = await in_worker_thread(self.check_token, token)
        if not name:
            return None
        return Actor(name, enforce_access=True, recheck=functools.partial(self.check_token, token))

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> AccordContext:
        request_id = request_id_of(request.scope)
        if isinstance(request, WebSocket):
            # Under auth, `on_ws_connect` sets the token's actor; until then the protocol
            # refuses every operation (and the actor sees nothing).
            return AccordContext(
                self.services,
                NOBODY if self.auth else LOCAL_ACTOR,
                feed=self.feed,
                request=request,
                response=response,
                per_request=False,
                request_id=request_id,
            )
        actor = request.scope.get("state", {}).get("accord_actor")
        if actor is None and self.auth:
            # Fail closed: only the IDE page is served without a token (and it runs nothing).
            if not _is_ide_request(request.scope):
                msg = "an operation reached the schema without an authenticated actor"
                raise RuntimeError(msg)
            actor = NOBODY
        return AccordContext(
            self.services,
            actor or LOCAL_ACTOR,
            feed=self.feed,
            request=request,
            response=response,
            request_id=request_id,
        )

    async def on_ws_connect(self, context: AccordContext) -> UnsetType | dict[str, object] | None:
        if not self.auth:
            return await super().on_ws_connect(context)
        params: Mapping[str, Any] = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        if header is None and context.request is not None:
            header = context.request.headers.get("authorization")
        websocket = context.request
        if header is None and isinstance(websocket, WebSocket) and COOKIE in websocket.cookies:
            actor = await self._ws_cookie_actor(websocket, params)
        else:
            actor = await self._actor_for(header)
        if actor is None:
            raise ConnectionRejectionError()
        context.actor = actor
        return await super().on_ws_connect(context)

    async def render_graphql_ide(self, request: Request) -> Response:
        assets = str(request.url_for("static", path="graphiql"))
        return HTMLResponse(graphiql_page(_path_only(assets)))

    # GraphQL over HTTP (accord/web/transport.py): the media type is negotiated once per
    # request; strawberry's refusals become GraphQL responses in it.

    @overload
    async def run(
        self,
        request: Request,
        context: AccordContext = UNSET,
        root_value: None = UNSET,
    ) -> Response: ...

    @overload
    async def run(
        self,
        request: WebSocket,
        context: AccordContext = UNSET,
        root_value: None = UNSET,
    ) -> WebSocket: ...

    async def run(
        self,
        request: Request | WebSocket,
        context: AccordContext = UNSET,
        root_value: None = UNSET,
    ) -> Response | WebSocket:
        if isinstance(request, WebSocket):
            return await super().run(request, context, root_value)
        media_type = response_media_type(request.headers.get("accept"))
        if not _is_ide_request(request.scope):
            if media_type is None:
                message = f"/graphql answers in {GRAPHQL_RESPONSE} or application/json"
                return error_response(None, 406, message)
            request.scope.setdefault("state", {})[STATE_KEY] = media_type
        try:
            return await super().run(request, context, root_value)
        except HTTPException as refused:
            return as_response(media_type, refused, request.method)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        """GET query parameters, or a POST body in `application/json` (else 415); each
        parameter of its type (else 400). No batches and no streaming over HTTP."""
        if request.method == "GET":
            params: object = self.parse_query_params(request.query_params)
        else:
            check_request_content_type(request.content_type)
            try:
                params = self.parse_json(await request.get_body())
            except ValueError as error:  # not UTF-8
                raise HTTPException(400, "Unable to parse request body as JSON") from error
        if not isinstance(params, dict):
            raise HTTPException(400, "the request must be one JSON object")
        check_parameters(params)
        return GraphQLRequestData(
            query=params.get("query"),
            variables=params.get("variables"),
            operation_name=params.get("operationName"),
            extensions=params.get("extensions"),
        )

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = media_type_of(request.scope)
        return sub_response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """No `data` entry for a request error in `application/graphql-response+json`."""
        response = await super().process_result(request, result)
        if media_type_of(request.scope) == GRAPHQL_RESPONSE and is_request_error(result):
            response.pop("data", None)
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """The negotiated Content-Type; in `application/graphql-response+json`, a request
        error (no `data`) is 400 (500 if the server failed before execution)."""
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = content_type_of(sub_response.media_type)
        if self.auth:  # a person's data: not kept by the browser (nor shown after sign-out)
            response.headers.setdefault("cache-control", "no-store")
        if (
            sub_response.media_type == GRAPHQL_RESPONSE
            and not sub_response.status_code
            and isinstance(response_data, dict)
            and "data" not in response_data
        ):
            response.status_code = request_error_status(response_data.get("errors"))
        return response


def _path_only(url: str) -> str:
    """`http://host:port/static/graphiql` -> `/static/graphiql` (works behind proxies)."""
    scheme_end = url.find("://")
    if scheme_end < 0:
        return url
    path_start = url.find("/", scheme_end + 3)
    return url[path_start:] if path_start >= 0 else "/"


def _is_ide_request(scope: Scope) -> bool:
    """A browser asking for the GraphiQL page: no token needed. Judged as strawberry judges
    whether to render the IDE rather than run an operation (`should_render_graphql_ide`),
    on the decoded query parameters, so `?%71uery=...` is not taken for a page request."""
    if scope.get("method") != "GET":
        return False
    request = Request(scope)
    accept = request.headers.get("accept", "")
    return request.query_params.get("query") is None and ("text/html" in accept or "*/*" in accept)


def _unauthenticated(request: Request) -> Response:
    media_type = response_media_type(request.headers.get("accept"))
    return error_response(media_type, 401, UNAUTHENTICATED, {"WWW-Authenticate": "Bearer"})
