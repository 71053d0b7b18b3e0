"""The Starlette application: /graphql, /healthz, the home page and static assets."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from accord.graphql.context import Services
from accord.graphql.feed import ViewsFeed
from accord.threads import in_worker_thread
from accord.web.limits import BodySizeLimit
from accord.web.pages import home_page
from accord.web.request_ids import RequestIds
from accord.web.view import AccordGraphQL, TokenCheck

STATIC = Path(__file__).with_name("static")


def create_app(
    runtime: Services, *, auth: bool = False, check_token: TokenCheck | None = None
) -> Starlette:
    """The web application over one runtime.

    `auth=False` serves everyone as the local actor with access not enforced. With
    `auth=True`, requests need a bearer token that `check_token` maps to an actor
    (without `check_token`, no token is valid).
    """
    feed = ViewsFeed(runtime)
    graphql = AccordGraphQL(runtime, feed, check_token=check_token, auth=auth)

    async def healthz(request: Request) -> Response:
        try:
            position = await in_worker_thread(runtime.reader.position)
        except Exception as exc:  # the views cannot be read: not healthy
            return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, 503)
        projector = runtime.projector_thread
        body: dict[str, object] = {"status": "ok", "viewsPosition": position}
        if projector is not None and projector.error is not None:
            body["projectorError"] = type(projector.error).__name__
        return JSONResponse(body)

    async def home(request: Request) -> Response:
        index = STATIC / "index.html"
        if index.is_file():
            return FileResponse(index, media_type="text/html")
        return HTMLResponse(
            home_page(request.url_for("graphql").path, request.url_for("healthz").path)
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        feed.start()
        try:
            yield
        finally:
            feed.stop()

    routes = [
        Route("/", home, name="home"),
        Route("/graphql", graphql, name="graphql", methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql, name="graphql_ws"),
        Route("/healthz", healthz, name="healthz"),
        Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]
    middleware = [Middleware(RequestIds), Middleware(BodySizeLimit)]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
